// "WhatsApp charges" on the Team page: what Meta priced per account, month and category, read
// from the delivery statuses of the messages sent (leads see their teams', admins all). Loaded
// on its own, so the page works without it.
import * as api from "../api";
import type { PricingMonth } from "../bindings/PricingMonth";
import { h, replaceChildren } from "../h";
import { toUiError } from "../logic";
import type { PageContext } from "./shell";

/** The month as people say it ("December 2026"), from `YYYY-MM`. */
export function monthLabel(month: string): string {
  const [year, m] = month.split("-").map(Number);
  if (!year || !m || m < 1 || m > 12) return month;
  return new Date(Date.UTC(year, m - 1, 1)).toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

export function pricingTable(rows: PricingMonth[]): HTMLElement {
  if (rows.length === 0) {
    return h("p", { class: "empty", id: "pricing-empty" },
      "No priced messages yet. Meta reports a price with the delivery status of each WhatsApp message sent.");
  }
  return h("div", { class: "table-wrap" }, h("table", { id: "pricing-table", class: "table" },
    h("caption", { class: "sr-only" }, "WhatsApp messages Meta priced, per month, account and category"),
    h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "Month"), h("th", { scope: "col" }, "Account"), h("th", { scope: "col" }, "Category"),
      h("th", { scope: "col", class: "num" }, "Messages"), h("th", { scope: "col", class: "num" }, "Billable"))),
    h("tbody", null, ...rows.map((r) => h("tr", { "data-account": r.account, "data-month": r.month },
      h("td", { class: "nowrap" }, monthLabel(r.month)),
      h("td", null, r.account_name),
      h("td", null, r.category || "unknown"),
      h("td", { class: "num" }, r.messages),
      h("td", { class: "num" }, r.billable))))));
}

export function pricingSection(ctx: PageContext): HTMLElement {
  const body = h("div", { id: "pricing-body" }, h("p", { class: "muted" }, "Reading the charges…"));
  const el = h("section", { class: "panel", id: "pricing", "aria-labelledby": "pricing-heading" },
    h("h2", { id: "pricing-heading" }, "WhatsApp charges"),
    h("p", { class: "hint" }, "What Meta reported for the messages sent, by the month they were sent (UTC). Meta's invoice is the final word."),
    body);
  void (async () => {
    try {
      const rows = await api.whatsappPricing();
      if (ctx.current()) replaceChildren(body, pricingTable(rows));
    } catch (err) {
      if (ctx.current()) replaceChildren(body, h("p", { class: "warning", id: "pricing-error" }, `The charges could not be read: ${toUiError(err).message}`));
    }
  })();
  return el;
}
