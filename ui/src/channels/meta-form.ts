//! The "Add a WhatsApp or Messenger account" form. Its fields follow the kind chosen; secrets never
//! outlive the page.
import * as api from "../api";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { TeamSummary } from "../bindings/TeamSummary";
import { buildNewChannel, checkChannelForm, externalIdLabel, type ChannelForm, type ChannelKind } from "../channel-logic";
import { markField } from "../field-errors";
import { h } from "../h";
import type { Part } from "../store";
import { field, input, problem, submit } from "../ui";
import type { ChannelsDeps, ChannelsState } from "./state";

export function createMetaForm(deps: ChannelsDeps, teams: TeamSummary[], added: (a: ChannelAccountView) => void): Part<ChannelsState> {
  const { ctx, say } = deps;
  const { app, error } = ctx;
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

  /** The fields follow the kind: WhatsApp has a business account id, Messenger its options. */
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
  const el = h("form", { id: "channel-form", class: "panel", novalidate: true, autocomplete: "off" },
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
  // The core's names for these fields, as its refusals spell them ("access token: paste …").
  markField(kind, "channel");
  markField(name, "name");
  markField(externalId, "account id");
  markField(waba, "business account id");
  markField(token, "access token");
  markField(appSecret, "app secret");
  markField(verifyToken, "verify token");
  markField(graphBase, "Graph API address");
  markField(apiVersion, "API version");
  const clearSecrets = () => { token.value = ""; appSecret.value = ""; verifyToken.value = ""; };

  el.addEventListener("submit", (ev) => {
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
    void app.run(el, addBtn, error, async () => {
      const created = await api.addChannel(buildNewChannel(f));
      clearSecrets();
      name.value = "";
      externalId.value = "";
      waba.value = "";
      added(created);
    });
  });

  // Secrets never outlive the page.
  return { el, update: () => {}, dispose: clearSecrets };
}
