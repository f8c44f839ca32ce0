// The page's rules (Web/store.js), checked against the wire protocol (docs/PROTOCOL.md sections 3, 4, 8.5, 10,
// 11): what is sent when, what a person sees, and that nothing they wrote is lost, doubled or resent wrongly.

import { test, describe } from "node:test";
import assert from "node:assert/strict";

import {
  Effect,
  Event,
  Phase,
  SendStatus,
  composerBlock,
  createState,
  dispatch,
  inOpenSession,
  orderedMessages,
  savedState,
  shouldLogOff,
  unsentMessages,
} from "../../Web/store.js";
import {
  ALEX,
  CLOSES,
  DANA,
  MARIA,
  NOW,
  OTHER_ROOM,
  ROOM,
  SAM,
  SUMMARY,
  TOKEN,
  ackFor,
  announcements,
  answerJoin,
  compose,
  deliver,
  errorFor,
  hasEffect,
  inRoom,
  joinedFrame,
  live,
  msg,
  reconnect,
  sendOf,
  sent,
  sentOf,
  seqs,
  signIn,
} from "./fixtures.mjs";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** The one outbox entry with `clientId`. */
function outboxItem(state, clientId) {
  return state.outbox.find((item) => item.clientId === clientId);
}

/** Writes a message inside the room and returns the `send` frame it produced. */
function sendNow(state, clientId, now = NOW) {
  const frame = sendOf(compose(state, clientId, undefined, now), clientId);
  assert.ok(frame, `composing ${clientId} in a joined room sends it`);
  return frame;
}

/** Ticks once a second from `from` to `to` (inclusive) and returns every effect. */
function tickThrough(state, from, to, step = SECOND) {
  const effects = [];
  for (let at = from; at <= to; at += step) effects.push(...dispatch(state, { type: Event.TICK }, at));
  return effects;
}

// MARK: signing in

describe("signing in", () => {
  test("OPENED sends hello with the token", () => {
    const state = createState({ token: TOKEN });
    const effects = dispatch(state, { type: Event.OPENED }, NOW);
    const hellos = sentOf(effects, "hello");
    assert.equal(hellos.length, 1);
    assert.equal(hellos[0].token, TOKEN);
    assert.equal(typeof hellos[0].ref, "string", "hello carries a ref so its reply can be matched");
    assert.equal(sent(effects).length, 1, "nothing but hello before welcome");
  });

  test("OPENED without a token sends nothing", () => {
    const state = createState({});
    assert.deepEqual(sent(dispatch(state, { type: Event.OPENED }, NOW)), []);
  });

  test("welcome signs in and lists the rooms by start", () => {
    const state = createState({ token: TOKEN });
    const later = { ...SUMMARY, id: OTHER_ROOM, starts: "2026-11-24T18:00:00-08:00" };
    signIn(state, { rooms: [later, SUMMARY] });
    assert.equal(state.signedIn, true);
    assert.deepEqual(state.user, ALEX);
    assert.deepEqual(state.rooms.map((room) => room.id), [ROOM, OTHER_ROOM]);
  });

  test("welcome with session_token replaces the invitation token and saves it", () => {
    const state = createState({ token: "hth_single_use_invitation" });
    const { welcomed } = signIn(state, { user: MARIA, sessionToken: "hth_session" });
    assert.equal(state.token, "hth_session");
    assert.ok(hasEffect(welcomed, Effect.SAVE), "the new token is saved at once");
    assert.equal(savedState(state).token, "hth_session");
    // The next connection says hello with the session token, never the spent invitation.
    dispatch(state, { type: Event.CLOSED }, NOW);
    const hello = sentOf(dispatch(state, { type: Event.OPENED }, NOW), "hello")[0];
    assert.equal(hello.token, "hth_session");
  });

  test("welcome without session_token keeps the token, and the page keeps who and where for a reload", () => {
    const state = createState({ token: TOKEN });
    const { welcomed } = signIn(state);
    assert.equal(state.token, TOKEN);
    assert.ok(hasEffect(welcomed, Effect.SAVE));
    const restored = createState(JSON.parse(JSON.stringify(savedState(state))));
    assert.equal(restored.token, TOKEN);
    assert.deepEqual(restored.user, state.user);
    assert.deepEqual(restored.rooms, state.rooms);
    assert.equal(restored.signedIn, false, "a reload says hello again before anything is sent");
  });

  test("hello refused with internal asks for a reconnect", () => {
    const state = createState({ token: TOKEN });
    const hello = sentOf(dispatch(state, { type: Event.OPENED }, NOW), "hello")[0];
    const effects = deliver(state, errorFor(hello, "internal", "The server could not check your token. Try again."));
    assert.ok(hasEffect(effects, Effect.RECONNECT));
    assert.ok(!hasEffect(effects, Effect.STOP));
    assert.equal(state.signedIn, false);
  });
});

// MARK: unauthorized and dropped connections

describe("connection loss", () => {
  test("unauthorized then close 4001: the server's words are kept, the page stops and forgets the token", () => {
    const { state } = inRoom();
    const words = "This invitation has already been used. Ask your counselor for a new one.";
    deliver(state, { type: "error", code: "unauthorized", message: words, ref: "h1" });
    const effects = dispatch(state, { type: Event.CLOSED, unauthorized: true }, NOW);
    assert.equal(state.fatal, words);
    assert.ok(hasEffect(effects, Effect.STOP));
    assert.ok(!hasEffect(effects, Effect.SAVE), "nothing is written back after STOP cleared the storage");
    assert.equal(state.token, null);
    assert.equal(savedState(state).token, null);
    assert.equal(state.connection, "stopped");
    // Nothing is ever sent with the refused token again.
    assert.deepEqual(sentOf(dispatch(state, { type: Event.OPENED }, NOW), "hello"), []);
  });

  test("close 4001 without an error frame still stops with a message", () => {
    const state = createState({ token: TOKEN });
    dispatch(state, { type: Event.OPENED }, NOW);
    const effects = dispatch(state, { type: Event.CLOSED, unauthorized: true }, NOW);
    assert.ok(hasEffect(effects, Effect.STOP));
    assert.equal(typeof state.fatal, "string");
    assert.ok(state.fatal.length > 0);
    assert.equal(state.token, null);
  });

  test("an ordinary close means reconnecting; messages in flight go back to the queue", () => {
    const { state } = inRoom();
    sendNow(state, "c-1");
    assert.equal(outboxItem(state, "c-1").status, SendStatus.SENDING);
    const effects = dispatch(state, { type: Event.CLOSED }, NOW);
    assert.ok(!hasEffect(effects, Effect.STOP));
    assert.equal(state.connection, "reconnecting");
    assert.equal(state.token, TOKEN);
    assert.equal(state.fatal, null);
    assert.equal(outboxItem(state, "c-1").status, SendStatus.QUEUED);
  });
});

// MARK: joining

describe("joining a room", () => {
  test("ENTER sends join without after_seq the first time", () => {
    const state = createState({ token: TOKEN });
    signIn(state);
    const effects = dispatch(state, { type: Event.ENTER, room: ROOM }, NOW);
    const joins = sentOf(effects, "join");
    assert.equal(joins.length, 1);
    assert.equal(joins[0].room, ROOM);
    assert.ok(!("after_seq" in joins[0]), "a first join asks for the latest page");
    assert.equal(state.room.phase, Phase.JOINING);
    assert.ok(hasEffect(effects, Effect.SAVE), "the room is remembered across a reload");
  });

  test("ENTER while offline joins as soon as welcome arrives", () => {
    const state = createState({ token: TOKEN });
    assert.deepEqual(sent(dispatch(state, { type: Event.ENTER, room: ROOM }, NOW)), []);
    const { welcomed } = signIn(state);
    const joins = sentOf(welcomed, "join");
    assert.equal(joins.length, 1);
    assert.ok(!("after_seq" in joins[0]));
  });

  test("joined fills messages, members, paused and agreement", () => {
    const agreement = "What is said in group stays in group.";
    const { state } = inRoom({
      messages: [msg(2), msg(3, ALEX)],
      seq: 3,
      more: true,
      paused: true,
      agreement: { text: agreement },
      members: [ALEX, SAM],
      notice: "This session is recorded.",
    });
    const room = state.room;
    assert.equal(room.phase, Phase.JOINED);
    assert.deepEqual(seqs(orderedMessages(room)), [2, 3]);
    assert.equal(orderedMessages(room)[1].body, "message 3");
    assert.deepEqual(room.members, [ALEX, SAM]);
    assert.equal(room.paused, true);
    assert.equal(room.agreement, agreement);
    assert.equal(room.notice, "This session is recorded.");
    assert.equal(room.moreBefore, true);
  });

  test("joined puts pinned messages in the list", () => {
    const pinned = msg(1, DANA, { pinned: true, body: "Welcome, everyone." });
    const { state } = inRoom({ messages: [msg(40), msg(41)], seq: 41, pinned: [pinned] });
    const shown = orderedMessages(state.room);
    assert.deepEqual(seqs(shown), [1, 40, 41]);
    assert.equal(shown[0].pinned, true);
  });

  test("a participant's first joined offers the check-in", () => {
    const { state } = inRoom({ user: ALEX });
    assert.equal(state.room.checkin, "offered");
  });

  test("a family member's joined does not offer the check-in", () => {
    const { state } = inRoom({ user: MARIA });
    assert.notEqual(state.room.checkin, "offered");
  });

  test("a counselor's joined does not offer the check-in", () => {
    const { state } = inRoom({ user: DANA });
    assert.notEqual(state.room.checkin, "offered");
  });

  test("the check-in is offered once: not again on a resume, nor after a reload once skipped", () => {
    const { state } = inRoom();
    assert.equal(state.room.checkin, "offered");
    dispatch(state, { type: Event.SKIP_CHECKIN }, NOW);
    const { welcomed } = reconnect(state);
    answerJoin(state, welcomed, { messages: [], seq: 3 });
    assert.equal(state.room.checkin, "skipped");

    const reloaded = inRoom({ saved: { ...savedState(state), token: TOKEN } }).state;
    assert.notEqual(reloaded.room.checkin, "offered");
  });

  test("a check-in answered with ok is not offered again", () => {
    const { state } = inRoom();
    const effects = dispatch(state, { type: Event.CHECKIN, mood: 6, craving: 2, safe: true }, NOW);
    const checkin = sentOf(effects, "checkin")[0];
    assert.deepEqual({ mood: checkin.mood, craving: checkin.craving, safe: checkin.safe, room: checkin.room }, { mood: 6, craving: 2, safe: true, room: ROOM });
    deliver(state, { type: "ok", ref: checkin.ref });
    assert.equal(state.room.checkin, "sent");
    assert.deepEqual(savedState(state).checkinOffered, [ROOM]);
  });

  test("waiting, then joined without ref on admission", () => {
    const state = createState({ token: TOKEN });
    signIn(state);
    const join = sentOf(dispatch(state, { type: Event.ENTER, room: ROOM }, NOW), "join")[0];
    deliver(state, { type: "waiting", room: ROOM, ref: join.ref });
    assert.equal(state.room.phase, Phase.WAITING);
    assert.equal(inOpenSession(state, NOW), true, "waiting for an open session counts as being in it");
    deliver(state, joinedFrame(undefined, { messages: [msg(1)], seq: 1 }));
    assert.equal(state.room.phase, Phase.JOINED);
    assert.deepEqual(seqs(orderedMessages(state.room)), [1]);
  });

  test("denied: the room shows the counselor's words and nothing queued is sent", () => {
    const state = createState({ token: TOKEN });
    signIn(state);
    const join = sentOf(dispatch(state, { type: Event.ENTER, room: ROOM }, NOW), "join")[0];
    deliver(state, { type: "waiting", room: ROOM, ref: join.ref });
    compose(state, "c-1");
    const words = "Please call the front desk before joining today.";
    deliver(state, { type: "denied", room: ROOM, message: words });
    assert.equal(state.room.phase, Phase.DENIED);
    assert.equal(state.room.message, words);
    assert.notEqual(outboxItem(state, "c-1").status, SendStatus.QUEUED);
    assert.deepEqual(sent(tickThrough(state, NOW, NOW + 5 * SECOND)), []);
    assert.equal(inOpenSession(state, NOW), false);
    assert.equal(savedState(state).roomId, null, "a reload does not try the room again");
  });

  test("denied of another room is ignored", () => {
    const { state } = inRoom();
    deliver(state, { type: "denied", room: OTHER_ROOM, message: "No." });
    assert.equal(state.room.phase, Phase.JOINED);
  });

  test("join refused: removed, ended, room_closed", () => {
    for (const [code, phase] of [["removed", Phase.REMOVED], ["banned", Phase.REMOVED], ["ended", Phase.ENDED], ["room_closed", Phase.REFUSED]]) {
      const state = createState({ token: TOKEN });
      signIn(state);
      const join = sentOf(dispatch(state, { type: Event.ENTER, room: ROOM }, NOW), "join")[0];
      deliver(state, errorFor(join, code, `words for ${code}`));
      assert.equal(state.room.phase, phase, code);
      assert.equal(state.room.message, `words for ${code}`, code);
    }
  });
});

// MARK: sending

describe("sending", () => {
  test("COMPOSE in a joined room sends at once with the client_id", () => {
    const { state } = inRoom();
    const effects = compose(state, "c-1", "Hi everyone");
    const frame = sendOf(effects, "c-1");
    assert.deepEqual({ room: frame.room, body: frame.body, client_id: frame.client_id }, { room: ROOM, body: "Hi everyone", client_id: "c-1" });
    assert.ok(hasEffect(effects, Effect.SAVE), "the outbox is saved before the ack");
    assert.equal(outboxItem(state, "c-1").status, SendStatus.SENDING);
  });

  test("a private question carries to: staff", () => {
    const { state } = inRoom();
    const frame = sendOf(compose(state, "c-1", "Can I talk to you after?", NOW, { to: "staff" }), "c-1");
    assert.equal(frame.to, "staff");
  });

  test("COMPOSE while offline queues; after reconnect and resume it is sent exactly once with the same client_id", () => {
    const { state } = inRoom();
    dispatch(state, { type: Event.CLOSED }, NOW);
    const composed = compose(state, "c-offline", "typed in a tunnel");
    assert.deepEqual(sent(composed), [], "nothing is sent while offline");
    assert.ok(hasEffect(composed, Effect.SAVE));
    assert.equal(outboxItem(state, "c-offline").status, SendStatus.QUEUED);
    assert.deepEqual(unsentMessages(state, ROOM).map((item) => item.clientId), ["c-offline"]);

    const opened = dispatch(state, { type: Event.OPENED }, NOW);
    assert.equal(sendOf(opened, "c-offline"), undefined, "not before hello is answered");
    const hello = sentOf(opened, "hello")[0];
    const welcomed = deliver(state, { type: "welcome", ref: hello.ref, user: ALEX, rooms: [SUMMARY] });
    assert.equal(sendOf(welcomed, "c-offline"), undefined, "not before the room is resumed");
    const joined = answerJoin(state, welcomed, { messages: [], seq: 3 });

    const sends = sentOf(joined, "send");
    assert.equal(sends.length, 1);
    assert.equal(sends[0].client_id, "c-offline");
    assert.equal(sends[0].body, "typed in a tunnel");
    assert.deepEqual(sent(tickThrough(state, NOW, NOW + 10 * SECOND)), [], "and not again while it waits for its ack");
  });

  test("reconnect resumes with after_seq = have, including live messages received before the drop", () => {
    const { state } = inRoom({ messages: [msg(1), msg(2), msg(3)], seq: 3 });
    deliver(state, live(msg(4)));
    const { welcomed } = reconnect(state);
    const joins = sentOf(welcomed, "join");
    assert.equal(joins.length, 1);
    assert.equal(joins[0].room, ROOM);
    assert.equal(joins[0].after_seq, 4);
  });

  test("resume pages: the next page is asked with after_seq = last seq of the page; queued messages go only after the last page", () => {
    const { state } = inRoom({ messages: [msg(1), msg(2), msg(3)], seq: 3 });
    dispatch(state, { type: Event.CLOSED }, NOW);
    compose(state, "c-queued");
    const { welcomed } = reconnect(state);
    assert.equal(sentOf(welcomed, "join")[0].after_seq, 3);

    const page1 = answerJoin(state, welcomed, { messages: [msg(4), msg(5)], seq: 9, more: true });
    assert.deepEqual(sentOf(page1, "join").map((join) => join.after_seq), [5]);
    assert.equal(sendOf(page1, "c-queued"), undefined, "not sent between pages");
    assert.deepEqual(sent(tickThrough(state, NOW, NOW + 3 * SECOND)), [], "nor on a tick between pages");
    assert.deepEqual(sent(compose(state, "c-during")), [], "a message written between pages waits too");

    const page2 = answerJoin(state, page1, { messages: [msg(6), msg(7)], seq: 9, more: true });
    assert.deepEqual(sentOf(page2, "join").map((join) => join.after_seq), [7]);
    assert.equal(sentOf(page2, "send").length, 0);

    const last = answerJoin(state, page2, { messages: [msg(8), msg(9)], seq: 9, more: false });
    assert.equal(sentOf(last, "join").length, 0, "no more pages after more=false");
    assert.deepEqual(sentOf(last, "send").map((frame) => frame.client_id), ["c-queued", "c-during"]);
    assert.deepEqual(seqs(orderedMessages(state.room)), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("an outbox message found in the resume pages is dropped, not resent", () => {
    const { state } = inRoom({ messages: [msg(1), msg(2)], seq: 2 });
    const frame = sendNow(state, "c-lost-ack");
    // The commit happened, but the connection dropped before the ack arrived.
    const { welcomed } = reconnect(state);
    const stored = msg(3, ALEX, { client_id: "c-lost-ack", body: frame.body });
    const joined = answerJoin(state, welcomed, { messages: [stored], seq: 3 });
    assert.equal(sendOf(joined, "c-lost-ack"), undefined);
    assert.equal(outboxItem(state, "c-lost-ack"), undefined);
    assert.ok(hasEffect(joined, Effect.SAVE));
    assert.deepEqual(seqs(orderedMessages(state.room)), [1, 2, 3]);
  });

  test("another person's message with the same client_id does not drop mine", () => {
    const { state } = inRoom({ messages: [msg(1)], seq: 1 });
    sendNow(state, "c-same");
    const { welcomed } = reconnect(state);
    const theirs = msg(2, SAM, { client_id: "c-same" });
    const joined = answerJoin(state, welcomed, { messages: [theirs], seq: 2 });
    assert.equal(sendOf(joined, "c-same")?.client_id, "c-same", "client_id is unique per sender only");
  });

  test("ack removes the outbox entry; the message shows once even when no message frame follows", () => {
    const { state } = inRoom({ messages: [msg(1), msg(2), msg(3)], seq: 3 });
    const frame = sendNow(state, "c-1");
    const acked = deliver(state, ackFor(frame, 4));
    assert.equal(outboxItem(state, "c-1"), undefined);
    assert.ok(hasEffect(acked, Effect.SAVE));
    assert.deepEqual(unsentMessages(state, ROOM), []);
    const mine = orderedMessages(state.room).filter((message) => message.client_id === "c-1");
    assert.equal(mine.length, 1);
    assert.equal(mine[0].seq, 4);
    assert.equal(mine[0].body, frame.body);
    assert.equal(mine[0].from.id, ALEX.id);
  });

  test("the message frame after the ack does not duplicate nor announce my message", () => {
    const { state } = inRoom({ messages: [msg(1), msg(2), msg(3)], seq: 3 });
    const frame = sendNow(state, "c-1");
    deliver(state, ackFor(frame, 4));
    const effects = deliver(state, live(msg(4, ALEX, { client_id: "c-1", body: frame.body })));
    assert.deepEqual(seqs(orderedMessages(state.room)), [1, 2, 3, 4]);
    assert.deepEqual(announcements(effects), []);
  });

  test("a repeated client_id after a lost ack: the ack of the original shows it once", () => {
    // Sent, stored as seq 2, ack lost; the tab is reloaded and the latest page no longer reaches back to seq 2.
    const { state } = inRoom({ messages: [msg(1)], seq: 1 });
    const first = sendNow(state, "c-1");
    const restored = createState(JSON.parse(JSON.stringify(savedState(state))));
    const { welcomed } = signIn(restored);
    const page = Array.from({ length: 50 }, (_, index) => msg(60 + index));
    const joined = answerJoin(restored, welcomed, { messages: page, seq: 109, more: true });
    const resent = sendOf(joined, "c-1");
    assert.equal(resent.client_id, first.client_id, "resent with the same client_id");
    assert.equal(resent.body, first.body);
    // The server answers a repeat with the original's ack and no message frame.
    deliver(restored, ackFor(resent, 2));
    assert.equal(outboxItem(restored, "c-1"), undefined);
    assert.equal(orderedMessages(restored.room).filter((message) => message.client_id === "c-1").length, 1);
  });

  test("live message frames during a resume do not advance have past the page boundary", () => {
    const { state } = inRoom({ messages: [msg(1), msg(2), msg(3)], seq: 3 });
    const { welcomed } = reconnect(state);
    answerJoin(state, welcomed, { messages: [msg(4), msg(5)], seq: 9, more: true });
    // Live traffic above the boundary arrives while pages 6..9 are still missing.
    deliver(state, live(msg(10)));
    deliver(state, live(msg(11)));
    assert.deepEqual(seqs(orderedMessages(state.room)), [1, 2, 3, 4, 5, 10, 11]);
    // Dropped again before the pages caught up: the resume must start after 5, not after 11.
    const again = reconnect(state).welcomed;
    assert.equal(sentOf(again, "join")[0].after_seq, 5);
    // Finishing the pages closes the gap.
    const last = answerJoin(state, again, { messages: [msg(6), msg(7), msg(8), msg(9), msg(10), msg(11)], seq: 11 });
    assert.equal(sentOf(last, "join").length, 0);
    deliver(state, live(msg(12)));
    assert.deepEqual(seqs(orderedMessages(state.room)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(sentOf(reconnect(state).welcomed, "join")[0].after_seq, 12);
  });

  test("duplicates by seq are kept once (a later page repeating live messages, a repeated frame)", () => {
    const { state } = inRoom({ messages: [msg(1), msg(2)], seq: 2 });
    const { welcomed } = reconnect(state);
    const page1 = answerJoin(state, welcomed, { messages: [msg(3)], seq: 4, more: true });
    deliver(state, live(msg(5)));
    const first = deliver(state, live(msg(6)));
    const repeat = deliver(state, live(msg(6)));
    answerJoin(state, page1, { messages: [msg(4), msg(5), msg(6)], seq: 6 });
    assert.deepEqual(seqs(orderedMessages(state.room)), [1, 2, 3, 4, 5, 6]);
    assert.equal(announcements(first).length, 1);
    assert.deepEqual(announcements(repeat), [], "a repeated seq is not announced twice");
  });

  test("messages of another room are not mixed in", () => {
    const { state } = inRoom({ messages: [msg(1)], seq: 1 });
    deliver(state, live({ ...msg(2), room: OTHER_ROOM }));
    assert.deepEqual(seqs(orderedMessages(state.room)), [1]);
  });

  test("a message written while an earlier one waits out a rate limit is not sent ahead of it", () => {
    // Messages must reach the room in the order they were written (the outbox is "oldest first").
    const { state } = inRoom();
    const first = sendNow(state, "c-first");
    deliver(state, errorFor(first, "rate_limited", "Slow mode is on: one message every 30 s. Wait 20 s.", { retry_after: 20 }));
    const order = [];
    const record = (effects) => order.push(...sentOf(effects, "send").map((frame) => frame.client_id));
    record(compose(state, "c-second", undefined, NOW + 2 * SECOND));
    record(tickThrough(state, NOW + 3 * SECOND, NOW + 20 * SECOND));
    assert.equal(order[0], "c-first", `send order was ${JSON.stringify(order)}`);
  });
});

// MARK: send errors

describe("refused sends", () => {
  test("rate_limited: queued with retryAt = now + retry_after, resent on the first tick at that time, not before", () => {
    const { state } = inRoom();
    const frame = sendNow(state, "c-1");
    const refusedAt = NOW + 500;
    deliver(state, errorFor(frame, "rate_limited", "You are sending too fast. Wait 3 s.", { retry_after: 3 }), refusedAt);
    const item = outboxItem(state, "c-1");
    assert.equal(item.status, SendStatus.QUEUED);
    assert.equal(item.retryAt, refusedAt + 3 * SECOND);
    assert.deepEqual(sent(dispatch(state, { type: Event.TICK }, refusedAt)), []);
    assert.deepEqual(sent(dispatch(state, { type: Event.TICK }, refusedAt + 3 * SECOND - 1)), []);
    const resent = sentOf(dispatch(state, { type: Event.TICK }, refusedAt + 3 * SECOND), "send");
    assert.deepEqual(resent.map((f) => f.client_id), ["c-1"]);
    assert.deepEqual(sent(dispatch(state, { type: Event.TICK }, refusedAt + 4 * SECOND)), [], "once");
  });

  test("internal: resent automatically with the same client_id, a bounded number of times, then failed", () => {
    const { state } = inRoom();
    let frame = sendNow(state, "c-1");
    let sends = 1;
    let at = NOW;
    for (let round = 0; round < 20; round += 1) {
      deliver(state, errorFor(frame, "internal", "The message could not be saved. Send it again."), at);
      if (outboxItem(state, "c-1").status === SendStatus.FAILED) break;
      assert.equal(outboxItem(state, "c-1").status, SendStatus.QUEUED);
      assert.deepEqual(sent(dispatch(state, { type: Event.TICK }, at)), [], "not resent in the same instant");
      const effects = tickThrough(state, at + SECOND, at + 60 * SECOND);
      const resent = sentOf(effects, "send");
      assert.equal(resent.length, 1, "resent once after a pause");
      assert.equal(resent[0].client_id, "c-1");
      frame = resent[0];
      sends += 1;
      at += 60 * SECOND;
    }
    assert.ok(sends >= 2, "at least one automatic retry");
    assert.ok(sends <= 5, `bounded, but sent ${sends} times`);
    assert.equal(outboxItem(state, "c-1").status, SendStatus.FAILED);
    assert.deepEqual(sent(tickThrough(state, at, at + 5 * MINUTE, 10 * SECOND)), [], "no more automatic retries");
    // The person may still try again.
    assert.equal(sendOf(dispatch(state, { type: Event.RETRY, clientId: "c-1" }, at), "c-1")?.client_id, "c-1");
  });

  for (const code of ["too_large", "bad_request"]) {
    test(`${code}: invalid and never sent again (not by RETRY, a tick or a reconnect)`, () => {
      const { state } = inRoom();
      const frame = sendNow(state, "c-1");
      deliver(state, errorFor(frame, code, "A message can be at most 4000 characters."));
      const item = outboxItem(state, "c-1");
      assert.equal(item.status, SendStatus.INVALID);
      assert.equal(item.note, "A message can be at most 4000 characters.", "the server's words are shown");
      assert.deepEqual(sent(dispatch(state, { type: Event.RETRY, clientId: "c-1" }, NOW)), []);
      assert.equal(outboxItem(state, "c-1").status, SendStatus.INVALID);
      assert.deepEqual(sent(tickThrough(state, NOW, NOW + MINUTE)), []);
      const { welcomed } = reconnect(state);
      assert.equal(sendOf(answerJoin(state, welcomed, { messages: [], seq: 3 }), "c-1"), undefined);
      // Still listed, so the person can copy or discard it.
      assert.deepEqual(unsentMessages(state, ROOM).map((entry) => entry.clientId), ["c-1"]);
      dispatch(state, { type: Event.DISCARD, clientId: "c-1" }, NOW);
      assert.deepEqual(unsentMessages(state, ROOM), []);
    });
  }

  test("muted: failed, the composer says so, RETRY resends", () => {
    const { state } = inRoom();
    const frame = sendNow(state, "c-1");
    deliver(state, errorFor(frame, "muted", "A counselor has muted you for 5 more min."));
    assert.equal(outboxItem(state, "c-1").status, SendStatus.FAILED);
    assert.equal(state.room.controls.muted, true);
    assert.deepEqual(sent(tickThrough(state, NOW, NOW + MINUTE)), [], "failed sends wait for the person");
    deliver(state, { type: "moderation", room: ROOM, action: "unmute", target: ALEX });
    const retried = dispatch(state, { type: Event.RETRY, clientId: "c-1" }, NOW + MINUTE);
    assert.equal(sendOf(retried, "c-1")?.client_id, "c-1");
    assert.equal(outboxItem(state, "c-1").status, SendStatus.SENDING);
  });

  test("no_staff pauses the room; agreement_required asks for the agreement", () => {
    const { state } = inRoom();
    deliver(state, errorFor(sendNow(state, "c-1"), "no_staff"));
    assert.equal(state.room.paused, true);
    assert.equal(outboxItem(state, "c-1").status, SendStatus.FAILED);

    const other = inRoom().state;
    deliver(other, errorFor(sendNow(other, "c-2"), "agreement_required"));
    assert.notEqual(composerBlock(other, NOW), null);
  });
});

// MARK: moderation and server frames

describe("moderation", () => {
  test("mute and unmute of the person set and clear controls.muted", () => {
    const { state } = inRoom();
    deliver(state, { type: "moderation", room: ROOM, action: "mute", by: DANA, target: ALEX, until: "2026-11-24T02:20:00.000Z" });
    assert.equal(state.room.controls.muted, true);
    assert.match(composerBlock(state, NOW), /mute/i);
    deliver(state, { type: "moderation", room: ROOM, action: "unmute", target: ALEX });
    assert.equal(state.room.controls.muted, false);
    assert.equal(composerBlock(state, NOW), null);
  });

  test("mute of someone else does not mute the person", () => {
    const { state } = inRoom();
    deliver(state, { type: "moderation", room: ROOM, action: "mute", by: DANA, target: SAM });
    assert.notEqual(state.room.controls.muted, true);
    assert.equal(composerBlock(state, NOW), null);
  });

  test("hide clears the body for a participant", () => {
    const { state } = inRoom({ messages: [msg(1), msg(2, SAM, { body: "something hurtful" })], seq: 2 });
    deliver(state, { type: "moderation", room: ROOM, action: "hide", by: DANA, seq: 2 });
    const hidden = state.room.messages.get(2);
    assert.equal(hidden.hidden, true);
    assert.equal(hidden.body, "");
    assert.ok(!JSON.stringify(orderedMessages(state.room)).includes("something hurtful"));
  });

  test("hide keeps the body for staff", () => {
    const { state } = inRoom({ user: DANA, messages: [msg(2, SAM, { body: "something hurtful" })], seq: 2 });
    deliver(state, { type: "moderation", room: ROOM, action: "hide", by: DANA, seq: 2 });
    assert.equal(state.room.messages.get(2).hidden, true);
    assert.equal(state.room.messages.get(2).body, "something hurtful");
  });

  test("unhide of a message held without its body asks for that one message again", () => {
    const { state } = inRoom({ messages: [msg(5), msg(6, SAM, { hidden: true, body: "" }), msg(7)], seq: 7 });
    const effects = deliver(state, { type: "moderation", room: ROOM, action: "unhide", by: DANA, seq: 6 });
    const requests = sentOf(effects, "history");
    assert.equal(requests.length, 1);
    assert.deepEqual({ room: requests[0].room, before_seq: requests[0].before_seq, limit: requests[0].limit }, { room: ROOM, before_seq: 7, limit: 1 });
    const reply = deliver(state, { type: "history", room: ROOM, ref: requests[0].ref, more: true, messages: [msg(6, SAM, { body: "back again" })] });
    assert.equal(state.room.messages.get(6).body, "back again");
    assert.ok(!state.room.messages.get(6).hidden);
    assert.deepEqual(announcements(reply), [], "a refetched message is not announced");
    assert.equal(state.room.moreBefore, false, "a refetch says nothing about older pages");
  });

  test("unhide of a message held in full asks for nothing", () => {
    const { state } = inRoom({ user: DANA, messages: [msg(6, SAM, { hidden: true, body: "kept for staff" })], seq: 6 });
    const effects = deliver(state, { type: "moderation", room: ROOM, action: "unhide", by: DANA, seq: 6 });
    assert.deepEqual(sentOf(effects, "history"), []);
    assert.equal(state.room.messages.get(6).hidden, false);
  });

  test("round_start and pass set the round and announce the person's turn", () => {
    const { state } = inRoom();
    const start = deliver(state, { type: "moderation", room: ROOM, action: "round_start", by: DANA, round: { order: [SAM, ALEX], speaker: SAM } });
    assert.equal(state.room.controls.round.speaker.id, SAM.id);
    assert.deepEqual(announcements(start), [], "not my turn yet");
    const pass = deliver(state, { type: "moderation", room: ROOM, action: "pass", by: SAM, round: { order: [SAM, ALEX], speaker: ALEX } });
    assert.equal(state.room.controls.round.speaker.id, ALEX.id);
    assert.equal(announcements(pass).length, 1);
    assert.match(announcements(pass)[0], /turn/i);
    deliver(state, { type: "moderation", room: ROOM, action: "round_end", by: ALEX });
    assert.equal(state.room.controls.round, undefined);
  });

  test("remove takes the person out and fails what was waiting", () => {
    const { state } = inRoom();
    sendNow(state, "c-1");
    deliver(state, { type: "moderation", room: ROOM, action: "remove", by: DANA, target: ALEX });
    assert.equal(state.room.phase, Phase.REMOVED);
    assert.equal(typeof state.room.message, "string");
    assert.equal(outboxItem(state, "c-1").status, SendStatus.FAILED);
    assert.equal(inOpenSession(state, NOW), false);
    assert.deepEqual(sentOf(tickThrough(state, NOW, NOW + MINUTE), "send"), []);
  });

  test("ended: the phase is ended, pending sends fail, nothing is sent after", () => {
    const { state } = inRoom();
    sendNow(state, "c-sending");
    dispatch(state, { type: Event.CLOSED }, NOW);
    compose(state, "c-queued");
    signIn(state);
    deliver(state, { type: "ended", room: ROOM, by: DANA });
    assert.equal(state.room.phase, Phase.ENDED);
    assert.equal(outboxItem(state, "c-sending").status, SendStatus.FAILED);
    assert.equal(outboxItem(state, "c-queued").status, SendStatus.FAILED);
    assert.match(composerBlock(state, NOW), /ended/i);
    assert.equal(inOpenSession(state, NOW), false);
    assert.deepEqual(sentOf(tickThrough(state, NOW, NOW + MINUTE), "send"), []);
  });

  test("support is stored for the person and can be dismissed", () => {
    const { state } = inRoom();
    deliver(state, { type: "support", room: ROOM, text: "You are not alone. Call or text 988." });
    assert.equal(state.room.support, "You are not alone. Call or text 988.");
    dispatch(state, { type: Event.DISMISS_SUPPORT }, NOW);
    assert.equal(state.room.support, null);
  });

  test("room_state pauses and resumes", () => {
    const { state } = inRoom();
    deliver(state, { type: "room_state", room: ROOM, paused: true });
    assert.equal(state.room.paused, true);
    deliver(state, { type: "room_state", room: ROOM, paused: false });
    assert.equal(state.room.paused, false);
  });

  test("presence adds and removes members", () => {
    const { state } = inRoom({ members: [ALEX] });
    deliver(state, { type: "presence", room: ROOM, member: SAM, state: "joined" });
    assert.deepEqual(state.room.members.map((member) => member.id).sort(), [ALEX.id, SAM.id].sort());
    deliver(state, { type: "presence", room: ROOM, member: SAM, state: "joined" });
    assert.equal(state.room.members.length, 2, "no duplicate member");
    deliver(state, { type: "presence", room: ROOM, member: SAM, state: "left" });
    assert.deepEqual(state.room.members.map((member) => member.id), [ALEX.id]);
  });
});

// MARK: earlier messages and announcements

describe("earlier messages and announcements", () => {
  test("LOAD_EARLIER asks with before_seq = the oldest seq held, once while loading", () => {
    const latest = Array.from({ length: 50 }, (_, index) => msg(51 + index));
    const { state } = inRoom({ messages: latest, seq: 100, more: true });
    const first = sentOf(dispatch(state, { type: Event.LOAD_EARLIER }, NOW), "history");
    assert.equal(first.length, 1);
    assert.equal(first[0].room, ROOM);
    assert.equal(first[0].before_seq, 51);
    assert.ok(first[0].limit >= 1 && first[0].limit <= 200, "within the protocol's 1 to 200");
    assert.deepEqual(sent(dispatch(state, { type: Event.LOAD_EARLIER }, NOW)), [], "not twice while loading");

    const older = Array.from({ length: 30 }, (_, index) => msg(21 + index));
    const reply = deliver(state, { type: "history", room: ROOM, ref: first[0].ref, messages: older, more: true });
    assert.deepEqual(announcements(reply), [], "history pages never announce");
    assert.equal(orderedMessages(state.room)[0].seq, 21);
    assert.equal(orderedMessages(state.room).length, 80);

    const second = sentOf(dispatch(state, { type: Event.LOAD_EARLIER }, NOW), "history");
    assert.equal(second[0].before_seq, 21);
    deliver(state, { type: "history", room: ROOM, ref: second[0].ref, messages: Array.from({ length: 20 }, (_, index) => msg(1 + index)), more: false });
    assert.deepEqual(sent(dispatch(state, { type: Event.LOAD_EARLIER }, NOW)), [], "nothing older to ask for");
  });

  test("LOAD_EARLIER pages back from the latest page, not from an older pinned message", () => {
    // A welcome note pinned at seq 1 comes with joined.pinned; the latest page holds 60..109.
    const page = Array.from({ length: 50 }, (_, index) => msg(60 + index));
    const pinned = msg(1, DANA, { pinned: true, body: "Welcome. Please read the group agreement." });
    const { state } = inRoom({ messages: page, seq: 109, more: true, pinned: [pinned] });
    const request = sentOf(dispatch(state, { type: Event.LOAD_EARLIER }, NOW), "history")[0];
    assert.ok(request, "older messages exist, so they are asked for");
    assert.equal(request.before_seq, 60, "messages 2..59 must stay reachable");
  });

  test("LOAD_EARLIER pages back from the latest page, not from an older message fetched by unhide", () => {
    const page = Array.from({ length: 50 }, (_, index) => msg(60 + index));
    const { state } = inRoom({ messages: page, seq: 109, more: true });
    const refetch = sentOf(deliver(state, { type: "moderation", room: ROOM, action: "unhide", by: DANA, seq: 5 }), "history")[0];
    deliver(state, { type: "history", room: ROOM, ref: refetch.ref, messages: [msg(5)], more: true });
    const request = sentOf(dispatch(state, { type: Event.LOAD_EARLIER }, NOW), "history")[0];
    assert.ok(request, "older messages exist, so they are asked for");
    assert.equal(request.before_seq, 60, "messages 6..59 must stay reachable");
  });

  test("LOAD_EARLIER can be asked again after a failed page", () => {
    const { state } = inRoom({ messages: [msg(51)], seq: 51, more: true });
    const first = sentOf(dispatch(state, { type: Event.LOAD_EARLIER }, NOW), "history")[0];
    deliver(state, errorFor(first, "internal", "The server could not read this room's history."));
    assert.equal(sentOf(dispatch(state, { type: Event.LOAD_EARLIER }, NOW), "history").length, 1);
  });

  test("LOAD_EARLIER can be asked again after the connection dropped mid-page", () => {
    const { state } = inRoom({ messages: [msg(51)], seq: 51, more: true });
    sentOf(dispatch(state, { type: Event.LOAD_EARLIER }, NOW), "history");
    const { welcomed } = reconnect(state);
    answerJoin(state, welcomed, { messages: [], seq: 51 });
    assert.equal(sentOf(dispatch(state, { type: Event.LOAD_EARLIER }, NOW), "history").length, 1);
  });

  test("LOAD_EARLIER waits while a resume page is outstanding (one page at a time, PROTOCOL.md 11.7)", () => {
    const { state } = inRoom({ messages: [msg(51)], seq: 51, more: true });
    const { welcomed } = reconnect(state);
    const page = answerJoin(state, welcomed, { messages: [msg(52)], seq: 60, more: true });
    assert.equal(sentOf(page, "join").length, 1, "the next resume page was asked for");
    assert.deepEqual(sent(dispatch(state, { type: Event.LOAD_EARLIER }, NOW)), [], "no history request while that page is outstanding");
  });

  test("live messages from others are announced with the sender's name; mine and snapshot pages are not", () => {
    const { state, effects } = inRoom({ messages: [msg(1), msg(2)], seq: 2 });
    assert.deepEqual(announcements(effects), [], "joined pages never announce");
    const theirs = deliver(state, live(msg(3, SAM, { body: "Glad to be here" })));
    assert.equal(announcements(theirs).length, 1);
    assert.match(announcements(theirs)[0], /Sam T\./);
    assert.match(announcements(theirs)[0], /Glad to be here/);
    const mine = deliver(state, live(msg(4, ALEX)));
    assert.deepEqual(announcements(mine), []);
  });

  test("resume pages never announce", () => {
    const { state } = inRoom({ messages: [msg(1)], seq: 1 });
    const { welcomed } = reconnect(state);
    const page1 = answerJoin(state, welcomed, { messages: [msg(2), msg(3)], seq: 5, more: true });
    const page2 = answerJoin(state, page1, { messages: [msg(4), msg(5)], seq: 5 });
    assert.deepEqual(announcements([...welcomed, ...page1, ...page2]), []);
  });
});

// MARK: reload

describe("across a reload", () => {
  test("savedState round-trips through createState: token, room, outbox as queued, invalid and failed kept", () => {
    const { state } = inRoom();
    const sending = sendNow(state, "c-sending");
    deliver(state, errorFor(sendNow(state, "c-invalid"), "too_large", "Too long."));
    deliver(state, errorFor(sendNow(state, "c-failed"), "muted", "Muted."));
    const limited = sendNow(state, "c-limited");
    deliver(state, errorFor(limited, "rate_limited", "Wait 30 s.", { retry_after: 30 }));
    dispatch(state, { type: Event.SKIP_CHECKIN }, NOW);

    const saved = JSON.parse(JSON.stringify(savedState(state)));
    assert.equal(saved.token, TOKEN);
    assert.equal(saved.roomId, ROOM);
    const restored = createState(saved);
    assert.equal(restored.token, TOKEN);
    assert.equal(restored.room.id, ROOM);
    const statuses = Object.fromEntries(restored.outbox.map((item) => [item.clientId, item.status]));
    assert.deepEqual(statuses, {
      "c-sending": SendStatus.QUEUED,
      "c-invalid": SendStatus.INVALID,
      "c-failed": SendStatus.FAILED,
      "c-limited": SendStatus.QUEUED,
    });
    assert.equal(restored.outbox.find((item) => item.clientId === "c-sending").body, sending.body);
    assert.equal(restored.outbox.find((item) => item.clientId === "c-invalid").note, "Too long.");
    assert.deepEqual(unsentMessages(restored, ROOM).map((item) => item.clientId), ["c-sending", "c-invalid", "c-failed", "c-limited"]);
    assert.ok(restored.checkinOffered.has(ROOM));

    // After the reload, the queued ones are sent (once) when the room is joined again; the others are not.
    const { welcomed } = signIn(restored);
    const join = sentOf(welcomed, "join")[0];
    assert.equal(join.room, ROOM);
    const joined = answerJoin(restored, welcomed, { messages: [msg(1)], seq: 1 });
    assert.deepEqual(sentOf(joined, "send").map((frame) => frame.client_id).sort(), ["c-limited", "c-sending"]);
    assert.notEqual(restored.room.checkin, "offered");
  });

  test("a message already stored before the reload is not resent", () => {
    const { state } = inRoom({ messages: [msg(1)], seq: 1 });
    const frame = sendNow(state, "c-1");
    const restored = createState(JSON.parse(JSON.stringify(savedState(state))));
    const { welcomed } = signIn(restored);
    const joined = answerJoin(restored, welcomed, { messages: [msg(1), msg(2, ALEX, { client_id: "c-1", body: frame.body })], seq: 2 });
    assert.equal(sendOf(joined, "c-1"), undefined);
    assert.deepEqual(unsentMessages(restored, ROOM), []);
  });

  test("createState with nothing saved is signed out, on the sessions list", () => {
    const state = createState();
    assert.equal(state.token, null);
    assert.equal(state.room, null);
    assert.deepEqual(state.outbox, []);
    assert.equal(savedState(state).roomId, null);
  });
});

// MARK: composer and logoff

describe("composerBlock", () => {
  test("nothing blocks an ordinary participant in an open, staffed room", () => {
    const { state } = inRoom();
    assert.equal(composerBlock(state, NOW), null);
  });

  test("no room: choose one first", () => {
    const state = createState({ token: TOKEN });
    signIn(state);
    assert.notEqual(composerBlock(state, NOW), null);
  });

  test("agreement: blocked until agree is answered with ok", () => {
    const { state } = inRoom({ agreement: { text: "Respect each other." } });
    assert.match(composerBlock(state, NOW), /agreement/i);
    const agree = sentOf(dispatch(state, { type: Event.AGREE }, NOW), "agree")[0];
    assert.equal(agree.room, ROOM);
    assert.match(composerBlock(state, NOW), /agreement/i, "still blocked until the server says ok");
    deliver(state, { type: "ok", ref: agree.ref });
    assert.equal(composerBlock(state, NOW), null);
  });

  test("paused: blocked for participants until a counselor joins; not for staff", () => {
    const { state } = inRoom({ paused: true });
    assert.match(composerBlock(state, NOW), /counselor/i);
    deliver(state, { type: "room_state", room: ROOM, paused: false });
    assert.equal(composerBlock(state, NOW), null);
    const staff = inRoom({ user: DANA, paused: true }).state;
    assert.equal(composerBlock(staff, NOW), null);
  });

  test("muted", () => {
    const { state } = inRoom({ controls: { muted: true } });
    assert.match(composerBlock(state, NOW), /mute/i);
  });

  test("ended, also when joined says so", () => {
    const { state } = inRoom({ controls: { ended: true } });
    assert.match(composerBlock(state, NOW), /ended/i);
  });

  test("closed window: blocked from the welcome room's closes on, not before", () => {
    const { state } = inRoom();
    assert.equal(composerBlock(state, CLOSES - 1), null);
    assert.match(composerBlock(state, CLOSES), /closed/i);
    assert.match(composerBlock(state, CLOSES + 10 * MINUTE), /closed/i);
  });

  test("while reconnecting a joined room, the person can still write (it queues)", () => {
    const { state } = inRoom();
    dispatch(state, { type: Event.CLOSED }, NOW);
    assert.equal(composerBlock(state, NOW), null);
  });
});

describe("automatic logoff", () => {
  test("shouldLogOff: never while in an open session, however long idle", () => {
    assert.equal(shouldLogOff({ now: NOW, lastActivity: NOW - 10 * 60 * MINUTE, minutes: 15, inOpenSession: true }), false);
  });

  test("shouldLogOff: after N idle minutes otherwise, not before", () => {
    assert.equal(shouldLogOff({ now: NOW, lastActivity: NOW - 15 * MINUTE + 1, minutes: 15, inOpenSession: false }), false);
    assert.equal(shouldLogOff({ now: NOW, lastActivity: NOW - 15 * MINUTE, minutes: 15, inOpenSession: false }), true);
    assert.equal(shouldLogOff({ now: NOW, lastActivity: NOW - 40 * MINUTE, minutes: 15, inOpenSession: false }), true);
  });

  test("inOpenSession: in a joined room until its window closes", () => {
    const { state } = inRoom();
    assert.equal(inOpenSession(state, NOW), true);
    assert.equal(inOpenSession(state, CLOSES - 1), true);
    assert.equal(inOpenSession(state, CLOSES), false);
  });

  test("inOpenSession: not on the sessions list", () => {
    const state = createState({ token: TOKEN });
    signIn(state);
    assert.equal(inOpenSession(state, NOW), false);
    const { state: inside } = inRoom();
    dispatch(inside, { type: Event.EXIT_ROOM }, NOW);
    assert.equal(inOpenSession(inside, NOW), false);
  });

  test("EXIT_ROOM sends leave", () => {
    const { state } = inRoom();
    const leaves = sentOf(dispatch(state, { type: Event.EXIT_ROOM }, NOW), "leave");
    assert.deepEqual(leaves.map((frame) => frame.room), [ROOM]);
    assert.equal(state.room, null);
  });
});
