import { describe, expect, it } from "vitest";
import { bulkNotice, undoChanges, type Before } from "./bulk-logic";

const NOW = 1_700_000_000;
const before = new Map<number, Before>([
  [1, { status: "open", snoozed_until: null, priority: "none" }],
  [2, { status: "pending", snoozed_until: null, priority: "high" }],
  [3, { status: "snoozed", snoozed_until: NOW + 600, priority: "none" }],
  [4, { status: "snoozed", snoozed_until: NOW - 600, priority: "urgent" }],
]);
const changed = [1, 2, 3, 4].map((id) => ({ id, version: 10 + id }));

describe("undoChanges", () => {
  it("puts each status back in groups, a passed snooze as open, at the new versions", () => {
    const undo = undoChanges({ kind: "status", status: "resolved", snoozed_until: null }, changed, before, NOW);
    expect(undo).toEqual([
      { conversations: [{ id: 1, version: 11 }, { id: 4, version: 14 }], change: { kind: "status", status: "open", snoozed_until: null } },
      { conversations: [{ id: 2, version: 12 }], change: { kind: "status", status: "pending", snoozed_until: null } },
      { conversations: [{ id: 3, version: 13 }], change: { kind: "status", status: "snoozed", snoozed_until: NOW + 600 } },
    ]);
  });
  it("puts each priority back", () => {
    const undo = undoChanges({ kind: "priority", priority: "low" }, changed, before, NOW);
    expect(undo.map((g) => [g.change, g.conversations.map((v) => v.id)])).toEqual([
      [{ kind: "priority", priority: "none" }, [1, 3]],
      [{ kind: "priority", priority: "high" }, [2]],
      [{ kind: "priority", priority: "urgent" }, [4]],
    ]);
  });
  it("takes an added label off only the conversations that changed", () => {
    const undo = undoChanges({ kind: "add_label", label: " VIP " }, [{ id: 2, version: 12 }], before, NOW);
    expect(undo).toEqual([{ conversations: [{ id: 2, version: 12 }], change: { kind: "remove_label", label: "vip" } }]);
    expect(undoChanges({ kind: "add_label", label: "vip" }, [], before, NOW)).toEqual([]);
  });
});

describe("bulkNotice", () => {
  it("says what happened to how many", () => {
    expect(bulkNotice({ kind: "status", status: "resolved", snoozed_until: null }, 3)).toBe("3 conversations marked resolved.");
    expect(bulkNotice({ kind: "priority", priority: "urgent" }, 1)).toBe("1 conversation set to urgent.");
    expect(bulkNotice({ kind: "add_label", label: " VIP" }, 2)).toBe('Label "vip" added to 2 conversations.');
  });
});
