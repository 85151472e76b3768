// The signed-in app shell: header, navigation, page area.
import * as api from "../api";
import type { AppStatus } from "../bindings/AppStatus";
import type { SessionInfo } from "../bindings/SessionInfo";
import { h } from "../h";
import { ROLE_LABELS } from "../logic";
import { button, errorArea, notice, type App, type ShowOptions } from "../ui";
import { renderAudit } from "./audit";
import { renderOverview } from "./overview";
import { renderSettings } from "./settings";
import { renderUsers } from "./users";

export type PageId = "overview" | "users" | "settings" | "audit";

export type PageContext = {
  app: App;
  page: HTMLElement;
  error: HTMLElement;
  user: SessionInfo;
  /** False once the person has moved to another page: drop late results. */
  current: () => boolean;
};

const PAGES: { id: PageId; label: string; adminOnly: boolean; render: (ctx: PageContext) => Promise<void> }[] = [
  { id: "overview", label: "Overview", adminOnly: false, render: renderOverview },
  { id: "users", label: "Users", adminOnly: true, render: renderUsers },
  { id: "settings", label: "Settings", adminOnly: true, render: renderSettings },
  { id: "audit", label: "Audit", adminOnly: true, render: renderAudit },
];

export function visiblePages(isAdmin: boolean): PageId[] {
  return PAGES.filter((p) => isAdmin || !p.adminOnly).map((p) => p.id);
}

export type Shell = { element: HTMLElement; lock: () => void };

export function renderShell(app: App, status: AppStatus, opts: ShowOptions): Shell {
  const user = status.user;
  const error = errorArea();
  const lockBtn = button("lock-button", "Lock", { class: "secondary", title: "Lock (Ctrl+L)", "aria-keyshortcuts": "Control+L" });
  const signOutBtn = button("sign-out-button", "Sign out", { class: "secondary" });
  const page = h("section", { id: "page", class: "page", tabindex: "-1", "aria-live": "off" });
  const header = h("header", { class: "topbar" },
    h("span", { class: "product" }, "Appcare Inbox"),
    h("div", { class: "who" },
      h("span", { id: "current-user", class: "who-name" }, user ? user.display_name : ""),
      h("span", { id: "current-role", class: "role-badge" }, user ? ROLE_LABELS[user.role] ?? user.role : ""),
    ),
    h("div", { class: "topbar-actions" }, lockBtn, signOutBtn),
  );

  const isAdmin = user?.role === "admin";
  const navButtons = new Map<PageId, HTMLButtonElement>();
  const nav = h("nav", { class: "sidenav", "aria-label": "Main" });
  for (const p of PAGES) {
    if (p.adminOnly && !isAdmin) continue;
    const b = button(`nav-${p.id}`, p.label, { class: "nav-item" });
    b.addEventListener("click", () => void go(p.id, true));
    navButtons.set(p.id, b);
    nav.appendChild(b);
  }

  const flash = notice(opts.notice);
  const main = h("main", { class: "content" }, flash, error, page);
  const element = h("div", { id: "app-shell", class: "shell" }, header, h("div", { class: "body" }, nav, main));

  let token = 0;
  async function go(id: PageId, focusPage: boolean): Promise<void> {
    const entry = PAGES.find((p) => p.id === id);
    if (!entry || !user || (entry.adminOnly && !isAdmin)) return;
    const mine = ++token;
    for (const [pid, b] of navButtons) {
      if (pid === id) b.setAttribute("aria-current", "page");
      else b.removeAttribute("aria-current");
    }
    error.textContent = "";
    page.replaceChildren(h("p", { class: "loading" }, "Loading…"));
    page.setAttribute("aria-busy", "true");
    try {
      await entry.render({ app, page, error, user, current: () => mine === token });
    } finally {
      if (mine === token) page.removeAttribute("aria-busy");
    }
    if (focusPage && mine === token) page.focus({ preventScroll: true });
  }

  const doLock = () => {
    void app.run(element, lockBtn, error, async () => app.show(await api.lock()));
  };
  lockBtn.addEventListener("click", doLock);
  signOutBtn.addEventListener("click", () => {
    void app.run(element, signOutBtn, error, async () => app.show(await api.signOut()));
  });

  void go("overview", false);
  return { element, lock: doLock };
}
