// Screens before the app shell: first run, passphrase, sign in, code, lock.
import * as api from "../api";
import type { KeyStoreChoice } from "../bindings/KeyStoreChoice";
import { markField, useErrorLine } from "../field-errors";
import { h } from "../h";
import { checkNewPassword, MIN_PASSWORD, normaliseCode, normaliseRecoveryCode } from "../logic";
import {
  authCard, button, codeInput, errorArea, field, focusSoon, input, notice, problem, submit,
  type App, type ShowOptions,
} from "../ui";
import { hubBanner, hubLeaveButton, hubOpenButton } from "./hub";

export function renderFirstRun(app: App, opts: ShowOptions): HTMLElement {
  const error = errorArea();
  const dataDir = markField(input("fr-data-dir", { required: true }), "data folder");
  const region = h("select", { id: "fr-region", name: "fr-region", required: true, disabled: true },
    h("option", { value: "" }, "Loading…"));
  const username = markField(input("fr-username", { autocomplete: "username", required: true, autocapitalize: "off" }), "username");
  const displayName = markField(input("fr-display-name", { autocomplete: "name", required: true }), "display name");
  const password = markField(input("fr-password", { type: "password", autocomplete: "new-password", minlength: MIN_PASSWORD, required: true }),
    "new password", "password");
  const password2 = input("fr-password2", { type: "password", autocomplete: "new-password", minlength: MIN_PASSWORD, required: true });
  const keyKeyring = h("input", { type: "radio", id: "fr-key-keyring", name: "fr-key", value: "keyring", checked: true });
  const keyPass = h("input", { type: "radio", id: "fr-key-passphrase", name: "fr-key", value: "passphrase" });
  const passphrase = markField(input("fr-passphrase", { type: "password", autocomplete: "new-password" }), "passphrase");
  const passphraseField = field("Passphrase", passphrase,
    "You will type it each time the app starts. It cannot be recovered if lost.");
  passphraseField.hidden = true;
  const syncKey = () => {
    passphraseField.hidden = !keyPass.checked;
    if (keyPass.checked) passphrase.focus();
  };
  keyKeyring.addEventListener("change", syncKey);
  keyPass.addEventListener("change", syncKey);

  const go = submit("fr-submit", "Create workspace");
  const form = h("form", { id: "first-run-form", novalidate: true },
    h("fieldset", null,
      h("legend", null, "Storage"),
      field("Data folder", dataDir, "Where the encrypted workspace is kept on this computer."),
      field("Where the data lives", region, "The residency region recorded for this workspace."),
    ),
    h("fieldset", null,
      h("legend", null, "First administrator"),
      field("Username", username),
      field("Display name", displayName),
      field("Password", password, `At least ${MIN_PASSWORD} characters.`),
      field("Repeat password", password2),
    ),
    h("fieldset", { class: "choices" },
      h("legend", null, "Key storage"),
      h("div", { class: "choice" }, keyKeyring, h("label", { for: "fr-key-keyring" }, "System keyring (recommended)")),
      h("div", { class: "choice" }, keyPass, h("label", { for: "fr-key-passphrase" }, "Passphrase (for machines without a keyring)")),
      passphraseField,
    ),
    error,
    h("div", { class: "actions" }, go),
  );

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    if (!dataDir.value.trim()) return problem(error, dataDir, "Choose a data folder.");
    if (!region.value) return problem(error, region, "Choose where the data lives.");
    if (!username.value.trim()) return problem(error, username, "Enter a username for the administrator.");
    if (!displayName.value.trim()) return problem(error, displayName, "Enter a display name for the administrator.");
    const pw = checkNewPassword(password.value, password2.value);
    if (pw) return problem(error, pw.field === "password" ? password : password2, pw.message);
    const keyStore: KeyStoreChoice = keyPass.checked ? "passphrase" : "keyring";
    if (keyStore === "passphrase" && passphrase.value.length === 0) {
      return problem(error, passphrase, "Enter a passphrase, or choose the system keyring.");
    }
    const adminUsername = username.value.trim();
    go.textContent = "Creating workspace…";
    void app.run(form, go, error, async () => {
      const status = await api.createWorkspace({
        data_dir: dataDir.value.trim(),
        region: region.value,
        admin_username: adminUsername,
        admin_display_name: displayName.value.trim(),
        admin_password: password.value,
        key_store: keyStore,
        passphrase: keyStore === "passphrase" ? passphrase.value : null,
      });
      app.show(status, { prefillUsername: adminUsername, notice: "Workspace created. Sign in to set up your authenticator." });
    }).finally(() => { go.textContent = "Create workspace"; });
  });

  api.firstRunInfo().then((info) => {
    if (!dataDir.value) dataDir.value = info.default_data_dir;
    region.replaceChildren(
      h("option", { value: "" }, "Choose a region…"),
      ...info.regions.map((r) => h("option", { value: r.code }, r.name)),
    );
    if (info.regions.length === 1) region.value = info.regions[0].code;
    region.disabled = false;
  }).catch((err) => {
    region.replaceChildren(h("option", { value: "" }, "Not available"));
    app.fail(err, error);
  });

  focusSoon(dataDir);
  return authCard("Create your workspace",
    "Set up where customer data is stored and the first administrator account.",
    notice(opts.notice),
    h("p", { class: "hub-choice" }, "Joining a team that already runs a hub? ", hubOpenButton(app)),
    form);
}

export function renderPassphrase(app: App, opts: ShowOptions): HTMLElement {
  const error = errorArea();
  const pass = markField(input("passphrase-input", { type: "password", autocomplete: "current-password", required: true }), "passphrase");
  const go = submit("passphrase-submit", "Unlock");
  const form = h("form", { id: "passphrase-form", novalidate: true },
    field("Passphrase", pass), error, h("div", { class: "actions" }, go));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    if (!pass.value) return problem(error, pass, "Enter the workspace passphrase.");
    void app.run(form, go, error, async () => {
      app.show(await api.openWorkspace(pass.value));
    }).then((ok) => { if (!ok) { pass.select(); pass.focus(); } });
  });
  focusSoon(pass);
  return authCard("Unlock workspace", "This workspace's key is protected by a passphrase.", notice(opts.notice), form);
}

export function renderSignIn(app: App, opts: ShowOptions): HTMLElement {
  const error = errorArea();
  const username = input("si-username", { autocomplete: "username", required: true, autocapitalize: "off" });
  const password = input("si-password", { type: "password", autocomplete: "current-password", required: true });
  if (opts.prefillUsername) username.value = opts.prefillUsername;
  const go = submit("si-submit", "Sign in");
  const form = h("form", { id: "sign-in-form", novalidate: true },
    field("Username", username), field("Password", password), error, h("div", { class: "actions" }, go));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    if (!username.value.trim()) return problem(error, username, "Enter your username.");
    if (!password.value) return problem(error, password, "Enter your password.");
    void app.run(form, go, error, async () => {
      app.show(await api.signIn(username.value.trim(), password.value));
    }).then((ok) => { if (!ok) { password.value = ""; password.focus(); } });
  });
  focusSoon(username.value ? password : username);
  // Team mode: say which hub the sign-in goes to, and offer the way back to this computer's workspace.
  const hub = app.status().hub ?? null;
  return authCard("Sign in", null, hub ? hubBanner(hub) : null, notice(opts.notice), form,
    h("div", { class: "actions end" }, hub ? hubLeaveButton(app, error) : hubOpenButton(app)));
}

export function renderCode(app: App, opts: ShowOptions): HTMLElement {
  const error = errorArea();
  const code = markField(codeInput("code-input"), "code");
  const go = submit("code-submit", "Continue");
  const useRecovery = button("use-recovery", "Use a recovery code instead", { class: "link" });
  const codeForm = h("form", { id: "code-form", novalidate: true },
    field("Authenticator code", code), h("div", { class: "actions" }, go, useRecovery));

  const recovery = input("recovery-input", { autocapitalize: "off", required: true, class: "mono" });
  const recoveryGo = submit("recovery-submit", "Continue");
  const useCode = button("use-code", "Use the authenticator code instead", { class: "link" });
  const recoveryForm = h("form", { id: "recovery-form", novalidate: true },
    field("Recovery code", recovery, "Each recovery code works once."),
    h("div", { class: "actions" }, recoveryGo, useCode));
  recoveryForm.hidden = true;

  const title = h("h2", { class: "sub" }, "Enter the 6-digit code from your authenticator app");
  const cancel = button("cancel-sign-in", "Cancel", { class: "secondary" });

  useRecovery.addEventListener("click", () => {
    error.textContent = "";
    codeForm.hidden = true;
    recoveryForm.hidden = false;
    title.textContent = "Enter one of your recovery codes";
    recovery.focus();
  });
  useCode.addEventListener("click", () => {
    error.textContent = "";
    recoveryForm.hidden = true;
    codeForm.hidden = false;
    title.textContent = "Enter the 6-digit code from your authenticator app";
    code.focus();
  });
  cancel.addEventListener("click", () => {
    void app.run(cancel, cancel, error, async () => app.show(await api.signOut()));
  });

  codeForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const c = normaliseCode(code.value);
    if (!c) return problem(error, code, "Enter the 6 digits shown in your authenticator app.");
    void app.run(codeForm, go, error, async () => {
      app.show(await api.submitCode(c));
    }).then((ok) => { if (!ok) { code.value = ""; code.focus(); } });
  });
  recoveryForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const c = normaliseRecoveryCode(recovery.value);
    if (!c) return problem(error, recovery, "Enter one of your recovery codes.");
    void app.run(recoveryForm, recoveryGo, error, async () => {
      const res = await api.submitRecoveryCode(c);
      const left = res.remaining === 1 ? "1 recovery code left" : `${res.remaining} recovery codes left`;
      const advice = res.remaining <= 3 ? " Ask an administrator to reset your authenticator to get new codes." : "";
      app.show(res.status, { notice: `Signed in with a recovery code. You have ${left}.${advice}` });
    }).then((ok) => { if (!ok) { recovery.select(); recovery.focus(); } });
  });

  focusSoon(code);
  // The error line below both forms is theirs: the card is small, it is in view.
  useErrorLine(codeForm, error);
  useErrorLine(recoveryForm, error);
  return authCard("Two-step sign in", null, notice(opts.notice), title, codeForm, recoveryForm, error,
    h("div", { class: "actions end" }, cancel));
}

/** Why the lock screen shows: the person locked the app, or the session was idle `idleMinutes`
 * (unknown when the shell never learned the policy). */
export function lockReason(byHand: boolean, idleMinutes: number | undefined): string {
  if (byHand) return "Locked";
  if (idleMinutes === undefined) return "Locked after inactivity";
  return `Locked after ${idleMinutes} minute${idleMinutes === 1 ? "" : "s"} of inactivity`;
}

export function renderLock(app: App, opts: ShowOptions, idleMinutes?: number): HTMLElement {
  const error = errorArea();
  // No data-field here: the lock screen shows nothing that names the workspace's data (the
  // end-to-end test checks the page holds no "data-field"); its one error line sits in the form.
  const code = codeInput("unlock-code");
  const go = submit("unlock-submit", "Unlock");
  const signOut = button("lock-sign-out", "Sign out", { class: "secondary" });
  const form = h("form", { id: "unlock-form", novalidate: true },
    field("Authenticator code", code), error, h("div", { class: "actions" }, go, signOut));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const c = normaliseCode(code.value);
    if (!c) return problem(error, code, "Enter the 6 digits shown in your authenticator app.");
    void app.run(form, go, error, async () => {
      app.show(await api.unlock(c));
    }).then((ok) => { if (!ok) { code.value = ""; code.focus(); } });
  });
  signOut.addEventListener("click", () => {
    void app.run(form, signOut, error, async () => app.show(await api.signOut()));
  });
  focusSoon(code);
  const card = authCard(lockReason(opts.lockedByHand === true, idleMinutes),
    "Enter the current code from your authenticator app to carry on where you were.", notice(opts.notice), form);
  card.id = "lock-screen";
  return card;
}
