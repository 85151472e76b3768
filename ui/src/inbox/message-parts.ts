//! The quote above a reply (a click goes to the quoted message) and the reactions under a
//! message, as small elements the history puts into each message.
import type { MessageView } from "../bindings/MessageView";
import { h } from "../h";
import { quoteText, reactionLabel } from "./message-parts-logic";

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

export function reactionsLine(m: MessageView, contact: string): HTMLElement | null {
  if (m.reactions.length === 0) return null;
  return h("ul", { class: "reactions", "aria-label": "Reactions" },
    ...m.reactions.map((r) => {
      const label = reactionLabel(r, contact);
      return h("li", { class: `reaction${r.by_customer ? " by-customer" : ""}`, title: label, "aria-label": label }, r.emoji);
    }));
}
