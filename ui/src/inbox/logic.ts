//! Pure inbox logic: no DOM, no IPC. Unit-tested in logic.test.ts.
import type { ConversationStatus } from "../bindings/ConversationStatus";
import type { ConversationView } from "../bindings/ConversationView";
import type { InboxQuery } from "../bindings/InboxQuery";
import type { InboxSort } from "../bindings/InboxSort";
import type { InboxView } from "../bindings/InboxView";
import type { MessageView } from "../bindings/MessageView";
import type { NoteView } from "../bindings/NoteView";
import type { PageCursor } from "../bindings/PageCursor";
import type { Priority } from "../bindings/Priority";
import type { TransferTarget } from "../bindings/TransferTarget";
import { windowState } from "../channel-logic";

// ---- virtual list ------------------------------------------------------------

export type WindowInput = {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  overscan: number;
  total: number;
};

/** Which rows to render: `first`..`last` inclusive (last = -1 when there are none),
 * `offset` = where the first one sits, `height` = the height of the whole list. */
export type RowWindow = { first: number; last: number; offset: number; height: number };

export function virtualWindow({ scrollTop, viewportHeight, rowHeight, overscan, total }: WindowInput): RowWindow {
  const height = Math.max(0, total) * rowHeight;
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: -1, offset: 0, height };
  const maxTop = Math.max(0, height - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const view = Math.max(0, viewportHeight);
  const firstVisible = Math.min(total - 1, Math.floor(top / rowHeight));
  const lastVisible = Math.min(total - 1, Math.max(firstVisible, Math.ceil((top + view) / rowHeight) - 1));
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(total - 1, lastVisible + overscan);
  return { first, last, offset: first * rowHeight, height };
}

/** True when the rendered window comes within `threshold` rows of the loaded end. */
export function nearEnd(last: number, total: number, threshold: number): boolean {
  return total === 0 || last >= total - 1 - threshold;
}

/** The scrollTop that brings row `index` fully into view (or the current one if it is). */
export function scrollToRow(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/** Index after moving `delta` from the selected id, clamped; the first row when nothing is selected. */
export function moveSelection(ids: number[], selected: number | null, delta: number): number {
  if (ids.length === 0) return -1;
  const at = selected === null ? -1 : ids.indexOf(selected);
  if (at < 0) return delta >= 0 ? 0 : ids.length - 1;
  return Math.min(ids.length - 1, Math.max(0, at + delta));
}

// ---- labels and times -------------------------------------------------------------

const WINDOWED = new Set(["whatsapp", "messenger"]);

/** WhatsApp and Messenger only allow free-form replies for 24 hours after the customer wrote. */
export function hasReplyWindow(channel: string): boolean {
  return WINDOWED.has(channel);
}

/** "6 d left" (Messenger's tagged window), "23h left", "45 min left" or "Window closed";
 * null when there is no window to show. */
export function replyWindowLabel(endsAt: number | null, now: number): string | null {
  if (endsAt === null) return null;
  const left = endsAt - now;
  if (left <= 0) return "Window closed";
  if (left < 3600) return `${Math.max(1, Math.floor(left / 60))} min left`;
  if (left >= 48 * 3600) return `${Math.floor(left / 86400)} d left`;
  return `${Math.floor(left / 3600)}h left`;
}

export function windowClosed(channel: string, endsAt: number | null, now: number): boolean {
  return hasReplyWindow(channel) && endsAt !== null && endsAt <= now;
}

export type ReplyMode =
  /** Free-form replies (and attachments) allowed; `windowText` = how long, for WhatsApp and Messenger. */
  | { kind: "free"; windowText: string | null }
  /** Only an approved WhatsApp template may be sent. */
  | { kind: "template"; reason: string }
  /** No reply at all; `expired` = the window ran out here: re-read the conversation. */
  | { kind: "blocked"; reason: string; expired: boolean };

/** What the reply composer may send right now, and why not when it may not. */
export function replyMode(view: ConversationView, now: number): ReplyMode {
  const s = view.summary;
  if (!view.can_act) {
    return { kind: "blocked", expired: false, reason: `Assigned to ${s.assignee_name ?? "someone else"}. Ask them or a lead to hand it over.` };
  }
  if (s.do_not_contact) {
    return { kind: "blocked", expired: false, reason: `${s.contact_name} asked not to be contacted. Replies are off; notes still work.` };
  }
  if (view.sample) {
    return { kind: "blocked", expired: false,
      reason: "This is a sample conversation: nothing is sent from here. Connect a channel under Channels to answer real customers. Notes still work." };
  }
  const w = view.window ?? null;
  if (w) {
    const st = windowState(w, now, s.contact_name);
    switch (st.kind) {
      case "free": return { kind: "free", windowText: st.text };
      case "template": return { kind: "template", reason: st.reason };
      case "closed": return { kind: "blocked", expired: false, reason: st.reason };
      case "expired": return { kind: "blocked", expired: true, reason: st.reason };
    }
  }
  // No window from the core (older data): judge by the list's window end.
  if (windowClosed(s.channel, s.reply_window_ends_at, now)) {
    return s.channel === "whatsapp"
      ? { kind: "template", reason: `The 24-hour reply window has closed. Until ${s.contact_name} writes again, WhatsApp only allows an approved template message.` }
      : { kind: "blocked", expired: false, reason: `The reply window has closed. ${s.contact_name} must write first. Notes still work.` };
  }
  return { kind: "free", windowText: null };
}

/** Why a free-form reply cannot be sent right now, in plain words; null when it can. */
export function replyBlockedReason(view: ConversationView, now: number): string | null {
  const m = replyMode(view, now);
  return m.kind === "free" ? null : m.reason;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Compact age for list rows: "now", "5 min", "3 h", "2 d", then a date. */
export function relativeTime(at: number, now: number): string {
  const ago = now - at;
  if (ago < 60) return "now";
  if (ago < 3600) return `${Math.floor(ago / 60)} min`;
  if (ago < 86400) return `${Math.floor(ago / 3600)} h`;
  if (ago < 7 * 86400) return `${Math.floor(ago / 86400)} d`;
  const d = new Date(at * 1000);
  const n = new Date(now * 1000);
  const day = `${d.getDate()} ${MONTHS[d.getMonth()]}`;
  return d.getFullYear() === n.getFullYear() ? day : `${day} ${d.getFullYear()}`;
}

/** A waiting time: "3 h 12 min", "45 min", "2 d 4 h", "under a minute". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return "under a minute";
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const mins = Math.floor((s % 3600) / 60);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export const CHANNEL_LABELS: Record<string, string> = { whatsapp: "WhatsApp", messenger: "Messenger", email: "Email" };
export const channelLabel = (c: string): string => CHANNEL_LABELS[c] ?? c;

export const STATUS_LABELS: Record<ConversationStatus, string> = {
  open: "Open", pending: "Pending", snoozed: "Snoozed", resolved: "Resolved",
};

export const PRIORITY_LABELS: Record<Priority, string> = {
  none: "No priority", low: "Low", medium: "Medium", high: "High", urgent: "Urgent",
};
/** Most urgent first: the order menus list them in. */
export const PRIORITIES: Priority[] = ["urgent", "high", "medium", "low", "none"];

export const VIEW_LABELS: Record<InboxView, string> = {
  mine: "Mine", unassigned: "Unassigned", my_teams: "My teams", all: "All", mentions: "Mentions",
};

/** Views a person may pick: "All" is for leads and admins. */
export function viewsFor(isLead: boolean): InboxView[] {
  return isLead ? ["mine", "unassigned", "my_teams", "all", "mentions"] : ["mine", "unassigned", "my_teams", "mentions"];
}

// ---- filters ----------------------------------------------------------------------

/** The list's filters as the form holds them: "" is "any". */
export type Filters = {
  view: InboxView; status: ConversationStatus | ""; channel: string; team: string; label: string;
  priority: Priority | ""; sort: InboxSort;
};

/** The filters kept from an earlier visit, made whole: older shapes lack a team, and a view this
 * person may not use falls back to their own conversations. */
export function filtersFrom(kept: Partial<Filters> | undefined, isLead: boolean): Filters {
  const f: Filters = { view: "mine", status: "", channel: "", team: "", label: "", priority: "", sort: "activity", ...kept };
  f.team ??= "";
  f.priority ??= "";
  f.sort ??= "activity";
  if (!viewsFor(isLead).includes(f.view)) f.view = "mine";
  return f;
}

/** The query for one page of the list under these filters. */
export function inboxQuery(filters: Filters, after: PageCursor | null): InboxQuery {
  return {
    view: filters.view,
    status: filters.status === "" ? null : filters.status,
    channel: filters.channel === "" ? null : filters.channel,
    team: filters.team === "" ? null : Number(filters.team),
    label: filters.label === "" ? null : filters.label,
    priority: filters.priority === "" ? null : filters.priority,
    sort: filters.sort,
    after,
  };
}

// ---- search snippets ------------------------------------------------------------

export type SnippetPart = { text: string; mark: boolean };

/** Split a snippet on \u0002 (start of match) and \u0003 (end of match). Stray markers are dropped. */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let mark = false;
  let buf = "";
  const flush = () => {
    if (buf) {
      const prev = parts[parts.length - 1];
      if (prev && prev.mark === mark) prev.text += buf;
      else parts.push({ text: buf, mark });
    }
    buf = "";
  };
  for (const ch of snippet) {
    if (ch === "\u0002") { flush(); mark = true; }
    else if (ch === "\u0003") { flush(); mark = false; }
    else buf += ch;
  }
  flush();
  return parts;
}

// ---- transfer targets, labels -----------------------------------------------------

export function transferTargetValue(t: TransferTarget): string {
  return `${t.kind}:${t.id}`;
}

/** "agent:5" -> { kind: "agent", id: 5 }; anything else -> null. */
export function parseTransferTarget(value: string): TransferTarget | null {
  const m = /^(agent|team):(\d+)$/.exec(value.trim());
  if (!m) return null;
  const id = Number(m[2]);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return m[1] === "agent" ? { kind: "agent", id } : { kind: "team", id };
}

/** "billing, VIP ,,billing" -> ["billing", "VIP"]: trimmed, no empties, no repeats. */
export function parseLabels(input: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of input.split(",")) {
    const label = raw.trim();
    if (!label || seen.has(label.toLowerCase())) continue;
    seen.add(label.toLowerCase());
    out.push(label);
  }
  return out;
}

// ---- conversation history ----------------------------------------------------------

export type HistoryItem = { kind: "message"; at: number; message: MessageView } | { kind: "note"; at: number; note: NoteView };

/** Messages and notes in time order (ties: messages first, then by id). */
export function historyItems(messages: MessageView[], notes: NoteView[]): HistoryItem[] {
  const items: HistoryItem[] = [
    ...messages.map((m) => ({ kind: "message" as const, at: m.at, message: m })),
    ...notes.map((n) => ({ kind: "note" as const, at: n.at, note: n })),
  ];
  const id = (i: HistoryItem) => (i.kind === "message" ? i.message.id : i.note.id);
  return items.sort((a, b) => a.at - b.at || (a.kind === b.kind ? id(a) - id(b) : a.kind === "message" ? -1 : 1));
}

/** Union by id, ordered by time then id: for "load older" and live reloads. */
export function mergeById<T extends { id: number; at: number }>(older: T[], newer: T[]): T[] {
  const byId = new Map<number, T>();
  for (const x of older) byId.set(x.id, x);
  for (const x of newer) byId.set(x.id, x);
  return Array.from(byId.values()).sort((a, b) => a.at - b.at || a.id - b.id);
}

// ---- keyboard ---------------------------------------------------------------------

export type Shortcut = "next" | "prev" | "reply" | "note" | "transfer" | "resolve" | "take" | "snooze" | "undo"
  | "search" | "escape" | "help" | "select" | "priority" | "pending" | "rails" | "customer";

export type KeyInput = {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  target?: { tagName?: string; isContentEditable?: boolean } | null;
};

const TYPING_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

export function isTypingTarget(target: KeyInput["target"]): boolean {
  if (!target) return false;
  return TYPING_TAGS.has((target.tagName ?? "").toUpperCase()) || target.isContentEditable === true;
}

const SHORTCUTS: Record<string, Shortcut> = {
  j: "next", k: "prev", r: "reply", n: "note", t: "transfer", e: "resolve", a: "take", s: "snooze", z: "undo",
  "/": "search", "?": "help", x: "select", p: "priority", w: "pending", b: "rails", c: "customer", Escape: "escape",
};

/** The inbox shortcut for a key press; null while typing or with Ctrl/Alt/Meta held. */
export function shortcutFor(ev: KeyInput): Shortcut | null {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return null;
  if (isTypingTarget(ev.target)) return null;
  return SHORTCUTS[ev.key] ?? null;
}

export const SHORTCUT_HELP: [string, string][] = [
  ["j / k", "Next / previous conversation"],
  ["r", "Reply"],
  ["n", "Internal note"],
  ["t", "Transfer…"],
  ["a", "Assign to me"],
  ["e", "Resolve or reopen"],
  ["s", "Snooze…"],
  ["p", "Priority…"],
  ["w", "Waiting on the customer (pending) or open again"],
  ["x", "Select for a bulk change"],
  ["z", "Undo the last action (while its notice shows)"],
  ["/", "Search"],
  ["b", "Hide or show the side rails (navigation, views and filters)"],
  ["c", "Hide or show the customer panel"],
  ["Esc", "Close dialog or clear search"],
  ["Ctrl+Enter", "Send (in the composer)"],
  ["?", "Show or hide this help"],
];
