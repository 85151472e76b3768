import * as api from "../api";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditFilter } from "../bindings/AuditFilter";
import type { AuditStatus } from "../bindings/AuditStatus";
import { h, replaceChildren } from "../h";
import { formatDateTime } from "../logic";
import {
  auditFormEmpty, buildAuditFilter, distinctKinds, EMPTY_AUDIT_FORM, plural, type AuditForm,
} from "../privacy-logic";
import { button, field, input, problem, submit } from "../ui";
import type { PageContext } from "./shell";

const RECENT = 200;
/** Rows per search, and per export (the same filter is sent to both). */
export const AUDIT_LIMIT = 1000;
const MEMORY_KEY = "audit-filter";

export async function renderAudit(ctx: PageContext): Promise<void> {
  // The filter survives page changes and "Check again".
  const stored = ctx.memory.get(MEMORY_KEY) as AuditForm | undefined;
  const initialForm: AuditForm = stored ?? EMPTY_AUDIT_FORM;
  const initialFilter = auditFormEmpty(initialForm) ? null : buildAuditFilter(initialForm, AUDIT_LIMIT);
  const startFilter = initialFilter?.ok ? initialFilter.value : null;
  let status: AuditStatus;
  let entries: AuditEntry[];
  try {
    [status, entries] = await Promise.all([
      api.verifyAudit(),
      startFilter ? api.searchAudit(startFilter) : api.recentAudit(RECENT),
    ]);
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;
  const { app, error } = ctx;
  let kindsSeen = distinctKinds(entries);
  let filtered = startFilter !== null;

  const banner = h("div", { id: "audit-status", class: `banner ${status.intact ? "intact" : "broken"}`, role: "status" },
    status.message);
  const refresh = button("audit-refresh", "Check again", { class: "secondary" });
  refresh.addEventListener("click", () => {
    refresh.disabled = true;
    void renderAudit(ctx).finally(() => { refresh.disabled = false; });
  });

  // ---- filters ----------------------------------------------------------------------
  const user = input("af-user", { placeholder: "username" });
  const subject = input("af-subject", { placeholder: "e.g. conversation:12" });
  const kinds = h("datalist", { id: "af-kinds" });
  const kind = input("af-kind", { list: "af-kinds", placeholder: "any" });
  const from = input("af-from", { type: "date" });
  const to = input("af-to", { type: "date" });
  const inputs: Record<keyof AuditForm, HTMLInputElement> = { user, subject, kind, from, to };
  const setForm = (f: AuditForm) => { for (const k of Object.keys(inputs) as (keyof AuditForm)[]) inputs[k].value = f[k]; };
  const readForm = (): AuditForm => ({ user: user.value, subject: subject.value, kind: kind.value, from: from.value, to: to.value });
  setForm(initialForm);
  function showKinds(): void {
    replaceChildren(kinds, ...kindsSeen.map((k) => h("option", { value: k })));
  }
  showKinds();

  const searchBtn = submit("af-search", "Search");
  const clearBtn = button("af-clear", "Clear", { class: "secondary" });
  const exportBtn = button("af-export", "Export…", { class: "secondary" });
  const exported = h("p", { id: "audit-exported", class: "status", role: "status", tabindex: "-1" });
  const form = h("form", { id: "audit-filter", class: "panel audit-filter", role: "search", novalidate: true },
    h("h2", { class: "sr-only" }, "Filter"),
    h("div", { class: "filter-grid" },
      field("User", user),
      field("Subject", subject, "conversation:12, contact:5, user:7"),
      field("Event", kind, "Pick one seen here or type a kind."),
      field("From", from),
      field("To", to, "Includes the whole day.")),
    kinds,
    h("div", { class: "actions" }, searchBtn, clearBtn, exportBtn,
      h("span", { class: "hint" }, "Export writes the events matching these filters to a JSON file in your Downloads folder.")),
    exported);

  /** The filter as typed, or null after pointing at the field to fix. */
  function currentFilter(): AuditFilter | null {
    const checked = buildAuditFilter(readForm(), AUDIT_LIMIT);
    if (!checked.ok) { problem(error, inputs[checked.field], checked.message); return null; }
    return checked.value;
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    exported.textContent = "";
    const f = readForm();
    if (auditFormEmpty(f)) { void showRecent(); return; }
    const filter = currentFilter();
    if (!filter) return;
    void app.run(form, searchBtn, error, async () => {
      const found = await api.searchAudit(filter);
      if (!ctx.current()) return;
      ctx.memory.set(MEMORY_KEY, f);
      entries = found;
      filtered = true;
      kindsSeen = distinctKinds(kindsSeen.map((k) => ({ kind: k })), found);
      showKinds();
      showEntries();
    });
  });

  async function showRecent(): Promise<void> {
    await app.run(form, searchBtn, error, async () => {
      const recent = await api.recentAudit(RECENT);
      if (!ctx.current()) return;
      ctx.memory.delete(MEMORY_KEY);
      entries = recent;
      filtered = false;
      showEntries();
    });
  }

  clearBtn.addEventListener("click", () => {
    error.textContent = "";
    exported.textContent = "";
    setForm(EMPTY_AUDIT_FORM);
    for (const el of Object.values(inputs)) el.removeAttribute("aria-invalid");
    void showRecent().then(() => user.focus());
  });

  exportBtn.addEventListener("click", () => {
    error.textContent = "";
    exported.textContent = "";
    const filter = currentFilter();
    if (!filter) return;
    void app.run(form, exportBtn, error, async () => {
      const e = await api.exportAudit(filter);
      exported.textContent = `Exported ${plural(e.rows, "event")} to ${e.path}.` +
        (e.rows >= filter.limit ? ` That is the most one export holds: narrow the dates to export the rest.` : "");
      exported.focus();
    });
  });

  // ---- table --------------------------------------------------------------------------
  const count = h("p", { id: "audit-count", class: "muted" });
  const tbody = h("tbody");
  const table = h("table", { id: "audit-table", class: "table" },
    h("caption", { class: "sr-only" }, "Audit events, newest first"),
    h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "Time"), h("th", { scope: "col" }, "Actor"), h("th", { scope: "col" }, "Event"),
      h("th", { scope: "col" }, "Subject"), h("th", { scope: "col" }, "Detail"))),
    tbody);

  function showEntries(): void {
    count.textContent = filtered
      ? `${plural(entries.length, "matching event")}${entries.length >= AUDIT_LIMIT ? ` (the first ${AUDIT_LIMIT})` : ""}.`
      : `${status.rows} events recorded. Showing the latest ${entries.length}.`;
    replaceChildren(tbody,
      entries.length === 0
        ? h("tr", null, h("td", { colspan: 5, class: "empty" }, filtered ? "No events match these filters." : "No audit events yet."))
        : null,
      ...entries.map((e) => h("tr", { "data-id": e.id },
        h("td", { class: "nowrap mono" }, formatDateTime(e.at)),
        h("td", null, e.actor ?? h("span", { class: "muted" }, "system")),
        h("td", { class: "mono" }, e.kind),
        h("td", null, e.subject),
        h("td", { class: "detail" }, e.detail),
      )));
  }
  showEntries();

  ctx.page.replaceChildren(h("div", { id: "audit" },
    h("div", { class: "page-head" }, h("h1", null, "Audit"), refresh),
    banner,
    form,
    count,
    h("div", { class: "table-wrap" }, table),
  ));
}
