//! "Secrets…" on a WhatsApp or Messenger card: paste the access token, app secret or verify token
//! after changing them at Meta. Each left empty stays as it is; none is ever shown back (the card
//! shows the token's last characters). A refusal shows at the field it names.
import * as api from "../api";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import { markField } from "../field-errors";
import { h } from "../h";
import { button, errorArea, field, input, openModal, problem, submit, type App } from "../ui";

/** Opens the dialog over `host`; `saved` gets the account after Save. */
export function openSecrets(app: App, host: HTMLElement, a: ChannelAccountView, saved: (a: ChannelAccountView) => void): void {
  const general = errorArea();
  general.id = "secrets-error";
  const secret = (id: string, name: string) =>
    markField(input(id, { type: "password", autocomplete: "off", spellcheck: "false", placeholder: "unchanged" }), name);
  const token = secret("secrets-access-token", "access token");
  const appSecret = secret("secrets-app-secret", "app secret");
  const verify = secret("secrets-verify-token", "verify token");
  const go = submit("secrets-save", "Save");
  const cancel = button("secrets-cancel", "Cancel", { class: "secondary" });
  const form = h("form", { id: "secrets-form", novalidate: true },
    field("Access token", token, `Stored now: ${a.token_hint}.`),
    field("App secret", appSecret, "Webhooks signed with the old secret are refused from the moment you save."),
    field("Verify token", verify),
    general,
    h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "secrets", `Secrets of ${a.name}`, [
    h("p", { class: "lead" }, "Paste only what changed at Meta; empty fields keep what is stored."), form]);
  const clear = () => { for (const el of [token, appSecret, verify]) el.value = ""; };
  cancel.addEventListener("click", () => { clear(); modal.close(); });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if ([token, appSecret, verify].every((el) => el.value.trim() === "")) {
      return problem(general, token, "Paste at least one new secret.");
    }
    void app.run(form, go, general, async () => {
      const updated = await api.rotateChannelSecrets(a.id, {
        access_token: token.value.trim(), app_secret: appSecret.value.trim(), verify_token: verify.value.trim(),
      });
      clear();
      modal.close();
      saved(updated);
    });
  });
  token.focus();
}
