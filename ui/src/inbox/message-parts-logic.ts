//! Words for what is shown with a message besides its text: the message a reply quotes and
//! the reactions on it.
import type { QuoteView } from "../bindings/QuoteView";
import type { ReactionView } from "../bindings/ReactionView";

/** Who wrote the quoted message and what it said, or that it is not here any more. */
export function quoteText(q: QuoteView, contact: string): { who: string; text: string; gone: boolean } {
  if (q.message === null || q.excerpt === null) {
    return { who: "", text: "Replying to a message that is not here (sent before this inbox, or erased)", gone: true };
  }
  return { who: q.direction === "out" ? "Us" : contact, text: q.excerpt, gone: false };
}

/** "Ana reacted 👍" / "Kim reacted ❤️" for the screen reader and the tooltip. */
export function reactionLabel(r: ReactionView, contact: string): string {
  const who = r.by_customer ? contact : r.by ?? "We";
  return `${who} reacted ${r.emoji}`;
}

/** The reactions an agent picks from, in this order. */
export const REACTION_CHOICES = ["👍", "❤️", "😂", "😮", "🙏", "✅"];

/** Whether an agent may react to `direction` on `channel` (customers' chat messages only). */
export function canReact(direction: string, channel: string, canAct: boolean): boolean {
  return canAct && direction === "in" && (channel === "whatsapp" || channel === "messenger");
}
