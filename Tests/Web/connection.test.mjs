// The reconnecting WebSocket (Web/connection.js) with a fake socket class and fake timers: when it comes back,
// how long it waits (PROTOCOL.md 11.6: 0.25 s doubling to 30 s, with jitter), and when it must not (close 4001).

import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { Connection, backoffDelay } from "../../Web/connection.js";

const URL = "ws://hearth.example/ws";

/** A WebSocket class whose instances the test drives by hand. */
function fakeSocketClass() {
  const instances = [];
  class FakeSocket {
    constructor(url, protocol) {
      this.url = url;
      this.protocol = protocol;
      this.readyState = 0;
      this.sent = [];
      this.closeCalls = [];
      this.listeners = new Map();
      instances.push(this);
    }

    addEventListener(type, listener) {
      if (!this.listeners.has(type)) this.listeners.set(type, []);
      this.listeners.get(type).push(listener);
    }

    emit(type, event = {}) {
      for (const listener of this.listeners.get(type) ?? []) listener(event);
    }

    send(text) {
      if (this.readyState !== 1) throw new Error("InvalidStateError: not open");
      this.sent.push(text);
    }

    close(code, reason) {
      this.closeCalls.push({ code, reason });
      if (this.readyState < 2) this.readyState = 2;
    }

    // What the network and server do:
    serverOpens() {
      this.readyState = 1;
      this.emit("open");
    }

    serverSends(data) {
      this.emit("message", { data });
    }

    closes(code, reason = "") {
      this.readyState = 3;
      this.emit("close", { code, reason, wasClean: code !== 1006 });
    }
  }
  return { FakeSocket, instances };
}

/** Timers run only when the test says so. */
function fakeTimers() {
  const pending = new Map();
  let nextId = 1;
  return {
    pending,
    setTimer(fn, ms) {
      const id = nextId++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimer(id) {
      pending.delete(id);
    },
    /** The delays of the timers waiting now. */
    delays() {
      return Array.from(pending.values()).map((timer) => timer.ms);
    },
    /** Runs every timer waiting now. */
    runAll() {
      const due = Array.from(pending.entries());
      pending.clear();
      for (const [, timer] of due) timer.fn();
    },
  };
}

/** A Connection wired to fakes, with a record of what it reported. */
function harness({ random = () => 0.5, WebSocketImpl } = {}) {
  const sockets = fakeSocketClass();
  const timers = fakeTimers();
  const log = { opens: 0, frames: [], closes: [] };
  const connection = new Connection({
    url: URL,
    onOpen: () => { log.opens += 1; },
    onFrameText: (text) => log.frames.push(text),
    onClose: (info) => log.closes.push(info),
    WebSocketImpl: WebSocketImpl ?? sockets.FakeSocket,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    random,
  });
  const current = () => sockets.instances[sockets.instances.length - 1];
  return { connection, sockets: sockets.instances, timers, log, current };
}

describe("backoffDelay", () => {
  test("starts around 0.25 s and doubles", () => {
    const top = () => 1;
    assert.equal(backoffDelay(0, top), 250);
    assert.equal(backoffDelay(1, top), 500);
    assert.equal(backoffDelay(2, top), 1000);
    assert.equal(backoffDelay(3, top), 2000);
    assert.equal(backoffDelay(6, top), 16_000);
  });

  test("is capped at 30 s, also for very many attempts", () => {
    for (const attempt of [7, 8, 10, 11, 20, 100, 10_000]) {
      assert.equal(backoffDelay(attempt, () => 1), 30_000, `attempt ${attempt}`);
      assert.equal(backoffDelay(attempt, () => 0), 15_000, `attempt ${attempt}`);
    }
  });

  test("always lies in [ceiling/2, ceiling]", () => {
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const ceiling = Math.min(30_000, 250 * 2 ** attempt);
      for (const r of [0, 0.001, 0.25, 0.5, 0.75, 0.999, 0.9999999]) {
        const delay = backoffDelay(attempt, () => r);
        assert.ok(Number.isFinite(delay));
        assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}, random ${r}: ${delay} not in [${ceiling / 2}, ${ceiling}]`);
      }
    }
  });

  test("uses Math.random by default, within the bounds", () => {
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(0);
      assert.ok(delay >= 125 && delay <= 250, String(delay));
    }
  });

  test("the ceiling never shrinks as attempts grow", () => {
    let previous = 0;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const ceiling = backoffDelay(attempt, () => 1);
      assert.ok(ceiling >= previous);
      previous = ceiling;
    }
  });
});

describe("Connection", () => {
  test("start opens one socket on the URL with the hearth.v1 subprotocol", () => {
    const { connection, sockets } = harness();
    connection.start();
    assert.equal(sockets.length, 1);
    assert.equal(sockets[0].url, URL);
    assert.equal(sockets[0].protocol, "hearth.v1");
  });

  test("reports open and text frames; ignores binary frames", () => {
    const { connection, current, log } = harness();
    connection.start();
    current().serverOpens();
    assert.equal(log.opens, 1);
    assert.equal(connection.isOpen, true);
    current().serverSends('{"type":"ok"}');
    current().serverSends(new ArrayBuffer(4));
    assert.deepEqual(log.frames, ['{"type":"ok"}']);
  });

  test("send returns false when not open and true (with JSON) when open", () => {
    const { connection, current } = harness();
    assert.equal(connection.send({ type: "hello", token: "t" }), false, "before start");
    connection.start();
    assert.equal(connection.send({ type: "hello", token: "t" }), false, "while connecting");
    current().serverOpens();
    assert.equal(connection.send({ type: "hello", token: "t" }), true);
    assert.deepEqual(current().sent.map((text) => JSON.parse(text)), [{ type: "hello", token: "t" }]);
    current().closes(1006);
    assert.equal(connection.send({ type: "join", room: "r" }), false, "after a drop");
  });

  test("reconnects after a drop with the computed backoff delay", () => {
    const { connection, sockets, timers, current, log } = harness({ random: () => 0.5 });
    connection.start();
    current().serverOpens();
    current().closes(1006);
    const expected = backoffDelay(0, () => 0.5);
    assert.deepEqual(log.closes, [{ code: 1006, reason: "", retryIn: expected }]);
    assert.deepEqual(timers.delays(), [expected]);
    assert.equal(sockets.length, 1, "not at once");
    timers.runAll();
    assert.equal(sockets.length, 2);
    assert.equal(sockets[1].protocol, "hearth.v1");
  });

  for (const code of [1001, 1006, 1008]) {
    test(`reconnects after close ${code}`, () => {
      const { connection, sockets, timers, current } = harness();
      connection.start();
      current().serverOpens();
      current().closes(code);
      assert.equal(timers.pending.size, 1);
      timers.runAll();
      assert.equal(sockets.length, 2);
    });
  }

  test("the delay grows with each failed attempt", () => {
    const { connection, timers, current, log } = harness({ random: () => 1 });
    connection.start();
    for (let i = 0; i < 9; i += 1) {
      current().closes(1006);
      timers.runAll();
    }
    assert.deepEqual(log.closes.map((close) => close.retryIn), [250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  test("the attempt counter resets once the server signs the person in, not on a bare open", () => {
    const { connection, timers, current, log } = harness({ random: () => 1 });
    connection.start();
    current().closes(1006);
    timers.runAll();
    current().closes(1006);
    timers.runAll();
    current().closes(1006);
    timers.runAll();
    assert.deepEqual(log.closes.map((close) => close.retryIn), [250, 500, 1000]);
    current().serverOpens();
    current().closes(1008);
    assert.equal(log.closes[3].retryIn, 2000, "an open that ends at once does not reset the backoff");
    timers.runAll();
    current().serverOpens();
    connection.resetBackoff();
    current().closes(1001);
    assert.equal(log.closes[4].retryIn, 250, "back to the first delay after a welcome");
  });

  test("never reconnects after close 4001", () => {
    const { connection, sockets, timers, current, log } = harness();
    connection.start();
    current().serverOpens();
    current().closes(4001, "unauthorized");
    assert.deepEqual(log.closes, [{ code: 4001, reason: "unauthorized", retryIn: null }]);
    assert.equal(timers.pending.size, 0);
    connection.nudge();
    timers.runAll();
    assert.equal(sockets.length, 1);
  });

  test("stop() closes the socket normally and prevents any reconnect", () => {
    const { connection, sockets, timers, current, log } = harness();
    connection.start();
    current().serverOpens();
    const socket = current();
    connection.stop();
    assert.equal(socket.closeCalls.length, 1);
    assert.equal(socket.closeCalls[0].code, 1000);
    // The browser then reports the close; nothing follows.
    socket.closes(1000);
    assert.equal(timers.pending.size, 0);
    timers.runAll();
    connection.nudge();
    assert.equal(sockets.length, 1);
    assert.equal(connection.isOpen, false);
    assert.equal(connection.send({ type: "join" }), false);
    assert.deepEqual(log.closes, [], "a stop is not reported as a drop");
  });

  test("stop() while a reconnect is waiting cancels it", () => {
    const { connection, sockets, timers, current } = harness();
    connection.start();
    current().closes(1006);
    assert.equal(timers.pending.size, 1);
    connection.stop();
    assert.equal(timers.pending.size, 0);
    connection.nudge();
    assert.equal(sockets.length, 1);
  });

  test("start() after stop() connects again", () => {
    const { connection, sockets, current } = harness();
    connection.start();
    current().serverOpens();
    connection.stop();
    connection.start();
    assert.equal(sockets.length, 2);
    current().serverOpens();
    assert.equal(connection.isOpen, true);
  });

  test("nudge() reconnects at once when a reconnect is pending", () => {
    const { connection, sockets, timers, current } = harness({ random: () => 1 });
    connection.start();
    for (let i = 0; i < 6; i += 1) {
      current().closes(1006);
      timers.runAll();
    }
    current().closes(1006);
    assert.deepEqual(timers.delays(), [16_000]);
    const before = sockets.length;
    connection.nudge();
    assert.equal(sockets.length, before + 1, "a new socket without waiting");
    assert.equal(timers.pending.size, 0, "the waiting timer is cancelled");
    timers.runAll();
    assert.equal(sockets.length, before + 1, "and no second socket from the old timer");
  });

  test("nudge() does nothing while connected or connecting", () => {
    const { connection, sockets, current } = harness();
    connection.start();
    connection.nudge();
    assert.equal(sockets.length, 1, "connecting");
    current().serverOpens();
    connection.nudge();
    assert.equal(sockets.length, 1, "open");
  });

  test("restart() drops the socket and reconnects after the backoff", () => {
    const { connection, sockets, timers, current, log } = harness();
    connection.start();
    current().serverOpens();
    const socket = current();
    connection.restart();
    assert.equal(socket.closeCalls.length, 1);
    socket.closes(socket.closeCalls[0].code, socket.closeCalls[0].reason);
    assert.equal(log.closes.length, 1);
    assert.notEqual(log.closes[0].retryIn, null);
    timers.runAll();
    assert.equal(sockets.length, 2);
  });

  test("events of a replaced socket are ignored", () => {
    const { connection, sockets, timers, current, log } = harness();
    connection.start();
    const old = current();
    old.closes(1006);
    timers.runAll();
    assert.equal(sockets.length, 2);
    old.serverSends('{"type":"stale"}');
    old.closes(1006);
    assert.deepEqual(log.frames, []);
    assert.equal(log.closes.length, 1, "only the first close was reported");
    assert.equal(timers.pending.size, 0);
  });

  test("a WebSocket constructor that throws schedules a reconnect", () => {
    let calls = 0;
    const { FakeSocket } = fakeSocketClass();
    class Flaky extends FakeSocket {
      constructor(url, protocol) {
        calls += 1;
        if (calls === 1) throw new Error("SecurityError");
        super(url, protocol);
      }
    }
    const { connection, timers, log } = harness({ WebSocketImpl: Flaky });
    connection.start();
    assert.equal(log.closes.length, 1);
    assert.equal(log.closes[0].code, 1006);
    assert.equal(timers.pending.size, 1);
    timers.runAll();
    assert.equal(calls, 2);
  });
});
