//! A card's account controls beyond editing: "Test connection" with the last report (each step
//! marked, the detail beside it, announced when it arrives), "Disable"/"Enable", and "Remove…".
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import { h } from "../h";
import { formatDateTime } from "../logic";
import { button } from "../ui";
import { checkHeadline, stepMark } from "./check-logic";

/** What the lifecycle buttons do. */
export type LifecycleActions = {
  test(a: ChannelAccountView, card: HTMLElement, btn: HTMLButtonElement): void;
  toggleEnabled(a: ChannelAccountView, card: HTMLElement, btn: HTMLButtonElement): void;
  remove(a: ChannelAccountView): void;
};

/** The buttons, wired once the card element exists (`wire`). */
export function lifecycleButtons(a: ChannelAccountView, actions: LifecycleActions): { els: HTMLButtonElement[]; wire(card: HTMLElement): void } {
  const running = a.check?.finished_at === null;
  const test = button(`test-channel-${a.id}`, running ? "Testing…" : "Test connection", {
    class: "small secondary", "data-action": "test", "aria-label": `Test the connection of ${a.name}`, disabled: running,
  });
  const toggle = button(`enable-channel-${a.id}`, a.disabled ? "Enable" : "Disable", {
    class: "small secondary", "data-action": "toggle-enabled", "aria-label": `${a.disabled ? "Enable" : "Disable"} ${a.name}`,
  });
  const remove = button(`remove-channel-${a.id}`, "Remove…", { class: "small secondary", "data-action": "remove", "aria-label": `Remove ${a.name}` });
  return {
    els: [test, toggle, remove],
    wire(card) {
      test.addEventListener("click", () => actions.test(a, card, test));
      toggle.addEventListener("click", () => actions.toggleEnabled(a, card, toggle));
      remove.addEventListener("click", () => actions.remove(a));
    },
  };
}

/** "Disabled" next to the name, with what it means. */
export function disabledBadge(a: ChannelAccountView): HTMLElement | null {
  return a.disabled
    ? h("span", { class: "badge warn", "data-field": "disabled", title: "Nothing is sent, polled or synced; what customers send is still stored." }, "Disabled")
    : null;
}

/** The last test's report, or nothing when the account was never tested. */
export function checkPanel(a: ChannelAccountView): HTMLElement | null {
  const check = a.check;
  const headline = checkHeadline(check);
  if (!check || !headline) return null;
  return h("div", { class: "connection-check", id: `check-${a.id}`, role: "status", "aria-live": "polite" },
    h("p", { class: "check-headline" },
      h("span", { class: `badge ${headline.tone}`, "data-field": "check" }, headline.text),
      check.finished_at !== null ? h("span", { class: "muted" }, ` · tested ${formatDateTime(check.finished_at)}`) : null),
    check.steps.length > 0
      ? h("ul", { class: "check-steps" }, ...check.steps.map((s) => h("li", { class: `check-step tone-${s.outcome}`, "data-step": s.name },
        h("span", { class: "check-mark", "aria-hidden": "true" }, stepMark(s.outcome)),
        h("strong", null, s.name),
        h("span", { class: "sr-only" }, ` ${s.outcome === "ok" ? "works" : s.outcome === "failed" ? "failed" : "not tried"}`),
        s.detail ? h("span", { class: "check-detail" }, `: ${s.detail}`) : null)))
      : null);
}
