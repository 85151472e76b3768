//! Time in status on the Reports page: per person, hours available, away and offline over the
//! range, each with a stacked bar (SVG drawn here, colours from CSS classes) and the numbers
//! beside it; the CSV has the same per day.
import type { AgentStatusRow } from "../bindings/AgentStatusRow";
import { h } from "../h";
import { formatDuration } from "./logic";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 160;

function rect(x: number, width: number, cls: string, title: string): SVGElement {
  const r = document.createElementNS(SVG, "rect");
  for (const [k, v] of Object.entries({ x, y: 0, width, height: 12, class: cls })) r.setAttribute(k, String(v));
  const t = document.createElementNS(SVG, "title");
  t.textContent = title;
  r.append(t);
  return r;
}

/** The three shares of one person's time as one bar. */
function stackedBar(row: AgentStatusRow): SVGElement {
  const { available, away, offline } = row.total;
  const all = Math.max(1, available + away + offline);
  const root = document.createElementNS(SVG, "svg");
  for (const [k, v] of Object.entries({ width: WIDTH, height: 12, viewBox: `0 0 ${WIDTH} 12`, role: "img", class: "status-bar",
    "aria-label": `${row.name}: ${formatDuration(available)} available, ${formatDuration(away)} away` })) root.setAttribute(k, String(v));
  let x = 0;
  for (const [seconds, cls, label] of [[available, "status-available", "available"], [away, "status-away", "away"], [offline, "status-offline", "offline"]] as const) {
    const w = (WIDTH * seconds) / all;
    if (w > 0) root.append(rect(x, w, cls, `${formatDuration(seconds)} ${label}`));
    x += w;
  }
  return root;
}

export function statusTable(rows: AgentStatusRow[]): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty", id: "report-status-empty" }, "Nobody was signed in during this range.");
  return h("div", { class: "table-wrap" }, h("table", { class: "table", id: "report-status" },
    h("caption", null, "Time in status (signed in and available, away; offline otherwise)"),
    h("thead", null, h("tr", null, ...["Name", "", "Available", "Away", "Offline"]
      .map((t, i) => h("th", { scope: "col", class: i > 1 ? "num" : null }, t)))),
    h("tbody", null, ...rows.map((r) => h("tr", { "data-name": r.name },
      h("td", null, r.name),
      h("td", null, stackedBar(r)),
      h("td", { class: "num", "data-field": "available" }, formatDuration(r.total.available)),
      h("td", { class: "num", "data-field": "away" }, formatDuration(r.total.away)),
      h("td", { class: "num", "data-field": "offline" }, formatDuration(r.total.offline)))))));
}
