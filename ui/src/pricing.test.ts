// @vitest-environment happy-dom
// "WhatsApp charges" (issue 21 item 9): months in words, one row per account, month and
// category with the counts the core summed, and a plain sentence when nothing is priced yet.
import { describe, expect, it } from "vitest";
import { monthLabel, pricingTable } from "./screens/pricing";

describe("WhatsApp charges", () => {
  it("names months as people say them and leaves a malformed one as it is", () => {
    expect(monthLabel("2026-12")).toBe("December 2026");
    expect(monthLabel("2027-01")).toBe("January 2027");
    expect(monthLabel("2026-13")).toBe("2026-13");
  });

  it("shows a row per account, month and category, and says when there is nothing", () => {
    const table = pricingTable([
      { account: 1, account_name: "Support line", month: "2026-12", category: "marketing", messages: 12, billable: 12 },
      { account: 1, account_name: "Support line", month: "2026-12", category: "", messages: 3, billable: 0 },
    ]);
    const rows = Array.from(table.querySelectorAll("tbody tr")).map((tr) =>
      Array.from(tr.querySelectorAll("td")).map((td) => td.textContent));
    expect(rows).toEqual([
      ["December 2026", "Support line", "marketing", "12", "12"],
      ["December 2026", "Support line", "unknown", "3", "0"],
    ]);
    expect(pricingTable([]).textContent).toMatch(/No priced messages yet/);
  });
});
