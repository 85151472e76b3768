//! One card per channel account: WhatsApp and Messenger (ids, webhook URL, token hint, templates)
//! and mailboxes (servers, per-folder sync progress, the mail set aside).
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { EmailAccountView } from "../bindings/EmailAccountView";
import type { MailFolderView } from "../bindings/MailFolderView";
import type { SetAsideView } from "../bindings/SetAsideView";
import type { TeamSummary } from "../bindings/TeamSummary";
import type { WebhookListener } from "../bindings/WebhookListener";
import type { WebhookSetAsideView } from "../bindings/WebhookSetAsideView";
import { externalIdLabel, localStorageInfo, webhookUrl } from "../channel-logic";
import { folderCountsText, folderProgress, folderProgressText, folderStateLine, folderTone, formatMailSize, groupDigits } from "../email-logic";
import { h } from "../h";
import { channelLabel } from "../inbox/logic";
import { formatDateTime } from "../logic";
import { button } from "../ui";
import { checkPanel, disabledBadge, lifecycleButtons, type LifecycleActions } from "./lifecycle";
import type { OpenAside } from "./state";

const META_KINDS = new Set(["whatsapp", "messenger"]);

/** What a card does when its buttons are used. */
export type CardActions = LifecycleActions & {
  edit(a: ChannelAccountView): void;
  /** A mailbox's servers, login and password. */
  servers(a: ChannelAccountView): void;
  /** Which of a mailbox's folders are synced. */
  folders(a: ChannelAccountView): void;
  /** A WhatsApp or Messenger account's secrets. */
  secrets(a: ChannelAccountView): void;
  refresh(a: ChannelAccountView, card: HTMLElement, btn: HTMLButtonElement): void;
  toggleAside(a: ChannelAccountView, m: EmailAccountView, card: HTMLElement, btn: HTMLButtonElement): void;
  toggleWebhookAside(a: ChannelAccountView, card: HTMLElement, btn: HTMLButtonElement): void;
  /** "Try again" on one set-aside mail. */
  retryAside(a: ChannelAccountView, row: SetAsideView, btn: HTMLButtonElement): void;
};

export type CardData = {
  listener: WebhookListener | null;
  teams: TeamSummary[];
  aside: OpenAside | null;
  /** The open table of webhook items set aside (WhatsApp, Messenger), or null when closed. */
  webhookAside?: WebhookSetAsideView[] | null;
};

export function kindIcon(kind: string): string {
  switch (kind) {
    case "whatsapp": return "✆";
    case "messenger": return "💬";
    case "email": return "✉";
    default: return "•";
  }
}

function fact(label: string, value: Node | string, key: string): Node[] {
  return [h("dt", null, label), h("dd", { "data-field": key }, value)];
}

function teamName(teams: TeamSummary[], id: number | null): string {
  return id === null ? "None: the unassigned queue" : teams.find((t) => t.id === id)?.name ?? `Team ${id}`;
}

function cardHead(a: ChannelAccountView, headingId: string, button: HTMLElement | null): HTMLElement {
  return h("div", { class: "channel-card-head" },
    h("span", { class: `badge channel channel-${a.kind}` }, h("span", { class: "kind-icon", "aria-hidden": "true" }, kindIcon(a.kind)), " ", channelLabel(a.kind)),
    h("h3", { id: headingId, class: "channel-name" }, a.name),
    disabledBadge(a),
    button);
}

function lastError(a: ChannelAccountView): HTMLElement | null {
  return a.last_error
    ? h("div", { class: "warning", "data-field": "last_error" }, h("strong", null, "Last problem: "), a.last_error)
    : null;
}

/** "Edit": the account's name, team and settings. */
function editButton(a: ChannelAccountView, actions: CardActions): HTMLButtonElement {
  const btn = button(`edit-channel-${a.id}`, "Edit", { class: "small secondary", "data-action": "edit", "aria-label": `Edit ${a.name}` });
  btn.addEventListener("click", () => actions.edit(a));
  return btn;
}

/** "Secrets…": a WhatsApp or Messenger account's token and secrets, pasted anew. */
function secretsButton(a: ChannelAccountView, actions: CardActions): HTMLButtonElement {
  const btn = button(`secrets-channel-${a.id}`, "Secrets…", { class: "small secondary", "data-action": "secrets", "aria-label": `Secrets of ${a.name}` });
  btn.addEventListener("click", () => actions.secrets(a));
  return btn;
}

/** "Folders…": which of a mailbox's folders are synced. */
function foldersButton(a: ChannelAccountView, actions: CardActions): HTMLButtonElement {
  const btn = button(`folders-channel-${a.id}`, "Folders…", { class: "small secondary", "data-action": "folders", "aria-label": `Folders of ${a.name}` });
  btn.addEventListener("click", () => actions.folders(a));
  return btn;
}

/** "Servers…": a mailbox's servers, login and password. */
function serversButton(a: ChannelAccountView, actions: CardActions): HTMLButtonElement {
  const btn = button(`servers-channel-${a.id}`, "Servers…", { class: "small secondary", "data-action": "servers", "aria-label": `Servers of ${a.name}` });
  btn.addEventListener("click", () => actions.servers(a));
  return btn;
}

export function card(a: ChannelAccountView, data: CardData, actions: CardActions): HTMLElement {
  return a.kind === "email" && a.email ? mailCard(a, a.email, data, actions) : metaCard(a, data, actions);
}

function metaCard(a: ChannelAccountView, { listener, teams, webhookAside }: CardData, actions: CardActions): HTMLElement {
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
  const headingId = `channel-${a.id}-name`;
  const asidePanelId = `webhook-aside-panel-${a.id}`;
  const asideBtn = meta
    ? button(`webhook-aside-${a.id}`, "Set aside", {
      class: "small secondary", "data-action": "webhook-aside", "aria-expanded": webhookAside ? "true" : "false", "aria-controls": asidePanelId,
    })
    : null;
  const editBtn = editButton(a, actions);
  const life = lifecycleButtons(a, actions);
  const el = h("article", { class: "channel-card", "data-channel-id": a.id, "aria-labelledby": headingId },
    cardHead(a, headingId, h("span", { class: "channel-card-actions" }, editBtn, secretsButton(a, actions), refresh, asideBtn, ...life.els)),
    lastError(a),
    checkPanel(a),
    h("dl", { class: "facts channel-facts" },
      fact(externalIdLabel(a.kind), h("code", null, a.external_id), "external_id"),
      wa ? fact("WhatsApp business account id", a.business_account_id ? h("code", null, a.business_account_id) : "Not set", "business_account_id") : [],
      meta ? fact("Webhook URL", hook, "webhook_url") : [],
      fact("Access token", h("code", null, a.token_hint), "token_hint"),
      fact("Default team", teamName(teams, a.default_team), "default_team"),
      wa ? fact("Templates", String(a.templates), "templates") : [],
      wa ? fact("Local storage", h("span", null,
        h("span", { class: `badge ${storage.tone}` }, storage.label),
        storage.detail ? h("span", { class: "muted" }, ` ${storage.detail}`) : null), "local_storage") : [],
      meta ? fact("Read receipts", a.read_receipts ? "On: customers see when their messages are read and when an agent is typing" : "Off", "read_receipts") : [],
      a.kind === "messenger" ? fact("HUMAN_AGENT tag", a.human_agent ? "Approved: replies up to 7 days" : "Not approved: replies up to 24 hours", "human_agent") : [],
      meta ? fact("Graph API", h("span", null, h("code", null, a.graph_base_url), " ", h("code", null, a.api_version)), "graph") : []),
    webhookAside ? webhookAsidePanel(a, asidePanelId, webhookAside) : null);
  life.wire(el);
  refresh?.addEventListener("click", () => actions.refresh(a, el, refresh));
  asideBtn?.addEventListener("click", () => actions.toggleWebhookAside(a, el, asideBtn));
  return el;
}

function mailCard(a: ChannelAccountView, m: EmailAccountView, { teams, aside }: CardData, actions: CardActions): HTMLElement {
  const headingId = `channel-${a.id}-name`;
  const panelId = `set-aside-panel-${a.id}`;
  const asideBtn = m.set_aside > 0
    ? button(`set-aside-${a.id}`, `${groupDigits(m.set_aside)} set aside`, {
      class: "small secondary", "data-action": "set-aside", "aria-expanded": aside ? "true" : "false", "aria-controls": panelId,
    })
    : null;
  const life = lifecycleButtons(a, actions);
  const el = h("article", { class: "channel-card mail-card", "data-channel-id": a.id, "aria-labelledby": headingId },
    cardHead(a, headingId, h("span", { class: "channel-card-actions" }, editButton(a, actions), serversButton(a, actions), foldersButton(a, actions), asideBtn, ...life.els)),
    lastError(a),
    checkPanel(a),
    h("dl", { class: "facts channel-facts" },
      fact("Address", h("code", null, m.address), "address"),
      fact("Incoming (IMAP)", h("span", null, h("code", null, m.imap), h("span", { class: "muted" }, " · folder "), h("code", null, m.folder)), "imap"),
      fact("Outgoing (SMTP)", h("span", null, h("code", null, m.smtp), h("span", { class: "muted" }, " · sent folder "), h("code", null, m.sent_folder)), "smtp"),
      fact("Password", h("span", null, a.token_hint), "token_hint"),
      fact("Default team", teamName(teams, a.default_team), "default_team"),
      fact("Sync", folderList(m.folders), "sync")),
    aside ? asidePanel(a, panelId, aside.rows, actions) : null);
  life.wire(el);
  asideBtn?.addEventListener("click", () => actions.toggleAside(a, m, el, asideBtn));
  return el;
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
        : null,
      f.offered > 0 ? h("span", { class: "mail-counts muted", "data-folder": f.folder }, folderCountsText(f)) : null);
  }));
}

function retryCell(a: ChannelAccountView, r: SetAsideView, actions: CardActions): HTMLElement {
  if (r.retrying) return h("td", { class: "nowrap muted", "data-field": "retry" }, "Trying again…");
  const btn = button(`retry-aside-${r.id}`, "Try again", { class: "small secondary", "aria-label": `Try the mail from ${r.from_address || "an unknown sender"} again` });
  btn.addEventListener("click", () => actions.retryAside(a, r, btn));
  return h("td", { class: "nowrap", "data-field": "retry" }, btn);
}

function asidePanel(a: ChannelAccountView, id: string, rows: SetAsideView[], actions: CardActions): HTMLElement {
  return h("div", { id, class: "set-aside", role: "region", "aria-label": `Mail set aside from ${a.name}` },
    h("p", { class: "hint" }, "Mail the app could not file into a conversation. It stays in the mailbox; nothing was deleted. After a fix (an update, the server back), Try again reads it once more."),
    rows.length === 0
      ? h("p", { class: "empty" }, "Nothing is set aside any more.")
      : h("div", { class: "table-wrap" }, h("table", { class: "table set-aside-table", id: `set-aside-table-${a.id}` },
        h("thead", null, h("tr", null,
          h("th", { scope: "col" }, "Received"), h("th", { scope: "col" }, "From"), h("th", { scope: "col" }, "Subject"),
          h("th", { scope: "col" }, "Reason"), h("th", { scope: "col", class: "num" }, "Size"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Action")))),
        h("tbody", null, ...rows.map((r) => h("tr", { "data-set-aside-id": r.id },
          h("td", { class: "nowrap" }, formatDateTime(r.created_at)),
          h("td", { class: "detail" }, r.from_address || h("span", { class: "muted" }, "unknown")),
          h("td", { class: "detail" }, r.subject || h("span", { class: "muted" }, "(no subject)")),
          h("td", { class: "detail" }, r.reason),
          h("td", { class: "num nowrap" }, formatMailSize(r.size)),
          retryCell(a, r, actions)))))));
}

function webhookAsidePanel(a: ChannelAccountView, id: string, rows: WebhookSetAsideView[]): HTMLElement {
  return h("div", { id, class: "set-aside", role: "region", "aria-label": `Webhook items set aside for ${a.name}` },
    h("p", { class: "hint" }, "What Meta sent that the app could not store as a message. Each item is kept whole, encrypted, with the reason."),
    rows.length === 0
      ? h("p", { class: "empty" }, "Nothing is set aside.")
      : h("div", { class: "table-wrap" }, h("table", { class: "table set-aside-table", id: `webhook-aside-table-${a.id}` },
        h("thead", null, h("tr", null,
          h("th", { scope: "col" }, "Received"), h("th", { scope: "col" }, "Reason"), h("th", { scope: "col" }, "What Meta sent"))),
        h("tbody", null, ...rows.map((r) => h("tr", { "data-webhook-aside-id": r.id },
          h("td", { class: "nowrap" }, formatDateTime(r.received_at)),
          h("td", { class: "detail" }, r.reason),
          h("td", { class: "detail" }, h("details", null, h("summary", null, "Show"), h("pre", { class: "raw" }, r.raw)))))))));
}
