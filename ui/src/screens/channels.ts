// WhatsApp and Messenger accounts (admins only): the list, the webhook listener, adding one.
import * as api from "../api";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { TeamSummary } from "../bindings/TeamSummary";
import type { WebhookListener } from "../bindings/WebhookListener";
import {
  buildNewChannel, checkChannelForm, externalIdLabel, localStorageInfo, webhookUrl, type ChannelForm, type ChannelKind,
} from "../channel-logic";
import { h, replaceChildren } from "../h";
import { channelLabel } from "../inbox-logic";
import { button, field, input, problem, submit } from "../ui";
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

  function card(a: ChannelAccountView): HTMLElement {
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
        const next = card(updated);
        el.replaceWith(next);
        next.querySelector<HTMLElement>('[data-action="refresh"]')?.focus();
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

  function showList(): void {
    replaceChildren(list,
      accounts.length === 0 ? h("p", { class: "empty", id: "channels-empty" }, "No WhatsApp or Messenger accounts yet. Add one below.") : null,
      ...accounts.map(card));
  }
  showList();

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

  ctx.page.replaceChildren(h("div", { id: "channels" },
    h("h1", null, "Channels"),
    done,
    listenerPanel,
    h("section", { class: "channel-section", "aria-labelledby": "accounts-heading" },
      h("h2", { id: "accounts-heading" }, "Accounts"), list),
    form));
}

function kindIcon(kind: string): string {
  switch (kind) {
    case "whatsapp": return "✆";
    case "messenger": return "💬";
    case "email": return "✉";
    default: return "•";
  }
}
