// Hearth browser client (first step): sign in with the invite token from the link and list your sessions.
// Everything the server sends is shown with textContent, never as HTML. Nothing is stored on the device:
// the token lives only in this page's memory and is removed from the address bar at once.

import { Close, Frame, hello, parseFrame, parseTime, socketURL, SUBPROTOCOL } from "./protocol.js";

const $ = (id) => document.getElementById(id);

const ui = {
  status: $("status"),
  user: $("user"),
  error: $("error"),
  retryLine: $("retry-line"),
  retry: $("retry"),
  noInvite: $("no-invite"),
  roomsSection: $("rooms-section"),
  rooms: $("rooms"),
  noRooms: $("no-rooms"),
};

const KIND_LABELS = {
  group: "Group therapy",
  relapse_prevention: "Relapse prevention group",
  skills: "Life skills workshop",
  individual: "Individual counseling",
  family: "Family session",
  multi_family: "Multi-family group",
  peer: "Peer meeting",
};

/** The invite token, in memory only. Cleared when the server refuses it. */
let token = takeInviteToken();
let socket = null;
/** The rooms of the last welcome, re-rendered every half minute so "open now" stays current. */
let rooms = [];
let refreshTimer = null;

/** Reads `#invite=TOKEN` and removes it from the address bar (and the history entry) before anything else. */
function takeInviteToken() {
  const hash = window.location.hash.replace(/^#/, "");
  if (!hash) return null;
  let found = null;
  for (const part of hash.split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq) === "invite") {
      try {
        found = decodeURIComponent(part.slice(eq + 1)).trim();
      } catch {
        found = null;
      }
    }
  }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  return found || null;
}

function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

function connect() {
  showError("");
  ui.retryLine.hidden = true;
  setStatus("connecting", "Connecting\u2026");
  let ws;
  try {
    ws = new WebSocket(socketURL(), SUBPROTOCOL);
  } catch {
    setStatus("error", "Error: could not open a connection");
    return;
  }
  socket = ws;
  let sawError = false;

  ws.addEventListener("open", () => {
    if (socket !== ws) return;
    setStatus("connected", "Connected, signing in\u2026");
    ws.send(hello(token));
  });

  ws.addEventListener("message", (event) => {
    if (socket !== ws || typeof event.data !== "string") return;
    const frame = parseFrame(event.data);
    if (frame) handleFrame(frame);
  });

  ws.addEventListener("error", () => {
    if (socket !== ws) return;
    sawError = true;
    setStatus("error", "Error: the connection failed");
  });

  ws.addEventListener("close", (event) => {
    if (socket !== ws) return;
    socket = null;
    const reason = event.reason ? ` (${event.reason})` : "";
    if (sawError) setStatus("error", `Error: the connection failed (closed, code ${event.code}${reason})`);
    else setStatus("closed", `Closed, code ${event.code}${reason}`);
    if (event.code === Close.UNAUTHORIZED) {
      // The server already said why in an error frame; this token will not work again.
      token = null;
      if (ui.error.hidden) showError("Your invite was not accepted. Ask your counselor for a new invite link.");
      return;
    }
    ui.retryLine.hidden = false;
  });
}

function handleFrame(frame) {
  switch (frame.type) {
    case Frame.WELCOME:
      setStatus("connected", "Connected");
      showError("");
      ui.user.textContent = `Signed in as ${frame.user?.name ?? "(no name)"}`;
      ui.user.hidden = false;
      rooms = Array.isArray(frame.rooms) ? frame.rooms : [];
      renderRooms({ trustServer: true });
      clearInterval(refreshTimer);
      refreshTimer = setInterval(() => renderRooms({ trustServer: false }), 30_000);
      break;
    case Frame.ERROR:
      showError(typeof frame.message === "string" ? frame.message : "The server refused a request.");
      break;
    default:
      // joined, message, presence...: used by the full client, not by this page.
      break;
  }
}

/** Formats a room's start and end in the room's own time zone, e.g. "Mon, Nov 23, 6:00 – 9:00 PM PST". */
function formatWhen(room, starts, ends) {
  try {
    const format = new Intl.DateTimeFormat(undefined, {
      timeZone: room.time_zone,
      weekday: "short",
      month: "short",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
      timeZoneName: "short",
    });
    return format.formatRange ? format.formatRange(starts, ends) : `${format.format(starts)} \u2013 ${format.format(ends)}`;
  } catch {
    // An unknown zone name: show what the server sent.
    return `${room.starts} \u2013 ${room.ends}`;
  }
}

function formatClock(room, date) {
  try {
    return new Intl.DateTimeFormat(undefined, {
      timeZone: room.time_zone, weekday: "short", hour: "numeric", minute: "2-digit",
    }).format(date);
  } catch {
    return date.toISOString();
  }
}

/**
 * Whether the room's chat is open now. Right after welcome the server's `open` decides (this device's clock may
 * be wrong); later renders compare `opens` and `closes` with the clock so the page does not go stale.
 */
function openState(room, now, trustServer) {
  const opens = parseTime(room.opens);
  const closes = parseTime(room.closes);
  if (!opens || !closes) return { open: room.open === true, text: room.open ? "Open now" : "Closed" };
  const open = trustServer && typeof room.open === "boolean" ? room.open : now >= opens && now < closes;
  if (open) return { open, text: `Open now, until ${formatClock(room, closes)}` };
  if (now < opens) return { open, text: `Not open yet: opens ${formatClock(room, opens)}` };
  if (now >= closes) return { open, text: "Closed: this session has ended" };
  return { open, text: "Closed right now" };
}

function renderRooms({ trustServer }) {
  const now = new Date();
  const items = rooms.map((room) => {
    const li = document.createElement("li");
    li.className = "room";

    const head = document.createElement("div");
    head.className = "room-head";
    const title = document.createElement("h3");
    title.className = "room-title";
    title.textContent = room.title ?? "(untitled session)";
    const state = openState(room, now, trustServer);
    const badge = document.createElement("p");
    badge.className = state.open ? "room-state open" : "room-state";
    badge.textContent = state.text;
    head.append(title, badge);

    const meta = document.createElement("p");
    meta.className = "room-meta";
    const when = document.createElement("span");
    when.className = "room-when";
    const starts = parseTime(room.starts);
    const ends = parseTime(room.ends);
    when.textContent = starts && ends ? formatWhen(room, starts, ends) : `${room.starts ?? ""} \u2013 ${room.ends ?? ""}`;
    meta.append(when);
    // The kind, unless the title already says it ("Relapse prevention group").
    const kindLabel = KIND_LABELS[room.kind] ?? String(room.kind ?? "");
    if (kindLabel && !String(room.title ?? "").toLowerCase().includes(kindLabel.toLowerCase())) {
      const separator = document.createElement("span");
      separator.className = "separator";
      separator.setAttribute("aria-hidden", "true");
      separator.textContent = " \u00b7 ";
      const kind = document.createElement("span");
      kind.className = "room-kind";
      kind.textContent = kindLabel;
      meta.append(separator, kind);
    }

    li.append(head, meta);
    return li;
  });
  ui.rooms.replaceChildren(...items);
  ui.noRooms.hidden = rooms.length > 0;
  ui.roomsSection.hidden = false;
}

ui.retry.addEventListener("click", () => {
  if (token && !socket) connect();
});

// Opening an invite link in a tab that already shows this page only changes the hash: no reload.
window.addEventListener("hashchange", () => {
  const fresh = takeInviteToken();
  if (!fresh) return;
  token = fresh;
  if (socket) socket.close(1000, "new invite");
  socket = null;
  // Forget what the previous sign-in showed: the new link may be someone else's.
  clearInterval(refreshTimer);
  rooms = [];
  ui.noInvite.hidden = true;
  ui.user.hidden = true;
  ui.roomsSection.hidden = true;
  connect();
});

if (token) {
  connect();
} else {
  setStatus("idle", "Not connected");
  ui.noInvite.hidden = false;
}
