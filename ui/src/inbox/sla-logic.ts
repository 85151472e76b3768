// An SLA clock in words: which promise, how long is left (or how long ago it was missed)
// and its tone: on track, warning (three quarters used) or breached.
import type { SlaClock } from "../bindings/SlaClock";
import type { SlaTarget } from "../bindings/SlaTarget";

export type SlaState = { label: string; title: string; tone: "muted" | "warn" | "bad" };

export const SLA_TARGET_LABELS: Record<SlaTarget, string> = {
  first_response: "First reply",
  next_response: "Next reply",
  resolution: "Resolution",
};

/** "45 min", "3 h", "2 d": a short span for a badge. */
export function shortSpan(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 3600) return `${Math.max(1, Math.floor(s / 60))} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

/** The clock at `now` (unix seconds), or null when there is none. */
export function slaState(clock: SlaClock | null | undefined, now: number): SlaState | null {
  if (!clock) return null;
  const what = SLA_TARGET_LABELS[clock.target];
  if (now >= clock.due_at) {
    // Short: the list's meta line also holds the assignee and the team.
    const ago = shortSpan(now - clock.due_at);
    return { label: `Late ${ago}`, title: `${what} SLA target missed ${ago} ago`, tone: "bad" };
  }
  const tone = now >= clock.warn_at ? "warn" : "muted";
  return { label: `SLA ${shortSpan(clock.due_at - now)}`, title: `${what} due in ${shortSpan(clock.due_at - now)} (business hours)`, tone };
}
