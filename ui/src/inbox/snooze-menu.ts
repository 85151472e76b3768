//! The "Snooze…" menu of the open conversation: three presets and a chosen date, the
//! error next to the date field. It only picks a time; the head sets the status.
import { h } from "../h";
import { button, input } from "../ui";
import { parseSnoozeInput, snoozeLabel, snoozePresets } from "./snooze";

export type SnoozeMenu = {
  el: HTMLElement;
  /** Shows the menu with fresh presets and focuses the first. */
  open(): void;
  close(): void;
  isOpen(): boolean;
};

/** `choose` gets the time in Unix seconds and a label for the notice ("until …"). */
export function createSnoozeMenu(choose: (at: number, label: string) => void, onClose: () => void): SnoozeMenu {
  const el = h("div", { id: "snooze-menu", class: "snooze-menu", role: "group", "aria-label": "Snooze until", hidden: true });

  function pick(at: number): void {
    close();
    choose(at, snoozeLabel(at, Date.now()));
  }

  function open(): void {
    const presets = snoozePresets(Date.now()).map((p) => {
      const b = button(`snooze-${p.id}`, p.label, { class: "secondary small" });
      b.title = snoozeLabel(p.at, Date.now());
      b.addEventListener("click", () => pick(p.at));
      return b;
    });
    const date = input("snooze-date", { type: "datetime-local", "aria-describedby": "snooze-error" });
    const err = h("p", { id: "snooze-error", class: "field-error", role: "alert" });
    const go = button("snooze-custom", "Snooze", { class: "small" });
    const submit = () => {
      const parsed = parseSnoozeInput(date.value, Date.now());
      if ("error" in parsed) {
        err.textContent = parsed.error;
        date.setAttribute("aria-invalid", "true");
        date.focus();
        return;
      }
      pick(parsed.at);
    };
    go.addEventListener("click", submit);
    date.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); submit(); } });
    el.replaceChildren(
      h("div", { class: "snooze-presets" }, ...presets),
      h("div", { class: "snooze-date" }, h("label", { for: "snooze-date" }, "Until"), date, go),
      err);
    el.hidden = false;
    presets[0]?.focus();
  }

  function close(): void {
    if (el.hidden) return;
    el.hidden = true;
    el.replaceChildren();
    onClose();
  }

  el.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); close(); }
  });

  return { el, open, close, isOpen: () => !el.hidden };
}
