// What the tab keeps (Web/storage.js): the invitation token taken from the address bar at once, and the saved
// state in a storage object that may be missing, full or disabled.

import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { clearAll, load, store, takeInviteToken } from "../../Web/storage.js";
import { createState, savedState } from "../../Web/store.js";

/** A location as window.location has it. */
function locationOf(url) {
  const parsed = new URL(url);
  return { href: parsed.href, hash: parsed.hash, pathname: parsed.pathname, search: parsed.search, host: parsed.host, protocol: parsed.protocol };
}

/** A history that records replaceState. */
function fakeHistory() {
  const calls = [];
  return { calls, replaceState: (...args) => calls.push(args) };
}

/** A Storage with the methods storage.js uses. */
function memoryStorage() {
  const items = new Map();
  return {
    items,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    clear: () => items.clear(),
  };
}

/** A Storage that refuses everything (Safari private mode, disabled storage, quota exceeded). */
function brokenStorage() {
  const refuse = () => {
    throw new Error("SecurityError: storage is disabled");
  };
  return { getItem: refuse, setItem: refuse, removeItem: refuse, clear: refuse };
}

describe("takeInviteToken", () => {
  test("reads #invite=TOKEN and removes the fragment from the address and history entry", () => {
    const history = fakeHistory();
    const token = takeInviteToken(locationOf("https://hearth.example/?lang=en#invite=hth_yMJcqJtCPXj"), history);
    assert.equal(token, "hth_yMJcqJtCPXj");
    assert.equal(history.calls.length, 1);
    const [stateArg, , url] = history.calls[0];
    assert.equal(stateArg, null);
    assert.equal(url, "/?lang=en");
    assert.ok(!url.includes("#") && !url.includes("hth_"), "the token leaves the address bar");
  });

  test("the token is URL-decoded", () => {
    const history = fakeHistory();
    assert.equal(takeInviteToken(locationOf("https://hearth.example/#invite=hth_a%2Bb%2Fc%3D%3D"), history), "hth_a+b/c==");
  });

  test("other fragment parts are ignored", () => {
    const history = fakeHistory();
    const token = takeInviteToken(locationOf("https://hearth.example/join#room=r_1&invite=hth_abc&utm=mail"), history);
    assert.equal(token, "hth_abc");
    assert.equal(history.calls[0][2], "/join");
  });

  test("no fragment: null, and the address is left alone", () => {
    const history = fakeHistory();
    assert.equal(takeInviteToken(locationOf("https://hearth.example/"), history), null);
    assert.deepEqual(history.calls, []);
  });

  test("a fragment without invite: null", () => {
    const history = fakeHistory();
    assert.equal(takeInviteToken(locationOf("https://hearth.example/#section-2"), history), null);
    assert.equal(takeInviteToken(locationOf("https://hearth.example/#inviter=hth_x"), history), null);
    assert.equal(takeInviteToken(locationOf("https://hearth.example/#=hth_x"), history), null);
  });

  test("an empty invite is null", () => {
    const history = fakeHistory();
    assert.equal(takeInviteToken(locationOf("https://hearth.example/#invite="), history), null);
    assert.equal(takeInviteToken(locationOf("https://hearth.example/#invite=%20%20"), history), null);
  });

  test("whitespace around a pasted token is dropped", () => {
    const history = fakeHistory();
    assert.equal(takeInviteToken(locationOf("https://hearth.example/#invite=%20hth_abc%0A"), history), "hth_abc");
  });

  test("a malformed escape gives null, and the broken token still leaves the address bar", () => {
    const history = fakeHistory();
    assert.equal(takeInviteToken(locationOf("https://hearth.example/#invite=hth_%E0%A4%A"), history), null);
    assert.equal(history.calls.length, 1);
    assert.equal(history.calls[0][2], "/");
  });
});

describe("load, store, clearAll", () => {
  test("store then load gives the value back", () => {
    const storage = memoryStorage();
    const value = { token: "hth_abc", roomId: "r_1", outbox: [{ clientId: "c-1", room: "r_1", body: "hi \u{1F44D}\u{1F3FD}", status: "queued" }], checkinOffered: ["r_0"] };
    store(value, storage);
    assert.deepEqual(load(storage), value);
  });

  test("load of an empty storage is an empty object", () => {
    assert.deepEqual(load(memoryStorage()), {});
  });

  test("load of something that is not a saved object is an empty object", () => {
    for (const text of ["{not json", "null", "42", "\"hth_abc\"", "true", ""]) {
      const storage = memoryStorage();
      storage.items.set("hearth", text);
      assert.deepEqual(load(storage), {}, JSON.stringify(text));
    }
  });

  test("clearAll forgets everything", () => {
    const storage = memoryStorage();
    store({ token: "hth_abc" }, storage);
    storage.setItem("other", "x");
    clearAll(storage);
    assert.deepEqual(load(storage), {});
    assert.equal(storage.items.size, 0);
  });

  test("a storage that throws: load is empty, store and clearAll do not throw", () => {
    const storage = brokenStorage();
    assert.deepEqual(load(storage), {});
    assert.doesNotThrow(() => store({ token: "hth_abc" }, storage));
    assert.doesNotThrow(() => clearAll(storage));
  });

  test("a storage that is full: store does not throw and the old value stays readable", () => {
    const storage = memoryStorage();
    store({ token: "hth_old" }, storage);
    storage.setItem = () => {
      throw new Error("QuotaExceededError");
    };
    assert.doesNotThrow(() => store({ token: "hth_new", outbox: [] }, storage));
    assert.deepEqual(load(storage), { token: "hth_old" });
  });

  test("no storage at all (sessionStorage missing): load is empty, store does not throw", () => {
    assert.deepEqual(load(undefined), {});
    assert.doesNotThrow(() => store({ token: "x" }, undefined));
    assert.doesNotThrow(() => clearAll(undefined));
  });

  test("the reducer's saved state survives a trip through storage", () => {
    const storage = memoryStorage();
    const state = createState({ token: "hth_abc", roomId: "r_1", checkinOffered: ["r_1"], outbox: [{ clientId: "c-1", room: "r_1", body: "hello", status: "sending", createdAt: 1 }] });
    store(savedState(state), storage);
    const restored = createState(load(storage));
    assert.equal(restored.token, "hth_abc");
    assert.equal(restored.room.id, "r_1");
    assert.ok(restored.checkinOffered.has("r_1"));
    assert.deepEqual(restored.outbox.map((item) => [item.clientId, item.body, item.status]), [["c-1", "hello", "queued"]]);
  });
});
