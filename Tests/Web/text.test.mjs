// Draft length as the server counts it (Web/text.js): characters are extended grapheme clusters (Swift's
// `String.count`, PROTOCOL.md 3.3), and the whole `send` frame must stay within max_frame_bytes or the server
// closes the connection with 1009 instead of answering too_large.

import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { request } from "../../Web/protocol.js";
import { byteCount, characterCount, checkDraft } from "../../Web/text.js";

const LIMITS = Object.freeze({ maxCharacters: 4000, maxFrameBytes: 65536 });

const THUMBS_MEDIUM = "\u{1F44D}\u{1F3FD}"; // 👍🏽: thumbs up + skin tone modifier
const E_ACUTE_COMBINING = "e\u0301"; // e + combining acute accent
const FAMILY = "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}"; // 👨‍👩‍👧‍👦: four people joined by ZWJ
const FLAG_US = "\u{1F1FA}\u{1F1F8}"; // 🇺🇸: two regional indicators
const HANGUL_JAMO = "\u1112\u1161\u11AB"; // 한 as three conjoining jamo

/** The text of the `send` frame that would carry `body`, as app.js builds it. */
function sendFrame(body) {
  return JSON.stringify(request("send", { room: "r_ftmf2fs8svhqjzk9d9yk", body, client_id: "3f0c2a9e-8b1d-4c55-9a57-2f1e0f6b7c11" }, "r12"));
}

describe("characterCount", () => {
  test("counts what a person sees as one character, like Swift", () => {
    assert.equal(characterCount(THUMBS_MEDIUM), 1);
    assert.equal(characterCount(E_ACUTE_COMBINING), 1);
    assert.equal(characterCount(FAMILY), 1);
    assert.equal(characterCount(FLAG_US), 1);
    assert.equal(characterCount(HANGUL_JAMO), 1);
    assert.equal(characterCount("\r\n"), 1, "CR LF is one Character in Swift");
  });

  test("plain text and mixtures", () => {
    assert.equal(characterCount(""), 0);
    assert.equal(characterCount("Hi everyone"), 11);
    assert.equal(characterCount(`I made it ${THUMBS_MEDIUM}${FAMILY}!`), 13);
    assert.equal(characterCount(`caf${E_ACUTE_COMBINING}`), 4);
    assert.equal(characterCount("\u{1F600}".repeat(10)), 10, "astral characters are one each, not two UTF-16 units");
  });
});

describe("byteCount", () => {
  test("counts UTF-8 bytes", () => {
    assert.equal(byteCount(""), 0);
    assert.equal(byteCount("abc"), 3);
    assert.equal(byteCount("\u00e9"), 2);
    assert.equal(byteCount(THUMBS_MEDIUM), 8);
    assert.equal(byteCount(FAMILY), 25);
  });
});

describe("checkDraft", () => {
  test("an ordinary draft passes", () => {
    const body = "Hi everyone, I made it to today's check-in.";
    const check = checkDraft(body, LIMITS, sendFrame(body));
    assert.equal(check.characters, characterCount(body));
    assert.equal(check.empty, false);
    assert.equal(check.tooManyCharacters, false);
    assert.equal(check.tooManyBytes, false);
    assert.equal(check.nearLimit, false);
  });

  test("exactly maxCharacters is allowed; one more is too many", () => {
    const full = "a".repeat(4000);
    assert.equal(checkDraft(full, LIMITS, sendFrame(full)).tooManyCharacters, false);
    const over = "a".repeat(4001);
    const check = checkDraft(over, LIMITS, sendFrame(over));
    assert.equal(check.tooManyCharacters, true);
    assert.equal(check.characters, 4001);
  });

  test("characters are counted as graphemes: 4000 emoji with skin tones are 4000 characters", () => {
    const body = THUMBS_MEDIUM.repeat(4000);
    const check = checkDraft(body, LIMITS, sendFrame(body));
    assert.equal(check.characters, 4000);
    assert.equal(check.tooManyCharacters, false);
  });

  test("4000 family emoji are within the character limit but the frame is over maxFrameBytes", () => {
    const body = FAMILY.repeat(4000);
    const frame = sendFrame(body);
    assert.ok(byteCount(frame) > 65536, "the premise: 100 000 bytes of body");
    const check = checkDraft(body, LIMITS, frame);
    assert.equal(check.characters, 4000);
    assert.equal(check.tooManyCharacters, false);
    assert.equal(check.tooManyBytes, true);
  });

  test("combining sequences can fill the frame too (under 4000 characters)", () => {
    const zalgo = `a${"\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308".repeat(5)}`; // 1 character, 81 bytes
    const body = zalgo.repeat(1000);
    const check = checkDraft(body, LIMITS, sendFrame(body));
    assert.equal(check.characters, 1000);
    assert.equal(check.tooManyCharacters, false);
    assert.equal(check.tooManyBytes, true);
  });

  test("the byte limit is on the whole frame: exactly maxFrameBytes passes, one byte more does not", () => {
    const limits = { maxCharacters: 4000, maxFrameBytes: 2048 };
    const overhead = byteCount(sendFrame(""));
    const fits = "a".repeat(limits.maxFrameBytes - overhead);
    assert.equal(byteCount(sendFrame(fits)), limits.maxFrameBytes);
    assert.equal(checkDraft(fits, limits, sendFrame(fits)).tooManyBytes, false);
    const over = `${fits}a`;
    assert.equal(checkDraft(over, limits, sendFrame(over)).tooManyBytes, true);
  });

  test("JSON escaping counts: quotes and backslashes take two bytes in the frame", () => {
    const body = "\"".repeat(3000);
    const check = checkDraft(body, { maxCharacters: 4000, maxFrameBytes: 6000 }, sendFrame(body));
    assert.equal(check.tooManyCharacters, false);
    assert.equal(check.tooManyBytes, true);
  });

  test("empty means only whitespace, as the server decides", () => {
    for (const body of ["", " ", "   \n\t ", "\u00a0", "\u3000", "\r\n"]) {
      assert.equal(checkDraft(body, LIMITS, sendFrame(body)).empty, true, JSON.stringify(body));
    }
    for (const body of ["a", "  .  ", THUMBS_MEDIUM, "\u200b"]) {
      assert.equal(checkDraft(body, LIMITS, sendFrame(body)).empty, false, JSON.stringify(body));
    }
  });

  test("a body of only U+0085 (NEXT LINE) is empty: Swift's isWhitespace refuses it as bad_request", () => {
    // The server checks `body.allSatisfy(\.isWhitespace)` (Sources/HearthCore/MessageLimits.swift); U+0085 has
    // the Unicode White_Space property, but String.prototype.trim does not remove it.
    const body = "\u0085";
    assert.equal(checkDraft(body, LIMITS, sendFrame(body)).empty, true);
  });

  test("nearLimit from 80% of maxCharacters", () => {
    const below = "a".repeat(3199);
    const at = "a".repeat(3200);
    assert.equal(checkDraft(below, LIMITS, sendFrame(below)).nearLimit, false);
    assert.equal(checkDraft(at, LIMITS, sendFrame(at)).nearLimit, true);
    const emoji = FAMILY.repeat(3200);
    assert.equal(checkDraft(emoji, LIMITS, sendFrame(emoji)).nearLimit, true, "counted in characters, not code units");
  });
});
