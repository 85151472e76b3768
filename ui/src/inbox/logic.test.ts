//! Tests of the inbox's pure logic (list window, keys, reply modes, labels, history order).
import { describe, expect, it } from "vitest";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { ConversationView } from "../bindings/ConversationView";
import type { ReplyWindow } from "../bindings/ReplyWindow";
import {
  filtersFrom, formatSize, formatWait, historyItems, inboxQuery, mergeById, moveSelection, nearEnd, parseLabels, parseTransferTarget,
  relativeTime, replyBlockedReason, replyMode, replyWindowLabel, scrollToRow, shortcutFor, splitSnippet,
  transferTargetValue, viewsFor, virtualWindow,
} from "./logic";

describe("virtualWindow", () => {
  const base = { rowHeight: 72, overscan: 5, viewportHeight: 720 };
  it("renders the visible rows plus overscan at the top", () => {
    expect(virtualWindow({ ...base, scrollTop: 0, total: 100_000 })).toEqual({ first: 0, last: 14, offset: 0, height: 7_200_000 });
  });
  it("follows scrollTop deep into a 100k list, rendering only a few dozen rows", () => {
    // 720_000 px = row 10_000 at the top; 10 rows fit; 5 overscan each side.
    const w = virtualWindow({ ...base, scrollTop: 720_000, total: 100_000 });
    expect(w).toEqual({ first: 9_995, last: 10_014, offset: 9_995 * 72, height: 7_200_000 });
    expect(w.last - w.first + 1).toBeLessThan(40);
  });
  it("counts a partly visible row at either edge", () => {
    const w = virtualWindow({ rowHeight: 72, overscan: 0, viewportHeight: 100, scrollTop: 36, total: 50 });
    // 36..136 px shows the lower half of row 0 and row 1 (ends at 144); 50..150 also shows the top of row 2.
    expect([w.first, w.last]).toEqual([0, 1]);
    const w2 = virtualWindow({ rowHeight: 72, overscan: 0, viewportHeight: 100, scrollTop: 50, total: 50 });
    expect([w2.first, w2.last]).toEqual([0, 2]);
  });
  it("clamps at the end and past it", () => {
    const end = virtualWindow({ ...base, scrollTop: 72 * 90, total: 100 });
    expect(end.last).toBe(99);
    expect(end.first).toBe(90 - 5);
    const past = virtualWindow({ ...base, scrollTop: 1e9, total: 100 });
    expect(past.last).toBe(99);
    expect(past.first).toBe(85);
    const neg = virtualWindow({ ...base, scrollTop: -50, total: 100 });
    expect(neg.first).toBe(0);
  });
  it("handles short and empty lists", () => {
    expect(virtualWindow({ ...base, scrollTop: 0, total: 3 })).toEqual({ first: 0, last: 2, offset: 0, height: 216 });
    expect(virtualWindow({ ...base, scrollTop: 0, total: 0 })).toEqual({ first: 0, last: -1, offset: 0, height: 0 });
  });
  it("says when to fetch the next page", () => {
    expect(nearEnd(70, 100, 20)).toBe(false);
    expect(nearEnd(79, 100, 20)).toBe(true);
    expect(nearEnd(-1, 0, 20)).toBe(true);
  });
  it("scrolls just enough to show a row", () => {
    expect(scrollToRow(0, 200, 360, 72)).toBe(0);
    expect(scrollToRow(3, 0, 360, 72)).toBe(0);
    expect(scrollToRow(10, 0, 360, 72)).toBe(11 * 72 - 360);
  });
  it("moves the selection and clamps", () => {
    expect(moveSelection([4, 5, 6], null, 1)).toBe(0);
    expect(moveSelection([4, 5, 6], null, -1)).toBe(2);
    expect(moveSelection([4, 5, 6], 5, 1)).toBe(2);
    expect(moveSelection([4, 5, 6], 6, 1)).toBe(2);
    expect(moveSelection([4, 5, 6], 4, -1)).toBe(0);
    expect(moveSelection([], null, 1)).toBe(-1);
  });
});

describe("replyWindowLabel", () => {
  const now = 1_700_000_000;
  it("counts whole hours, then minutes, then says closed", () => {
    expect(replyWindowLabel(now + 23 * 3600 + 1800, now)).toBe("23h left");
    expect(replyWindowLabel(now + 3600, now)).toBe("1h left");
    expect(replyWindowLabel(now + 47 * 3600, now)).toBe("47h left");
    expect(replyWindowLabel(now + 6 * 86400 + 5 * 3600, now)).toBe("6 d left");
    expect(replyWindowLabel(now + 45 * 60 + 30, now)).toBe("45 min left");
    expect(replyWindowLabel(now + 20, now)).toBe("1 min left");
    expect(replyWindowLabel(now, now)).toBe("Window closed");
    expect(replyWindowLabel(now - 5, now)).toBe("Window closed");
    expect(replyWindowLabel(null, now)).toBeNull();
  });
});

describe("replyBlockedReason", () => {
  const now = 1_700_000_000;
  const summary: ConversationSummary = {
    id: 1, version: 1, contact_id: 1, contact_name: "Kim", channel: "whatsapp", subject: "", preview: "",
    status: "open", snoozed_until: null, assignee_id: 2, assignee_name: "Bob", team_id: null, team_name: null,
    unread: 0, last_activity_at: now, waiting_since: now, reply_window_ends_at: now + 60, do_not_contact: false,
    priority: "none",
  };
  const view = (s: Partial<ConversationSummary>, can_act = true, window: ReplyWindow | null = null): ConversationView => ({
    summary: { ...summary, ...s }, messages: [], has_older: false, notes: [], handoff: null, labels: [], can_act, window, sample: false, drafts: [],
  });
  it("names the assignee when the person may not act", () => {
    expect(replyBlockedReason(view({}, false), now)).toBe("Assigned to Bob. Ask them or a lead to hand it over.");
  });
  it("explains before anyone types that a sample conversation sends nothing", () => {
    expect(replyBlockedReason({ ...view({}), sample: true }, now)).toMatch(/^This is a sample conversation: nothing is sent from here\./);
  });
  it("explains a closed window on WhatsApp and Messenger only", () => {
    expect(replyBlockedReason(view({ reply_window_ends_at: now - 1 }), now)).toMatch(/24-hour reply window has closed/);
    expect(replyBlockedReason(view({ channel: "messenger", reply_window_ends_at: now - 1 }), now)).toMatch(/closed/);
    expect(replyBlockedReason(view({ channel: "email", reply_window_ends_at: now - 1 }), now)).toBeNull();
    expect(replyBlockedReason(view({}), now)).toBeNull();
  });
  it("uses the core's reply window when there is one", () => {
    const w = (x: Partial<ReplyWindow>): ReplyWindow => ({ channel: "whatsapp", open: true, closes_at: now + 5 * 3600 + 12 * 60, needs_template: false, tagged: false, ...x });
    expect(replyMode(view({}, true, w({})), now)).toEqual({ kind: "free", windowText: "Free-form replies for 5 h 12 min" });
    expect(replyMode(view({ channel: "messenger" }, true, w({ channel: "messenger", tagged: true, closes_at: now + 6 * 86400 })), now))
      .toEqual({ kind: "free", windowText: "Free-form replies for 6 d (HUMAN_AGENT tag)" });
    const tpl = replyMode(view({}, true, w({ open: false, closes_at: now - 10, needs_template: true })), now);
    expect(tpl.kind).toBe("template");
    expect(replyBlockedReason(view({}, true, w({ open: false, needs_template: true })), now)).toMatch(/only allows an approved template/);
    const closed = replyMode(view({ channel: "messenger" }, true, w({ channel: "messenger", open: false })), now);
    expect(closed).toMatchObject({ kind: "blocked", expired: false });
    expect(closed.kind === "blocked" && closed.reason).toMatch(/Kim must write first/);
    // Ran out here since it was read: blocked until it is re-read.
    expect(replyMode(view({}, true, w({ closes_at: now - 1 })), now)).toMatchObject({ kind: "blocked", expired: true });
    // Not allowed to act beats everything.
    expect(replyMode(view({}, false, w({ open: false, needs_template: true })), now).kind).toBe("blocked");
  });
  it("blocks replies to a customer who asked not to be contacted", () => {
    expect(replyBlockedReason(view({ do_not_contact: true, channel: "email" }), now)).toBe(
      "Kim asked not to be contacted. Replies are off; notes still work.");
  });
});

describe("splitSnippet", () => {
  it("marks the words between \\u0002 and \\u0003", () => {
    expect(splitSnippet("my \u0002refund\u0003 for \u0002order\u0003 42")).toEqual([
      { text: "my ", mark: false }, { text: "refund", mark: true }, { text: " for ", mark: false },
      { text: "order", mark: true }, { text: " 42", mark: false },
    ]);
  });
  it("keeps plain text and drops stray or empty markers", () => {
    expect(splitSnippet("plain")).toEqual([{ text: "plain", mark: false }]);
    expect(splitSnippet("\u0002\u0003x")).toEqual([{ text: "x", mark: false }]);
    expect(splitSnippet("a\u0003b")).toEqual([{ text: "ab", mark: false }]);
    expect(splitSnippet("\u0002open to the end")).toEqual([{ text: "open to the end", mark: true }]);
    expect(splitSnippet("")).toEqual([]);
  });
  it("never turns markup into anything but text", () => {
    expect(splitSnippet("<b>\u0002x\u0003</b>").map((p) => p.text).join("")).toBe("<b>x</b>");
  });
});

describe("times and sizes", () => {
  const now = new Date(2024, 5, 15, 12, 0, 0).getTime() / 1000;
  it("relativeTime goes now, min, h, d, then a date", () => {
    expect(relativeTime(now - 10, now)).toBe("now");
    expect(relativeTime(now - 5 * 60, now)).toBe("5 min");
    expect(relativeTime(now - 3 * 3600 - 59, now)).toBe("3 h");
    expect(relativeTime(now - 2 * 86400, now)).toBe("2 d");
    expect(relativeTime(new Date(2024, 2, 3, 9, 0).getTime() / 1000, now)).toBe("3 Mar");
    expect(relativeTime(new Date(2023, 11, 24, 9, 0).getTime() / 1000, now)).toBe("24 Dec 2023");
  });
  it("formatWait reads like speech", () => {
    expect(formatWait(30)).toBe("under a minute");
    expect(formatWait(45 * 60)).toBe("45 min");
    expect(formatWait(3 * 3600 + 12 * 60 + 5)).toBe("3 h 12 min");
    expect(formatWait(2 * 3600)).toBe("2 h");
    expect(formatWait(2 * 86400 + 4 * 3600)).toBe("2 d 4 h");
  });
  it("formatSize", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(12 * 1024)).toBe("12 KB");
    expect(formatSize(1.5 * 1024 * 1024)).toBe("1.5 MB");
  });
});

describe("shortcutFor", () => {
  const div = { tagName: "DIV" };
  it("maps the inbox keys", () => {
    expect(shortcutFor({ key: "j", target: div })).toBe("next");
    expect(shortcutFor({ key: "k", target: div })).toBe("prev");
    expect(shortcutFor({ key: "r", target: div })).toBe("reply");
    expect(shortcutFor({ key: "n", target: div })).toBe("note");
    expect(shortcutFor({ key: "t", target: div })).toBe("transfer");
    expect(shortcutFor({ key: "e", target: div })).toBe("resolve");
    expect(shortcutFor({ key: "a", target: div })).toBe("take");
    expect(shortcutFor({ key: "s", target: div })).toBe("snooze");
    expect(shortcutFor({ key: "z", target: div })).toBe("undo");
    expect(shortcutFor({ key: "/", target: div })).toBe("search");
    expect(shortcutFor({ key: "?", target: div })).toBe("help");
    expect(shortcutFor({ key: "b", target: div })).toBe("rails");
    expect(shortcutFor({ key: "c", target: div })).toBe("customer");
    expect(shortcutFor({ key: "Escape", target: null })).toBe("escape");
    expect(shortcutFor({ key: "q", target: div })).toBeNull();
  });
  it("ignores keys typed into fields", () => {
    for (const tagName of ["INPUT", "TEXTAREA", "SELECT", "input"]) {
      expect(shortcutFor({ key: "j", target: { tagName } })).toBeNull();
    }
    expect(shortcutFor({ key: "e", target: { tagName: "DIV", isContentEditable: true } })).toBeNull();
  });
  it("ignores Ctrl, Alt and Meta combinations", () => {
    expect(shortcutFor({ key: "r", ctrlKey: true, target: div })).toBeNull();
    expect(shortcutFor({ key: "j", altKey: true, target: div })).toBeNull();
    expect(shortcutFor({ key: "t", metaKey: true, target: div })).toBeNull();
  });
});

describe("transfer targets and labels", () => {
  it("parses option values", () => {
    expect(parseTransferTarget("agent:5")).toEqual({ kind: "agent", id: 5 });
    expect(parseTransferTarget("team:12")).toEqual({ kind: "team", id: 12 });
    expect(parseTransferTarget("")).toBeNull();
    expect(parseTransferTarget("user:5")).toBeNull();
    expect(parseTransferTarget("agent:")).toBeNull();
    expect(parseTransferTarget("agent:0")).toBeNull();
    expect(parseTransferTarget("agent:5x")).toBeNull();
  });
  it("round-trips", () => {
    expect(parseTransferTarget(transferTargetValue({ kind: "team", id: 7 }))).toEqual({ kind: "team", id: 7 });
  });
  it("parses labels: trimmed, no empties, no repeats", () => {
    expect(parseLabels(" billing, VIP ,, Billing ,refund")).toEqual(["billing", "VIP", "refund"]);
    expect(parseLabels("  ")).toEqual([]);
  });
  it("offers All only to leads and admins", () => {
    expect(viewsFor(false)).toEqual(["mine", "unassigned", "my_teams", "mentions"]);
    expect(viewsFor(true)).toEqual(["mine", "unassigned", "my_teams", "all", "mentions"]);
  });
});

describe("history", () => {
  const msg = (id: number, at: number) => ({ id, at, direction: "in", author: null, body: "", status: "received", attachments: [], masked: false, failure: null, has_html: false, written_at: null, quote: null, reactions: [] });
  const note = (id: number, at: number) => ({ id, at, author: "A", body: "", is_handoff: false });
  it("interleaves notes and messages by time", () => {
    const items = historyItems([msg(1, 10), msg(2, 30)], [note(9, 20), note(8, 30)]);
    expect(items.map((i) => `${i.kind[0]}${i.kind === "message" ? i.message.id : i.note.id}`)).toEqual(["m1", "n9", "m2", "n8"]);
  });
  it("merges pages by id, in time order", () => {
    const merged = mergeById([msg(3, 30), msg(4, 40)], [msg(1, 10), msg(3, 30)]);
    expect(merged.map((m) => m.id)).toEqual([1, 3, 4]);
  });
});

describe("filtersFrom", () => {
  it("fills what an older visit did not keep", () => {
    expect(filtersFrom(undefined, false)).toEqual({ view: "mine", status: "", channel: "", team: "", label: "", priority: "", sort: "activity" });
    expect(filtersFrom({ view: "unassigned", status: "open", channel: "email", label: "vip" }, false))
      .toEqual({ view: "unassigned", status: "open", channel: "email", team: "", label: "vip", priority: "", sort: "activity" });
    expect(filtersFrom({ view: "mine", team: undefined }, false).team).toBe("");
  });
  it("falls back to the person's own conversations for a view they may not use", () => {
    expect(filtersFrom({ view: "all" }, false).view).toBe("mine");
    expect(filtersFrom({ view: "all" }, true).view).toBe("all");
  });
  it("fills priority and order into filters kept before they existed", () => {
    const f = filtersFrom({ view: "mine", status: "", channel: "", team: "", label: "" } as never, false);
    expect(f.priority).toBe("");
    expect(f.sort).toBe("activity");
  });
});

describe("inboxQuery", () => {
  it("sends null for 'any' and a number for the team", () => {
    expect(inboxQuery({ view: "mine", status: "", channel: "", team: "", label: "", priority: "", sort: "activity" }, null))
      .toEqual({ view: "mine", status: null, channel: null, team: null, label: null, priority: null, sort: "activity", after: null });
    const after = { at: 5, id: 9 } as unknown as Parameters<typeof inboxQuery>[1];
    expect(inboxQuery({ view: "all", status: "resolved", channel: "whatsapp", team: "3", label: "billing", priority: "urgent", sort: "priority" }, after))
      .toEqual({ view: "all", status: "resolved", channel: "whatsapp", team: 3, label: "billing", priority: "urgent", sort: "priority", after });
  });
});
