//! The channels screen (admins only): WhatsApp and Messenger with the webhook listener, and support
//! mailboxes with their sync progress; the list follows live changes, and there is a form to add each
//! kind. This module loads the page, wires the parts to one store and follows live changes.
import * as api from "../api";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { TeamSummary } from "../bindings/TeamSummary";
import type { WebhookListener } from "../bindings/WebhookListener";
import { webhookUrl } from "../channel-logic";
import { liveDelay } from "../email-logic";
import { h } from "../h";
import type { PageContext } from "../screens/shell";
import { createStore, type Part } from "../store";
import { createAccountList, createListener } from "./list";
import { createMailForm } from "./mail-form";
import { createMetaForm } from "./meta-form";
import { addedAccount, withAccounts, type ChannelsDeps, type ChannelsState } from "./state";

export async function renderChannels(ctx: PageContext): Promise<void> {
  let accounts: ChannelAccountView[];
  let teams: TeamSummary[];
  let listener: WebhookListener | null;
  try {
    [accounts, teams, listener] = await Promise.all([
      api.listChannels(),
      api.listTeams(),
      // The listener state is useful but not essential: the page works without it.
      api.webhookListener().catch(() => null),
    ]);
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;

  const store = createStore<ChannelsState>({ accounts, teams, listener, asides: new Map(), webhookAsides: new Map(), done: "" });
  const done = h("p", { id: "channels-done", class: "status", role: "status", tabindex: "-1" });
  const deps: ChannelsDeps = { ctx, store, say: (message) => store.set({ done: message }) };

  const listenerPanel = createListener();
  const list = createAccountList(deps);
  const metaForm = createMetaForm(deps, teams, (created) => {
    store.set(addedAccount(store.get(), created));
    const url = webhookUrl(store.get().listener, created.webhook_path);
    deps.say(created.poll
      ? `Added ${created.name}. It polls Meta for new messages.`
      : `Added ${created.name}. In the Meta app, set the webhook callback URL to ${url ?? created.webhook_path} (as Meta reaches it) and the verify token you entered.`);
    done.focus();
  });
  const mailForm = createMailForm(deps, teams, (created) => {
    store.set(addedAccount(store.get(), created));
    deps.say(`Connected ${created.name}. The first sync starts now; its progress shows in the list above.`);
    done.focus();
  });

  // Sync progress arrives as bursts of ChannelsChanged events: re-read at most ~2 times a second.
  let liveTimer = 0;
  let lastFetch = 0;
  let fetching = false;
  let again = false;
  function onChannelsChanged(): void {
    if (fetching) { again = true; return; }
    if (liveTimer) return;
    liveTimer = window.setTimeout(() => void refetch(), liveDelay(lastFetch, Date.now()));
  }
  async function refetch(): Promise<void> {
    liveTimer = 0;
    fetching = true;
    lastFetch = Date.now();
    try {
      const fresh = await api.listChannels();
      if (!ctx.current()) return;
      store.set(withAccounts(store.get(), fresh));
    } catch {
      // Keep what is shown; the next change tries again (a locked session is noticed by the app itself).
    } finally {
      fetching = false;
      if (again && ctx.current()) { again = false; onChannelsChanged(); }
    }
  }
  ctx.setLive({ coreEvent: (e) => { if (e.kind === "channels_changed") onChannelsChanged(); } });

  const parts: Part<ChannelsState>[] = [listenerPanel, list, metaForm, mailForm];
  ctx.onLeave(() => {
    window.clearTimeout(liveTimer);
    liveTimer = 0;
    again = false;
    for (const p of parts) p.dispose();
  });

  ctx.page.replaceChildren(h("div", { id: "channels" },
    h("h1", null, "Channels"),
    done,
    listenerPanel.el,
    h("section", { class: "channel-section", "aria-labelledby": "accounts-heading" },
      h("h2", { id: "accounts-heading" }, "Accounts"), list.el),
    metaForm.el,
    mailForm.el));
  store.render((s) => {
    done.textContent = s.done;
    for (const p of parts) p.update(s);
  });
}
