//! SLA targets as an agent types them ("4h", "30m", "1h 30m", "2d", or plain minutes) and
//! back, checked before they go to the core.
import type { SlaPolicy } from "../bindings/SlaPolicy";

const MAX_MINUTES = 525_600;

/** "1h 30m" for 90; "" for none. */
export function minutesText(minutes: number | null): string {
  if (minutes === null) return "";
  const d = Math.floor(minutes / 1440);
  const hr = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : "", hr ? `${hr}h` : "", m ? `${m}m` : ""].filter(Boolean).join(" ");
}

/** Minutes of a typed target, null for empty, or a reason in words. */
export function parseMinutes(text: string): number | null | { message: string } {
  const t = text.trim().toLowerCase();
  if (t === "") return null;
  if (/^\d+$/.test(t)) return checkRange(Number(t));
  const parts = t.split(/\s+/);
  let total = 0;
  for (const part of parts) {
    const m = /^(\d+)(d|h|m)$/.exec(part);
    if (!m) return { message: "write a time such as 45m, 4h, 1h 30m or 2d" };
    total += Number(m[1]) * (m[2] === "d" ? 1440 : m[2] === "h" ? 60 : 1);
  }
  return checkRange(total);
}

function checkRange(minutes: number): number | { message: string } {
  if (minutes < 1 || minutes > MAX_MINUTES) return { message: "give between 1 minute and 365 days, or leave it empty" };
  return minutes;
}

/** The form's three targets as a policy, or the first field in error. */
export function policyFromForm(first: string, next: string, resolution: string):
  SlaPolicy | { field: "first_response" | "next_response" | "resolution"; message: string } {
  const fields = [["first_response", first], ["next_response", next], ["resolution", resolution]] as const;
  const out: SlaPolicy = { first_response_minutes: null, next_response_minutes: null, resolution_minutes: null };
  for (const [key, text] of fields) {
    const parsed = parseMinutes(text);
    if (parsed !== null && typeof parsed === "object") return { field: key, message: parsed.message };
    out[`${key}_minutes`] = parsed;
  }
  return out;
}
