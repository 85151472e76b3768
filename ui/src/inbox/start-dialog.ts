//! "Write first…" above the list: an agent sends an approved WhatsApp template to a number that
//! has not written (WhatsApp allows nothing else from a business first). The number is checked as
//! an international number, the template's values (body, title, file, buttons) are asked one by one with the filled text shown
//! before sending, and a refusal (a customer who asked not to be contacted, say) shows at its field.
import * as api from "../api";
import type { StartAccount } from "../bindings/StartAccount";
import type { TemplateView } from "../bindings/TemplateView";
import { markField } from "../field-errors";
import { h, replaceChildren } from "../h";
import { button, errorArea, field, input, openModal, problem, submit, type App } from "../ui";
import { createTemplateExtras } from "./template-extras";

/** The template's text with the values typed so far (`{{n}}` left where none is typed). */
export function filledTemplate(body: string, values: string[]): string {
  return body.replace(/\{\{(\d+)\}\}/g, (all, n: string) => values[Number(n) - 1]?.trim() || all);
}

/** Whether `typed` looks like an international number (+, country code, 8 to 15 digits). */
export function looksInternational(typed: string): boolean {
  const t = typed.trim();
  if (!t.startsWith("+") || /[^0-9 ().-]/.test(t.slice(1))) return false;
  const digits = t.slice(1).replace(/\D/g, "");
  return digits.length >= 8 && digits.length <= 15 && !digits.startsWith("0");
}

/** What the dialog opens with, e.g. a number from a contact card a customer shared. */
export type StartPrefill = { phone: string; name: string };

/** Opens the dialog over `host`; `started` gets the conversation the template went into. */
export async function openStart(app: App, host: HTMLElement, error: HTMLElement, started: (id: number) => void,
  prefill?: StartPrefill): Promise<void> {
  let accounts: StartAccount[];
  try {
    accounts = await api.startOptions();
  } catch (err) {
    app.fail(err, error);
    return;
  }
  const usable = accounts.filter((a) => a.templates.length > 0);
  const general = errorArea();
  general.id = "start-error";
  const accountSelect = markField(h("select", { id: "start-account" },
    ...usable.map((a) => h("option", { value: a.id }, a.name))), "account");
  const phone = markField(input("start-phone", { type: "tel", autocomplete: "off", placeholder: "+49 151 23456789" }), "phone");
  const name = markField(input("start-name", { autocomplete: "off" }), "name");
  const templateSelect = markField(h("select", { id: "start-template" }), "template");
  const values = h("div", { id: "start-values" });
  const preview = h("p", { id: "start-preview", class: "template-preview", "aria-live": "polite" });
  const go = submit("start-send", "Send template");
  const cancel = button("start-cancel", "Cancel", { class: "secondary" });
  let inputs: HTMLInputElement[] = [];
  const extras = createTemplateExtras("start", () => showPreview());

  const account = () => usable.find((a) => String(a.id) === accountSelect.value) ?? null;
  const template = (): TemplateView | null =>
    account()?.templates.find((t) => `${t.name}|${t.language}` === templateSelect.value) ?? null;
  function showPreview(): void {
    const t = template();
    const frame = extras.frame();
    preview.textContent = t
      ? [frame.title, filledTemplate(t.body, inputs.map((i) => i.value)), frame.buttons].filter(Boolean).join("\n\n")
      : "";
  }
  function showTemplates(): void {
    replaceChildren(templateSelect, ...(account()?.templates ?? []).map((t) =>
      h("option", { value: `${t.name}|${t.language}` }, `${t.name} (${t.language})`)));
    showValues();
  }
  function showValues(): void {
    const t = template();
    inputs = Array.from({ length: t?.parameters ?? 0 }, (_, i) => {
      const v = markField(input(`start-value-${i + 1}`, { autocomplete: "off" }), "template");
      v.addEventListener("input", showPreview);
      return v;
    });
    extras.show(t);
    replaceChildren(values, ...inputs.map((v, i) => field(`Value {{${i + 1}}}`, v)), extras.el);
    showPreview();
  }
  accountSelect.addEventListener("change", showTemplates);
  templateSelect.addEventListener("change", showValues);

  const form = usable.length === 0
    ? h("p", { class: "empty", id: "start-none" }, "No WhatsApp number with an approved template is connected, so no conversation can be started here. An admin connects numbers under Channels; templates are approved at Meta.")
    : h("form", { id: "start-form", novalidate: true },
      field("From", accountSelect),
      field("Customer's WhatsApp number", phone, "With + and the country code."),
      field("Customer's name", name, "Optional: how they appear in the inbox."),
      field("Template", templateSelect),
      values,
      h("p", { class: "hint" }, "What the customer will read:"),
      preview,
      general,
      h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "start", "Write first on WhatsApp", [form]);
  if (usable.length === 0) return;
  if (prefill) { phone.value = prefill.phone; name.value = prefill.name; }
  showTemplates();
  cancel.addEventListener("click", () => modal.close());
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const t = template();
    const a = account();
    if (!a || !t) return problem(general, templateSelect, "Choose a template.");
    if (!looksInternational(phone.value)) {
      return problem(general, phone, "Write the number with + and its country code, e.g. +49 151 23456789.");
    }
    const empty = inputs.findIndex((i) => !i.value.trim());
    if (empty >= 0) return problem(general, inputs[empty], `Fill in value ${empty + 1}.`);
    const more = extras.collect();
    if ("problem" in more) return problem(general, more.at, more.problem);
    void app.run(form, go, general, async () => {
      const id = await api.startConversation({
        account: a.id, phone: phone.value.trim(), name: name.value.trim(), template: t.name, language: t.language,
        parameters: inputs.map((i) => i.value.trim()), extras: more.extras,
      });
      modal.close();
      started(id);
    });
  });
  (prefill ? templateSelect : phone).focus();
}
