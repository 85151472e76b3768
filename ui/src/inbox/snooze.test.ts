import { describe, expect, it } from "vitest";
import { MORNING_HOUR, parseSnoozeInput, snoozeLabel, snoozePresets } from "./snooze";

const local = (y: number, m: number, d: number, h: number, min = 0) => new Date(y, m - 1, d, h, min).getTime();
const at = (ms: number) => Math.floor(ms / 1000);

describe("snoozePresets", () => {
  it("offers later today on the next full hour, tomorrow morning and next Monday morning", () => {
    // Thursday 4 December 2025, 10:20.
    const now = local(2025, 12, 4, 10, 20);
    const [later, tomorrow, nextWeek] = snoozePresets(now);
    expect(later).toEqual({ id: "later", label: "Later today", at: at(local(2025, 12, 4, 14)) });
    expect(tomorrow.at).toBe(at(local(2025, 12, 5, MORNING_HOUR)));
    expect(nextWeek.at).toBe(at(local(2025, 12, 8, MORNING_HOUR)));
  });

  it("says 'in 3 hours' late in the evening, and next week from a Monday is the Monday after", () => {
    const [later, , nextWeek] = snoozePresets(local(2025, 12, 8, 22, 0));
    expect(later.label).toBe("In 3 hours");
    expect(later.at).toBe(at(local(2025, 12, 9, 1)));
    expect(nextWeek.at).toBe(at(local(2025, 12, 15, MORNING_HOUR)));
  });
});

describe("parseSnoozeInput", () => {
  const now = local(2025, 12, 4, 10, 0);
  it("reads a datetime-local value as local time", () => {
    expect(parseSnoozeInput("2025-12-05T08:30", now)).toEqual({ at: at(local(2025, 12, 5, 8, 30)) });
  });
  it("refuses an empty value or a time in the past, in plain words", () => {
    expect(parseSnoozeInput("", now)).toEqual({ error: "Choose a date and time." });
    expect(parseSnoozeInput("2025-12-04T09:59", now)).toEqual({ error: "Choose a time in the future." });
  });
});

describe("snoozeLabel", () => {
  it("shows only the time today and the day otherwise", () => {
    const now = local(2025, 12, 4, 10, 0);
    expect(snoozeLabel(at(local(2025, 12, 4, 15)), now)).not.toMatch(/Dec/);
    expect(snoozeLabel(at(local(2025, 12, 9, 9)), now)).toMatch(/9/);
    expect(snoozeLabel(at(local(2025, 12, 9, 9)), now)).toMatch(/^until .+, /);
  });
});
