// The signed-in app shell: header, navigation, page area, toast, live events.
import * as api from "../api";
import type { AppStatus } from "../bindings/AppStatus";
import type { CoreEvent } from "../bindings/CoreEvent";
import type { HandoffNotice } from "../bindings/HandoffNotice";
import type { Role } from "../bindings/Role";
import type { SessionInfo } from "../bindings/SessionInfo";
import { h, replaceChildren } from "../h";
import { ROLE_LABELS } from "../logic";
import { railToggle, showRail } from "../rail";
import { button, errorArea, notice, type App, type ShowOptions } from "../ui";
import { renderAbout } from "./about";
import { renderAudit } from "./audit";
import { renderChannels } from "../channels";
import { renderInbox } from "../inbox";
import { renderOverview } from "./overview";
import { openNotifications } from "./notifications";
import { openChangePassword } from "./password";
import { renderPrivacy } from "./privacy";
import { renderReports } from "../reports";
import { renderResidency } from "./residency";
import { renderSettings } from "./settings";
import { renderTeam } from "./team";
import { renderUsers } from "./users";

export type PageId = "inbox" | "overview" | "team" | "reports" | "users" | "channels" | "settings" | "privacy" | "residency" | "audit" | "about";

/** What a page may receive from the shell's live events. */
export type PageLive = {
  coreEvent?: (event: CoreEvent) => void;
  handoff?: (notice: HandoffNotice) => void;
  /** Open this conversation (inbox only). */
  openConversation?: (id: number) => void;
  /** Save what is being written now: the app is about to lock. */
  flush?: () => Promise<void>;
};

export type ToastAction = { label: string; run: () => void };

export type PageContext = {
  app: App;
  page: HTMLElement;
  error: HTMLElement;
  user: SessionInfo;
  /** False once the person has moved to another page: drop late results. */
  current: () => boolean;
  /** Run `fn` when the person leaves the page (or the shell goes away). */
  onLeave: (fn: () => void) => void;
  /** Receive live events while the page is shown. */
  setLive: (live: PageLive) => void;
  /** A calm, short notice at the bottom of the window. */
  toast: (message: string, action?: ToastAction) => void;
  /** Runs the shown notice's action (Undo) if there is one; false if none is shown. */
  toastAction: () => boolean;
  /** Where dialogs go (inside the shell, so they vanish with it). */
  host: HTMLElement;
  /** A conversation to open on arrival (from a handoff notice). */
  openConversation: number | null;
  /** Survives page changes within this signed-in shell, and a lock and unlock of it in this app run
   * (filters, drafts, the open conversation); never the web view's storage. */
  memory: Map<string, unknown>;
  /** The shell's navigation rail: folded to a strip or open (kept in `memory`). */
  navRail: { collapsed(): boolean; setCollapsed(collapsed: boolean): void };
};

type Access = "all" | "lead" | "admin";

const PAGES: { id: PageId; label: string; access: Access; render: (ctx: PageContext) => Promise<void> }[] = [
  { id: "inbox", label: "Inbox", access: "all", render: renderInbox },
  { id: "overview", label: "Overview", access: "all", render: renderOverview },
  { id: "team", label: "Team", access: "lead", render: renderTeam },
  { id: "reports", label: "Reports", access: "lead", render: renderReports },
  { id: "users", label: "Users", access: "admin", render: renderUsers },
  { id: "channels", label: "Channels", access: "admin", render: renderChannels },
  { id: "settings", label: "Settings", access: "admin", render: renderSettings },
  { id: "privacy", label: "Privacy", access: "admin", render: renderPrivacy },
  { id: "residency", label: "Residency", access: "admin", render: renderResidency },
  { id: "audit", label: "Audit", access: "admin", render: renderAudit },
  { id: "about", label: "About", access: "all", render: renderAbout },
];

export function isLeadOrAdmin(role: Role): boolean {
  return role === "lead" || role === "admin";
}

function allowed(access: Access, role: Role): boolean {
  return access === "all" || (access === "lead" ? isLeadOrAdmin(role) : role === "admin");
}

export function visiblePages(role: Role): PageId[] {
  return PAGES.filter((p) => allowed(p.access, role)).map((p) => p.id);
}

export type Shell = { element: HTMLElement; lock: () => void; dispose: () => void };

/** Where the shell keeps the session's idle limit, for the lock screen to say why it locked. */
export const IDLE_MINUTES_KEY = "session.idleMinutes";
/** Where the shell keeps whether its navigation rail is folded. */
export const NAV_COLLAPSED_KEY = "shell.navCollapsed";

const TOAST_MS = 8000;

/** `memory` is the previous shell's when the same person unlocks: the page, filters, open
 * conversation and drafts carry on. */
export function renderShell(app: App, status: AppStatus, opts: ShowOptions, memory = new Map<string, unknown>()): Shell {
  const user = status.user;
  const error = errorArea();
  const lockBtn = button("lock-button", "Lock", { class: "secondary", title: "Lock (Ctrl+L)", "aria-keyshortcuts": "Control+L" });
  const signOutBtn = button("sign-out-button", "Sign out", { class: "secondary" });
  const passwordBtn = button("change-password-button", "Change password", { class: "secondary" });
  const notifyBtn = button("notifications-button", "Notifications", { class: "secondary" });
  const availability = button("availability-toggle", "Available", {
    class: "availability", "aria-pressed": "true", hidden: true,
    title: "Away: no new conversations are assigned to you",
  });
  const page = h("section", { id: "page", class: "page", tabindex: "-1", "aria-live": "off" });
  const header = h("header", { class: "topbar" },
    h("span", { class: "product" }, "Appcare Inbox"),
    h("div", { class: "who" },
      availability,
      h("span", { id: "current-user", class: "who-name" }, user ? user.display_name : ""),
      h("span", { id: "current-role", class: "role-badge" }, user ? ROLE_LABELS[user.role] ?? user.role : ""),
    ),
    h("div", { class: "topbar-actions" }, notifyBtn, passwordBtn, lockBtn, signOutBtn),
  );

  const role: Role = user?.role ?? "agent";
  const navButtons = new Map<PageId, HTMLButtonElement>();
  const navItems = h("nav", { id: "nav-items", class: "sidenav", "aria-label": "Main" });
  for (const p of PAGES) {
    if (!allowed(p.access, role)) continue;
    const b = button(`nav-${p.id}`, p.label, { class: "nav-item" });
    b.addEventListener("click", () => void go(p.id, true));
    navButtons.set(p.id, b);
    navItems.appendChild(b);
  }
  // The rail folds to a strip to give the page its width; the fold is kept in the shell's memory.
  const navToggle = railToggle("nav-toggle", "Navigation", "nav-items");
  const nav = h("div", { id: "nav-rail", class: "nav-rail" }, navToggle, navItems);
  let navCollapsed = false;
  const setNavCollapsed = (collapsed: boolean): void => {
    navCollapsed = collapsed;
    memory.set(NAV_COLLAPSED_KEY, collapsed);
    showRail(nav, navToggle, navItems, collapsed, "navigation");
  };
  setNavCollapsed(memory.get(NAV_COLLAPSED_KEY) === true);
  navToggle.addEventListener("click", () => setNavCollapsed(!navCollapsed));
  const navRail = { collapsed: () => navCollapsed, setCollapsed: setNavCollapsed };

  // ---- toast -----------------------------------------------------------------
  const toastEl = h("div", { id: "toast", class: "toast", role: "status", "aria-live": "polite" });
  let toastTimer = 0;
  let toastAct: ToastAction | null = null;
  function hideToast(): void {
    window.clearTimeout(toastTimer);
    toastAct = null;
    toastEl.replaceChildren();
  }
  function toastAction(): boolean {
    const act = toastAct;
    if (!act) return false;
    hideToast();
    act.run();
    return true;
  }
  function toast(message: string, action?: ToastAction): void {
    window.clearTimeout(toastTimer);
    const close = button("toast-close", "×", { class: "toast-close", "aria-label": "Dismiss" });
    close.addEventListener("click", hideToast);
    let act: HTMLButtonElement | null = null;
    if (action) {
      act = button("toast-action", action.label, { class: "small" });
      act.addEventListener("click", () => void toastAction());
    }
    replaceChildren(toastEl, h("span", { class: "toast-text" }, message), act, close);
    toastAct = action ?? null;
    toastTimer = window.setTimeout(hideToast, action ? TOAST_MS * 2 : TOAST_MS);
  }

  const flash = notice(opts.notice);
  const main = h("main", { class: "content" }, flash, error, page);
  const element = h("div", { id: "app-shell", class: "shell" }, header, h("div", { class: "body" }, nav, main), toastEl);

  // ---- pages -----------------------------------------------------------------
  let token = 0;
  let leaving: (() => void)[] = [];
  let live: PageLive = {};
  let currentPage: PageId | null = null;

  function leavePage(): void {
    const fns = leaving;
    leaving = [];
    live = {};
    for (const fn of fns) {
      try { fn(); } catch { /* a cleanup must not stop the others */ }
    }
    element.querySelectorAll(".overlay").forEach((o) => o.remove());
  }

  async function go(id: PageId, focusPage: boolean, openConversation: number | null = null): Promise<void> {
    const entry = PAGES.find((p) => p.id === id);
    if (!entry || !user || !allowed(entry.access, role)) return;
    leavePage();
    const mine = ++token;
    currentPage = id;
    memory.set("shell.page", id);
    for (const [pid, b] of navButtons) {
      if (pid === id) b.setAttribute("aria-current", "page");
      else b.removeAttribute("aria-current");
    }
    error.textContent = "";
    main.classList.toggle("fill", id === "inbox");
    page.replaceChildren(h("p", { class: "loading" }, "Loading…"));
    page.setAttribute("aria-busy", "true");
    const ctx: PageContext = {
      app, page, error, user, host: element, memory, navRail, openConversation, toast, toastAction,
      current: () => mine === token,
      onLeave: (fn) => { if (mine === token) leaving.push(fn); else fn(); },
      setLive: (l) => { if (mine === token) live = l; },
    };
    try {
      await entry.render(ctx);
    } finally {
      if (mine === token) page.removeAttribute("aria-busy");
    }
    if (focusPage && mine === token && !page.contains(document.activeElement)) page.focus({ preventScroll: true });
  }

  // ---- availability --------------------------------------------------------------
  let available = true;
  function showAvailability(a: boolean): void {
    available = a;
    availability.hidden = false;
    availability.textContent = a ? "Available" : "Away";
    availability.setAttribute("aria-pressed", a ? "true" : "false");
    availability.classList.toggle("away", !a);
  }
  async function loadAvailability(): Promise<void> {
    if (!user) return;
    try {
      const me = (await api.listColleagues()).find((c) => c.id === user.user_id);
      if (me && !disposed) showAvailability(me.available);
    } catch {
      // Not critical: the toggle stays hidden until the next change event.
    }
  }
  availability.addEventListener("click", () => {
    const next = !available;
    error.textContent = "";
    void app.run(header, availability, error, async () => {
      const returned = await api.setAvailability(next);
      showAvailability(next);
      if (next) toast("You are available. New conversations can be assigned to you.");
      else if (returned > 0) toast(`You are away. ${returned} conversation${returned === 1 ? "" : "s"} went back to the queue.`);
      else toast("You are away. No new conversations will be assigned to you.");
    });
  });

  // ---- live events ------------------------------------------------------------------
  let disposed = false;
  const unlisteners: (() => void)[] = [];
  function keep(p: Promise<() => void>): void {
    p.then((un) => { if (disposed) un(); else unlisteners.push(un); }).catch(() => { /* no event bridge (tests, browser) */ });
  }
  function onCoreEvent(e: CoreEvent): void {
    if (disposed || !user) return;
    if (e.kind === "sessions_ended" && e.user === user.user_id) { void app.refresh(); return; }
    if (e.kind === "user_changed" && e.user === user.user_id) void loadAvailability();
    if (e.kind === "settings_changed") void loadIdleMinutes();
    live.coreEvent?.(e);
  }
  function onHandoff(n: HandoffNotice): void {
    if (disposed) return;
    live.handoff?.(n);
    toast(`${n.from_name} handed you a conversation`, {
      label: "Open",
      run: () => {
        if (currentPage === "inbox" && live.openConversation) live.openConversation(n.conversation);
        else void go("inbox", false, n.conversation);
      },
    });
  }
  try {
    keep(api.onCoreEvent(onCoreEvent));
    keep(api.onHandoffNotice(onHandoff));
  } catch {
    // no event bridge
  }

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    token++;
    leavePage();
    hideToast();
    for (const un of unlisteners.splice(0)) {
      try { un(); } catch { /* already gone */ }
    }
  }

  // ---- locking -----------------------------------------------------------------
  /** The lock screen says after how many idle minutes the session locked: known while signed in. */
  async function loadIdleMinutes(): Promise<void> {
    try {
      const policy = await api.sessionPolicy();
      if (!disposed) memory.set(IDLE_MINUTES_KEY, policy.idle_minutes);
    } catch {
      // The lock screen then says "after inactivity" without the minutes.
    }
  }
  const doLock = () => {
    void app.run(element, lockBtn, error, async () => {
      // Drafts are saved before the session locks (a locked session cannot save them).
      await live.flush?.().catch(() => { /* kept in memory; saved after unlocking */ });
      app.show(await api.lock(), { lockedByHand: true });
    });
  };
  lockBtn.addEventListener("click", doLock);
  passwordBtn.addEventListener("click", () => openChangePassword(app, element, toast));
  notifyBtn.addEventListener("click", () => openNotifications(app, element, toast));
  signOutBtn.addEventListener("click", () => {
    void app.run(element, signOutBtn, error, async () => {
      await live.flush?.().catch(() => { /* the store keeps what was saved before */ });
      app.show(await api.signOut());
    });
  });

  void loadAvailability();
  void loadIdleMinutes();
  const was = memory.get("shell.page") as PageId | undefined;
  void go(was && visiblePages(role).includes(was) ? was : "inbox", false);
  return { element, lock: doLock, dispose };
}
