//! The Reports page against a faked api module: a lead sees only their teams to choose from, the
//! totals, chart and tables drawn from the core's report, a range change asks again, Save as CSV
//! sends the same query, a custom range the wrong way round is stopped under its field, and a
//! team's business hours and SLA targets are saved (a refusal shows at its field).
// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Report } from "../bindings/Report";
import type { ReportQuery } from "../bindings/ReportQuery";
import { clearErrors, showError } from "../field-errors";
import type { PageContext } from "../screens/shell";
import { renderReports } from "./index";

const asked: ReportQuery[] = [];
const saved: ReportQuery[] = [];
const hoursSet: unknown[] = [];
let refuseHours = true;
const slaSet: unknown[] = [];
const overrideSet: unknown[] = [];
let overrides: { scope: { kind: string; name: string }; policy: unknown }[] = [
  { scope: { kind: "channel", name: "email" }, policy: { first_response_minutes: 480, next_response_minutes: null, resolution_minutes: null } },
];
let refuseSla = true;
const none = { count: 0, median: null, p90: null };
function report(q: ReportQuery): Report {
  const figures = { opened: 4, resolved: 3, reopened: 1, handoffs: 2,
    first_response: { count: 3, median: 600, p90: 7200 }, first_response_business: { count: 3, median: 300, p90: 3600 },
    resolution: { count: 3, median: 3600, p90: 90_000 }, resolution_business: none, sla_met: 9, sla_missed: 1,
    csat_answers: 4, csat_satisfied: 3, csat_points: 17 };
  const days = Math.round((q.to - q.from) / 86_400);
  return {
    query: q, totals: figures,
    series: Array.from({ length: days }, (_, i) => ({ start: q.from + i * 86_400, figures: { ...figures, opened: i % 3 } })),
    by_agent: [{ name: "Alex Agent", figures }], by_team: [{ name: "Billing", figures }], by_channel: [{ name: "email", figures }],
    by_label: [{ name: "refund", figures }],
    agent_status: [{ name: "Alex Agent", total: { available: 27_000, away: 1_800, offline: 57_600 },
      days: [[q.from, { available: 27_000, away: 1_800, offline: 57_600 }]] }],
  };
}
vi.mock("../api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../api")>()),
  listTeams: async () => [{ id: 1, name: "Billing", members: 2 }, { id: 2, name: "Sales", members: 1 }],
  teamReport: async (q: ReportQuery) => { asked.push(q); return report(q); },
  saveReportCsv: async (q: ReportQuery) => { saved.push(q); return "/home/lena/Downloads/appcare-report.csv"; },
  businessHours: async () => null,
  slaPolicy: async () => ({ first_response_minutes: 90, next_response_minutes: null, resolution_minutes: null }),
  setSlaPolicy: async (team: number, policy: unknown) => {
    if (refuseSla) { refuseSla = false; throw { code: "invalid_input", message: "resolution: give a target between 1 minute and 365 days, or leave it empty" }; }
    slaSet.push([team, policy]);
    return policy;
  },
  slaOverrides: async () => overrides,
  setSlaOverride: async (team: number, scope: { kind: string; name: string }, policy: unknown) => {
    if (scope.kind === "label" && scope.name === "taken") throw { code: "invalid_input", message: "label: write a label of 1 to 40 characters" };
    overrideSet.push([team, scope, policy]);
    overrides = policy === null ? overrides.filter((o) => o.scope.name !== scope.name) : [...overrides, { scope, policy }];
    return overrides;
  },
  setBusinessHours: async (team: number, hours: unknown) => {
    if (refuseHours) { refuseHours = false; throw { code: "invalid_input", message: "time zone: “Mars/Base” is not a time zone; use a name such as Europe/Berlin" }; }
    hoursSet.push([team, hours]);
    return hours;
  },
}));
const tick = async () => { for (let i = 0; i < 6; i++) await new Promise((r) => setTimeout(r, 0)); };

function setup() {
  const toasts: string[] = [];
  const page = document.createElement("section");
  document.body.replaceChildren(page);
  const ctx = {
    app: {
      run: async (form: HTMLElement, _b: unknown, e: HTMLElement, task: () => Promise<void>) => {
        clearErrors(form);
        try { await task(); return true; } catch (err) { showError(form, err, e); return false; }
      },
      fail: (err: unknown, e: HTMLElement) => { e.textContent = (err as { message: string }).message; },
    },
    page, error: document.createElement("p"), host: document.body,
    user: { user_id: 5, username: "lena", display_name: "Lena Lead", role: "lead", teams: [1] },
    current: () => true, onLeave: () => {}, setLive: () => {}, openConversation: null, memory: new Map(),
    toast: (m: string) => toasts.push(m), toastAction: () => false,
  } as unknown as PageContext;
  const $ = <T extends HTMLElement = HTMLElement>(sel: string) => page.querySelector<T>(sel)!;
  return { ctx, $, toasts };
}

describe("the Reports page", () => {
  beforeEach(() => { asked.length = 0; saved.length = 0; hoursSet.length = 0; refuseHours = true; slaSet.length = 0; refuseSla = true; });

  it("draws the last 30 days for a lead's own teams, with numbers beside the chart", async () => {
    const { ctx, $ } = setup();
    await renderReports(ctx);
    await tick();
    expect(Array.from($<HTMLSelectElement>("#report-team").options).map((o) => o.textContent)).toEqual(["All my teams", "Billing"]);
    expect(asked).toHaveLength(1);
    expect(asked[0].to - asked[0].from).toBe(30 * 86_400);
    expect(asked[0].team).toBeNull();
    expect($('#report-totals [data-field="opened"]').textContent).toBe("4");
    expect($('#report-totals [data-field="csat"]').textContent).toBe("4.3 of 5 · 75% satisfied");
    expect($('#report-agents [data-field="csat"]').textContent).toBe("4.3 (4)");
    expect($('#report-labels tr[data-name="refund"]').children[1].textContent).toBe("4");
    expect($('#report-totals [data-field="sla"]').textContent).toBe("9 of 10 (90%)");
    const alex = $('#report-status tr[data-name="Alex Agent"]');
    expect(alex.querySelector('[data-field="available"]')!.textContent).toBe("7 h 30 min");
    expect(alex.querySelector('[data-field="away"]')!.textContent).toBe("30 min");
    expect(alex.querySelectorAll("svg.status-bar rect")).toHaveLength(3);
    expect($('#report-totals [data-field="first_response"]').textContent).toBe("10 min · p90 2 h");
    expect($("#report-totals").textContent).toContain("In business hours: 5 min · p90 1 h");
    expect($("#report-chart").querySelectorAll("rect.chart-opened")).toHaveLength(30);
    expect($("#report-series").querySelectorAll("tbody tr")).toHaveLength(30);
    expect($('#report-agents [data-name="Alex Agent"]').textContent).toContain("Alex Agent");
  });

  it("asks again when the range changes, and saves the CSV of the same query", async () => {
    const { ctx, $, toasts } = setup();
    await renderReports(ctx);
    await tick();
    const range = $<HTMLSelectElement>("#report-range");
    range.value = "7";
    range.dispatchEvent(new Event("change"));
    await tick();
    expect(asked.at(-1)!.to - asked.at(-1)!.from).toBe(7 * 86_400);
    expect($("#report-chart").querySelectorAll("rect.chart-opened")).toHaveLength(7);
    $("#report-csv").click();
    await tick();
    expect(saved).toEqual([asked.at(-1)]);
    expect(toasts.at(-1)).toBe("Saved /home/lena/Downloads/appcare-report.csv");
  });

  it("stops a custom range the wrong way round under its field", async () => {
    const { ctx, $ } = setup();
    await renderReports(ctx);
    await tick();
    const range = $<HTMLSelectElement>("#report-range");
    range.value = "custom";
    range.dispatchEvent(new Event("change"));
    $<HTMLInputElement>("#report-from").value = "2026-12-05";
    $<HTMLInputElement>("#report-to").value = "2026-12-01";
    const before = asked.length;
    $("#report-show").click();
    await tick();
    expect(asked.length).toBe(before);
    expect($("#report-to").getAttribute("aria-invalid")).toBe("true");
    expect(document.body.textContent).toContain("The last day must not come before the first.");
    $<HTMLInputElement>("#report-to").value = "2026-12-06";
    $("#report-show").click();
    await tick();
    expect(asked.at(-1)).toMatchObject({ from: Date.UTC(2026, 11, 5) / 1000, to: Date.UTC(2026, 11, 7) / 1000 });
  });

  it("saves a team's business hours; a refusal shows at its field", async () => {
    const { ctx, $, toasts } = setup();
    await renderReports(ctx);
    await tick();
    const team = $<HTMLSelectElement>("#report-team");
    team.value = "1";
    team.dispatchEvent(new Event("change"));
    await tick();
    expect(asked.at(-1)!.team).toBe(1);
    expect($("#hours-heading").textContent).toBe("Business hours of Billing");
    $<HTMLInputElement>("#hours-zone").value = "Mars/Base";
    $<HTMLFormElement>("#hours-form").requestSubmit();
    await tick();
    expect($("#hours-zone").getAttribute("aria-invalid")).toBe("true");
    $<HTMLInputElement>("#hours-zone").value = "Europe/Berlin";
    $<HTMLFormElement>("#hours-form").requestSubmit();
    await tick();
    expect(hoursSet).toHaveLength(1);
    expect(hoursSet[0]).toMatchObject([1, { time_zone: "Europe/Berlin", holidays: [] }]);
    expect(toasts.at(-1)).toBe("Business hours of Billing saved.");
  });

  it("saves a team's SLA targets; a typing mistake and a refusal each show at their field", async () => {
    const { ctx, $, toasts } = setup();
    await renderReports(ctx);
    await tick();
    const team = $<HTMLSelectElement>("#report-team");
    team.value = "1";
    team.dispatchEvent(new Event("change"));
    await tick();
    expect($("#sla-heading").textContent).toBe("SLA targets of Billing");
    expect($<HTMLInputElement>("#sla-first-response").value).toBe("1h 30m");
    $<HTMLInputElement>("#sla-next-response").value = "soon";
    $<HTMLFormElement>("#sla-form").requestSubmit();
    await tick();
    expect($("#sla-next-response").getAttribute("aria-invalid")).toBe("true");
    expect(slaSet).toHaveLength(0);
    $<HTMLInputElement>("#sla-next-response").value = "30m";
    $<HTMLInputElement>("#sla-resolution").value = "2d";
    $<HTMLFormElement>("#sla-form").requestSubmit();
    await tick();
    expect($("#sla-resolution").getAttribute("aria-invalid")).toBe("true");
    $<HTMLFormElement>("#sla-form").requestSubmit();
    await tick();
    expect(slaSet).toEqual([[1, { first_response_minutes: 90, next_response_minutes: 30, resolution_minutes: 2880 }]]);
    expect(toasts.at(-1)).toBe("SLA targets of Billing saved.");
  });

  it("sets targets for a label, shows a mistake at its field and removes a channel's", async () => {
    const { ctx, $, toasts } = setup();
    await renderReports(ctx);
    await tick();
    const team = $<HTMLSelectElement>("#report-team");
    team.value = "1";
    team.dispatchEvent(new Event("change"));
    await tick();
    expect($('#sla-scopes-table tr[data-scope="E-mail"]').children[1].textContent).toBe("8h");
    const kind = $<HTMLSelectElement>("#sla-scope-kind");
    kind.value = "label";
    kind.dispatchEvent(new Event("change"));
    $<HTMLInputElement>("#sla-scope-first-response").value = "15m";
    $<HTMLFormElement>("#sla-scope-form").requestSubmit();
    await tick();
    expect($("#sla-scope-label").getAttribute("aria-invalid")).toBe("true");
    expect(overrideSet).toHaveLength(0);
    $<HTMLInputElement>("#sla-scope-label").value = "taken";
    $<HTMLFormElement>("#sla-scope-form").requestSubmit();
    await tick();
    expect($("#sla-scope-label").getAttribute("aria-invalid")).toBe("true");
    $<HTMLInputElement>("#sla-scope-label").value = " vip ";
    $<HTMLFormElement>("#sla-scope-form").requestSubmit();
    await tick();
    expect(overrideSet.at(-1)).toEqual([1, { kind: "label", name: "vip" },
      { first_response_minutes: 15, next_response_minutes: null, resolution_minutes: null }]);
    expect(toasts.at(-1)).toBe("SLA targets of Billing saved.");
    expect($('#sla-scopes-table tr[data-scope="Label vip"]').children[1].textContent).toBe("15m");
    $("#sla-scope-remove-channel-email").click();
    await tick();
    expect(overrideSet.at(-1)).toEqual([1, { kind: "channel", name: "email" }, null]);
    expect(document.querySelector('#sla-scopes-table tr[data-scope="E-mail"]')).toBeNull();
  });
});
