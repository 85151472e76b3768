//! The customer panel on its own, against a faked api module: what it shows, opening another of the
//! customer's conversations, renaming (and a refusal under the field), late answers, live reloads
//! at most once a second, and load errors inside the panel.
// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ContactPanel } from "../bindings/ContactPanel";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { ConversationView } from "../bindings/ConversationView";
import type { MergeCandidate } from "../bindings/MergeCandidate";
import { clearErrors, showError } from "../field-errors";
import type { PageContext } from "../screens/shell";
import { createStore } from "../store";
import { createCustomer } from "./customer";
import { initialState, type Actions, type Deps, type InboxState } from "./state";

const calls: string[] = [];
/** Calls of the "Same person?" part, apart from the panel's own. */
const mergeCalls: string[] = [];
/** The next answers to contact_panel, by contact; a function may hold its answer back. */
let panelFor: (contact: number) => Promise<ContactPanel> = async (c) => panel(c);
let renameResult: () => Promise<null> = async () => null;
let suggestions: (contact: number) => MergeCandidate[] = () => [];
vi.mock("../api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../api")>()),
  contactPanel: async (contact: number) => { calls.push(`contactPanel ${contact}`); return panelFor(contact); },
  renameContact: async (contact: number, name: string) => { calls.push(`renameContact ${contact} ${name}`); return renameResult(); },
  mergeSuggestions: async (contact: number) => { mergeCalls.push(`mergeSuggestions ${contact}`); return suggestions(contact); },
  mergeContacts: async (keep: number, merge: number) => {
    mergeCalls.push(`mergeContacts ${keep} ${merge}`);
    return { id: 77, kept: keep, merged: merge, identities: 1, conversations: 1 };
  },
  undoContactMerge: async (merge: number) => { mergeCalls.push(`undoContactMerge ${merge}`); return null; },
}));
const tick = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };

const nowS = () => Math.floor(Date.now() / 1000);
const row = (id: number, contact: number, extra: Partial<ConversationSummary> = {}): ConversationSummary => ({
  id, version: 1, contact_id: contact, contact_name: `Contact ${contact}`, channel: "email", subject: "", preview: `Preview ${id}`,
  status: "open", snoozed_until: null, assignee_id: null, assignee_name: null, team_id: null, team_name: null, unread: 0,
  last_activity_at: nowS() - 3 * 3600, waiting_since: nowS(), reply_window_ends_at: null, do_not_contact: false, priority: "none", ...extra,
});
const view = (s: ConversationSummary): ConversationView => ({
  summary: s, messages: [], has_older: false, notes: [], handoff: null, labels: [], can_act: true, window: null, sample: false, drafts: [],
});
function panel(contact: number, extra: Partial<ContactPanel> = {}): ContactPanel {
  return {
    id: contact, name: `Contact ${contact}`,
    identities: [
      { channel: "email", address: `c${contact}@example.com` },
      { channel: "whatsapp", address: "+49 170 1234567" },
      { channel: "email", address: `other${contact}@example.org` },
    ],
    do_not_contact: false,
    conversations: [row(7, contact, { subject: "Refund for order 42", status: "pending" }), row(5, contact, { channel: "whatsapp", status: "resolved" })],
    not_shown: 0, can_edit: true, consent: [], ...extra,
  };
}

type Timer = { fn: () => void; ms: number; done: boolean };
let timers: Timer[] = [];

function setup(memory = new Map<string, unknown>()) {
  const store = createStore<InboxState>(initialState({ view: "mine", status: "", channel: "", team: "", label: "", priority: "", sort: "activity" }));
  const error = document.createElement("p");
  const ctx = {
    // As the app does it: clear the form's errors, run, route a failure to its field or line.
    app: {
      run: async (form: HTMLElement, _b: unknown, e: HTMLElement, task: () => Promise<void>) => {
        clearErrors(form);
        try { await task(); return true; } catch (err) { showError(form, err, e); return false; }
      },
      fail: (err: unknown, e: HTMLElement) => { e.textContent = (err as { message: string }).message; },
    },
    page: document.createElement("section"), error, host: document.body,
    user: { user_id: 1, username: "ada", display_name: "Ada", role: "agent", teams: [] },
    current: () => true, onLeave: () => {}, setLive: () => {}, openConversation: null, memory,
    toast: () => {}, toastAction: () => false,
  } as unknown as PageContext;
  const actions = {
    openConversation: vi.fn(async () => {}), reloadConversation: vi.fn(async () => {}), refreshList: vi.fn(async () => {}),
  } as unknown as Actions;
  const deps: Deps = {
    ctx, store, lead: false, actions, pane: () => ctx.page,
    later: (fn, ms) => { timers.push({ fn, ms, done: false }); return timers.length; },
    cancel: (t) => { const x = timers[t - 1]; if (x) x.done = true; },
  };
  const customer = createCustomer(deps);
  document.body.append(customer.el, error);
  store.render((s) => customer.update(s));
  return { store, customer, actions, ctx };
}
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const key = (k: string, target: EventTarget) => target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));

beforeEach(() => {
  document.body.replaceChildren();
  calls.length = 0;
  mergeCalls.length = 0;
  suggestions = () => [];
  timers = [];
  panelFor = async (c) => panel(c);
  renameResult = async () => null;
});
afterEach(() => vi.restoreAllMocks());

describe("customer panel", () => {
  it("loads for the open conversation's contact: addresses by channel, do-not-contact, the conversations, the rest counted", async () => {
    panelFor = async (c) => panel(c, { do_not_contact: true, not_shown: 3 });
    const { store } = setup();
    expect($("#customer").hidden).toBe(true);
    store.set({ openId: 7, view: view(row(7, 40)) });
    await tick();
    expect(calls).toEqual(["contactPanel 40"]);
    expect($("#customer").hidden).toBe(false);
    expect($("#customer-name").textContent).toBe("Contact 40");
    expect(Array.from(document.querySelectorAll("#customer-identities dt")).map((d) => d.textContent)).toEqual(["WhatsApp", "Email"]);
    expect(Array.from(document.querySelectorAll('#customer-identities dd[data-channel="email"]')).map((d) => d.textContent))
      .toEqual(["c40@example.com", "other40@example.org"]);
    expect($("#customer-dnc").textContent).toBe("Asked not to be contacted");
    const items = Array.from(document.querySelectorAll<HTMLElement>("#customer-conversations [data-conversation-id]"));
    expect(items.map((b) => b.dataset.conversationId)).toEqual(["7", "5"]);
    expect(items[0].getAttribute("aria-current")).toBe("true");
    expect(items[0].textContent).toContain("Refund for order 42");
    expect(items[0].textContent).toContain("Pending");
    expect(items[0].textContent).toContain("3 h");
    expect(items[1].getAttribute("aria-current")).toBeNull();
    expect(items[1].textContent).toContain("WhatsApp");
    expect(items[1].textContent).toContain("Preview 5");
    expect($("#customer-not-shown").textContent).toBe("3 more conversations you cannot see");
    // One more: singular; none: no line; no opt-out: no badge.
    panelFor = async (c) => panel(c, { not_shown: 1 });
    store.set({ openId: 8, view: view(row(8, 41)) });
    await tick();
    expect($("#customer-not-shown").textContent).toBe("1 more conversation you cannot see");
    expect($("#customer-dnc")).toBeNull();
  });

  it("opens another of the customer's conversations in place; the open one is marked as the list moves", async () => {
    const { store, actions } = setup();
    store.set({ openId: 7, view: view(row(7, 40)) });
    await tick();
    $('#customer-conversations [data-conversation-id="5"]').click();
    expect(actions.openConversation).toHaveBeenCalledWith(5);
    $('#customer-conversations [data-conversation-id="7"]').click();
    expect(actions.openConversation).toHaveBeenCalledTimes(1);
    // Conversation 5 opens (same contact): the mark moves without waiting for the panel.
    store.set({ openId: 5, view: view(row(5, 40)) });
    expect($('#customer-conversations [data-conversation-id="5"]').getAttribute("aria-current")).toBe("true");
    expect($('#customer-conversations [data-conversation-id="7"]').getAttribute("aria-current")).toBeNull();
  });

  it("renames in place: Enter saves through rename_contact and reloads; a refusal shows under the field; Esc cancels", async () => {
    const { store, actions } = setup();
    store.set({ openId: 7, view: view(row(7, 40)) });
    await tick();
    $<HTMLButtonElement>("#customer-rename").click();
    const input = $<HTMLInputElement>("#customer-name-input");
    expect($("#customer-rename-form").hidden).toBe(false);
    expect(input.value).toBe("Contact 40");
    expect(document.activeElement).toBe(input);
    // Refused by the core: the reason right under the field, the field marked.
    renameResult = async () => { throw { code: "invalid_input", message: "name: use 1 to 200 characters" }; };
    input.value = "   ";
    key("Enter", input);
    await tick();
    expect(calls.at(-1)).toBe("renameContact 40 ");
    const line = document.getElementById(input.getAttribute("aria-describedby")!.split(" ").at(-1)!)!;
    expect(line.textContent).toBe("Use 1 to 200 characters.");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect($("#customer-rename-form").hidden).toBe(false);
    // Saved: the panel is read again and shows the new name; the head and the list follow.
    renameResult = async () => null;
    panelFor = async (c) => panel(c, { name: "Kim Lee" });
    input.value = " Kim Lee ";
    key("Enter", input);
    await tick();
    expect(calls.slice(-2)).toEqual(["renameContact 40 Kim Lee", "contactPanel 40"]);
    expect($("#customer-name").textContent).toBe("Kim Lee");
    expect($("#customer-rename-form").hidden).toBe(true);
    expect(input.getAttribute("aria-invalid")).toBeNull();
    expect(document.activeElement).toBe($("#customer-rename"));
    expect(actions.reloadConversation).toHaveBeenCalled();
    expect(actions.refreshList).toHaveBeenCalled();
    // Esc: nothing sent, the name as it was, focus back on Rename.
    $<HTMLButtonElement>("#customer-rename").click();
    input.value = "Something else";
    const before = calls.length;
    key("Escape", input);
    expect($("#customer-rename-form").hidden).toBe(true);
    expect(calls.length).toBe(before);
    expect(document.activeElement).toBe($("#customer-rename"));
  });

  it("offers no rename to someone who may not edit", async () => {
    panelFor = async (c) => panel(c, { can_edit: false });
    const { store } = setup();
    store.set({ openId: 7, view: view(row(7, 40)) });
    await tick();
    expect($("#customer-name").textContent).toBe("Contact 40");
    expect($("#customer-rename").hidden).toBe(true);
  });

  it("drops a late answer for a contact no longer shown", async () => {
    const held = new Map<number, (p: ContactPanel) => void>();
    panelFor = (c) => new Promise((resolve) => held.set(c, resolve));
    const { store } = setup();
    store.set({ openId: 7, view: view(row(7, 40)) });
    store.set({ openId: 9, view: view(row(9, 41)) });
    expect(calls).toEqual(["contactPanel 40", "contactPanel 41"]);
    held.get(41)!(panel(41));
    await tick();
    held.get(40)!(panel(40));
    await tick();
    expect($("#customer-name").textContent).toBe("Contact 41");
    expect(store.get().customer.contact).toBe(41);
    expect(store.get().customer.panel!.id).toBe(41);
  });

  it("reloads when the open conversation is re-read, at most once a second", async () => {
    let at = 1_000_000;
    vi.spyOn(Date, "now").mockImplementation(() => at);
    const { store } = setup();
    store.set({ openId: 7, view: view(row(7, 40)) });
    await tick();
    expect(calls).toEqual(["contactPanel 40"]);
    // A live update 300 ms later: waits out the second, once however many arrive.
    at += 300;
    store.set({ view: view(row(7, 40, { unread: 1 })) });
    store.set({ view: view(row(7, 40, { unread: 2 })) });
    expect(calls).toEqual(["contactPanel 40"]);
    const waiting = timers.filter((t) => !t.done);
    expect(waiting.map((t) => t.ms)).toEqual([700]);
    at += 700;
    waiting[0].fn();
    await tick();
    expect(calls).toEqual(["contactPanel 40", "contactPanel 40"]);
    // Over a second since: at once. A render with the same view: nothing.
    at += 1500;
    store.set({ view: view(row(7, 40, { unread: 3 })) });
    store.set({ tick: 1 });
    expect(calls).toHaveLength(3);
  });

  it("says in the panel when it could not be loaded, and tries again", async () => {
    panelFor = async () => { throw { code: "storage", message: "Disk full" }; };
    const { store, ctx } = setup();
    store.set({ openId: 7, view: view(row(7, 40)) });
    await tick();
    expect($("#customer-status").textContent).toContain("The customer's details could not be loaded. Disk full.");
    expect(ctx.error.textContent).toBe("");
    panelFor = async (c) => panel(c);
    $<HTMLButtonElement>("#customer-retry").click();
    await tick();
    expect($("#customer-status").textContent).toBe("");
    expect($("#customer-name").textContent).toBe("Contact 40");
  });

  it("folds with its button (kept in memory) and loads what it missed when shown again", async () => {
    const memory = new Map<string, unknown>();
    const { store, customer } = setup(memory);
    store.set({ openId: 7, view: view(row(7, 40)) });
    await tick();
    const toggle = $<HTMLButtonElement>("#customer-toggle");
    expect(toggle.getAttribute("aria-label")).toBe("Customer");
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    $<HTMLButtonElement>('#customer-conversations [data-conversation-id="5"]').focus();
    toggle.click();
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect($("#customer-body").hidden).toBe(true);
    expect(document.activeElement).toBe(toggle);
    expect(memory.get("inbox.customerShown")).toBe(false);
    // Hidden: another contact opens, nothing is asked for until it shows.
    store.set({ openId: 9, view: view(row(9, 41)) });
    await tick();
    expect(calls).toEqual(["contactPanel 40"]);
    customer.toggle();
    await tick();
    expect(memory.get("inbox.customerShown")).toBe(true);
    expect(calls).toEqual(["contactPanel 40", "contactPanel 41"]);
    expect($("#customer-name").textContent).toBe("Contact 41");
  });

  it("suggests the same person, merges after a confirmation that says what moves, and undoes from the notice", async () => {
    suggestions = (c) => c === 40
      ? [{ id: 41, name: "Contact 40", identities: [{ channel: "email", address: "ana@example.com" }], conversations: 2, reason: "Same name" }]
      : [];
    const { store, actions, ctx } = setup();
    const toasts: { message: string; action?: { label: string; run: () => void } }[] = [];
    (ctx as unknown as { toast: (m: string, a?: { label: string; run: () => void }) => void }).toast = (message, action) => { toasts.push({ message, action }); };
    store.set({ openId: 7, view: view(row(7, 40)) });
    await tick();
    expect(mergeCalls).toEqual(["mergeSuggestions 40"]);
    expect($("#customer-merge").hidden).toBe(false);
    const item = $('#merge-candidates [data-contact-id="41"]');
    expect(item.textContent).toContain("Email ana@example.com · 2 conversations");
    $("#merge-candidate-41").click();
    await tick();
    // Always confirmed: nothing is merged until the dialog says what moves and Merge is pressed.
    expect(mergeCalls).toEqual(["mergeSuggestions 40"]);
    expect($("#merge-dialog").textContent).toContain("into Contact 40");
    expect(document.activeElement).toBe($("#merge-confirm"));
    $("#merge-confirm").click();
    await tick();
    expect(mergeCalls.slice(1, 2)).toEqual(["mergeContacts 40 41"]);
    expect($("#merge-dialog")).toBeNull();
    expect(calls.filter((c) => c === "contactPanel 40").length).toBe(2); // re-read after the merge
    expect(actions.refreshList).toHaveBeenCalled();
    expect(toasts[0].message).toBe("Merged Contact 40 into Contact 40.");
    expect(toasts[0].action?.label).toBe("Undo");
    toasts[0].action!.run();
    await tick();
    expect(mergeCalls).toContain("undoContactMerge 77");
    expect(toasts.map((t) => t.message)).toContain("Merge undone.");
  });

  it("suggests nothing to someone who may not edit the customer", async () => {
    suggestions = () => [{ id: 41, name: "X", identities: [], conversations: 1, reason: "Same name" }];
    panelFor = async (c) => panel(c, { can_edit: false });
    const { store } = setup();
    store.set({ openId: 7, view: view(row(7, 40)) });
    await tick();
    expect(mergeCalls).toEqual([]);
    expect($("#customer-merge").hidden).toBe(true);
  });
});
