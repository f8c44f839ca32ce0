// Hearth wire protocol (hearth.v1) names, one to one with the Swift types (docs/PROTOCOL.md).

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
  AGREE: "agree",
  CHECKIN: "checkin",
  HAND: "hand",
  PASS: "pass",
  REPORT: "report",
});

/** Frame types the server sends. */
export const Frame = Object.freeze({
  WELCOME: "welcome",
  JOINED: "joined",
  WAITING: "waiting",
  ACK: "ack",
  MESSAGE: "message",
  HISTORY: "history",
  PRESENCE: "presence",
  DENIED: "denied",
  ROOM_STATE: "room_state",
  MODERATION: "moderation",
  ENDED: "ended",
  SUPPORT: "support",
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
  AGREEMENT_REQUIRED: "agreement_required",
  NO_STAFF: "no_staff",
  TOO_LARGE: "too_large",
  RATE_LIMITED: "rate_limited",
  MUTED: "muted",
  REMOVED: "removed",
  BANNED: "banned",
  NOT_YOUR_TURN: "not_your_turn",
  ENDED: "ended",
  INTERNAL: "internal",
});

/** Moderation actions a participant or family member may hear of (`moderation.action`). */
export const Moderation = Object.freeze({
  MUTE: "mute",
  UNMUTE: "unmute",
  REMOVE: "remove",
  BAN: "ban",
  HIDE: "hide",
  UNHIDE: "unhide",
  PIN: "pin",
  UNPIN: "unpin",
  LOCK: "lock",
  UNLOCK: "unlock",
  SLOW: "slow",
  REVIEW: "review",
  RELEASE: "release",
  LOWER_HAND: "lower_hand",
  ROUND_START: "round_start",
  ROUND_END: "round_end",
  PASS: "pass",
});

/** MEMBER roles. */
export const Role = Object.freeze({
  PARTICIPANT: "participant",
  FAMILY: "family",
  COUNSELOR: "counselor",
  ADMIN: "admin",
});

/** Whether a role is staff (counselor or admin). */
export function isStaff(role) {
  return role === Role.COUNSELOR || role === Role.ADMIN;
}

/** WebSocket close codes with a meaning in Hearth. */
export const Close = Object.freeze({
  NORMAL: 1000,
  ABNORMAL: 1006,
  /** No valid hello: unknown, revoked, used or expired token. Never reconnect with the same token. */
  UNAUTHORIZED: 4001,
});

/** A request frame as an object: `{type, ...fields, ref}`. Fields that are undefined are left out. */
export function request(type, fields = {}, ref) {
  const frame = { type };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) frame[key] = value;
  if (ref !== undefined) frame.ref = ref;
  return frame;
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
  if (frame === null || typeof frame !== "object" || Array.isArray(frame) || typeof frame.type !== "string") return null;
  return frame;
}

/** Parses a wire time such as `2026-11-23T18:00:00-08:00` or `…Z` into a Date; null when it is not one. */
export function parseTime(text) {
  if (typeof text !== "string") return null;
  const normalized = text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const date = new Date(normalized);
  return Number.isNaN(date.getTime()) ? null : date;
}
