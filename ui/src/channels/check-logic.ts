//! What a channel account's last "Test connection" says, in words: running, passed, or which
//! steps failed. Pure, so it is tested without a window.
import type { CheckOutcome } from "../bindings/CheckOutcome";
import type { ConnectionCheck } from "../bindings/ConnectionCheck";

export type CheckHeadline = { tone: "ok" | "bad" | "muted"; text: string };

/** One line above the steps of the last test (null when the account was never tested). */
export function checkHeadline(check: ConnectionCheck | undefined): CheckHeadline | null {
  if (!check) return null;
  if (check.finished_at === null) return { tone: "muted", text: "Testing the connection…" };
  const failed = check.steps.filter((s) => s.outcome === "failed").length;
  if (failed > 0) return { tone: "bad", text: `${failed} of ${check.steps.length} step${check.steps.length === 1 ? "" : "s"} failed` };
  if (check.steps.some((s) => s.outcome === "ok")) return { tone: "ok", text: "Everything tested works" };
  return { tone: "muted", text: "Nothing could be tested" };
}

/** The mark before a step: ✓ worked, ✗ failed, – not tried. */
export function stepMark(outcome: CheckOutcome): string {
  return outcome === "ok" ? "✓" : outcome === "failed" ? "✗" : "–";
}

/** What the account's remove dialog says will happen to its history. */
export function removalText(erase: boolean, name: string): string {
  return erase
    ? `${name} and all its conversations, messages and notes are erased, with the customers who wrote nowhere else. This cannot be undone.`
    : `${name} stops at once and its secrets are wiped; its conversations stay, read-only. Connecting the same account again brings them back.`;
}
