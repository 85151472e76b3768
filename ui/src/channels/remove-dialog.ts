//! "Remove…" on a card: the admin chooses the history's fate. Keep (the default) wipes the
//! secrets and leaves the conversations readable; erase takes the conversations and the customers
//! who wrote nowhere else, and asks for the account's name typed in first. Both are audited.
import * as api from "../api";
import type { AccountRemoval } from "../bindings/AccountRemoval";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import { markField } from "../field-errors";
import { h } from "../h";
import { button, errorArea, field, input, openModal, problem, submit, type App } from "../ui";
import { removalText } from "./check-logic";

/** Opens the dialog over `host`; `removed` gets what was done. */
export function openRemove(app: App, host: HTMLElement, a: ChannelAccountView, removed: (r: AccountRemoval) => void): void {
  const general = errorArea();
  general.id = "remove-channel-error";
  const keep = h("input", { type: "radio", id: "remove-keep", name: "remove-history", value: "keep", checked: true });
  const erase = h("input", { type: "radio", id: "remove-erase", name: "remove-history", value: "erase" });
  const confirmName = markField(input("remove-confirm-name", { autocomplete: "off", spellcheck: "false" }), "name");
  const confirmField = field("Type the account's name to erase it", confirmName);
  const explain = h("p", { id: "remove-explain", class: "hint" });
  const go = submit("remove-channel-go", "Remove");
  go.classList.replace("primary", "danger");
  const cancel = button("remove-channel-cancel", "Cancel", { class: "secondary" });
  const show = () => {
    explain.textContent = removalText(erase.checked, a.name);
    confirmField.hidden = !erase.checked;
    go.textContent = erase.checked ? "Remove and erase" : "Remove";
  };
  const form = h("form", { id: "remove-channel-form", novalidate: true },
    h("fieldset", { class: "choices" },
      h("legend", null, "Its conversations"),
      h("label", { class: "radio" }, keep, " Keep them to read"),
      h("label", { class: "radio" }, erase, " Erase them")),
    explain,
    confirmField,
    general,
    h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "remove-channel", `Remove ${a.name}`, [form]);
  keep.addEventListener("change", show);
  erase.addEventListener("change", show);
  cancel.addEventListener("click", () => modal.close());
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const wipe = erase.checked;
    if (wipe && confirmName.value.trim() !== a.name) {
      return problem(general, confirmName, `Type ${a.name} exactly to erase its conversations.`);
    }
    void app.run(form, go, general, async () => {
      const result = await api.removeChannelAccount(a.id, wipe);
      modal.close();
      removed(result);
    });
  });
  show();
  keep.focus();
}

/** What the page says after a removal. */
export function removedText(name: string, r: AccountRemoval): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return r.erased
    ? `Removed ${name} and erased ${n(r.conversations, "conversation")}, ${n(r.messages, "message")} and ${n(r.contacts, "customer")}.`
    : `Removed ${name}; ${n(r.conversations, "conversation")} with ${n(r.messages, "message")} stay to read.`;
}
