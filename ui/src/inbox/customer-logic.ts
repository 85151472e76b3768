//! Pure logic for the customer panel: identities grouped by channel, its wording, and when a live
//! update may reload it. No DOM, no IPC; tested in customer-logic.test.ts.
import type { ContactIdentity } from "../bindings/ContactIdentity";
import { channelLabel } from "./logic";

/** Where the shell's memory keeps whether the panel is shown (absent: shown). */
export const CUSTOMER_SHOWN_KEY = "inbox.customerShown";
/** A live update reloads the panel at most once per this many milliseconds. */
export const PANEL_RELOAD_GAP_MS = 1000;

/** One channel's addresses, with the label shown for the channel. */
export type IdentityGroup = { channel: string; label: string; addresses: string[] };

const CHANNEL_ORDER = ["whatsapp", "messenger", "email"];

/** Identities grouped by channel: WhatsApp, Messenger, Email first, any other channel after them
 * by name; addresses in the order given, each once. */
export function groupIdentities(identities: readonly ContactIdentity[]): IdentityGroup[] {
  const groups = new Map<string, IdentityGroup>();
  for (const { channel, address } of identities) {
    let g = groups.get(channel);
    if (!g) { g = { channel, label: channelLabel(channel), addresses: [] }; groups.set(channel, g); }
    if (!g.addresses.includes(address)) g.addresses.push(address);
  }
  const rank = (c: string) => { const i = CHANNEL_ORDER.indexOf(c); return i < 0 ? CHANNEL_ORDER.length : i; };
  return Array.from(groups.values()).sort((a, b) => rank(a.channel) - rank(b.channel) || a.channel.localeCompare(b.channel));
}

/** "1 more conversation you cannot see", "3 more conversations you cannot see"; null for none. */
export function notShownText(n: number): string | null {
  if (!(n > 0)) return null;
  return `${n} more ${n === 1 ? "conversation" : "conversations"} you cannot see`;
}

/** The panel's heading line for its conversations: "1 conversation", "4 conversations". */
export function conversationsHeading(n: number): string {
  return `${n} ${n === 1 ? "conversation" : "conversations"}`;
}

/** What the panel says when it could not be loaded. */
export function loadErrorText(message: string): string {
  const m = message.trim();
  return m ? `The customer's details could not be loaded. ${/[.!?]$/.test(m) ? m : `${m}.`}` : "The customer's details could not be loaded.";
}

/** How long to wait before a live update reloads the panel last loaded at `lastAt` (ms):
 * 0 = now, else the rest of the gap. */
export function reloadDelay(lastAt: number, now: number, gap = PANEL_RELOAD_GAP_MS): number {
  const since = now - lastAt;
  return since >= gap || since < 0 ? 0 : gap - since;
}

/** Shown unless the shell's memory says it was hidden. */
export function shownFromMemory(kept: unknown): boolean {
  return kept !== false;
}

/** What a merge candidate is, in a few words: "WhatsApp 5511…, 2 conversations". */
export function mergeSummary(c: { identities: readonly ContactIdentity[]; conversations: number }): string {
  const where = groupIdentities(c.identities).map((g) => `${g.label} ${g.addresses.join(", ")}`);
  const convs = c.conversations === 1 ? "1 conversation" : `${c.conversations} conversations`;
  return [...where, convs].join(" · ");
}
