// The wire names and helpers (Web/protocol.js) the other modules build on: request frames, the socket URL,
// parsing server frames and wire times (PROTOCOL.md sections 3, 5, 7, 11).

import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { Close, SUBPROTOCOL, isStaff, parseFrame, parseTime, request, socketURL } from "../../Web/protocol.js";

describe("protocol", () => {
  test("the subprotocol and the unauthorized close code", () => {
    assert.equal(SUBPROTOCOL, "hearth.v1");
    assert.equal(Close.UNAUTHORIZED, 4001);
  });

  test("request leaves out undefined fields and puts the ref last", () => {
    const frame = request("join", { room: "r_1", after_seq: undefined }, "j1");
    assert.deepEqual(frame, { type: "join", room: "r_1", ref: "j1" });
    assert.equal(JSON.stringify(frame), '{"type":"join","room":"r_1","ref":"j1"}');
    assert.deepEqual(request("join", { room: "r_1", after_seq: 0 }), { type: "join", room: "r_1", after_seq: 0 }, "0 is a value, not absent");
    assert.deepEqual(request("leave", { room: "r_1" }), { type: "leave", room: "r_1" });
  });

  test("socketURL follows the page: wss for https, ws for http, same host and port", () => {
    assert.equal(socketURL({ protocol: "https:", host: "hearth.example" }), "wss://hearth.example/ws");
    assert.equal(socketURL({ protocol: "http:", host: "localhost:8080" }), "ws://localhost:8080/ws");
  });

  test("parseFrame accepts JSON objects with a string type and nothing else", () => {
    assert.deepEqual(parseFrame('{"type":"ok","ref":"a1"}'), { type: "ok", ref: "a1" });
    for (const text of ["not json", "null", "[]", '["ok"]', "42", '"ok"', "{}", '{"type":3}']) {
      assert.equal(parseFrame(text), null, text);
    }
  });

  test("parseFrame keeps unknown fields (clients ignore what they do not know)", () => {
    assert.equal(parseFrame('{"type":"message","seq":4,"future":true}').future, true);
  });

  test("parseTime reads offsets with and without a colon, and UTC", () => {
    const expected = Date.parse("2026-11-24T02:00:00Z");
    assert.equal(parseTime("2026-11-23T18:00:00-08:00").getTime(), expected);
    assert.equal(parseTime("2026-11-23T18:00:00-0800").getTime(), expected);
    assert.equal(parseTime("2026-11-24T02:00:00Z").getTime(), expected);
    assert.equal(parseTime("2026-11-22T08:40:52.461Z").getTime(), Date.parse("2026-11-22T08:40:52.461Z"));
  });

  test("parseTime of something else is null", () => {
    for (const value of [undefined, null, 0, "", "tomorrow", "2026-13-45T99:00:00Z"]) assert.equal(parseTime(value), null, String(value));
  });

  test("isStaff: counselors and admins", () => {
    assert.equal(isStaff("counselor"), true);
    assert.equal(isStaff("admin"), true);
    assert.equal(isStaff("participant"), false);
    assert.equal(isStaff("family"), false);
    assert.equal(isStaff(undefined), false);
  });
});
