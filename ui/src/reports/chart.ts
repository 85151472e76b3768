//! The report's chart: opened and resolved conversations per day or week as grouped bars, drawn
//! as SVG in this window (no library, no remote assets, no inline styles: colours come from CSS
//! classes), with the numbers beside it in a table for those who would rather read.
import { h } from "../h";
import { niceMax, type Bar } from "./logic";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const HEIGHT = 180;
const LEFT = 36;
const BOTTOM = 22;

export function barChart(bars: Bar[], title: string): HTMLElement {
  const top = niceMax(bars.flatMap((b) => [b.opened, b.resolved]));
  const group = Math.max(14, Math.min(48, Math.floor(720 / Math.max(1, bars.length))));
  const width = LEFT + bars.length * group + 8;
  const plot = HEIGHT - BOTTOM;
  const y = (v: number) => 6 + (plot - 6) * (1 - v / top);
  const root = svg("svg", { viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT, role: "img", "aria-label": title, class: "chart" });
  // Counts are whole: a middle line only where it is a whole number.
  for (const v of Number.isInteger(top / 2) ? [0, top / 2, top] : [0, top]) {
    root.append(svg("line", { x1: LEFT, x2: width, y1: y(v), y2: y(v), class: "chart-grid" }));
    root.append(svg("text", { x: LEFT - 4, y: y(v) + 4, "text-anchor": "end", class: "chart-axis" }, String(v)));
  }
  const bar = Math.max(4, Math.floor((group - 4) / 2));
  const every = Math.ceil(bars.length / 12);
  bars.forEach((b, i) => {
    const x = LEFT + i * group + 2;
    const opened = svg("rect", { x, y: y(b.opened), width: bar, height: plot - y(b.opened), class: "chart-opened" });
    opened.append(svg("title", {}, `${b.label}: ${b.opened} opened`));
    const resolved = svg("rect", { x: x + bar, y: y(b.resolved), width: bar, height: plot - y(b.resolved), class: "chart-resolved" });
    resolved.append(svg("title", {}, `${b.label}: ${b.resolved} resolved`));
    root.append(opened, resolved);
    if (i % every === 0) root.append(svg("text", { x: x + bar, y: HEIGHT - 6, "text-anchor": "middle", class: "chart-axis" }, b.label));
  });
  return h("figure", { class: "chart-figure", id: "report-chart" },
    h("div", { class: "chart-scroll" }, root),
    h("figcaption", { class: "chart-legend" },
      h("span", { class: "legend-opened" }, "Opened"), " ", h("span", { class: "legend-resolved" }, "Resolved")));
}
