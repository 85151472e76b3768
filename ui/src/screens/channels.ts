// Channel accounts (admins only): WhatsApp and Messenger with the webhook listener, and support
// mailboxes with their sync progress; the list follows live changes, and there is a form to add each kind.
import * as api from "../api";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { EmailAccountView } from "../bindings/EmailAccountView";
import type { MailFolderView } from "../bindings/MailFolderView";
import type { SetAsideView } from "../bindings/SetAsideView";
import type { TeamSummary } from "../bindings/TeamSummary";
import type { WebhookListener } from "../bindings/WebhookListener";
import {
  buildNewChannel, checkChannelForm, externalIdLabel, localStorageInfo, webhookUrl, type ChannelForm, type ChannelKind,
} from "../channel-logic";
import {
  buildNewEmailAccount, checkEmailForm, DEFAULT_PORTS, fieldOfError, folderProgress, folderProgressText, folderStateLine, folderTone,
  formatMailSize, groupDigits, liveDelay, portAfterSecurityChange, type EmailForm, type MailProtocol, type MailSecurity,
} from "../email-logic";
import { h, replaceChildren } from "../h";
import { channelLabel } from "../inbox/logic";
import { formatDateTime, toUiError } from "../logic";
import { button, field, input, problem, submit, textarea } from "../ui";
import type { PageContext } from "./shell";

const META_KINDS = new Set(["whatsapp", "messenger"]);

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
  const { app, error } = ctx;

  const done = h("p", { id: "channels-done", class: "status", role: "status", tabindex: "-1" });
  const say = (message: string) => { done.textContent = message; };

  // ---- webhook listener -------------------------------------------------------------
  const listenerPanel = h("section", { id: "webhook-listener", class: "panel", "aria-labelledby": "listener-heading" });
  function showListener(): void {
    const l = listener;
    let state: HTMLElement;
    if (!l) {
      state = h("p", { class: "muted" }, "The state of the webhook listener could not be read.");
    } else if (l.address) {
      state = h("p", null, h("span", { class: "badge ok" }, "Listening"), " at ", h("code", { id: "listener-address" }, l.address));
    } else {
      state = h("div", { class: "warning", id: "listener-error" },
        h("strong", null, "Not listening. "), l.error ?? "The webhook listener is off.");
    }
    replaceChildren(listenerPanel,
      h("h2", { id: "listener-heading" }, "Webhook listener"),
      state,
      h("p", { class: "hint" },
        "Meta delivers WhatsApp and Messenger messages to this listener. Meta only calls public HTTPS addresses, ",
        "so it has to be reachable through a reverse proxy or tunnel. Messenger accounts can poll instead."));
  }
  showListener();

  // ---- accounts -----------------------------------------------------------------------
  const list = h("div", { id: "channel-list", class: "channel-list" });
  const teamName = (id: number | null) => (id === null ? "None: the unassigned queue" : teams.find((t) => t.id === id)?.name ?? `Team ${id}`);

  function fact(label: string, value: Node | string, key: string): Node[] {
    return [h("dt", null, label), h("dd", { "data-field": key }, value)];
  }

  function metaCard(a: ChannelAccountView): HTMLElement {
    const wa = a.kind === "whatsapp";
    const meta = META_KINDS.has(a.kind);
    const url = webhookUrl(listener, a.webhook_path);
    const hook: Node | string = a.poll
      ? "Not used: this account polls the Conversations API"
      : url
        ? h("code", null, url)
        : h("span", null, h("code", null, a.webhook_path), h("span", { class: "muted" }, " (the listener is not running)"));
    const storage = localStorageInfo(a.local_storage);
    const refresh = meta ? button(`refresh-channel-${a.id}`, "Refresh from Meta", { class: "small secondary", "data-action": "refresh" }) : null;
    refresh?.addEventListener("click", () => {
      error.textContent = "";
      say("");
      void app.run(el, refresh, error, async () => {
        const updated = await api.refreshChannel(a.id);
        const idx = accounts.findIndex((x) => x.id === updated.id);
        if (idx >= 0) accounts[idx] = updated;
        showList();
        cards.get(updated.id)?.el.querySelector<HTMLElement>('[data-action="refresh"]')?.focus();
        say(updated.last_error
          ? `Refreshed ${updated.name}, with a problem: ${updated.last_error}`
          : `Refreshed ${updated.name}${updated.kind === "whatsapp" ? `: ${updated.templates} template${updated.templates === 1 ? "" : "s"}` : ""}.`);
      });
    });
    const headingId = `channel-${a.id}-name`;
    const el = h("article", { class: "channel-card", "data-channel-id": a.id, "aria-labelledby": headingId },
      h("div", { class: "channel-card-head" },
        h("span", { class: `badge channel channel-${a.kind}` }, h("span", { class: "kind-icon", "aria-hidden": "true" }, kindIcon(a.kind)), " ", channelLabel(a.kind)),
        h("h3", { id: headingId, class: "channel-name" }, a.name),
        refresh),
      a.last_error
        ? h("div", { class: "warning", "data-field": "last_error" }, h("strong", null, "Last problem: "), a.last_error)
        : null,
      h("dl", { class: "facts channel-facts" },
        fact(externalIdLabel(a.kind), h("code", null, a.external_id), "external_id"),
        wa ? fact("WhatsApp business account id", a.business_account_id ? h("code", null, a.business_account_id) : "Not set", "business_account_id") : [],
        meta ? fact("Webhook URL", hook, "webhook_url") : [],
        fact("Access token", h("code", null, a.token_hint), "token_hint"),
        fact("Default team", teamName(a.default_team), "default_team"),
        wa ? fact("Templates", String(a.templates), "templates") : [],
        wa ? fact("Local storage", h("span", null,
          h("span", { class: `badge ${storage.tone}` }, storage.label),
          storage.detail ? h("span", { class: "muted" }, ` ${storage.detail}`) : null), "local_storage") : [],
        a.kind === "messenger" ? fact("HUMAN_AGENT tag", a.human_agent ? "Approved: replies up to 7 days" : "Not approved: replies up to 24 hours", "human_agent") : [],
        meta ? fact("Graph API", h("span", null, h("code", null, a.graph_base_url), " ", h("code", null, a.api_version)), "graph") : []));
    return el;
  }

  // ---- mailboxes ------------------------------------------------------------------------
  /** Set-aside tables that are open, by account, with the count they were read at: they survive the card
   * being rebuilt by a live refresh, and are re-read when the count moves. */
  const asides = new Map<number, { rows: SetAsideView[]; count: number }>();
  const asideLoading = new Set<number>();

  /** Re-read an open set-aside table in the background (more mail was set aside while it was open). */
  async function reloadAside(id: number, count: number): Promise<void> {
    if (asideLoading.has(id)) return;
    asideLoading.add(id);
    try {
      const rows = await api.setAsideMail(id);
      if (!ctx.current() || !asides.has(id)) return;
      asides.set(id, { rows, count });
      rebuild(id, false);
    } catch {
      // The table shown stays; closing and opening it tries again.
    } finally {
      asideLoading.delete(id);
    }
  }

  function mailCard(a: ChannelAccountView, m: EmailAccountView): HTMLElement {
    const headingId = `channel-${a.id}-name`;
    const open = asides.get(a.id) ?? null;
    if (open && open.count !== m.set_aside) void reloadAside(a.id, m.set_aside);
    const panelId = `set-aside-panel-${a.id}`;
    const asideBtn = m.set_aside > 0
      ? button(`set-aside-${a.id}`, `${groupDigits(m.set_aside)} set aside`, {
        class: "small secondary", "data-action": "set-aside", "aria-expanded": open ? "true" : "false", "aria-controls": panelId,
      })
      : null;
    const el = h("article", { class: "channel-card mail-card", "data-channel-id": a.id, "aria-labelledby": headingId },
      h("div", { class: "channel-card-head" },
        h("span", { class: `badge channel channel-${a.kind}` }, h("span", { class: "kind-icon", "aria-hidden": "true" }, kindIcon(a.kind)), " ", channelLabel(a.kind)),
        h("h3", { id: headingId, class: "channel-name" }, a.name),
        asideBtn),
      a.last_error
        ? h("div", { class: "warning", "data-field": "last_error" }, h("strong", null, "Last problem: "), a.last_error)
        : null,
      h("dl", { class: "facts channel-facts" },
        fact("Address", h("code", null, m.address), "address"),
        fact("Incoming (IMAP)", h("span", null, h("code", null, m.imap), h("span", { class: "muted" }, " · folder "), h("code", null, m.folder)), "imap"),
        fact("Outgoing (SMTP)", h("span", null, h("code", null, m.smtp), h("span", { class: "muted" }, " · sent folder "), h("code", null, m.sent_folder)), "smtp"),
        fact("Password", h("span", null, a.token_hint), "token_hint"),
        fact("Default team", teamName(a.default_team), "default_team"),
        fact("Sync", folderList(m.folders), "sync")),
      open ? asidePanel(a, panelId, open.rows) : null);
    asideBtn?.addEventListener("click", () => {
      error.textContent = "";
      if (asides.has(a.id)) {
        asides.delete(a.id);
        rebuild(a.id);
        return;
      }
      void app.run(el, asideBtn, error, async () => {
        const rows = await api.setAsideMail(a.id);
        if (!ctx.current()) return;
        asides.set(a.id, { rows, count: m.set_aside });
        rebuild(a.id);
      });
    });
    return el;
  }

  /** Rebuild one card (its set-aside table opened, closed or re-read); `focus` puts focus on its button. */
  function rebuild(id: number, focus = true): void {
    cards.delete(id);
    showList();
    if (focus) document.getElementById(`set-aside-${id}`)?.focus();
  }

  function folderList(folders: MailFolderView[]): HTMLElement {
    if (folders.length === 0) return h("span", { class: "muted" }, "Waiting to connect");
    return h("ul", { class: "mail-folders" }, ...folders.map((f) => {
      const bar = f.state === "syncing" ? folderProgress(f) : null;
      return h("li", { class: "mail-folder", "data-folder": f.folder },
        h("span", { class: "mail-folder-name" }, f.folder),
        h("span", { class: `mail-sync-state tone-${folderTone(f.state)}`, "data-folder": f.folder, "data-state": f.state }, folderStateLine(f)),
        f.state === "syncing"
          ? h("span", { class: "mail-progress-wrap" },
            h("progress", {
              class: "mail-progress", "data-folder": f.folder, "aria-label": `Sync of ${f.folder}`,
              max: bar ? bar.max : null, value: bar ? bar.value : null,
            }),
            h("span", { class: "mail-progress-text" }, folderProgressText(f)))
          : null);
    }));
  }

  function asidePanel(a: ChannelAccountView, id: string, rows: SetAsideView[]): HTMLElement {
    return h("div", { id, class: "set-aside", role: "region", "aria-label": `Mail set aside from ${a.name}` },
      h("p", { class: "hint" }, "Mail the app could not file into a conversation. It stays in the mailbox; nothing was deleted."),
      rows.length === 0
        ? h("p", { class: "empty" }, "Nothing is set aside any more.")
        : h("div", { class: "table-wrap" }, h("table", { class: "table set-aside-table", id: `set-aside-table-${a.id}` },
          h("thead", null, h("tr", null,
            h("th", { scope: "col" }, "Received"), h("th", { scope: "col" }, "From"), h("th", { scope: "col" }, "Subject"),
            h("th", { scope: "col" }, "Reason"), h("th", { scope: "col", class: "num" }, "Size"))),
          h("tbody", null, ...rows.map((r) => h("tr", { "data-set-aside-id": r.id },
            h("td", { class: "nowrap" }, formatDateTime(r.created_at)),
            h("td", { class: "detail" }, r.from_address || h("span", { class: "muted" }, "unknown")),
            h("td", { class: "detail" }, r.subject || h("span", { class: "muted" }, "(no subject)")),
            h("td", { class: "detail" }, r.reason),
            h("td", { class: "num nowrap" }, formatMailSize(r.size))))))));
  }

  // ---- the list, kept in step with live changes --------------------------------------------
  /** The card on screen per account, with the data it shows: unchanged accounts keep their element. */
  const cards = new Map<number, { key: string; el: HTMLElement }>();

  function card(a: ChannelAccountView): HTMLElement {
    return a.kind === "email" && a.email ? mailCard(a, a.email) : metaCard(a);
  }

  function showList(): void {
    const active = document.activeElement;
    const focusedId = active instanceof HTMLElement && list.contains(active) ? active.id : "";
    const els = accounts.map((a) => {
      const key = JSON.stringify(a);
      const cached = cards.get(a.id);
      if (cached && cached.key === key) return cached.el;
      const el = card(a);
      cards.set(a.id, { key, el });
      return el;
    });
    const ids = new Set(accounts.map((a) => a.id));
    for (const id of Array.from(cards.keys())) if (!ids.has(id)) { cards.delete(id); asides.delete(id); }
    const current = Array.from(list.children);
    if (els.length > 0 && els.length === current.length && accounts.every((a, i) => current[i].getAttribute("data-channel-id") === String(a.id))) {
      // Same accounts in the same order: swap only the cards that changed.
      els.forEach((el, i) => { if (current[i] !== el) current[i].replaceWith(el); });
    } else {
      replaceChildren(list,
        accounts.length === 0 ? h("p", { class: "empty", id: "channels-empty" }, "No channel accounts yet. Add one below.") : null,
        ...els);
    }
    if (focusedId && !list.contains(document.activeElement)) document.getElementById(focusedId)?.focus();
  }
  showList();

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
      accounts = fresh;
      showList();
    } catch {
      // Keep what is shown; the next change tries again (a locked session is noticed by the app itself).
    } finally {
      fetching = false;
      if (again && ctx.current()) { again = false; onChannelsChanged(); }
    }
  }
  ctx.setLive({ coreEvent: (e) => { if (e.kind === "channels_changed") onChannelsChanged(); } });
  ctx.onLeave(() => { window.clearTimeout(liveTimer); liveTimer = 0; again = false; });

  // ---- add an account ------------------------------------------------------------------
  const kind = h("select", { id: "ch-kind", name: "ch-kind" },
    h("option", { value: "whatsapp" }, "WhatsApp"),
    h("option", { value: "messenger" }, "Messenger"));
  const name = input("ch-name", { required: true, placeholder: "e.g. Support NL" });
  const externalId = input("ch-external-id", { required: true, inputmode: "numeric" });
  const waba = input("ch-waba-id", { inputmode: "numeric" });
  const secret = (id: string) => input(id, { type: "password", autocomplete: "off", required: true });
  const token = secret("ch-access-token");
  const appSecret = secret("ch-app-secret");
  const verifyToken = secret("ch-verify-token");
  const team = h("select", { id: "ch-team", name: "ch-team" },
    h("option", { value: "" }, "None: the unassigned queue"),
    ...teams.map((t) => h("option", { value: String(t.id) }, t.name)));
  const humanAgent = h("input", { type: "checkbox", id: "ch-human-agent", name: "ch-human-agent", "aria-describedby": "ch-human-agent-hint" });
  const poll = h("input", { type: "checkbox", id: "ch-poll", name: "ch-poll", "aria-describedby": "ch-poll-hint" });
  const graphBase = input("ch-graph-base", { placeholder: "https://graph.facebook.com", inputmode: "url" });
  const apiVersion = input("ch-api-version", { placeholder: "e.g. v21.0", class: "narrow" });

  const externalField = field("Phone-number id", externalId, "The id Meta gives this number or page.");
  const externalLabel = externalField.querySelector("label")!;
  const externalHint = externalField.querySelector<HTMLElement>(".hint")!;
  const wabaField = field("WhatsApp business account id", waba, "Needed to read your approved message templates.");
  const verifyField = field("Verify token", verifyToken, "Any phrase you choose. Enter the same phrase in the Meta app's webhook settings.");
  const messengerOptions = h("fieldset", { class: "choices", id: "ch-messenger-options" },
    h("legend", null, "Messenger options"),
    h("div", { class: "choice" }, humanAgent, h("label", { for: "ch-human-agent" }, "HUMAN_AGENT tag approved")),
    h("p", { class: "hint choice-hint", id: "ch-human-agent-hint" },
      "Meta approved the Human Agent permission for your app: agents may reply up to 7 days after the customer's last message, not 24 hours."),
    h("div", { class: "choice" }, poll, h("label", { for: "ch-poll" }, "Poll the Conversations API (no public webhook URL)")),
    h("p", { class: "hint choice-hint", id: "ch-poll-hint" },
      "Fetches new messages every so often instead of receiving webhooks. Slower; use it when Meta cannot reach this computer."));
  const advanced = h("details", { class: "advanced", id: "ch-advanced" },
    h("summary", null, "Advanced"),
    h("div", { class: "grid2" },
      field("Graph API base URL", graphBase, "Leave empty for Meta's own address."),
      field("API version", apiVersion, "Leave empty for the app's default.")));

  function syncKind(): void {
    const k = kind.value as ChannelKind;
    const wa = k === "whatsapp";
    externalLabel.textContent = externalIdLabel(k);
    externalHint.textContent = wa
      ? "The Phone number ID from the API setup page of your Meta app. It is not the phone number itself."
      : "The numeric ID of the Facebook Page.";
    wabaField.hidden = !wa;
    messengerOptions.hidden = wa;
    verifyField.hidden = !wa && poll.checked;
  }
  kind.addEventListener("change", syncKind);
  poll.addEventListener("change", syncKind);

  const addBtn = submit("ch-submit", "Add account");
  const form = h("form", { id: "channel-form", class: "panel", novalidate: true, autocomplete: "off" },
    h("h2", null, "Add a WhatsApp or Messenger account"),
    h("div", { class: "grid2" },
      field("Channel", kind),
      field("Name", name, "Shown to agents and admins."),
      externalField,
      wabaField),
    h("div", { class: "grid2" },
      field("Access token", token, "A long-lived system-user token. Only its last characters are shown afterwards."),
      field("App secret", appSecret, "In the Meta app under Settings, Basic. Used to check that webhooks come from Meta."),
      verifyField,
      field("Default team", team, "New conversations from this account go to this team's queue.")),
    messengerOptions,
    advanced,
    h("div", { class: "actions" }, addBtn));
  syncKind();

  const inputs: Record<keyof ChannelForm, HTMLElement> = {
    kind, name, external_id: externalId, business_account_id: waba, access_token: token, app_secret: appSecret,
    verify_token: verifyToken, default_team: team, human_agent: humanAgent, poll, graph_base_url: graphBase, api_version: apiVersion,
  };
  const clearSecrets = () => { token.value = ""; appSecret.value = ""; verifyToken.value = ""; };
  // Secrets never outlive the page.
  ctx.onLeave(clearSecrets);

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    say("");
    const f: ChannelForm = {
      kind: kind.value as ChannelKind, name: name.value, external_id: externalId.value, business_account_id: waba.value,
      access_token: token.value, app_secret: appSecret.value, verify_token: verifyToken.value, default_team: team.value,
      human_agent: humanAgent.checked, poll: poll.checked, graph_base_url: graphBase.value, api_version: apiVersion.value,
    };
    const bad = checkChannelForm(f);
    if (bad) {
      if (bad.field === "graph_base_url" || bad.field === "api_version") advanced.open = true;
      return problem(error, inputs[bad.field], bad.message);
    }
    void app.run(form, addBtn, error, async () => {
      const created = await api.addChannel(buildNewChannel(f));
      clearSecrets();
      name.value = "";
      externalId.value = "";
      waba.value = "";
      accounts = [...accounts.filter((x) => x.id !== created.id), created];
      showList();
      const url = webhookUrl(listener, created.webhook_path);
      say(created.poll
        ? `Added ${created.name}. It polls Meta for new messages.`
        : `Added ${created.name}. In the Meta app, set the webhook callback URL to ${url ?? created.webhook_path} (as Meta reaches it) and the verify token you entered.`);
      done.focus();
    });
  });

  // ---- connect a mailbox -------------------------------------------------------------------
  const mailForm = mailboxForm(ctx, teams, (created) => {
    accounts = [...accounts.filter((x) => x.id !== created.id), created];
    showList();
    say(`Connected ${created.name}. The first sync starts now; its progress shows in the list above.`);
    done.focus();
  }, () => { error.textContent = ""; say(""); });

  ctx.page.replaceChildren(h("div", { id: "channels" },
    h("h1", null, "Channels"),
    done,
    listenerPanel,
    h("section", { class: "channel-section", "aria-labelledby": "accounts-heading" },
      h("h2", { id: "accounts-heading" }, "Accounts"), list),
    form,
    mailForm));
}

/** The "Connect a mailbox" form. Its errors show in its own alert next to the submit button. */
function mailboxForm(ctx: PageContext, teams: TeamSummary[], added: (a: ChannelAccountView) => void, starting: () => void): HTMLFormElement {
  const { app } = ctx;
  const name = input("mail-name", { required: true, placeholder: "e.g. Support" });
  const address = input("mail-address", { required: true, inputmode: "email", placeholder: "help@example.com" });
  const displayName = input("mail-display-name", { placeholder: "e.g. Appcare Support" });
  const imapHost = input("mail-imap-host", { required: true, placeholder: "imap.example.com" });
  const imapPort = input("mail-imap-port", { required: true, inputmode: "numeric", class: "narrow", value: "993" });
  const imapSecurity = securitySelect("mail-imap-security", "imap");
  const smtpHost = input("mail-smtp-host", { required: true, placeholder: "smtp.example.com" });
  const smtpPort = input("mail-smtp-port", { required: true, inputmode: "numeric", class: "narrow", value: "465" });
  const smtpSecurity = securitySelect("mail-smtp-security", "smtp");
  const username = input("mail-username", { placeholder: "same as the address" });
  const password = input("mail-password", { type: "password", autocomplete: "off", required: true });
  const folder = input("mail-folder", { placeholder: "INBOX" });
  const sentFolder = input("mail-sent-folder", { placeholder: "Sent" });
  const ca = textarea("mail-ca", { rows: 4, spellcheck: "false", class: "mono", placeholder: "-----BEGIN CERTIFICATE-----" });
  const team = h("select", { id: "mail-team", name: "mail-team" },
    h("option", { value: "" }, "None: the unassigned queue"),
    ...teams.map((t) => h("option", { value: String(t.id) }, t.name)));
  const follow = (sel: HTMLSelectElement, port: HTMLInputElement, protocol: MailProtocol) => sel.addEventListener("change", () => {
    port.value = portAfterSecurityChange(protocol, sel.value as MailSecurity, port.value);
  });
  follow(imapSecurity, imapPort, "imap");
  follow(smtpSecurity, smtpPort, "smtp");

  const mailError = h("p", { id: "mail-error", class: "error", role: "alert" });
  const connect = submit("mail-submit", "Connect mailbox");
  const form = h("form", { id: "mail-form", class: "panel", novalidate: true, autocomplete: "off", "aria-labelledby": "mail-heading" },
    h("h2", { id: "mail-heading" }, "Connect a mailbox"),
    h("p", { class: "hint form-lead" },
      "Mail sent to the support address becomes conversations; replies go out from it. The app reads the mailbox over IMAP and sends over SMTP."),
    h("fieldset", null, h("legend", null, "Mailbox"),
      h("div", { class: "grid2" },
        field("Name", name, "Shown to agents and admins."),
        field("Address", address, "The support address customers write to."),
        field("Display name", displayName, "The sender name customers see. Empty: the name above."),
        field("Default team", team, "New conversations from this mailbox go to this team's queue."))),
    h("fieldset", null, h("legend", null, "Incoming mail (IMAP)"),
      h("div", { class: "server-fields" },
        field("IMAP server", imapHost), field("IMAP port", imapPort), field("IMAP security", imapSecurity))),
    h("fieldset", null, h("legend", null, "Outgoing mail (SMTP)"),
      h("div", { class: "server-fields" },
        field("SMTP server", smtpHost), field("SMTP port", smtpPort), field("SMTP security", smtpSecurity))),
    h("fieldset", null, h("legend", null, "Sign-in and folders"),
      h("div", { class: "grid2" },
        field("User name", username, "Leave empty when it is the address."),
        field("Password", password, "Many providers need an app password here. It is stored encrypted and never shown again."),
        field("Folder", folder, "The folder to read. Empty: INBOX."),
        field("Sent folder", sentFolder, "Where replies are filed. Empty: Sent.")),
      field("CA certificate (optional)", ca, "Only for a server with a private certificate authority: paste its PEM certificate.")),
    h("div", { class: "actions" }, connect, mailError));

  const inputs: Record<keyof EmailForm, HTMLElement> = {
    name, address, display_name: displayName, imap_host: imapHost, imap_port: imapPort, imap_security: imapSecurity,
    smtp_host: smtpHost, smtp_port: smtpPort, smtp_security: smtpSecurity, username, password, folder,
    sent_folder: sentFolder, ca_pem: ca, default_team: team,
  };
  // The password never outlives the page.
  ctx.onLeave(() => { password.value = ""; });

  let busy = false;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (busy) return;
    starting();
    mailError.textContent = "";
    const f: EmailForm = {
      name: name.value, address: address.value, display_name: displayName.value, imap_host: imapHost.value,
      imap_port: imapPort.value, imap_security: imapSecurity.value, smtp_host: smtpHost.value, smtp_port: smtpPort.value,
      smtp_security: smtpSecurity.value, username: username.value, password: password.value, folder: folder.value,
      sent_folder: sentFolder.value, ca_pem: ca.value, default_team: team.value,
    };
    const bad = checkEmailForm(f);
    if (bad) return problem(mailError, inputs[bad.field], bad.message);
    busy = true;
    void app.run(form, connect, mailError, async () => {
      let created: ChannelAccountView;
      try {
        created = await api.addEmailChannel(buildNewEmailAccount(f));
      } catch (err) {
        const e = toUiError(err);
        const which = e.code === "invalid_input" ? fieldOfError(e.message) : null;
        if (which) problem(mailError, inputs[which], e.message);
        throw err;
      }
      for (const el of [password, name, address, displayName, username, ca]) el.value = "";
      added(created);
    }).finally(() => { busy = false; });
  });
  return form;
}

function securitySelect(id: string, protocol: MailProtocol): HTMLSelectElement {
  const ports = DEFAULT_PORTS[protocol];
  return h("select", { id, name: id },
    h("option", { value: "tls" }, `TLS (port ${ports.tls})`),
    h("option", { value: "starttls" }, `STARTTLS (port ${ports.starttls})`));
}

function kindIcon(kind: string): string {
  switch (kind) {
    case "whatsapp": return "✆";
    case "messenger": return "💬";
    case "email": return "✉";
    default: return "•";
  }
}
