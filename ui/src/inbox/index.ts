//! The inbox screen: views and filters (left, folds away), a virtualised conversation list (middle),
//! the open conversation with its composer and the customer panel (right), the shortcut help over
//! them. This module wires the parts to one store, owns the screen-wide keys and live updates, and
//! does the first load.
//! Each part renders from the state alone.
import * as api from "../api";
import type { CoreEvent } from "../bindings/CoreEvent";
import { h } from "../h";
import { toUiError } from "../logic";
import { isLeadOrAdmin, type PageContext } from "../screens/shell";
import { createStore, type Part } from "../store";
import { createBulk } from "./bulk";
import { createComposer } from "./composer";
import { createConversation } from "./conversation";
import { createCustomer } from "./customer";
import { CUSTOMER_SHOWN_KEY, shownFromMemory } from "./customer-logic";
import { createDialogs } from "./dialogs";
import { createHead } from "./head";
import { createHistory } from "./history";
import { createList } from "./list";
import { filtersFrom, moveSelection, shortcutFor } from "./logic";
import { createPresence } from "./presence";
import { createSearch } from "./search";
import { createShortcuts } from "./shortcuts";
import { createSide, SIDE_COLLAPSED_KEY } from "./side";
import { initialState, KEY_OPEN_DELAY_MS, LIVE_DEBOUNCE_MS, type Actions, type Deps, type Filters, type InboxState } from "./state";
import { createTemplates } from "./templates";

export { ROW_HEIGHT } from "./state";

export async function renderInbox(ctx: PageContext): Promise<void> {
  const lead = isLeadOrAdmin(ctx.user.role);
  // The first visit after sign-in lands where the work is (see below); later visits keep the filters.
  const firstVisit = !ctx.memory.has("inbox.filters");
  const filters = filtersFrom(ctx.memory.get("inbox.filters") as Partial<Filters> | undefined, lead);
  ctx.memory.set("inbox.filters", filters);
  const store = createStore<InboxState>({
    ...initialState(filters), sideCollapsed: ctx.memory.get(SIDE_COLLAPSED_KEY) === true,
    customerShown: shownFromMemory(ctx.memory.get(CUSTOMER_SHOWN_KEY)),
  });
  const timers = new Set<number>();
  const later = (fn: () => void, ms: number): number => {
    const t = window.setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t: number) => { window.clearTimeout(t); timers.delete(t); };
  // Filled in below once every part exists; parts only call these after the screen is built.
  const actions = {} as Actions;
  let paneEl: HTMLElement | null = null;
  const deps: Deps = { ctx, store, lead, actions, later, cancel, pane: () => paneEl ?? ctx.page };

  const search = createSearch(deps);
  const side = createSide(deps, search.input);
  const shortcuts = createShortcuts(deps);
  const bulk = createBulk(deps);
  const list = createList(deps, bulk.el, search.el);
  const dialogs = createDialogs(deps);
  const head = createHead(deps, dialogs);
  const history = createHistory(deps);
  const templates = createTemplates(deps);
  const composer = createComposer(deps, templates);
  const customer = createCustomer(deps);
  const presence = createPresence(deps);
  const conversation = createConversation(deps, { head: head.el, presence: presence.el, history: history.el, composer: composer.el, customer: customer.el, drafts: composer });
  paneEl = conversation.el;

  async function loadPeople(): Promise<void> {
    const [c, t] = await Promise.allSettled([api.listColleagues(), api.listTeams()]);
    if (c.status === "fulfilled") store.set({ colleagues: c.value });
    if (t.status === "fulfilled") store.set({ teams: t.value });
    if (c.status === "rejected") throw c.reason;
  }

  Object.assign(actions, {
    loadFirst: list.loadFirst,
    refreshList: list.refresh,
    focusList: list.focus,
    clearSearch: search.clear,
    openConversation: conversation.open,
    reloadConversation: conversation.reload,
    showEmptyPane: conversation.showEmpty,
    loadPeople,
    loadTemplates: templates.load,
    focusComposer: composer.focus,
    typing: presence.typing,
    async act(busy, btn, task, errorEl = ctx.error) {
      let conflict = false;
      const ok = await ctx.app.run(busy, btn, errorEl, async () => {
        try {
          await task();
        } catch (err) {
          if (toUiError(err).code === "conflict") conflict = true;
          throw err;
        }
      });
      if (conflict) {
        void list.refresh();
        void conversation.reload();
      }
      return ok;
    },
  } satisfies Actions);

  // ---- keyboard ----
  const onKey = (ev: KeyboardEvent) => {
    if (dialogs.isOpen() || ev.defaultPrevented || !ctx.current()) return;
    const s = shortcutFor({ key: ev.key, ctrlKey: ev.ctrlKey, metaKey: ev.metaKey, altKey: ev.altKey,
      target: ev.target instanceof HTMLElement ? ev.target : null });
    if (!s) return;
    const state = store.get();
    // While the shortcut help is open only ? and Esc act (they close it).
    if (state.help && s !== "help" && s !== "escape") return;
    const searching = state.search !== null;
    const ids = searching ? [] : state.rows.map((r) => r.id);
    switch (s) {
      case "next":
      case "prev": {
        const idx = moveSelection(ids, state.selectedId, s === "next" ? 1 : -1);
        if (idx < 0) return;
        ev.preventDefault();
        list.select(ids[idx], true, KEY_OPEN_DELAY_MS);
        return;
      }
      case "reply":
      case "note":
        if (state.openId === null) return;
        ev.preventDefault();
        composer.setMode(s);
        composer.focus();
        return;
      case "transfer":
        ev.preventDefault();
        void dialogs.openTransfer();
        return;
      case "resolve":
        ev.preventDefault();
        void head.toggleResolved(null);
        return;
      case "take":
        ev.preventDefault();
        void head.take(null);
        return;
      case "snooze":
        ev.preventDefault();
        head.openSnooze();
        return;
      case "priority":
        if (state.openId === null) return;
        ev.preventDefault();
        head.openPriority();
        return;
      case "pending":
        ev.preventDefault();
        void head.togglePending(null);
        return;
      case "undo":
        if (ctx.toastAction()) ev.preventDefault();
        return;
      case "search":
        ev.preventDefault();
        // The search field is in the views and filters rail: a folded rail opens for it.
        if (state.sideCollapsed) side.setCollapsed(false);
        search.focus();
        return;
      case "help":
        ev.preventDefault();
        shortcuts.toggle();
        return;
      case "rails": {
        ev.preventDefault();
        // Both rails fold together; when both are folded, both open.
        const fold = !(state.sideCollapsed && ctx.navRail.collapsed());
        ctx.navRail.setCollapsed(fold);
        side.setCollapsed(fold);
        return;
      }
      case "customer":
        ev.preventDefault();
        customer.toggle();
        return;
      case "select":
        if (state.selectedId === null || searching) return;
        ev.preventDefault();
        list.toggleChecked(state.selectedId);
        return;
      case "escape":
        if (state.help) { ev.preventDefault(); shortcuts.toggle(false); }
        else if (searching) { ev.preventDefault(); search.clear(true); }
        return;
    }
  };

  // ---- live updates ----
  let liveTimer = 0;
  let liveAffectsOpen = false;
  let liveList = false;
  let livePeople = false;
  function onCoreEvent(e: CoreEvent): void {
    // Presence changes nothing stored: the line and the list's marks only, never a reload.
    if (e.kind === "presence") { presence.onEvent(e); return; }
    // Channel accounts changing (a mailbox sync's progress, several a second) changes nothing in the inbox.
    if (e.kind === "settings_changed" || e.kind === "sessions_ended" || e.kind === "channels_changed") return;
    const openId = store.get().openId;
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
      const reloadList = liveList;
      const people = livePeople;
      liveAffectsOpen = false;
      liveList = false;
      livePeople = false;
      if (people) void loadPeople().catch(() => { /* keep the old list */ });
      if (reloadList) void list.refresh();
      if (reloadOpen) void conversation.reload();
    }, LIVE_DEBOUNCE_MS);
  }

  // ---- one render path: every part from the one state ----
  const parts: Part<InboxState>[] = [side, search, bulk, list, conversation, head, history, templates, composer, customer, presence, shortcuts];
  document.addEventListener("keydown", onKey);
  // The reply window moves on while a conversation is open.
  const windowClock = window.setInterval(() => { if (store.get().view) store.set({ tick: store.get().tick + 1 }); }, 30_000);
  let left = false;
  ctx.onLeave(() => {
    left = true;
    for (const t of timers) window.clearTimeout(t);
    timers.clear();
    window.clearInterval(windowClock);
    document.removeEventListener("keydown", onKey);
    dialogs.dispose();
    for (const p of parts) p.dispose();
    // Files read for replies not sent do not outlive the page (no render: the page is gone).
    store.set({ attachments: new Map() });
  });
  ctx.setLive({
    coreEvent: onCoreEvent,
    handoff: () => { cancel(liveTimer); liveTimer = later(() => void list.refresh(), LIVE_DEBOUNCE_MS); },
    openConversation: (id) => { search.clear(false); list.select(id, true); },
    flush: () => composer.flushDrafts(),
  });

  ctx.page.replaceChildren(h("div", { id: "inbox", class: "inbox" }, side.el, list.el, conversation.el, shortcuts.el));
  // Once the page is left nothing renders: a late answer cannot touch the next page's document.
  store.render((s) => { if (!left && ctx.current()) for (const p of parts) p.update(s); });

  const first = list.loadFirst();
  const extras = Promise.allSettled([
    loadPeople(),
    api.listCannedReplies().then((canned) => store.set({ canned })),
  ]);
  await first;
  void extras;
  if (!ctx.current()) return;
  // A handoff's conversation, else the one open when the person left (or locked).
  const reopen = ctx.openConversation ?? (ctx.memory.get("inbox.open") as number | undefined) ?? null;
  const landed = store.get();
  if (firstVisit && reopen === null && landed.filters.view === "mine" && landed.rows.length === 0 && !landed.stale) {
    const next = { ...landed.filters, view: "unassigned" as const };
    ctx.memory.set("inbox.filters", next);
    store.set({ filters: next });
    await list.loadFirst();
    if (!ctx.current()) return;
  }
  if (reopen !== null) list.select(reopen, true);
}
