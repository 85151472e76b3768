//! Pure helpers of the Reports page: the range a preset or two dates stand for, durations in
//! words, the bars of the chart, and business hours to and from the form's fields.
import type { BusinessHours } from "../bindings/BusinessHours";
import type { ReportPoint } from "../bindings/ReportPoint";

const DAY = 86_400;

/** Midnight UTC of the day `at` (seconds) falls in. */
export function dayStart(at: number): number {
  return Math.floor(at / DAY) * DAY;
}

/** `[from, to)` for "the last `days` days", today included. */
export function lastDays(days: number, now: number): { from: number; to: number } {
  const to = dayStart(now) + DAY;
  return { from: to - days * DAY, to };
}

/** A `YYYY-MM-DD` date input's value as midnight UTC; null when it is not a date. */
export function parseDay(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return null;
  return ms / 1000;
}

/** Midnight UTC `at` as `YYYY-MM-DD`. */
export function dayText(at: number): string {
  return new Date(at * 1000).toISOString().slice(0, 10);
}

/** What is wrong with a custom range, in the words shown under "To"; null when nothing is. */
export function rangeProblem(from: number | null, to: number | null): string | null {
  if (from === null) return "Choose the first day.";
  if (to === null) return "Choose the last day.";
  if (to < from) return "The last day must not come before the first.";
  if (to - from > 399 * DAY) return "A report covers at most 400 days.";
  return null;
}

/** A duration in words people read at a glance: "45 s", "12 min", "3 h 5 min", "2 d 4 h"; "–" for none. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "–";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** One group of the chart: a label and its opened and resolved counts. */
export type Bar = { label: string; opened: number; resolved: number };

export function barsOf(series: ReportPoint[], bucket: "day" | "week"): Bar[] {
  return series.map((p) => ({
    label: bucket === "week" ? `w/c ${dayText(p.start).slice(5)}` : dayText(p.start).slice(5),
    opened: p.figures.opened,
    resolved: p.figures.resolved,
  }));
}

/** A round top for the chart's scale (1, 2, 5 × 10ⁿ), at least 1. */
export function niceMax(values: number[]): number {
  const max = Math.max(1, ...values);
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** `HH:MM` for minutes after midnight. */
export function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** Minutes after midnight from `HH:MM` (24:00 allowed as the end of the day); null when not a time. */
export function parseClock(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && v <= 24 * 60 ? v : null;
}

/** The form's fields as business hours, or which field is wrong and why. */
export function hoursFromForm(
  zone: string, days: { open: boolean; start: string; end: string }[], holidays: string,
): BusinessHours | { field: string; message: string } {
  if (!zone.trim()) return { field: "time zone", message: "Give the team's time zone, such as Europe/Berlin." };
  const out: BusinessHours["days"] = [];
  for (let i = 0; i < 7; i++) {
    const d = days[i];
    if (!d || !d.open) { out.push(null); continue; }
    const start = parseClock(d.start);
    const end = parseClock(d.end);
    if (start === null || end === null || end <= start) {
      return { field: `day ${i}`, message: `${WEEKDAYS[i]}: write the hours as 09:00 and 17:00, the end after the start.` };
    }
    out.push({ start_minute: start, end_minute: end });
  }
  const list = holidays.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
  const bad = list.find((d) => parseDay(d) === null);
  if (bad !== undefined) return { field: "holidays", message: `“${bad}” is not a date; write it as 2026-12-25.` };
  return { time_zone: zone.trim(), days: out, holidays: list };
}

/** "9 of 10 (90%)"; "No SLA" when no team with a policy had a first reply or resolution. */
export function slaText(met: number, missed: number): string {
  const all = met + missed;
  if (all === 0) return "No SLA";
  return `${met} of ${all} (${Math.round((met * 100) / all)}%)`;
}

/** The average rating with one decimal and the share of 4s and 5s; "No ratings" without answers. */
export function csatText(answers: number, satisfied: number, points: number): string {
  if (answers === 0) return "No ratings";
  return `${(points / answers).toFixed(1)} of 5 · ${Math.round((satisfied * 100) / answers)}% satisfied`;
}

/** A row's rating in a table cell: the average and how many answered ("4.3 (12)"), or "–". */
export function csatCell(answers: number, points: number): string {
  return answers === 0 ? "–" : `${(points / answers).toFixed(1)} (${answers})`;
}
