// A room's message list: the latest at once, older on demand, grouped by sender; elements kept by key. Text only.

import { messageTime } from "../format.js";
import { isStaff } from "../protocol.js";
import { SendStatus, orderedMessages, unsentMessages } from "../store.js";
import { el } from "./dom.js";

/** Messages shown at first; "Load earlier messages" shows this many more. */
export const PAGE = 100;
const GROUP_GAP_MS = 5 * 60_000;

/** A message list bound to its `<ol>`; `actions` has `retry(clientId)`, `discard(clientId)`, `edit(item)`, `report(message)`. */
export class MessageList {
  constructor(list, actions) {
    this.list = list;
    this.actions = actions;
    this.nodes = new Map();
    this.visible = PAGE;
    this.roomId = null;
  }

  /** Forgets everything (another room). */
  reset(roomId) {
    this.roomId = roomId;
    this.nodes.clear();
    this.visible = PAGE;
    this.list.replaceChildren();
  }

  /** Shows `PAGE` more of the messages already held; returns false when all are shown. */
  revealEarlier(total) {
    if (this.visible >= total) {
      this.visible += PAGE;
      return false;
    }
    this.visible += PAGE;
    return true;
  }

  /** Draws the room; returns `{hiddenCount, count}`. */
  render(state, room, now) {
    if (this.roomId !== room.id) this.reset(room.id);
    const all = orderedMessages(room);
    const shown = all.slice(Math.max(0, all.length - this.visible));
    const me = state.user?.id;
    const items = [];
    let previous = null;
    for (const message of shown) {
      const continued = previous !== null && previous.from?.id === message.from?.id && !message.kind && !previous.kind
        && Date.parse(message.ts) - Date.parse(previous.ts) < GROUP_GAP_MS;
      items.push({ key: `s${message.seq}`, signature: signature(message, continued), build: () => messageNode(message, continued, message.from?.id === me, state, this.actions) });
      previous = message;
    }
    for (const item of unsentMessages(state, room.id)) {
      items.push({ key: `c${item.clientId}`, signature: JSON.stringify([item.status, item.note, item.retryAt > now]), build: () => unsentNode(item, state, now, this.actions) });
    }
    const seen = new Set();
    let cursor = this.list.firstElementChild;
    for (const item of items) {
      seen.add(item.key);
      let entry = this.nodes.get(item.key);
      if (!entry || entry.signature !== item.signature) {
        if (entry) {
          if (entry.node === cursor) cursor = cursor.nextElementSibling;
          entry.node.remove();
        }
        entry = { node: item.build(), signature: item.signature };
        this.nodes.set(item.key, entry);
      }
      if (entry.node === cursor) cursor = cursor.nextElementSibling;
      else this.list.insertBefore(entry.node, cursor);
    }
    for (const [key, entry] of this.nodes) {
      if (!seen.has(key)) {
        entry.node.remove();
        this.nodes.delete(key);
      }
    }
    return { hiddenCount: all.length - shown.length, count: all.length };
  }
}

function signature(message, continued) {
  return JSON.stringify([message.id, message.body, message.hidden, message.pinned, message.held, message.kind, continued]);
}

function senderLabel(member) {
  if (!member) return null;
  if (member.role === "counselor") return "Counselor";
  if (member.role === "admin") return "Staff";
  if (member.role === "family") return "Family";
  return null;
}

function messageNode(message, continued, mine, state, actions) {
  const classes = ["msg"];
  if (mine) classes.push("own");
  if (isStaff(message.from?.role)) classes.push("staff");
  if (message.kind) classes.push(message.kind);
  if (message.hidden) classes.push("hidden-msg");
  if (message.held) classes.push("held");
  if (continued) classes.push("continued");
  const name = message.from?.name ?? "Someone";
  const time = messageTime(message.ts);
  const badge = senderLabel(message.from);
  const reportable = !mine && !(message.hidden && !message.body);
  const report = reportable ? el("button", {
    class: "link report",
    text: "Report",
    attrs: { type: "button", "aria-label": `Report message from ${name}${time ? ` at ${time}` : ""}` },
    on: { click: () => actions.report(message) },
  }) : null;
  const sentState = mine ? el("span", { class: "msg-state sent", text: message.held ? "\u00b7 Sent, waiting for a counselor's review before the group sees it" : "\u00b7 Sent" }) : null;
  // A message that continues the sender's run shows no header; screen readers still hear who and when.
  const head = el("p", { class: continued ? "msg-head visually-hidden" : "msg-head" }, [
    el("span", { class: "msg-name", text: mine ? `${name} (you)` : name }),
    badge ? el("span", { class: `badge ${message.from.role}`, text: badge }) : null,
    el("time", { class: "msg-time", text: time, attrs: { datetime: message.ts } }),
    continued ? null : sentState,
    continued ? null : report,
  ]);
  const parts = [head];
  const tag = messageTag(message, mine, state);
  if (tag) parts.push(el("p", { class: "msg-tag", text: tag }));
  if (message.hidden && !message.body) {
    parts.push(el("p", { class: "msg-body muted", text: "Hidden by a counselor" }));
  } else {
    if (message.hidden) parts.push(el("p", { class: "msg-tag", text: "Hidden by a counselor (you still see it as staff)" }));
    parts.push(el("p", { class: "msg-body", text: message.body ?? "" }));
  }
  const foot = continued ? [sentState, report].filter(Boolean) : [];
  if (foot.length) parts.push(el("div", { class: "msg-foot" }, foot));
  return el("li", { class: classes.join(" "), attrs: { "data-seq": String(message.seq) } }, parts);
}

function messageTag(message, mine, state) {
  if (message.kind === "announcement") return "Announcement";
  if (message.kind === "whisper") return mine ? `Private message to ${message.to?.name ?? "a member"}` : "Private message to you: only you and the counselors see it";
  if (message.kind === "private") return mine ? "Private question to the counselor: only counselors see it" : `Private question from ${message.from?.name ?? "a member"}`;
  if (message.pinned) return "Pinned";
  return null;
}

function unsentNode(item, state, now, actions) {
  const name = state.user?.name ?? "You";
  const parts = [
    el("p", { class: "msg-head" }, [el("span", { class: "msg-name", text: `${name} (you)` })]),
  ];
  if (item.to === "staff") parts.push(el("p", { class: "msg-tag", text: "Private question to the counselor: only counselors see it" }));
  parts.push(el("p", { class: "msg-body", text: item.body }));
  const foot = [];
  switch (item.status) {
    case SendStatus.QUEUED:
    case SendStatus.SENDING: {
      const waiting = item.retryAt && item.retryAt > now;
      const text = waiting ? `Waiting to send. ${item.note ?? ""}`.trim() : state.connection === "online" ? "Sending\u2026" : "Sending when you are back online\u2026";
      foot.push(el("span", { class: "msg-state sending", text }));
      break;
    }
    case SendStatus.FAILED:
      foot.push(el("span", { class: "msg-state failed", text: `Not sent. ${item.note ?? ""}`.trim() }));
      foot.push(el("button", { class: "link", text: "Retry", attrs: { type: "button" }, on: { click: () => actions.retry(item.clientId) } }));
      foot.push(el("button", { class: "link", text: "Discard", attrs: { type: "button" }, on: { click: () => actions.discard(item.clientId) } }));
      break;
    case SendStatus.INVALID:
      foot.push(el("span", { class: "msg-state failed", text: `Not sent. ${item.note ?? ""}`.trim() }));
      foot.push(el("button", { class: "link", text: "Edit", attrs: { type: "button" }, on: { click: () => actions.edit(item) } }));
      foot.push(el("button", { class: "link", text: "Discard", attrs: { type: "button" }, on: { click: () => actions.discard(item.clientId) } }));
      break;
    default:
      break;
  }
  parts.push(el("div", { class: "msg-foot" }, foot));
  return el("li", { class: `msg own unsent ${item.status}`, attrs: { "data-client-id": item.clientId } }, parts);
}
