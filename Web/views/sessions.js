// The sessions screen: today's and the next sessions, each with a live state and a "Join <title>" button.

import { Timing, roomTiming, sessionTimes, timingLabel, zoneDiffers } from "../format.js";
import { parseTime } from "../protocol.js";
import { el, setText, show, srOnly } from "./dom.js";

const KIND_LABELS = {
  group: "Group therapy",
  relapse_prevention: "Relapse prevention",
  skills: "Life skills",
  individual: "Individual counseling",
  family: "Family session",
  multi_family: "Multi-family group",
  peer: "Peer meeting",
};

/** Draws the list; `onJoin(roomId)` is called when a Join button is pressed. */
export function renderSessions(ui, state, now, onJoin) {
  const name = state.user?.name;
  setText(ui.greeting, name ? `Signed in as ${name}${name.endsWith(".") ? "" : "."}` : "");
  const rooms = state.rooms.filter((room) => roomTiming(room, now).state !== Timing.CLOSED || isToday(room, now));
  const today = rooms.filter((room) => isToday(room, now));
  const later = rooms.filter((room) => !isToday(room, now));
  const key = JSON.stringify([rooms.map((room) => [room.id, timingLabel(room, now), roomTiming(room, now).state]), state.version > 0]);
  if (ui.sessions.dataset.key === key) return;
  ui.sessions.dataset.key = key;
  const groups = [];
  if (today.length) groups.push(group("Today", today, now, onJoin));
  if (later.length) groups.push(group("Coming up", later, now, onJoin));
  // Redrawn when a label changes ("opens in 12 min"): keep the keyboard on the Join button it was on.
  const focused = ui.sessions.contains(document.activeElement) ? document.activeElement.dataset.room : null;
  ui.sessions.replaceChildren(...groups);
  if (focused) ui.sessions.querySelector(`button.join[data-room="${CSS.escape(focused)}"]`)?.focus();
  show(ui.noSessions, rooms.length === 0);
}

function group(title, rooms, now, onJoin) {
  const id = `sessions-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return el("section", { class: "session-group", attrs: { "aria-labelledby": id } }, [
    el("h2", { text: title, attrs: { id } }),
    el("ul", { class: "session-list" }, rooms.map((room) => card(room, now, onJoin))),
  ]);
}

function card(room, now, onJoin) {
  const timing = roomTiming(room, now);
  const title = room.title ?? "Session";
  const kind = KIND_LABELS[room.kind];
  const lines = [el("p", { class: "session-when", text: sessionTimes(room) })];
  if (zoneDiffers(room)) {
    lines.push(el("p", { class: "session-local", text: `Your time: ${sessionTimes(room, Intl.DateTimeFormat().resolvedOptions().timeZone)}` }));
  }
  const facilitators = Array.isArray(room.facilitators) ? room.facilitators.map((person) => person.name).join(", ") : "";
  const meta = [kind && !title.toLowerCase().includes(kind.toLowerCase()) ? kind : null, facilitators ? `with ${facilitators}` : null].filter(Boolean).join(" \u00b7 ");
  if (meta) lines.push(el("p", { class: "session-meta", text: meta }));
  if (room.admission === "waiting") lines.push(el("p", { class: "session-meta", text: "You wait briefly until the counselor lets you in." }));

  const action = timing.state === Timing.OPEN
    ? el("button", { class: "join", attrs: { type: "button", "data-room": room.id }, on: { click: () => onJoin(room.id) } }, [
      document.createTextNode("Join"), srOnly(` ${title}`),
    ])
    : null;
  return el("li", { class: `session-card ${timing.state}`, attrs: { "data-room": room.id } }, [
    el("div", { class: "session-top" }, [
      el("h3", { class: "session-title", text: title }),
      el("p", { class: `session-state ${timing.state}`, text: timingLabel(room, now) }),
    ]),
    ...lines,
    action,
  ]);
}

function isToday(room, now) {
  const starts = parseTime(room.starts);
  if (!starts) return false;
  const format = (date) => {
    try {
      return new Intl.DateTimeFormat("en-CA", { timeZone: room.time_zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
    } catch {
      return date.toDateString();
    }
  };
  return format(starts) === format(new Date(now)) || roomTiming(room, now).state === Timing.OPEN;
}
