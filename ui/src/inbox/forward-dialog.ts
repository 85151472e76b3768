//! "Forward…" on an e-mail conversation: to one address, the whole conversation or one of its
//! messages, with a note; it goes as a new thread with the messages' files. A refusal shows at
//! the field it names; the forward then shows in the conversation.
import * as api from "../api";
import type { MessageView } from "../bindings/MessageView";
import { markField } from "../field-errors";
import { h } from "../h";
import { button, field, input, openModal, problem, textarea, type Modal } from "../ui";
import type { Deps } from "./state";

/** How a message is named in the "What" list: when, who, and the start of its text. */
export function messageChoice(m: MessageView): string {
  const when = new Date(m.at * 1000).toISOString().slice(0, 16).replace("T", " ");
  const who = m.direction === "in" ? "Customer" : m.author ?? "Us";
  const text = m.body.replace(/\s+/g, " ").trim();
  return `${when} · ${who}: ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

/** The address as typed, or why it cannot be one (the core checks it again). */
export function forwardProblem(to: string): string | null {
  const t = to.trim();
  if (t === "") return "Write the address to forward to.";
  if (!/^[^\s@<>(),;"]+@[^\s@<>(),;"]+$/.test(t)) return `“${t.slice(0, 80)}” is not an e-mail address.`;
  return null;
}

export function createForwardDialog(deps: Deps): { open(): void; isOpen(): boolean; dispose(): void } {
  const { ctx, store, actions } = deps;
  let modal: Modal | null = null;

  function open(): void {
    const view = store.get().view;
    if (!view || !view.can_act || view.summary.channel !== "email" || modal) return;
    const id = view.summary.id;
    const to = markField(input("forward-to", { type: "email", required: true, autocomplete: "email" }), "to");
    const what = markField(h("select", { id: "forward-what" },
      h("option", { value: "" }, "The whole conversation"),
      ...[...view.messages].reverse().slice(0, 30).map((m) => h("option", { value: String(m.id) }, messageChoice(m)))),
    "message") as HTMLSelectElement;
    const note = markField(textarea("forward-note", { rows: 4, maxlength: 4096 }), "note");
    const dlgError = h("p", { id: "forward-error", class: "error", role: "alert" });
    const submitBtn = h("button", { id: "forward-submit", type: "submit", class: "primary" }, "Forward");
    const cancelBtn = button("forward-cancel", "Cancel", { class: "secondary" });
    const form = h("form", { novalidate: true },
      h("p", { class: "muted" }, "Sent as a new e-mail from this mailbox, with the files of what you forward. The customer does not get it."),
      field("To", to),
      field("What", what),
      field("Note (optional)", note, "Written above the forwarded mail."),
      dlgError,
      h("div", { class: "actions" }, submitBtn, cancelBtn));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      dlgError.textContent = "";
      const wrong = forwardProblem(to.value);
      if (wrong) return problem(dlgError, to, wrong);
      const address = to.value.trim();
      void actions.act(form, submitBtn, async () => {
        await api.forwardMail(id, { to: address, note: note.value, message: what.value === "" ? null : Number(what.value) });
        m.close();
        ctx.toast(`Forwarded to ${address}.`);
        if (store.get().openId === id) await actions.reloadConversation();
      }, dlgError);
    });
    cancelBtn.addEventListener("click", () => m.close());
    const m = openModal(ctx.host, "forward-dialog", "Forward", [form], () => { modal = null; });
    modal = m;
    to.focus();
  }

  return { open, isOpen: () => modal !== null, dispose: () => { modal?.close(); modal = null; } };
}
