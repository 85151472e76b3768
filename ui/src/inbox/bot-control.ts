//! "Bot…" in a Messenger conversation's header: take the thread from a bot now (this app is the
//! page's primary receiver) or ask the bot for it. Meta's answer shows as a note in the
//! conversation when the channel runtime has made the call.
import * as api from "../api";
import type { ConversationView } from "../bindings/ConversationView";
import type { ThreadAction } from "../bindings/ThreadAction";
import { h } from "../h";

/** What each choice does, in the agent's words. */
export const BOT_CHOICES: { action: ThreadAction; label: string }[] = [
  { action: "take", label: "Take it from the bot now" },
  { action: "request", label: "Ask the bot to pass it" },
];

/** The control for `v` (null outside Messenger); `run` wraps the call (busy state, errors). */
export function botControl(v: ConversationView, run: (task: () => Promise<void>) => void,
  done: (message: string) => void): HTMLSelectElement | null {
  if (v.summary.channel !== "messenger") return null;
  const select = h("select", { id: "bot-control", "aria-label": "Bot", class: "small bot-control",
    title: "Messenger's handover protocol: take the conversation from a bot, or ask the bot for it" },
    h("option", { value: "" }, "Bot…"),
    ...BOT_CHOICES.map((c) => h("option", { value: c.action }, c.label))) as HTMLSelectElement;
  if (!v.can_act) { select.disabled = true; select.title = "You cannot change this conversation."; }
  select.addEventListener("change", () => {
    const action = select.value as ThreadAction | "";
    select.value = "";
    if (!action) return;
    const id = v.summary.id;
    run(async () => {
      await api.threadControl(id, action);
      done(action === "take" ? "Asked Meta for the conversation; its answer shows as a note." : "The bot was asked; its answer shows as a note.");
    });
  });
  return select;
}
