//! The choice shown in the composer when a reply was stopped because a colleague answered or took
//! the conversation after the agent opened it: send anyway (when still allowed), keep the words as
//! a draft, or discard them. Escape keeps the draft.
import { h } from "../h";
import type { Part } from "../store";
import { button } from "../ui";
import type { InboxState } from "./state";

export type CrossingChoices = {
  sendAnyway(): void;
  keep(): void;
  discard(): void;
};

export function createCrossing(choices: CrossingChoices): Part<InboxState> {
  const message = h("p", { id: "double-answer-message" });
  const send = button("double-answer-send", "Send anyway", { class: "small" });
  const keep = button("double-answer-keep", "Keep as draft", { class: "small secondary" });
  const discard = button("double-answer-discard", "Discard", { class: "small secondary" });
  const el = h("div", {
    id: "double-answer", class: "double-answer", role: "alertdialog", hidden: true,
    "aria-labelledby": "double-answer-message",
  }, message, h("div", { class: "double-answer-actions" }, send, keep, discard));
  send.addEventListener("click", () => choices.sendAnyway());
  keep.addEventListener("click", () => choices.keep());
  discard.addEventListener("click", () => choices.discard());
  el.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); choices.keep(); }
  });

  let shown: InboxState["crossing"] = null;
  function update(s: InboxState): void {
    const c = s.crossing !== null && s.crossing.id === s.openId ? s.crossing : null;
    if (c === shown) return;
    const opening = shown === null && c !== null;
    shown = c;
    el.hidden = c === null;
    if (!c) return;
    message.textContent = c.message;
    send.hidden = !c.canSend;
    // The eye is on the composer: the choice takes the keyboard where the words were.
    if (opening) (c.canSend ? send : keep).focus();
  }
  return { el, update, dispose: () => {} };
}
