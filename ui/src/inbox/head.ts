//! The open conversation's header: contact, channel, status and reply window, assignee, labels, and
//! the transfer / return / resolve buttons.
import * as api from "../api";
import type { ConversationView } from "../bindings/ConversationView";
import { h } from "../h";
import type { Part } from "../store";
import { button, input } from "../ui";
import { channelBadge, headWindowBadge } from "./badges";
import { parseLabels, STATUS_LABELS } from "./logic";
import { now, type Deps, type InboxState } from "./state";

export type HeadPart = Part<InboxState> & {
  toggleResolved(btn: HTMLButtonElement | null): Promise<void>;
};

export function createHead(deps: Deps, dialogs: { openTransfer(): Promise<void>; openReturn(): void }): HeadPart {
  const { ctx, store, actions } = deps;
  const { error, user } = ctx;
  const el = h("div", { class: "conv-head" });

  function render(v: ConversationView): void {
    const s = v.summary;
    // Keep a label edit in progress across live reloads.
    const prev = el.querySelector<HTMLInputElement>("#labels-input");
    const editing = prev && document.activeElement === prev ? { value: prev.value, pos: prev.selectionStart } : null;
    const labels = input("labels-input", { placeholder: "Add labels, comma-separated", "aria-describedby": "labels-hint" });
    labels.value = v.labels.join(", ");
    const labelsStatus = h("span", { id: "labels-hint", class: "hint" }, "Enter to save");
    labels.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        ev.preventDefault();
        const id = s.id;
        const next = parseLabels(labels.value);
        error.textContent = "";
        void ctx.app.run(el, null, error, async () => {
          const saved = await api.setLabels(id, next);
          // Written into the shown view without a re-render: the field already says it, and keeps focus.
          const view = store.get().view;
          if (view && view.summary.id === id) view.labels = saved;
          labels.value = saved.join(", ");
          labelsStatus.textContent = "Labels saved";
        });
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        ev.stopPropagation();
        labels.value = (store.get().view?.labels ?? []).join(", ");
        labels.blur();
        actions.focusList();
      }
    });
    labels.addEventListener("input", () => { labelsStatus.textContent = "Enter to save"; });

    const transferBtn = button("transfer-button", "Transfer…", { class: "secondary small", "aria-keyshortcuts": "T" });
    const returnBtn = button("return-button", "Return to queue", { class: "secondary small" });
    const resolved = s.status === "resolved";
    const resolveBtn = button("resolve-button", resolved ? "Reopen" : "Resolve", { class: "small", "aria-keyshortcuts": "E" });
    for (const b of [transferBtn, returnBtn, resolveBtn]) {
      if (!v.can_act) { b.disabled = true; b.title = "You cannot change this conversation."; }
    }
    if (s.assignee_id === null) { returnBtn.disabled = true; returnBtn.title = "It is already in the queue."; }
    transferBtn.addEventListener("click", () => void dialogs.openTransfer());
    returnBtn.addEventListener("click", () => dialogs.openReturn());
    resolveBtn.addEventListener("click", () => void toggleResolved(resolveBtn));

    const email = s.channel === "email";
    const who = s.assignee_name ? `Assigned to ${s.assignee_id === user.user_id ? "you" : s.assignee_name}` : "Unassigned";
    el.replaceChildren(
      h("div", { class: "conv-title" },
        h("h2", { id: "conv-contact" }, s.contact_name),
        channelBadge(s.channel),
        h("span", { id: "conv-status", class: `badge status-${s.status}` }, STATUS_LABELS[s.status] ?? s.status),
        headWindowBadge(v, now())),
      // An e-mail thread is known by its subject: it gets a line of its own.
      email ? h("p", { id: "conv-subject", class: `conv-subject${s.subject ? "" : " muted"}` }, s.subject || "(no subject)") : "",
      h("p", { class: "conv-meta" },
        h("span", { id: "conv-assignee" }, who),
        s.team_name ? ` · Team ${s.team_name}` : "",
        s.subject && !email ? h("span", { class: "muted" }, ` · ${s.subject}`) : null),
      h("div", { class: "conv-tools" },
        h("div", { class: "conv-labels" }, h("label", { for: "labels-input" }, "Labels"), labels, labelsStatus),
        h("div", { class: "conv-actions" }, transferBtn, returnBtn, resolveBtn)));
    if (editing) {
      labels.value = editing.value;
      labels.focus();
      if (editing.pos !== null) labels.setSelectionRange(editing.pos, editing.pos);
    }
  }

  async function toggleResolved(btn: HTMLButtonElement | null): Promise<void> {
    const view = store.get().view;
    if (!view || !view.can_act) return;
    const v = { id: view.summary.id, version: view.summary.version };
    const reopen = view.summary.status === "resolved";
    error.textContent = "";
    await actions.act(deps.pane(), btn, async () => {
      await api.setStatus(v, reopen ? "open" : "resolved", null);
      ctx.toast(reopen ? "Reopened." : `Resolved: ${store.get().view?.summary.contact_name ?? "conversation"}.`);
      await Promise.all([actions.reloadConversation(), actions.refreshList()]);
    });
  }

  let shown: ConversationView | null = null;
  let shownTick = 0;
  function update(s: InboxState): void {
    el.hidden = s.view === null;
    if (s.view !== shown) {
      shown = s.view;
      shownTick = s.tick;
      if (s.view) render(s.view);
      else el.replaceChildren();
    } else if (s.view && s.tick !== shownTick) {
      // The reply window moves on while the conversation is open.
      shownTick = s.tick;
      el.querySelector("#conv-window")?.replaceWith(headWindowBadge(s.view, now()) ?? "");
    }
  }

  return { el, update, dispose: () => {}, toggleResolved };
}
