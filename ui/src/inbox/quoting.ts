//! "Replying to …" above the composer: the customer's message a reply answers (the
//! customer sees it quoted), with × to answer the conversation as a whole again.
import { h } from "../h";
import { button } from "../ui";
import type { InboxState, Quoting } from "./state";

/** The quote the open conversation's reply carries, if any. */
export function quotingFor(s: InboxState): Quoting | null {
  return s.quoting && s.quoting.conversation === s.openId && s.mode === "reply" ? s.quoting : null;
}

export function createQuoting(clear: () => void): { el: HTMLElement; update(s: InboxState): void } {
  const text = h("span", { class: "quoting-text" });
  const cancel = button("quote-cancel", "×", { class: "link quoting-cancel", "aria-label": "Answer the whole conversation instead", title: "Answer the whole conversation instead" });
  cancel.addEventListener("click", clear);
  const el = h("div", { id: "quoting", class: "quoting", hidden: true, role: "status" },
    h("span", { class: "quoting-label" }, "Replying to "), text, cancel);
  let shown: Quoting | null = null;
  function update(s: InboxState): void {
    const q = quotingFor(s);
    if (q === shown) return;
    shown = q;
    el.hidden = q === null;
    text.textContent = q ? `“${q.excerpt}”` : "";
  }
  return { el, update };
}
