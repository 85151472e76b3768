//! The transfer, return-to-queue and forward dialogs of the open conversation.
import * as api from "../api";
import type { Versioned } from "../bindings/Versioned";
import { h } from "../h";
import { button, field, openModal, problem, textarea, type Modal } from "../ui";
import { createForwardDialog } from "./forward-dialog";
import { parseTransferTarget } from "./logic";
import type { Deps } from "./state";

export type Dialogs = {
  openTransfer(): Promise<void>;
  openReturn(): void;
  openForward(): void;
  /** A dialog is open: the inbox's shortcuts wait. */
  isOpen(): boolean;
  dispose(): void;
};

export function createDialogs(deps: Deps): Dialogs {
  const { ctx, store, actions } = deps;
  const { error, user } = ctx;
  let modal: Modal | null = null;
  const forward = createForwardDialog(deps);

  function versioned(): Versioned | null {
    const view = store.get().view;
    return view ? { id: view.summary.id, version: view.summary.version } : null;
  }

  /** After a transfer or return: the conversation is no longer ours to show. With `undo`, the
   * notice offers Undo (its button, or Z), which opens the conversation again afterwards. */
  async function moved(id: number, message: string, undo?: () => Promise<void>): Promise<void> {
    actions.showEmptyPane();
    if (store.get().selectedId === id) store.set({ selectedId: null });
    ctx.toast(message, undo && {
      label: "Undo",
      run: () => void actions.act(deps.pane(), null, async () => {
        await undo();
        await actions.refreshList();
        await actions.openConversation(id);
        ctx.toast("Undone.");
      }),
    });
    await actions.refreshList();
    actions.focusList();
  }

  async function openTransfer(): Promise<void> {
    const v = versioned();
    const view = store.get().view;
    if (!v || !view || !view.can_act || modal) return;
    const contact = view.summary.contact_name;
    error.textContent = "";
    try {
      await actions.loadPeople();
    } catch (err) {
      ctx.app.fail(err, error);
      return;
    }
    if (!ctx.current() || store.get().openId !== v.id || modal) return;
    const { colleagues, teams } = store.get();
    const others = colleagues.filter((c) => c.id !== user.user_id);
    const target = h("select", { id: "transfer-target", name: "transfer-target", required: true },
      h("option", { value: "" }, "Choose a person or team…"),
      others.length ? h("optgroup", { label: "People" },
        ...others.map((c) => h("option", { value: `agent:${c.id}` }, c.available ? c.display_name : `${c.display_name} (away)`))) : null,
      teams.length ? h("optgroup", { label: "Teams" },
        ...teams.map((t) => h("option", { value: `team:${t.id}` }, t.name))) : null);
    const note = textarea("transfer-note", { rows: 4, required: true, "aria-required": "true" });
    const dlgError = h("p", { id: "transfer-error", class: "error", role: "alert" });
    const submitBtn = h("button", { id: "transfer-submit", type: "submit", class: "primary" }, "Transfer");
    const cancelBtn = button("transfer-cancel", "Cancel", { class: "secondary" });
    const form = h("form", { novalidate: true },
      h("p", { class: "muted" }, `Hand ${contact} over to a colleague or a team. They get a notice.`),
      field("To", target),
      field("Note for them (required)", note, "What has been done, and what is still needed."),
      dlgError,
      h("div", { class: "actions" }, submitBtn, cancelBtn));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      dlgError.textContent = "";
      const t = parseTransferTarget(target.value);
      if (!t) return problem(dlgError, target, "Choose a person or a team.");
      const text = note.value.trim();
      if (!text) return problem(dlgError, note, "Write a note for the next person: it is required.");
      const name = target.selectedOptions[0]?.textContent ?? "them";
      // The latest version: a conflict reload may have moved it on since the dialog opened.
      const cur = versioned();
      if (!cur || cur.id !== v.id) { m.close(); return; }
      void actions.act(form, submitBtn, async () => {
        await api.transfer(cur, t, text);
        m.close();
        await moved(v.id, `Transferred ${contact} to ${name.replace(/ \(away\)$/, "")}.`);
      }, dlgError);
    });
    cancelBtn.addEventListener("click", () => m.close());
    const m = openModal(ctx.host, "transfer-dialog", "Transfer conversation", [form], () => { modal = null; });
    modal = m;
    target.focus();
  }

  function openReturn(): void {
    const v = versioned();
    const view = store.get().view;
    if (!v || !view || !view.can_act || modal) return;
    const contact = view.summary.contact_name;
    const wasWith = view.summary.assignee_id;
    const note = textarea("return-note", { rows: 3 });
    const dlgError = h("p", { id: "return-error", class: "error", role: "alert" });
    const submitBtn = h("button", { id: "return-submit", type: "submit", class: "primary" }, "Return to queue");
    const cancelBtn = button("return-cancel", "Cancel", { class: "secondary" });
    const form = h("form", { novalidate: true },
      h("p", { class: "muted" }, `${contact} goes back to the unassigned queue for someone else to pick up.`),
      field("Note (optional)", note, "Anything the next person should know."),
      dlgError,
      h("div", { class: "actions" }, submitBtn, cancelBtn));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      dlgError.textContent = "";
      const cur = versioned();
      if (!cur || cur.id !== v.id) { m.close(); return; }
      void actions.act(form, submitBtn, async () => {
        await api.returnToQueue(cur, note.value.trim());
        m.close();
        // Undo gives it back to whoever had it: mine by taking it, a colleague's (a lead returned
        // it) by reassigning, at the version it has now.
        await moved(v.id, `${contact} is back in the queue.`, wasWith === null ? undefined : async () => {
          const now = { id: v.id, version: (await api.openConversation(v.id, null)).summary.version };
          if (wasWith === user.user_id) await api.take(now);
          else await api.reassign([now], wasWith, "");
        });
      }, dlgError);
    });
    cancelBtn.addEventListener("click", () => m.close());
    const m = openModal(ctx.host, "return-dialog", "Return to queue", [form], () => { modal = null; });
    modal = m;
    note.focus();
  }

  return {
    openTransfer, openReturn,
    openForward: () => { if (!modal) forward.open(); },
    isOpen: () => modal !== null || forward.isOpen(),
    dispose: () => { modal?.close(); modal = null; forward.dispose(); },
  };
}
