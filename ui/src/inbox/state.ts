//! The inbox's one typed state, its timing constants, and what every part is given (`Deps`).
import type { CannedReply } from "../bindings/CannedReply";
import type { Colleague } from "../bindings/Colleague";
import type { ContactPanel } from "../bindings/ContactPanel";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { ConversationView } from "../bindings/ConversationView";
import type { MessageView } from "../bindings/MessageView";
import type { NoteView } from "../bindings/NoteView";
import type { OutboundAttachment } from "../bindings/OutboundAttachment";
import type { PageCursor } from "../bindings/PageCursor";
import type { SearchHit } from "../bindings/SearchHit";
import type { TeamSummary } from "../bindings/TeamSummary";
import type { TemplateView } from "../bindings/TemplateView";
import type { ReplyGuard } from "../bindings/ReplyGuard";
import type { Versioned } from "../bindings/Versioned";
import type { PageContext } from "../screens/shell";
import type { Store } from "../store";
import type { Crossing } from "./crossing-logic";
import type { PresenceMap } from "./presence-logic";
import type { Filters } from "./logic";

export type { Filters } from "./logic";

/** Must match `.row { height }` in style.css. */
export const ROW_HEIGHT = 72;
export const OVERSCAN = 6;
/** Load the next page when the rendered rows come this close to the end. */
export const LOAD_AHEAD = 20;
/** A live refresh re-reads at most this many pages from the top; deeper, it offers a reload. */
export const REFRESH_PAGES = 10;
export const LIVE_DEBOUNCE_MS = 150;
export const KEY_OPEN_DELAY_MS = 120;

export type ComposerMode = "reply" | "note";
/** One file per reply, read in this window; kept per conversation until sent or removed. */
export type PendingAttachment = OutboundAttachment & { size: number };

/** The approved templates of the open conversation (outside WhatsApp's 24-hour window). */
export type TemplateState = {
  /** The conversation they were (or are being) loaded for; null: not asked for. */
  for: number | null;
  list: TemplateView[] | null;
  loading: boolean;
  error: string | null;
  chosen: TemplateView | null;
  params: string[];
};
export const NO_TEMPLATES: TemplateState = { for: null, list: null, loading: false, error: null, chosen: null, params: [] };

/** The customer panel beside the open conversation (customer.ts). */
export type CustomerState = {
  /** The contact it is (or is being) loaded for; null: no conversation open. */
  contact: number | null;
  panel: ContactPanel | null;
  loading: boolean;
  /** Why it could not be loaded, in plain words. */
  error: string | null;
};
export const NO_CUSTOMER: CustomerState = { contact: null, panel: null, loading: false, error: null };

/** A search in progress or shown; null in the state: the list is shown. */
export type SearchState = { text: string; hits: SearchHit[] | null; busy: boolean };

/** A reply answering one of the customer's messages (shown quoted to them). */
export type Quoting = { conversation: number; message: number; excerpt: string };

export type InboxState = {
  filters: Filters;
  // ---- the list ----
  rows: ConversationSummary[];
  next: PageCursor | null;
  listBusy: boolean;
  /** Live refresh could not cover what is on screen: offer a reload. */
  stale: boolean;
  selectedId: number | null;
  /** Rows ticked for a bulk reassign (leads and admins), with the version they were ticked at. */
  checked: ReadonlyMap<number, Versioned>;
  search: SearchState | null;
  /** The keyboard shortcut list is shown (a dialog over the window). */
  help: boolean;
  /** The views and filters rail is folded to a strip (kept in the shell's memory). */
  sideCollapsed: boolean;
  /** The customer panel is shown beside the conversation (kept in the shell's memory; default shown). */
  customerShown: boolean;
  // ---- people and canned replies ----
  colleagues: Colleague[];
  teams: TeamSummary[];
  canned: CannedReply[];
  // ---- the open conversation ----
  openId: number | null;
  view: ConversationView | null;
  messages: MessageView[];
  notes: NoteView[];
  hasOlder: boolean;
  /** How the history lands after its next rebuild: at the end, or where it was. */
  historyToEnd: boolean;
  /** What the agent saw when they opened it (sent with each reply: no accidental double answer). */
  seen: { id: number; guard: ReplyGuard } | null;
  // ---- the composer ----
  mode: ComposerMode;
  /** A reply stopped because a colleague answered or took the conversation meanwhile. */
  crossing: Crossing | null;
  /** The customer's message the next reply answers, if the agent chose one. */
  quoting: Quoting | null;
  sending: boolean;
  /** Files being read. */
  reading: number;
  /** Files chosen per conversation: one on WhatsApp and Messenger, up to ten on e-mail. */
  attachments: ReadonlyMap<number, readonly PendingAttachment[]>;
  templates: TemplateState;
  customer: CustomerState;
  /** Who else is on which conversation (presence.ts); memory only. */
  presence: PresenceMap;
  /** Bumped every 30 s while a conversation is open: the reply window moves on. */
  tick: number;
};

export function initialState(filters: Filters): InboxState {
  return {
    filters, rows: [], next: null, listBusy: false, stale: false, selectedId: null, checked: new Map(), search: null, help: false,
    sideCollapsed: false, customerShown: true,
    colleagues: [], teams: [], canned: [],
    openId: null, view: null, messages: [], notes: [], hasOlder: false, historyToEnd: true, seen: null,
    mode: "reply", crossing: null, quoting: null, sending: false, reading: 0, attachments: new Map(), templates: NO_TEMPLATES, customer: NO_CUSTOMER, tick: 0,
    presence: new Map(),
  };
}

/** What the parts call on each other; filled in by `renderInbox` once every part exists. */
export type Actions = {
  loadFirst(): Promise<void>;
  refreshList(): Promise<void>;
  focusList(): void;
  clearSearch(focusList: boolean): void;
  openConversation(id: number, focusAfter?: boolean): Promise<void>;
  reloadConversation(): Promise<void>;
  showEmptyPane(): void;
  loadPeople(): Promise<void>;
  loadTemplates(id: number): Promise<void>;
  focusComposer(): void;
  /** A key was pressed in the composer (presence: typing a reply or a note). */
  typing(mode: ComposerMode): void;
  /** Run an action; on "conflict" (someone else changed it) reload the conversation and list. */
  act(busy: HTMLElement, btn: HTMLButtonElement | null, task: () => Promise<void>, errorEl?: HTMLElement): Promise<boolean>;
};

export type Deps = {
  ctx: PageContext;
  store: Store<InboxState>;
  /** Leads and admins: bulk reassign, the lead views. */
  lead: boolean;
  actions: Actions;
  /** The conversation pane (busy while a whole-conversation action runs). */
  pane(): HTMLElement;
  /** A timeout cleared when the page is left. */
  later(fn: () => void, ms: number): number;
  cancel(timer: number): void;
};

export const now = (): number => Math.floor(Date.now() / 1000);
