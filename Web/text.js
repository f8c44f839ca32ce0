// How long a draft is, counted as the server counts: characters are extended grapheme clusters (Swift's
// `String.count`), and the whole `send` frame must stay under the server's frame limit or it closes the
// connection (1009). Pure functions, tested with `node --test`.

const segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
const encoder = new TextEncoder();
/** Only Unicode White_Space, as Swift's `Character.isWhitespace` (not JavaScript's `trim`, which differs on U+0085 and U+FEFF). */
const WHITESPACE_ONLY = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** The number of characters a person (and Swift) counts in `text`. */
export function characterCount(text) {
  if (!segmenter) return Array.from(text).length;
  let count = 0;
  for (const _ of segmenter.segment(text)) count += 1;
  return count;
}

/** UTF-8 bytes of `text`. */
export function byteCount(text) {
  return encoder.encode(text).length;
}

/**
 * Checks a draft before it is sent.
 * @param body the text as typed
 * @param limits `{maxCharacters, maxFrameBytes}` from /client.json
 * @param frameText the JSON text of the `send` frame that would carry it
 * @returns `{characters, empty, tooManyCharacters, tooManyBytes, nearLimit}`
 */
export function checkDraft(body, limits, frameText) {
  const characters = characterCount(body);
  const tooManyBytes = byteCount(frameText) > limits.maxFrameBytes;
  return {
    characters,
    empty: WHITESPACE_ONLY.test(body),
    tooManyCharacters: characters > limits.maxCharacters,
    tooManyBytes,
    nearLimit: characters >= Math.floor(limits.maxCharacters * 0.8),
  };
}
