//! Words for a customer's consent per channel: what they agreed to, how it was recorded, and the
//! channels the panel offers (those the customer has an address on).
import type { ConsentSource } from "../bindings/ConsentSource";
import type { ConsentState } from "../bindings/ConsentState";
import type { ConsentView } from "../bindings/ConsentView";
import type { ContactPanel } from "../bindings/ContactPanel";
import { groupIdentities } from "./customer-logic";

export const STATE_LABELS: Record<ConsentState, string> = {
  given: "Agreed to messages",
  refused: "Does not want messages",
};

export const SOURCE_LABELS: Record<ConsentSource, string> = {
  keyword: "sent a keyword",
  form: "filled in a form",
  agent: "told us",
};

/** One line per channel the customer is reachable on, with its consent (null: not known). */
export function consentRows(p: ContactPanel): { channel: string; label: string; consent: ConsentView | null }[] {
  return groupIdentities(p.identities).map((g) => ({
    channel: g.channel,
    label: g.label,
    consent: p.consent.find((c) => c.channel === g.channel) ?? null,
  }));
}

/** "Agreed to messages: sent a keyword, 3 Dec 2026" / "Not known: never asked or never said". */
export function consentText(c: ConsentView | null, formatDate: (unix: number) => string): string {
  if (!c) return "Not known: never asked or never said";
  const by = c.source !== "keyword" && c.by ? `, recorded by ${c.by}` : "";
  return `${STATE_LABELS[c.state]}: ${SOURCE_LABELS[c.source]}${by}, ${formatDate(c.at)}`;
}
