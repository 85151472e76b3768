//! What an empty list says, and the one step it offers: Mine points to Unassigned, an empty
//! workspace tells an admin to connect a channel or add sample conversations. One render path.
import * as api from "../api";
import type { InboxView } from "../bindings/InboxView";
import type { Role } from "../bindings/Role";
import { h } from "../h";
import { button } from "../ui";
import type { Deps } from "./state";

export type EmptyStep = "show-unassigned" | "add-sample" | null;
export type EmptyHint = { text: string; step: EmptyStep };

/** The hint for an empty `view`; `filtered` when a status, channel, team or label filter is set. */
export function emptyHint(view: InboxView, role: Role, filtered: boolean): EmptyHint {
  if (filtered) return { text: "No conversations match these filters.", step: null };
  switch (view) {
    case "mine":
      return { text: "Nothing is assigned to you. Conversations waiting for someone are in Unassigned.", step: "show-unassigned" };
    case "unassigned":
      return role === "admin"
        ? { text: "No conversation is waiting. Connect a WhatsApp number, a Messenger page or a mailbox under Channels, or add sample conversations to try the inbox.", step: "add-sample" }
        : { text: "No conversation is waiting for someone. New ones from your teams' channels appear here.", step: null };
    case "my_teams":
      return { text: role === "admin" ? "You are in no team. All shows every conversation." : "Your teams have no conversations here.", step: null };
    case "all":
      return role === "admin"
        ? { text: "No conversations yet. Connect a channel under Channels, or add sample conversations to try the inbox.", step: "add-sample" }
        : { text: "No conversations here.", step: null };
    case "mentions":
      return { text: "No note mentions you. When a colleague writes @ and your username in a note, the conversation appears here.", step: null };
  }
}

export type EmptyPart = { el: HTMLElement; show(view: InboxView, filtered: boolean): void };

/** `showView` switches the list to another view (as the side's view buttons do). */
export function createEmpty(deps: Deps, showView: (v: InboxView) => void): EmptyPart {
  const { ctx, actions } = deps;
  const el = h("div", { id: "list-empty", class: "empty list-empty", hidden: true });
  let shown = "";

  function show(view: InboxView, filtered: boolean): void {
    const hint = emptyHint(view, ctx.user.role, filtered);
    const key = `${hint.text}|${hint.step}`;
    if (key === shown) return;
    shown = key;
    let step: HTMLButtonElement | null = null;
    if (hint.step === "show-unassigned") {
      step = button("empty-show-unassigned", "Show Unassigned", { class: "small" });
      step.addEventListener("click", () => showView("unassigned"));
    } else if (hint.step === "add-sample") {
      const btn = button("empty-add-sample", "Add sample conversations", { class: "small secondary" });
      btn.addEventListener("click", () => void actions.act(el, btn, async () => {
        const added = await api.addSampleData(12);
        ctx.toast(`Added ${added.conversations} sample conversations. Nothing is sent from them.`);
        await actions.loadFirst();
      }));
      step = btn;
    }
    el.replaceChildren(h("p", {}, hint.text), step ?? "");
  }

  return { el, show };
}
