import * as api from "../api";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditStatus } from "../bindings/AuditStatus";
import { h } from "../h";
import { formatDateTime } from "../logic";
import { button } from "../ui";
import type { PageContext } from "./shell";

export async function renderAudit(ctx: PageContext): Promise<void> {
  let status: AuditStatus;
  let entries: AuditEntry[];
  try {
    [status, entries] = await Promise.all([api.verifyAudit(), api.recentAudit(200)]);
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;
  const banner = h("div", { id: "audit-status", class: `banner ${status.intact ? "intact" : "broken"}`, role: "status" },
    status.message);
  const refresh = button("audit-refresh", "Check again", { class: "secondary" });
  refresh.addEventListener("click", () => {
    refresh.disabled = true;
    void renderAudit(ctx).finally(() => { refresh.disabled = false; });
  });
  const table = h("table", { id: "audit-table", class: "table" },
    h("caption", { class: "sr-only" }, "Most recent audit events, newest first"),
    h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "Time"), h("th", { scope: "col" }, "Actor"), h("th", { scope: "col" }, "Event"),
      h("th", { scope: "col" }, "Subject"), h("th", { scope: "col" }, "Detail"))),
    h("tbody", null, entries.length === 0
      ? h("tr", null, h("td", { colspan: 5, class: "empty" }, "No audit events yet."))
      : null, ...entries.map((e) => h("tr", { "data-id": e.id },
      h("td", { class: "nowrap mono" }, formatDateTime(e.at)),
      h("td", null, e.actor ?? h("span", { class: "muted" }, "system")),
      h("td", { class: "mono" }, e.kind),
      h("td", null, e.subject),
      h("td", { class: "detail" }, e.detail),
    ))),
  );
  ctx.page.replaceChildren(h("div", { id: "audit" },
    h("div", { class: "page-head" }, h("h1", null, "Audit"), refresh),
    banner,
    h("p", { class: "muted" }, `${status.rows} events recorded. Showing the latest ${entries.length}.`),
    table,
  ));
}
