//! Small badges shared by the list, the search results and the conversation header.
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { ConversationView } from "../bindings/ConversationView";
import { windowOpenNow } from "../channel-logic";
import { h } from "../h";
import type { Priority } from "../bindings/Priority";
import { slaState } from "./sla-logic";
import { snoozeLabel } from "./snooze";
import { channelLabel, hasReplyWindow, PRIORITY_LABELS, replyWindowLabel, windowClosed } from "./logic";

export function channelBadge(channel: string): HTMLElement {
  return h("span", { class: `badge channel channel-${channel}` }, channelLabel(channel));
}

export function windowBadge(s: ConversationSummary, at: number): HTMLElement | null {
  if (!hasReplyWindow(s.channel)) return null;
  const label = replyWindowLabel(s.reply_window_ends_at, at);
  if (!label) return null;
  const closed = windowClosed(s.channel, s.reply_window_ends_at, at);
  return h("span", { class: `badge ${closed ? "bad" : "muted"} window`, title: "24-hour reply window" }, label);
}

/** The open conversation's window, from the core's ReplyWindow when there is one. */
export function headWindowBadge(v: ConversationView, at: number): HTMLElement | null {
  const w = v.window;
  if (!w) {
    const b = windowBadge(v.summary, at);
    b?.setAttribute("id", "conv-window");
    return b;
  }
  const open = windowOpenNow(w, at);
  const label = !open
    ? (w.needs_template ? "Template only" : "Window closed")
    : w.closes_at === null ? "Window open" : replyWindowLabel(w.closes_at, at) ?? "Window open";
  const title = open
    ? (w.tagged ? "Reply window (HUMAN_AGENT tag)" : "Reply window")
    : w.needs_template ? "Outside the 24-hour window: only approved templates can be sent" : "The customer must write first";
  return h("span", { id: "conv-window", class: `badge ${open ? "muted" : "bad"} window`, title }, label);
}

/** Low … Urgent; nothing for no priority. */
export function priorityBadge(p: Priority): HTMLElement | null {
  if (p === "none") return null;
  return h("span", { class: `badge priority priority-${p}`, title: `Priority: ${PRIORITY_LABELS[p]}` }, PRIORITY_LABELS[p]);
}

/** The SLA clock that runs out first: time left, warning, or missed; nothing without one. */
export function slaBadge(s: ConversationSummary, at: number, id?: string): HTMLElement | null {
  const state = slaState(s.sla, at);
  if (!state) return null;
  return h("span", { id, class: `badge ${state.tone} sla`, title: state.title }, state.label);
}

/** Pending, or snoozed with its time; nothing for open or resolved (the view says which). */
export function statusBadge(s: ConversationSummary, at: number): HTMLElement | null {
  if (s.status === "pending") return h("span", { class: "badge muted status-pending", title: "Waiting on the customer" }, "Pending");
  if (s.status !== "snoozed") return null;
  const label = s.snoozed_until !== null ? `Snoozed ${snoozeLabel(s.snoozed_until, at * 1000)}` : "Snoozed";
  return h("span", { class: "badge muted status-snoozed" }, label);
}

/** The customer's rating after the resolution ("Rated 4/5", the comment as its title), or that
 * the survey is still unanswered; nothing when no survey was sent. */
export function satisfactionBadge(v: ConversationView): HTMLElement | null {
  const s = v.satisfaction;
  if (!s) return null;
  if (s.rating === null) {
    return h("span", { id: "conv-rating", class: "badge muted rating", title: "The customer was asked to rate the help and has not answered yet." },
      "Rating asked");
  }
  const tone = s.rating >= 4 ? "ok" : s.rating === 3 ? "muted" : "bad";
  const title = s.comment ? `The customer rated the help ${s.rating} of 5: “${s.comment}”` : `The customer rated the help ${s.rating} of 5.`;
  return h("span", { id: "conv-rating", class: `badge ${tone} rating`, title }, `Rated ${s.rating}/5`);
}
