import { describe, expect, it } from "vitest";
import { barsOf, clock, csatCell, csatText, dayText, formatDuration, hoursFromForm, lastDays, niceMax, parseClock, parseDay, rangeProblem, slaText } from "./logic";

describe("the Reports page's helpers", () => {
  it("say how many met their SLA target, and when there was none", () => {
    expect(slaText(9, 1)).toBe("9 of 10 (90%)");
    expect(slaText(0, 3)).toBe("0 of 3 (0%)");
    expect(slaText(0, 0)).toBe("No SLA");
  });

  it("give the average rating and the share of satisfied customers", () => {
    expect(csatText(3, 2, 11)).toBe("3.7 of 5 · 67% satisfied");
    expect(csatText(0, 0, 0)).toBe("No ratings");
    expect(csatCell(4, 18)).toBe("4.5 (4)");
    expect(csatCell(0, 0)).toBe("–");
  });

  it("make ranges of whole UTC days, today included", () => {
    const now = Date.UTC(2026, 11, 7, 15, 30) / 1000;
    const r = lastDays(7, now);
    expect(dayText(r.from)).toBe("2026-12-01");
    expect(dayText(r.to)).toBe("2026-12-08");
    expect(parseDay("2026-02-30")).toBeNull();
    expect(parseDay("2026-12-01")).toBe(Date.UTC(2026, 11, 1) / 1000);
    expect(rangeProblem(null, 5)).toBe("Choose the first day.");
    expect(rangeProblem(10 * 86_400, 86_400)).toBe("The last day must not come before the first.");
    expect(rangeProblem(0, 400 * 86_400)).toBe("A report covers at most 400 days.");
    expect(rangeProblem(0, 86_400)).toBeNull();
  });

  it("write durations for a glance", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(12 * 60)).toBe("12 min");
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe("3 h 5 min");
    expect(formatDuration(66 * 3600)).toBe("2 d 18 h");
  });

  it("label bars by day or week and round the scale", () => {
    const point = (start: number, opened: number, resolved: number) => ({ start, figures: {
      opened, resolved, reopened: 0, handoffs: 0,
      first_response: { count: 0, median: null, p90: null }, first_response_business: { count: 0, median: null, p90: null },
      resolution: { count: 0, median: null, p90: null }, resolution_business: { count: 0, median: null, p90: null }, sla_met: 0, sla_missed: 0, csat_answers: 0, csat_satisfied: 0, csat_points: 0 } });
    expect(barsOf([point(Date.UTC(2026, 11, 7) / 1000, 3, 1)], "week")).toEqual([{ label: "w/c 12-07", opened: 3, resolved: 1 }]);
    expect(niceMax([0])).toBe(1);
    expect(niceMax([7, 3])).toBe(10);
    expect(niceMax([120])).toBe(200);
  });

  it("read business hours from the form, naming the field that is wrong", () => {
    const open = { open: true, start: "09:00", end: "17:30" };
    const closed = { open: false, start: "", end: "" };
    const week = [open, open, open, open, open, closed, closed];
    expect(clock(540)).toBe("09:00");
    expect(parseClock("24:00")).toBe(1440);
    expect(parseClock("9.00")).toBeNull();
    expect(hoursFromForm("Europe/Berlin", week, "2026-12-25, 2026-12-26")).toEqual({
      time_zone: "Europe/Berlin",
      days: [...Array(5).fill({ start_minute: 540, end_minute: 1050 }), null, null],
      holidays: ["2026-12-25", "2026-12-26"],
    });
    expect(hoursFromForm(" ", week, "")).toEqual({ field: "time zone", message: "Give the team's time zone, such as Europe/Berlin." });
    const bad = [...week];
    bad[2] = { open: true, start: "17:00", end: "09:00" };
    expect(hoursFromForm("UTC", bad, "")).toEqual({ field: "day 2", message: "Wednesday: write the hours as 09:00 and 17:00, the end after the start." });
    expect(hoursFromForm("UTC", week, "25.12.")).toEqual({ field: "holidays", message: "“25.12.” is not a date; write it as 2026-12-25." });
  });
});
