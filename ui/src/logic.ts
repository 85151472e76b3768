// Pure logic: no DOM, no IPC. Unit-tested in logic.test.ts.
import type { ApiError } from "./bindings/ApiError";
import type { AppStatus } from "./bindings/AppStatus";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { Phase } from "./bindings/Phase";
import type { QrMatrix } from "./bindings/QrMatrix";
import type { Role } from "./bindings/Role";
import type { UserSummary } from "./bindings/UserSummary";

export type Screen =
  | "first_run"
  | "passphrase"
  | "sign_in"
  | "code"
  | "enrolment"
  | "new_password"
  | "recovery_codes"
  | "locked"
  | "shell";

/** Which screen to show. `showingRecoveryCodes` holds the one-time recovery codes screen
 * open after enrolment, but only while the session really is signed in. */
export function screenFor(phase: Phase, showingRecoveryCodes = false): Screen {
  switch (phase) {
    case "no_workspace":
      return "first_run";
    case "needs_passphrase":
      return "passphrase";
    case "signed_out":
      return "sign_in";
    case "needs_code":
      return "code";
    case "needs_enrolment":
      return "enrolment";
    case "needs_new_password":
      return "new_password";
    case "locked":
      return "locked";
    case "signed_in":
      return showingRecoveryCodes ? "recovery_codes" : "shell";
  }
}

/** A key that changes whenever the window must be rebuilt (phase, person or team hub changed). */
export function statusKey(status: AppStatus): string {
  const hub = status.hub ? `${status.hub.url}#${status.hub.fingerprint}` : "-";
  return `${status.phase}:${status.user ? status.user.user_id : "-"}:${hub}`;
}

export type ErrorAction = "show_lock" | "back_to_sign_in" | "hub_certificate" | "show_message";

export function errorAction(code: ErrorCode | "unknown"): ErrorAction {
  switch (code) {
    case "session_locked":
      return "show_lock";
    case "not_signed_in":
    case "session_expired":
      return "back_to_sign_in";
    case "certificate_changed":
      return "hub_certificate";
    default:
      return "show_message";
  }
}

export type UiError = { code: ErrorCode | "unknown"; message: string };

/** Every code the Rust side sends; a record, so the compiler notices a code added there. */
const KNOWN_CODES: Record<ErrorCode, true> = {
  keyring_unavailable: true, key_missing: true, wrong_key: true, passphrase_required: true,
  no_workspace: true, workspace_exists: true, tampered: true, newer_version: true,
  sign_in_failed: true, not_signed_in: true, session_locked: true, session_expired: true,
  forbidden: true, not_found: true, invalid_input: true, weak_password: true, conflict: true,
  storage: true, hub_unreachable: true, certificate_changed: true, rate_limited: true,
  answered_meanwhile: true, taken_meanwhile: true,
};
const ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(KNOWN_CODES));

/** Turn whatever a command rejected with into something we can show and switch on. */
export function toUiError(err: unknown): UiError {
  if (typeof err === "object" && err !== null && "message" in err) {
    const e = err as Partial<ApiError> & { message: unknown };
    const message = typeof e.message === "string" && e.message.trim() !== ""
      ? e.message
      : "Something went wrong.";
    const code = typeof e.code === "string" && ERROR_CODES.has(e.code) ? (e.code as ErrorCode) : "unknown";
    return { code, message };
  }
  if (typeof err === "string" && err.trim() !== "") {
    return { code: "unknown", message: err };
  }
  return { code: "unknown", message: "Something went wrong. Please try again." };
}

/** Accepts "123456", "123 456", "123-456" (and stray spaces). Returns six digits or null. */
export function normaliseCode(input: string): string | null {
  const compact = input.replace(/[\s-]/g, "");
  return /^\d{6}$/.test(compact) ? compact : null;
}

/** Recovery codes: trim and drop inner whitespace; the Rust side checks the rest. */
export function normaliseRecoveryCode(input: string): string {
  return input.replace(/\s+/g, "");
}

/** Group a base32 key in blocks of four for reading aloud / typing. */
export function groupKey(key: string): string {
  const compact = key.replace(/[\s-]/g, "").toUpperCase();
  return (compact.match(/.{1,4}/g) ?? []).join(" ");
}

export type Rect = { x: number; y: number; w: number; h: number };
export type QrLayout = { pixels: number; rects: Rect[] };

/** Where to draw each dark module: `scale` px per module, `quiet` light modules of border.
 * Runs of dark modules in a row are merged into one rect to avoid hairline seams. */
export function qrLayout(qr: QrMatrix, scale = 6, quiet = 4): QrLayout {
  const { size, modules } = qr;
  if (!Number.isInteger(size) || size <= 0 || modules.length !== size * size || /[^01]/.test(modules)) {
    throw new Error("The QR code data is not valid.");
  }
  const rects: Rect[] = [];
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (modules[row * size + col] === "1") {
        const start = col;
        while (col < size && modules[row * size + col] === "1") col++;
        rects.push({ x: (start + quiet) * scale, y: (row + quiet) * scale, w: (col - start) * scale, h: scale });
      } else {
        col++;
      }
    }
  }
  return { pixels: (size + quiet * 2) * scale, rects };
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Local HH:MM from unix seconds. */
export function formatClock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Local YYYY-MM-DD HH:MM:SS from unix seconds. */
export function formatDateTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export type Badge = { label: string; tone: "ok" | "warn" | "bad" | "muted" };

export function userBadges(u: UserSummary, nowSeconds: number): Badge[] {
  const badges: Badge[] = [];
  if (u.disabled) badges.push({ label: "Disabled", tone: "muted" });
  if (u.locked_until !== null && u.locked_until > nowSeconds) {
    badges.push({ label: `Locked until ${formatClock(u.locked_until)}`, tone: "bad" });
  }
  if (u.must_change_password) badges.push({ label: "Must choose a new password", tone: "warn" });
  if (!u.enrolled) badges.push({ label: "Needs enrolment", tone: "warn" });
  if (badges.length === 0) badges.push({ label: "Active", tone: "ok" });
  return badges;
}

export const ROLE_LABELS: Record<Role, string> = { agent: "Agent", lead: "Team lead", admin: "Admin" };

export const MIN_PASSWORD = 12;

export type FieldProblem = { field: string; message: string } | null;

export function checkNewPassword(password: string, repeat?: string, field = "password", repeatField = "password2"): FieldProblem {
  if (password.length < MIN_PASSWORD) {
    return { field, message: `The password must be at least ${MIN_PASSWORD} characters long.` };
  }
  if (repeat !== undefined && password !== repeat) {
    return { field: repeatField, message: "The two passwords do not match." };
  }
  return null;
}

/** Parse an integer setting within [min, max]. */
export function parseBounded(input: string, min: number, max: number): number | null {
  const t = input.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

export function teamNames(ids: number[], teams: { id: number; name: string }[]): string {
  const byId = new Map(teams.map((t) => [t.id, t.name]));
  const names = ids.map((id) => byId.get(id) ?? `Team ${id}`);
  return names.length ? names.join(", ") : "No teams";
}

/** Which inline preview an attachment gets, by its media type. */
export function previewKind(mime: string): "image" | "text" | "none" {
  const m = mime.toLowerCase();
  if (["image/png", "image/jpeg", "image/gif", "image/webp"].includes(m)) return "image";
  if (m.startsWith("text/plain")) return "text";
  return "none";
}

/** Decodes base64 (as the attachment command sends it) into bytes. */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
