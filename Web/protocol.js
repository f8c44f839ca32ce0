// Hearth wire protocol (hearth.v1): the names the browser client uses.
// The Swift types are the contract: Sources/HearthCore/ClientRequest.swift (requests),
// Sources/HearthCore/ServerFrame.swift (frames) and Sources/HearthCore/WireTypes.swift (ROOM, MEMBER, MSG).

/** The WebSocket subprotocol the server requires. */
export const SUBPROTOCOL = "hearth.v1";

/** The WebSocket path on the page's own host. */
export const PATH = "/ws";

/** Request types a client sends. */
export const Request = Object.freeze({
  HELLO: "hello",
  JOIN: "join",
  SEND: "send",
  HISTORY: "history",
  LEAVE: "leave",
});

/** Frame types the server sends. */
export const Frame = Object.freeze({
  WELCOME: "welcome",
  JOINED: "joined",
  ACK: "ack",
  MESSAGE: "message",
  HISTORY: "history",
  PRESENCE: "presence",
  OK: "ok",
  ERROR: "error",
});

/** Codes of `error` frames. */
export const ErrorCode = Object.freeze({
  BAD_REQUEST: "bad_request",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not_found",
  ROOM_CLOSED: "room_closed",
  TOO_LARGE: "too_large",
  RATE_LIMITED: "rate_limited",
  INTERNAL: "internal",
});

/** WebSocket close codes with a meaning in Hearth. */
export const Close = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  ABNORMAL: 1006,
  POLICY: 1008,
  TOO_BIG: 1009,
  /** No valid hello: unknown, revoked or missing token. */
  UNAUTHORIZED: 4001,
});

/**
 * Builds the text of a request frame: `{"type":..., ...fields, "ref":...}`.
 * `ref` is echoed by the server in its reply; leave it out when no reply needs matching.
 */
export function request(type, fields = {}, ref) {
  const frame = { type, ...fields };
  if (ref !== undefined) frame.ref = ref;
  return JSON.stringify(frame);
}

/** The first frame on every connection. */
export function hello(token, ref = "hello") {
  return request(Request.HELLO, { token }, ref);
}

/** The WebSocket URL on the page's own origin: ws:// for http, wss:// for https. */
export function socketURL(loc = window.location) {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}${PATH}`;
}

/** Parses a server frame, or returns null when it is not a JSON object with a string `type`. */
export function parseFrame(text) {
  let frame;
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  if (frame === null || typeof frame !== "object" || typeof frame.type !== "string") return null;
  return frame;
}

/**
 * Parses a wire time such as `2026-11-23T18:00:00-08:00` or `2026-11-23T18:00:00-0800` (with or without
 * a colon in the offset, or `Z`) into a Date; returns null when it is not one.
 */
export function parseTime(text) {
  if (typeof text !== "string") return null;
  const normalized = text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? null : date;
}
