//! "Buttons…" in the composer: a question with answers the customer taps (WhatsApp buttons or a
//! list, Messenger quick replies). Answers are added and removed in place, a line shows how the
//! customer will see them, and a problem shows at the field it names, before or after sending.
import * as api from "../api";
import type { MessageView } from "../bindings/MessageView";
import type { ReplyGuard } from "../bindings/ReplyGuard";
import { findField, markField, showAtField } from "../field-errors";
import { h, replaceChildren } from "../h";
import { button, errorArea, field, input, openModal, submit, textarea, type App } from "../ui";
import { choicesPreview, choicesProblem, choicesShape } from "./choices-logic";

/** Opens the dialog over `host` for conversation `id` on `channel`; `sent` gets the queued message. */
export function openChoices(app: App, host: HTMLElement, id: number, channel: string, text: string, guard: ReplyGuard | null,
  sent: (m: MessageView) => void): void {
  const general = errorArea();
  general.id = "choices-error";
  const body = markField(textarea("choices-body", { rows: 3 }), "body");
  body.value = text;
  const options: HTMLInputElement[] = [];
  const list = h("ol", { id: "choices-options", class: "choices-options" });
  const buttonWords = markField(input("choices-button", { placeholder: "Choose", maxlength: "40" }), "button");
  const buttonField = field("Words on the button that opens the list", buttonWords);
  const preview = h("p", { id: "choices-preview", class: "hint", "aria-live": "polite" });
  const add = button("choices-add", "Add answer", { class: "small secondary" });
  const go = submit("choices-send", "Send");
  const cancel = button("choices-cancel", "Cancel", { class: "secondary" });

  /** The answers' rows, rebuilt only when one is added or removed (typing keeps its focus). */
  function renderList(): void {
    replaceChildren(list, ...options.map((o, i) => {
      o.id = `choices-option-${i + 1}`;
      o.setAttribute("aria-label", `Answer ${i + 1}`);
      // The core names each answer ("option 2") and the list as a whole ("options": the first).
      o.setAttribute("data-field", i === 0 ? "option 1|options" : `option ${i + 1}`);
      const remove = button(null, "Remove", { class: "small secondary", "aria-label": `Remove answer ${i + 1}` });
      remove.addEventListener("click", () => { options.splice(i, 1); renderList(); (options[i] ?? options[i - 1] ?? add).focus(); });
      return h("li", null, o, remove);
    }));
    render();
  }
  /** What depends on the answers' words and count: the list's shape and the preview line. */
  function render(): void {
    const shape = choicesShape(channel, options.length);
    add.hidden = !shape || options.length >= shape.most;
    buttonField.hidden = shape?.kind !== "list";
    preview.textContent = choicesPreview(channel, options.map((o) => o.value), buttonWords.value);
  }
  function addOption(value = ""): HTMLInputElement {
    const o = input("choices-option", { autocomplete: "off" });
    o.value = value;
    o.addEventListener("input", render);
    options.push(o);
    renderList();
    return o;
  }
  addOption();
  addOption();
  add.addEventListener("click", () => addOption().focus());
  buttonWords.addEventListener("input", render);

  const form = h("form", { id: "choices-form", novalidate: true },
    field("Question", body),
    h("fieldset", { class: "choices" }, h("legend", null, "Answers the customer taps"), list, add),
    buttonField,
    preview,
    general,
    h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "choices", "Answers to tap", [form]);
  cancel.addEventListener("click", () => modal.close());
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const values = options.map((o) => o.value);
    const bad = choicesProblem(channel, body.value, values, buttonWords.value);
    if (bad) {
      const [name, words] = bad;
      const at = findField(form, name);
      if (at) showAtField(at, words);
      else { general.textContent = words; add.focus(); }
      return;
    }
    void app.run(form, go, general, async () => {
      const m = await api.replyChoices(id, { body: body.value, options: values, button: buttonWords.value }, guard);
      modal.close();
      sent(m);
    });
  });
  body.focus();
}
