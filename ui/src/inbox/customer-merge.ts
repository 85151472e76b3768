//! "Same person?" in the customer panel: other contacts with the same name (among those this
//! agent sees), each merged into the shown customer after a confirmation that says what moves,
//! with Undo in the notice (its button, or Z) for as long as the core allows it.
import * as api from "../api";
import type { ContactPanel } from "../bindings/ContactPanel";
import type { MergeCandidate } from "../bindings/MergeCandidate";
import { h } from "../h";
import { errorAction, toUiError } from "../logic";
import { button, openModal } from "../ui";
import { mergeSummary } from "./customer-logic";
import type { Deps } from "./state";

export type MergePart = {
  el: HTMLElement;
  /** The panel shown now (null: none); suggestions load when the customer changes. */
  show(panel: ContactPanel | null): void;
  dispose(): void;
};

/** `reload(contact)`: re-read the panel after a merge or its undo. */
export function createMerge(deps: Deps, reload: (contact: number) => Promise<void>): MergePart {
  const { ctx, actions } = deps;
  const list = h("ul", { id: "merge-candidates", class: "merge-candidates", "aria-labelledby": "merge-heading" });
  const el = h("section", { id: "customer-merge", class: "customer-merge", hidden: true },
    h("h3", { id: "merge-heading", class: "customer-section" }, "Same person?"),
    h("p", { class: "hint" }, "Other customers with the same name. Merging moves their addresses and conversations here."),
    list);
  let gen = 0;
  let shownFor: number | null = null;

  async function load(panel: ContactPanel): Promise<void> {
    const g = ++gen;
    let found: MergeCandidate[] = [];
    try {
      found = panel.can_edit ? await api.mergeSuggestions(panel.id) : [];
    } catch (err) {
      if (g !== gen || !ctx.current()) return;
      // Suggestions are a help, not the panel: only a lock or sign-out is acted on.
      if (errorAction(toUiError(err).code) !== "show_message") ctx.app.fail(err, ctx.error);
      found = [];
    }
    if (g !== gen || !ctx.current()) return;
    el.hidden = found.length === 0;
    list.replaceChildren(...found.map((c) => item(panel, c)));
  }

  function item(panel: ContactPanel, c: MergeCandidate): HTMLElement {
    const merge = button(`merge-candidate-${c.id}`, "Merge…", { class: "small secondary", "aria-label": `Merge ${c.name} into ${panel.name}` });
    merge.addEventListener("click", () => confirm(panel, c));
    return h("li", { class: "merge-candidate", "data-contact-id": c.id },
      h("span", { class: "merge-candidate-name" }, c.name),
      h("span", { class: "muted" }, mergeSummary(c)),
      merge);
  }

  function confirm(panel: ContactPanel, c: MergeCandidate): void {
    const dlgError = h("p", { id: "merge-error", class: "error form-error", role: "alert" });
    const ok = h("button", { id: "merge-confirm", type: "submit" }, "Merge");
    const cancel = button("merge-cancel", "Cancel", { class: "secondary" });
    const form = h("form", { novalidate: true },
      h("p", null, `Merge ${c.name} (${mergeSummary(c)}) into ${panel.name}?`),
      h("p", { class: "hint" }, `Their addresses and conversations move to ${panel.name}; export and erasure then cover both. You can undo it from the notice.`),
      h("div", { class: "actions" }, ok, cancel), dlgError);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void ctx.app.run(form, ok, dlgError, async () => {
        const done = await api.mergeContacts(panel.id, c.id);
        m.close();
        await after(panel.id);
        ctx.toast(`Merged ${c.name} into ${panel.name}.`, {
          label: "Undo",
          run: () => void ctx.app.run(el, null, ctx.error, async () => {
            await api.undoContactMerge(done.id);
            await after(panel.id);
            ctx.toast("Merge undone.");
          }),
        });
      });
    });
    cancel.addEventListener("click", () => m.close());
    const m = openModal(ctx.host, "merge-dialog", "Merge customers", [form]);
    ok.focus();
  }

  async function after(contact: number): Promise<void> {
    shownFor = null;
    await reload(contact);
    void actions.reloadConversation();
    void actions.refreshList();
  }

  return {
    el,
    show(panel) {
      if (!panel) { gen++; shownFor = null; el.hidden = true; list.replaceChildren(); return; }
      if (panel.id === shownFor) return;
      shownFor = panel.id;
      void load(panel);
    },
    dispose: () => { gen++; },
  };
}
