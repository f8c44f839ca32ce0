// Before the first message: the group agreement and the participant's private check-in (markup in index.html).

import { isStaff, Role } from "../protocol.js";
import { setText, show } from "./dom.js";

/** The agreement and check-in panels; `actions` has `agree()`, `checkin({mood, craving, safe})`, `skip()`. */
export class Gates {
  constructor(actions) {
    const $ = (id) => document.getElementById(id);
    this.actions = actions;
    this.agreement = $("agreement-gate");
    this.agreementText = $("agreement-text");
    this.checkin = $("checkin-gate");
    this.form = $("checkin-form");
    this.error = $("checkin-error");
    $("agree").addEventListener("click", () => actions.agree());
    $("checkin-skip").addEventListener("click", () => actions.skip());
    this.form.addEventListener("submit", (event) => this.submit(event));
  }

  /** Shows what the room asks for now; returns true while a gate stands before the composer. */
  render(state, room) {
    const needsAgreement = !isStaff(state.user?.role) && room.agreement !== null && room.phase === "joined";
    setText(this.agreementText, room.agreement || "This session has a group agreement. Accept it to take part.");
    show(this.agreement, needsAgreement);
    const offerCheckin = !needsAgreement && state.user?.role === Role.PARTICIPANT && room.phase === "joined"
      && (room.checkin === "offered" || room.checkin === "sending");
    show(this.checkin, offerCheckin);
    for (const button of this.form.querySelectorAll("button")) button.disabled = room.checkin === "sending";
    return needsAgreement || offerCheckin;
  }

  submit(event) {
    event.preventDefault();
    const value = (id) => this.form.querySelector(`#${id}`).value;
    const mood = value("checkin-mood");
    const craving = value("checkin-craving");
    const safe = this.form.querySelector("input[name=checkin-safe]:checked")?.value;
    if (mood === "" && craving === "" && !safe) {
      setText(this.error, "Choose at least one answer, or press Skip.");
      show(this.error, true);
      return;
    }
    show(this.error, false);
    this.actions.checkin({
      mood: mood === "" ? undefined : Number(mood),
      craving: craving === "" ? undefined : Number(craving),
      safe: safe === undefined ? undefined : safe === "yes",
    });
  }
}
