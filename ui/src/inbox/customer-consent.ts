//! Consent in the customer panel: per channel the customer is reachable on, whether they agreed to
//! messages, how and when; an agent who may act on their conversations records what the customer
//! said or a form they filled in (Enter saves, Esc cancels; a refusal shows at the form).
import * as api from "../api";
import type { ConsentSource } from "../bindings/ConsentSource";
import type { ConsentState } from "../bindings/ConsentState";
import type { ContactPanel } from "../bindings/ContactPanel";
import { h } from "../h";
import { formatDateTime } from "../logic";
import { button } from "../ui";
import { consentRows, consentText } from "./consent-logic";
import type { Deps } from "./state";

export type ConsentPart = {
  el: HTMLElement;
  /** The panel shown now (null: none). */
  show(panel: ContactPanel | null): void;
};

/** `reload(contact)`: re-read the panel after a change. */
export function createConsent(deps: Deps, reload: (contact: number) => Promise<void>): ConsentPart {
  const { ctx } = deps;
  const list = h("dl", { id: "customer-consent", class: "customer-consent" });
  const el = h("section", { class: "customer-consent-section", hidden: true },
    h("h3", { class: "customer-section" }, "Consent to messages"), list);
  /** The channel whose form is open, and what is chosen in it: kept across live reloads of
   *  the panel, which rebuild the form. */
  let recording: string | null = null;
  let chosen: { state: ConsentState; source: ConsentSource } = { state: "given", source: "agent" };
  /** Focus goes into the form once, when it opens (not on every reload). */
  let focusForm = false;
  let shown: ContactPanel | null = null;

  function form(p: ContactPanel, channel: string): HTMLElement {
    const state = h("select", { id: "consent-state", "aria-label": "Consent" },
      h("option", { value: "given" }, "Agreed to messages"),
      h("option", { value: "refused" }, "Does not want messages")) as HTMLSelectElement;
    const source = h("select", { id: "consent-source", "aria-label": "How" },
      h("option", { value: "agent" }, "They told us"),
      h("option", { value: "form" }, "They filled in a form")) as HTMLSelectElement;
    const save = h("button", { id: "consent-save", type: "submit", class: "small" }, "Save");
    const cancel = button("consent-cancel", "Cancel", { class: "small secondary" });
    const error = h("p", { id: "consent-error", class: "error form-error", role: "alert" });
    const f = h("form", { id: "consent-form", class: "consent-form", novalidate: true },
      state, source, h("div", { class: "actions" }, save, cancel), error);
    state.value = chosen.state;
    source.value = chosen.source;
    state.addEventListener("change", () => { chosen = { ...chosen, state: state.value as ConsentState }; });
    source.addEventListener("change", () => { chosen = { ...chosen, source: source.value as ConsentSource }; });
    const close = () => { recording = null; render(p); document.getElementById(`consent-record-${channel}`)?.focus(); };
    cancel.addEventListener("click", close);
    f.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); close(); }
    });
    f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      error.textContent = "";
      void ctx.app.run(f, save, error, async () => {
        await api.recordConsent(p.id, channel, state.value as ConsentState, source.value as ConsentSource);
        recording = null;
        ctx.toast("Consent recorded.");
        await reload(p.id);
      });
    });
    if (focusForm) {
      focusForm = false;
      queueMicrotask(() => state.focus());
    }
    return f;
  }

  function render(p: ContactPanel): void {
    list.replaceChildren(...consentRows(p).flatMap((row) => {
      const record = p.can_edit && recording !== row.channel
        ? button(`consent-record-${row.channel}`, "Record…", { class: "link consent-record",
          "aria-label": `Record consent on ${row.label}` })
        : null;
      record?.addEventListener("click", () => {
        recording = row.channel;
        chosen = { state: "given", source: "agent" };
        focusForm = true;
        render(p);
      });
      return [
        h("dt", { "data-channel": row.channel }, row.label),
        h("dd", { class: `consent consent-${row.consent?.state ?? "unknown"}`, "data-channel": row.channel },
          consentText(row.consent, formatDateTime), record ? " " : null, record),
        ...(recording === row.channel && p.can_edit ? [h("dd", null, form(p, row.channel))] : []),
      ];
    }));
  }

  function show(p: ContactPanel | null): void {
    el.hidden = !p || p.identities.length === 0;
    if (!p) { recording = null; shown = null; return; }
    if (shown && shown.id !== p.id) recording = null;
    if (p === shown) return;
    shown = p;
    render(p);
  }

  return { el, show };
}
