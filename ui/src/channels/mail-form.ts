//! The "Connect a mailbox" form. A refusal naming a field shows under that field, anything else in
//! its own alert next to the submit button; the password never outlives the page.
import * as api from "../api";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { TeamSummary } from "../bindings/TeamSummary";
import {
  buildNewEmailAccount, checkEmailForm, DEFAULT_PORTS, ERROR_FIELDS, portAfterSecurityChange, type EmailForm, type MailProtocol,
  type MailSecurity,
} from "../email-logic";
import { h } from "../h";
import { markField } from "../field-errors";
import type { Part } from "../store";
import { field, input, problem, submit, textarea } from "../ui";
import type { ChannelsDeps, ChannelsState } from "./state";

function securitySelect(id: string, protocol: MailProtocol): HTMLSelectElement {
  const ports = DEFAULT_PORTS[protocol];
  return h("select", { id, name: id },
    h("option", { value: "tls" }, `TLS (port ${ports.tls})`),
    h("option", { value: "starttls" }, `STARTTLS (port ${ports.starttls})`));
}

export function createMailForm(deps: ChannelsDeps, teams: TeamSummary[], added: (a: ChannelAccountView) => void): Part<ChannelsState> {
  const { ctx } = deps;
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
  const el = h("form", { id: "mail-form", class: "panel", novalidate: true, autocomplete: "off", "aria-labelledby": "mail-heading" },
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
  for (const [core, key] of Object.entries(ERROR_FIELDS)) markField(inputs[key], core);

  let busy = false;
  el.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (busy) return;
    ctx.error.textContent = "";
    deps.say("");
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
    void app.run(el, connect, mailError, async () => {
      const created: ChannelAccountView = await api.addEmailChannel(buildNewEmailAccount(f));
      for (const x of [password, name, address, displayName, username, ca]) x.value = "";
      added(created);
    }).finally(() => { busy = false; });
  });

  // The password never outlives the page.
  return { el, update: () => {}, dispose: () => { password.value = ""; } };
}
