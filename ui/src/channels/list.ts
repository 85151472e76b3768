//! The account list and the webhook listener panel. Cards are cached by the data they show, so a
//! live refresh swaps only the cards that changed and keyboard focus stays where it was.
import type { WebhookSetAsideView } from "../bindings/WebhookSetAsideView";
import * as api from "../api";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { WebhookListener } from "../bindings/WebhookListener";
import { h, replaceChildren } from "../h";
import type { Part } from "../store";
import { card, type CardActions } from "./cards";
import { openEditAccount } from "./edit-dialog";
import { openFolders } from "./folders-dialog";
import { openMailSettings } from "./mail-settings-dialog";
import { openRemove, removedText } from "./remove-dialog";
import { openSecrets } from "./secrets-dialog";
import type { ChannelsDeps, ChannelsState, OpenAside } from "./state";

export function createListener(): Part<ChannelsState> {
  const el = h("section", { id: "webhook-listener", class: "panel", "aria-labelledby": "listener-heading" });
  let shown: WebhookListener | null | undefined;
  function update(s: ChannelsState): void {
    if (s.listener === shown) return;
    shown = s.listener;
    const l = s.listener;
    let state: HTMLElement;
    if (!l) {
      state = h("p", { class: "muted" }, "The state of the webhook listener could not be read.");
    } else if (l.address) {
      state = h("p", null, h("span", { class: "badge ok" }, "Listening"), " at ", h("code", { id: "listener-address" }, l.address));
    } else {
      state = h("div", { class: "warning", id: "listener-error" },
        h("strong", null, "Not listening. "), l.error ?? "The webhook listener is off.");
    }
    replaceChildren(el,
      h("h2", { id: "listener-heading" }, "Webhook listener"),
      state,
      h("p", { class: "hint" },
        "Meta delivers WhatsApp and Messenger messages to this listener. Meta only calls public HTTPS addresses, ",
        "so it has to be reachable through a reverse proxy or tunnel. Messenger accounts can poll instead."));
  }
  return { el, update, dispose: () => {} };
}

type CachedCard = { key: string; aside: OpenAside | null; webhookAside: WebhookSetAsideView[] | null; el: HTMLElement };

export function createAccountList(deps: ChannelsDeps): Part<ChannelsState> {
  const { ctx, store, say } = deps;
  const { app, error } = ctx;
  const el = h("div", { id: "channel-list", class: "channel-list" });
  /** The card on screen per account, with the data it shows: unchanged accounts keep their element. */
  const cards = new Map<number, CachedCard>();
  const asideLoading = new Set<number>();
  const setAside = (id: number, open: OpenAside | null) => {
    const asides = new Map(store.get().asides);
    if (open) asides.set(id, open);
    else asides.delete(id);
    store.set({ asides });
  };

  /** Re-read an open set-aside table in the background (more mail was set aside while it was open). */
  async function reloadAside(id: number, count: number): Promise<void> {
    if (asideLoading.has(id)) return;
    asideLoading.add(id);
    try {
      const rows = await api.setAsideMail(id);
      if (!ctx.current() || !store.get().asides.has(id)) return;
      setAside(id, { rows, count });
    } catch {
      // The table shown stays; closing and opening it tries again.
    } finally {
      asideLoading.delete(id);
    }
  }

  /** While a set-aside mail is being tried again, its table is re-read every second (at most 30 times). */
  const polling = new Set<number>();
  async function followRetries(id: number): Promise<void> {
    if (polling.has(id)) return;
    polling.add(id);
    try {
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        const open = store.get().asides.get(id);
        if (!ctx.current() || !open || !open.rows.some((r) => r.retrying)) return;
        const rows = await api.setAsideMail(id);
        if (!ctx.current() || !store.get().asides.has(id)) return;
        setAside(id, { rows, count: open.count });
      }
    } catch {
      // The table shown stays; closing and opening it reads it again.
    } finally {
      polling.delete(id);
    }
  }
  const replaced = (updated: ChannelAccountView) =>
    store.set({ accounts: store.get().accounts.map((x) => (x.id === updated.id ? updated : x)) });
  const actions: CardActions = {
    retryAside(a, row, btn) {
      error.textContent = "";
      say("");
      const cardEl = cards.get(a.id)?.el ?? el;
      void app.run(cardEl, btn, error, async () => {
        const rows = await api.retrySetAsideMail(a.id, row.id);
        const open = store.get().asides.get(a.id);
        setAside(a.id, { rows, count: open?.count ?? rows.length });
        say("Trying that mail again; the table shows the result.");
        void followRetries(a.id);
      });
    },
    test(a, cardEl, btn) {
      error.textContent = "";
      say("");
      void app.run(cardEl, btn, error, async () => {
        replaced(await api.testChannel(a.id));
        say(`Testing ${a.name}; the report shows on its card.`);
        document.getElementById(`check-${a.id}`)?.scrollIntoView({ block: "nearest" });
      });
    },
    toggleEnabled(a, cardEl, btn) {
      error.textContent = "";
      say("");
      void app.run(cardEl, btn, error, async () => {
        const updated = await api.setChannelEnabled(a.id, a.disabled);
        replaced(updated);
        say(updated.disabled
          ? `Disabled ${updated.name}: nothing is sent, polled or synced; what customers send is still stored.`
          : `Enabled ${updated.name}; waiting replies go out now.`);
        document.getElementById(`enable-channel-${a.id}`)?.focus();
      });
    },
    remove(a) {
      error.textContent = "";
      say("");
      openRemove(app, ctx.host, a, (result) => {
        store.set({ accounts: store.get().accounts.filter((x) => x.id !== a.id) });
        say(removedText(a.name, result));
        document.getElementById("channels-done")?.focus();
      });
    },
    secrets(a) {
      error.textContent = "";
      say("");
      openSecrets(app, ctx.host, a, (updated) => {
        const accounts = store.get().accounts.map((x) => (x.id === updated.id ? updated : x));
        store.set({ accounts });
        say(`Saved the new secrets of ${updated.name}.`);
        cards.get(updated.id)?.el.querySelector<HTMLElement>('[data-action="secrets"]')?.focus();
      });
    },
    servers(a) {
      error.textContent = "";
      say("");
      void openMailSettings(app, ctx.host, a, error, (updated) => {
        const accounts = store.get().accounts.map((x) => (x.id === updated.id ? updated : x));
        store.set({ accounts });
        say(`Saved the servers of ${updated.name}; its mail sync starts again.`);
        cards.get(updated.id)?.el.querySelector<HTMLElement>('[data-action="servers"]')?.focus();
      });
    },
    folders(a) {
      error.textContent = "";
      say("");
      void openFolders(app, ctx.host, a, error, () => {
        say(`Saved the folders of ${a.name}; its mail sync starts again.`);
        cards.get(a.id)?.el.querySelector<HTMLElement>('[data-action="folders"]')?.focus();
      });
    },
    edit(a) {
      error.textContent = "";
      say("");
      openEditAccount(app, ctx.host, a, store.get().teams, (updated) => {
        const accounts = store.get().accounts.map((x) => (x.id === updated.id ? updated : x));
        store.set({ accounts });
        say(`Saved ${updated.name}.`);
        cards.get(updated.id)?.el.querySelector<HTMLElement>('[data-action="edit"]')?.focus();
      });
    },
    refresh(a, cardEl, btn) {
      error.textContent = "";
      say("");
      void app.run(cardEl, btn, error, async () => {
        const updated = await api.refreshChannel(a.id);
        const accounts = store.get().accounts.map((x) => (x.id === updated.id ? updated : x));
        store.set({ accounts });
        cards.get(updated.id)?.el.querySelector<HTMLElement>('[data-action="refresh"]')?.focus();
        say(updated.last_error
          ? `Refreshed ${updated.name}, with a problem: ${updated.last_error}`
          : `Refreshed ${updated.name}${updated.kind === "whatsapp" ? `: ${updated.templates} template${updated.templates === 1 ? "" : "s"}` : ""}.`);
      });
    },
    toggleWebhookAside(a, cardEl, btn) {
      error.textContent = "";
      const open = new Map(store.get().webhookAsides);
      if (open.has(a.id)) {
        open.delete(a.id);
        store.set({ webhookAsides: open });
        document.getElementById(`webhook-aside-${a.id}`)?.focus();
        return;
      }
      void app.run(cardEl, btn, error, async () => {
        const rows = await api.setAsideWebhooks(a.id);
        if (!ctx.current()) return;
        const now = new Map(store.get().webhookAsides);
        now.set(a.id, rows);
        store.set({ webhookAsides: now });
        document.getElementById(`webhook-aside-${a.id}`)?.focus();
      });
    },
    toggleAside(a, m, cardEl, btn) {
      error.textContent = "";
      if (store.get().asides.has(a.id)) {
        setAside(a.id, null);
        document.getElementById(`set-aside-${a.id}`)?.focus();
        return;
      }
      void app.run(cardEl, btn, error, async () => {
        const rows = await api.setAsideMail(a.id);
        if (!ctx.current()) return;
        setAside(a.id, { rows, count: m.set_aside });
        document.getElementById(`set-aside-${a.id}`)?.focus();
      });
    },
  };

  function cardFor(a: ChannelAccountView, s: ChannelsState): HTMLElement {
    const key = JSON.stringify(a);
    const aside = s.asides.get(a.id) ?? null;
    const webhookAside = s.webhookAsides.get(a.id) ?? null;
    const cached = cards.get(a.id);
    if (cached && cached.key === key && cached.aside === aside && cached.webhookAside === webhookAside) return cached.el;
    if (aside && a.email && aside.count !== a.email.set_aside) void reloadAside(a.id, a.email.set_aside);
    const cardEl = card(a, { listener: s.listener, teams: s.teams, aside, webhookAside }, actions);
    cards.set(a.id, { key, aside, webhookAside, el: cardEl });
    return cardEl;
  }

  function update(s: ChannelsState): void {
    const { accounts } = s;
    const active = document.activeElement;
    const focusedId = active instanceof HTMLElement && el.contains(active) ? active.id : "";
    const els = accounts.map((a) => cardFor(a, s));
    const ids = new Set(accounts.map((a) => a.id));
    for (const id of Array.from(cards.keys())) if (!ids.has(id)) cards.delete(id);
    const current = Array.from(el.children);
    if (els.length > 0 && els.length === current.length && accounts.every((a, i) => current[i].getAttribute("data-channel-id") === String(a.id))) {
      // Same accounts in the same order: swap only the cards that changed.
      els.forEach((x, i) => { if (current[i] !== x) current[i].replaceWith(x); });
    } else {
      replaceChildren(el,
        accounts.length === 0 ? h("p", { class: "empty", id: "channels-empty" }, "No channel accounts yet. Add one below.") : null,
        ...els);
    }
    if (focusedId && !el.contains(document.activeElement)) document.getElementById(focusedId)?.focus();
  }

  return { el, update, dispose: () => {} };
}
