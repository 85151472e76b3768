//! Bulk changes, pure: what a change says in its notice, and the changes that undo it, grouped by
//! what each conversation was before (a snooze whose time has passed comes back open).
import type { BulkChange } from "../bindings/BulkChange";
import type { ConversationStatus } from "../bindings/ConversationStatus";
import type { Priority } from "../bindings/Priority";
import type { Versioned } from "../bindings/Versioned";
import { PRIORITY_LABELS, STATUS_LABELS } from "./logic";

/** What a conversation was before a bulk change, as the list showed it. */
export type Before = { status: ConversationStatus; snoozed_until: number | null; priority: Priority };

/** "3 conversations resolved." and the like. */
export function bulkNotice(change: BulkChange, count: number): string {
  const n = `${count} conversation${count === 1 ? "" : "s"}`;
  switch (change.kind) {
    case "status":
      return change.status === "snoozed" ? `${n} snoozed.` : `${n} marked ${STATUS_LABELS[change.status].toLowerCase()}.`;
    case "priority":
      return `${n} set to ${PRIORITY_LABELS[change.priority].toLowerCase()}.`;
    case "add_label":
      return `Label "${change.label.trim().toLowerCase()}" added to ${n}.`;
    case "remove_label":
      return `Label "${change.label}" taken off ${n}.`;
  }
}

/** The changes that put `changed` (at their new versions) back as they were in `before`. */
export function undoChanges(change: BulkChange, changed: Versioned[], before: ReadonlyMap<number, Before>,
  nowSecs: number): { conversations: Versioned[]; change: BulkChange }[] {
  if (change.kind === "add_label" || change.kind === "remove_label") {
    // The core returned only the conversations it changed: the opposite change on those alone.
    const label = change.label.trim().toLowerCase();
    const back: BulkChange = change.kind === "add_label" ? { kind: "remove_label", label } : { kind: "add_label", label };
    return changed.length ? [{ conversations: changed, change: back }] : [];
  }
  const groups = new Map<string, { conversations: Versioned[]; change: BulkChange }>();
  for (const v of changed) {
    const was = before.get(v.id);
    if (!was) continue;
    let back: BulkChange;
    if (change.kind === "priority") {
      back = { kind: "priority", priority: was.priority };
    } else {
      const snoozeStillAhead = was.status === "snoozed" && was.snoozed_until !== null && was.snoozed_until > nowSecs;
      back = snoozeStillAhead
        ? { kind: "status", status: "snoozed", snoozed_until: was.snoozed_until }
        : { kind: "status", status: was.status === "snoozed" ? "open" : was.status, snoozed_until: null };
    }
    const key = JSON.stringify(back);
    const group = groups.get(key) ?? { conversations: [], change: back };
    group.conversations.push(v);
    groups.set(key, group);
  }
  return Array.from(groups.values());
}
