// The page's state and its rules: `dispatch(state, event)` updates `state` and returns the effects the page
// carries out (send, save, announce, stop). No DOM, socket or timers here: `node --test` checks the rules.

import { ErrorCode, Frame, Moderation, Request, Role, isStaff, parseTime, request } from "./protocol.js";

/** Where a room stands for this page. */
export const Phase = Object.freeze({
  JOINING: "joining",
  WAITING: "waiting",
  JOINED: "joined",
  DENIED: "denied",
  REFUSED: "refused",
  REMOVED: "removed",
  ENDED: "ended",
});

/** The state of one of the person's own messages. */
export const SendStatus = Object.freeze({
  /** Waiting for the connection, the resume, or a retry time. */
  QUEUED: "queued",
  /** Sent; no ack yet. */
  SENDING: "sending",
  /** Refused for a reason that may pass (muted, paused, closed): the person may retry. */
  FAILED: "failed",
  /** Refused as invalid (too large, empty): never sent again. */
  INVALID: "invalid",
});

/** Kinds of event the reducer takes. */
export const Event = Object.freeze({
  CONNECTING: "connecting",
  OPENED: "opened",
  CLOSED: "closed",
  FRAME: "frame",
  ENTER: "enter",
  EXIT_ROOM: "exit_room",
  COMPOSE: "compose",
  RETRY: "retry",
  DISCARD: "discard",
  AGREE: "agree",
  CHECKIN: "checkin",
  SKIP_CHECKIN: "skip_checkin",
  HAND: "hand",
  PASS: "pass",
  REPORT: "report",
  LOAD_EARLIER: "load_earlier",
  DISMISS_SUPPORT: "dismiss_support",
  TICK: "tick",
});

/** Kinds of effect the page carries out. */
export const Effect = Object.freeze({
  SEND: "send",
  SAVE: "save",
  ANNOUNCE: "announce",
  STOP: "stop",
  RECONNECT: "reconnect",
  TOAST: "toast",
  /** The server's refusal of a send, in its words, shown beside the composer. */
  NOTE: "note",
});

/** Seconds to wait before resending after `internal`, and how often. */
const INTERNAL_RETRY_MS = 2000;
const INTERNAL_RETRIES = 3;
/** Messages asked for per "Load earlier messages". */
export const EARLIER_PAGE = 100;

/**
 * A fresh state.
 * @param saved what sessionStorage kept across a reload: `{token, outbox, roomId, checkinOffered}`
 */
export function createState(saved = {}) {
  return {
    token: saved.token ?? null,
    connection: "idle",
    signedIn: false,
    /** From the last `welcome`, kept across a reload to show where the person was while offline. */
    user: saved.user ?? null,
    rooms: Array.isArray(saved.rooms) ? saved.rooms : [],
    /** The server's words when it refused the token (`unauthorized`): the page stops and shows them. */
    fatal: null,
    /** The room the person is in, waiting for, or was turned away from; null on the sessions list. */
    room: saved.roomId ? newRoom(saved.roomId) : null,
    /** The person's own messages not yet acknowledged, oldest first, kept across reloads. */
    outbox: Array.isArray(saved.outbox) ? saved.outbox.map(restoredItem) : [],
    /** Rooms whose check-in was offered (sent or skipped): it is offered once per session. */
    checkinOffered: new Set(saved.checkinOffered ?? []),
    /** Requests awaiting their reply, by `ref`. */
    pending: new Map(),
    nextRef: 1,
    /** Bumped on every change the views should draw. */
    version: 0,
  };
}

/** An outbox entry after a reload: what was in flight is queued again (its ack may be lost). */
function restoredItem(item) {
  const keep = item.status === SendStatus.FAILED || item.status === SendStatus.INVALID;
  return { ...item, status: keep ? item.status : SendStatus.QUEUED, ref: undefined, retryAt: undefined };
}

function newRoom(id) {
  return {
    id,
    phase: Phase.JOINING,
    /** The `after_seq` of the pending join (also what an admission from the waiting room answers). */
    joinAfter: undefined,
    /** Had a `joined`: a rejoin resumes with `after_seq`. */
    hasSnapshot: false,
    messages: new Map(),
    /** Highest seq up to which every message is held (PROTOCOL.md 11). */
    have: 0,
    resuming: false,
    /** Older messages exist on the server below `pageOldest`. */
    moreBefore: false,
    /** Oldest seq of the pages read back from the latest; "Load earlier" continues from here. */
    pageOldest: null,
    loadingEarlier: false,
    members: [],
    paused: false,
    agreement: null,
    notice: null,
    controls: {},
    support: null,
    /** Why the person is not in the room, in the server's or counselor's words. */
    message: null,
    checkin: "none",
  };
}

/** Applies one event; returns the effects to carry out, in order. */
export function dispatch(state, event, now = Date.now()) {
  const effects = [];
  const handler = handlers[event.type];
  if (handler) handler(state, event, effects, now);
  state.version += 1;
  return effects;
}

// MARK: requests

function send(state, effects, type, fields, pending) {
  const ref = `r${state.nextRef++}`;
  if (pending) state.pending.set(ref, pending);
  effects.push({ type: Effect.SEND, frame: request(type, fields, ref) });
  return ref;
}

function save(effects) {
  if (!effects.some((effect) => effect.type === Effect.SAVE)) effects.push({ type: Effect.SAVE });
}

/** The current room when it is `id`. */
function roomOf(state, id) {
  return state.room && state.room.id === id ? state.room : null;
}

function canTalk(state) {
  return state.connection === "online" && state.signedIn;
}

/** Joins (or rejoins, resuming after `have`) the current room. */
function joinRoom(state, effects) {
  const room = state.room;
  if (!room || !canTalk(state)) return;
  if (![Phase.JOINING, Phase.JOINED, Phase.WAITING].includes(room.phase)) return;
  const after = room.hasSnapshot ? room.have : undefined;
  room.joinAfter = after;
  room.resuming = after !== undefined;
  if (room.phase !== Phase.WAITING) room.phase = Phase.JOINING;
  send(state, effects, Request.JOIN, { room: room.id, after_seq: after }, { kind: "join", room: room.id, after });
}

/** Sends every queued message of the current room whose time has come, once the room is joined and resumed. */
function flushOutbox(state, effects, now) {
  const room = state.room;
  if (!room || !canTalk(state) || room.phase !== Phase.JOINED || room.resuming) return;
  // Messages go out in the order they were written: one waiting for its retry time holds back the later ones of
  // its channel (the room, or private questions to staff, which slow mode and mutes do not hold).
  const held = new Set();
  for (const item of state.outbox) {
    if (item.room !== room.id || item.status !== SendStatus.QUEUED) continue;
    const channel = item.to ?? "room";
    if (held.has(channel)) continue;
    if (item.retryAt && item.retryAt > now) {
      held.add(channel);
      continue;
    }
    // Already stored (its ack was lost): the resume pages brought it back.
    if (findOwnMessage(state, room, item.clientId)) {
      removeOutbox(state, item.clientId, effects);
      continue;
    }
    item.status = SendStatus.SENDING;
    item.retryAt = undefined;
    item.note = undefined;
    item.ref = send(state, effects, Request.SEND, { room: item.room, body: item.body, client_id: item.clientId, to: item.to }, { kind: "send", clientId: item.clientId });
  }
}

function findOwnMessage(state, room, clientId) {
  for (const message of room.messages.values()) {
    if (message.client_id === clientId && message.from?.id === state.user?.id) return message;
  }
  return null;
}

function removeOutbox(state, clientId, effects) {
  const index = state.outbox.findIndex((item) => item.clientId === clientId);
  if (index >= 0) {
    state.outbox.splice(index, 1);
    save(effects);
  }
}

function mergeMessages(room, messages) {
  if (!Array.isArray(messages)) return;
  for (const message of messages) {
    if (message && typeof message.seq === "number" && message.room === room.id) room.messages.set(message.seq, message);
  }
}

function firstSeq(messages) {
  return Array.isArray(messages) && messages.length > 0 && typeof messages[0].seq === "number" ? messages[0].seq : null;
}

function oldestSeq(room) {
  let oldest = Infinity;
  for (const seq of room.messages.keys()) if (seq < oldest) oldest = seq;
  return oldest === Infinity ? null : oldest;
}

/** Asks for one message again (after `unhide` or `pin` of a message this page does not hold in full). */
function refetch(state, effects, room, seq) {
  send(state, effects, Request.HISTORY, { room: room.id, before_seq: seq + 1, limit: 1 }, { kind: "refetch", room: room.id });
}

// MARK: handlers

const handlers = {
  [Event.CONNECTING](state) {
    if (state.connection !== "stopped") state.connection = "connecting";
  },

  [Event.OPENED](state, event, effects) {
    state.connection = "online";
    state.signedIn = false;
    state.pending.clear();
    if (state.token) send(state, effects, Request.HELLO, { token: state.token }, { kind: "hello" });
  },

  [Event.CLOSED](state, event, effects) {
    state.signedIn = false;
    state.pending.clear();
    if (event.unauthorized || state.fatal) {
      state.connection = "stopped";
      state.token = null;
      if (!state.fatal) state.fatal = "Your link was not accepted.";
      // Nothing is saved after this: STOP clears the tab's storage, and what the person saw must not come back.
      effects.push({ type: Effect.STOP });
      return;
    }
    state.connection = "reconnecting";
    for (const item of state.outbox) if (item.status === SendStatus.SENDING) item.status = SendStatus.QUEUED;
    if (state.room) state.room.loadingEarlier = false;
  },

  [Event.FRAME](state, event, effects, now) {
    const frame = event.frame;
    const context = typeof frame.ref === "string" ? state.pending.get(frame.ref) : undefined;
    if (context) state.pending.delete(frame.ref);
    const handler = frameHandlers[frame.type];
    if (handler) handler(state, frame, context, effects, now);
  },

  /** The person chose a session on the list. */
  [Event.ENTER](state, event, effects) {
    if (state.room && state.room.id !== event.room) leaveCurrent(state, effects);
    if (!state.room) state.room = newRoom(event.room);
    else if (![Phase.JOINED, Phase.WAITING, Phase.JOINING].includes(state.room.phase)) state.room = newRoom(event.room);
    save(effects);
    joinRoom(state, effects);
  },

  /** Back to the sessions list: leaves the room (or its waiting room). */
  [Event.EXIT_ROOM](state, event, effects) {
    leaveCurrent(state, effects);
    save(effects);
  },

  [Event.COMPOSE](state, event, effects, now) {
    const room = state.room;
    if (!room) return;
    state.outbox.push({
      clientId: event.clientId,
      room: room.id,
      body: event.body,
      to: event.to,
      status: SendStatus.QUEUED,
      createdAt: now,
    });
    save(effects);
    flushOutbox(state, effects, now);
  },

  [Event.RETRY](state, event, effects, now) {
    const item = state.outbox.find((entry) => entry.clientId === event.clientId);
    if (!item || item.status === SendStatus.INVALID) return;
    item.status = SendStatus.QUEUED;
    item.retryAt = undefined;
    item.attempts = 0;
    item.note = undefined;
    save(effects);
    flushOutbox(state, effects, now);
  },

  [Event.DISCARD](state, event, effects) {
    removeOutbox(state, event.clientId, effects);
  },

  [Event.AGREE](state, event, effects) {
    const room = state.room;
    if (!room || !canTalk(state)) return;
    send(state, effects, Request.AGREE, { room: room.id }, { kind: "agree", room: room.id });
  },

  /** `support`: the crisis resources to show once the server has the check-in, when it says "not safe". */
  [Event.CHECKIN](state, event, effects) {
    const room = state.room;
    if (!room) return;
    if (!canTalk(state)) {
      effects.push({ type: Effect.TOAST, text: "You are offline: your check-in was not sent. Try again when you are back online.", error: true });
      return;
    }
    room.checkin = "sending";
    send(state, effects, Request.CHECKIN, { room: room.id, mood: event.mood, craving: event.craving, safe: event.safe },
      { kind: "checkin", room: room.id, support: event.safe === false ? event.support : undefined });
  },

  [Event.SKIP_CHECKIN](state, event, effects) {
    const room = state.room;
    if (!room) return;
    room.checkin = "skipped";
    state.checkinOffered.add(room.id);
    save(effects);
  },

  [Event.HAND](state, event, effects) {
    const room = state.room;
    if (!room || !canTalk(state) || room.phase !== Phase.JOINED) return;
    send(state, effects, Request.HAND, { room: room.id, raised: event.raised }, { kind: "hand", room: room.id, raised: event.raised });
  },

  [Event.PASS](state, event, effects) {
    const room = state.room;
    if (!room || !canTalk(state) || room.phase !== Phase.JOINED) return;
    send(state, effects, Request.PASS, { room: room.id }, { kind: "pass", room: room.id });
  },

  [Event.REPORT](state, event, effects) {
    const room = state.room;
    if (!room || !canTalk(state) || room.phase !== Phase.JOINED) {
      effects.push({ type: Effect.TOAST, text: "You are offline: the report was not sent. Try again when you are back online.", error: true });
      return;
    }
    send(state, effects, Request.REPORT, { room: room.id, seq: event.seq, reason: event.reason }, { kind: "report", room: room.id });
  },

  [Event.LOAD_EARLIER](state, event, effects) {
    const room = state.room;
    // One page at a time: not while a resume page is outstanding either (PROTOCOL.md section 11).
    if (!room || !canTalk(state) || room.phase !== Phase.JOINED || room.resuming || room.loadingEarlier || !room.moreBefore) return;
    const oldest = room.pageOldest;
    if (oldest === null) return;
    room.loadingEarlier = true;
    send(state, effects, Request.HISTORY, { room: room.id, before_seq: oldest, limit: EARLIER_PAGE }, { kind: "history", room: room.id });
  },

  [Event.DISMISS_SUPPORT](state) {
    if (state.room) state.room.support = null;
  },

  /** Once a second: sends what a rate limit or a failed commit held back. */
  [Event.TICK](state, event, effects, now) {
    const room = state.room;
    if (room?.rejoinAt && room.rejoinAt <= now && canTalk(state)) {
      room.rejoinAt = undefined;
      joinRoom(state, effects);
    }
    flushOutbox(state, effects, now);
  },
};

function leaveCurrent(state, effects) {
  const room = state.room;
  if (!room) return;
  if (canTalk(state) && [Phase.JOINED, Phase.WAITING, Phase.JOINING].includes(room.phase)) {
    send(state, effects, Request.LEAVE, { room: room.id });
  }
  state.room = null;
}

// MARK: frames

const frameHandlers = {
  [Frame.WELCOME](state, frame, context, effects) {
    state.signedIn = true;
    state.fatal = null;
    state.user = frame.user ?? null;
    state.rooms = Array.isArray(frame.rooms) ? frame.rooms.slice().sort((a, b) => String(a.starts).localeCompare(String(b.starts))) : [];
    // A single-use invitation is spent: reconnect with the session token from now on.
    if (typeof frame.session_token === "string" && frame.session_token) state.token = frame.session_token;
    save(effects);
    joinRoom(state, effects);
  },

  [Frame.WAITING](state, frame) {
    const room = roomOf(state, frame.room);
    if (!room) return;
    room.phase = Phase.WAITING;
  },

  [Frame.JOINED](state, frame, context, effects, now) {
    const room = roomOf(state, frame.room);
    if (!room) return;
    // A `joined` without ref follows an admission from the waiting room, with the after_seq the join asked for.
    const after = context ? context.after : room.joinAfter;
    const firstSnapshot = !room.hasSnapshot;
    room.phase = frame.controls?.ended ? Phase.ENDED : Phase.JOINED;
    room.hasSnapshot = true;
    room.members = Array.isArray(frame.members) ? frame.members : [];
    room.paused = frame.paused === true;
    room.agreement = frame.agreement?.text ?? null;
    room.notice = typeof frame.notice === "string" ? frame.notice : null;
    room.controls = frame.controls ?? {};
    mergeMessages(room, frame.messages);
    for (const pinned of Array.isArray(frame.pinned) ? frame.pinned : []) {
      if (!room.messages.has(pinned.seq)) room.messages.set(pinned.seq, pinned);
      else room.messages.get(pinned.seq).pinned = true;
    }
    const boundary = typeof frame.seq === "number" ? frame.seq : 0;
    if (after === undefined) {
      room.resuming = false;
      room.have = boundary;
      room.moreBefore = frame.more === true;
      room.pageOldest = firstSeq(frame.messages) ?? room.pageOldest;
    } else if (frame.more === true && Array.isArray(frame.messages) && frame.messages.length > 0) {
      // A resume page: ask for the next one, one at a time.
      room.have = frame.messages[frame.messages.length - 1].seq;
      room.resuming = true;
      room.joinAfter = room.have;
      send(state, effects, Request.JOIN, { room: room.id, after_seq: room.have }, { kind: "join", room: room.id, after: room.have });
      return;
    } else {
      room.resuming = false;
      room.have = Math.max(boundary, room.have);
      if (firstSnapshot) {
        room.pageOldest = oldestSeq(room);
        room.moreBefore = room.have > 0 && room.pageOldest !== 1;
      }
    }
    if (firstSnapshot && state.user?.role === Role.PARTICIPANT && !state.checkinOffered.has(room.id)) room.checkin = "offered";
    flushOutbox(state, effects, now);
  },

  [Frame.MESSAGE](state, frame, context, effects) {
    const room = state.room;
    if (!room || room.id !== frame.room || typeof frame.seq !== "number") return;
    const { type, ...message } = frame;
    const known = room.messages.has(message.seq);
    room.messages.set(message.seq, message);
    if (!room.resuming) room.have = Math.max(room.have, message.seq);
    const mine = message.from?.id === state.user?.id;
    if (mine) {
      if (state.outbox.some((item) => item.clientId === message.client_id)) removeOutbox(state, message.client_id, effects);
    } else if (!known) {
      effects.push({ type: Effect.ANNOUNCE, text: announcement(message) });
    }
  },

  [Frame.ACK](state, frame, context, effects) {
    const item = state.outbox.find((entry) => entry.clientId === frame.client_id && entry.room === frame.room);
    const room = state.room;
    if (item && room && room.id === frame.room && typeof frame.seq === "number" && !room.messages.has(frame.seq)) {
      // The `message` frame follows, unless the client_id was a repeat: then this is the only copy.
      room.messages.set(frame.seq, {
        room: frame.room, seq: frame.seq, id: frame.id, ts: frame.ts, from: state.user, body: item.body,
        client_id: item.clientId, ...(item.to === "staff" ? { kind: "private" } : {}),
      });
    }
    if (item) {
      if (item.to === "staff") effects.push({ type: Effect.TOAST, text: "Sent privately to the counselor." });
      removeOutbox(state, item.clientId, effects);
    }
  },

  [Frame.HISTORY](state, frame, context) {
    const room = roomOf(state, frame.room);
    if (!room) return;
    mergeMessages(room, frame.messages);
    if (context?.kind === "history") {
      room.loadingEarlier = false;
      room.moreBefore = frame.more === true;
      const first = firstSeq(frame.messages);
      if (first !== null && (room.pageOldest === null || first < room.pageOldest)) room.pageOldest = first;
    }
  },

  [Frame.PRESENCE](state, frame) {
    const room = state.room;
    if (!room || room.id !== frame.room || !frame.member) return;
    room.members = room.members.filter((member) => member.id !== frame.member.id);
    if (frame.state === "joined") {
      room.members.push(frame.member);
      room.members.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    }
  },

  [Frame.ROOM_STATE](state, frame) {
    const room = roomOf(state, frame.room);
    if (!room) return;
    room.paused = frame.paused === true;
  },

  [Frame.DENIED](state, frame, context, effects) {
    const room = roomOf(state, frame.room);
    if (!room) return;
    room.phase = Phase.DENIED;
    room.message = typeof frame.message === "string" ? frame.message : "The counselor did not admit you to this session.";
    dropOutbox(state, room.id, effects);
  },

  [Frame.ENDED](state, frame, context, effects) {
    const room = roomOf(state, frame.room);
    if (!room) return;
    room.phase = Phase.ENDED;
    room.controls = { ...room.controls, ended: true, round: undefined };
    failOutbox(state, room.id, "The session has ended, so this was not sent.", effects);
  },

  [Frame.SUPPORT](state, frame, context, effects) {
    const room = roomOf(state, frame.room);
    if (!room || typeof frame.text !== "string") return;
    room.support = frame.text;
    effects.push({ type: Effect.ANNOUNCE, text: frame.text });
  },

  [Frame.MODERATION](state, frame, context, effects) {
    const room = roomOf(state, frame.room);
    if (!room) return;
    moderated(state, room, frame, effects);
  },

  [Frame.OK](state, frame, context, effects) {
    if (!context) return;
    const room = state.room;
    switch (context.kind) {
      case "agree":
        if (room && room.id === context.room) room.agreement = null;
        break;
      case "checkin":
        if (room && room.id === context.room) {
          room.checkin = "sent";
          if (context.support) {
            room.support = context.support;
            effects.push({ type: Effect.ANNOUNCE, text: context.support });
          }
        }
        state.checkinOffered.add(context.room);
        save(effects);
        effects.push({ type: Effect.TOAST, text: "Thank you. Your check-in went to your counselor only." });
        break;
      case "hand":
        if (room && room.id === context.room) room.controls = { ...room.controls, hand_raised: context.raised };
        break;
      case "report":
        effects.push({ type: Effect.TOAST, text: "Thank you. A counselor will look at the message you reported." });
        break;
      default:
        break;
    }
  },

  [Frame.ERROR](state, frame, context, effects, now) {
    const message = typeof frame.message === "string" ? frame.message : "The server refused that.";
    if (frame.code === ErrorCode.UNAUTHORIZED) {
      // Followed by close 4001: never retried with this token.
      state.fatal = message;
      return;
    }
    if (!context) return;
    const room = state.room;
    switch (context.kind) {
      case "hello":
        // `internal`: the server could not check the token; try again through a reconnect with backoff.
        effects.push({ type: Effect.TOAST, text: message, error: true });
        effects.push({ type: Effect.RECONNECT });
        break;
      case "join":
        if (!room || room.id !== context.room) break;
        if (frame.code === ErrorCode.INTERNAL || frame.code === ErrorCode.RATE_LIMITED) {
          // The server could not load the room, or asks to wait: ask again then rather than stay half-joined.
          effects.push({ type: Effect.TOAST, text: message, error: true });
          room.rejoinAt = now + (Number.isFinite(frame.retry_after) ? frame.retry_after * 1000 : INTERNAL_RETRY_MS);
          break;
        }
        room.phase = frame.code === ErrorCode.ENDED ? Phase.ENDED : frame.code === ErrorCode.REMOVED || frame.code === ErrorCode.BANNED ? Phase.REMOVED : Phase.REFUSED;
        room.message = message;
        room.resuming = false;
        break;
      case "send":
        sendRefused(state, context.clientId, frame, message, effects, now);
        break;
      case "history":
        if (room && room.id === context.room) room.loadingEarlier = false;
        effects.push({ type: Effect.TOAST, text: message, error: true });
        break;
      case "checkin":
        if (room && room.id === context.room) room.checkin = "offered";
        effects.push({ type: Effect.TOAST, text: message, error: true });
        break;
      case "agree":
      case "hand":
      case "pass":
      case "report":
        effects.push({ type: Effect.TOAST, text: message, error: true });
        break;
      default:
        break;
    }
  },
};

/** What a refused send becomes: retried by itself, retried by the person, or never. */
function sendRefused(state, clientId, frame, message, effects, now) {
  const item = state.outbox.find((entry) => entry.clientId === clientId);
  if (!item) return;
  item.ref = undefined;
  effects.push({ type: Effect.NOTE, text: message });
  switch (frame.code) {
    case ErrorCode.RATE_LIMITED: {
      const seconds = Number.isFinite(frame.retry_after) ? Math.max(1, frame.retry_after) : 1;
      item.status = SendStatus.QUEUED;
      item.retryAt = now + seconds * 1000;
      item.note = message;
      if (state.room && state.room.id === item.room) state.room.slowUntil = item.retryAt;
      break;
    }
    case ErrorCode.INTERNAL:
      item.attempts = (item.attempts ?? 0) + 1;
      if (item.attempts < INTERNAL_RETRIES) {
        item.status = SendStatus.QUEUED;
        item.retryAt = now + INTERNAL_RETRY_MS * item.attempts;
        item.note = message;
      } else {
        item.status = SendStatus.FAILED;
        item.note = message;
      }
      break;
    case ErrorCode.TOO_LARGE:
    case ErrorCode.BAD_REQUEST:
      item.status = SendStatus.INVALID;
      item.note = message;
      break;
    default:
      item.status = SendStatus.FAILED;
      item.note = message;
      if (frame.code === ErrorCode.AGREEMENT_REQUIRED && state.room && !state.room.agreement) state.room.agreement = "";
      if (frame.code === ErrorCode.NO_STAFF && state.room) state.room.paused = true;
      if (frame.code === ErrorCode.MUTED && state.room) state.room.controls = { ...state.room.controls, muted: true };
      if (frame.code === ErrorCode.ENDED && state.room) state.room.phase = Phase.ENDED;
      break;
  }
  save(effects);
}

function failOutbox(state, roomId, note, effects) {
  for (const item of state.outbox) {
    if (item.room === roomId && item.status !== SendStatus.INVALID) {
      item.status = SendStatus.FAILED;
      item.note = note;
    }
  }
  save(effects);
}

function dropOutbox(state, roomId, effects) {
  failOutbox(state, roomId, "You were not in the session, so this was not sent.", effects);
}

function moderated(state, room, frame, effects) {
  const me = state.user?.id;
  const aboutMe = frame.target?.id === me;
  const message = typeof frame.seq === "number" ? room.messages.get(frame.seq) : undefined;
  switch (frame.action) {
    case Moderation.MUTE:
      if (aboutMe) room.controls = { ...room.controls, muted: true, muted_until: frame.until };
      break;
    case Moderation.UNMUTE:
      if (aboutMe) room.controls = { ...room.controls, muted: false, muted_until: undefined };
      break;
    case Moderation.REMOVE:
    case Moderation.BAN:
      if (aboutMe) {
        room.phase = Phase.REMOVED;
        room.message = frame.action === Moderation.BAN
          ? "A counselor has removed you from this group's sessions. Please talk with your counselor."
          : "A counselor has removed you from this session. Please talk with your counselor.";
        failOutbox(state, room.id, "You were removed from the session, so this was not sent.", effects);
      }
      break;
    case Moderation.HIDE:
      if (message) room.messages.set(frame.seq, { ...message, hidden: true, body: isStaff(state.user?.role) ? message.body : "" });
      break;
    case Moderation.UNHIDE:
      if (message && message.body) room.messages.set(frame.seq, { ...message, hidden: false });
      else refetch(state, effects, room, frame.seq);
      break;
    case Moderation.PIN:
      if (message && (message.body || message.hidden)) room.messages.set(frame.seq, { ...message, pinned: true });
      else refetch(state, effects, room, frame.seq);
      break;
    case Moderation.UNPIN:
      if (message) room.messages.set(frame.seq, { ...message, pinned: false });
      break;
    case Moderation.RELEASE:
      if (message) room.messages.set(frame.seq, { ...message, held: false });
      break;
    case Moderation.LOCK:
      room.controls = { ...room.controls, locked: true };
      break;
    case Moderation.UNLOCK:
      room.controls = { ...room.controls, locked: false };
      break;
    case Moderation.SLOW:
      room.controls = { ...room.controls, slow_seconds: Number.isFinite(frame.seconds) ? frame.seconds : 0 };
      break;
    case Moderation.REVIEW:
      room.controls = { ...room.controls, review: frame.on === true };
      break;
    case Moderation.LOWER_HAND:
      if (aboutMe) room.controls = { ...room.controls, hand_raised: false };
      break;
    case Moderation.ROUND_START:
    case Moderation.PASS:
      room.controls = { ...room.controls, round: frame.round ?? undefined };
      if (frame.round?.speaker?.id === me) effects.push({ type: Effect.ANNOUNCE, text: "It is your turn in the check-in round." });
      break;
    case Moderation.ROUND_END:
      room.controls = { ...room.controls, round: undefined };
      break;
    default:
      break;
  }
}

function announcement(message) {
  const name = message.from?.name ?? "Someone";
  if (message.hidden) return `${name}: a message hidden by a counselor.`;
  if (message.kind === "announcement") return `Announcement from ${name}: ${message.body}`;
  if (message.kind === "whisper") return `Private message from ${name}: ${message.body}`;
  return `${name}: ${message.body}`;
}

// MARK: what the views read

/** The room's messages to show, oldest first: those held in full, in seq order. */
export function orderedMessages(room) {
  return Array.from(room.messages.values()).sort((a, b) => a.seq - b.seq);
}

/** The pinned messages, oldest first. */
export function pinnedMessages(room) {
  return orderedMessages(room).filter((message) => message.pinned);
}

/** The person's own messages in the room still waiting for an ack, oldest first. */
export function unsentMessages(state, roomId) {
  return state.outbox.filter((item) => item.room === roomId);
}

/** What stops the person from writing to the room right now, as a short reason, or null. */
export function composerBlock(state, now = Date.now()) {
  const room = state.room;
  if (!room) return "Choose a session first.";
  if (room.phase === Phase.ENDED || room.controls.ended) return "This session has ended.";
  // Offline after a reload the person may write: it is sent once the room is joined again.
  if (room.phase !== Phase.JOINED && !room.hasSnapshot && state.connection === "online") return "Joining the session\u2026";
  if (room.agreement !== null && !isStaff(state.user?.role)) return "Please read and accept the group agreement first.";
  const summary = state.rooms.find((entry) => entry.id === room.id);
  const closes = summary ? parseTime(summary.closes) : null;
  if (closes && now >= closes.getTime()) return "This session's chat has closed.";
  if (room.controls.muted) return "A counselor has muted you.";
  if (room.paused && !isStaff(state.user?.role)) return "The session starts when a counselor joins.";
  return null;
}

/** Whether the person's last activity is old enough to sign them out (HIPAA automatic logoff). */
export function shouldLogOff({ now, lastActivity, minutes, inOpenSession }) {
  if (inOpenSession) return false;
  return now - lastActivity >= minutes * 60_000;
}

/** Whether the person is in (or waiting for) a room whose chat window is open now. */
export function inOpenSession(state, now = Date.now()) {
  const room = state.room;
  if (!room || ![Phase.JOINED, Phase.WAITING, Phase.JOINING].includes(room.phase)) return false;
  const summary = state.rooms.find((entry) => entry.id === room.id);
  const closes = summary ? parseTime(summary.closes) : null;
  return closes ? now < closes.getTime() : true;
}

/** What the reducer keeps across a reload (sessionStorage). */
export function savedState(state) {
  return {
    token: state.token,
    user: state.user,
    rooms: state.rooms,
    roomId: state.room && [Phase.JOINED, Phase.WAITING, Phase.JOINING].includes(state.room.phase) ? state.room.id : null,
    outbox: state.outbox.map(({ clientId, room, body, to, status, note, createdAt }) => ({ clientId, room, body, to, status, note, createdAt })),
    checkinOffered: Array.from(state.checkinOffered),
  };
}
