//! The quote above a reply (a click goes to the quoted message), an e-mail's To/Cc/Bcc lines, and
//! the reactions under a message, as small elements the history puts into each message.
import type { MessageView } from "../bindings/MessageView";
import { h } from "../h";
import { recipientLines } from "./mail-copies-logic";
import { REACTION_CHOICES, quoteText, reactionLabel } from "./message-parts-logic";

/** Scrolls `history` to the message `id` and marks it for a moment; false when it is not on the page. */
export function goToMessage(history: HTMLElement, id: number): boolean {
  const target = history.querySelector<HTMLElement>(`[data-message-id="${id}"]`);
  if (!target) return false;
  target.scrollIntoView({ block: "center" });
  target.classList.add("msg-found");
  window.setTimeout(() => target.classList.remove("msg-found"), 1600);
  return true;
}

export function quoteBlock(m: MessageView, contact: string, history: HTMLElement): HTMLElement | null {
  const q = m.quote;
  if (!q) return null;
  const { who, text, gone } = quoteText(q, contact);
  if (gone || q.message === null) return h("p", { class: "quote quote-gone muted" }, text);
  const target = q.message;
  const note = h("span", { class: "quote-missing muted", role: "status" });
  return h("button", {
    type: "button",
    class: "quote",
    id: `quote-${m.id}`,
    title: "Go to the quoted message",
    onclick: () => {
      note.textContent = goToMessage(history, target) ? "" : " (further up: load older messages)";
    },
  }, h("span", { class: "quote-who" }, who), h("span", { class: "quote-text" }, text), note);
}

/** Who an e-mail went to: "To …", "Cc …" and (ours) "Bcc …", one line each. */
export function recipientsBlock(m: MessageView): HTMLElement | null {
  const lines = recipientLines(m.mail);
  const gone = m.mail?.gone_from_mailbox
    ? h("div", { class: "mail-gone", title: "Kept here; retention and privacy requests are what remove it." },
      "Deleted or moved in the mailbox since")
    : null;
  if (lines.length === 0 && !gone) return null;
  return h("div", { class: "mail-recipients muted", "aria-label": "Recipients" },
    ...lines.map((line) => h("div", { class: "mail-recipient-line" }, line)), gone);
}

export function reactionsLine(m: MessageView, contact: string): HTMLElement | null {
  if (m.reactions.length === 0) return null;
  return h("ul", { class: "reactions", "aria-label": "Reactions" },
    ...m.reactions.map((r) => {
      const label = reactionLabel(r, contact);
      return h("li", { class: `reaction${r.by_customer ? " by-customer" : ""}`, title: label, "aria-label": label }, r.emoji);
    }));
}

/** "React" on a customer's message: a row of emoji (and "Remove" when we reacted), each a
 * button; Esc closes it and returns to "React". `choose` sends the choice. `open` and
 * `onToggle` let the history keep the row open when a live update rebuilds it. */
export function reactControl(m: MessageView, choose: (emoji: string, busy: HTMLElement) => void,
  open = false, onToggle: (open: boolean) => void = () => {}): HTMLElement {
  const ours = m.reactions.find((r) => !r.by_customer)?.emoji ?? null;
  const toggle = h("button", {
    type: "button", class: "link react-toggle", id: `react-${m.id}`, "aria-expanded": "false",
    title: "React to this message",
  }, ours ? `Your reaction ${ours}` : "React");
  toggle.setAttribute("aria-expanded", String(open));
  const picks = h("div", { class: "react-picks", role: "group", "aria-label": "Choose a reaction", hidden: !open },
    ...REACTION_CHOICES.map((e, i) => h("button", {
      type: "button", id: `react-${m.id}-${i}`, class: `react-pick${e === ours ? " chosen" : ""}`, "data-emoji": e,
      "aria-pressed": e === ours ? "true" : "false",
      onclick: () => choose(e, wrap),
    }, e)),
    ours ? h("button", { type: "button", id: `react-${m.id}-remove`, class: "link react-remove", onclick: () => choose("", wrap) }, "Remove") : null);
  const wrap = h("div", { class: "react" }, toggle, picks);
  const close = () => { picks.hidden = true; toggle.setAttribute("aria-expanded", "false"); onToggle(false); };
  toggle.addEventListener("click", () => {
    picks.hidden = !picks.hidden;
    toggle.setAttribute("aria-expanded", String(!picks.hidden));
    onToggle(!picks.hidden);
    if (!picks.hidden) picks.querySelector<HTMLButtonElement>("button")?.focus();
  });
  picks.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape") return;
    ev.preventDefault();
    ev.stopPropagation();
    close();
    toggle.focus();
  });
  return wrap;
}
