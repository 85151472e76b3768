//! No accidental double answer: what the agent saw when they opened a conversation (sent with
//! each reply, so the core can stop one that would cross a colleague's), and the choice shown
//! when it does.
import type { ConversationView } from "../bindings/ConversationView";
import type { ReplyGuard } from "../bindings/ReplyGuard";
import type { UiError } from "../logic";

/** The guard for `view` as it is on screen now: its version and newest message. */
export function guardOf(view: ConversationView): ReplyGuard {
  let last: number | null = null;
  for (const m of view.messages) if (last === null || m.id > last) last = m.id;
  return { version: view.summary.version, last_message: last };
}

/** A stopped reply: the conversation, the core's plain-words reason, and whether sending anyway
 * is still allowed (a colleague's answer: yes; a colleague took it from an agent: no). */
export type Crossing = { id: number; message: string; canSend: boolean };

/** The crossing for a refused reply, or null when the error is something else. */
export function crossingOf(id: number, e: UiError): Crossing | null {
  if (e.code === "answered_meanwhile") return { id, message: e.message, canSend: true };
  if (e.code === "taken_meanwhile") return { id, message: e.message, canSend: false };
  return null;
}
