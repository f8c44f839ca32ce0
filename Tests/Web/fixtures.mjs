// Shared fixtures for the store tests: people, a room, wire frames as the server sends them (docs/PROTOCOL.md),
// and small drivers that walk the reducer through a connection the way app.js does. Not a test file itself
// (node --test only runs *.test.mjs here).

import { Effect, Event, createState, dispatch } from "../../Web/store.js";

export const TOKEN = "hth_participant_token";
export const ROOM = "r_ftmf2fs8svhqjzk9d9yk";
export const OTHER_ROOM = "r_mehwqymn38g8yzwnqrhp";

export const ALEX = Object.freeze({ id: "p_alex", name: "Alex R.", role: "participant" });
export const SAM = Object.freeze({ id: "p_sam", name: "Sam T.", role: "participant" });
export const MARIA = Object.freeze({ id: "p_maria", name: "Maria R.", role: "family" });
export const DANA = Object.freeze({ id: "p_dana", name: "Dana M.", role: "counselor" });

/** The ROOM as `welcome` lists it: a Monday evening group, window 17:45 to 21:10 Pacific. */
export const SUMMARY = Object.freeze({
  id: ROOM,
  title: "Group therapy: drop-in check-in",
  kind: "group",
  starts: "2026-11-23T18:00:00-08:00",
  ends: "2026-11-23T21:00:00-08:00",
  opens: "2026-11-23T17:45:00-08:00",
  closes: "2026-11-23T21:10:00-08:00",
  open: true,
  time_zone: "America/Los_Angeles",
  facilitators: [DANA],
  admission: "auto",
  requires_staff: true,
  agreement: false,
});

/** Ten minutes into the session. */
export const NOW = Date.parse("2026-11-23T18:10:00-08:00");
export const CLOSES = Date.parse(SUMMARY.closes);

/** A stored message (MSG) of ROOM. */
export function msg(seq, from = SAM, extra = {}) {
  return {
    room: ROOM,
    seq,
    id: `m_${seq}`,
    ts: "2026-11-24T02:10:00.000Z",
    from,
    body: `message ${seq}`,
    client_id: `c-${from.id}-${seq}`,
    ...extra,
  };
}

/** The `message` frame of a MSG. */
export function live(message) {
  return { type: "message", ...message };
}

/** A `joined` frame for ROOM. */
export function joinedFrame(ref, fields = {}) {
  return {
    type: "joined",
    ...(ref === undefined ? {} : { ref }),
    room: ROOM,
    role: "participant",
    open: true,
    members: [ALEX, SAM],
    messages: [],
    seq: 0,
    more: false,
    paused: false,
    ...fields,
  };
}

/** The frames of the SEND effects, in order. */
export function sent(effects) {
  return effects.filter((effect) => effect.type === Effect.SEND).map((effect) => effect.frame);
}

/** The frames of type `type` among the SEND effects. */
export function sentOf(effects, type) {
  return sent(effects).filter((frame) => frame.type === type);
}

export function hasEffect(effects, type) {
  return effects.some((effect) => effect.type === type);
}

export function announcements(effects) {
  return effects.filter((effect) => effect.type === Effect.ANNOUNCE).map((effect) => effect.text);
}

/** Delivers one server frame. */
export function deliver(state, frame, now = NOW) {
  return dispatch(state, { type: Event.FRAME, frame }, now);
}

/** The socket opened and `hello` was answered with `welcome`; returns the effects of both steps. */
export function signIn(state, { user = state.user ?? ALEX, rooms = [SUMMARY], now = NOW, sessionToken } = {}) {
  const opened = dispatch(state, { type: Event.OPENED }, now);
  const hello = sentOf(opened, "hello")[0];
  const welcome = {
    type: "welcome",
    ...(hello ? { ref: hello.ref } : {}),
    user,
    rooms,
    server: "hearth/0.1.0",
    ...(sessionToken ? { session_token: sessionToken } : {}),
  };
  const welcomed = deliver(state, welcome, now);
  return { opened, welcomed, all: [...opened, ...welcomed] };
}

/** Answers the last `join` among `effects` with a `joined` carrying `fields`. */
export function answerJoin(state, effects, fields = {}, now = NOW) {
  const joins = sentOf(effects, "join");
  if (joins.length === 0) throw new Error("no join was sent");
  return deliver(state, joinedFrame(joins[joins.length - 1].ref, fields), now);
}

/**
 * A signed-in person inside ROOM after a plain join.
 * @returns the state and the effects of the `joined`
 */
export function inRoom({ user = ALEX, messages = [msg(1), msg(2), msg(3)], seq, saved = {}, now = NOW, ...fields } = {}) {
  const state = createState({ token: TOKEN, ...saved });
  signIn(state, { user, now });
  const entered = dispatch(state, { type: Event.ENTER, room: ROOM }, now);
  const boundary = seq ?? (messages.length ? messages[messages.length - 1].seq : 0);
  const effects = answerJoin(state, entered, { messages, seq: boundary, ...fields }, now);
  return { state, effects };
}

/** The socket dropped and came back: CLOSED, OPENED, hello → welcome. Returns the effects after the drop. */
export function reconnect(state, now = NOW) {
  const closed = dispatch(state, { type: Event.CLOSED }, now);
  const back = signIn(state, { user: state.user, rooms: state.rooms, now });
  return { closed, ...back };
}

/** The person writes a message. */
export function compose(state, clientId, body = `text of ${clientId}`, now = NOW, extra = {}) {
  return dispatch(state, { type: Event.COMPOSE, clientId, body, ...extra }, now);
}

/** The `send` frame carrying `clientId` among `effects`, or undefined. */
export function sendOf(effects, clientId) {
  return sentOf(effects, "send").find((frame) => frame.client_id === clientId);
}

/** An `error` frame answering `request`. */
export function errorFor(request, code, message = `refused: ${code}`, extra = {}) {
  return { type: "error", code, message, ref: request.ref, ...extra };
}

/** The `ack` of a `send` frame, as message `seq`. */
export function ackFor(request, seq) {
  return {
    type: "ack",
    room: request.room,
    client_id: request.client_id,
    id: `m_${seq}`,
    seq,
    ts: "2026-11-24T02:11:00.000Z",
    ref: request.ref,
  };
}

export function seqs(messages) {
  return messages.map((message) => message.seq);
}
