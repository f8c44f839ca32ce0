// Times as a person reads them (Web/format.js): the chat window's state and label, a session's time in the
// clinic's zone across daylight-saving changes, and the device zone. America/Los_Angeles falls back on
// 2026-11-01 (02:00 PDT → 01:00 PST) and springs forward on 2026-03-08 (02:00 PST → 03:00 PDT).

// The device zone for messageTime and zoneDiffers' default: set before any formatting (Node re-reads TZ).
process.env.TZ = "America/New_York";

import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { Timing, messageTime, minutesText, roomTiming, sessionTimes, timingLabel, zoneDiffers } from "../../Web/format.js";

const LA = "America/Los_Angeles";
const MINUTE = 60_000;

/** Intl puts narrow and thin no-break spaces around times and ranges; a person reads them as spaces. */
function plain(text) {
  return text.replace(/[\u202f\u2009\u00a0]/g, " ");
}

/** A session on the fall-back day: 6:00 to 7:30 PM PST, chat 5:45 to 7:40 PM. */
const FALL_BACK_EVENING = Object.freeze({
  id: "r_fallback",
  starts: "2026-11-01T18:00:00-08:00",
  ends: "2026-11-01T19:30:00-08:00",
  opens: "2026-11-01T17:45:00-08:00",
  closes: "2026-11-01T19:40:00-08:00",
  time_zone: LA,
  open: false,
});

const at = (text) => Date.parse(text);

describe("roomTiming", () => {
  test("upcoming before opens, open from opens, closed from closes", () => {
    const room = FALL_BACK_EVENING;
    const before = roomTiming(room, at("2026-11-01T17:33:00-08:00"));
    assert.equal(before.state, Timing.UPCOMING);
    assert.equal(before.msUntilOpen, 12 * MINUTE);
    assert.equal(roomTiming(room, at(room.opens) - 1).state, Timing.UPCOMING);
    assert.equal(roomTiming(room, at(room.opens)).state, Timing.OPEN);
    assert.equal(roomTiming(room, at(room.closes) - 1).state, Timing.OPEN);
    assert.equal(roomTiming(room, at(room.closes)).state, Timing.CLOSED);
  });

  test("takes a Date as well as milliseconds", () => {
    assert.equal(roomTiming(FALL_BACK_EVENING, new Date("2026-11-01T18:30:00-08:00")).state, Timing.OPEN);
  });

  test("times without a colon in the offset are read too", () => {
    const room = { ...FALL_BACK_EVENING, opens: "2026-11-01T17:45:00-0800", closes: "2026-11-01T19:40:00-0800" };
    assert.equal(roomTiming(room, at("2026-11-01T17:44:00-08:00")).state, Timing.UPCOMING);
    assert.equal(roomTiming(room, at("2026-11-01T17:45:00-08:00")).state, Timing.OPEN);
  });

  test("without usable times, the room's own open flag decides", () => {
    assert.equal(roomTiming({ open: true }, Date.now()).state, Timing.OPEN);
    assert.equal(roomTiming({ open: false, opens: "soon", closes: "later" }, Date.now()).state, Timing.CLOSED);
  });
});

describe("timingLabel", () => {
  test("Opens in 12 min, rounded up to the minute", () => {
    assert.equal(timingLabel(FALL_BACK_EVENING, at("2026-11-01T17:33:00-08:00"), "en-US"), "Opens in 12 min");
    assert.equal(timingLabel(FALL_BACK_EVENING, at("2026-11-01T17:33:30-08:00"), "en-US"), "Opens in 12 min");
    assert.equal(timingLabel(FALL_BACK_EVENING, at("2026-11-01T17:44:59-08:00"), "en-US"), "Opens in 1 min");
  });

  test("Open now while the window is open", () => {
    assert.equal(timingLabel(FALL_BACK_EVENING, at("2026-11-01T17:45:00-08:00"), "en-US"), "Open now");
    assert.equal(timingLabel(FALL_BACK_EVENING, at("2026-11-01T19:39:59-08:00"), "en-US"), "Open now");
  });

  test("Ended once it closed", () => {
    assert.equal(timingLabel(FALL_BACK_EVENING, at("2026-11-01T19:40:00-08:00"), "en-US"), "Ended");
    assert.equal(timingLabel(FALL_BACK_EVENING, at("2026-11-02T09:00:00-08:00"), "en-US"), "Ended");
  });

  test("later the same day: the clinic's clock time, in standard time on the fall-back day", () => {
    // 00:30 PDT, before the clocks go back: the window opens at 5:45 PM PST the same day.
    assert.equal(plain(timingLabel(FALL_BACK_EVENING, at("2026-11-01T00:30:00-07:00"), "en-US")), "Opens at 5:45 PM");
    // 01:30 PST, the repeated hour.
    assert.equal(plain(timingLabel(FALL_BACK_EVENING, at("2026-11-01T01:30:00-08:00"), "en-US")), "Opens at 5:45 PM");
  });

  test("a later day: weekday, date and clinic time", () => {
    assert.equal(plain(timingLabel(FALL_BACK_EVENING, at("2026-10-29T10:00:00-07:00"), "en-US")), "Opens Sun, Nov 1, 5:45 PM");
  });

  test("the evening before, in the clinic's zone, is another day even when UTC has moved on", () => {
    // 23:30 PDT on Oct 31 is already Nov 1 in UTC (and in New York, the device zone here).
    assert.equal(plain(timingLabel(FALL_BACK_EVENING, at("2026-10-31T23:30:00-07:00"), "en-US")), "Opens Sun, Nov 1, 5:45 PM");
  });

  test("the spring-forward day", () => {
    const room = { ...FALL_BACK_EVENING, opens: "2026-03-08T17:45:00-07:00", closes: "2026-03-08T19:40:00-07:00" };
    assert.equal(plain(timingLabel(room, at("2026-03-08T01:30:00-08:00"), "en-US")), "Opens at 5:45 PM");
    assert.equal(timingLabel(room, at("2026-03-08T17:33:00-07:00"), "en-US"), "Opens in 12 min");
  });
});

describe("sessionTimes", () => {
  test("a session on the fall-back day shows standard time", () => {
    assert.equal(plain(sessionTimes(FALL_BACK_EVENING, LA, "en-US")), "Sun, Nov 1, 6:00 – 7:30 PM PST");
  });

  test("the day before the fall-back shows daylight time", () => {
    const room = { ...FALL_BACK_EVENING, starts: "2026-10-31T18:00:00-07:00", ends: "2026-10-31T19:30:00-07:00" };
    assert.equal(plain(sessionTimes(room, LA, "en-US")), "Sat, Oct 31, 6:00 – 7:30 PM PDT");
  });

  test("the spring-forward day shows daylight time", () => {
    const room = { ...FALL_BACK_EVENING, starts: "2026-03-08T18:00:00-07:00", ends: "2026-03-08T19:30:00-07:00" };
    assert.equal(plain(sessionTimes(room, LA, "en-US")), "Sun, Mar 8, 6:00 – 7:30 PM PDT");
  });

  test("defaults to the session's own zone", () => {
    assert.equal(plain(sessionTimes(FALL_BACK_EVENING, undefined, "en-US")), "Sun, Nov 1, 6:00 – 7:30 PM PST");
  });

  test("in the device's zone when asked (New York)", () => {
    assert.equal(plain(sessionTimes(FALL_BACK_EVENING, "America/New_York", "en-US")), "Sun, Nov 1, 9:00 – 10:30 PM EST");
  });

  test("a session spanning the fall-back hour shows both offsets", () => {
    // 1:00 AM PDT to 1:30 AM PST is ninety minutes; "1:00 – 1:30 AM PST" would say thirty, an hour late.
    const room = { ...FALL_BACK_EVENING, starts: "2026-11-01T01:00:00-07:00", ends: "2026-11-01T01:30:00-08:00" };
    const text = plain(sessionTimes(room, LA, "en-US"));
    assert.match(text, /1:00 AM PDT/, text);
    assert.match(text, /1:30 AM PST/, text);
  });

  test("a session ending at the same clock time it started, an hour later, keeps its end", () => {
    const room = { ...FALL_BACK_EVENING, starts: "2026-11-01T01:30:00-07:00", ends: "2026-11-01T01:30:00-08:00" };
    const text = plain(sessionTimes(room, LA, "en-US"));
    assert.match(text, /PDT/, text);
    assert.match(text, /PST/, text);
  });

  test("a session spanning the spring-forward gap shows both offsets", () => {
    // 1:30 AM PST to 3:30 AM PDT is one hour; "1:30 – 3:30 AM PDT" would say two.
    const room = { ...FALL_BACK_EVENING, starts: "2026-03-08T01:30:00-08:00", ends: "2026-03-08T03:30:00-07:00" };
    const text = plain(sessionTimes(room, LA, "en-US"));
    assert.match(text, /1:30 AM PST/, text);
    assert.match(text, /3:30 AM PDT/, text);
  });

  test("an overnight session across the fall-back names both days and offsets", () => {
    const room = { ...FALL_BACK_EVENING, starts: "2026-10-31T23:00:00-07:00", ends: "2026-11-01T01:30:00-08:00" };
    assert.equal(plain(sessionTimes(room, LA, "en-US")), "Sat, Oct 31, 11:00 PM PDT – Sun, Nov 1, 1:30 AM PST");
  });

  test("unreadable times are shown as given", () => {
    assert.equal(sessionTimes({ starts: "tbd", ends: "later", time_zone: LA }, LA, "en-US"), "tbd \u2013 later");
  });
});

describe("zoneDiffers", () => {
  test("a device in New York sees another clock time than a Los Angeles clinic", () => {
    assert.equal(zoneDiffers(FALL_BACK_EVENING, "America/New_York"), true);
  });

  test("the same zone does not differ", () => {
    assert.equal(zoneDiffers(FALL_BACK_EVENING, LA), false);
  });

  test("a zone that shows the same clock time does not differ (Vancouver)", () => {
    assert.equal(zoneDiffers(FALL_BACK_EVENING, "America/Vancouver"), false);
  });

  test("Phoenix (no DST) matches Los Angeles in summer but not in winter", () => {
    const july = { ...FALL_BACK_EVENING, starts: "2026-07-06T18:00:00-07:00" };
    assert.equal(zoneDiffers(july, "America/Phoenix"), false);
    assert.equal(zoneDiffers(FALL_BACK_EVENING, "America/Phoenix"), true);
  });

  test("no zone on the room: nothing to compare", () => {
    assert.equal(zoneDiffers({ ...FALL_BACK_EVENING, time_zone: undefined }, "America/New_York"), false);
  });

  test("defaults to the device's zone", () => {
    assert.equal(zoneDiffers(FALL_BACK_EVENING), true, "the device here is in New York");
    assert.equal(zoneDiffers({ ...FALL_BACK_EVENING, time_zone: "America/New_York" }), false);
  });
});

describe("messageTime and minutesText", () => {
  test("messageTime shows the device's clock time", () => {
    assert.equal(plain(messageTime("2026-11-22T08:40:52.461Z", "en-US")), "3:40 AM");
    assert.equal(plain(messageTime("2026-07-22T22:05:00.000Z", "en-US")), "6:05 PM");
  });

  test("messageTime of an unreadable time is empty", () => {
    assert.equal(messageTime("not a time", "en-US"), "");
    assert.equal(messageTime(undefined, "en-US"), "");
  });

  test("minutesText rounds up to the minute and writes hours", () => {
    assert.equal(minutesText(0), "1 min");
    assert.equal(minutesText(1), "1 min");
    assert.equal(minutesText(5 * MINUTE), "5 min");
    assert.equal(minutesText(5 * MINUTE + 1), "6 min");
    assert.equal(minutesText(59 * MINUTE), "59 min");
    assert.equal(minutesText(60 * MINUTE), "1 h");
    assert.equal(minutesText(80 * MINUTE), "1 h 20 min");
    assert.equal(minutesText(120 * MINUTE), "2 h");
  });
});
