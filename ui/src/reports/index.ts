//! The Reports page for leads (their teams) and admins (every team): a range (last 7, 30 or 90
//! days, or two dates), a team and per day or week; the totals as tiles, opened and resolved as a
//! chart with the numbers beside it, per agent, team and channel as tables; the same figures saved
//! as CSV into Downloads; and the chosen team's business hours. One state, one render path.
import * as api from "../api";
import type { BusinessHours } from "../bindings/BusinessHours";
import type { Report } from "../bindings/Report";
import type { ReportFigures } from "../bindings/ReportFigures";
import type { ReportQuery } from "../bindings/ReportQuery";
import type { ReportRow } from "../bindings/ReportRow";
import type { TeamSummary } from "../bindings/TeamSummary";
import { h, replaceChildren } from "../h";
import { toUiError } from "../logic";
import type { PageContext } from "../screens/shell";
import { button, errorArea, field, input, problem } from "../ui";
import { barChart } from "./chart";
import { hoursForm } from "./hours-form";
import { slaForm } from "./sla-form";
import { slaScopesPanel } from "./sla-scopes";
import { statusTable } from "./status-table";
import { barsOf, csatCell, csatText, dayText, formatDuration, lastDays, parseDay, rangeProblem, slaText } from "./logic";

type State = {
  query: ReportQuery;
  report: Report | null;
  loading: boolean;
  error: string | null;
  /** The chosen team's business hours: undefined while not read. */
  hours: BusinessHours | null | undefined;
};

function tile(label: string, fieldName: string, value: string, hint?: string): HTMLElement {
  return h("div", { class: "card" }, h("h3", null, label),
    h("p", { class: "card-value" }, h("span", { class: "value", "data-field": fieldName }, value)),
    hint ? h("p", { class: "hint" }, hint) : null);
}

function durationText(f: ReportFigures, which: "first_response" | "resolution"): string {
  const d = f[which];
  return d.count === 0 ? "–" : `${formatDuration(d.median)} · p90 ${formatDuration(d.p90)}`;
}

function businessText(f: ReportFigures, which: "first_response_business" | "resolution_business"): string | undefined {
  const d = f[which];
  return d.count === 0 ? undefined : `In business hours: ${formatDuration(d.median)} · p90 ${formatDuration(d.p90)}`;
}

function rowsTable(id: string, caption: string, rows: ReportRow[]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty", id: `${id}-empty` }, "Nothing in this range.");
  return h("div", { class: "table-wrap" }, h("table", { class: "table", id },
    h("caption", null, caption),
    h("thead", null, h("tr", null, ...["Name", "Opened", "Resolved", "Reopened", "Handoffs", "First response (median)", "Resolution (median)", "Rating"]
      .map((t, i) => h("th", { scope: "col", class: i ? "num" : null }, t)))),
    h("tbody", null, ...rows.map((r) => h("tr", { "data-name": r.name },
      h("td", null, r.name),
      h("td", { class: "num" }, r.figures.opened),
      h("td", { class: "num" }, r.figures.resolved),
      h("td", { class: "num" }, r.figures.reopened),
      h("td", { class: "num" }, r.figures.handoffs),
      h("td", { class: "num" }, formatDuration(r.figures.first_response.median)),
      h("td", { class: "num" }, formatDuration(r.figures.resolution.median)),
      h("td", { class: "num", "data-field": "csat" }, csatCell(r.figures.csat_answers, r.figures.csat_points)))))));
}

function seriesTable(report: Report): HTMLElement {
  return h("details", { class: "series-numbers" }, h("summary", null, "The numbers of the chart"),
    h("div", { class: "table-wrap" }, h("table", { class: "table", id: "report-series" },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, report.query.bucket === "week" ? "Week of" : "Day"),
        h("th", { scope: "col", class: "num" }, "Opened"), h("th", { scope: "col", class: "num" }, "Resolved"))),
      h("tbody", null, ...report.series.map((p) => h("tr", null,
        h("td", null, dayText(p.start)), h("td", { class: "num" }, p.figures.opened), h("td", { class: "num" }, p.figures.resolved)))))));
}

export async function renderReports(ctx: PageContext): Promise<void> {
  let teams: TeamSummary[];
  try {
    teams = await api.listTeams();
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;
  const isAdmin = ctx.user.role === "admin";
  const mine = isAdmin ? teams : teams.filter((t) => ctx.user.teams.includes(t.id));
  const now = () => Math.floor(Date.now() / 1000);
  const first = lastDays(30, now());
  let state: State = {
    query: { from: first.from, to: first.to, team: null, bucket: "day" },
    report: null, loading: false, error: null, hours: undefined,
  };

  const range = h("select", { id: "report-range" },
    h("option", { value: "7" }, "Last 7 days"), h("option", { value: "30" }, "Last 30 days"),
    h("option", { value: "90" }, "Last 90 days"), h("option", { value: "custom" }, "Choose dates…")) as HTMLSelectElement;
  range.value = "30";
  const from = input("report-from", { type: "date" });
  const to = input("report-to", { type: "date" });
  from.value = dayText(first.from);
  to.value = dayText(first.to - 86_400);
  const dates = h("div", { class: "report-dates", hidden: true }, field("From", from), field("To (included)", to));
  const team = h("select", { id: "report-team" },
    h("option", { value: "" }, isAdmin ? "All teams" : "All my teams"),
    ...mine.map((t) => h("option", { value: String(t.id) }, t.name))) as HTMLSelectElement;
  const by = h("select", { id: "report-by" }, h("option", { value: "day" }, "Per day"), h("option", { value: "week" }, "Per week")) as HTMLSelectElement;
  const show = button("report-show", "Show", { class: "primary" });
  const csv = button("report-csv", "Save as CSV", { class: "secondary" });
  const formError = errorArea();
  formError.id = "report-form-error";
  const controls = h("form", { id: "report-form", class: "report-controls", novalidate: true },
    field("Range", range), dates, field("Team", team), field("Series", by),
    h("div", { class: "actions" }, show, csv), formError);
  const body = h("div", { id: "report-body", "aria-live": "polite" });
  const hoursHost = h("div", { id: "hours-host" });
  const slaHost = h("div", { id: "sla-host" });
  ctx.page.replaceChildren(h("div", { id: "reports" }, h("h1", null, "Reports"),
    h("p", { class: "hint" }, "Made from the conversations themselves each time you look. Days are UTC; a conversation counts for its team today. "
      + "Conversations a customer reopened by writing again are counted from this version on (earlier ones were not recorded)."),
    controls, body, hoursHost, slaHost));

  /** The query the controls describe, or null (with the problem shown at its field). */
  function queryFromControls(): ReportQuery | null {
    let window: { from: number; to: number };
    if (range.value === "custom") {
      const f = parseDay(from.value);
      const t = parseDay(to.value);
      const bad = rangeProblem(f, t);
      if (bad) { problem(formError, f === null ? from : to, bad); return null; }
      window = { from: f as number, to: (t as number) + 86_400 };
    } else {
      window = lastDays(Number(range.value), now());
    }
    return { ...window, team: team.value ? Number(team.value) : null, bucket: by.value === "week" ? "week" : "day" };
  }

  function set(patch: Partial<State>): void {
    state = { ...state, ...patch };
    render();
  }

  async function load(): Promise<void> {
    const query = queryFromControls();
    if (!query) return;
    formError.textContent = "";
    set({ query, loading: true, error: null });
    try {
      const report = await api.teamReport(query);
      if (ctx.current() && state.query === query) set({ report, loading: false });
    } catch (err) {
      if (ctx.current() && state.query === query) set({ loading: false, error: toUiError(err).message });
    }
    void loadHours(query.team);
    void loadSla(query.team);
  }

  async function loadHours(teamId: number | null): Promise<void> {
    if (teamId === null) { hoursHost.replaceChildren(); return; }
    try {
      const hours = await api.businessHours(teamId);
      if (!ctx.current() || state.query.team !== teamId) return;
      state = { ...state, hours };
      const name = teams.find((t) => t.id === teamId)?.name ?? "the team";
      replaceChildren(hoursHost, hoursForm(ctx.app, teamId, name, hours, (saved) => {
        ctx.toast(saved ? `Business hours of ${name} saved.` : `${name} now counts calendar time only.`);
        void load();
      }));
    } catch (err) {
      if (ctx.current()) replaceChildren(hoursHost, h("p", { class: "warning" }, `The business hours could not be read: ${toUiError(err).message}`));
    }
  }

  async function loadSla(teamId: number | null): Promise<void> {
    if (teamId === null) { slaHost.replaceChildren(); return; }
    try {
      const [policy, overrides] = await Promise.all([api.slaPolicy(teamId), api.slaOverrides(teamId)]);
      if (!ctx.current() || state.query.team !== teamId) return;
      const name = teams.find((t) => t.id === teamId)?.name ?? "the team";
      replaceChildren(slaHost, slaForm(ctx.app, teamId, name, policy, (saved) => {
        ctx.toast(saved ? `SLA targets of ${name} saved.` : `${name} tracks no SLA now.`);
        void loadSla(teamId);
      }), slaScopesPanel(ctx.app, teamId, overrides, () => {
        ctx.toast(`SLA targets of ${name} saved.`);
        void loadSla(teamId);
      }));
    } catch (err) {
      if (ctx.current()) replaceChildren(slaHost, h("p", { class: "warning" }, `The SLA targets could not be read: ${toUiError(err).message}`));
    }
  }

  function render(): void {
    dates.hidden = range.value !== "custom";
    show.disabled = state.loading;
    show.textContent = state.loading ? "Counting…" : "Show";
    if (state.error) { replaceChildren(body, h("p", { class: "warning", id: "report-error" }, state.error)); return; }
    const r = state.report;
    if (!r) { replaceChildren(body, h("p", { class: "muted" }, "Counting…")); return; }
    const t = r.totals;
    replaceChildren(body,
      h("div", { class: "cards", id: "report-totals" },
        tile("Opened", "opened", String(t.opened)),
        tile("Resolved", "resolved", String(t.resolved)),
        tile("Reopened", "reopened", String(t.reopened)),
        tile("Handoffs", "handoffs", String(t.handoffs)),
        tile("First response", "first_response", durationText(t, "first_response"), businessText(t, "first_response_business")),
        tile("Resolution", "resolution", durationText(t, "resolution"), businessText(t, "resolution_business")),
        tile("SLA met", "sla", slaText(t.sla_met, t.sla_missed), "First replies and resolutions within the team's SLA target."),
        tile("Satisfaction", "csat", csatText(t.csat_answers, t.csat_satisfied, t.csat_points),
          `${t.csat_answers} ${t.csat_answers === 1 ? "customer" : "customers"} rated the help after a resolution (1 to 5).`)),
      h("h2", null, r.query.bucket === "week" ? "Opened and resolved per week" : "Opened and resolved per day"),
      barChart(barsOf(r.series, r.query.bucket), "Conversations opened and resolved"),
      seriesTable(r),
      rowsTable("report-agents", "Per agent", r.by_agent),
      rowsTable("report-teams", "Per team", r.by_team),
      rowsTable("report-channels", "Per channel", r.by_channel),
      rowsTable("report-labels", "Per label (a conversation with several labels counts in each)", r.by_label),
      h("h2", null, "Time in status"),
      statusTable(r.agent_status));
  }

  range.addEventListener("change", () => { render(); if (range.value !== "custom") void load(); else from.focus(); });
  team.addEventListener("change", () => void load());
  by.addEventListener("change", () => void load());
  show.addEventListener("click", () => void load());
  controls.addEventListener("submit", (ev) => { ev.preventDefault(); void load(); });
  csv.addEventListener("click", () => {
    const query = queryFromControls();
    if (!query) return;
    void ctx.app.run(controls, csv, formError, async () => {
      const path = await api.saveReportCsv(query);
      if (ctx.current()) ctx.toast(`Saved ${path}`);
    });
  });
  render();
  await load();
}
