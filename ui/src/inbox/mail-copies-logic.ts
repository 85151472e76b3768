//! Pure helpers for an e-mail reply's copies: reading what was typed into Cc and Bcc, a first
//! check of each address (the core checks again), "Reply all", and the lines shown above a mail.
import type { MailAddressesView } from "../bindings/MailAddressesView";

/** At most this many addresses in Cc, and in Bcc (the core's limit). */
export const MAX_COPIES = 20;

/** The addresses typed into a Cc or Bcc box: split at commas, semicolons and line breaks,
 * trimmed, each once (case does not matter), in the order typed. */
export function parseAddresses(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[,;\n]+/)) {
    const a = part.trim();
    if (!a || seen.has(a.toLowerCase())) continue;
    seen.add(a.toLowerCase());
    out.push(a);
  }
  return out;
}

/** Whether `a` looks like an e-mail address (one @, a dot in the domain, no spaces or brackets). */
export function looksLikeAddress(a: string): boolean {
  return /^[^\s@<>(),;"]+@[^\s@<>(),;"]+\.[^\s@<>(),;"]+$/.test(a) || /^[^\s@<>(),;"]+@localhost$/i.test(a);
}

/** What is wrong with a box's addresses, in the words shown under it; null when nothing is. */
export function addressesProblem(list: string[]): string | null {
  const bad = list.find((a) => !looksLikeAddress(a));
  if (bad !== undefined) return `“${bad.length > 80 ? `${bad.slice(0, 80)}…` : bad}” is not an e-mail address.`;
  if (list.length > MAX_COPIES) return `Copy at most ${MAX_COPIES} addresses.`;
  return null;
}

/** Cc after "Reply all": what is typed, then everyone else on the thread not yet in it. */
export function withReplyAll(typed: string, everyone: string[]): string {
  const list = parseAddresses(typed);
  const have = new Set(list.map((a) => a.toLowerCase()));
  for (const a of everyone) if (!have.has(a.toLowerCase())) list.push(a);
  return list.join(", ");
}

/** The signature as it will appear under the reply (after the standard "-- " line). */
export function signaturePreview(signature: string | null): string | null {
  return signature === null || signature.trim() === "" ? null : `-- \n${signature}`;
}

/** The sender's name from "Name <address>" (or the address itself). */
export function senderName(from: string): string {
  const m = /^(.*?)\s*<([^>]+)>$/.exec(from);
  return m ? (m[1].trim() || m[2]) : from;
}

/** The recipient lines above a mail: "To …", "Cc …", "Bcc …" (ours only), the empty ones left out. */
export function recipientLines(mail: MailAddressesView | undefined): string[] {
  if (!mail) return [];
  const lines: string[] = [];
  if (mail.to.length) lines.push(`To ${mail.to.join(", ")}`);
  if (mail.cc.length) lines.push(`Cc ${mail.cc.join(", ")}`);
  if (mail.bcc.length) lines.push(`Bcc ${mail.bcc.join(", ")}`);
  return lines;
}
