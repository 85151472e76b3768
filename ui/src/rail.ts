//! A left rail that folds to a narrow strip (the shell's navigation, the inbox's views and filters):
//! its toggle button and how a state is shown. The state itself lives with the rail's owner.
import { button } from "./ui";

/** The fold button at the top of a rail: a constant accessible name, `aria-expanded` for the state. */
export function railToggle(id: string, label: string, controls: string, keyshortcut?: string): HTMLButtonElement {
  return button(id, "", { class: "rail-toggle", "aria-label": label, "aria-controls": controls,
    "aria-expanded": "true", "aria-keyshortcuts": keyshortcut });
}

/** Show `rail` folded or open: the body is hidden when folded. Focus inside a body being hidden
 * moves to the toggle, so the keyboard never lands on nothing. */
export function showRail(rail: HTMLElement, toggle: HTMLButtonElement, body: HTMLElement, collapsed: boolean, hint: string): void {
  rail.classList.toggle("collapsed", collapsed);
  toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
  toggle.textContent = collapsed ? "»" : "«";
  toggle.title = `${collapsed ? "Show" : "Hide"} ${hint}`;
  if (collapsed && body.contains(document.activeElement)) toggle.focus();
  body.hidden = collapsed;
}
