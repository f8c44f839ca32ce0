// The room screen around the messages: who is here, the counselor's settings in plain words, pinned, support.

import { minutesText, sessionTimes } from "../format.js";
import { isStaff, parseTime } from "../protocol.js";
import { Phase, composerBlock, pinnedMessages } from "../store.js";
import { el, setText, show } from "./dom.js";

/** Draws everything in the room screen but the messages and gates. */
export function renderRoomChrome(ui, state, room, now, settings) {
  const summary = state.rooms.find((entry) => entry.id === room.id);
  setText(ui.roomTitle, summary?.title ?? "Session");
  setText(ui.roomWhen, summary ? sessionTimes(summary) : "");
  renderPeople(ui, state, room);
  setText(ui.roomNotice, room.notice ?? "");
  show(ui.roomNotice, Boolean(room.notice));
  renderBanners(ui, state, room, now);
  renderSupport(ui, room, settings);
  renderPinned(ui, room);
  const staff = isStaff(state.user?.role);
  const inRoom = room.phase === Phase.JOINED;
  const round = room.controls.round;
  show(ui.hand, inRoom && !staff);
  setText(ui.hand, room.controls.hand_raised ? "Lower hand" : "Raise hand");
  ui.hand.setAttribute("aria-pressed", room.controls.hand_raised ? "true" : "false");
  show(ui.pass, inRoom && round?.speaker?.id === state.user?.id);
  show(ui.askPrivate, inRoom && !staff);
  show(ui.roomActions, inRoom);
}

function renderPeople(ui, state, room) {
  const members = room.members;
  setText(ui.peopleSummary, `Here now (${members.length})`);
  const key = JSON.stringify(members.map((member) => [member.id, member.name, member.role]));
  if (ui.peopleList.dataset.key === key) return;
  ui.peopleList.dataset.key = key;
  ui.peopleList.replaceChildren(...members.map((member) => {
    const label = member.role === "counselor" ? "Counselor" : member.role === "admin" ? "Staff" : member.role === "family" ? "Family" : null;
    const you = member.id === state.user?.id ? " (you)" : "";
    return el("li", {}, [
      el("span", { text: `${member.name}${you}` }),
      label ? el("span", { class: `badge ${member.role}`, text: label }) : null,
    ]);
  }));
}

/** The plain-words lines about the room's state, most important first. */
export function bannerLines(state, room, now) {
  const lines = [];
  const staff = isStaff(state.user?.role);
  if (state.connection === "reconnecting") {
    lines.push({ kind: "offline", text: "Connection lost. Reconnecting\u2026 You can keep writing: your messages are sent when the connection is back." });
  }
  if (room.phase === Phase.ENDED || room.controls.ended) {
    lines.push({ kind: "ended", text: "This session has ended. Thank you for being here. You can still read the conversation until you leave." });
    return lines;
  }
  if (room.phase === Phase.REMOVED) {
    lines.push({ kind: "removed", text: room.message ?? "A counselor has removed you from this session." });
    return lines;
  }
  const summary = state.rooms.find((entry) => entry.id === room.id);
  const closes = summary ? parseTime(summary.closes) : null;
  if (closes && now >= closes.getTime()) lines.push({ kind: "closed", text: "This session's chat has closed. You can still read it." });
  if (room.paused && !staff) lines.push({ kind: "paused", text: "The session starts when a counselor joins. You can read, but not write yet." });
  if (room.controls.muted && !staff) {
    const until = parseTime(room.controls.muted_until);
    const left = until ? ` for ${minutesText(until.getTime() - now)} more` : " until they unmute you";
    lines.push({ kind: "muted", text: `A counselor has muted you${left}. You can still read, and ask the counselor privately.` });
  }
  const round = room.controls.round;
  if (round?.speaker) {
    const mine = round.speaker.id === state.user?.id;
    lines.push({ kind: "round", text: mine
      ? "Check-in round: it is your turn. Share when you are ready, or press Pass."
      : `Check-in round: it is ${round.speaker.name}'s turn. You can write when the talking piece reaches you.` });
  }
  const slow = Number(room.controls.slow_seconds) || 0;
  if (slow > 0 && !staff) {
    const wait = room.slowUntil && room.slowUntil > now ? ` You can send again in ${Math.ceil((room.slowUntil - now) / 1000)} s.` : "";
    lines.push({ kind: "slow", text: `Slow mode is on: one message every ${slow} seconds.${wait}` });
  }
  if (room.controls.review && !staff) lines.push({ kind: "review", text: "A counselor reads each message before the group sees it." });
  if (room.controls.locked) lines.push({ kind: "locked", text: "The counselor has locked the room: no one new comes in without being let in." });
  return lines;
}

function renderBanners(ui, state, room, now) {
  const lines = bannerLines(state, room, now);
  const key = JSON.stringify(lines);
  if (ui.banners.dataset.key === key) return;
  ui.banners.dataset.key = key;
  ui.banners.replaceChildren(...lines.map((line) => el("p", { class: `banner ${line.kind}`, text: line.text })));
}

function renderSupport(ui, room, settings) {
  show(ui.support, Boolean(room.support));
  if (!room.support) return;
  setText(ui.supportText, room.support);
  const key = JSON.stringify(settings.helpLines);
  if (ui.supportLines.dataset.key !== key) {
    ui.supportLines.dataset.key = key;
    ui.supportLines.replaceChildren(...helpLinks(settings.helpLines));
  }
}

/** Links for the help lines: "Suicide & Crisis Lifeline (call or text): 988 (call, text)". */
export function helpLinks(lines) {
  const nodes = [];
  lines.forEach((line, index) => {
    if (index > 0) nodes.push(document.createTextNode(" \u00b7 "));
    nodes.push(document.createTextNode(`${line.label}: `));
    nodes.push(el("a", { text: line.number, attrs: { href: `tel:${line.number.replace(/[^0-9+]/g, "")}` } }));
    if (line.text) {
      nodes.push(document.createTextNode(" ("));
      nodes.push(el("a", { text: "text", attrs: { href: `sms:${line.number.replace(/[^0-9+]/g, "")}`, "aria-label": `Text ${line.number}` } }));
      nodes.push(document.createTextNode(")"));
    }
  });
  return nodes;
}

function renderPinned(ui, room) {
  const pinned = pinnedMessages(room).filter((message) => !message.held);
  show(ui.pinned, pinned.length > 0);
  const key = JSON.stringify(pinned.map((message) => [message.seq, message.body, message.hidden]));
  if (ui.pinnedList.dataset.key === key) return;
  ui.pinnedList.dataset.key = key;
  ui.pinnedList.replaceChildren(...pinned.map((message) => el("li", {}, [
    el("span", { class: "msg-name", text: `${message.from?.name ?? "Someone"}: ` }),
    el("span", { text: message.hidden && !message.body ? "Hidden by a counselor" : message.body }),
  ])));
}

/** Enables the composer when the person may write, and says why not otherwise. */
export function renderComposerState(ui, state, room, now, gated) {
  const inRoom = room.phase === Phase.JOINED || room.phase === Phase.JOINING;
  show(ui.composer, inRoom && !gated);
  const block = composerBlock(state, now);
  const disabled = block !== null;
  if (ui.composerInput.disabled !== disabled) ui.composerInput.disabled = disabled;
  ui.composerSend.disabled = disabled;
  ui.composer.dataset.block = block ?? "";
  return block;
}

