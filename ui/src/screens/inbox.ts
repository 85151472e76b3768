// The inbox: views and filters (left), a virtualised conversation list (middle),
// the open conversation with its composer (right).
import * as api from "../api";
import type { CannedReply } from "../bindings/CannedReply";
import type { Colleague } from "../bindings/Colleague";
import type { ConversationStatus } from "../bindings/ConversationStatus";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { ConversationView } from "../bindings/ConversationView";
import type { CoreEvent } from "../bindings/CoreEvent";
import type { InboxQuery } from "../bindings/InboxQuery";
import type { InboxView } from "../bindings/InboxView";
import type { MessageView } from "../bindings/MessageView";
import type { NoteView } from "../bindings/NoteView";
import type { OutboundAttachment } from "../bindings/OutboundAttachment";
import type { PageCursor } from "../bindings/PageCursor";
import type { SearchHit } from "../bindings/SearchHit";
import type { TeamSummary } from "../bindings/TeamSummary";
import type { TemplateView } from "../bindings/TemplateView";
import type { Versioned } from "../bindings/Versioned";
import {
  attachmentProblem, base64FromDataUrl, messageStatusInfo, templateLabel, templateParameterCount, templateParamProblem,
  templateParts, windowOpenNow,
} from "../channel-logic";
import { h, replaceChildren } from "../h";
import {
  channelLabel, formatSize, hasReplyWindow, historyItems, mergeById, moveSelection, nearEnd, parseLabels,
  parseTransferTarget, relativeTime, replyMode, replyWindowLabel, scrollToRow, SHORTCUT_HELP,
  shortcutFor, splitSnippet, STATUS_LABELS, VIEW_LABELS, viewsFor, virtualWindow, windowClosed, type ReplyMode,
} from "../inbox-logic";
import { base64ToBytes, errorAction, formatClock, formatDateTime, previewKind, toUiError } from "../logic";
import { button, field, input, openModal, problem, textarea, type Modal } from "../ui";
import { isLeadOrAdmin, type PageContext } from "./shell";

/** Must match `.row { height }` in style.css. */
export const ROW_HEIGHT = 72;
const OVERSCAN = 6;
/** Load the next page when the rendered rows come this close to the end. */
const LOAD_AHEAD = 20;
/** A live refresh re-reads at most this many pages from the top; deeper, it offers a reload. */
const REFRESH_PAGES = 10;
const LIVE_DEBOUNCE_MS = 150;
const KEY_OPEN_DELAY_MS = 120;

type Filters = { view: InboxView; status: ConversationStatus | ""; channel: string; team: string; label: string };
type Draft = { mode: "reply" | "note"; text: string };

const now = () => Math.floor(Date.now() / 1000);

function channelBadge(channel: string): HTMLElement {
  return h("span", { class: `badge channel channel-${channel}` }, channelLabel(channel));
}

function windowBadge(s: ConversationSummary, at: number): HTMLElement | null {
  if (!hasReplyWindow(s.channel)) return null;
  const label = replyWindowLabel(s.reply_window_ends_at, at);
  if (!label) return null;
  const closed = windowClosed(s.channel, s.reply_window_ends_at, at);
  return h("span", { class: `badge ${closed ? "bad" : "muted"} window`, title: "24-hour reply window" }, label);
}

/** The open conversation's window, from the core's ReplyWindow when there is one. */
function headWindowBadge(v: ConversationView, at: number): HTMLElement | null {
  const w = v.window;
  if (!w) {
    const b = windowBadge(v.summary, at);
    b?.setAttribute("id", "conv-window");
    return b;
  }
  const open = windowOpenNow(w, at);
  const label = !open
    ? (w.needs_template ? "Template only" : "Window closed")
    : w.closes_at === null ? "Window open" : replyWindowLabel(w.closes_at, at) ?? "Window open";
  const title = open
    ? (w.tagged ? "Reply window (HUMAN_AGENT tag)" : "Reply window")
    : w.needs_template ? "Outside the 24-hour window: only approved templates can be sent" : "The customer must write first";
  return h("span", { id: "conv-window", class: `badge ${open ? "muted" : "bad"} window`, title }, label);
}

/** Reads a chosen file as base64 (FileReader: the file never leaves this window until it is sent). */
function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      try { resolve(base64FromDataUrl(String(reader.result))); } catch (e) { reject(e); }
    };
    reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
    reader.readAsDataURL(file);
  });
}

type PendingAttachment = OutboundAttachment & { size: number };

function snippetNodes(snippet: string): Node[] {
  return splitSnippet(snippet).map((p) => (p.mark ? h("mark", null, p.text) : document.createTextNode(p.text)));
}

export async function renderInbox(ctx: PageContext): Promise<void> {
  const { app, error, user } = ctx;
  const lead = isLeadOrAdmin(user.role);
  const filters: Filters = (ctx.memory.get("inbox.filters") as Filters | undefined) ?? { view: "mine", status: "", channel: "", team: "", label: "" };
  filters.team ??= "";
  ctx.memory.set("inbox.filters", filters);
  const drafts = (ctx.memory.get("inbox.drafts") as Map<number, Draft> | undefined) ?? new Map<number, Draft>();
  ctx.memory.set("inbox.drafts", drafts);
  const timers = new Set<number>();
  const later = (fn: () => void, ms: number): number => {
    const t = window.setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t: number) => { window.clearTimeout(t); timers.delete(t); };
  ctx.onLeave(() => { for (const t of timers) window.clearTimeout(t); timers.clear(); });

  let colleagues: Colleague[] = [];
  let teams: TeamSummary[] = [];
  let canned: CannedReply[] = [];
  async function loadPeople(): Promise<void> {
    const [c, t] = await Promise.allSettled([api.listColleagues(), api.listTeams()]);
    if (c.status === "fulfilled") colleagues = c.value;
    if (t.status === "fulfilled") { teams = t.value; fillTeamFilter(); }
    if (c.status === "rejected") throw c.reason;
  }

  // =========================================================================
  // Left: views, filters, search, shortcuts
  // =========================================================================
  const viewButtons = new Map<InboxView, HTMLButtonElement>();
  const viewGroup = h("div", { class: "views", role: "group", "aria-label": "Views" });
  for (const v of viewsFor(lead)) {
    const b = button(`view-${v}`, VIEW_LABELS[v], { class: "view-item", "aria-pressed": v === filters.view ? "true" : "false" });
    b.addEventListener("click", () => {
      filters.view = v;
      for (const [id, x] of viewButtons) x.setAttribute("aria-pressed", id === v ? "true" : "false");
      clearSearch(false);
      void loadFirst();
    });
    viewButtons.set(v, b);
    viewGroup.appendChild(b);
  }
  if (!viewButtons.has(filters.view)) filters.view = "mine";

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
  /** Fills the team filter once the teams are known (they load with the colleagues). */
  function fillTeamFilter(): void {
    teamSelect.replaceChildren(h("option", { value: "" }, "Any"), ...teams.map((t) => h("option", { value: String(t.id) }, t.name)));
    teamSelect.value = Array.from(teamSelect.options).some((o) => o.value === filters.team) ? filters.team : "";
  }
  teamSelect.addEventListener("change", () => { filters.team = teamSelect.value; void loadFirst(); });
  const labelInput = input("filter-label", { placeholder: "e.g. billing" });
  labelInput.value = filters.label;
  statusSelect.addEventListener("change", () => { filters.status = statusSelect.value as Filters["status"]; void loadFirst(); });
  channelSelect.addEventListener("change", () => { filters.channel = channelSelect.value; void loadFirst(); });
  let labelTimer = 0;
  const applyLabel = () => {
    cancel(labelTimer);
    const v = labelInput.value.trim();
    if (v === filters.label) return;
    filters.label = v;
    void loadFirst();
  };
  labelInput.addEventListener("input", () => { cancel(labelTimer); labelTimer = later(applyLabel, 400); });
  labelInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); applyLabel(); } });

  const searchInput = input("search-input", { type: "search", placeholder: "Search messages", "aria-keyshortcuts": "/",
    enterkeyhint: "search" });
  searchInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); void runSearch(); }
    else if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); clearSearch(true); }
  });

  const helpToggle = button("shortcuts-toggle", "Keyboard shortcuts", { class: "link", "aria-expanded": "false",
    "aria-controls": "shortcuts-help", "aria-keyshortcuts": "Shift+?" });
  const shortcutRows = lead ? [...SHORTCUT_HELP, ["x", "Select for reassigning"] as [string, string]] : SHORTCUT_HELP;
  const help = h("div", { id: "shortcuts-help", class: "shortcuts", hidden: true },
    h("h3", null, "Keyboard"),
    h("dl", null, ...shortcutRows.map(([k, what]) => [h("dt", null, h("kbd", null, k)), h("dd", null, what)])));
  const toggleHelp = (show = help.hidden) => {
    help.hidden = !show;
    helpToggle.setAttribute("aria-expanded", show ? "true" : "false");
  };
  helpToggle.addEventListener("click", () => toggleHelp());

  const side = h("aside", { class: "inbox-side", "aria-label": "Views and filters" },
    h("h1", { class: "inbox-title" }, "Inbox"),
    viewGroup,
    h("div", { class: "filters" },
      field("Search", searchInput, "Enter to search, Esc to clear"),
      field("Status", statusSelect),
      field("Channel", channelSelect),
      field("Team", teamSelect),
      field("Label", labelInput)),
    helpToggle,
    help);

  // =========================================================================
  // Middle: the virtualised list
  // =========================================================================
  let rows: ConversationSummary[] = [];
  let next: PageCursor | null = null;
  let listGen = 0;
  let loadingMore = false;
  let selectedId: number | null = null;
  const checked = new Map<number, Versioned>();
  const rowCache = new Map<number, { row: ConversationSummary; el: HTMLElement; selected: boolean; checked: boolean; at: number }>();

  const listHeading = h("h2", { id: "list-heading", class: "list-heading" }, VIEW_LABELS[filters.view]);
  const listCount = h("span", { class: "muted list-count", id: "list-count" });
  const staleBtn = button("list-stale", "New activity. Reload list", { class: "small", hidden: true });
  staleBtn.addEventListener("click", () => void loadFirst());

  const win = h("div", { class: "vlist-window" });
  const spacer = h("div", { class: "vlist-spacer" }, win);
  const listEmpty = h("p", { id: "list-empty", class: "empty list-empty", hidden: true }, "No conversations here.");
  const scroller = h("div", {
    id: "conversation-list", class: "vlist", tabindex: "0", role: "listbox", "aria-labelledby": "list-heading",
    "aria-multiselectable": lead ? "true" : null,
  }, spacer);
  const searchResults = h("div", { id: "search-results", class: "search-results", hidden: true, role: "region",
    "aria-label": "Search results" });

  // ---- bulk reassign (leads, admins) ----
  const bulkCount = h("span", { id: "bulk-count", class: "bulk-count" });
  const bulkTarget = h("select", { id: "bulk-target", name: "bulk-target", "aria-label": "Reassign to" },
    h("option", { value: "" }, "Back to the queue"));
  const bulkNote = input("bulk-note", { placeholder: "Note (optional)", "aria-label": "Note for the reassignment" });
  const bulkGo = button("bulk-reassign", "Reassign", { class: "primary small" });
  const bulkClear = button("bulk-clear", "Clear", { class: "small secondary" });
  const bulkBar = h("div", { id: "bulk-bar", class: "bulk-bar", role: "group", "aria-label": "Reassign selected", hidden: true },
    bulkCount, bulkTarget, bulkNote, bulkGo, bulkClear);

  function fillBulkTargets(): void {
    const keep = bulkTarget.value;
    bulkTarget.replaceChildren(h("option", { value: "" }, "Back to the queue"),
      ...colleagues.map((c) => h("option", { value: c.id }, `${c.display_name}${c.id === user.user_id ? " (you)" : ""}${c.available ? "" : " (away)"}`)));
    bulkTarget.value = Array.from(bulkTarget.options).some((o) => o.value === keep) ? keep : "";
  }
  function syncBulk(): void {
    bulkBar.hidden = !lead || checked.size === 0 || searching;
    bulkCount.textContent = `${checked.size} selected`;
  }
  bulkClear.addEventListener("click", () => { checked.clear(); syncBulk(); renderRows(true); scroller.focus(); });
  bulkGo.addEventListener("click", () => {
    const list = Array.from(checked.values());
    if (list.length === 0) return;
    const to = bulkTarget.value === "" ? null : Number(bulkTarget.value);
    const toName = to === null ? "the queue" : colleagues.find((c) => c.id === to)?.display_name ?? "them";
    error.textContent = "";
    void act(bulkBar, bulkGo, async () => {
      const moved = await api.reassign(list, to, bulkNote.value.trim());
      checked.clear();
      bulkNote.value = "";
      syncBulk();
      ctx.toast(`${moved} conversation${moved === 1 ? "" : "s"} moved to ${toName}.`);
      await refreshList();
      if (openId !== null && list.some((v) => v.id === openId)) await reloadConversation();
    });
  });

  const listCol = h("section", { class: "inbox-list", "aria-label": "Conversations" },
    h("div", { class: "list-head" }, listHeading, listCount, staleBtn),
    bulkBar, scroller, listEmpty, searchResults);

  function rowElement(s: ConversationSummary, at: number): HTMLElement {
    const isSel = s.id === selectedId;
    const isChecked = checked.has(s.id);
    const check = lead ? h("input", {
      type: "checkbox", class: "row-check", tabindex: "-1", checked: isChecked,
      "aria-label": `Select conversation with ${s.contact_name}`,
    }) : null;
    return h("div", {
      class: `row${isSel ? " selected" : ""}${s.unread > 0 ? " unread" : ""}${isChecked ? " checked" : ""}`,
      id: `conv-row-${s.id}`, role: "option", "aria-selected": isSel ? "true" : "false",
      "data-conversation-id": s.id,
    },
      check,
      h("div", { class: "row-main" },
        h("div", { class: "row-top" },
          h("span", { class: "row-name" }, s.contact_name),
          channelBadge(s.channel),
          h("span", { class: "row-time", title: formatDateTime(s.last_activity_at) }, relativeTime(s.last_activity_at, at))),
        h("div", { class: "row-preview" }, s.preview || s.subject),
        h("div", { class: "row-meta" },
          h("span", { class: s.assignee_name ? "row-assignee" : "row-assignee unassigned" }, s.assignee_name ?? "Unassigned"),
          s.team_name ? h("span", { class: "muted" }, ` · ${s.team_name}`) : null,
          h("span", { class: "row-badges" },
            windowBadge(s, at),
            s.unread > 0 ? h("span", { class: "badge unread-count", "aria-label": `${s.unread} unread` }, s.unread) : null))));
  }

  let lastWindow = "";
  let lastMinute = 0;
  /** Render only the rows in view (plus overscan) inside a spacer as tall as the whole list. */
  function renderRows(force = false): void {
    const at = now();
    const minute = Math.floor(at / 60);
    const viewport = scroller.clientHeight || 800;
    const w = virtualWindow({ scrollTop: scroller.scrollTop, viewportHeight: viewport, rowHeight: ROW_HEIGHT, overscan: OVERSCAN, total: rows.length });
    const key = `${w.first}:${w.last}:${rows.length}`;
    if (!force && key === lastWindow && minute === lastMinute) {
      maybeLoadMore(w.last);
      return;
    }
    lastWindow = key;
    lastMinute = minute;
    // CSSOM (not a style attribute): allowed by the CSP, and the only way to size a virtual list.
    spacer.style.height = `${w.height}px`;
    win.style.transform = `translateY(${w.offset}px)`;
    const els: HTMLElement[] = [];
    const seen = new Set<number>();
    for (let i = w.first; i <= w.last; i++) {
      const s = rows[i];
      seen.add(s.id);
      const cached = rowCache.get(s.id);
      const sel = s.id === selectedId;
      const chk = checked.has(s.id);
      if (cached && cached.row === s && cached.selected === sel && cached.checked === chk && cached.at === minute) {
        els.push(cached.el);
      } else {
        const el = rowElement(s, at);
        rowCache.set(s.id, { row: s, el, selected: sel, checked: chk, at: minute });
        els.push(el);
      }
    }
    for (const id of rowCache.keys()) if (!seen.has(id)) rowCache.delete(id);
    const same = els.length === win.children.length && els.every((el, i) => win.children[i] === el);
    if (!same) win.replaceChildren(...els);
    listEmpty.hidden = rows.length > 0 || searching || scroller.getAttribute("aria-busy") === "true";
    listCount.textContent = rows.length === 0 ? "" : `${rows.length}${next ? "+" : ""}`;
    if (selectedId !== null && seen.has(selectedId)) scroller.setAttribute("aria-activedescendant", `conv-row-${selectedId}`);
    else scroller.removeAttribute("aria-activedescendant");
    maybeLoadMore(w.last);
  }

  let frame = 0;
  scroller.addEventListener("scroll", () => {
    if (frame) return;
    frame = window.requestAnimationFrame(() => { frame = 0; renderRows(); });
  }, { passive: true });
  ctx.onLeave(() => { if (frame) window.cancelAnimationFrame(frame); });
  const onResize = () => renderRows();
  window.addEventListener("resize", onResize);
  ctx.onLeave(() => window.removeEventListener("resize", onResize));
  const clock = window.setInterval(() => renderRows(), 60_000);
  ctx.onLeave(() => window.clearInterval(clock));

  function query(after: PageCursor | null): InboxQuery {
    return {
      view: filters.view,
      status: filters.status === "" ? null : filters.status,
      channel: filters.channel === "" ? null : filters.channel,
      team: filters.team === "" ? null : Number(filters.team),
      label: filters.label === "" ? null : filters.label,
      after,
    };
  }

  function maybeLoadMore(last: number): void {
    if (next && !loadingMore && nearEnd(last, rows.length, LOAD_AHEAD)) void loadMore();
  }

  async function loadFirst(): Promise<void> {
    const gen = ++listGen;
    listHeading.textContent = VIEW_LABELS[filters.view];
    staleBtn.hidden = true;
    loadingMore = false;
    scroller.setAttribute("aria-busy", "true");
    try {
      const page = await api.listConversations(query(null));
      if (gen !== listGen || !ctx.current()) return;
      rows = page.rows;
      next = page.next;
      for (const id of Array.from(checked.keys())) if (!rows.some((r) => r.id === id)) checked.delete(id);
      syncBulk();
      scroller.scrollTop = 0;
    } catch (err) {
      if (gen !== listGen || !ctx.current()) return;
      rows = [];
      next = null;
      app.fail(err, error);
    } finally {
      if (gen === listGen) scroller.removeAttribute("aria-busy");
    }
    renderRows(true);
  }

  async function loadMore(): Promise<void> {
    const after = next;
    if (!after || loadingMore) return;
    const gen = listGen;
    loadingMore = true;
    try {
      const page = await api.listConversations(query(after));
      if (gen !== listGen || !ctx.current()) return;
      const have = new Set(rows.map((r) => r.id));
      rows = rows.concat(page.rows.filter((r) => !have.has(r.id)));
      next = page.next;
    } catch (err) {
      if (gen !== listGen || !ctx.current()) return;
      next = null; // stop asking; a reload or live refresh starts over
      app.fail(err, error);
    } finally {
      if (gen === listGen) loadingMore = false;
    }
    renderRows(true);
  }

  /** Re-read the list from the top far enough to cover what is on screen, keeping the scroll. */
  async function refreshList(): Promise<void> {
    const gen = ++listGen;
    loadingMore = false;
    const viewport = scroller.clientHeight || 800;
    const w = virtualWindow({ scrollTop: scroller.scrollTop, viewportHeight: viewport, rowHeight: ROW_HEIGHT, overscan: OVERSCAN, total: rows.length });
    const need = Math.max(w.last + 1 + OVERSCAN, 1);
    let fresh: ConversationSummary[] = [];
    let cursor: PageCursor | null = null;
    try {
      for (let i = 0; i < REFRESH_PAGES; i++) {
        const page = await api.listConversations(query(cursor));
        if (gen !== listGen || !ctx.current()) return;
        const have = new Set(fresh.map((r) => r.id));
        fresh = fresh.concat(page.rows.filter((r) => !have.has(r.id)));
        cursor = page.next;
        if (!cursor || fresh.length >= need) break;
      }
    } catch {
      if (gen === listGen && ctx.current()) staleBtn.hidden = false; // calm: offer a reload instead of an error
      return;
    }
    const tooDeep = cursor !== null && fresh.length < need;
    const top = scroller.scrollTop;
    rows = fresh;
    next = cursor;
    staleBtn.hidden = !tooDeep;
    for (const [id] of checked) if (!rows.some((r) => r.id === id)) checked.delete(id);
    for (const r of rows) if (checked.has(r.id)) checked.set(r.id, { id: r.id, version: r.version });
    syncBulk();
    scroller.scrollTop = top;
    renderRows(true);
  }

  function selectRow(id: number, open: boolean, delay = 0): void {
    selectedId = id;
    const idx = rows.findIndex((r) => r.id === id);
    if (idx >= 0) {
      const viewport = scroller.clientHeight || 800;
      const top = scrollToRow(idx, scroller.scrollTop, viewport, ROW_HEIGHT);
      if (top !== scroller.scrollTop) scroller.scrollTop = top;
    }
    renderRows(true);
    if (!open) return;
    cancel(keyOpenTimer);
    if (delay > 0) keyOpenTimer = later(() => { if (selectedId === id) void openConversation(id); }, delay);
    else void openConversation(id);
  }
  let keyOpenTimer = 0;

  function toggleChecked(id: number): void {
    const r = rows.find((x) => x.id === id);
    if (!r || !lead) return;
    if (checked.has(id)) checked.delete(id);
    else checked.set(id, { id: r.id, version: r.version });
    syncBulk();
    renderRows(true);
  }

  scroller.addEventListener("click", (ev) => {
    const target = ev.target as HTMLElement;
    const rowEl = target.closest<HTMLElement>("[data-conversation-id]");
    if (!rowEl) return;
    const id = Number(rowEl.dataset.conversationId);
    if (target.classList.contains("row-check")) { toggleChecked(id); return; }
    selectRow(id, true);
  });
  scroller.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const ids = rows.map((r) => r.id);
    let idx = -1;
    switch (ev.key) {
      case "ArrowDown": idx = moveSelection(ids, selectedId, 1); break;
      case "ArrowUp": idx = moveSelection(ids, selectedId, -1); break;
      case "PageDown": idx = moveSelection(ids, selectedId, Math.max(1, Math.floor(scroller.clientHeight / ROW_HEIGHT))); break;
      case "PageUp": idx = moveSelection(ids, selectedId, -Math.max(1, Math.floor(scroller.clientHeight / ROW_HEIGHT))); break;
      case "Home": idx = ids.length ? 0 : -1; break;
      case "End": idx = ids.length - 1; break;
      case "Enter":
        if (selectedId !== null) { ev.preventDefault(); void openConversation(selectedId, true); }
        return;
      case " ":
        if (selectedId !== null && lead) { ev.preventDefault(); toggleChecked(selectedId); }
        return;
      default: return;
    }
    ev.preventDefault();
    if (idx >= 0) selectRow(ids[idx], true, KEY_OPEN_DELAY_MS);
  });

  // ---- search ----
  let searchGen = 0;
  let searching = false;
  async function runSearch(): Promise<void> {
    const text = searchInput.value.trim();
    if (!text) { clearSearch(false); return; }
    const gen = ++searchGen;
    error.textContent = "";
    searching = true;
    scroller.hidden = true;
    listEmpty.hidden = true;
    bulkBar.hidden = true;
    searchResults.hidden = false;
    listHeading.textContent = "Search";
    listCount.textContent = "";
    searchResults.setAttribute("aria-busy", "true");
    searchResults.replaceChildren(h("p", { class: "loading" }, "Searching…"));
    let hits: SearchHit[];
    try {
      hits = await api.search(text);
    } catch (err) {
      if (gen !== searchGen || !ctx.current()) return;
      searchResults.removeAttribute("aria-busy");
      searchResults.replaceChildren();
      app.fail(err, error);
      return;
    }
    if (gen !== searchGen || !ctx.current()) return;
    searchResults.removeAttribute("aria-busy");
    const at = now();
    listCount.textContent = `${hits.length} found`;
    replaceChildren(searchResults,
      hits.length === 0 ? h("p", { class: "empty" }, `Nothing found for “${text}”.`) : null,
      ...hits.map((hit) => {
        const b = h("button", { type: "button", class: "hit", "data-conversation-id": hit.conversation_id,
          "data-message-id": hit.message_id ?? "" },
          h("span", { class: "row-top" },
            h("span", { class: "row-name" }, hit.contact_name),
            channelBadge(hit.channel),
            h("span", { class: "row-time", title: formatDateTime(hit.at) }, relativeTime(hit.at, at))),
          h("span", { class: "hit-snippet" }, ...snippetNodes(hit.snippet)));
        b.addEventListener("click", () => { selectedId = hit.conversation_id; void openConversation(hit.conversation_id); });
        return b;
      }));
  }

  function clearSearch(focusList: boolean): void {
    searchGen++;
    const was = searching;
    searching = false;
    searchInput.value = "";
    searchResults.hidden = true;
    searchResults.replaceChildren();
    scroller.hidden = false;
    listHeading.textContent = VIEW_LABELS[filters.view];
    syncBulk();
    if (was) renderRows(true);
    if (focusList) scroller.focus();
  }

  // =========================================================================
  // Right: the open conversation
  // =========================================================================
  let openId: number | null = null;
  let view: ConversationView | null = null;
  let messages: MessageView[] = [];
  let notes: NoteView[] = [];
  let hasOlder = false;
  let openGen = 0;

  const paneEmpty = h("div", { class: "pane-empty" },
    h("p", null, "Choose a conversation from the list."),
    h("p", { class: "muted" }, "Press ? for keyboard shortcuts."));
  const head = h("div", { class: "conv-head" });
  const bannerSlot = h("div", { class: "conv-banner" });
  const history = h("div", { id: "messages", class: "messages", tabindex: "-1", role: "log", "aria-live": "off",
    "aria-label": "Conversation history" });

  // ---- composer ----
  const modeReply = button("composer-mode-reply", "Reply", { class: "mode", "aria-pressed": "true", "aria-keyshortcuts": "R" });
  const modeNote = button("composer-mode-note", "Note", { class: "mode", "aria-pressed": "false", "aria-keyshortcuts": "N" });
  const composerText = textarea("composer-text", { rows: 4, "aria-label": "Reply", "aria-describedby": "composer-hint reply-window" });
  const composerHint = h("p", { id: "composer-hint", class: "hint composer-hint" });
  const windowLine = h("p", { id: "reply-window", class: "reply-window", hidden: true });
  const cannedSelect = h("select", { id: "canned-select", name: "canned-select", "aria-label": "Insert a canned reply" },
    h("option", { value: "" }, "Canned reply…"));
  const send = h("button", { id: "composer-send", type: "submit", class: "primary", "aria-keyshortcuts": "Control+Enter" }, "Send reply");
  const sendHint = h("span", { class: "hint" }, "Ctrl+Enter to send");

  // One file per reply, read in this window; kept per conversation until sent or removed.
  const attachments = new Map<number, PendingAttachment>();
  ctx.onLeave(() => attachments.clear());
  const fileInput = h("input", { type: "file", id: "attach-input", name: "attach-input", hidden: true, tabindex: "-1" });
  const attachBtn = button("attach-button", "Attach file", { class: "secondary small attach-button" });
  const attachmentChip = h("div", { id: "attachment-chosen", class: "attachment-chosen", hidden: true });
  let reading = 0;
  let chipKey = "";

  // Outside WhatsApp's 24-hour window: an approved template instead of free text.
  const templatePicker = h("div", { id: "template-picker", class: "template-picker", hidden: true });
  let templates: TemplateView[] | null = null;
  let templatesFor: number | null = null;
  let templatesLoading = false;
  let templatesError: string | null = null;
  let chosen: TemplateView | null = null;
  let params: string[] = [];
  let paramInputs: HTMLInputElement[] = [];
  let templateSelect: HTMLSelectElement | null = null;
  const templatePreview = h("div", { id: "template-preview", class: "template-preview", "aria-live": "polite" });

  const composer = h("form", { id: "composer", class: "composer", novalidate: true, hidden: true },
    h("div", { class: "composer-modes", role: "group", "aria-label": "Write a" }, modeReply, modeNote),
    windowLine,
    composerHint,
    templatePicker,
    composerText,
    attachmentChip,
    h("div", { class: "composer-actions" }, attachBtn, fileInput, cannedSelect, sendHint, send));

  let mode: Draft["mode"] = "reply";
  let sending = false;
  function currentMode(): ReplyMode {
    return view ? replyMode(view, now()) : { kind: "free", windowText: null };
  }
  function setMode(m: Draft["mode"]): void {
    mode = m;
    if (openId !== null) drafts.set(openId, { mode, text: composerText.value });
    syncComposer();
  }
  /** Put the composer's controls in the state the mode, the window and the conversation allow. */
  function syncComposer(): void {
    const rm = currentMode();
    const reply = mode === "reply";
    const tpl = reply && rm.kind === "template";
    const replyOff = reply && rm.kind === "blocked";
    modeReply.setAttribute("aria-pressed", reply ? "true" : "false");
    modeNote.setAttribute("aria-pressed", reply ? "false" : "true");
    composer.classList.toggle("note-mode", !reply);
    composer.classList.toggle("template-mode", tpl);
    composerText.hidden = tpl;
    composerText.disabled = replyOff;
    templatePicker.hidden = !tpl;
    send.disabled = replyOff || sending || (tpl && chosen === null);
    cannedSelect.disabled = replyOff || canned.length === 0;
    cannedSelect.hidden = canned.length === 0 || tpl;
    send.textContent = reply ? (tpl ? "Send template" : "Send reply") : "Add note";
    composerText.setAttribute("aria-label", reply ? "Reply to the customer" : "Internal note");
    composerText.placeholder = reply ? "Write a reply to the customer…" : "Write an internal note (colleagues only)…";
    composerHint.textContent = reply ? (rm.kind === "free" ? "" : rm.reason) : "Notes are internal: the customer never sees them.";
    const windowText = reply && rm.kind === "free" ? rm.windowText : null;
    windowLine.hidden = windowText === null;
    windowLine.textContent = windowText ?? "";
    windowLine.classList.toggle("tagged", Boolean(view?.window?.tagged));
    attachBtn.hidden = !reply || tpl;
    attachBtn.disabled = replyOff || reading > 0;
    attachBtn.textContent = reading > 0 ? "Reading file…" : "Attach file";
    syncAttachmentChip(reply && !tpl);
    if (tpl && openId !== null && templatesFor !== openId && !templatesLoading) void loadTemplates(openId);
    if (rm.kind === "blocked" && rm.expired) reloadAfterExpiry();
  }
  modeReply.addEventListener("click", () => { setMode("reply"); focusComposer(); });
  modeNote.addEventListener("click", () => { setMode("note"); composerText.focus(); });
  /** Focus where typing goes: the text, or the template picker outside the window. */
  function focusComposer(): void {
    if (!templatePicker.hidden) (templateSelect ?? templatePicker.querySelector<HTMLElement>("button"))?.focus();
    else if (!composerText.disabled) composerText.focus();
  }
  composerText.addEventListener("input", () => {
    if (openId === null) return;
    if (composerText.value === "") drafts.delete(openId);
    else drafts.set(openId, { mode, text: composerText.value });
  });
  composerText.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); composer.requestSubmit(); }
    else if (ev.key === "Escape") { ev.preventDefault(); composerText.blur(); scroller.focus(); }
  });
  cannedSelect.addEventListener("change", () => {
    const cannedId = Number(cannedSelect.value);
    cannedSelect.value = "";
    const id = openId;
    if (!cannedId || id === null) return;
    error.textContent = "";
    void app.run(composer, null, error, async () => {
      const text = await api.renderCannedReply(id, cannedId);
      if (openId !== id) return;
      const start = composerText.selectionStart ?? composerText.value.length;
      const end = composerText.selectionEnd ?? start;
      composerText.setRangeText(text, start, end, "end");
      drafts.set(id, { mode, text: composerText.value });
      composerText.focus();
    });
  });

  // ---- attachment ----
  attachBtn.addEventListener("click", () => { error.textContent = ""; fileInput.click(); });
  fileInput.addEventListener("change", () => void readChosenFile());
  async function readChosenFile(): Promise<void> {
    const file = fileInput.files?.[0] ?? null;
    fileInput.value = ""; // the same file can be chosen again after removing it
    const id = openId;
    if (!file || id === null) return;
    error.textContent = "";
    const bad = attachmentProblem(file.name, file.size);
    if (bad) { error.textContent = bad; attachBtn.focus(); return; }
    reading++;
    syncComposer();
    let ok = false;
    try {
      const data = await readAsBase64(file);
      attachments.set(id, { file_name: file.name, mime_type: file.type || "application/octet-stream", data_base64: data, size: file.size });
      ok = true;
    } catch {
      if (ctx.current()) error.textContent = `“${file.name}” could not be read. Try another file.`;
    } finally {
      reading--;
    }
    if (!ctx.current() || openId !== id) return;
    syncComposer();
    if (ok) attachmentChip.querySelector<HTMLElement>("button")?.focus();
    else attachBtn.focus();
  }
  /** The chosen file's name with a Remove button; rebuilt only when the file changes, so focus stays. */
  function syncAttachmentChip(show: boolean): void {
    const pending = show && openId !== null ? attachments.get(openId) ?? null : null;
    const key = pending ? `${openId}:${pending.file_name}:${pending.size}` : "";
    attachmentChip.hidden = pending === null;
    if (key === chipKey) return;
    chipKey = key;
    if (!pending) { attachmentChip.replaceChildren(); return; }
    const remove = button("attachment-remove", "Remove", { class: "small secondary", "aria-label": `Remove attachment ${pending.file_name}` });
    remove.addEventListener("click", () => {
      if (openId !== null) attachments.delete(openId);
      syncComposer();
      attachBtn.focus();
    });
    replaceChildren(attachmentChip,
      h("span", { class: "attachment-name" }, pending.file_name),
      h("span", { class: "muted" }, ` (${formatSize(pending.size)})`),
      remove);
  }

  // ---- templates ----
  function resetTemplates(): void {
    templates = null;
    templatesFor = null;
    templatesError = null;
    templatesLoading = false;
    chosen = null;
    params = [];
    paramInputs = [];
    templateSelect = null;
    templatePicker.replaceChildren();
  }
  async function loadTemplates(id: number): Promise<void> {
    templatesFor = id;
    templatesLoading = true;
    templatesError = null;
    templates = null;
    renderTemplatePicker();
    try {
      const list = await api.listTemplates(id);
      if (!ctx.current() || openId !== id || templatesFor !== id) return;
      templates = list;
    } catch (err) {
      if (!ctx.current() || openId !== id || templatesFor !== id) return;
      const e = toUiError(err);
      if (errorAction(e.code) !== "show_message") { app.fail(err, error); return; }
      templatesError = e.message;
    } finally {
      if (templatesFor === id) templatesLoading = false;
    }
    const hadFocus = templatePicker.contains(document.activeElement);
    renderTemplatePicker();
    syncComposer();
    if (hadFocus) focusComposer();
  }
  function renderTemplatePicker(): void {
    templateSelect = null;
    paramInputs = [];
    if (templatesLoading || (templates === null && templatesError === null)) {
      replaceChildren(templatePicker, h("p", { class: "muted", role: "status" }, "Loading templates…"));
      return;
    }
    if (templatesError !== null) {
      const again = button("templates-retry", "Try again", { class: "small secondary" });
      again.addEventListener("click", () => { if (openId !== null) void loadTemplates(openId).then(focusComposer); });
      replaceChildren(templatePicker, h("p", { class: "error", role: "alert" }, `The templates could not be loaded: ${templatesError}`), again);
      return;
    }
    const list = templates ?? [];
    if (list.length === 0) {
      replaceChildren(templatePicker, h("p", { id: "templates-empty", class: "muted" },
        "This WhatsApp account has no approved templates. Create them in WhatsApp Manager; an admin then uses "
        + "“Refresh from Meta” on the Channels page."));
      return;
    }
    const select = h("select", { id: "template-select", name: "template-select" },
      h("option", { value: "" }, "Choose a template…"),
      ...list.map((t, i) => h("option", { value: String(i) }, `${templateLabel(t)} · ${t.category}`)));
    select.value = chosen ? String(list.indexOf(chosen)) : "";
    select.addEventListener("change", () => {
      const t = select.value === "" ? null : list[Number(select.value)] ?? null;
      chosen = t;
      params = t ? new Array<string>(templateParameterCount(t)).fill("") : [];
      renderTemplatePicker();
      syncComposer();
      (paramInputs[0] ?? templateSelect)?.focus();
    });
    templateSelect = select;
    const fields: HTMLElement[] = [];
    if (chosen) {
      const count = templateParameterCount(chosen);
      for (let i = 0; i < count; i++) {
        const inp = input(`template-param-${i + 1}`, { "data-param": i + 1, spellcheck: "true" });
        inp.value = params[i] ?? "";
        inp.addEventListener("input", () => {
          params[i] = inp.value;
          renderPreview();
        });
        inp.addEventListener("keydown", (ev) => {
          if (ev.key !== "Enter") return;
          // Plain Enter must not send by accident; Ctrl+Enter sends, as in the text composer.
          ev.preventDefault();
          if (ev.ctrlKey || ev.metaKey) composer.requestSubmit();
          else paramInputs[i + 1]?.focus();
        });
        paramInputs.push(inp);
        fields.push(field(`Parameter {{${i + 1}}}`, inp));
      }
    }
    replaceChildren(templatePicker,
      field("Template", select),
      fields.length ? h("div", { id: "template-params", class: "template-params" }, ...fields) : null,
      chosen ? h("div", { class: "template-preview-wrap" }, h("h3", null, "Preview"), templatePreview) : null);
    renderPreview();
  }
  function renderPreview(): void {
    if (!chosen) { templatePreview.replaceChildren(); return; }
    replaceChildren(templatePreview, ...templateParts(chosen.body, params).map((p) =>
      p.param === null ? p.text : h("span", { class: p.filled ? "param filled" : "param empty" }, p.text)));
  }
  function sendTemplate(id: number): void {
    const t = chosen;
    if (!t) return problem(error, templateSelect, "Choose a template first.");
    const count = templateParameterCount(t);
    const bad = templateParamProblem(params, count);
    if (bad) return problem(error, paramInputs[bad.index] ?? null, bad.message);
    const values = params.slice(0, count).map((p) => p.trim());
    sending = true;
    void app.run(composer, send, error, async () => {
      const m = await api.sendTemplate(id, t.name, t.language, values);
      if (openId !== id) return;
      messages = mergeById(messages, [m]);
      chosen = null;
      params = [];
      renderTemplatePicker();
      renderHistory(true);
      templateSelect?.focus();
    }).finally(() => { sending = false; syncComposer(); });
  }

  // The window runs out while the conversation is open: re-read it once to learn what is allowed now.
  let expiryReloaded = "";
  function reloadAfterExpiry(): void {
    const key = `${openId}:${view?.window?.closes_at ?? view?.summary.reply_window_ends_at ?? ""}`;
    if (openId === null || key === expiryReloaded) return;
    expiryReloaded = key;
    void reloadConversation();
  }
  const windowClock = window.setInterval(() => {
    if (!view || composer.hidden) return;
    syncComposer();
    head.querySelector("#conv-window")?.replaceWith(headWindowBadge(view, now()) ?? "");
  }, 30_000);
  ctx.onLeave(() => window.clearInterval(windowClock));

  composer.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const id = openId;
    if (id === null || sending || send.disabled) return;
    error.textContent = "";
    if (mode === "reply" && currentMode().kind === "template") return sendTemplate(id);
    const body = composerText.value.trim();
    const pending = mode === "reply" ? attachments.get(id) ?? null : null;
    if (!body && !pending) return problem(error, composerText, mode === "reply" ? "Write a reply first." : "Write a note first.");
    const asMode = mode;
    sending = true;
    void app.run(composer, send, error, async () => {
      if (asMode === "reply") {
        const attachment: OutboundAttachment | null = pending
          ? { file_name: pending.file_name, mime_type: pending.mime_type, data_base64: pending.data_base64 }
          : null;
        const m = await api.reply(id, body, attachment);
        if (attachments.get(id) === pending) attachments.delete(id);
        if (openId === id) messages = mergeById(messages, [m]);
      } else {
        const n = await api.addNote(id, body);
        if (openId === id) notes = mergeById(notes, [n]);
      }
      drafts.delete(id);
      if (openId === id) {
        composerText.value = "";
        renderHistory(true);
      }
    }).finally(() => { sending = false; syncComposer(); });
  });

  const pane = h("section", { id: "conversation", class: "inbox-pane", "aria-label": "Conversation" },
    paneEmpty, head, bannerSlot, history, composer);

  function showEmptyPane(): void {
    openGen++;
    openId = null;
    view = null;
    messages = [];
    notes = [];
    paneEmpty.hidden = false;
    head.hidden = true;
    bannerSlot.hidden = true;
    history.hidden = true;
    composer.hidden = true;
    resetTemplates();
    head.replaceChildren();
    bannerSlot.replaceChildren();
    history.replaceChildren();
  }

  async function openConversation(id: number, focusAfter = false): Promise<void> {
    const gen = ++openGen;
    if (openId !== null && openId !== id) drafts.set(openId, { mode, text: composerText.value });
    if (openId !== null && composerText.value === "" && drafts.get(openId)?.text === "") drafts.delete(openId);
    error.textContent = "";
    pane.setAttribute("aria-busy", "true");
    let v: ConversationView;
    try {
      v = await api.openConversation(id, null);
    } catch (err) {
      if (gen !== openGen || !ctx.current()) return;
      pane.removeAttribute("aria-busy");
      if (toUiError(err).code === "not_found") showEmptyPane();
      app.fail(err, error);
      return;
    }
    if (gen !== openGen || !ctx.current()) return;
    pane.removeAttribute("aria-busy");
    const switched = openId !== id;
    openId = id;
    view = v;
    messages = mergeById([], v.messages);
    notes = mergeById([], v.notes);
    hasOlder = v.has_older;
    if (switched) {
      const d = drafts.get(id);
      composerText.value = d?.text ?? "";
      mode = d?.mode ?? (replyMode(v, now()).kind === "blocked" ? "note" : "reply");
      resetTemplates();
    }
    // The list row's unread count is stale once opened: take the fresh summary.
    const idx = rows.findIndex((r) => r.id === id);
    if (idx >= 0) { rows[idx] = v.summary; renderRows(true); }
    renderPane(true);
    if (focusAfter) focusComposer();
  }

  /** Re-read the open conversation (live update, conflict) without losing older pages or the draft. */
  async function reloadConversation(): Promise<void> {
    const id = openId;
    if (id === null) return;
    const gen = ++openGen;
    let v: ConversationView;
    try {
      v = await api.openConversation(id, null);
    } catch (err) {
      if (gen !== openGen || !ctx.current()) return;
      const e = toUiError(err);
      if (e.code === "not_found" || e.code === "forbidden") { showEmptyPane(); return; }
      app.fail(err, error);
      return;
    }
    if (gen !== openGen || !ctx.current() || openId !== id) return;
    const keptOlder = messages.length > 0 && v.messages.length > 0 && messages[0].id < Math.min(...v.messages.map((m) => m.id));
    view = v;
    messages = mergeById(messages, v.messages);
    notes = mergeById(notes, v.notes);
    if (!keptOlder) hasOlder = v.has_older;
    const idx = rows.findIndex((r) => r.id === id);
    if (idx >= 0) { rows[idx] = v.summary; renderRows(true); }
    renderPane(false);
  }

  async function loadOlder(btn: HTMLButtonElement): Promise<void> {
    const id = openId;
    if (id === null || messages.length === 0) return;
    const before = messages[0].id;
    await app.run(history, btn, error, async () => {
      const v = await api.openConversation(id, before);
      if (openId !== id) return;
      const fromBottom = history.scrollHeight - history.scrollTop;
      messages = mergeById(v.messages, messages);
      notes = mergeById(notes, v.notes);
      hasOlder = v.has_older;
      renderHistory(false);
      history.scrollTop = history.scrollHeight - fromBottom;
      (history.querySelector<HTMLElement>("#load-older") ?? history).focus();
    });
  }

  function renderPane(scrollToEnd: boolean): void {
    if (!view) return;
    paneEmpty.hidden = true;
    head.hidden = false;
    history.hidden = false;
    composer.hidden = false;
    renderHead(view);
    const handoff = view.handoff;
    const dnc = view.summary.do_not_contact;
    bannerSlot.hidden = !handoff && !dnc;
    bannerSlot.replaceChildren(
      handoff
        ? h("div", { id: "handoff-note", class: "handoff", role: "note" },
          h("strong", null, `Handed over by ${handoff.author}: `), handoff.body)
        : "",
      dnc ? doNotContactBanner(view) : "");
    renderHistory(scrollToEnd);
    syncComposer();
  }

  /** The customer opted out: say so, and let a lead or admin lift it. */
  function doNotContactBanner(v: ConversationView): HTMLElement {
    const lift = lead
      ? button("dnc-lift", "Allow contact again", { class: "small secondary" })
      : null;
    lift?.addEventListener("click", () => {
      void api.setDoNotContact(v.summary.id, false)
        .then(() => ctx.toast("Contact allowed again."))
        .catch((e) => ctx.toast(toUiError(e).message));
    });
    return h("div", { id: "do-not-contact", class: "handoff dnc", role: "note" },
      h("strong", null, "Do not contact: "), `${v.summary.contact_name} asked not to be contacted. Replies are refused.`, " ", lift);
  }

  function renderHead(v: ConversationView): void {
    const s = v.summary;
    // Keep a label edit in progress across live reloads.
    const prev = head.querySelector<HTMLInputElement>("#labels-input");
    const editing = prev && document.activeElement === prev ? { value: prev.value, pos: prev.selectionStart } : null;
    const labels = input("labels-input", { placeholder: "Add labels, comma-separated", "aria-describedby": "labels-hint" });
    labels.value = v.labels.join(", ");
    const labelsStatus = h("span", { id: "labels-hint", class: "hint" }, "Enter to save");
    labels.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        const id = s.id;
        const next = parseLabels(labels.value);
        error.textContent = "";
        void app.run(head, null, error, async () => {
          const saved = await api.setLabels(id, next);
          if (view && view.summary.id === id) view.labels = saved;
          labels.value = saved.join(", ");
          labelsStatus.textContent = "Labels saved";
        });
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        ev.stopPropagation();
        labels.value = (view?.labels ?? []).join(", ");
        labels.blur();
        scroller.focus();
      }
    });
    labels.addEventListener("input", () => { labelsStatus.textContent = "Enter to save"; });

    const transferBtn = button("transfer-button", "Transfer…", { class: "secondary small", "aria-keyshortcuts": "T" });
    const returnBtn = button("return-button", "Return to queue", { class: "secondary small" });
    const resolved = s.status === "resolved";
    const resolveBtn = button("resolve-button", resolved ? "Reopen" : "Resolve", { class: "small", "aria-keyshortcuts": "E" });
    for (const b of [transferBtn, returnBtn, resolveBtn]) {
      if (!v.can_act) { b.disabled = true; b.title = "You cannot change this conversation."; }
    }
    if (s.assignee_id === null) { returnBtn.disabled = true; returnBtn.title = "It is already in the queue."; }
    transferBtn.addEventListener("click", () => void openTransfer());
    returnBtn.addEventListener("click", () => openReturn());
    resolveBtn.addEventListener("click", () => void toggleResolved(resolveBtn));

    const email = s.channel === "email";
    const who = s.assignee_name ? `Assigned to ${s.assignee_id === user.user_id ? "you" : s.assignee_name}` : "Unassigned";
    head.replaceChildren(
      h("div", { class: "conv-title" },
        h("h2", { id: "conv-contact" }, s.contact_name),
        channelBadge(s.channel),
        h("span", { id: "conv-status", class: `badge status-${s.status}` }, STATUS_LABELS[s.status] ?? s.status),
        headWindowBadge(v, now())),
      // An e-mail thread is known by its subject: it gets a line of its own.
      email ? h("p", { id: "conv-subject", class: `conv-subject${s.subject ? "" : " muted"}` }, s.subject || "(no subject)") : "",
      h("p", { class: "conv-meta" },
        h("span", { id: "conv-assignee" }, who),
        s.team_name ? ` · Team ${s.team_name}` : "",
        s.subject && !email ? h("span", { class: "muted" }, ` · ${s.subject}`) : null),
      h("div", { class: "conv-tools" },
        h("div", { class: "conv-labels" }, h("label", { for: "labels-input" }, "Labels"), labels, labelsStatus),
        h("div", { class: "conv-actions" }, transferBtn, returnBtn, resolveBtn)));
    if (editing) {
      labels.value = editing.value;
      labels.focus();
      if (editing.pos !== null) labels.setSelectionRange(editing.pos, editing.pos);
    }
  }

  function renderHistory(scrollToEnd: boolean): void {
    const atBottom = history.scrollHeight - history.scrollTop - history.clientHeight < 40;
    const keepTop = history.scrollTop;
    const contact = view?.summary.contact_name ?? "Customer";
    const older = hasOlder ? button("load-older", "Load older messages", { class: "small secondary load-older" }) : null;
    older?.addEventListener("click", () => void loadOlder(older));
    const items = historyItems(messages, notes).map((item) => {
      if (item.kind === "note") {
        const n = item.note;
        return h("div", { class: `note${n.is_handoff ? " handoff-note" : ""}`, "data-note-id": n.id },
          h("div", { class: "item-head" },
            h("span", { class: "note-kind" }, n.is_handoff ? "Handoff note" : "Note"),
            h("span", { class: "item-author" }, n.author),
            h("time", { class: "item-time", title: formatDateTime(n.at) }, formatClock(n.at))),
          h("div", { class: "item-body" }, n.body));
      }
      const m = item.message;
      const out = m.direction === "out";
      return h("div", { class: `msg ${out ? "out" : "in"}`, "data-message-id": m.id },
        h("div", { class: "item-head" },
          h("span", { class: "item-author" }, out ? m.author ?? "Us" : m.author ?? contact),
          h("time", { class: "item-time", title: formatDateTime(m.at) }, formatClock(m.at)),
          out ? statusLabel(m) : null),
        m.body ? h("div", { class: "item-body" }, m.body) : null,
        m.has_html ? formattedButton(m) : null,
        m.masked
          ? h("p", { class: "masked-marker", title: "Card numbers or IBANs in this message were masked before it was stored" },
            "Sensitive data masked")
          : null,
        m.attachments.length
          ? h("ul", { class: "attachments", "aria-label": "Attachments" },
            ...m.attachments.map((a) => h("li", null,
              h("button", {
                type: "button",
                id: `attachment-open-${a.id}`,
                class: "link attachment-open",
                "data-attachment-id": a.id,
                onclick: () => void showAttachment(a.id),
              }, a.file_name),
              h("span", { class: "muted" }, ` (${formatSize(a.size)})`))))
          : null,
        out ? sendProblem(m) : null);
    });
    // A live reload rebuilds the history: keep keyboard focus on the same control (by id) if it is still there.
    const focused = document.activeElement instanceof HTMLElement && history.contains(document.activeElement) && document.activeElement.id
      ? document.activeElement.id : null;
    replaceChildren(history, older, ...items,
      items.length === 0 ? h("p", { class: "empty" }, "No messages yet.") : null);
    if (focused) document.getElementById(focused)?.focus();
    if (scrollToEnd || atBottom) history.scrollTop = history.scrollHeight;
    else history.scrollTop = keepTop;
  }

  /** An e-mail's formatted version opens in its own locked-down window; this window only ever has the text. */
  function formattedButton(m: MessageView): HTMLElement {
    const btn = button(`show-formatted-${m.id}`, "Show formatted", {
      class: "small secondary show-formatted", "data-action": "show-formatted",
      "aria-label": "Show formatted: opens the e-mail as it was designed, in a separate window",
    });
    const wrap = h("div", { class: "msg-tools" }, btn);
    btn.addEventListener("click", () => {
      error.textContent = "";
      void app.run(wrap, btn, error, async () => { await api.openEmailWindow(m.id); });
    });
    return wrap;
  }

  /** queued / sending / sent ✓ / delivered ✓✓ / read ✓✓ / failed / unconfirmed. */
  function statusLabel(m: MessageView): HTMLElement {
    const info = messageStatusInfo(m.status, m.failure);
    return h("span", { class: `item-status msg-status tone-${info.tone}`, "data-status": m.status },
      info.label,
      info.tick ? h("span", { class: "tick", "aria-hidden": "true" }, info.tick) : null);
  }

  /** Why a message did not (surely) reach the customer, with "Send again". */
  function sendProblem(m: MessageView): HTMLElement | null {
    const info = messageStatusInfo(m.status, m.failure);
    if (!info.problem) return null;
    const again = info.retry
      ? button(`retry-${m.id}`, "Send again", { class: "small", "data-action": "retry", "aria-describedby": `send-problem-${m.id}` })
      : null;
    if (again && !view?.can_act) { again.disabled = true; again.title = "You cannot reply in this conversation."; }
    const el = h("div", { class: `send-problem tone-${info.tone}` },
      h("p", { id: `send-problem-${m.id}`, class: "send-problem-text" }, info.problem), again);
    again?.addEventListener("click", () => void retrySend(m.id, el, again));
    return el;
  }

  async function retrySend(messageId: number, busy: HTMLElement, btn: HTMLButtonElement): Promise<void> {
    const id = openId;
    if (id === null) return;
    error.textContent = "";
    await app.run(busy, btn, error, async () => {
      const m = await api.retryMessage(messageId);
      if (openId !== id) return;
      messages = mergeById(messages, [m]);
      renderHistory(false);
      // The button is gone: keep focus on the message it belonged to.
      const el = history.querySelector<HTMLElement>(`[data-message-id="${messageId}"]`);
      if (el) { el.tabIndex = -1; el.focus(); }
      ctx.toast("Back in the outbox: it will be sent again.");
    });
  }

  // ---- attachments, opened on demand ----
  /** Fetches one attachment (audited in the core) and shows it: images and plain text
   * inline; other types are named with no preview. The blob URL is revoked on close. */
  async function showAttachment(id: number): Promise<void> {
    try {
      const content = await api.openAttachment(id);
      const kind = previewKind(content.mime_type);
      let url: string | null = null;
      const body: HTMLElement[] = [];
      if (kind === "image") {
        url = URL.createObjectURL(new Blob([base64ToBytes(content.data_base64)], { type: content.mime_type }));
        body.push(h("img", { id: "attachment-image", class: "attachment-preview", src: url, alt: content.file_name }));
      } else if (kind === "text") {
        const text = new TextDecoder().decode(base64ToBytes(content.data_base64));
        body.push(h("pre", { id: "attachment-text", class: "attachment-preview" }, text));
      } else {
        body.push(h("p", null, `No preview for ${content.mime_type} files.`));
      }
      const close = button("attachment-close", "Close");
      const m = openModal(ctx.host, "attachment-dialog", content.file_name, [...body, h("div", { class: "actions" }, close)],
        () => { if (url) URL.revokeObjectURL(url); });
      close.addEventListener("click", () => m.close());
    } catch (e) {
      ctx.toast(toUiError(e).message);
    }
  }

  // ---- actions ----
  /** Run an action; on "conflict" (someone else changed it) reload the conversation and list. */
  async function act(busy: HTMLElement, btn: HTMLButtonElement | null, task: () => Promise<void>, errorEl = error): Promise<boolean> {
    let conflict = false;
    const ok = await app.run(busy, btn, errorEl, async () => {
      try {
        await task();
      } catch (err) {
        if (toUiError(err).code === "conflict") conflict = true;
        throw err;
      }
    });
    if (conflict) {
      void refreshList();
      void reloadConversation();
    }
    return ok;
  }

  function versioned(): Versioned | null {
    return view ? { id: view.summary.id, version: view.summary.version } : null;
  }

  async function toggleResolved(btn: HTMLButtonElement | null): Promise<void> {
    const v = versioned();
    if (!v || !view || !view.can_act) return;
    const reopen = view.summary.status === "resolved";
    error.textContent = "";
    await act(pane, btn, async () => {
      await api.setStatus(v, reopen ? "open" : "resolved", null);
      ctx.toast(reopen ? "Reopened." : `Resolved: ${view?.summary.contact_name ?? "conversation"}.`);
      await Promise.all([reloadConversation(), refreshList()]);
    });
  }

  let modal: Modal | null = null;

  async function openTransfer(): Promise<void> {
    const v = versioned();
    if (!v || !view || !view.can_act || modal) return;
    const contact = view.summary.contact_name;
    error.textContent = "";
    try {
      await loadPeople();
    } catch (err) {
      app.fail(err, error);
      return;
    }
    if (!ctx.current() || openId !== v.id || modal) return;
    const others = colleagues.filter((c) => c.id !== user.user_id);
    const target = h("select", { id: "transfer-target", name: "transfer-target", required: true },
      h("option", { value: "" }, "Choose a person or team…"),
      others.length ? h("optgroup", { label: "People" },
        ...others.map((c) => h("option", { value: `agent:${c.id}` }, c.available ? c.display_name : `${c.display_name} (away)`))) : null,
      teams.length ? h("optgroup", { label: "Teams" },
        ...teams.map((t) => h("option", { value: `team:${t.id}` }, t.name))) : null);
    const note = textarea("transfer-note", { rows: 4, required: true, "aria-required": "true" });
    const dlgError = h("p", { id: "transfer-error", class: "error", role: "alert" });
    const submitBtn = h("button", { id: "transfer-submit", type: "submit", class: "primary" }, "Transfer");
    const cancelBtn = button("transfer-cancel", "Cancel", { class: "secondary" });
    const form = h("form", { novalidate: true },
      h("p", { class: "muted" }, `Hand ${contact} over to a colleague or a team. They get a notice.`),
      field("To", target),
      field("Note for them (required)", note, "What has been done, and what is still needed."),
      dlgError,
      h("div", { class: "actions" }, submitBtn, cancelBtn));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      dlgError.textContent = "";
      const t = parseTransferTarget(target.value);
      if (!t) return problem(dlgError, target, "Choose a person or a team.");
      const text = note.value.trim();
      if (!text) return problem(dlgError, note, "Write a note for the next person: it is required.");
      const name = target.selectedOptions[0]?.textContent ?? "them";
      // The latest version: a conflict reload may have moved it on since the dialog opened.
      const cur = versioned();
      if (!cur || cur.id !== v.id) { m.close(); return; }
      void act(form, submitBtn, async () => {
        await api.transfer(cur, t, text);
        m.close();
        showEmptyPane();
        if (selectedId === v.id) selectedId = null;
        ctx.toast(`Transferred ${contact} to ${name.replace(/ \(away\)$/, "")}.`);
        await refreshList();
        scroller.focus();
      }, dlgError);
    });
    cancelBtn.addEventListener("click", () => m.close());
    const m = openModal(ctx.host, "transfer-dialog", "Transfer conversation", [form], () => { modal = null; });
    modal = m;
    target.focus();
  }

  function openReturn(): void {
    const v = versioned();
    if (!v || !view || !view.can_act || modal) return;
    const contact = view.summary.contact_name;
    const note = textarea("return-note", { rows: 3 });
    const dlgError = h("p", { id: "return-error", class: "error", role: "alert" });
    const submitBtn = h("button", { id: "return-submit", type: "submit", class: "primary" }, "Return to queue");
    const cancelBtn = button("return-cancel", "Cancel", { class: "secondary" });
    const form = h("form", { novalidate: true },
      h("p", { class: "muted" }, `${contact} goes back to the unassigned queue for someone else to pick up.`),
      field("Note (optional)", note, "Anything the next person should know."),
      dlgError,
      h("div", { class: "actions" }, submitBtn, cancelBtn));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      dlgError.textContent = "";
      const cur = versioned();
      if (!cur || cur.id !== v.id) { m.close(); return; }
      void act(form, submitBtn, async () => {
        await api.returnToQueue(cur, note.value.trim());
        m.close();
        showEmptyPane();
        if (selectedId === v.id) selectedId = null;
        ctx.toast(`${contact} is back in the queue.`);
        await refreshList();
        scroller.focus();
      }, dlgError);
    });
    cancelBtn.addEventListener("click", () => m.close());
    const m = openModal(ctx.host, "return-dialog", "Return to queue", [form], () => { modal = null; });
    modal = m;
    note.focus();
  }

  // =========================================================================
  // Keyboard, live updates, first load
  // =========================================================================
  const onKey = (ev: KeyboardEvent) => {
    if (modal || ev.defaultPrevented || !ctx.current()) return;
    const s = shortcutFor({ key: ev.key, ctrlKey: ev.ctrlKey, metaKey: ev.metaKey, altKey: ev.altKey,
      target: ev.target instanceof HTMLElement ? ev.target : null });
    if (!s) return;
    const ids = searching ? [] : rows.map((r) => r.id);
    switch (s) {
      case "next":
      case "prev": {
        const idx = moveSelection(ids, selectedId, s === "next" ? 1 : -1);
        if (idx < 0) return;
        ev.preventDefault();
        selectRow(ids[idx], true, KEY_OPEN_DELAY_MS);
        return;
      }
      case "reply":
      case "note":
        if (openId === null) return;
        ev.preventDefault();
        setMode(s);
        focusComposer();
        return;
      case "transfer":
        ev.preventDefault();
        void openTransfer();
        return;
      case "resolve":
        ev.preventDefault();
        void toggleResolved(null);
        return;
      case "search":
        ev.preventDefault();
        searchInput.focus();
        searchInput.select();
        return;
      case "help":
        ev.preventDefault();
        toggleHelp();
        return;
      case "select":
        if (!lead || selectedId === null || searching) return;
        ev.preventDefault();
        toggleChecked(selectedId);
        return;
      case "escape":
        if (searching) { ev.preventDefault(); clearSearch(true); }
        else if (!help.hidden) { ev.preventDefault(); toggleHelp(false); }
        return;
    }
  };
  document.addEventListener("keydown", onKey);
  ctx.onLeave(() => document.removeEventListener("keydown", onKey));
  ctx.onLeave(() => { modal?.close(); modal = null; });

  let liveTimer = 0;
  let liveAffectsOpen = false;
  let liveList = false;
  let livePeople = false;
  function onCoreEvent(e: CoreEvent): void {
    // Channel accounts changing (a mailbox sync's progress, several a second) changes nothing in the inbox.
    if (e.kind === "settings_changed" || e.kind === "sessions_ended" || e.kind === "channels_changed") return;
    // A delivery status (sent, delivered, read, failed) shows only in the open conversation, not in the list.
    const statusOnly = e.kind === "message_status_changed";
    if (statusOnly && e.conversation !== openId) return;
    if ("conversation" in e && e.conversation === openId) liveAffectsOpen = true;
    if (!statusOnly) liveList = true;
    if (e.kind === "user_changed") livePeople = true;
    cancel(liveTimer);
    // Events come in bursts (a bulk reassign, an import, receipts): one refresh per burst.
    liveTimer = later(() => {
      const reloadOpen = liveAffectsOpen;
      const list = liveList;
      const people = livePeople;
      liveAffectsOpen = false;
      liveList = false;
      livePeople = false;
      if (people) void loadPeople().then(fillBulkTargets).catch(() => { /* keep the old list */ });
      if (list) void refreshList();
      if (reloadOpen) void reloadConversation();
    }, LIVE_DEBOUNCE_MS);
  }
  ctx.setLive({
    coreEvent: onCoreEvent,
    handoff: () => { cancel(liveTimer); liveTimer = later(() => void refreshList(), LIVE_DEBOUNCE_MS); },
    openConversation: (id) => { clearSearch(false); selectRow(id, true); },
  });

  // ---- layout and first load ----
  ctx.page.replaceChildren(h("div", { id: "inbox", class: "inbox" }, side, listCol, pane));
  showEmptyPane();
  syncBulk();
  renderRows(true);

  const first = loadFirst();
  const extras = Promise.allSettled([
    loadPeople().then(fillBulkTargets),
    api.listCannedReplies().then((c) => {
      canned = c;
      cannedSelect.replaceChildren(h("option", { value: "" }, "Canned reply…"),
        ...c.map((r) => h("option", { value: r.id }, r.title)));
      syncComposer();
    }),
  ]);
  await first;
  void extras;
  if (!ctx.current()) return;
  if (ctx.openConversation !== null) selectRow(ctx.openConversation, true);
}
