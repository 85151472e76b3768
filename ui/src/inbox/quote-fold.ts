//! An e-mail's text in the history with the earlier mail it quotes at its end folded away under
//! "Show quoted text" (see `quote-fold-logic.ts`); other text is shown as it is.
import { h } from "../h";
import { splitQuoted } from "./quote-fold-logic";

/** The text of the e-mail `id`. `open`: its quote shows (kept by the history through a rebuild);
 * `onToggle` hears when the agent shows or hides it. */
export function mailBody(id: number, text: string, open: boolean, onToggle: (open: boolean) => void): HTMLElement {
  const { main, quoted } = splitQuoted(text);
  const body = h("div", { class: "item-body" }, main);
  if (quoted === null) return body;
  const block = h("div", { id: `quoted-history-${id}`, class: "quoted-history", hidden: !open }, quoted);
  const toggle = h("button", {
    type: "button", id: `quote-fold-${id}`, class: "link small quote-fold",
    "aria-expanded": String(open), "aria-controls": block.id,
  }, open ? "Hide quoted text" : "Show quoted text");
  toggle.addEventListener("click", () => {
    block.hidden = !block.hidden;
    toggle.setAttribute("aria-expanded", String(!block.hidden));
    toggle.textContent = block.hidden ? "Show quoted text" : "Hide quoted text";
    onToggle(!block.hidden);
  });
  return h("div", { class: "mail-body" }, body, toggle, block);
}
