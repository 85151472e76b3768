//! The conversation list: a virtual window over the loaded rows (only the rows in view are in the
//! document, each cached until its data, selection, tick or minute changes), paging, live refresh and
//! the list's own keys.
import { openStart } from "./start-dialog";
import * as api from "../api";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { PageCursor } from "../bindings/PageCursor";
import { h } from "../h";
import { formatDateTime } from "../logic";
import type { Part } from "../store";
import { button } from "../ui";
import { channelBadge, priorityBadge, slaBadge, statusBadge, windowBadge } from "./badges";
import { createEmpty } from "./empty";
import { inboxQuery, moveSelection, nearEnd, relativeTime, scrollToRow, VIEW_LABELS, virtualWindow } from "./logic";
import { presenceText, presentOn } from "./presence-logic";
import {
  KEY_OPEN_DELAY_MS, LOAD_AHEAD, now, OVERSCAN, REFRESH_PAGES, ROW_HEIGHT, type Deps, type InboxState,
} from "./state";

export type ListPart = Part<InboxState> & {
  loadFirst(): Promise<void>;
  refresh(): Promise<void>;
  select(id: number, open: boolean, delay?: number): void;
  toggleChecked(id: number): void;
  focus(): void;
};

type CachedRow = { row: ConversationSummary; el: HTMLElement; selected: boolean; checked: boolean; at: number; watching: string | null };

export function createList(deps: Deps, bulkBar: HTMLElement, searchResults: HTMLElement): ListPart {
  const { ctx, store, actions } = deps;
  const rowCache = new Map<number, CachedRow>();
  let listGen = 0;
  let loadingMore = false;
  let keyOpenTimer = 0;

  const listHeading = h("h2", { id: "list-heading", class: "list-heading" }, VIEW_LABELS[store.get().filters.view]);
  const listCount = h("span", { class: "muted list-count", id: "list-count" });
  const staleBtn = button("list-stale", "New activity. Reload list", { class: "small", hidden: true });
  const startBtn = button("start-conversation", "Write first…", { class: "small secondary", title: "Send a WhatsApp template to a number that has not written" });
  startBtn.addEventListener("click", () => {
    void openStart(ctx.app, ctx.host, ctx.error, (id) => {
      ctx.toast("Template queued; the conversation is yours.");
      void loadFirst().then(() => select(id, true));
    });
  });
  staleBtn.addEventListener("click", () => void loadFirst());
  const win = h("div", { class: "vlist-window" });
  const spacer = h("div", { class: "vlist-spacer" }, win);
  const empty = createEmpty(deps, (view) => {
    const next = { ...store.get().filters, view };
    ctx.memory.set("inbox.filters", next);
    store.set({ filters: next });
    void loadFirst();
  });
  const listEmpty = empty.el;
  const scroller = h("div", {
    id: "conversation-list", class: "vlist", tabindex: "0", role: "listbox", "aria-labelledby": "list-heading",
    "aria-multiselectable": "true",
  }, spacer);
  const el = h("section", { class: "inbox-list", "aria-label": "Conversations" },
    h("div", { class: "list-head" }, listHeading, listCount, staleBtn, startBtn),
    bulkBar, scroller, listEmpty, searchResults);

  function rowElement(s: ConversationSummary, at: number, isSel: boolean, isChecked: boolean, watching: string | null): HTMLElement {
    const check = h("input", {
      type: "checkbox", class: "row-check", tabindex: "-1", checked: isChecked,
      "aria-label": `Select conversation with ${s.contact_name}`,
    });
    return h("div", {
      class: `row${isSel ? " selected" : ""}${s.unread > 0 ? " unread" : ""}${isChecked ? " checked" : ""}`,
      id: `conv-row-${s.id}`, role: "option", "aria-selected": isSel ? "true" : "false",
      "data-conversation-id": s.id,
    },
      check,
      h("div", { class: "row-main" },
        h("div", { class: "row-top" },
          h("span", { class: "row-name" }, s.contact_name),
          watching ? h("span", { class: "row-presence", title: watching, "aria-label": watching }, "●") : null,
          priorityBadge(s.priority),
          channelBadge(s.channel),
          h("span", { class: "row-time", title: formatDateTime(s.last_activity_at) }, relativeTime(s.last_activity_at, at))),
        h("div", { class: "row-preview" }, s.preview || s.subject),
        h("div", { class: "row-meta" },
          h("span", { class: s.assignee_name ? "row-assignee" : "row-assignee unassigned" }, s.assignee_name ?? "Unassigned"),
          s.team_name ? h("span", { class: "muted" }, ` · ${s.team_name}`) : null,
          h("span", { class: "row-badges" },
            statusBadge(s, at),
            slaBadge(s, at),
            windowBadge(s, at),
            s.unread > 0 ? h("span", { class: "badge unread-count", "aria-label": `${s.unread} unread` }, s.unread) : null))));
  }

  const windowNow = (total: number) => virtualWindow({ scrollTop: scroller.scrollTop, viewportHeight: scroller.clientHeight || 800,
    rowHeight: ROW_HEIGHT, overscan: OVERSCAN, total });

  /** Render only the rows in view (plus overscan) inside a spacer as tall as the whole list. */
  function update(s: InboxState): void {
    const { rows } = s;
    const at = now();
    const minute = Math.floor(at / 60);
    const w = windowNow(rows.length);
    // CSSOM (not a style attribute): allowed by the CSP, and the only way to size a virtual list.
    spacer.style.height = `${w.height}px`;
    win.style.transform = `translateY(${w.offset}px)`;
    const els: HTMLElement[] = [];
    const seen = new Set<number>();
    const names = new Map(s.colleagues.map((c) => [c.id, c.display_name]));
    const nowMs = Date.now();
    for (let i = w.first; i <= w.last; i++) {
      const r = rows[i];
      seen.add(r.id);
      const cached = rowCache.get(r.id);
      const sel = r.id === s.selectedId;
      const chk = s.checked.has(r.id);
      const watching = presenceText(presentOn(s.presence, r.id, nowMs), names);
      if (cached && cached.row === r && cached.selected === sel && cached.checked === chk && cached.at === minute && cached.watching === watching) {
        els.push(cached.el);
      } else {
        const rowEl = rowElement(r, at, sel, chk, watching);
        rowCache.set(r.id, { row: r, el: rowEl, selected: sel, checked: chk, at: minute, watching });
        els.push(rowEl);
      }
    }
    for (const id of rowCache.keys()) if (!seen.has(id)) rowCache.delete(id);
    const same = els.length === win.children.length && els.every((x, i) => win.children[i] === x);
    if (!same) win.replaceChildren(...els);
    const searching = s.search !== null;
    scroller.hidden = searching;
    if (s.listBusy) scroller.setAttribute("aria-busy", "true");
    else scroller.removeAttribute("aria-busy");
    staleBtn.hidden = !s.stale;
    listEmpty.hidden = rows.length > 0 || searching || s.listBusy;
    // Nothing to list: the empty list takes no room, so what to do next shows at the top.
    scroller.classList.toggle("is-empty", !listEmpty.hidden);
    if (!listEmpty.hidden) {
      const f = s.filters;
      empty.show(f.view, Boolean(f.status || f.channel || f.team || f.label));
    }
    listHeading.textContent = searching ? "Search" : VIEW_LABELS[s.filters.view];
    listCount.textContent = searching
      ? (s.search?.hits && !s.search.busy ? `${s.search.hits.length} found` : "")
      : rows.length === 0 ? "" : `${rows.length}${s.next ? "+" : ""}`;
    if (s.selectedId !== null && seen.has(s.selectedId)) scroller.setAttribute("aria-activedescendant", `conv-row-${s.selectedId}`);
    else scroller.removeAttribute("aria-activedescendant");
    if (s.next && !loadingMore && nearEnd(w.last, rows.length, LOAD_AHEAD)) void loadMore();
  }
  const rerender = () => update(store.get());

  let frame = 0;
  scroller.addEventListener("scroll", () => {
    if (frame) return;
    frame = window.requestAnimationFrame(() => { frame = 0; rerender(); });
  }, { passive: true });
  window.addEventListener("resize", rerender);
  const clock = window.setInterval(rerender, 60_000);

  async function loadFirst(): Promise<void> {
    const gen = ++listGen;
    loadingMore = false;
    store.set({ stale: false, listBusy: true });
    try {
      const page = await api.listConversations(inboxQuery(store.get().filters, null));
      if (gen !== listGen || !ctx.current()) return;
      const checked = new Map(store.get().checked);
      for (const id of Array.from(checked.keys())) if (!page.rows.some((r) => r.id === id)) checked.delete(id);
      scroller.scrollTop = 0;
      store.set({ rows: page.rows, next: page.next, checked, listBusy: false });
    } catch (err) {
      if (gen !== listGen || !ctx.current()) return;
      store.set({ rows: [], next: null, listBusy: false });
      ctx.app.fail(err, ctx.error);
    }
  }

  async function loadMore(): Promise<void> {
    const after = store.get().next;
    if (!after || loadingMore) return;
    const gen = listGen;
    loadingMore = true;
    let patch: Partial<InboxState>;
    try {
      const page = await api.listConversations(inboxQuery(store.get().filters, after));
      if (gen !== listGen || !ctx.current()) return;
      const rows = store.get().rows;
      const have = new Set(rows.map((r) => r.id));
      patch = { rows: rows.concat(page.rows.filter((r) => !have.has(r.id))), next: page.next };
    } catch (err) {
      if (gen !== listGen || !ctx.current()) return;
      patch = { next: null }; // stop asking; a reload or live refresh starts over
      ctx.app.fail(err, ctx.error);
    } finally {
      if (gen === listGen) loadingMore = false;
    }
    store.set(patch);
  }

  /** Re-read the list from the top far enough to cover what is on screen, keeping the scroll. */
  async function refresh(): Promise<void> {
    const gen = ++listGen;
    loadingMore = false;
    const w = windowNow(store.get().rows.length);
    const need = Math.max(w.last + 1 + OVERSCAN, 1);
    let fresh: ConversationSummary[] = [];
    let cursor: PageCursor | null = null;
    try {
      for (let i = 0; i < REFRESH_PAGES; i++) {
        const page = await api.listConversations(inboxQuery(store.get().filters, cursor));
        if (gen !== listGen || !ctx.current()) return;
        const have = new Set(fresh.map((r) => r.id));
        fresh = fresh.concat(page.rows.filter((r) => !have.has(r.id)));
        cursor = page.next;
        if (!cursor || fresh.length >= need) break;
      }
    } catch {
      if (gen === listGen && ctx.current()) store.set({ stale: true }); // calm: offer a reload instead of an error
      return;
    }
    const tooDeep = cursor !== null && fresh.length < need;
    const top = scroller.scrollTop;
    const checked = new Map(store.get().checked);
    for (const [id] of checked) if (!fresh.some((r) => r.id === id)) checked.delete(id);
    for (const r of fresh) if (checked.has(r.id)) checked.set(r.id, { id: r.id, version: r.version });
    scroller.scrollTop = top;
    store.set({ rows: fresh, next: cursor, stale: tooDeep, checked });
  }

  function select(id: number, open: boolean, delay = 0): void {
    const idx = store.get().rows.findIndex((r) => r.id === id);
    if (idx >= 0) {
      const top = scrollToRow(idx, scroller.scrollTop, scroller.clientHeight || 800, ROW_HEIGHT);
      if (top !== scroller.scrollTop) scroller.scrollTop = top;
    }
    store.set({ selectedId: id });
    if (!open) return;
    deps.cancel(keyOpenTimer);
    if (delay > 0) keyOpenTimer = deps.later(() => { if (store.get().selectedId === id) void actions.openConversation(id); }, delay);
    else void actions.openConversation(id);
  }

  function toggleChecked(id: number): void {
    const s = store.get();
    const r = s.rows.find((x) => x.id === id);
    if (!r) return;
    const checked = new Map(s.checked);
    if (checked.has(id)) checked.delete(id);
    else checked.set(id, { id: r.id, version: r.version });
    store.set({ checked });
  }

  scroller.addEventListener("click", (ev) => {
    const target = ev.target as HTMLElement;
    const rowEl = target.closest<HTMLElement>("[data-conversation-id]");
    if (!rowEl) return;
    const id = Number(rowEl.dataset.conversationId);
    if (target.classList.contains("row-check")) { toggleChecked(id); return; }
    select(id, true);
  });
  scroller.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const { rows, selectedId } = store.get();
    const ids = rows.map((r) => r.id);
    const page = Math.max(1, Math.floor(scroller.clientHeight / ROW_HEIGHT));
    let idx = -1;
    switch (ev.key) {
      case "ArrowDown": idx = moveSelection(ids, selectedId, 1); break;
      case "ArrowUp": idx = moveSelection(ids, selectedId, -1); break;
      case "PageDown": idx = moveSelection(ids, selectedId, page); break;
      case "PageUp": idx = moveSelection(ids, selectedId, -page); break;
      case "Home": idx = ids.length ? 0 : -1; break;
      case "End": idx = ids.length - 1; break;
      case "Enter":
        if (selectedId !== null) { ev.preventDefault(); void actions.openConversation(selectedId, true); }
        return;
      case " ":
        if (selectedId !== null) { ev.preventDefault(); toggleChecked(selectedId); }
        return;
      default: return;
    }
    ev.preventDefault();
    if (idx >= 0) select(ids[idx], true, KEY_OPEN_DELAY_MS);
  });

  function dispose(): void {
    listGen++;
    if (frame) window.cancelAnimationFrame(frame);
    window.removeEventListener("resize", rerender);
    window.clearInterval(clock);
  }

  return { el, update, dispose, loadFirst, refresh, select, toggleChecked, focus: () => scroller.focus() };
}
