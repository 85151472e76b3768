//! The keyboard shortcut help: a dialog fixed in the middle of the window (its own scroll when the
//! window is short), opened with ? or the side rail's link; Esc, ?, Close or the backdrop close it and
//! focus goes back to where it was.
import { h } from "../h";
import type { Part } from "../store";
import { button } from "../ui";
import { SHORTCUT_HELP } from "./logic";
import type { Deps, InboxState } from "./state";

export type ShortcutsPart = Part<InboxState> & {
  /** Show or hide the shortcut help (default: the other way round). */
  toggle(show?: boolean): void;
};

export function createShortcuts(deps: Deps): ShortcutsPart {
  const { store } = deps;
  const rows = SHORTCUT_HELP;
  const close = button("shortcuts-close", "Close", { class: "secondary small" });
  const dialog = h("div", { id: "shortcuts-dialog", class: "dialog shortcuts", role: "dialog", "aria-modal": "true",
    "aria-labelledby": "shortcuts-title", tabindex: "-1" },
    h("div", { class: "shortcuts-head" }, h("h2", { id: "shortcuts-title" }, "Keyboard shortcuts"), close),
    h("dl", null, ...rows.map(([k, what]) => [h("dt", null, h("kbd", null, k)), h("dd", null, what)])));
  const el = h("div", { id: "shortcuts-help", class: "overlay shortcuts-overlay", hidden: true }, dialog);

  const toggle = (show = !store.get().help) => { if (show !== store.get().help) store.set({ help: show }); };
  close.addEventListener("click", () => toggle(false));
  // A press on the dimmed backdrop (not the dialog) closes it.
  el.addEventListener("mousedown", (ev) => { if (ev.target === el) toggle(false); });
  el.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      ev.stopPropagation();
      toggle(false);
    } else if (ev.key === "Tab") {
      // Close is the one control: Tab stays on it while the help is open.
      ev.preventDefault();
      close.focus();
    }
  });

  /** Where focus was when the help opened: it goes back there on close. */
  let opener: HTMLElement | null = null;
  function update(s: InboxState): void {
    if (s.help === !el.hidden) return;
    if (s.help) {
      const active = document.activeElement;
      opener = active instanceof HTMLElement && !el.contains(active) ? active : null;
      el.hidden = false;
      // The dialog itself takes focus: arrow keys and Page Down scroll a long list.
      dialog.scrollTop = 0;
      dialog.focus();
    } else {
      const back = opener;
      opener = null;
      const focusInside = el.contains(document.activeElement) || document.activeElement === document.body;
      el.hidden = true;
      if (back && back.isConnected && focusInside) back.focus();
    }
  }

  return { el, update, dispose: () => { opener = null; }, toggle };
}
