// Passwords: the "choose a new password" step of sign-in, and "Change password" for the
// signed-in user. Errors are shown next to the field they are about.
import * as api from "../api";
import { markField } from "../field-errors";
import { h } from "../h";
import { checkNewPassword, MIN_PASSWORD, normaliseCode } from "../logic";
import {
  authCard, button, codeInput, errorArea, focusSoon, input, notice, openModal, submit,
  type App, type ShowOptions,
} from "../ui";

/** A labelled field with its own error line right below the input. */
type CheckedField = { el: HTMLElement; input: HTMLInputElement; error: HTMLElement };

function checkedField(label: string, el: HTMLInputElement, hint?: string): CheckedField {
  const error = h("p", { id: `${el.id}-error`, class: "error field-error", role: "alert" });
  const hintId = hint ? `${el.id}-hint` : null;
  el.setAttribute("aria-describedby", [hintId, error.id].filter(Boolean).join(" "));
  return {
    input: el,
    error,
    el: h("div", { class: "field" },
      h("label", { for: el.id }, label),
      el,
      hint ? h("p", { class: "hint", id: hintId }, hint) : null,
      error),
  };
}

function clearAll(fields: CheckedField[], general: HTMLElement): void {
  general.textContent = "";
  for (const f of fields) {
    f.error.textContent = "";
    f.input.removeAttribute("aria-invalid");
  }
}

/** Show `message` next to `f` and put the cursor there. */
function flag(f: CheckedField, message: string): void {
  f.error.textContent = message;
  f.input.setAttribute("aria-invalid", "true");
  f.input.focus();
}

const HINT = `At least ${MIN_PASSWORD} characters, not a common password, not your username.`;

/** Sign-in step: the account must choose its own password before the session is active. */
export function renderNewPassword(app: App, opts: ShowOptions): HTMLElement {
  const general = errorArea();
  // The core's answers land next to their field (app.run finds it by its core name).
  const pw = checkedField("New password", markField(
    input("np-password", { type: "password", autocomplete: "new-password", minlength: MIN_PASSWORD, required: true }), "new password"), HINT);
  const pw2 = checkedField("Repeat the new password",
    input("np-password2", { type: "password", autocomplete: "new-password", minlength: MIN_PASSWORD, required: true }));
  const go = submit("np-submit", "Save password");
  const cancel = button("np-cancel", "Cancel", { class: "secondary" });
  const form = h("form", { id: "new-password-form", novalidate: true },
    pw.el, pw2.el, general, h("div", { class: "actions" }, go, cancel));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearAll([pw, pw2], general);
    const problem = checkNewPassword(pw.input.value, pw2.input.value);
    if (problem) return flag(problem.field === "password" ? pw : pw2, problem.message);
    void app.run(form, go, general, async () => {
      app.show(await api.setNewPassword(pw.input.value), { notice: "Your new password is saved." });
    });
  });
  cancel.addEventListener("click", () => {
    void app.run(form, cancel, general, async () => app.show(await api.signOut()));
  });
  focusSoon(pw.input);
  return authCard("Choose a new password",
    "Before you go on, choose your own password. Nobody else, your administrator included, will know it.",
    notice(opts.notice), form);
}

/** "Change password" for the signed-in user, as a dialog over the shell. `done` runs after
 * a change (the other sessions were signed out). */
export function openChangePassword(app: App, host: HTMLElement, done: (message: string) => void): void {
  const general = errorArea();
  general.id = "cp-error";
  const current = checkedField("Current password", markField(
    input("cp-current", { type: "password", autocomplete: "current-password", required: true }), "current password"));
  const code = checkedField("Authenticator code", markField(codeInput("cp-code"), "your code", "code"));
  const pw = checkedField("New password", markField(
    input("cp-new", { type: "password", autocomplete: "new-password", minlength: MIN_PASSWORD, required: true }), "new password"), HINT);
  const pw2 = checkedField("Repeat the new password",
    input("cp-new2", { type: "password", autocomplete: "new-password", minlength: MIN_PASSWORD, required: true }));
  const fields = [current, code, pw, pw2];
  const go = submit("cp-submit", "Change password");
  const cancel = button("cp-cancel", "Cancel", { class: "secondary" });
  const form = h("form", { id: "change-password-form", novalidate: true },
    current.el, code.el, pw.el, pw2.el, general, h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "change-password", "Change password", [
    h("p", { class: "lead" }, "Your other sessions are signed out when the password changes."), form]);
  cancel.addEventListener("click", modal.close);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearAll(fields, general);
    if (!current.input.value) return flag(current, "Enter your current password.");
    const c = normaliseCode(code.input.value);
    if (!c) return flag(code, "Enter the 6 digits shown in your authenticator app.");
    const problem = checkNewPassword(pw.input.value, pw2.input.value);
    if (problem) return flag(problem.field === "password" ? pw : pw2, problem.message);
    void app.run(form, go, general, async () => {
      try {
        await api.changePassword(current.input.value, c, pw.input.value);
      } catch (err) {
        code.input.value = "";
        throw err;
      }
      modal.close();
      done("Your password was changed. Your other sessions were signed out.");
    });
  });
  current.input.focus();
}
