// Pure privacy, residency and audit-filter logic: no DOM, no IPC. Unit-tested in privacy-logic.test.ts.
import type { AuditFilter } from "./bindings/AuditFilter";
import type { ContactMatch } from "./bindings/ContactMatch";
import type { ErasureSummary } from "./bindings/ErasureSummary";
import type { ExportSummary } from "./bindings/ExportSummary";
import type { RetentionPolicy } from "./bindings/RetentionPolicy";
import { channelLabel } from "./inbox/logic";
import { checkNewPassword, pad2, parseBounded } from "./logic";

/** A checked form: the value to send, or the field to fix and why. */
export type Checked<T, F extends string> = { ok: true; value: T } | { ok: false; field: F; message: string };

/** "1 message", "3 messages". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ---- sizes ----------------------------------------------------------------------------

const UNITS = ["KB", "MB", "GB", "TB"];

/** Bytes in human units (1024-based): "0 B", "512 B", "1.5 KB", "12 MB", "3.4 GB". */
export function formatBytes(bytes: number): string {
  const b = Math.max(0, Math.round(Number.isFinite(bytes) ? bytes : 0));
  if (b < 1024) return `${b} B`;
  let v = b / 1024;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  // One decimal below 10 ("1.5 MB"), whole numbers above ("12 MB"); "10.0" becomes "10".
  const text = v < 10 ? v.toFixed(1).replace(/\.0$/, "") : String(Math.round(v));
  // Rounding up may reach the next unit: 1023.7 KB reads "1 MB", not "1024 KB".
  if (text === "1024" && i < UNITS.length - 1) return `1 ${UNITS[i + 1]}`;
  return `${text} ${UNITS[i]}`;
}

// ---- contacts -----------------------------------------------------------------------

/** "whatsapp: 16505551234" → { channel: "WhatsApp", address: "16505551234" }. */
export function splitIdentity(identity: string): { channel: string; address: string } {
  const at = identity.indexOf(":");
  if (at <= 0) return { channel: "", address: identity.trim() };
  return { channel: channelLabel(identity.slice(0, at).trim()), address: identity.slice(at + 1).trim() };
}

/** What an admin types to confirm an erasure: the name, or (for a contact without one) its first address. */
export function erasureWord(c: Pick<ContactMatch, "id" | "name" | "identities">): string {
  const name = c.name.trim();
  if (name) return name;
  const first = c.identities.map((i) => splitIdentity(i).address).find((a) => a !== "");
  return first ?? `contact ${c.id}`;
}

/** Exactly the word (spaces around it do not count, letter case does). */
export function erasureConfirmed(typed: string, c: Pick<ContactMatch, "id" | "name" | "identities">): boolean {
  return typed.trim() === erasureWord(c);
}

export function exportText(name: string, s: ExportSummary): string {
  return `Exported ${name}: ${plural(s.conversations, "conversation")}, ${plural(s.messages, "message")} and ${plural(s.files, "file")}, to ${s.folder}`;
}

export function erasureText(name: string, s: ErasureSummary): string {
  return `Erased ${name}: ${plural(s.conversations, "conversation")}, ${plural(s.messages, "message")} and ${plural(s.attachments, "attachment")} deleted.`;
}

// ---- outgoing connections ------------------------------------------------------------

/** One host per line (commas and spaces also separate); empty entries and repeats dropped.
 * The Rust side checks and normalises the rest. */
export function parseHostList(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const h = raw.trim();
    if (h && !out.includes(h)) out.push(h);
  }
  return out;
}

export function egressSavedText(hosts: string[]): string {
  if (hosts.length === 0) return "Saved. No outside host is allowed: WhatsApp and Messenger cannot be reached.";
  return `Saved. ${plural(hosts.length, "host")} allowed: ${hosts.join(", ")}.`;
}

// ---- retention ---------------------------------------------------------------------

export const MAX_RETENTION_DAYS = 3650;

export type RetentionForm = { whatsapp: string; messenger: string; email: string };

const RETENTION_NAMES: Record<keyof RetentionForm, string> = { whatsapp: "WhatsApp", messenger: "Messenger", email: "Email" };

/** Whole days from 0 (keep forever) to 3650 per channel. */
export function checkRetention(f: RetentionForm): Checked<RetentionPolicy, keyof RetentionForm> {
  const days: Partial<Record<keyof RetentionForm, number>> = {};
  for (const key of ["whatsapp", "messenger", "email"] as const) {
    const n = parseBounded(f[key], 0, MAX_RETENTION_DAYS);
    if (n === null) {
      return { ok: false, field: key, message: `${RETENTION_NAMES[key]} days must be a whole number from 0 to ${MAX_RETENTION_DAYS} (0 keeps messages forever).` };
    }
    days[key] = n;
  }
  return { ok: true, value: { whatsapp_days: days.whatsapp!, messenger_days: days.messenger!, email_days: days.email! } };
}

export function retentionText(days: number): string {
  return days === 0 ? "kept forever" : `deleted after ${plural(days, "day")}`;
}

// ---- dates (audit filter) ------------------------------------------------------------

/** A date input's "YYYY-MM-DD" as unix seconds, local time: the first second of that day
 * (`"start"`) or its last second (`"end"`, so a "to" date includes the whole day).
 * "" → null (no bound); anything else that is not a real date → undefined. */
export function dateToUnix(value: string, edge: "start" | "end"): number | null | undefined {
  const v = value.trim();
  if (v === "") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(y, mo - 1, d);
  if (day.getFullYear() !== y || day.getMonth() !== mo - 1 || day.getDate() !== d) return undefined;
  if (edge === "start") return Math.floor(day.getTime() / 1000);
  // The next midnight minus one second: right across daylight-saving changes too.
  return Math.floor(new Date(y, mo - 1, d + 1).getTime() / 1000) - 1;
}

/** Unix seconds as a date input's local "YYYY-MM-DD". */
export function unixToDateInput(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

export type AuditForm = { user: string; subject: string; kind: string; from: string; to: string };

export const EMPTY_AUDIT_FORM: AuditForm = { user: "", subject: "", kind: "", from: "", to: "" };

export function auditFormEmpty(f: AuditForm): boolean {
  return Object.values(f).every((v) => v.trim() === "");
}

/** The filter for search_audit / export_audit; empty fields are no condition. */
export function buildAuditFilter(f: AuditForm, limit: number): Checked<AuditFilter, keyof AuditForm> {
  const text = (s: string) => (s.trim() === "" ? null : s.trim());
  const from = dateToUnix(f.from, "start");
  if (from === undefined) return { ok: false, field: "from", message: "The “from” date is not a valid date." };
  const to = dateToUnix(f.to, "end");
  if (to === undefined) return { ok: false, field: "to", message: "The “to” date is not a valid date." };
  if (from !== null && to !== null && from > to) {
    return { ok: false, field: "to", message: "The “to” date is before the “from” date." };
  }
  return { ok: true, value: { user: text(f.user), subject: text(f.subject), kind: text(f.kind), from, to, limit } };
}

/** Distinct event kinds, sorted, for the kind picker. */
export function distinctKinds(...lists: { kind: string }[][]): string[] {
  const set = new Set<string>();
  for (const list of lists) for (const e of list) if (e.kind) set.add(e.kind);
  return Array.from(set).sort();
}

// ---- scheduled backups ---------------------------------------------------------------

export const MAX_BACKUP_HOURS = 720;
export const MAX_BACKUP_KEEP = 365;

export type BackupForm = { folder: string; every_hours: string; keep: string; passphrase: string; passphrase2: string };
export type BackupSettings = { folder: string | null; every_hours: number; keep: number; passphrase: string | null };

/** `hasPassphrase`: one is stored already, so an empty passphrase keeps it. An empty folder
 * turns scheduled backups off. A typed passphrase must be ≥ 12 characters and typed twice. */
export function checkBackupForm(f: BackupForm, hasPassphrase: boolean): Checked<BackupSettings, keyof BackupForm> {
  const folder = f.folder.trim();
  const every = parseBounded(f.every_hours, 1, MAX_BACKUP_HOURS);
  if (every === null) return { ok: false, field: "every_hours", message: `Back up every 1 to ${MAX_BACKUP_HOURS} hours (a whole number).` };
  const keep = parseBounded(f.keep, 1, MAX_BACKUP_KEEP);
  if (keep === null) return { ok: false, field: "keep", message: `Keep 1 to ${MAX_BACKUP_KEEP} backups (a whole number).` };
  let passphrase: string | null = null;
  if (f.passphrase !== "" || f.passphrase2 !== "") {
    if (f.passphrase === "") return { ok: false, field: "passphrase", message: "Type the new passphrase in both fields." };
    const bad = checkNewPassword(f.passphrase, f.passphrase2, "passphrase", "passphrase2");
    if (bad) {
      const message = bad.field === "passphrase"
        ? "The backup passphrase must be at least 12 characters long."
        : "The two passphrases do not match.";
      return { ok: false, field: bad.field as keyof BackupForm, message };
    }
    passphrase = f.passphrase;
  } else if (folder !== "" && !hasPassphrase) {
    return { ok: false, field: "passphrase", message: "Choose a passphrase for the backups: without it they cannot be restored." };
  }
  return { ok: true, value: { folder: folder === "" ? null : folder, every_hours: every, keep, passphrase } };
}
