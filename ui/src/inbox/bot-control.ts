//! "Bot" in a Messenger conversation's header: take the thread from a bot now (this app is the
//! page's primary receiver) or ask the bot for it: chosen in a list, sent with "Go" (choosing
//! alone sends nothing, so arrow keys on the list are safe). Meta's answer shows as a note in the
//! conversation when the channel runtime has made the call.
import * as api from "../api";
import type { ConversationView } from "../bindings/ConversationView";
import type { ThreadAction } from "../bindings/ThreadAction";
import { h } from "../h";
import { button } from "../ui";

/** What each choice does, in the agent's words. */
export const BOT_CHOICES: { action: ThreadAction; label: string }[] = [
  { action: "take", label: "Take it from the bot now" },
  { action: "request", label: "Ask the bot to pass it" },
];

/** The control for `v` (null outside Messenger); `run` wraps the call (busy state, errors). */
export function botControl(v: ConversationView, run: (task: () => Promise<void>) => void,
  done: (message: string) => void): HTMLElement | null {
  if (v.summary.channel !== "messenger") return null;
  const select = h("select", { id: "bot-control", "aria-label": "Bot", class: "small bot-control",
    title: "Messenger's handover protocol: take the conversation from a bot, or ask the bot for it" },
    ...BOT_CHOICES.map((c) => h("option", { value: c.action }, c.label))) as HTMLSelectElement;
  const go = button("bot-control-go", "Go", { class: "secondary small", "aria-label": "Send the choice about the bot" });
  if (!v.can_act) {
    for (const el of [select, go]) { el.disabled = true; el.title = "You cannot change this conversation."; }
  }
  go.addEventListener("click", () => {
    const action = select.value as ThreadAction;
    const id = v.summary.id;
    run(async () => {
      await api.threadControl(id, action);
      done(action === "take" ? "Asked Meta for the conversation; its answer shows as a note." : "The bot was asked; its answer shows as a note.");
    });
  });
  return h("span", { class: "bot-control-group", role: "group", "aria-label": "Bot" }, select, go);
}
