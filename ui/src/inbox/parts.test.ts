//! The inbox parts on their own: each renders from the one state through `update`, and only there.
// @vitest-environment happy-dom
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { ConversationView } from "../bindings/ConversationView";
import type { SearchHit } from "../bindings/SearchHit";
import type { PageContext } from "../screens/shell";
import { createStore, type Part } from "../store";
import { createBulk } from "./bulk";
import { createComposer } from "./composer";
import { createDialogs } from "./dialogs";
import { createHead } from "./head";
import { createList } from "./list";
import { createSearch } from "./search";
import { initialState, type Actions, type Deps, type InboxState } from "./state";
import { createTemplates } from "./templates";

// The command layer is faked at the api module (not at invoke), so command names can change freely.
const calls: string[] = [];
let nextPage: () => unknown = () => { throw { code: "storage", message: "no fake" }; };
vi.mock("../api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../api")>()),
  listConversations: async () => { calls.push("listConversations"); return nextPage(); },
  take: async (v: { id: number; version: number }) => { calls.push(`take ${v.id}@${v.version}`); return null; },
  updateMany: async (list: { id: number; version: number }[], change: Record<string, unknown>) => {
    const what = change.kind === "status" ? change.status : change.kind === "priority" ? change.priority : change.label;
    calls.push(`updateMany ${list.map((v) => `${v.id}@${v.version}`).join(",")} ${String(change.kind)}:${String(what)}`);
    return list.map((v) => ({ id: v.id, version: v.version + 1 }));
  },
  setPriority: async (v: { id: number; version: number }, p: string) => { calls.push(`setPriority ${v.id}@${v.version} ${p}`); return null; },
  setStatus: async (v: { id: number; version: number }, status: string, until: number | null) => {
    calls.push(`setStatus ${v.id}@${v.version} ${status} ${until}`); return null;
  },
  returnToQueue: async (v: { id: number; version: number }) => { calls.push(`returnToQueue ${v.id}@${v.version}`); return null; },
  openConversation: async (id: number) => { calls.push(`openConversation ${id}`); return view(row(id, { version: 9 })); },
  reassign: async (list: { id: number; version: number }[], to: number | null) => {
    calls.push(`reassign ${list.map((v) => `${v.id}@${v.version}`).join(",")} to ${to}`); return list.length;
  },
  saveDraft: async (id: number, mode: string, body: string) => { saved.push([id, mode, body]); return null; },
  forwardMail: async (id: number, f: { to: string; note: string; message: number | null }) => {
    if (f.to === "taken@partner.test") throw { code: "invalid_input", message: "to: taken@partner.test asked not to be contacted; remove them" };
    calls.push(`forwardMail ${id} ${f.to} ${f.message} ${f.note}`);
    return null;
  },
}));
const saved: [number, string, string][] = [];
const tick = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };

const row = (id: number, extra: Partial<ConversationSummary> = {}): ConversationSummary => ({
  id, version: 1, contact_id: id, contact_name: `Contact ${id}`, channel: "email", subject: "Hello", preview: "Hi there",
  status: "open", snoozed_until: null, assignee_id: null, assignee_name: null, team_id: null, team_name: null, unread: 0,
  last_activity_at: 1_700_000_000, waiting_since: 1_700_000_000, reply_window_ends_at: null, do_not_contact: false, priority: "none", ...extra,
});
const view = (s: ConversationSummary, extra: Partial<ConversationView> = {}): ConversationView => ({
  summary: s, messages: [], has_older: false, notes: [], handoff: null, labels: [], can_act: true, window: null, sample: false, drafts: [], ...extra,
});

function setup(lead: boolean) {
  const store = createStore<InboxState>(initialState({ view: "mine", status: "", channel: "", team: "", label: "", priority: "", sort: "activity" }));
  const ctx = {
    app: { run: async (_f: HTMLElement, _b: unknown, _e: HTMLElement, task: () => Promise<void>) => { await task(); return true; }, fail: () => {} },
    page: document.createElement("section"), error: document.createElement("p"), host: document.body,
    user: { user_id: 1, username: "ada", display_name: "Ada", role: lead ? "lead" : "agent", teams: [] },
    current: () => true, onLeave: () => {}, setLive: () => {}, openConversation: null, memory: new Map(),
    toast: (message: string, action?: { label: string; run: () => void }) => { toasts.push(message); lastAction = action ?? null; },
    toastAction: () => { const a = lastAction; lastAction = null; a?.run(); return a !== null; },
  } as unknown as PageContext;
  const actions = {
    loadFirst: vi.fn(async () => {}), refreshList: vi.fn(async () => {}), focusList: vi.fn(), clearSearch: vi.fn(),
    openConversation: vi.fn(async () => {}), reloadConversation: vi.fn(async () => {}), loadTemplates: vi.fn(async () => {}),
    focusComposer: vi.fn(), showEmptyPane: vi.fn(), typing: vi.fn(),
    act: vi.fn(async (_busy: HTMLElement, _btn: unknown, task: () => Promise<void>) => { await task(); return true; }),
  } as unknown as Actions;
  const deps: Deps = { ctx, store, lead, actions, later: (fn, ms) => window.setTimeout(fn, ms), cancel: (t) => window.clearTimeout(t), pane: () => ctx.page };
  return { store, deps, actions };
}

/** Put the parts in the document (those not already inside another) and render them from the store. */
function mount(store: ReturnType<typeof setup>["store"], ...parts: Part<InboxState>[]): void {
  for (const p of parts) if (!p.el.parentNode) document.body.appendChild(p.el);
  store.render((s) => { for (const p of parts) p.update(s); });
}

const toasts: string[] = [];
let lastAction: { label: string; run: () => void } | null = null;

beforeEach(() => {
  document.body.replaceChildren();
  document.head.replaceChildren();
  calls.length = 0;
  saved.length = 0;
  toasts.length = 0;
  lastAction = null;
});

describe("bulk bar", () => {
  it("shows for anyone with ticked rows, not while searching; reassigning only for a lead", () => {
    for (const lead of [true, false]) {
      const { store, deps } = setup(lead);
      const bulk = createBulk(deps);
      mount(store, bulk);
      expect(bulk.el.hidden).toBe(true);
      store.set({ checked: new Map([[3, { id: 3, version: 1 }], [4, { id: 4, version: 2 }]]) });
      expect(bulk.el.hidden).toBe(false);
      expect(bulk.el.querySelector("#bulk-count")!.textContent).toBe("2 selected");
      expect(bulk.el.querySelector<HTMLElement>("#bulk-target")!.closest<HTMLElement>("[hidden]") === null).toBe(lead);
      store.set({ search: { text: "x", hits: null, busy: true } });
      expect(bulk.el.hidden).toBe(true);
    }
  });

  it("resolves the ticked rows at the versions the list shows, then Undo puts each back as it was", async () => {
    const { store, deps, actions } = setup(false);
    const bulk = createBulk(deps);
    mount(store, bulk);
    store.set({
      rows: [row(3, { version: 4, status: "pending" }), row(4, { version: 7 })],
      checked: new Map([[3, { id: 3, version: 1 }], [4, { id: 4, version: 7 }]]),
    });
    bulk.el.querySelector<HTMLButtonElement>("#bulk-resolve")!.click();
    await tick();
    expect(calls).toContain("updateMany 3@4,4@7 status:resolved");
    expect(store.get().checked.size).toBe(0);
    expect(actions.refreshList).toHaveBeenCalled();
    expect(toasts).toContain("2 conversations marked resolved.");
    expect(lastAction?.label).toBe("Undo");
    lastAction!.run();
    await tick();
    // The fake core returns each at version + 1; each goes back to what it was.
    expect(calls).toContain("updateMany 3@5 status:pending");
    expect(calls).toContain("updateMany 4@8 status:open");
    expect(toasts).toContain("Undone.");
  });

  it("sets a priority and adds a label to the ticked rows", async () => {
    const { store, deps } = setup(false);
    const bulk = createBulk(deps);
    mount(store, bulk);
    store.set({ rows: [row(5, { version: 2 })], checked: new Map([[5, { id: 5, version: 2 }]]) });
    const priority = bulk.el.querySelector<HTMLSelectElement>("#bulk-priority")!;
    priority.value = "urgent";
    priority.dispatchEvent(new Event("change"));
    await tick();
    expect(calls).toContain("updateMany 5@2 priority:urgent");
    store.set({ rows: [row(5, { version: 3 })], checked: new Map([[5, { id: 5, version: 3 }]]) });
    const label = bulk.el.querySelector<HTMLInputElement>("#bulk-label")!;
    label.value = " VIP ";
    bulk.el.querySelector<HTMLButtonElement>("#bulk-label-add")!.click();
    await tick();
    expect(calls).toContain("updateMany 5@3 add_label:VIP");
  });

  it("fills the targets from the colleagues and keeps the choice when they reload", () => {
    const { store, deps } = setup(true);
    const bulk = createBulk(deps);
    mount(store, bulk);
    const colleagues = [{ id: 1, display_name: "Ada", available: true }, { id: 2, display_name: "Bob", available: false }];
    store.set({ colleagues: colleagues as InboxState["colleagues"] });
    const target = bulk.el.querySelector<HTMLSelectElement>("#bulk-target")!;
    expect(Array.from(target.options).map((o) => o.textContent)).toEqual(["Back to the queue", "Ada (you)", "Bob (away)"]);
    target.value = "2";
    store.set({ colleagues: colleagues.slice() as InboxState["colleagues"] });
    expect(target.value).toBe("2");
  });

  it("never squeezes its controls below their text (the app's style sheet applied)", () => {
    const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "style.css"), "utf8");
    const style = document.createElement("style");
    style.textContent = css;
    document.head.replaceChildren(style);
    const { store, deps } = setup(true);
    const bulk = createBulk(deps);
    mount(store, bulk);
    store.set({ checked: new Map([[3, { id: 3, version: 1 }]]) });
    const bar = bulk.el;
    expect(getComputedStyle(bar).flexWrap).toBe("wrap");
    // The select ("Back to the queue") and the buttons keep their own width: no shrinking, no fixed or zero width.
    const fixed = /^\d|^calc/;
    for (const el of [bar.querySelector("#bulk-target")!, ...Array.from(bar.querySelectorAll("button"))]) {
      const cs = getComputedStyle(el);
      expect(cs.flexShrink, el.id).toBe("0");
      expect(cs.width, el.id).not.toMatch(fixed);
      expect(cs.minWidth, el.id).not.toMatch(/^0/);
      expect(cs.overflow, el.id).not.toBe("hidden");
      expect(cs.textOverflow, el.id).not.toBe("ellipsis");
    }
    for (const b of Array.from(bar.querySelectorAll("button"))) expect(getComputedStyle(b).whiteSpace).toBe("nowrap");
    // The note field may shrink, but not below a usable width; then it goes to the next line.
    expect(getComputedStyle(bar.querySelector("#bulk-note")!).minWidth).toMatch(/^[1-9]/);
  });
});

describe("list", () => {
  it("renders the rows in view, keeps unchanged rows' elements, and marks the selection", () => {
    const { store, deps } = setup(true);
    const bulk = createBulk(deps);
    const search = createSearch(deps);
    const list = createList(deps, bulk.el, search.el);
    mount(store, list);
    const empty = list.el.querySelector<HTMLElement>("#list-empty")!;
    expect(empty.hidden).toBe(false);
    store.set({ listBusy: true });
    expect(empty.hidden).toBe(true);
    expect(list.el.querySelector("#conversation-list")!.getAttribute("aria-busy")).toBe("true");
    const rows = [row(1), row(2, { unread: 3 }), row(3)];
    store.set({ rows, next: null, listBusy: false });
    expect(empty.hidden).toBe(true);
    expect(list.el.querySelector("#list-count")!.textContent).toBe("3");
    const first = list.el.querySelector("#conv-row-1");
    expect(list.el.querySelector("#conv-row-2")!.classList.contains("unread")).toBe(true);
    store.set({ selectedId: 2 });
    expect(list.el.querySelector("#conv-row-1")).toBe(first); // cached: nothing about it changed
    expect(list.el.querySelector("#conv-row-2")!.getAttribute("aria-selected")).toBe("true");
    expect(list.el.querySelector("#conversation-list")!.getAttribute("aria-activedescendant")).toBe("conv-row-2");
    store.set({ checked: new Map([[1, { id: 1, version: 1 }]]) });
    expect(list.el.querySelector("#conv-row-1")).not.toBe(first);
    expect(list.el.querySelector<HTMLInputElement>("#conv-row-1 .row-check")!.checked).toBe(true);
  });

  it("shows a row's priority, a pending wait and a snooze time; nothing for none", () => {
    const { store, deps } = setup(false);
    const list = createList(deps, createBulk(deps).el, createSearch(deps).el);
    mount(store, list);
    const until = Math.floor(Date.now() / 1000) + 7200;
    store.set({ rows: [row(1, { priority: "urgent" }), row(2, { status: "pending" }), row(3, { status: "snoozed", snoozed_until: until })] });
    expect(list.el.querySelector("#conv-row-1 .priority-urgent")!.textContent).toBe("Urgent");
    expect(list.el.querySelector("#conv-row-2 .priority")).toBeNull();
    expect(list.el.querySelector("#conv-row-2 .status-pending")!.textContent).toBe("Pending");
    expect(list.el.querySelector("#conv-row-3 .status-snoozed")!.textContent).toMatch(/^Snoozed until /);
  });

  it("shows each row's SLA clock: time left, a warning, a missed target; nothing without one", () => {
    const { store, deps } = setup(false);
    const list = createList(deps, createBulk(deps).el, createSearch(deps).el);
    mount(store, list);
    const now = Math.floor(Date.now() / 1000);
    store.set({ rows: [
      row(1, { sla: { target: "first_response", started_at: now - 600, warn_at: now + 3000, due_at: now + 4000 } }),
      row(2, { sla: { target: "next_response", started_at: now - 600, warn_at: now - 60, due_at: now + 600 } }),
      row(3, { sla: { target: "resolution", started_at: now - 90000, warn_at: now - 9000, due_at: now - 7300 } }),
      row(4),
    ] });
    const badge = (id: number) => list.el.querySelector(`#conv-row-${id} .sla`);
    expect(badge(1)!.textContent).toBe("SLA 1 h");
    expect(badge(1)!.classList.contains("muted")).toBe(true);
    expect(badge(2)!.classList.contains("warn")).toBe(true);
    expect(badge(3)!.textContent).toBe("Late 2 h");
    expect(badge(3)!.classList.contains("bad")).toBe(true);
    expect(badge(4)).toBeNull();
  });

  it("asks for the next page once when the rows in view come near the end, and appends it", async () => {
    const { store, deps } = setup(false);
    const list = createList(deps, createBulk(deps).el, createSearch(deps).el);
    nextPage = () => ({ rows: Array.from({ length: 30 }, (_, i) => row(100 + i)), next: null });
    mount(store, list);
    store.set({ rows: Array.from({ length: 30 }, (_, i) => row(i + 1)), next: { last_activity_at: 1, id: 1 } as unknown as InboxState["next"] });
    store.set({ selectedId: 1 }); // renders again while the page is on its way: no second request
    await tick();
    expect(calls.filter((c) => c === "listConversations")).toHaveLength(1);
    expect(store.get().rows).toHaveLength(60);
    expect(store.get().next).toBeNull();
    expect(list.el.querySelector("#list-count")!.textContent).toBe("60");
  });

  it("gives its place to the search results, with their count in the heading", () => {
    const { store, deps } = setup(false);
    const search = createSearch(deps);
    const list = createList(deps, createBulk(deps).el, search.el);
    mount(store, list, search);
    store.set({ rows: [row(1)] });
    expect(list.el.querySelector("#list-heading")!.textContent).toBe("Mine");
    store.set({ search: { text: "refund", hits: null, busy: true } });
    expect(list.el.querySelector<HTMLElement>("#conversation-list")!.hidden).toBe(true);
    expect(list.el.querySelector("#list-heading")!.textContent).toBe("Search");
    expect(search.el.textContent).toBe("Searching…");
    expect(search.el.getAttribute("aria-busy")).toBe("true");
    const hit = { conversation_id: 7, message_id: 70, contact_name: "Kim", channel: "whatsapp", at: 1_700_000_000,
      snippet: "a [refund] please" } as unknown as SearchHit;
    store.set({ search: { text: "refund", hits: [hit], busy: false } });
    expect(list.el.querySelector("#list-count")!.textContent).toBe("1 found");
    expect(search.el.querySelector('.hit[data-conversation-id="7"][data-message-id="70"]')).not.toBeNull();
    store.set({ search: { text: "zzz", hits: [], busy: false } });
    expect(search.el.textContent).toBe("Nothing found for “zzz”.");
    store.set({ search: null });
    expect(search.el.hidden).toBe(true);
    expect(list.el.querySelector<HTMLElement>("#conversation-list")!.hidden).toBe(false);
    expect(list.el.querySelector("#list-count")!.textContent).toBe("1");
  });
});

describe("composer", () => {
  it("follows the mode, the sending flag and the canned replies from the state", () => {
    const { store, deps } = setup(false);
    const composer = createComposer(deps, createTemplates(deps));
    mount(store, composer);
    expect(composer.el.hidden).toBe(true);
    store.set({ openId: 5, view: view(row(5)) });
    const send = composer.el.querySelector<HTMLButtonElement>("#composer-send")!;
    expect(composer.el.hidden).toBe(false);
    expect(send.textContent).toBe("Send reply");
    expect(composer.el.querySelector<HTMLSelectElement>("#canned-select")!.hidden).toBe(true);
    composer.setMode("note");
    expect(send.textContent).toBe("Add note");
    expect(composer.el.querySelector("#composer-mode-note")!.getAttribute("aria-pressed")).toBe("true");
    expect(composer.el.classList.contains("note-mode")).toBe(true);
    store.set({ sending: true });
    expect(send.disabled).toBe(true);
    store.set({ sending: false, canned: [{ id: 1, title: "Thanks" }] as InboxState["canned"] });
    expect(send.disabled).toBe(false);
    const canned = composer.el.querySelector<HTMLSelectElement>("#canned-select")!;
    expect(canned.hidden).toBe(false);
    expect(Array.from(canned.options).map((o) => o.textContent)).toEqual(["Canned reply…", "Thanks"]);
  });

  it("outside WhatsApp's window asks for the templates once and shows the picker instead of the text", () => {
    const { store, deps, actions } = setup(false);
    const templates = createTemplates(deps);
    const composer = createComposer(deps, templates);
    mount(store, templates, composer);
    const closed = row(9, { channel: "whatsapp", reply_window_ends_at: 1 });
    store.set({ openId: 9, view: view(closed) });
    expect(actions.loadTemplates).toHaveBeenCalledTimes(1);
    expect(actions.loadTemplates).toHaveBeenCalledWith(9);
    expect(composer.el.querySelector<HTMLElement>("#composer-text")!.hidden).toBe(true);
    expect(templates.el.hidden).toBe(false);
    expect(composer.el.querySelector("#composer-send")!.textContent).toBe("Send template");
    store.set({ templates: { for: 9, list: null, loading: true, error: null, chosen: null, params: [] } });
    expect(templates.el.textContent).toBe("Loading templates…");
    store.set({ templates: { for: 9, list: [], loading: false, error: null, chosen: null, params: [] } });
    expect(templates.el.querySelector("#templates-empty")).not.toBeNull();
    expect(actions.loadTemplates).toHaveBeenCalledTimes(1);
  });

  it("keeps a draft per conversation and mode, and restores the one the store returned after a restart", async () => {
    const { store, deps } = setup(false);
    const composer = createComposer(deps, createTemplates(deps));
    mount(store, composer);
    store.set({ openId: 1, view: view(row(1)) });
    const text = composer.el.querySelector<HTMLTextAreaElement>("#composer-text")!;
    text.value = "half a reply";
    text.dispatchEvent(new Event("input"));
    composer.setMode("note");
    expect(text.value).toBe("");
    text.value = "a note";
    text.dispatchEvent(new Event("input"));
    composer.setMode("reply");
    expect(text.value).toBe("half a reply");
    composer.saveDraft(1, 2);
    expect(composer.restoreDraft(2, [])).toBeNull();
    expect(text.value).toBe("");
    // What this window holds wins over an older copy from the store.
    const older = [{ mode: "reply" as const, body: "older words", updated_at: 1 }];
    expect(composer.restoreDraft(1, older)).toBe("reply");
    expect(text.value).toBe("half a reply");
    await tick();
    expect(saved).toEqual([[1, "reply", "half a reply"], [1, "note", "a note"]]);
    // A fresh shell (after a restart): the store's drafts, in the mode written last.
    const fresh = setup(false);
    const again = createComposer(fresh.deps, createTemplates(fresh.deps));
    mount(fresh.store, again);
    const stored = [
      { mode: "note" as const, body: "call back at 3", updated_at: 20 },
      { mode: "reply" as const, body: "Hello Kim,", updated_at: 10 },
    ];
    expect(again.restoreDraft(5, stored)).toBe("note");
    const text2 = again.el.querySelector<HTMLTextAreaElement>("#composer-text")!;
    expect(text2.value).toBe("call back at 3");
    fresh.store.set({ openId: 5, view: view(row(5)), mode: "note" });
    again.setMode("reply");
    expect(text2.value).toBe("Hello Kim,");
  });
});

describe("forward", () => {
  it("forwards the whole conversation or one message; mistakes and refusals show at the address", async () => {
    const { store, deps, actions } = setup(false);
    const dialogs = createDialogs(deps);
    const message = { id: 31, direction: "in", author: null, body: "The invoice is attached, please refund it soon", status: "", failure: null,
      at: 1_700_000_000, attachments: [], masked: false, has_html: false, written_at: null, quote: null, reactions: [], mail: null };
    store.set({ openId: 14, view: view(row(14), { messages: [message] as unknown as ConversationView["messages"] }) });
    dialogs.openForward();
    expect(dialogs.isOpen()).toBe(true);
    const options = [...document.querySelectorAll<HTMLOptionElement>("#forward-what option")].map((o) => o.textContent);
    expect(options).toEqual(["The whole conversation", "2023-11-14 22:13 · Customer: The invoice is attached, please refund i…"]);
    const to = document.querySelector<HTMLInputElement>("#forward-to")!;
    const form = document.querySelector<HTMLFormElement>("#forward-dialog form")!;
    to.value = "billing at partner";
    form.requestSubmit();
    await tick();
    expect(to.getAttribute("aria-invalid")).toBe("true");
    expect(calls).toEqual([]);
    to.value = "taken@partner.test";
    form.requestSubmit();
    await tick();
    expect(to.getAttribute("aria-invalid")).toBe("true");
    to.value = "billing@partner.test";
    document.querySelector<HTMLSelectElement>("#forward-what")!.value = "31";
    document.querySelector<HTMLTextAreaElement>("#forward-note")!.value = "Please refund.";
    form.requestSubmit();
    await tick();
    expect(calls).toEqual(["forwardMail 14 billing@partner.test 31 Please refund."]);
    expect(toasts.at(-1)).toBe("Forwarded to billing@partner.test.");
    expect(actions.reloadConversation).toHaveBeenCalled();
    expect(dialogs.isOpen()).toBe(false);
  });

  it("is offered on e-mail conversations only", () => {
    const { store, deps } = setup(false);
    const head = createHead(deps, { openTransfer: async () => {}, openReturn: () => {}, openForward: () => {} });
    mount(store, head);
    store.set({ view: view(row(15)) });
    expect(head.el.querySelector<HTMLButtonElement>("#forward-button")!.hidden).toBe(false);
    store.set({ view: view(row(16, { channel: "whatsapp" })) });
    expect(head.el.querySelector<HTMLButtonElement>("#forward-button")!.hidden).toBe(true);
  });
});

describe("return to queue", () => {
  it("returns my conversation, and Undo takes it back at the version it has now", async () => {
    const { store, deps, actions } = setup(false);
    const dialogs = createDialogs(deps);
    store.set({ openId: 11, view: view(row(11, { version: 4, assignee_id: 1, assignee_name: "Ada" })) });
    dialogs.openReturn();
    document.querySelector<HTMLFormElement>("#return-dialog form")!.requestSubmit();
    await tick();
    expect(calls).toEqual(["returnToQueue 11@4"]);
    expect(toasts.at(-1)).toBe("Contact 11 is back in the queue.");
    expect(lastAction?.label).toBe("Undo");
    lastAction!.run();
    await tick();
    expect(calls.slice(1)).toEqual(["openConversation 11", "take 11@9"]);
    expect(actions.openConversation).toHaveBeenCalledWith(11);
    expect(toasts.at(-1)).toBe("Undone.");
  });

  it("a lead's Undo gives a colleague's conversation back to that colleague", async () => {
    const { store, deps } = setup(true);
    const dialogs = createDialogs(deps);
    store.set({ openId: 12, view: view(row(12, { version: 2, assignee_id: 5, assignee_name: "Bo" })) });
    dialogs.openReturn();
    document.querySelector<HTMLFormElement>("#return-dialog form")!.requestSubmit();
    await tick();
    lastAction!.run();
    await tick();
    expect(calls).toEqual(["returnToQueue 12@2", "openConversation 12", "reassign 12@9 to 5"]);
  });
});

describe("conversation head", () => {
  const dialogs = { openTransfer: async () => {}, openReturn: () => {}, openForward: () => {} };

  it("assigns to me with the version shown, and Undo returns it to the queue", async () => {
    const { store, deps } = setup(false);
    const head = createHead(deps, dialogs);
    mount(store, head);
    store.set({ view: view(row(7, { version: 3 })) });
    const take = head.el.querySelector<HTMLButtonElement>("#take-button")!;
    expect(take.hidden).toBe(false);
    await head.take(take);
    expect(calls).toEqual(["take 7@3"]);
    expect(toasts.at(-1)).toBe("Assigned to you: Contact 7.");
    // The conversation as the window now knows it (reloaded after the take).
    store.set({ view: view(row(7, { version: 4, assignee_id: 1, assignee_name: "Ada" })) });
    expect(head.el.querySelector<HTMLButtonElement>("#take-button")!.hidden).toBe(true);
    expect(deps.ctx.toastAction()).toBe(true);
    await tick();
    expect(calls).toEqual(["take 7@3", "returnToQueue 7@4"]);
    expect(toasts.at(-1)).toBe("Undone.");
  });

  it("resolving an unassigned conversation takes a second press; Undo reopens it", async () => {
    const { store, deps } = setup(false);
    const head = createHead(deps, dialogs);
    mount(store, head);
    store.set({ view: view(row(8, { version: 2 })) });
    await head.toggleResolved(null);
    expect(calls).toEqual([]);
    expect(toasts.at(-1)).toMatch(/Nobody is assigned/);
    await head.toggleResolved(null);
    expect(calls).toEqual(["setStatus 8@2 resolved null"]);
    store.set({ view: view(row(8, { version: 3, status: "resolved" })) });
    expect(deps.ctx.toastAction()).toBe(true);
    await tick();
    expect(calls.at(-1)).toBe("setStatus 8@3 open null");
  });

  it("sets the priority from its menu with the version shown; Undo puts the old one back", async () => {
    const { store, deps } = setup(false);
    const head = createHead(deps, dialogs);
    mount(store, head);
    store.set({ view: view(row(9, { version: 5, priority: "low" })) });
    const select = head.el.querySelector<HTMLSelectElement>("#priority-select")!;
    expect(select.value).toBe("low");
    head.openPriority();
    expect(document.activeElement).toBe(select);
    select.value = "urgent";
    select.dispatchEvent(new Event("change"));
    await tick();
    expect(calls).toEqual(["setPriority 9@5 urgent"]);
    expect(toasts.at(-1)).toBe("Priority urgent: Contact 9.");
    store.set({ view: view(row(9, { version: 6, priority: "urgent" })) });
    expect(head.el.querySelector("#conv-contact")!.parentElement!.textContent).toContain("Urgent");
    expect(deps.ctx.toastAction()).toBe(true);
    await tick();
    expect(calls.at(-1)).toBe("setPriority 9@6 low");
  });

  it("marks a conversation pending (waiting on the customer) and open again", async () => {
    const { store, deps } = setup(false);
    const head = createHead(deps, dialogs);
    mount(store, head);
    store.set({ view: view(row(10, { version: 1, assignee_id: 1, assignee_name: "Ada" })) });
    await head.togglePending(null);
    expect(calls).toEqual(["setStatus 10@1 pending null"]);
    store.set({ view: view(row(10, { version: 2, status: "pending", assignee_id: 1, assignee_name: "Ada" })) });
    expect(head.el.querySelector("#pending-button")!.getAttribute("aria-pressed")).toBe("true");
    await head.togglePending(null);
    expect(calls.at(-1)).toBe("setStatus 10@2 open null");
    // Resolved: nothing to wait for.
    store.set({ view: view(row(10, { version: 3, status: "resolved" })) });
    await head.togglePending(null);
    expect(calls.length).toBe(2);
  });

  it("an assigned conversation resolves at once", async () => {
    const { store, deps } = setup(false);
    const head = createHead(deps, dialogs);
    mount(store, head);
    store.set({ view: view(row(9, { version: 5, assignee_id: 1, assignee_name: "Ada" })) });
    await head.toggleResolved(null);
    expect(calls).toEqual(["setStatus 9@5 resolved null"]);
  });

  it("snoozes from a preset, shows the time, and Undo opens it again", async () => {
    const { store, deps } = setup(false);
    const head = createHead(deps, dialogs);
    mount(store, head);
    store.set({ view: view(row(10, { version: 1, assignee_id: 1, assignee_name: "Ada" })) });
    head.openSnooze();
    const menu = head.el.querySelector<HTMLElement>("#snooze-menu")!;
    expect(menu.hidden).toBe(false);
    head.el.querySelector<HTMLButtonElement>("#snooze-tomorrow")!.click();
    await tick();
    expect(menu.hidden).toBe(true);
    expect(calls[0]).toMatch(/^setStatus 10@1 snoozed \d+$/);
    const until = Number(calls[0].split(" ").at(-1));
    expect(until).toBeGreaterThan(Date.now() / 1000);
    store.set({ view: view(row(10, { version: 2, status: "snoozed", snoozed_until: until, assignee_id: 1 })) });
    expect(head.el.querySelector("#conv-status")!.textContent).toMatch(/^Snoozed until /);
    expect(deps.ctx.toastAction()).toBe(true);
    await tick();
    expect(calls.at(-1)).toBe("setStatus 10@2 open null");
  });

  it("a date in the past is refused next to the field, and nothing is sent", async () => {
    const { store, deps } = setup(false);
    const head = createHead(deps, dialogs);
    mount(store, head);
    store.set({ view: view(row(11, { assignee_id: 1 })) });
    head.openSnooze();
    head.el.querySelector<HTMLInputElement>("#snooze-date")!.value = "2001-01-01T09:00";
    head.el.querySelector<HTMLButtonElement>("#snooze-custom")!.click();
    await tick();
    expect(head.el.querySelector("#snooze-error")!.textContent).toBe("Choose a time in the future.");
    expect(calls).toEqual([]);
  });
});
