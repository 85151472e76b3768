//! SLA targets typed and shown: units, plain minutes, empty, and mistakes in words.
import { describe, expect, it } from "vitest";
import { minutesText, parseMinutes, policyFromForm } from "./sla-logic";

describe("SLA targets", () => {
  it("reads hours, minutes, days and plain minutes, and writes them back", () => {
    expect(parseMinutes("4h")).toBe(240);
    expect(parseMinutes(" 1h 30m ")).toBe(90);
    expect(parseMinutes("2d")).toBe(2880);
    expect(parseMinutes("45")).toBe(45);
    expect(parseMinutes("")).toBeNull();
    expect(minutesText(90)).toBe("1h 30m");
    expect(minutesText(2880)).toBe("2d");
    expect(minutesText(null)).toBe("");
  });

  it("refuses what is not a time or out of range, naming the field", () => {
    expect(parseMinutes("soon")).toEqual({ message: "write a time such as 45m, 4h, 1h 30m or 2d" });
    expect(parseMinutes("0")).toHaveProperty("message");
    expect(parseMinutes("400d")).toHaveProperty("message");
    expect(policyFromForm("1h", "x", "")).toEqual({ field: "next_response", message: "write a time such as 45m, 4h, 1h 30m or 2d" });
    expect(policyFromForm("1h", "", "8h")).toEqual({ first_response_minutes: 60, next_response_minutes: null, resolution_minutes: 480 });
  });
});
