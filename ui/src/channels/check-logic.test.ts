import { describe, expect, it } from "vitest";
import { checkHeadline, removalText, stepMark } from "./check-logic";

const step = (name: string, outcome: "ok" | "failed" | "skipped") => ({ name, outcome, detail: "" });

describe("connection test words", () => {
  it("says running, passed, or how many steps failed", () => {
    expect(checkHeadline(undefined)).toBeNull();
    expect(checkHeadline({ requested_at: 1, finished_at: null, steps: [] })).toEqual({ tone: "muted", text: "Testing the connection…" });
    expect(checkHeadline({ requested_at: 1, finished_at: 2, steps: [step("Access token", "ok"), step("Templates", "skipped")] }))
      .toEqual({ tone: "ok", text: "Everything tested works" });
    expect(checkHeadline({ requested_at: 1, finished_at: 2, steps: [step("Access token", "failed"), step("Templates", "skipped"), step("Webhook", "skipped")] }))
      .toEqual({ tone: "bad", text: "1 of 3 steps failed" });
    expect(checkHeadline({ requested_at: 1, finished_at: 2, steps: [step("Templates", "skipped")] }))
      .toEqual({ tone: "muted", text: "Nothing could be tested" });
  });

  it("marks each step and words the history's fate", () => {
    expect(["ok", "failed", "skipped"].map((o) => stepMark(o as "ok"))).toEqual(["✓", "✗", "–"]);
    expect(removalText(true, "Sales line")).toMatch(/^Sales line and all its conversations.*cannot be undone/);
    expect(removalText(false, "Sales line")).toMatch(/conversations stay, read-only/);
  });
});
