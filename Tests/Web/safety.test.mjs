// Crisis safety and recovery in the page's rules: a "not safe" check-in shows help only once the counselor really
// has it, and a room the server could not load is asked for again instead of leaving the page half-joined.
import { test } from "node:test";
import assert from "node:assert/strict";

import { Effect, Event, Phase, dispatch } from "../../Web/store.js";
import { NOW, ROOM, deliver, errorFor, hasEffect, inRoom, sentOf } from "./fixtures.mjs";

const HELP = "Call or text 988, or call 911 now.";

test("a check-in that says 'not safe' shows the crisis resources once the server has it", () => {
  const { state } = inRoom();
  const effects = dispatch(state, { type: Event.CHECKIN, mood: 1, safe: false, support: HELP }, NOW);
  const [checkin] = sentOf(effects, "checkin");
  assert.equal(checkin.safe, false);
  assert.equal(state.room.support, null, "nothing is promised before the server answers");
  const answered = deliver(state, { type: "ok", ref: checkin.ref });
  assert.equal(state.room.support, HELP);
  assert.ok(answered.some((effect) => effect.type === Effect.ANNOUNCE && effect.text === HELP), "screen readers hear it");
});

test("a check-in written while offline is not sent and the page says so instead of promising help", () => {
  const { state } = inRoom();
  dispatch(state, { type: Event.CLOSED }, NOW);
  const effects = dispatch(state, { type: Event.CHECKIN, safe: false, support: HELP }, NOW);
  assert.equal(sentOf(effects, "checkin").length, 0);
  assert.ok(effects.some((effect) => effect.type === Effect.TOAST && effect.error && /not sent/.test(effect.text)));
  assert.equal(state.room.support, null);
});

test("a refused check-in shows the refusal, not the crisis resources", () => {
  const { state } = inRoom();
  const [checkin] = sentOf(dispatch(state, { type: Event.CHECKIN, safe: false, support: HELP }, NOW), "checkin");
  deliver(state, errorFor(checkin, "forbidden", "Check-ins are for participants."));
  assert.equal(state.room.support, null);
  assert.equal(state.room.checkin, "offered", "the form is offered again");
});

test("a join the server could not load is asked for again on a later tick", () => {
  const { state } = inRoom();
  dispatch(state, { type: Event.CLOSED }, NOW);
  const back = dispatch(state, { type: Event.OPENED }, NOW);
  const [hello] = sentOf(back, "hello");
  const welcomed = deliver(state, { type: "welcome", ref: hello.ref, user: state.user, rooms: state.rooms });
  const [join] = sentOf(welcomed, "join");
  deliver(state, errorFor(join, "internal", "The server could not load this room. Try again."));
  assert.equal(sentOf(dispatch(state, { type: Event.TICK }, NOW + 500), "join").length, 0, "not at once");
  const retried = sentOf(dispatch(state, { type: Event.TICK }, NOW + 2500), "join");
  assert.equal(retried.length, 1);
  assert.equal(retried[0].room, ROOM);
  assert.equal(retried[0].after_seq, join.after_seq, "it resumes from the same point");
  assert.notEqual(state.room.phase, Phase.REFUSED);
});

test("a join the server rate-limited is asked for again after the seconds it gave", () => {
  const { state } = inRoom();
  dispatch(state, { type: Event.CLOSED }, NOW);
  const [hello] = sentOf(dispatch(state, { type: Event.OPENED }, NOW), "hello");
  const [join] = sentOf(deliver(state, { type: "welcome", ref: hello.ref, user: state.user, rooms: state.rooms }), "join");
  deliver(state, errorFor(join, "rate_limited", "You are doing that too fast. Wait 3 s.", { retry_after: 3 }));
  assert.equal(sentOf(dispatch(state, { type: Event.TICK }, NOW + 2000), "join").length, 0);
  assert.equal(sentOf(dispatch(state, { type: Event.TICK }, NOW + 3000), "join").length, 1);
});
