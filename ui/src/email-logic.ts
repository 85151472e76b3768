// Pure e-mail channel logic: no DOM, no IPC. Unit-tested in email-logic.test.ts.
// The Rust core checks every field again and remains the authority; these checks only catch the obvious.
import type { MailFolderView } from "./bindings/MailFolderView";
import type { NewEmailAccount } from "./bindings/NewEmailAccount";
import { formatClock } from "./logic";

// ---- numbers and sizes --------------------------------------------------------------

/** 1234567 -> "1,234,567": the same in every locale, so screens and tests agree. */
export function groupDigits(n: number): string {
  if (!Number.isFinite(n)) return "0";
  const whole = Math.trunc(n);
  const digits = String(Math.abs(whole));
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return whole < 0 ? `-${out}` : out;
}

const MB = 1024 * 1024;

/** A mail's size for the set-aside table: "0 KB", "1 KB" (anything under 1 KB but not empty), "730 KB", "12.4 MB". */
export function formatMailSize(bytes: number): string {
  const b = Number.isFinite(bytes) ? Math.max(0, bytes) : 0;
  if (b === 0) return "0 KB";
  const kb = Math.max(1, Math.round(b / 1024));
  if (kb < 1024) return `${kb} KB`;
  const mb = b / MB;
  return mb < 1000 ? `${mb.toFixed(1)} MB` : `${groupDigits(Math.round(mb))} MB`;
}

// ---- folder sync state ---------------------------------------------------------------

export type MailState = "waiting" | "connecting" | "syncing" | "idle" | "polling" | "error";

/** Done and total as shown: never negative, done never above total. */
function counts(f: Pick<MailFolderView, "total" | "done">): { done: number; total: number } {
  const total = Math.max(0, Math.trunc(f.total) || 0);
  const done = Math.min(total, Math.max(0, Math.trunc(f.done) || 0));
  return { done, total };
}

/** The <progress> attributes; null while the total is not known yet (an indeterminate bar). */
export function folderProgress(f: Pick<MailFolderView, "total" | "done">): { max: number; value: number } | null {
  const { done, total } = counts(f);
  return total > 0 ? { max: total, value: done } : null;
}

/** "1,234 of 3,000 messages" (next to the progress bar). */
export function folderProgressText(f: Pick<MailFolderView, "total" | "done">): string {
  const { done, total } = counts(f);
  return `${groupDigits(done)} of ${groupDigits(total)} message${total === 1 ? "" : "s"}`;
}

/** "1,234 offered: 1,200 stored · 20 set aside · 14 duplicates" — every mail accounted for. */
export function folderCountsText(f: Pick<MailFolderView, "offered" | "stored" | "set_aside" | "duplicates">): string {
  const n = (x: number) => groupDigits(Math.max(0, Math.trunc(x) || 0));
  return `${n(f.offered)} offered: ${n(f.stored)} stored · ${n(f.set_aside)} set aside · ${n(f.duplicates)} duplicate${f.duplicates === 1 ? "" : "s"}`;
}

/** The plain status line of one folder. `clock` formats unix seconds as HH:MM (local time by default). */
export function folderStateLine(f: MailFolderView, clock: (unixSeconds: number) => string = formatClock): string {
  const checked = f.synced_at !== null ? ` · last checked ${clock(f.synced_at)}` : "";
  switch (f.state) {
    case "waiting": return "Waiting to connect";
    case "connecting": return "Connecting…";
    case "syncing": {
      const { done, total } = counts(f);
      return total > 0 ? `Syncing: ${groupDigits(done)} of ${groupDigits(total)}` : "Syncing…";
    }
    case "idle": return `Up to date — new mail arrives instantly${checked}`;
    case "polling": return `Up to date — checking every minute (the server cannot push)${checked}`;
    case "error": {
      const why = f.last_error.trim().replace(/[.\s]+$/, "");
      return why ? `Cannot reach the mail server: ${why}. Retrying.` : "Cannot reach the mail server. Retrying.";
    }
    default: return f.state ? f.state.charAt(0).toUpperCase() + f.state.slice(1) : "Unknown";
  }
}

/** The tone of a folder's status line, for its colour. */
export function folderTone(state: string): "ok" | "warn" | "bad" | "muted" {
  switch (state) {
    case "idle": case "polling": return "ok";
    case "syncing": case "connecting": return "warn";
    case "error": return "bad";
    default: return "muted";
  }
}

// ---- live refresh ----------------------------------------------------------------------

/** Sync progress arrives as bursts of events: wait this long between two re-reads (at most ~2 a second). */
export const LIVE_GAP_MS = 500;

/** How long to wait before re-reading, given when the last re-read started (0 = never). */
export function liveDelay(lastRunMs: number, nowMs: number, gapMs = LIVE_GAP_MS): number {
  if (lastRunMs <= 0) return 0;
  return Math.max(0, Math.min(gapMs, lastRunMs + gapMs - nowMs));
}

// ---- the "Connect a mailbox" form ---------------------------------------------------------

export type MailSecurity = "tls" | "starttls";
export type MailProtocol = "imap" | "smtp";

export const DEFAULT_PORTS: Record<MailProtocol, Record<MailSecurity, number>> = {
  imap: { tls: 993, starttls: 143 },
  smtp: { tls: 465, starttls: 587 },
};

/** The port to show after switching the security: the usual one, unless the admin typed an unusual port. */
export function portAfterSecurityChange(protocol: MailProtocol, security: MailSecurity, current: string): string {
  const t = current.trim();
  const usual = Object.values(DEFAULT_PORTS[protocol]).map(String);
  // Also the other protocol's defaults: 587 typed into the IMAP field is surely a slip.
  const known = [...usual, ...Object.values(DEFAULT_PORTS[protocol === "imap" ? "smtp" : "imap"]).map(String)];
  return t === "" || known.includes(t) ? String(DEFAULT_PORTS[protocol][security]) : t;
}

/** The mailbox form as typed (strings, unchecked). */
export type EmailForm = {
  name: string;
  address: string;
  display_name: string;
  imap_host: string;
  imap_port: string;
  imap_security: string;
  smtp_host: string;
  smtp_port: string;
  smtp_security: string;
  username: string;
  password: string;
  folder: string;
  sent_folder: string;
  ca_pem: string;
  /** "" = no default team. */
  default_team: string;
};

export type EmailFormProblem = { field: keyof EmailForm; message: string } | null;

/** One "@" with text on both sides and a dot (or localhost) in the domain, no spaces or brackets. */
export function looksLikeAddress(text: string): boolean {
  return /^[^\s@<>(),;"]+@[^\s@<>(),;"]+$/.test(text) && (/\.[^.]/.test(text.split("@")[1]) || text.endsWith("@localhost"));
}

function hostProblem(host: string, label: "IMAP" | "SMTP", example: string): string | null {
  if (!host) return `Enter the ${label} server, like ${example}.`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host) || host.includes("/")) {
    return `Enter only the ${label} server's name, like ${example}, without “imaps://” or a path.`;
  }
  if (/\s/.test(host)) return `The ${label} server's name cannot contain spaces.`;
  if (/:\d+$/.test(host) && !host.includes("::")) return `Enter the ${label} port in its own field, not after the server's name.`;
  return null;
}

export function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

export function checkEmailForm(f: EmailForm): EmailFormProblem {
  if (!f.name.trim()) return { field: "name", message: "Give the mailbox a name, for example “Support”." };
  const address = f.address.trim();
  if (!address) return { field: "address", message: "Enter the support address, like help@example.com." };
  if (!looksLikeAddress(address)) return { field: "address", message: "The address looks like help@example.com: one @, no spaces." };
  const imap = hostProblem(f.imap_host.trim(), "IMAP", "imap.example.com");
  if (imap) return { field: "imap_host", message: imap };
  if (parsePort(f.imap_port) === null) return { field: "imap_port", message: "The IMAP port is a number from 1 to 65535, usually 993." };
  if (f.imap_security !== "tls" && f.imap_security !== "starttls") return { field: "imap_security", message: "Choose TLS or STARTTLS for IMAP." };
  const smtp = hostProblem(f.smtp_host.trim(), "SMTP", "smtp.example.com");
  if (smtp) return { field: "smtp_host", message: smtp };
  if (parsePort(f.smtp_port) === null) return { field: "smtp_port", message: "The SMTP port is a number from 1 to 65535, usually 465 or 587." };
  if (f.smtp_security !== "tls" && f.smtp_security !== "starttls") return { field: "smtp_security", message: "Choose TLS or STARTTLS for SMTP." };
  if (f.password === "") return { field: "password", message: "Enter the mailbox password (or an app password)." };
  const ca = f.ca_pem.trim();
  if (ca && !ca.includes("-----BEGIN CERTIFICATE-----")) {
    return { field: "ca_pem", message: "Paste the certificate in PEM form, starting with -----BEGIN CERTIFICATE-----, or leave it empty." };
  }
  return null;
}

/** The request for add_email_channel: trimmed; ports as numbers; empty optional text stays "" (the core fills in
 * the defaults); no certificate = null. The password is sent exactly as typed. */
export function buildNewEmailAccount(f: EmailForm): NewEmailAccount {
  const team = f.default_team === "" ? null : Number(f.default_team);
  const ca = f.ca_pem.trim();
  return {
    name: f.name.trim(),
    address: f.address.trim(),
    display_name: f.display_name.trim(),
    imap_host: f.imap_host.trim(),
    imap_port: parsePort(f.imap_port) ?? 0,
    imap_security: f.imap_security,
    smtp_host: f.smtp_host.trim(),
    smtp_port: parsePort(f.smtp_port) ?? 0,
    smtp_security: f.smtp_security,
    username: f.username.trim(),
    password: f.password,
    folder: f.folder.trim(),
    sent_folder: f.sent_folder.trim(),
    ca_pem: ca === "" ? null : ca,
    default_team: team !== null && Number.isSafeInteger(team) && team > 0 ? team : null,
  };
}

/** The core's field names for the mailbox form's inputs (as its errors spell them). */
export const ERROR_FIELDS: Record<string, keyof EmailForm> = {
  "name": "name",
  "address": "address",
  "display name": "display_name",
  "imap server": "imap_host",
  "imap port": "imap_port",
  "imap security": "imap_security",
  "smtp server": "smtp_host",
  "smtp port": "smtp_port",
  "smtp security": "smtp_security",
  "user name": "username",
  "password": "password",
  "folder": "folder",
  "sent folder": "sent_folder",
  "certificate": "ca_pem",
};

/** Which field the core's refusal names ("IMAP server: write the server's name, …"), if any. */
export function fieldOfError(message: string): keyof EmailForm | null {
  const colon = message.indexOf(":");
  if (colon <= 0) return null;
  return ERROR_FIELDS[message.slice(0, colon).trim().toLowerCase()] ?? null;
}
