//! The inbox's left rail: views, filters (status, priority, channel, team, label) and the order, the
//! search field and the link to the keyboard shortcuts; it folds to a strip (kept in the shell's memory).
import type { ConversationStatus } from "../bindings/ConversationStatus";
import type { InboxView } from "../bindings/InboxView";
import type { TeamSummary } from "../bindings/TeamSummary";
import { h } from "../h";
import type { Part } from "../store";
import { railToggle, showRail } from "../rail";
import { button, field, input } from "../ui";
import { PRIORITIES, PRIORITY_LABELS, STATUS_LABELS, VIEW_LABELS, viewsFor } from "./logic";
import type { Deps, Filters, InboxState } from "./state";

/** Where the shell's memory keeps whether this rail is folded. */
export const SIDE_COLLAPSED_KEY = "inbox.sideCollapsed";

export type SidePart = Part<InboxState> & {
  /** Fold the rail to a strip, or open it. */
  setCollapsed(collapsed: boolean): void;
};

export function createSide(deps: Deps, searchInput: HTMLInputElement): SidePart {
  const { ctx, store, lead, actions } = deps;
  const filters = store.get().filters;
  /** Filters survive page changes within the shell (in `ctx.memory`). */
  const setFilters = (patch: Partial<Filters>): void => {
    const next = { ...store.get().filters, ...patch };
    ctx.memory.set("inbox.filters", next);
    store.set({ filters: next });
  };

  const viewButtons = new Map<InboxView, HTMLButtonElement>();
  const viewGroup = h("div", { class: "views", role: "group", "aria-label": "Views" });
  for (const v of viewsFor(lead)) {
    const b = button(`view-${v}`, VIEW_LABELS[v], { class: "view-item", "aria-pressed": v === filters.view ? "true" : "false" });
    b.addEventListener("click", () => {
      setFilters({ view: v });
      actions.clearSearch(false);
      void actions.loadFirst();
    });
    viewButtons.set(v, b);
    viewGroup.appendChild(b);
  }

  const statusSelect = h("select", { id: "filter-status", name: "filter-status" },
    h("option", { value: "" }, "Any"),
    ...(Object.keys(STATUS_LABELS) as ConversationStatus[]).map((s) => h("option", { value: s }, STATUS_LABELS[s])));
  statusSelect.value = filters.status;
  const channelSelect = h("select", { id: "filter-channel", name: "filter-channel" },
    h("option", { value: "" }, "Any"),
    h("option", { value: "whatsapp" }, "WhatsApp"),
    h("option", { value: "messenger" }, "Messenger"),
    h("option", { value: "email" }, "Email"));
  channelSelect.value = filters.channel;
  const teamSelect = h("select", { id: "filter-team", name: "filter-team" }, h("option", { value: "" }, "Any"));
  let shownTeams: TeamSummary[] | null = null;
  teamSelect.addEventListener("change", () => { setFilters({ team: teamSelect.value }); void actions.loadFirst(); });
  statusSelect.addEventListener("change", () => { setFilters({ status: statusSelect.value as Filters["status"] }); void actions.loadFirst(); });
  channelSelect.addEventListener("change", () => { setFilters({ channel: channelSelect.value }); void actions.loadFirst(); });

  const prioritySelect = h("select", { id: "filter-priority", name: "filter-priority" },
    h("option", { value: "" }, "Any"),
    ...PRIORITIES.map((p) => h("option", { value: p }, PRIORITY_LABELS[p])));
  prioritySelect.value = filters.priority;
  prioritySelect.addEventListener("change", () => {
    setFilters({ priority: prioritySelect.value as Filters["priority"] });
    void actions.loadFirst();
  });
  const sortSelect = h("select", { id: "filter-sort", name: "filter-sort" },
    h("option", { value: "activity" }, "Newest activity"),
    h("option", { value: "priority" }, "Most urgent"),
    h("option", { value: "sla_due" }, "SLA due first (running clocks only)"));
  sortSelect.value = filters.sort;
  sortSelect.addEventListener("change", () => {
    const v = sortSelect.value;
    setFilters({ sort: v === "priority" || v === "sla_due" ? v : "activity" });
    void actions.loadFirst();
  });

  const labelInput = input("filter-label", { placeholder: "e.g. billing" });
  labelInput.value = filters.label;
  let labelTimer = 0;
  const applyLabel = () => {
    deps.cancel(labelTimer);
    const v = labelInput.value.trim();
    if (v === store.get().filters.label) return;
    setFilters({ label: v });
    void actions.loadFirst();
  };
  labelInput.addEventListener("input", () => { deps.cancel(labelTimer); labelTimer = deps.later(applyLabel, 400); });
  labelInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); applyLabel(); } });

  const helpToggle = button("shortcuts-toggle", "Keyboard shortcuts", { class: "link", "aria-expanded": "false",
    "aria-controls": "shortcuts-help", "aria-keyshortcuts": "Shift+?" });
  helpToggle.addEventListener("click", () => store.set({ help: !store.get().help }));

  const setCollapsed = (collapsed: boolean): void => {
    ctx.memory.set(SIDE_COLLAPSED_KEY, collapsed);
    store.set({ sideCollapsed: collapsed });
  };
  const foldToggle = railToggle("side-toggle", "Views and filters", "inbox-side-body", "B");
  foldToggle.addEventListener("click", () => setCollapsed(!store.get().sideCollapsed));
  const body = h("div", { id: "inbox-side-body", class: "rail-body" },
    viewGroup,
    h("div", { class: "filters" },
      field("Search", searchInput, "Enter to search, Esc to clear"),
      field("Status", statusSelect),
      field("Priority", prioritySelect),
      field("Sort by", sortSelect),
      field("Channel", channelSelect),
      field("Team", teamSelect),
      field("Label", labelInput)),
    helpToggle);
  const el = h("aside", { id: "inbox-side", class: "inbox-side", "aria-label": "Views and filters" },
    h("div", { class: "rail-head" }, h("h1", { class: "inbox-title" }, "Inbox"), foldToggle),
    body);

  let shownCollapsed: boolean | null = null;
  function update(s: InboxState): void {
    for (const [id, b] of viewButtons) b.setAttribute("aria-pressed", id === s.filters.view ? "true" : "false");
    // The team filter fills once the teams are known (they load with the colleagues).
    if (s.teams !== shownTeams && s.teams.length + (shownTeams?.length ?? 0) > 0) {
      shownTeams = s.teams;
      teamSelect.replaceChildren(h("option", { value: "" }, "Any"), ...s.teams.map((t) => h("option", { value: String(t.id) }, t.name)));
      teamSelect.value = Array.from(teamSelect.options).some((o) => o.value === s.filters.team) ? s.filters.team : "";
    }
    helpToggle.setAttribute("aria-expanded", s.help ? "true" : "false");
    if (s.sideCollapsed !== shownCollapsed) {
      shownCollapsed = s.sideCollapsed;
      showRail(el, foldToggle, body, s.sideCollapsed, "views and filters (b)");
    }
  }

  return { el, update, dispose: () => deps.cancel(labelTimer), setCollapsed };
}
