// Times as a person reads them: a session in the clinic's time (and in the person's own when it differs), a live
// "opens in 12 min" / "open now", and message times. Pure functions, tested with `node --test`.

import { parseTime } from "./protocol.js";

/** Where a session's chat window stands at `now`. */
export const Timing = Object.freeze({ UPCOMING: "upcoming", OPEN: "open", CLOSED: "closed" });

/** The state of a ROOM's chat window at `now` (a Date or ms), computed from `opens` and `closes`. */
export function roomTiming(room, now) {
  const at = typeof now === "number" ? now : now.getTime();
  const opens = parseTime(room.opens);
  const closes = parseTime(room.closes);
  if (!opens || !closes) return { state: room.open ? Timing.OPEN : Timing.CLOSED, msUntilOpen: 0 };
  if (at < opens.getTime()) return { state: Timing.UPCOMING, msUntilOpen: opens.getTime() - at, opens, closes };
  if (at < closes.getTime()) return { state: Timing.OPEN, msUntilOpen: 0, opens, closes };
  return { state: Timing.CLOSED, msUntilOpen: 0, opens, closes };
}

/** "Open now", "Opens in 12 min", "Opens at 5:45 PM", "Opens Thu, Dec 3, 5:45 PM" or "Ended". */
export function timingLabel(room, now, locale) {
  const timing = roomTiming(room, now);
  if (timing.state === Timing.OPEN) return "Open now";
  if (timing.state === Timing.CLOSED) return "Ended";
  const minutes = Math.ceil(timing.msUntilOpen / 60_000);
  if (minutes <= 60) return `Opens in ${minutes} min`;
  const sameDay = dayKey(timing.opens, room.time_zone) === dayKey(new Date(typeof now === "number" ? now : now.getTime()), room.time_zone);
  return `Opens ${sameDay ? "at " : ""}${formatIn(timing.opens, room.time_zone, locale, sameDay ? clockOnly : dayAndClock)}`;
}

const clockOnly = { hour: "numeric", minute: "2-digit" };
const dayAndClock = { weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" };

function dayKey(date, zone) {
  return formatIn(date, zone, "en-CA", { year: "numeric", month: "2-digit", day: "2-digit" });
}

function formatIn(date, zone, locale, options) {
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: zone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, options).format(date);
  }
}

/** "Mon, Nov 30, 6:00 – 9:00 PM PST": a session's time in the clinic's zone. */
export function sessionTimes(room, zone = room.time_zone, locale) {
  const starts = parseTime(room.starts);
  const ends = parseTime(room.ends);
  if (!starts || !ends) return `${room.starts ?? ""} \u2013 ${room.ends ?? ""}`;
  try {
    const format = new Intl.DateTimeFormat(locale, { ...dayAndClock, timeZoneName: "short", timeZone: zone });
    // Across a daylight-saving change (1 to 3 AM), formatRange names one zone for both ends: give each its own.
    const zoneName = (date) => format.formatToParts(date).find((part) => part.type === "timeZoneName")?.value;
    if (zoneName(starts) !== zoneName(ends)) {
      const sameDay = dayKey(starts, zone) === dayKey(ends, zone);
      const end = sameDay ? new Intl.DateTimeFormat(locale, { ...clockOnly, timeZoneName: "short", timeZone: zone }) : format;
      return `${format.format(starts)} \u2013 ${end.format(ends)}`;
    }
    return format.formatRange(starts, ends);
  } catch {
    return `${starts.toISOString()} \u2013 ${ends.toISOString()}`;
  }
}

/** Whether the device's zone shows a session at another clock time than the clinic's. */
export function zoneDiffers(room, deviceZone = Intl.DateTimeFormat().resolvedOptions().timeZone) {
  if (!room.time_zone || room.time_zone === deviceZone) return false;
  const starts = parseTime(room.starts);
  if (!starts) return false;
  return formatIn(starts, room.time_zone, "en-US", clockOnly) !== formatIn(starts, deviceZone, "en-US", clockOnly);
}

/** "6:04 PM": a message's time on this device. */
export function messageTime(ts, locale) {
  const date = parseTime(ts);
  return date ? new Intl.DateTimeFormat(locale, clockOnly).format(date) : "";
}

/** "5 min" / "1 h 20 min" for a duration in ms, rounded up to the minute. */
export function minutesText(ms) {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}
