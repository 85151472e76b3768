//! "Servers…" on a mailbox card: its IMAP and SMTP servers, login, folders and password in a
//! dialog. The stored password is never shown; left empty it stays as it is. A refusal shows at
//! the field it names; after Save the mailbox's sync starts again with the new settings.
import * as api from "../api";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { MailSettings } from "../bindings/MailSettings";
import { markField } from "../field-errors";
import { h } from "../h";
import { button, errorArea, field, input, openModal, problem, submit, type App } from "../ui";

/** The settings the fields describe, or the field in error and why (the core checks again). */
export function settingsFromFields(v: Record<keyof MailSettings, string>):
  MailSettings | { field: "imap_port" | "smtp_port"; message: string } {
  const port = (text: string) => (/^\d{1,5}$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 65535 ? Number(text) : null);
  const imap = port(v.imap_port);
  if (imap === null) return { field: "imap_port", message: "Write a port between 1 and 65535." };
  const smtp = port(v.smtp_port);
  if (smtp === null) return { field: "smtp_port", message: "Write a port between 1 and 65535." };
  return {
    imap_host: v.imap_host.trim(), imap_port: imap, imap_security: v.imap_security,
    smtp_host: v.smtp_host.trim(), smtp_port: smtp, smtp_security: v.smtp_security,
    username: v.username.trim(), password: v.password, folder: v.folder.trim(), sent_folder: v.sent_folder.trim(),
  };
}

function security(id: string, value: string): HTMLSelectElement {
  const el = h("select", { id }, h("option", { value: "tls" }, "TLS"), h("option", { value: "starttls" }, "STARTTLS")) as HTMLSelectElement;
  el.value = value;
  return el;
}

/** Loads the mailbox's settings and opens the dialog over `host`; `saved` gets the account after Save. */
export async function openMailSettings(app: App, host: HTMLElement, a: ChannelAccountView, error: HTMLElement,
  saved: (a: ChannelAccountView) => void): Promise<void> {
  let s: MailSettings;
  try {
    s = await api.mailSettings(a.id);
  } catch (err) {
    app.fail(err, error);
    return;
  }
  const general = errorArea();
  general.id = "mail-settings-error";
  const text = (id: string, value: string, names: string[], attrs: Record<string, string> = {}) => {
    const el = markField(input(id, attrs), ...names);
    el.value = value;
    return el;
  };
  const f = {
    imap_host: text("ms-imap-host", s.imap_host, ["IMAP server"]),
    imap_port: text("ms-imap-port", String(s.imap_port), ["IMAP port"], { inputmode: "numeric", class: "narrow" }),
    imap_security: markField(security("ms-imap-security", s.imap_security), "IMAP security"),
    smtp_host: text("ms-smtp-host", s.smtp_host, ["SMTP server"]),
    smtp_port: text("ms-smtp-port", String(s.smtp_port), ["SMTP port"], { inputmode: "numeric", class: "narrow" }),
    smtp_security: markField(security("ms-smtp-security", s.smtp_security), "SMTP security"),
    username: text("ms-username", s.username, ["user name", "username"], { placeholder: "same as the address" }),
    password: text("ms-password", "", ["password"], { type: "password", autocomplete: "off", placeholder: "unchanged" }),
    folder: text("ms-folder", s.folder, ["folder"], { placeholder: "INBOX" }),
    sent_folder: text("ms-sent-folder", s.sent_folder, ["sent folder"], { placeholder: "Sent" }),
  };
  const go = submit("mail-settings-save", "Save");
  const cancel = button("mail-settings-cancel", "Cancel", { class: "secondary" });
  const form = h("form", { id: "mail-settings-form", novalidate: true },
    h("div", { class: "row" }, field("IMAP server", f.imap_host), field("Port", f.imap_port), field("Security", f.imap_security)),
    h("div", { class: "row" }, field("SMTP server", f.smtp_host), field("Port", f.smtp_port), field("Security", f.smtp_security)),
    field("User name", f.username),
    field("Password", f.password, "Leave empty to keep the stored password; type the new one after changing it at the mail provider."),
    h("div", { class: "row" }, field("Folder", f.folder), field("Sent folder", f.sent_folder)),
    general,
    h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "mail-settings", `Servers of ${a.name}`, [form]);
  cancel.addEventListener("click", modal.close);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries(Object.entries(f).map(([k, el]) => [k, el.value])) as Record<keyof MailSettings, string>;
    const change = settingsFromFields(values);
    if ("field" in change) return problem(general, f[change.field], change.message);
    void app.run(form, go, general, async () => {
      const updated = await api.updateMailSettings(a.id, change);
      f.password.value = "";
      modal.close();
      saved(updated);
    });
  });
  f.imap_host.focus();
}
