//! The whole inbox screen against a faked api module: search, bulk reassign, older pages, drafts,
//! labels, live bursts and the keys. (app.test.ts drives it through the shell; these flows are the
//! ones it does not reach.)
// @vitest-environment happy-dom
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageContext } from "../screens/shell";

const calls: { fn: string; args: unknown[] }[] = [];
const fakes: Record<string, (...args: unknown[]) => unknown> = {};
const fake = (fn: string) => async (...args: unknown[]) => {
  calls.push({ fn, args });
  const f = fakes[fn];
  if (!f) throw { code: "storage", message: `no fake for ${fn}` };
  return f(...args);
};
vi.mock("../api", async (importOriginal) => {
  const actual = await importOriginal<Record<string, unknown>>();
  return Object.fromEntries(Object.entries(actual).map(([name, v]) => [name, typeof v === "function" ? fake(name) : v]));
});

const { renderInbox } = await import("./index");

const nowS = () => Math.floor(Date.now() / 1000);
const summary = (id: number, extra: Record<string, unknown> = {}) => ({
  id, version: 4, contact_id: 100 + id, contact_name: `Customer ${id}`, channel: "email", subject: "Order", preview: `Preview ${id}`,
  status: "open", snoozed_until: null, assignee_id: 3, assignee_name: "Sam Lead", team_id: 5, team_name: "Billing", unread: 1,
  last_activity_at: nowS() - 120, waiting_since: nowS() - 600, reply_window_ends_at: null, do_not_contact: false, priority: "none", ...extra,
});
const message = (id: number, body: string) => ({ id, direction: "in", author: null, body, status: "received", at: nowS() - 1000 + id,
  attachments: [], quote: null, reactions: [], has_html: false, masked: false, failure: null, written_at: null });
const conversation = (id: number, extra: Record<string, unknown> = {}) => ({
  summary: summary(id, { unread: 0 }), messages: [message(900, "Where is my order?")], has_older: false, notes: [], handoff: null,
  labels: ["vip"], can_act: true, window: null, sample: false, drafts: [], ...extra,
});
const tick = async () => { for (let i = 0; i < 6; i++) await new Promise((r) => setTimeout(r, 0)); };
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const key = (k: string, target: EventTarget = document.body) =>
  target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
const of = (fn: string) => calls.filter((c) => c.fn === fn);

let leave: (() => void)[] = [];
let live: { coreEvent?: (e: unknown) => void } = {};
let toasts: string[] = [];

/** The shell's navigation rail as the inbox sees it: its fold kept in the shell's memory. */
const navRail = (memory: Map<string, unknown>) => ({
  collapsed: () => memory.get("shell.navCollapsed") === true,
  setCollapsed: (c: boolean) => { memory.set("shell.navCollapsed", c); },
});

/** The app's real style sheet in the document, so computed styles come from its rules. */
function withStyleSheet(): void {
  const style = document.createElement("style");
  style.textContent = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "style.css"), "utf8");
  document.head.replaceChildren(style);
}

async function show(role = "lead", memory = new Map<string, unknown>()): Promise<PageContext> {
  const page = document.createElement("section");
  const error = document.createElement("p");
  document.body.append(page, error);
  const ctx = {
    app: {
      run: async (_f: HTMLElement, b: HTMLButtonElement | null, e: HTMLElement, task: () => Promise<void>) => {
        if (b) b.disabled = true;
        try { await task(); return true; } catch (err) { e.textContent = (err as { message: string }).message; return false; } finally { if (b) b.disabled = false; }
      },
      fail: (err: unknown, e: HTMLElement) => { e.textContent = (err as { message: string }).message; },
    },
    page, error, host: document.body, user: { user_id: 3, username: "sam", display_name: "Sam Lead", role, teams: [5] },
    current: () => true, onLeave: (fn: () => void) => leave.push(fn), setLive: (l: typeof live) => { live = l; },
    toast: (m: string) => toasts.push(m), toastAction: () => false, openConversation: null, memory, navRail: navRail(memory),
  } as unknown as PageContext;
  await renderInbox(ctx);
  await tick();
  return ctx;
}

beforeEach(() => {
  document.body.replaceChildren();
  document.head.replaceChildren();
  calls.length = 0;
  toasts = [];
  for (const k of Object.keys(fakes)) delete fakes[k];
  fakes.listConversations = () => ({ rows: [summary(11), summary(12), summary(13)], next: null });
  fakes.openConversation = (id) => conversation(id as number);
  fakes.listColleagues = () => [{ id: 3, username: "sam", display_name: "Sam Lead", role: "lead", available: true, teams: [5] },
    { id: 4, username: "kim", display_name: "Kim", role: "agent", available: true, teams: [5] }];
  fakes.listTeams = () => [{ id: 5, name: "Billing", members: 2 }];
  fakes.listCannedReplies = () => [];
  fakes.setPresence = () => [];
  fakes.contactPanel = (contact) => ({ id: contact, name: `Customer ${(contact as number) - 100}`, identities: [{ channel: "email", address: "c@example.com" }],
    do_not_contact: false, conversations: [summary((contact as number) - 100)], not_shown: 0, can_edit: true, consent: [] });
});
afterEach(() => { for (const fn of leave) fn(); leave = []; live = {}; });

describe("inbox screen", () => {
  it("marks a conversation whose team is out of hours, and only that one", async () => {
    fakes.openConversation = (id) => conversation(id as number, id === 12 ? { out_of_hours: true } : {});
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    expect(document.querySelector("#conv-out-of-hours")).toBeNull();
    $('#conversation-list [data-conversation-id="12"]').click();
    await tick();
    expect($("#conv-out-of-hours").textContent).toBe("Out of hours");
  });

  it("searches, shows the hits in place of the list, and Esc brings the list back", async () => {
    fakes.search = () => [{ conversation_id: 12, message_id: 5, contact_name: "Customer 12", channel: "email", at: nowS() - 60,
      snippet: "my \u0002order\u0003 is late" }];
    await show();
    const input = $<HTMLInputElement>("#search-input");
    input.value = "order";
    key("Enter", input);
    await tick();
    expect(of("search")[0].args).toEqual(["order"]);
    expect($("#list-heading").textContent).toBe("Search");
    expect($("#list-count").textContent).toBe("1 found");
    expect($("#conversation-list").hidden).toBe(true);
    expect($("#search-results").hidden).toBe(false);
    expect($("#search-results mark").textContent).toBe("order");
    $('#search-results .hit[data-conversation-id="12"]').click();
    await tick();
    expect(of("openConversation").at(-1)!.args).toEqual([12, null]);
    key("Escape", input);
    expect($("#search-results").hidden).toBe(true);
    expect($("#conversation-list").hidden).toBe(false);
    expect($("#list-heading").textContent).toBe("Mine");
    expect($("#list-count").textContent).toBe("3");
    expect(input.value).toBe("");
    expect(document.activeElement).toBe($("#conversation-list"));
  });

  it("a lead ticks rows with x and the checkbox, and reassigns them with their versions", async () => {
    fakes.reassign = () => 2;
    await show();
    expect($("#bulk-bar").hidden).toBe(true);
    key("j");
    key("x");
    expect($("#bulk-bar").hidden).toBe(false);
    expect($("#bulk-count").textContent).toBe("1 selected");
    $<HTMLInputElement>('#conv-row-13 .row-check').click();
    expect($("#bulk-count").textContent).toBe("2 selected");
    expect($("#conv-row-13").classList.contains("checked")).toBe(true);
    const target = $<HTMLSelectElement>("#bulk-target");
    expect(Array.from(target.options).map((o) => o.textContent)).toEqual(["Back to the queue", "Sam Lead (you)", "Kim"]);
    target.value = "4";
    $<HTMLInputElement>("#bulk-note").value = " holiday ";
    $("#bulk-reassign").click();
    await tick();
    expect(of("reassign")[0].args).toEqual([[{ id: 11, version: 4 }, { id: 13, version: 4 }], 4, "holiday"]);
    expect(toasts).toContain("2 conversations moved to Kim.");
    expect($("#bulk-bar").hidden).toBe(true);
    expect($<HTMLInputElement>("#bulk-note").value).toBe("");
    expect(document.querySelectorAll("#conversation-list .row.checked")).toHaveLength(0);
  });

  it("loads older messages above, keeping them through a live reload", async () => {
    fakes.openConversation = (id, before) => before === null
      ? conversation(id as number, { has_older: true })
      : conversation(id as number, { messages: [message(800, "First message")], has_older: false });
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    expect($("#load-older")).not.toBeNull();
    $("#load-older").click();
    await tick();
    expect(of("openConversation").at(-1)!.args).toEqual([11, 900]);
    expect(Array.from(document.querySelectorAll("#messages .msg")).map((m) => m.getAttribute("data-message-id"))).toEqual(["800", "900"]);
    expect($("#load-older")).toBeNull();
    expect(document.activeElement).toBe($("#messages"));
    live.coreEvent!({ kind: "message_received", conversation: 11, message: 901 });
    await new Promise((r) => setTimeout(r, 200));
    await tick();
    expect(of("openConversation").filter((c) => c.args[1] === null)).toHaveLength(2);
    expect(of("listConversations")).toHaveLength(2);
    expect(Array.from(document.querySelectorAll("#messages .msg")).map((m) => m.getAttribute("data-message-id"))).toEqual(["800", "900"]);
  });

  it("one live burst is one list refresh; a status change elsewhere none", async () => {
    await show();
    for (let i = 0; i < 5; i++) live.coreEvent!({ kind: "message_received", conversation: 20 + i, message: i });
    live.coreEvent!({ kind: "message_status_changed", conversation: 99, message: 1 });
    await new Promise((r) => setTimeout(r, 200));
    await tick();
    expect(of("listConversations")).toHaveLength(2);
    live.coreEvent!({ kind: "message_status_changed", conversation: 99, message: 2 });
    live.coreEvent!({ kind: "channels_changed" });
    await new Promise((r) => setTimeout(r, 200));
    expect(of("listConversations")).toHaveLength(2);
  });

  it("keeps a draft per conversation, with its mode, and saves labels without losing the field", async () => {
    fakes.setLabels = (_id, labels) => labels;
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    key("n");
    expect($("#composer-mode-note").getAttribute("aria-pressed")).toBe("true");
    const text = $<HTMLTextAreaElement>("#composer-text");
    expect(document.activeElement).toBe(text);
    text.value = "call back tomorrow";
    text.dispatchEvent(new Event("input"));
    $('#conversation-list [data-conversation-id="12"]').click();
    await tick();
    expect(text.value).toBe("");
    expect($("#composer-send").textContent).toBe("Send reply");
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    expect(text.value).toBe("call back tomorrow");
    expect($("#composer-send").textContent).toBe("Add note");

    const labels = $<HTMLInputElement>("#labels-input");
    expect(labels.value).toBe("vip");
    labels.focus();
    labels.value = "vip, Billing ,";
    key("Enter", labels);
    await tick();
    expect(of("setLabels")[0].args).toEqual([11, ["vip", "Billing"]]);
    expect($("#labels-hint").textContent).toBe("Labels saved");
    expect(document.activeElement).toBe(labels);
  });

  it("? shows the shortcuts, Esc hides them, / goes to the search field", async () => {
    await show("agent");
    expect($("#shortcuts-help").hidden).toBe(true);
    key("?");
    expect($("#shortcuts-help").hidden).toBe(false);
    expect($("#shortcuts-toggle").getAttribute("aria-expanded")).toBe("true");
    expect($("#shortcuts-help").textContent).toContain("Select for a bulk change");
    key("Escape");
    expect($("#shortcuts-help").hidden).toBe(true);
    key("/");
    expect(document.activeElement).toBe($("#search-input"));
    expect($("#conversation-list").getAttribute("aria-multiselectable")).toBe("true");
  });

  it("remembers the filters for the next visit", async () => {
    const ctx = await show();
    const status = $<HTMLSelectElement>("#filter-status");
    status.value = "resolved";
    status.dispatchEvent(new Event("change"));
    $("#view-unassigned").click();
    await tick();
    expect(of("listConversations").at(-1)!.args[0]).toMatchObject({ view: "unassigned", status: "resolved" });
    expect(ctx.memory.get("inbox.filters")).toMatchObject({ view: "unassigned", status: "resolved" });
    expect($("#view-unassigned").getAttribute("aria-pressed")).toBe("true");
    expect($("#view-mine").getAttribute("aria-pressed")).toBe("false");
    expect($("#list-heading").textContent).toBe("Unassigned");
  });

  it("after sign-in lands on Unassigned when nothing is assigned to me, and says so when both are empty", async () => {
    fakes.listConversations = (q) => ((q as { view: string }).view === "unassigned"
      ? { rows: [summary(21)], next: null } : { rows: [], next: null });
    await show("agent");
    expect(of("listConversations").map((c) => (c.args[0] as { view: string }).view)).toEqual(["mine", "unassigned"]);
    expect($("#list-heading").textContent).toBe("Unassigned");
    expect($("#conv-row-21")).not.toBeNull();
    // Going back to an empty Mine: the hint offers the way to Unassigned.
    $("#view-mine").click();
    await tick();
    expect($("#list-empty").hidden).toBe(false);
    expect($("#list-empty").textContent).toMatch(/Nothing is assigned to you/);
    $("#empty-show-unassigned").click();
    await tick();
    expect(of("listConversations").at(-1)!.args[0]).toMatchObject({ view: "unassigned" });
  });
  it("folds the views and filters rail with its button and with b (both rails), and a remount from the same memory keeps it", async () => {
    const memory = new Map<string, unknown>();
    await show("agent", memory);
    const toggle = $<HTMLButtonElement>("#side-toggle");
    expect(toggle.getAttribute("aria-label")).toBe("Views and filters");
    expect(toggle.getAttribute("aria-controls")).toBe("inbox-side-body");
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect($("#inbox-side-body").hidden).toBe(false);
    toggle.click();
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect($("#inbox-side-body").hidden).toBe(true);
    expect($("#inbox-side").classList.contains("collapsed")).toBe(true);
    expect(memory.get("inbox.sideCollapsed")).toBe(true);
    // b: one rail still open, so both fold; pressed again with both folded, both open.
    key("b");
    expect(memory.get("shell.navCollapsed")).toBe(true);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    key("b");
    expect(memory.get("shell.navCollapsed")).toBe(false);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect($("#inbox-side-body").hidden).toBe(false);
    // Focus on a view inside the rail as it folds goes to the rail's toggle, not into nothing.
    $("#view-mine").focus();
    key("b", $("#view-mine"));
    expect($("#inbox-side-body").hidden).toBe(true);
    expect(document.activeElement).toBe(toggle);
    // Typing b in a field is text, not the shortcut.
    key("b", $("#search-input"));
    expect(memory.get("inbox.sideCollapsed")).toBe(true);

    // The page is left and shown again from the same shell memory: still folded.
    for (const fn of leave) fn();
    leave = [];
    document.body.replaceChildren();
    await show("agent", memory);
    expect($("#side-toggle").getAttribute("aria-expanded")).toBe("false");
    expect($("#inbox-side-body").hidden).toBe(true);
    // / needs the search field: the rail opens for it.
    key("/");
    expect($("#inbox-side-body").hidden).toBe(false);
    expect(document.activeElement).toBe($("#search-input"));
    expect(memory.get("inbox.sideCollapsed")).toBe(false);
    // The help lists the key.
    key("Escape", $("#search-input"));
    key("?");
    expect(Array.from(document.querySelectorAll("#shortcuts-help dt")).map((d) => d.textContent)).toContain("b");
  });

  it("shows the shortcut help as a dialog fixed in the window; Esc closes it and focus goes back", async () => {
    withStyleSheet();
    await show();
    const list = $("#conversation-list");
    list.focus();
    key("?", list);
    const overlay = $("#shortcuts-help");
    expect(overlay.hidden).toBe(false);
    // Not in the rail's flow (below the fold) but over the window: fixed, centred, scrolling inside itself.
    expect(overlay.closest("#inbox-side")).toBeNull();
    expect(getComputedStyle(overlay).position).toBe("fixed");
    expect(getComputedStyle(overlay).alignItems).toBe("center");
    const dialog = overlay.querySelector<HTMLElement>('[role="dialog"]')!;
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(document.getElementById(dialog.getAttribute("aria-labelledby")!)!.textContent).toBe("Keyboard shortcuts");
    expect(getComputedStyle(dialog).maxHeight).not.toBe("none");
    expect(getComputedStyle(dialog).overflowY).toBe("auto");
    expect(dialog.textContent).toContain("Select for a bulk change");
    expect(dialog.contains(document.activeElement)).toBe(true);
    // The other keys wait while it is open.
    key("j", document.activeElement!);
    expect($("#conversation-list .row.selected")).toBeNull();
    key("Escape", document.activeElement!);
    expect(overlay.hidden).toBe(true);
    expect(document.activeElement).toBe(list);

    // Opened from the rail's link: Close returns there.
    const link = $<HTMLButtonElement>("#shortcuts-toggle");
    link.focus();
    link.click();
    expect(link.getAttribute("aria-expanded")).toBe("true");
    expect(overlay.hidden).toBe(false);
    $<HTMLButtonElement>("#shortcuts-close").click();
    expect(overlay.hidden).toBe(true);
    expect(link.getAttribute("aria-expanded")).toBe("false");
    expect(document.activeElement).toBe(link);
  });

  it("shows the customer panel for the open conversation; c folds it (not while typing), a remount from the same memory keeps it", async () => {
    const memory = new Map<string, unknown>();
    await show("agent", memory);
    $("#conv-row-11").click();
    await tick();
    expect(of("contactPanel").map((c) => c.args)).toEqual([[111]]);
    expect($("#customer-name").textContent).toBe("Customer 11");
    // Beside the history, inside the conversation pane.
    expect($("#conversation").contains($("#customer"))).toBe(true);
    const toggle = $<HTMLButtonElement>("#customer-toggle");
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    key("c");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect($("#customer-body").hidden).toBe(true);
    expect(memory.get("inbox.customerShown")).toBe(false);
    // Typing c in a field is text, not the shortcut.
    key("c", $("#search-input"));
    expect(memory.get("inbox.customerShown")).toBe(false);

    for (const fn of leave) fn();
    leave = [];
    document.body.replaceChildren();
    await show("agent", memory);
    $("#conv-row-12").click();
    await tick();
    expect($("#customer-toggle").getAttribute("aria-expanded")).toBe("false");
    expect($("#customer-body").hidden).toBe(true);
    key("c");
    await tick();
    expect($("#customer-body").hidden).toBe(false);
    expect(memory.get("inbox.customerShown")).toBe(true);
    expect($("#customer-name").textContent).toBe("Customer 12");
    key("?");
    expect(Array.from(document.querySelectorAll("#shortcuts-help dt")).map((d) => d.textContent)).toContain("c");
  });

  it("puts the customer panel beside the history on wide windows and under the head below 1440 px", async () => {
    withStyleSheet();
    await show();
    $("#conv-row-11").click();
    await tick();
    const viewport = (window as unknown as { happyDOM: { setViewport(v: { width: number; height: number }): void } }).happyDOM;
    const body = () => getComputedStyle($("#customer").parentElement!);
    viewport.setViewport({ width: 1280, height: 720 });
    expect(body().flexDirection).toBe("column");
    expect(getComputedStyle($("#customer")).order).toBe("-1");
    expect(getComputedStyle($("#customer")).maxHeight).toBe("165px") // 11rem;
    viewport.setViewport({ width: 1440, height: 900 });
    expect(body().flexDirection).toBe("row");
    expect(getComputedStyle($("#customer")).width).toBe("240px") // 16rem;
    viewport.setViewport({ width: 1920, height: 1080 });
    expect(getComputedStyle($("#customer")).width).toBe("285px") // 19rem;
    key("c");
    expect(getComputedStyle($("#customer")).width).toBe("45px") // 3rem;
    viewport.setViewport({ width: 1024, height: 768 });
  });

  it("lets the list grow with the window and keeps messages to a readable line", async () => {
    withStyleSheet();
    await show();
    // The list's column is a share of the width between two bounds, not a fixed 24rem at most, at
    // every window width from 1280 px up: 26 % below 1440 px (narrower rails), 30 % above (the grid
    // itself is measured in the real window, desktop_e2e).
    const viewport = (window as unknown as { happyDOM: { setViewport(v: { width: number; height: number }): void } }).happyDOM;
    for (const [width, height, share] of [[1280, 720, 26], [1366, 768, 26], [1920, 1080, 30]]) {
      viewport.setViewport({ width, height });
      const columns = getComputedStyle($("#inbox")).gridTemplateColumns;
      expect(columns).toMatch(new RegExp(`^auto clamp\\(\\s*20rem,\\s*${share}%,\\s*38rem\\s*\\) minmax\\(0, 1fr\\)$`));
    }
    viewport.setViewport({ width: 1024, height: 768 });
    $("#conv-row-11").click();
    await tick();
    expect(getComputedStyle($("#messages .msg")).maxWidth).toContain("75ch");
  });

  it("sends an e-mail reply with its copies: Reply all fills Cc, a wrong address stops it at its box", async () => {
    fakes.mailReplyContext = () => ({ to: "c11@example.com", reply_all: ["bob@example.com"], signature: "Kind regards,\nSam" });
    fakes.replyMail = (_id, reply) => ({ ...message(960, (reply as { body: string }).body), direction: "out", author: "Sam Lead", status: "queued" });
    fakes.saveDraft = () => null;
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    expect($("#mail-to").textContent).toBe("To c11@example.com");
    expect($("#mail-signature").textContent).toBe("-- \nKind regards,\nSam");
    const text = $<HTMLTextAreaElement>("#composer-text");
    text.value = "Both of you: it ships today";
    $("#mail-reply-all").click();
    $("#mail-show-bcc").click();
    $<HTMLInputElement>("#mail-bcc").value = "not an address";
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    expect(of("replyMail")).toEqual([]);
    expect($("#mail-bcc").getAttribute("aria-invalid")).toBe("true");
    $<HTMLInputElement>("#mail-bcc").value = "audit@example.com";
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    expect(of("replyMail")[0].args).toEqual([11,
      { body: "Both of you: it ships today", cc: ["bob@example.com"], bcc: ["audit@example.com"], attachments: [], formatted: false, quote_history: false },
      { version: 4, last_message: 900 }]);
    expect($<HTMLInputElement>("#mail-cc").value).toBe("");
    expect(text.value).toBe("");
  });

  it("sends several files with the copies in one e-mail reply, and refuses files over the mailbox's limit before sending", async () => {
    fakes.mailReplyContext = () => ({ to: "c11@example.com", reply_all: [], signature: null, files_limit: 8, server_limit: 10_240_000 });
    fakes.replyMail = (_id, reply) => ({ ...message(961, (reply as { body: string }).body), direction: "out", author: "Sam Lead", status: "queued" });
    fakes.saveDraft = () => null;
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    expect($("#attach-button").textContent).toBe("Attach files");
    const fileInput = $<HTMLInputElement>("#attach-input");
    expect(fileInput.multiple).toBe(true);
    const choose = async (files: File[]) => {
      Object.defineProperty(fileInput, "files", { value: files, configurable: true });
      fileInput.dispatchEvent(new Event("change"));
      await tick();
      await new Promise((r) => setTimeout(r, 20));
      await tick();
    };
    await choose([new File(["hello"], "invoice.txt", { type: "text/plain" }), new File(["hi!"], "label.txt", { type: "text/plain" })]);
    expect($("#attachment-chosen").textContent).toContain("invoice.txt");
    expect($("#attachment-chosen").textContent).toContain("label.txt");
    $<HTMLInputElement>("#mail-cc").value = "boss@example.com";
    // 8 bytes together is this mailbox's limit here: 5 + 3 fit, one more does not.
    await choose([new File(["x"], "more.txt", { type: "text/plain" })]);
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    expect(document.body.textContent).toMatch(/at most 0.0 MB of files in one mail/);
    expect(of("replyMail")).toHaveLength(0);
    $("#attachment-remove-2").click();
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    const sent = of("replyMail")[0].args[1] as { cc: string[]; attachments: { file_name: string; data_base64: string }[] };
    expect(sent.cc).toEqual(["boss@example.com"]);
    expect(sent.attachments.map((a) => [a.file_name, a.data_base64])).toEqual([["invoice.txt", btoa("hello")], ["label.txt", btoa("hi!")]]);
    expect($("#attachment-chosen").hidden).toBe(true);
  });

  it("writes a formatted e-mail reply: Formatted on, Ctrl+B and the toolbar on the selection, the customer's mail quoted below", async () => {
    fakes.mailReplyContext = () => ({ to: "c11@example.com", reply_all: [], signature: null, files_limit: 20_000_000, server_limit: null });
    fakes.replyMail = (_id, reply) => ({ ...message(962, (reply as { body: string }).body), direction: "out", author: "Sam Lead", status: "queued" });
    fakes.saveDraft = () => null;
    const ctx = await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    const toggle = $("#composer-format-toggle");
    const toolbar = $('[role="toolbar"][aria-label="Formatting"]');
    const quote = $<HTMLInputElement>("#composer-quote-history");
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    expect(toolbar.hidden).toBe(true);
    expect(quote.checked).toBe(false);
    expect($("#composer-quoted").hidden).toBe(true);
    const text = $<HTMLTextAreaElement>("#composer-text");
    text.value = "It ships today";
    text.setSelectionRange(9, 14);
    const ctrl = (k: string) => text.dispatchEvent(new KeyboardEvent("keydown", { key: k, ctrlKey: true, bubbles: true, cancelable: true }));
    // Plain: Ctrl+B is left to the web view.
    expect(ctrl("b")).toBe(true);
    expect(text.value).toBe("It ships today");

    toggle.click();
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    expect(toolbar.hidden).toBe(false);
    expect(quote.checked).toBe(true);
    expect($("#format-bold").getAttribute("title")).toBe("Bold (Ctrl+B)");
    expect($("#format-link").getAttribute("aria-label")).toBe("Link (Ctrl+K)");
    expect($("#format-bullets").getAttribute("aria-label")).toBe("Bulleted list");
    text.focus();
    text.setSelectionRange(9, 14);
    expect(ctrl("b")).toBe(false);
    expect(text.value).toBe("It ships **today**");
    expect(text.value.slice(text.selectionStart, text.selectionEnd)).toBe("today");
    // The draft heard it.
    expect((ctx.memory.get("inbox.drafts") as Map<string, { text: string }>).get("11:reply")?.text).toBe("It ships **today**");
    $("#format-italic").click();
    expect(text.value).toBe("It ships ***today***");
    expect(document.activeElement).toBe(text);
    $("#format-italic").click();
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    expect(of("replyMail")[0].args).toEqual([11,
      { body: "It ships **today**", cc: [], bcc: [], attachments: [], formatted: true, quote_history: true },
      { version: 4, last_message: 900 }]);

    // Formatted stays on for the next conversation; the agent may leave the quote out.
    $('#conversation-list [data-conversation-id="12"]').click();
    await tick();
    expect($("#composer-format-toggle").getAttribute("aria-pressed")).toBe("true");
    quote.click();
    expect($("#composer-quoted").hidden).toBe(true);
    text.value = "Sorted";
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    expect(of("replyMail")[1].args[1]).toEqual({ body: "Sorted", cc: [], bcc: [], attachments: [], formatted: true, quote_history: false });
  });

  it("shows the customer's last mail folded under \"Quote their last mail below\", when it is ticked and there is one", async () => {
    fakes.mailReplyContext = () => ({ to: "c11@example.com", reply_all: [], signature: null, files_limit: 20_000_000, server_limit: null });
    const out = (id: number, body: string) => ({ ...message(id, body), direction: "out", author: "Sam Lead", status: "sent" });
    const from = (who: string) => (id: number, body: string) =>
      ({ ...message(id, body), mail: { from: who, to: [], cc: [], bcc: [], gone_from_mailbox: false } });
    const customer = from("Cy <c11@example.com>");
    // Bob, copied in, wrote last: his mail is never the one quoted.
    fakes.openConversation = (id) => conversation(id as number, { messages: id === 11
      ? [customer(900, "Where is my order?"), out(901, "Checking."), customer(902, "Any news?\nIt was order 77."), out(903, "Today."),
        from("Bob <bob@example.com>")(905, "Me too.")]
      : [out(904, "Hello from us")] });
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    const quote = $<HTMLInputElement>("#composer-quote-history");
    const details = $<HTMLDetailsElement>("#composer-quoted");
    expect(details.hidden).toBe(true);
    quote.click();
    expect(details.hidden).toBe(false);
    expect(details.open).toBe(false);
    expect(details.querySelector("summary")!.textContent).toBe("Quoted below");
    expect(details.textContent).toContain("Any news?\nIt was order 77.");
    expect(details.textContent).not.toContain("Where is my order?");
    expect(details.textContent).not.toContain("Me too.");
    // Nothing of theirs to quote: nothing shown.
    $('#conversation-list [data-conversation-id="12"]').click();
    await tick();
    quote.click();
    expect(quote.checked).toBe(true);
    expect(details.hidden).toBe(true);
  });

  it("offers no formatting on WhatsApp, nor in a note", async () => {
    const wa = { channel: "whatsapp", reply_window_ends_at: nowS() + 3600 };
    fakes.mailReplyContext = () => ({ to: "c11@example.com", reply_all: [], signature: null, files_limit: 20_000_000, server_limit: null });
    fakes.openConversation = (id) => conversation(id as number, id === 12 ? { summary: summary(12, { ...wa, unread: 0 }),
      window: { channel: "whatsapp", open: true, closes_at: nowS() + 3600, needs_template: false, tagged: false } } : {});
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    expect($("#format-bar").hidden).toBe(false);
    $("#composer-mode-note").click();
    expect($("#format-bar").hidden).toBe(true);
    expect($("#quote-history").hidden).toBe(true);
    $("#composer-mode-reply").click();
    $('#conversation-list [data-conversation-id="12"]').click();
    await tick();
    expect($("#composer-text").hidden).toBe(false);
    expect($("#format-bar").hidden).toBe(true);
    expect($("#quote-history").hidden).toBe(true);
  });

  it("folds the mail an e-mail quotes at its end, in both directions, and not in a chat message", async () => {
    const mail = { from: "c11@example.com", to: ["help@example.com"], cc: [], bcc: [], gone_from_mailbox: false };
    const quoted = "Thanks!\n\nOn Monday, Sam wrote:\n> It ships today.";
    fakes.openConversation = (id) => conversation(id as number, { messages: [
      { ...message(900, quoted), mail },
      { ...message(901, "Glad to help.\n> Thanks!"), direction: "out", author: "Sam Lead", status: "sent", mail },
      message(902, "Chat line\n> not mail"),
    ] });
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    const first = $('[data-message-id="900"]');
    expect(first.querySelector(".item-body")!.textContent).toBe("Thanks!");
    const fold = first.querySelector<HTMLButtonElement>(".quote-fold")!;
    const block = first.querySelector<HTMLElement>(".quoted-history")!;
    expect([fold.textContent, fold.getAttribute("aria-expanded"), block.hidden]).toEqual(["Show quoted text", "false", true]);
    fold.click();
    expect([fold.textContent, fold.getAttribute("aria-expanded"), block.hidden]).toEqual(["Hide quoted text", "true", false]);
    expect(block.textContent).toBe("On Monday, Sam wrote:\n> It ships today.");
    // A live reload rebuilds the history: the quote stays shown.
    live.coreEvent!({ kind: "message_received", conversation: 11, message: 903 });
    await new Promise((r) => setTimeout(r, 200));
    await tick();
    expect(of("openConversation").filter((c) => c.args[0] === 11)).toHaveLength(2);
    expect($('[data-message-id="900"] .quoted-history').hidden).toBe(false);
    expect($('[data-message-id="901"] .quote-fold')).not.toBeNull();
    expect($('[data-message-id="902"] .quote-fold')).toBeNull();
    expect($('[data-message-id="902"] .item-body').textContent).toBe("Chat line\n> not mail");
  });

  it("stops a reply a colleague crossed: the choice in the composer, send anyway without the guard, or keep the draft", async () => {
    let refuse: { code: string; message: string } | null = { code: "answered_meanwhile", message: "Kim wrote to the customer after you opened this conversation, so your reply was not sent." };
    fakes.reply = (_id, body) => {
      if (refuse) { const e = refuse; refuse = null; throw e; }
      return { ...message(950, body as string), direction: "out", author: "Sam Lead", status: "queued" };
    };
    fakes.saveDraft = () => null;
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    const text = $<HTMLTextAreaElement>("#composer-text");
    text.value = "We will refund you";
    text.dispatchEvent(new Event("input"));
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    // The reply went with what was on screen when the conversation was opened.
    expect(of("reply")[0].args).toEqual([11, "We will refund you", null, { version: 4, last_message: 900 }]);
    const panel = $("#double-answer");
    expect(panel.hidden).toBe(false);
    expect($("#double-answer-message").textContent).toContain("Kim wrote to the customer");
    expect(text.value).toBe("We will refund you");
    expect(document.activeElement).toBe($("#double-answer-send"));
    expect(of("openConversation").length).toBeGreaterThan(1); // the colleague's answer is fetched
    $("#double-answer-send").click();
    await tick();
    expect(of("reply")[1].args).toEqual([11, "We will refund you", null, null]);
    expect(panel.hidden).toBe(true);
    expect(text.value).toBe("");

    // Taken from an agent: no "send anyway"; Escape keeps the words as a draft.
    refuse = { code: "taken_meanwhile", message: "Kim took this conversation after you opened it." };
    text.value = "Second try";
    text.dispatchEvent(new Event("input"));
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    expect(panel.hidden).toBe(false);
    expect($("#double-answer-send").hidden).toBe(true);
    expect(document.activeElement).toBe($("#double-answer-keep"));
    key("Escape", $("#double-answer-keep"));
    await tick();
    expect(panel.hidden).toBe(true);
    expect(text.value).toBe("Second try");
    expect(toasts).toContain("Your reply is kept as a draft.");
    expect(of("reply").length).toBe(3);
  });

  it("sends a place pasted from a map and a contact card on WhatsApp, a wrong value stopped at its field", async () => {
    const wa = { channel: "whatsapp", reply_window_ends_at: nowS() + 3600 };
    fakes.listConversations = () => ({ rows: [summary(11, wa)], next: null });
    fakes.openConversation = (id) => conversation(id as number, { summary: summary(id as number, { ...wa, unread: 0 }),
      window: { channel: "whatsapp", open: true, closes_at: nowS() + 3600, needs_template: false, tagged: false } });
    let next = 960;
    fakes.sendCard = () => ({ ...message(next++, "Sent a location"), direction: "out", author: "Sam Lead", status: "queued" });
    fakes.saveDraft = () => null;
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    const open = $<HTMLButtonElement>("#card-button-open");
    expect(open.hidden).toBe(false);
    open.click();
    await tick();
    expect(document.activeElement?.id).toBe("card-latitude");
    const lat = $<HTMLInputElement>("#card-latitude");
    lat.value = "52.5200, 13.4050";
    lat.dispatchEvent(new Event("input"));
    expect(lat.value).toBe("52.5200, 13.4050");
    lat.dispatchEvent(new Event("change"));
    expect(lat.value).toBe("52.5200");
    expect($<HTMLInputElement>("#card-longitude").value).toBe("13.4050");
    $<HTMLInputElement>("#card-place-name").value = "Appcare Shop";
    $("#card-place-name").dispatchEvent(new Event("input"));
    expect($("#card-preview").textContent).toBe("A map pin for Appcare Shop at 52.5200, 13.4050.");
    lat.value = "95";
    $<HTMLFormElement>("#card-form").requestSubmit();
    await tick();
    expect($("#card-latitude-error").textContent).toMatch(/from -90 to 90/);
    expect(of("sendCard").length).toBe(0);
    lat.value = "52.52";
    $<HTMLFormElement>("#card-form").requestSubmit();
    await tick();
    expect(of("sendCard")[0].args).toEqual([11, { kind: "location", latitude: "52.52", longitude: "13.4050", name: "Appcare Shop", address: "" },
      { version: 4, last_message: 900 }]);
    expect(document.querySelector("#card")).toBeNull();
    expect($('#messages .msg.out[data-message-id="960"]')).not.toBeNull();

    $<HTMLButtonElement>("#card-button-open").click();
    await tick();
    $("#card-kind-contact").click();
    expect(document.activeElement?.id).toBe("card-name");
    $<HTMLInputElement>("#card-name").value = "Omar Haddad";
    $<HTMLInputElement>("#card-phone").value = "call me";
    $<HTMLFormElement>("#card-form").requestSubmit();
    await tick();
    expect($("#card-phone-error").textContent).toMatch(/digits, spaces/);
    $<HTMLInputElement>("#card-phone").value = "+49 30 1234567";
    $("#card-phone").dispatchEvent(new Event("input"));
    expect($("#card-preview").textContent).toBe("A contact card for Omar Haddad (+49 30 1234567) they can save.");
    $<HTMLFormElement>("#card-form").requestSubmit();
    await tick();
    expect(of("sendCard")[1].args[1]).toEqual({ kind: "contacts", cards: [{ name: "Omar Haddad", organization: "",
      phones: [{ phone: "+49 30 1234567", wa_id: "", label: "" }], emails: [] }] });
  });

  it("sends a question with answers to tap on WhatsApp: added in place, previewed, a long one stopped at its field", async () => {
    const wa = { channel: "whatsapp", reply_window_ends_at: nowS() + 3600 };
    fakes.listConversations = () => ({ rows: [summary(11, wa)], next: null });
    fakes.openConversation = (id) => conversation(id as number, { summary: summary(id as number, { ...wa, unread: 0 }),
      window: { channel: "whatsapp", open: true, closes_at: nowS() + 3600, needs_template: false, tagged: false } });
    fakes.replyChoices = (_id, reply) => ({ ...message(951, `${(reply as { body: string }).body}\n\n▸ Small`), direction: "out", author: "Sam Lead", status: "queued" });
    fakes.saveDraft = () => null;
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    const text = $<HTMLTextAreaElement>("#composer-text");
    text.value = "Which size do you need?";
    const open = $<HTMLButtonElement>("#choices-button-open");
    expect(open.hidden).toBe(false);
    open.click();
    await tick();
    expect($<HTMLTextAreaElement>("#choices-body").value).toBe("Which size do you need?");
    $<HTMLInputElement>("#choices-option-1").value = "Small";
    $<HTMLInputElement>("#choices-option-2").focus();
    $<HTMLInputElement>("#choices-option-2").value = "A far too long answer for a button";
    $("#choices-option-2").dispatchEvent(new Event("input"));
    // Typing keeps the answer in focus (the rows are not rebuilt under the cursor).
    expect(document.activeElement?.id).toBe("choices-option-2");
    $<HTMLFormElement>("#choices-form").requestSubmit();
    await tick();
    expect($("#choices-option-2-error").textContent).toBe("Keep it to 20 characters (Meta cuts longer ones).");
    expect(of("replyChoices").length).toBe(0);
    $<HTMLInputElement>("#choices-option-2").value = "Large";
    $("#choices-add").click();
    $<HTMLInputElement>("#choices-option-3").value = "Medium";
    $("#choices-option-3").dispatchEvent(new Event("input"));
    expect($("#choices-preview").textContent).toBe("3 buttons under the text: [Small] [Large] [Medium]");
    $("#choices-add").click();
    $<HTMLInputElement>("#choices-option-4").value = "XL";
    $("#choices-option-4").dispatchEvent(new Event("input"));
    expect($("#choices-preview").textContent).toBe("A list opened by [Choose], 4 rows: Small · Large · Medium · XL");
    expect(($<HTMLElement>("#choices-button").closest(".field") as HTMLElement).hidden).toBe(false);
    $<HTMLFormElement>("#choices-form").requestSubmit();
    await tick();
    expect(of("replyChoices")[0].args).toEqual([11, { body: "Which size do you need?", options: ["Small", "Large", "Medium", "XL"], button: "" },
      { version: 4, last_message: 900 }]);
    expect(document.querySelector("#choices")).toBeNull();
    expect(text.value).toBe("");
  });

  it("writes first to a WhatsApp number with a template: the number checked, the values previewed, the conversation opened", async () => {
    fakes.startOptions = () => [{ id: 7, name: "Sales line", templates: [
      { name: "order_update", language: "en_US", category: "UTILITY", body: "Hello {{1}}, your order {{2}} has shipped.", parameters: 2 }] }];
    fakes.startConversation = () => 12;
    await show();
    $("#start-conversation").click();
    await tick();
    expect($<HTMLSelectElement>("#start-account").value).toBe("7");
    expect($("#start-preview").textContent).toBe("Hello {{1}}, your order {{2}} has shipped.");
    $<HTMLInputElement>("#start-phone").value = "0151 2345678";
    $<HTMLFormElement>("#start-form").requestSubmit();
    await tick();
    expect($("#start-phone-error").textContent).toBe("Write the number with + and its country code, e.g. +49 151 23456789.");
    $<HTMLInputElement>("#start-phone").value = "+49 151 2345678";
    $<HTMLInputElement>("#start-value-1").value = "Ana";
    $("#start-value-1").dispatchEvent(new Event("input"));
    expect($("#start-preview").textContent).toBe("Hello Ana, your order {{2}} has shipped.");
    $<HTMLFormElement>("#start-form").requestSubmit();
    await tick();
    expect($("#start-value-2-error").textContent).toBe("Fill in value 2.");
    expect(of("startConversation").length).toBe(0);
    $<HTMLInputElement>("#start-value-2").value = "A-42";
    $<HTMLFormElement>("#start-form").requestSubmit();
    await tick();
    expect(of("startConversation")[0].args).toEqual([{ account: 7, phone: "+49 151 2345678", name: "", template: "order_update", language: "en_US", parameters: ["Ana", "A-42"], extras: { header: [], buttons: [] } }]);
    expect(document.querySelector("#start")).toBeNull();
    expect(toasts).toContain("Template queued; the conversation is yours.");
    expect(of("openConversation").some((c) => c.args[0] === 12)).toBe(true);
  });

  it("says what this person has open and types, shows who else is there, and marks rows without reloading", async () => {
    fakes.setPresence = (id, activity) => (activity !== "viewing" ? []
      : id === 11 ? [{ user: 4, name: "Kim", activity: "typing_reply" }] : [{ user: 4, name: "Kim", activity: "viewing" }]);
    fakes.saveDraft = () => null;
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    expect(of("setPresence").map((c) => c.args)).toEqual([[11, "viewing"]]);
    expect($("#presence").hidden).toBe(false);
    expect($("#presence").textContent).toBe("Kim is typing a reply…");

    // A colleague on another conversation: its row is marked; nothing is re-read for it.
    const lists = of("listConversations").length;
    live.coreEvent?.({ kind: "presence", conversation: 12, user: 4, activity: "viewing" });
    await tick();
    await new Promise((r) => setTimeout(r, 200));
    expect($("#conv-row-12 .row-presence").getAttribute("title")).toBe("Kim is viewing");
    expect(of("listConversations").length).toBe(lists);
    // My own events are not shown as someone else.
    live.coreEvent?.({ kind: "presence", conversation: 13, user: 3, activity: "viewing" });
    await tick();
    expect($("#conv-row-13 .row-presence")).toBeNull();

    const text = $<HTMLTextAreaElement>("#composer-text");
    text.value = "H";
    text.dispatchEvent(new Event("input"));
    text.value = "Hi";
    text.dispatchEvent(new Event("input"));
    await tick();
    // Said once for both keys (at most every few seconds).
    expect(of("setPresence").map((c) => c.args)).toEqual([[11, "viewing"], [11, "typing_reply"]]);

    $('#conversation-list [data-conversation-id="12"]').click();
    await tick();
    expect(of("setPresence").map((c) => c.args).slice(2)).toEqual([[11, "left"], [12, "viewing"]]);
    expect($("#presence").textContent).toBe("Kim is viewing");
  });

  it("completes @mentions of colleagues who may see the conversation in a note, and has a Mentions view", async () => {
    fakes.saveDraft = () => null;
    fakes.addNote = (_id, body) => ({ id: 70, author: "Sam Lead", body, is_handoff: false, at: nowS() });
    const colleagues = fakes.listColleagues() as unknown[];
    fakes.listColleagues = () => [...colleagues, { id: 6, username: "carl", display_name: "Carl", role: "agent", available: true, teams: [7] }];
    await show();
    expect($("#view-mentions").textContent).toBe("Mentions");
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    key("n");
    const text = $<HTMLTextAreaElement>("#composer-text");
    text.value = "ask @";
    text.setSelectionRange(5, 5);
    text.dispatchEvent(new Event("input"));
    // Kim (same team) is offered; Carl (another team) and I are not.
    expect(Array.from(document.querySelectorAll<HTMLElement>("#mention-menu [data-username]")).map((o) => o.dataset.username)).toEqual(["kim"]);
    text.dispatchEvent(new KeyboardEvent("keydown", { key: "Tab", bubbles: true, cancelable: true }));
    expect(text.value).toBe("ask @kim ");
    expect($("#mention-menu").hidden).toBe(true);
    // Esc with the list open closes the list only.
    text.value = "ask @kim and @k";
    text.setSelectionRange(15, 15);
    text.dispatchEvent(new Event("input"));
    expect($("#mention-menu").hidden).toBe(false);
    key("Escape", text);
    expect($("#mention-menu").hidden).toBe(true);
    expect(document.activeElement).toBe(text);
    // In reply mode nothing completes.
    key("r");
    text.value = "@k";
    text.setSelectionRange(2, 2);
    text.dispatchEvent(new Event("input"));
    expect($("#mention-menu").hidden).toBe(true);
  });

  it("answers one WhatsApp message: Reply to this shows what is answered, sends it quoted, × goes back; React sends an emoji", async () => {
    fakes.openConversation = (id) => conversation(id as number, { summary: summary(id as number, { unread: 0, channel: "whatsapp" }) });
    fakes.replyQuoting = (_id, _quoted, body) => ({ ...message(951, body as string), direction: "out", author: "Sam Lead", status: "queued",
      quote: { message: 900, direction: "in", excerpt: "Where is my order?" } });
    fakes.react = (id, emoji) => ({ ...message(id as number, "Where is my order?"), reactions: [{ emoji, by_customer: false, by: "Sam Lead" }] });
    fakes.saveDraft = () => null;
    await show();
    $('#conversation-list [data-conversation-id="11"]').click();
    await tick();
    expect($("#quoting").hidden).toBe(true);
    $("#answer-900").click();
    await tick();
    expect($("#quoting").hidden).toBe(false);
    expect($("#quoting").textContent).toContain("Where is my order?");
    expect(document.activeElement).toBe($("#composer-text"));
    // × answers the whole conversation again.
    $("#quote-cancel").click();
    expect($("#quoting").hidden).toBe(true);
    $("#answer-900").click();
    const text = $<HTMLTextAreaElement>("#composer-text");
    text.value = "It ships today";
    text.dispatchEvent(new Event("input"));
    // A file cannot go with an answer to one message: said in words, nothing sent.
    const fileInput = $<HTMLInputElement>("#attach-input");
    Object.defineProperty(fileInput, "files", { value: [new File(["hello"], "note.txt", { type: "text/plain" })], configurable: true });
    fileInput.dispatchEvent(new Event("change"));
    await tick();
    await new Promise((r) => setTimeout(r, 20));
    await tick();
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    expect(document.body.textContent).toContain("An answer to one message is text only");
    expect(of("replyQuoting")).toHaveLength(0);
    expect(of("reply")).toHaveLength(0);
    $("#attachment-remove-0").click();
    await tick();
    $<HTMLFormElement>("#composer").requestSubmit();
    await tick();
    expect(of("replyQuoting")[0].args).toEqual([11, 900, "It ships today", { version: 4, last_message: 900 }]);
    expect(of("reply")).toHaveLength(0);
    expect($("#quoting").hidden).toBe(true);
    expect($('[data-message-id="951"] .quote')!.textContent).toContain("Where is my order?");

    $("#react-900").click();
    // A live update rebuilds the history: the open row of emoji stays open.
    const opens = of("openConversation").length;
    live.coreEvent!({ kind: "message_status_changed", conversation: 11, message: 951 });
    await new Promise((r) => setTimeout(r, 400));
    await tick();
    expect(of("openConversation").length).toBeGreaterThan(opens);
    expect($('[data-message-id="900"] .react-picks').hidden).toBe(false);
    $<HTMLButtonElement>('[data-message-id="900"] [data-emoji="👍"]').click();
    await tick();
    expect(of("react")[0].args).toEqual([900, "👍"]);
    expect($('[data-message-id="900"] .reactions')!.textContent).toBe("👍");
  });
});
