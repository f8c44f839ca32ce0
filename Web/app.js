// Hearth in the browser: wires connection, store (the rules) and views; owns quick exit, sign out, logoff.

import { Connection } from "./connection.js";
import { Close, Frame, isStaff, parseFrame, request, Request, socketURL } from "./protocol.js";
import { clearAll, load, store, takeInviteToken } from "./storage.js";
import { Effect, Event, Phase, createState, dispatch, inOpenSession, savedState, shouldLogOff } from "./store.js";
import { checkDraft } from "./text.js";
import { el, setText, show } from "./views/dom.js";
import { Gates } from "./views/gates.js";
import { MessageList } from "./views/messages.js";
import { helpLinks, renderComposerState, renderRoomChrome } from "./views/room.js";
import { renderSessions } from "./views/sessions.js";

const $ = (id) => document.getElementById(id);
/** The page's elements by camel-cased id (`composer-input` is `ui.composerInput`). */
const ui = Object.fromEntries(`
  main connection sign-out quick-exit help-lines signin-message greeting sessions-note sessions no-sessions
  waiting-heading waiting-title waiting-text waiting-back room-back room-title room-when people-summary
  people-list room-notice support support-text support-lines support-close pinned pinned-list load-earlier
  messages no-messages gates room-actions hand pass ask-private composer composer-input composer-send
  composer-count composer-note toast announcer report-dialog report-quote report-reason report-error
  private-dialog private-body private-error
`.split(/\s+/).filter(Boolean).map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]));
ui.banners = $("room-banners");
ui.scroll = $("messages-scroll");
ui.screens = { signin: $("screen-signin"), loading: $("screen-loading"), sessions: $("screen-sessions"), waiting: $("screen-waiting"), room: $("screen-room") };

/** What the page uses until /client.json answers (the server's defaults). */
const settings = {
  crisisResources: "If you are in danger or thinking about ending your life, call or text 988, or call 911 now.",
  helpLines: [{ label: "Suicide & Crisis Lifeline (call or text)", number: "988", text: true }, { label: "Emergency", number: "911", text: false }],
  quickExitURL: "/recipes.html",
  idleLogoffMinutes: 30,
  maxCharacters: 4000,
  maxFrameBytes: 65536,
};

// MARK: state

const invite = takeInviteToken();
let saved = load();
if (invite && invite !== saved.token) saved = { token: invite };
let state = createState(saved);
// Keep the link's token in this tab at once: a reload must not sign the person out.
if (invite) store(savedState(state));
let lastActivity = Date.now();
let signedOutMessage = null;

const connection = new Connection({
  url: socketURL(),
  onOpen: () => run({ type: Event.OPENED }),
  onFrameText: (text) => {
    const frame = parseFrame(text);
    if (frame) run({ type: Event.FRAME, frame });
  },
  onClose: ({ code, retryIn }) => {
    run({ type: Event.CLOSED, unauthorized: code === Close.UNAUTHORIZED });
    if (code === Close.UNAUTHORIZED) forgetScreen();
    retryAt = retryIn === null ? null : Date.now() + retryIn;
  },
});
let retryAt = null;

/** Applies an event and carries out its effects. */
function run(event) {
  const effects = dispatch(state, event);
  for (const effect of effects) {
    switch (effect.type) {
      case Effect.SEND:
        connection.send(effect.frame);
        break;
      case Effect.SAVE:
        store(savedState(state));
        break;
      case Effect.ANNOUNCE:
        announce(effect.text);
        break;
      case Effect.STOP:
        connection.stop();
        clearAll();
        break;
      case Effect.RECONNECT:
        connection.restart();
        break;
      case Effect.TOAST:
        toast(effect.text, effect.error);
        break;
      case Effect.NOTE:
        setText(ui.composerNote, effect.text);
        ui.composerNote.classList.add("error");
        break;
      default:
        break;
    }
  }
  if (event.type === Event.FRAME && event.frame.type === Frame.JOINED) stickToBottom = true;
  // A connection counts as good once the server signed the person in, not merely once the socket opened.
  if (event.type === Event.FRAME && event.frame.type === Frame.WELCOME) connection.resetBackoff();
  scheduleRender();
}

// MARK: drawing

let renderQueued = false;
let stickToBottom = true;
let shownRoomId = null;
const gates = new Gates({
  agree: () => run({ type: Event.AGREE }),
  checkin: (answers) => run({ type: Event.CHECKIN, ...answers, support: settings.crisisResources }),
  skip: () => run({ type: Event.SKIP_CHECKIN }),
});
const messageList = new MessageList(ui.messages, {
  retry: (clientId) => run({ type: Event.RETRY, clientId }),
  discard: (clientId) => run({ type: Event.DISCARD, clientId }),
  edit: (item) => {
    ui.composerInput.value = item.body;
    run({ type: Event.DISCARD, clientId: item.clientId });
    updateCount();
    ui.composerInput.focus();
  },
  report: openReport,
});

function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function currentScreen() {
  if (!state.token || state.fatal) return "signin";
  const room = state.room;
  if (!state.user) return "loading";
  if (!room || room.phase === Phase.REFUSED) return "sessions";
  const summary = state.rooms.find((entry) => entry.id === room.id);
  if (room.phase === Phase.WAITING || room.phase === Phase.DENIED) return "waiting";
  if (room.phase === Phase.JOINING && !room.hasSnapshot && summary?.admission === "waiting" && !isStaff(state.user.role)) return "waiting";
  return "room";
}

function render() {
  const now = Date.now();
  const screen = currentScreen();
  for (const [name, node] of Object.entries(ui.screens)) show(node, name === screen);
  renderConnection(now);
  show(ui.signOut, Boolean(state.token) && !state.fatal);
  if (screen === "signin") {
    const text = state.fatal ?? signedOutMessage ?? (state.token ? "" : "You are not signed in.");
    setText(ui.signinMessage, text);
  } else if (screen === "sessions") {
    const note = state.room?.phase === Phase.REFUSED ? state.room.message : null;
    setText(ui.sessionsNote, note ?? "");
    show(ui.sessionsNote, Boolean(note));
    renderSessions(ui, state, now, (roomId) => enter(roomId));
  } else if (screen === "waiting") {
    renderWaiting();
  } else if (screen === "room") {
    renderRoom(now);
  }
  if (screen !== "room") shownRoomId = null;
}

function renderConnection(now) {
  let text = "";
  let kind = state.connection;
  if (state.connection === "online" && state.signedIn) {
    text = "Connected";
  } else if (state.connection === "online" || state.connection === "connecting") {
    text = "Connecting\u2026";
  } else if (state.connection === "reconnecting") {
    const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - now) / 1000)) : 0;
    text = navigator.onLine === false ? "Offline: waiting for the network" : seconds > 0 ? `Reconnecting in ${seconds} s` : "Reconnecting\u2026";
  } else if (state.connection === "stopped" || state.connection === "idle") {
    text = "Not connected";
    kind = "idle";
  }
  ui.connection.dataset.state = kind;
  setText(ui.connection, text);
}

function renderWaiting() {
  const room = state.room;
  const summary = state.rooms.find((entry) => entry.id === room.id);
  setText(ui.waitingTitle, summary?.title ?? "");
  if (room.phase === Phase.DENIED) {
    setText(ui.waitingHeading, "Not admitted this time");
    setText(ui.waitingText, room.message ?? "The counselor did not admit you to this session.");
    return;
  }
  setText(ui.waitingHeading, "Waiting room");
  const counselor = summary?.facilitators?.[0]?.name;
  const text = room.phase === Phase.JOINING
    ? "Asking to join\u2026"
    : `${counselor ?? "Your counselor"} will let you in shortly. You can keep this page open: the session opens here by itself.`;
  setText(ui.waitingText, text);
}

function renderRoom(now) {
  const room = state.room;
  const entering = shownRoomId !== room.id;
  if (entering) {
    shownRoomId = room.id;
    stickToBottom = true;
    ui.composerInput.value = "";
    updateCount();
  }
  renderRoomChrome(ui, state, room, now, settings);
  const gated = gates.render(state, room);
  renderComposerState(ui, state, room, now, gated);
  const wasAtBottom = stickToBottom || isAtBottom();
  const beforeHeight = ui.scroll.scrollHeight;
  const beforeTop = ui.scroll.scrollTop;
  const { hiddenCount, count } = messageList.render(state, room, now);
  show(ui.noMessages, count === 0 && state.outbox.every((item) => item.room !== room.id) && room.hasSnapshot);
  show(ui.loadEarlier, hiddenCount > 0 || room.moreBefore);
  ui.loadEarlier.disabled = room.loadingEarlier;
  setText(ui.loadEarlier, room.loadingEarlier ? "Loading earlier messages\u2026" : "Load earlier messages");
  if (wasAtBottom) {
    ui.scroll.scrollTop = ui.scroll.scrollHeight;
  } else if (keepPosition) {
    ui.scroll.scrollTop = beforeTop + (ui.scroll.scrollHeight - beforeHeight);
  }
  keepPosition = false;
  stickToBottom = false;
  if (entering) ui.main.focus({ preventScroll: true });
}

let keepPosition = false;

function isAtBottom() {
  return ui.scroll.scrollHeight - ui.scroll.scrollTop - ui.scroll.clientHeight < 40;
}

// MARK: actions

function enter(roomId) {
  state.room?.id !== roomId && messageList.reset(roomId);
  run({ type: Event.ENTER, room: roomId });
}

function backToSessions() {
  run({ type: Event.EXIT_ROOM });
}

function newClientId() {
  return crypto.randomUUID ? crypto.randomUUID() : `c-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** The draft's length against the server's limits, as the server counts. */
function draftCheck(body, to) {
  const frame = JSON.stringify(request(Request.SEND, { room: state.room?.id ?? "", body, client_id: "00000000-0000-0000-0000-000000000000", to }, "r000000"));
  return checkDraft(body, { maxCharacters: settings.maxCharacters, maxFrameBytes: settings.maxFrameBytes }, frame);
}

function tooLongText(check) {
  if (check.tooManyCharacters) return `This message is too long: ${check.characters.toLocaleString()} characters, and the limit is ${settings.maxCharacters.toLocaleString()}. Please shorten it.`;
  if (check.tooManyBytes) return "This message is too long to send (emoji and some symbols take more room). Please shorten it.";
  return null;
}

function updateCount() {
  const body = ui.composerInput.value;
  if (!body) {
    setText(ui.composerCount, "");
    return null;
  }
  const check = draftCheck(body);
  const over = check.tooManyCharacters || check.tooManyBytes;
  ui.composerCount.classList.toggle("over", over);
  setText(ui.composerCount, check.nearLimit || over ? `${check.characters.toLocaleString()} / ${settings.maxCharacters.toLocaleString()} characters` : "");
  return check;
}

function submitComposer() {
  const body = ui.composerInput.value;
  const check = draftCheck(body);
  if (check.empty) return;
  const problem = tooLongText(check);
  if (problem) {
    setText(ui.composerNote, problem);
    ui.composerNote.classList.add("error");
    return;
  }
  setText(ui.composerNote, "");
  ui.composerNote.classList.remove("error");
  ui.composerInput.value = "";
  updateCount();
  stickToBottom = true;
  run({ type: Event.COMPOSE, body, clientId: newClientId() });
}

function openReport(message) {
  reportTarget = message;
  setText(ui.reportQuote, `${message.from?.name ?? "Someone"}: ${message.body}`);
  ui.reportReason.value = "";
  show(ui.reportError, false);
  ui.reportDialog.showModal();
}
let reportTarget = null;

function toast(text, error = false) {
  ui.toast.classList.toggle("error", error);
  ui.toast.replaceChildren(el("p", { text }));
  ui.toast.dataset.shownAt = String(Date.now());
}

function announce(text) {
  const line = el("p", { text });
  ui.announcer.append(line);
  while (ui.announcer.childElementCount > 5) ui.announcer.firstElementChild.remove();
}

/** Takes off the page what signing out must not leave behind: announcements, drafts, dialogs. */
function forgetScreen() {
  for (const dialog of [ui.reportDialog, ui.privateDialog]) if (dialog.open) dialog.close();
  for (const node of [ui.announcer, ui.toast]) node.replaceChildren();
  for (const node of [ui.reportQuote, ui.supportText]) node.textContent = "";
  ui.composerInput.value = ui.privateBody.value = ui.reportReason.value = "";
  reportTarget = null;
}

/** Leaves for the neutral page at once: nothing of the chat stays in this tab or its Back button. */
function quickExit() {
  connection.stop();
  clearAll();
  document.title = "";
  document.body.replaceChildren();
  window.location.replace(settings.quickExitURL);
}

function signOut(message) {
  connection.stop(Close.NORMAL, "signed out");
  clearAll();
  forgetScreen();
  messageList.reset(null);
  state = createState({});
  state.connection = "stopped";
  signedOutMessage = message;
  scheduleRender();
}

// MARK: events

ui.quickExit.addEventListener("click", quickExit);
let lastEscape = 0;
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const now = Date.now();
  if (now - lastEscape <= 1000) quickExit();
  lastEscape = now;
}, true);
ui.signOut.addEventListener("click", () => signOut("You have signed out. To come back, open your invite link again."));
ui.roomBack.addEventListener("click", backToSessions);
ui.waitingBack.addEventListener("click", backToSessions);
ui.supportClose.addEventListener("click", () => run({ type: Event.DISMISS_SUPPORT }));
ui.hand.addEventListener("click", () => run({ type: Event.HAND, raised: !state.room?.controls.hand_raised }));
ui.pass.addEventListener("click", () => run({ type: Event.PASS }));
ui.loadEarlier.addEventListener("click", () => {
  const room = state.room;
  if (!room) return;
  keepPosition = true;
  if (!messageList.revealEarlier(room.messages.size)) run({ type: Event.LOAD_EARLIER });
  else scheduleRender();
});
ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  submitComposer();
});
ui.composerInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submitComposer();
  }
});
ui.composerInput.addEventListener("input", () => {
  const check = updateCount();
  const problem = check ? tooLongText(check) : null;
  if (!problem && ui.composerNote.classList.contains("error")) {
    setText(ui.composerNote, "");
    ui.composerNote.classList.remove("error");
  }
});
ui.askPrivate.addEventListener("click", () => {
  ui.privateBody.value = "";
  show(ui.privateError, false);
  ui.privateDialog.showModal();
});
$("private-cancel").addEventListener("click", () => ui.privateDialog.close());
$("private-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const body = ui.privateBody.value;
  const check = draftCheck(body, "staff");
  const problem = check.empty ? "Write your question first." : tooLongText(check);
  if (problem) {
    setText(ui.privateError, problem);
    show(ui.privateError, true);
    return;
  }
  ui.privateDialog.close();
  stickToBottom = true;
  run({ type: Event.COMPOSE, body, to: "staff", clientId: newClientId() });
});
$("report-cancel").addEventListener("click", () => ui.reportDialog.close());
$("report-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const reason = ui.reportReason.value.trim();
  if (!reason) {
    setText(ui.reportError, "Please say in a few words what is wrong with it.");
    show(ui.reportError, true);
    return;
  }
  ui.reportDialog.close();
  if (reportTarget) run({ type: Event.REPORT, seq: reportTarget.seq, reason: reason.slice(0, 500) });
});
ui.scroll.addEventListener("scroll", () => {
  stickToBottom = false;
});

for (const name of ["keydown", "pointerdown", "touchstart", "wheel", "input"]) {
  document.addEventListener(name, () => {
    lastActivity = Date.now();
  }, { capture: true, passive: true });
}
window.addEventListener("online", () => connection.nudge());

// Opening another invite link in this tab only changes the hash: sign in afresh with it.
window.addEventListener("hashchange", () => {
  const fresh = takeInviteToken();
  if (!fresh) return;
  connection.stop(Close.NORMAL, "new invite");
  clearAll();
  messageList.reset(null);
  state = createState({ token: fresh });
  store(savedState(state));
  signedOutMessage = null;
  start();
});

/** Once a second: retries, live session states, countdowns, automatic logoff, the toast's life. */
setInterval(() => {
  const now = Date.now();
  if (state.token && !state.fatal && shouldLogOff({ now, lastActivity, minutes: settings.idleLogoffMinutes, inOpenSession: inOpenSession(state, now) })) {
    signOut(`You were signed out after ${settings.idleLogoffMinutes} minutes without activity, to keep your conversations private. Open your invite link again to come back.`);
    return;
  }
  if (now - Number(ui.toast.dataset.shownAt ?? 0) > 6000 && ui.toast.childElementCount) ui.toast.replaceChildren();
  run({ type: Event.TICK });
}, 1000);

async function loadSettings() {
  try {
    const response = await fetch("/client.json", { cache: "no-store", credentials: "omit" });
    if (!response.ok) return;
    const json = await response.json();
    if (typeof json.crisis_resources === "string") settings.crisisResources = json.crisis_resources;
    if (Array.isArray(json.help_lines) && json.help_lines.length) settings.helpLines = json.help_lines.filter((line) => line && typeof line.label === "string" && typeof line.number === "string");
    if (typeof json.quick_exit_url === "string" && json.quick_exit_url) settings.quickExitURL = json.quick_exit_url;
    if (Number.isInteger(json.idle_logoff_minutes) && json.idle_logoff_minutes > 0) settings.idleLogoffMinutes = json.idle_logoff_minutes;
    if (Number.isInteger(json.max_message_characters)) settings.maxCharacters = json.max_message_characters;
    if (Number.isInteger(json.max_frame_bytes)) settings.maxFrameBytes = json.max_frame_bytes;
  } catch {
    // Offline or an older server: the defaults stand.
  }
  renderHelp();
}

function renderHelp() {
  ui.helpLines.replaceChildren(...helpLinks(settings.helpLines));
}

function start() {
  if (!state.token) {
    state.connection = "stopped";
    scheduleRender();
    return;
  }
  run({ type: Event.CONNECTING });
  connection.start();
}

renderHelp();
loadSettings();
start();
