// Where the workspace's data lives (admins only), and the rules that keep it there:
// allowed outgoing hosts, how long messages are kept, scheduled backups.
import * as api from "../api";
import type { BackupSchedule } from "../bindings/BackupSchedule";
import type { EgressPolicy } from "../bindings/EgressPolicy";
import type { ResidencyReport } from "../bindings/ResidencyReport";
import type { RetentionPolicy } from "../bindings/RetentionPolicy";
import { markField } from "../field-errors";
import { h, replaceChildren, type Child } from "../h";
import { formatDateTime, MIN_PASSWORD, toUiError } from "../logic";
import {
  checkBackupForm, checkRetention, egressSavedText, formatBytes, MAX_BACKUP_HOURS, MAX_BACKUP_KEEP, MAX_RETENTION_DAYS,
  parseHostList, retentionText, type BackupForm, type RetentionForm,
} from "../privacy-logic";
import { field, input, problem, submit, textarea } from "../ui";
import type { PageContext } from "./shell";

export async function renderResidency(ctx: PageContext): Promise<void> {
  let report: ResidencyReport;
  let egress: EgressPolicy;
  let retention: RetentionPolicy;
  let backup: BackupSchedule | null;
  let backupProblem = "";
  try {
    [report, egress, retention, backup] = await Promise.all([
      api.residencyReport(),
      api.egressAllowlist(),
      api.retentionPolicy(),
      // The backup settings have their own panel: the rest of the page works without them.
      api.backupSchedule().catch((err) => { backupProblem = toUiError(err).message; return null; }),
    ]);
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;
  const { app, error } = ctx;

  // ---- where the data lives ------------------------------------------------------------
  const facts = h("dl", { class: "facts residency-facts" });
  const lines = (items: string[], none: string): Child =>
    items.length === 0 ? h("span", { class: "muted" }, none) : h("ul", { class: "plain-list" }, ...items.map((i) => h("li", null, i)));
  function fact(label: string, key: string, ...value: Child[]): Child[] {
    return [h("dt", null, label), h("dd", { "data-field": key }, ...value)];
  }
  function showReport(): void {
    const r = report;
    replaceChildren(facts,
      fact("Region", "region", r.region),
      fact("Data folder", "data_folder", h("code", null, r.data_folder), h("span", { class: "muted" }, " on "), r.volume),
      fact("Stored", "sizes",
        `${formatBytes(r.database_bytes + r.attachments_bytes)}`,
        h("span", { class: "muted" }, ` (database ${formatBytes(r.database_bytes)}, attachments ${formatBytes(r.attachments_bytes)})`)),
      fact("Key storage", "key_store", r.key_store),
      fact("Channel accounts", "channel_accounts", lines(r.channel_accounts, "None connected")),
      fact("Mail servers", "mail_servers", lines(r.mail_servers, "None connected")),
      fact("Team hub", "hub", r.hub ?? "Embedded: this computer only"),
      fact("Backups", "backups", lines(r.backups, "None")));
  }
  showReport();
  async function refreshReport(): Promise<void> {
    try {
      const r = await api.residencyReport();
      if (ctx.current()) { report = r; showReport(); }
    } catch {
      // The facts stay as they were; the save itself succeeded.
    }
  }

  // ---- allowed hosts -----------------------------------------------------------------
  const hosts = markField(textarea("egress-hosts", { rows: 6, spellcheck: "false", autocapitalize: "off", class: "mono" }), "allowed hosts");
  hosts.value = egress.hosts.join("\n");
  const egressSaved = h("p", { id: "egress-saved", class: "status", role: "status" });
  const egressSave = submit("egress-save", "Save allowed hosts");
  const egressForm = h("form", { id: "egress-form", class: "panel", novalidate: true },
    h("h2", null, "Allowed outgoing connections"),
    h("p", null,
      "The app connects only to these hosts. Connections to any other host are refused and recorded in the audit log. ",
      "This computer (localhost) is always allowed."),
    field("Allowed hosts, one per line", hosts,
      "An exact name such as graph.facebook.com, or *.fbcdn.net for every address under fbcdn.net."),
    h("div", { class: "actions" }, egressSave, egressSaved));
  hosts.addEventListener("input", () => { egressSaved.textContent = ""; });
  egressForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    egressSaved.textContent = "";
    const list = parseHostList(hosts.value);
    void app.run(egressForm, egressSave, error, async () => {
      const saved = await api.setEgressAllowlist(list);
      hosts.value = saved.hosts.join("\n");
      egressSaved.textContent = egressSavedText(saved.hosts);
    });
  });

  // ---- retention ------------------------------------------------------------------------
  const days = (id: string, value: number) => {
    const el = input(id, { type: "number", min: 0, max: MAX_RETENTION_DAYS, step: 1, inputmode: "numeric", class: "narrow" });
    el.value = String(value);
    return el;
  };
  const retInputs: Record<keyof RetentionForm, HTMLInputElement> = {
    whatsapp: markField(days("ret-whatsapp", retention.whatsapp_days), "retention whatsapp"),
    messenger: markField(days("ret-messenger", retention.messenger_days), "retention messenger"),
    email: markField(days("ret-email", retention.email_days), "retention email"),
  };
  const retSaved = h("p", { id: "retention-saved", class: "status", role: "status" });
  const retSave = submit("retention-save", "Save retention");
  const retForm = h("form", { id: "retention-form", class: "panel", novalidate: true },
    h("h2", null, "How long messages are kept"),
    h("p", null,
      "Conversations older than this many days are deleted automatically, with their messages and attachments. ",
      `0 keeps them forever; at most ${MAX_RETENTION_DAYS} days (ten years).`),
    h("div", { class: "inline-fields retention-fields" },
      field("WhatsApp (days)", retInputs.whatsapp),
      field("Messenger (days)", retInputs.messenger),
      field("Email (days)", retInputs.email)),
    h("div", { class: "actions" }, retSave, retSaved));
  for (const el of Object.values(retInputs)) el.addEventListener("input", () => { retSaved.textContent = ""; });
  retForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    retSaved.textContent = "";
    const checked = checkRetention({ whatsapp: retInputs.whatsapp.value, messenger: retInputs.messenger.value, email: retInputs.email.value });
    if (!checked.ok) return problem(error, retInputs[checked.field], checked.message);
    void app.run(retForm, retSave, error, async () => {
      const p = await api.setRetentionPolicy(checked.value);
      retInputs.whatsapp.value = String(p.whatsapp_days);
      retInputs.messenger.value = String(p.messenger_days);
      retInputs.email.value = String(p.email_days);
      retSaved.textContent = `Saved. WhatsApp messages are ${retentionText(p.whatsapp_days)}, Messenger messages ${retentionText(p.messenger_days)}, email ${retentionText(p.email_days)}.`;
    });
  });

  // ---- scheduled backups ----------------------------------------------------------------
  const backupPanel = backup ? backupForm(backup) : h("section", { id: "backup-form", class: "panel" },
    h("h2", null, "Scheduled backups"),
    h("p", { class: "warning", id: "backup-unavailable" }, `The backup settings could not be read: ${backupProblem}`));

  function backupForm(initial: BackupSchedule): HTMLElement {
    let current = initial;
    const folder = markField(input("backup-folder", { placeholder: "e.g. /Volumes/Backup/appcare", class: "mono" }), "backup folder");
    const every = markField(input("backup-every", { type: "number", min: 1, max: MAX_BACKUP_HOURS, step: 1, inputmode: "numeric", class: "narrow" }), "backups");
    const keep = input("backup-keep", { type: "number", min: 1, max: MAX_BACKUP_KEEP, step: 1, inputmode: "numeric", class: "narrow" });
    const pass = markField(input("backup-passphrase", { type: "password", autocomplete: "new-password" }), "backup passphrase");
    const pass2 = input("backup-passphrase2", { type: "password", autocomplete: "new-password" });
    const state = h("div", { id: "backup-state" });
    const passHintText = (has: boolean) => has
      ? "A passphrase is set. Leave both fields empty to keep it."
      : `Needed to restore a backup, at least ${MIN_PASSWORD} characters. Keep it somewhere safe: it cannot be recovered.`;
    const passField = field("Backup passphrase", pass, passHintText(initial.has_passphrase));
    const passHint = passField.querySelector<HTMLElement>(".hint")!;
    const saved = h("p", { id: "backup-saved", class: "status", role: "status" });
    const save = submit("backup-save", "Save backups");
    const form = h("form", { id: "backup-form", class: "panel", novalidate: true, autocomplete: "off" },
      h("h2", null, "Scheduled backups"),
      state,
      field("Backup folder", folder, "A folder on another disk or a synced drive. Leave it empty to turn scheduled backups off."),
      h("div", { class: "inline-fields" },
        field("Back up every (hours)", every),
        field("Keep this many backups", keep)),
      h("div", { class: "grid2" },
        passField,
        field("Repeat the passphrase", pass2)),
      h("div", { class: "actions" }, save, saved));

    function show(s: BackupSchedule): void {
      current = s;
      folder.value = s.folder ?? "";
      every.value = String(s.every_hours);
      keep.value = String(s.keep);
      passHint.textContent = passHintText(s.has_passphrase);
      replaceChildren(state,
        h("p", { "data-field": "last_backup" },
          s.folder ? h("span", { class: "badge ok" }, "On") : h("span", { class: "badge muted" }, "Off"), " ",
          "Last backup: ", s.last_backup_at === null ? h("span", { class: "muted" }, "never") : formatDateTime(s.last_backup_at)),
        s.last_error ? h("div", { class: "warning", "data-field": "last_error" }, h("strong", null, "Last problem: "), s.last_error) : null);
    }
    show(initial);

    const clearPass = () => { pass.value = ""; pass2.value = ""; };
    // Passphrases never outlive the page.
    ctx.onLeave(clearPass);
    for (const el of [folder, every, keep, pass, pass2]) el.addEventListener("input", () => { saved.textContent = ""; });
    const inputs: Record<keyof BackupForm, HTMLInputElement> = { folder, every_hours: every, keep, passphrase: pass, passphrase2: pass2 };
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      error.textContent = "";
      saved.textContent = "";
      const checked = checkBackupForm({ folder: folder.value, every_hours: every.value, keep: keep.value, passphrase: pass.value, passphrase2: pass2.value },
        current.has_passphrase);
      if (!checked.ok) return problem(error, inputs[checked.field], checked.message);
      const v = checked.value;
      void app.run(form, save, error, async () => {
        const s = await api.setBackupSchedule(v.folder, v.every_hours, v.keep, v.passphrase);
        clearPass();
        show(s);
        saved.textContent = s.folder
          ? `Saved. A backup is made every ${s.every_hours === 1 ? "hour" : `${s.every_hours} hours`}; the last ${s.keep} are kept.`
          : "Saved. Scheduled backups are off.";
        void refreshReport();
      });
    });
    return form;
  }

  ctx.page.replaceChildren(h("div", { id: "residency" },
    h("h1", null, "Data residency"),
    h("section", { id: "residency-report", class: "panel", "aria-labelledby": "residency-heading" },
      h("h2", { id: "residency-heading" }, "Where your data lives"),
      facts),
    egressForm,
    retForm,
    backupPanel));
}
