//! An SLA clock in words and tone: on track, warning, missed; none without a clock.
import { describe, expect, it } from "vitest";
import { slaState } from "./sla-logic";

describe("the SLA badge", () => {
  const clock = { target: "first_response" as const, started_at: 0, warn_at: 1_000, due_at: 2_000 };
  it("shows time left, turns to a warning at the warn time and says how long ago it was missed", () => {
    expect(slaState(clock, 0)).toEqual({ label: "SLA 33 min", title: "First reply due in 33 min (business hours)", tone: "muted" });
    expect(slaState(clock, 1_000)?.tone).toBe("warn");
    expect(slaState(clock, 2_000 + 7_200)).toEqual({ label: "Late 2 h", title: "First reply SLA target missed 2 h ago", tone: "bad" });
    expect(slaState(null, 0)).toBeNull();
    expect(slaState(undefined, 0)).toBeNull();
  });
});
