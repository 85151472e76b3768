//! "Edit" on a channel account: its name, default team and settings in a dialog (the secrets are
//! not touched here). Read receipts for WhatsApp and Messenger, Human Agent and polling for
//! Messenger, the signature under every reply for a mailbox, the reply sent outside business hours,
//! the satisfaction survey after a resolution, consent (templates only after opt-in, a privacy notice
//! sent once); a refusal shows at the field it names.
import * as api from "../api";
import type { ChannelAccountChanges } from "../bindings/ChannelAccountChanges";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { TeamSummary } from "../bindings/TeamSummary";
import { markField } from "../field-errors";
import { h } from "../h";
import { button, errorArea, field, input, openModal, problem, submit, textarea, type App } from "../ui";

/** The changes the dialog's fields describe, or which field is wrong and why. */
export function accountChanges(
  a: ChannelAccountView, name: string, team: string, readReceipts: boolean, humanAgent: boolean, poll: boolean,
): ChannelAccountChanges | { field: "name"; message: string } {
  const trimmed = name.trim();
  if (trimmed === "" || [...trimmed].length > 80) return { field: "name", message: "Give the account a name of 1 to 80 characters." };
  const meta = a.kind === "whatsapp" || a.kind === "messenger";
  const messenger = a.kind === "messenger";
  return {
    name: trimmed,
    default_team: team === "" ? null : Number(team),
    read_receipts: meta && readReceipts,
    human_agent: messenger && humanAgent,
    poll: messenger && poll,
  };
}

function checkbox(id: string, checked: boolean, label: string, hint: string): { box: HTMLInputElement; el: HTMLElement } {
  const box = h("input", { type: "checkbox", id, "aria-describedby": `${id}-hint` }) as HTMLInputElement;
  box.checked = checked;
  return {
    box,
    el: h("div", null,
      h("div", { class: "choice" }, box, h("label", { for: id }, label)),
      h("p", { class: "hint choice-hint", id: `${id}-hint` }, hint)),
  };
}

/** The question asked when an admin turns the survey on without writing one. */
export const DEFAULT_SURVEY_QUESTION = "How would you rate the help you got from us?";

/** The survey question to store: "" when off, the default when on without words. */
export function surveyQuestion(on: boolean, text: string): string {
  if (!on) return "";
  return text.trim() === "" ? DEFAULT_SURVEY_QUESTION : text.trim();
}

/** Opens the dialog over `host`; `saved` gets the account as stored after Save. */
export function openEditAccount(
  app: App, host: HTMLElement, a: ChannelAccountView, teams: TeamSummary[], saved: (a: ChannelAccountView) => void,
): void {
  const general = errorArea();
  general.id = "edit-channel-error";
  const name = input("edit-channel-name", { required: true });
  name.value = a.name;
  markField(name, "name");
  const team = h("select", { id: "edit-channel-team" },
    h("option", { value: "" }, "None: the unassigned queue"),
    ...teams.map((t) => h("option", { value: String(t.id) }, t.name))) as HTMLSelectElement;
  team.value = a.default_team === null ? "" : String(a.default_team);
  const meta = a.kind === "whatsapp" || a.kind === "messenger";
  const receipts = checkbox("edit-channel-read-receipts", a.read_receipts, "Read receipts and typing indicator",
    "When an agent opens a conversation the customer sees their messages as read, and sees that someone is typing while an agent writes a reply.");
  const humanAgent = checkbox("edit-channel-human-agent", a.human_agent, "HUMAN_AGENT tag approved",
    "Agents may reply up to 7 days after the customer's last message, not 24 hours.");
  const poll = checkbox("edit-channel-poll", a.poll, "Poll the Conversations API",
    "Fetch new messages every so often instead of receiving webhooks.");
  const away = markField(textarea("edit-channel-away", { rows: 3, maxlength: 1000 }), "out of hours reply");
  away.value = a.out_of_hours_reply ?? "";
  const survey = checkbox("edit-channel-survey", a.satisfaction_question !== undefined, "Ask customers to rate the help",
    "Two minutes after a conversation is resolved the customer is asked for a rating from 1 to 5 and a comment, on their own channel (never to someone who asked not to be contacted, never outside WhatsApp's or Messenger's reply window).");
  const question = markField(input("edit-channel-survey-question", { maxlength: 500, placeholder: DEFAULT_SURVEY_QUESTION }),
    "satisfaction question");
  question.value = a.satisfaction_question ?? "";
  const optIn = checkbox("edit-channel-opt-in", a.require_opt_in, "Templates only to customers who opted in",
    "Templates, and writing first, are refused for a customer whose consent is not recorded as given (they wrote START, or an agent recorded it in the customer panel).");
  const notice = markField(textarea("edit-channel-notice", { rows: 3, maxlength: 1000 }), "privacy notice");
  notice.value = a.privacy_notice ?? "";
  const signature = markField(textarea("edit-channel-signature", { rows: 4, maxlength: 2000 }), "signature");
  signature.value = a.email?.signature ?? "";
  const go = submit("edit-channel-save", "Save");
  const cancel = button("edit-channel-cancel", "Cancel", { class: "secondary" });
  const form = h("form", { id: "edit-channel-form", novalidate: true },
    field("Name", name, "Shown to agents and admins."),
    field("Default team", team, "New conversations from this account go to this team's queue."),
    meta ? receipts.el : null,
    a.email ? field("Signature", signature,
      "Added under every reply from this mailbox. {agent} becomes the agent's name, {team} the conversation's team.") : null,
    field("Reply outside business hours", away,
      "Sent once per conversation when a customer writes while the team is closed (set the team's hours under Reports). Empty: no reply."),
    survey.el,
    field("Satisfaction question", question, "Empty: the question shown in grey."),
    a.kind === "messenger" ? h("fieldset", { class: "choices" }, h("legend", null, "Messenger options"), humanAgent.el, poll.el) : null,
    meta ? h("fieldset", { class: "choices" }, h("legend", null, "Consent"),
      a.kind === "whatsapp" ? optIn.el : null,
      field("Privacy notice", notice,
        "Sent once to each customer the first time they write, e.g. what you keep and that STOP ends messages. Empty: none.")) : null,
    general,
    h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "edit-channel", `Edit ${a.name}`, [
    h("p", { class: "lead" }, "The access token and secrets stay as they are."), form]);
  cancel.addEventListener("click", modal.close);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const changes = accountChanges(a, name.value, team.value, receipts.box.checked, humanAgent.box.checked, poll.box.checked);
    if ("field" in changes) return problem(general, name, changes.message);
    void app.run(form, go, general, async () => {
      let updated = await api.updateChannelAccount(a.id, changes);
      if (a.email && signature.value.trim() !== a.email.signature.trim()) {
        updated = await api.setMailSignature(a.id, signature.value);
      }
      if (away.value.trim() !== (a.out_of_hours_reply ?? "").trim()) {
        updated = await api.setOutOfHoursReply(a.id, away.value);
      }
      const wantsOptIn = a.kind === "whatsapp" && optIn.box.checked;
      if (meta && (wantsOptIn !== a.require_opt_in || notice.value.trim() !== (a.privacy_notice ?? "").trim())) {
        updated = await api.setConsentSettings(a.id, { require_opt_in: wantsOptIn, privacy_notice: notice.value });
      }
      const asked = surveyQuestion(survey.box.checked, question.value);
      if (asked !== (a.satisfaction_question ?? "")) {
        updated = await api.setSatisfactionSurvey(a.id, asked);
      }
      modal.close();
      saved(updated);
    });
  });
}
