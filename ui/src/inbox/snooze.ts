//! Snooze times: the presets an agent picks from (later today, tomorrow morning, next
//! week), a chosen date read from the form, and how a snooze time is shown. Pure: the
//! clock is passed in; all times are the agent's local time.

export type SnoozePreset = { id: "later" | "tomorrow" | "next-week"; label: string; at: number };

/** The hour a "morning" snooze wakes at. */
export const MORNING_HOUR = 9;
const HOUR_MS = 3_600_000;

/** The presets at `nowMs` (milliseconds), each with its time in Unix seconds. */
export function snoozePresets(nowMs: number): SnoozePreset[] {
  const now = new Date(nowMs);
  // Three hours on, on the next full hour.
  const later = new Date(nowMs + 3 * HOUR_MS);
  if (later.getMinutes() || later.getSeconds() || later.getMilliseconds()) {
    later.setHours(later.getHours() + 1, 0, 0, 0);
  }
  const sameDay = later.toDateString() === now.toDateString();
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(MORNING_HOUR, 0, 0, 0);
  // Next Monday morning (a week from today when today is Monday).
  const nextWeek = new Date(now);
  nextWeek.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  nextWeek.setHours(MORNING_HOUR, 0, 0, 0);
  const secs = (d: Date) => Math.floor(d.getTime() / 1000);
  return [
    { id: "later", label: sameDay ? "Later today" : "In 3 hours", at: secs(later) },
    { id: "tomorrow", label: "Tomorrow morning", at: secs(tomorrow) },
    { id: "next-week", label: "Next week", at: secs(nextWeek) },
  ];
}

/** A `datetime-local` field's value as Unix seconds, or the reason it cannot be used. */
export function parseSnoozeInput(value: string, nowMs: number): { at: number } | { error: string } {
  if (!value.trim()) return { error: "Choose a date and time." };
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return { error: "Choose a date and time." };
  if (at <= nowMs) return { error: "Choose a time in the future." };
  return { at: Math.floor(at / 1000) };
}

const TIME: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit" };
const DAY: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short" };

/** "until 15:00" today, "until Tue 9 Dec, 09:00" on another day. */
export function snoozeLabel(at: number, nowMs: number): string {
  const when = new Date(at * 1000);
  const time = when.toLocaleTimeString(undefined, TIME);
  if (when.toDateString() === new Date(nowMs).toDateString()) return `until ${time}`;
  return `until ${when.toLocaleDateString(undefined, DAY)}, ${time}`;
}
