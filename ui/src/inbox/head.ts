//! The open conversation's header: contact, channel, status and reply window, assignee, labels, and
//! priority, and the take / transfer / return / pending / snooze / resolve buttons, each undoable from its notice.
import * as api from "../api";
import type { ConversationView } from "../bindings/ConversationView";
import { h } from "../h";
import type { Part } from "../store";
import { button, input } from "../ui";
import { channelBadge, headWindowBadge, priorityBadge, satisfactionBadge, slaBadge } from "./badges";
import type { Versioned } from "../bindings/Versioned";
import type { Priority } from "../bindings/Priority";
import { botControl } from "./bot-control";
import { parseLabels, PRIORITIES, PRIORITY_LABELS, STATUS_LABELS } from "./logic";
import { snoozeLabel } from "./snooze";
import { createSnoozeMenu } from "./snooze-menu";
import { now, type Deps, type InboxState } from "./state";

export type HeadPart = Part<InboxState> & {
  toggleResolved(btn: HTMLButtonElement | null): Promise<void>;
  take(btn: HTMLButtonElement | null): Promise<void>;
  openSnooze(): void;
  /** Pending (waiting on the customer) or open again. */
  togglePending(btn: HTMLButtonElement | null): Promise<void>;
  /** Focus the priority menu. */
  openPriority(): void;
};

/** How long a second E press confirms resolving an unassigned conversation. */
const CONFIRM_MS = 5000;

export function createHead(deps: Deps, dialogs: { openTransfer(): Promise<void>; openReturn(): void; openForward(): void }): HeadPart {
  const { ctx, store, actions } = deps;
  const { error, user } = ctx;
  const el = h("div", { class: "conv-head" });
  const snoozeMenu = createSnoozeMenu((at, label) => void snooze(at, label), () => el.querySelector<HTMLElement>("#snooze-button")?.focus());
  let confirmResolve: { id: number; until: number } | null = null;

  /** The version of `id` this window knows now (after the change being undone). */
  async function versionOf(id: number): Promise<Versioned> {
    const state = store.get();
    if (state.view && state.view.summary.id === id) return { id, version: state.view.summary.version };
    const row = state.rows.find((r) => r.id === id);
    if (row) return { id, version: row.version };
    return { id, version: (await api.openConversation(id, null)).summary.version };
  }

  /** A notice with Undo (its button, or Z) that runs `undo` on the conversation as it is now. */
  function offerUndo(message: string, undo: () => Promise<void>): void {
    ctx.toast(message, {
      label: "Undo",
      run: () => void actions.act(deps.pane(), null, async () => {
        await undo();
        await Promise.all([actions.reloadConversation(), actions.refreshList()]);
        ctx.toast("Undone.");
      }),
    });
  }

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

    const mine = s.assignee_id === user.user_id;
    const takeBtn = button("take-button", "Assign to me", { class: "secondary small", "aria-keyshortcuts": "A" });
    takeBtn.hidden = mine;
    const snoozeBtn = button("snooze-button", "Snooze…", { class: "secondary small", "aria-keyshortcuts": "S",
      "aria-controls": "snooze-menu" });
    const transferBtn = button("transfer-button", "Transfer…", { class: "secondary small", "aria-keyshortcuts": "T" });
    const returnBtn = button("return-button", "Return to queue", { class: "secondary small" });
    const forwardBtn = button("forward-button", "Forward…", { class: "secondary small" });
    forwardBtn.hidden = s.channel !== "email";
    const pending = s.status === "pending";
    const pendingBtn = button("pending-button", pending ? "Not waiting" : "Waiting", { class: "secondary small",
      "aria-keyshortcuts": "W", "aria-pressed": pending ? "true" : "false",
      title: pending ? "Open again: no longer waiting on the customer" : "Pending: waiting on the customer" });
    const prioritySelect = h("select", { id: "priority-select", name: "priority", "aria-label": "Priority", "aria-keyshortcuts": "P",
      class: `priority-select priority-${s.priority}` },
      ...PRIORITIES.map((p) => h("option", { value: p }, PRIORITY_LABELS[p])));
    prioritySelect.value = s.priority;
    const resolved = s.status === "resolved";
    const resolveBtn = button("resolve-button", resolved ? "Reopen" : "Resolve", { class: "small", "aria-keyshortcuts": "E" });
    for (const b of [takeBtn, snoozeBtn, transferBtn, returnBtn, forwardBtn, resolveBtn, pendingBtn, prioritySelect]) {
      if (!v.can_act) { b.disabled = true; b.title = "You cannot change this conversation."; }
    }
    if (s.assignee_id === null) { returnBtn.disabled = true; returnBtn.title = "It is already in the queue."; }
    if (resolved) {
      for (const b of [snoozeBtn, pendingBtn]) { b.disabled = true; b.title = "Reopen it first."; }
    }
    pendingBtn.addEventListener("click", () => void togglePending(pendingBtn));
    prioritySelect.addEventListener("change", () => void setPriority(prioritySelect.value as Priority));
    takeBtn.addEventListener("click", () => void take(takeBtn));
    snoozeBtn.addEventListener("click", () => openSnooze());
    transferBtn.addEventListener("click", () => void dialogs.openTransfer());
    returnBtn.addEventListener("click", () => dialogs.openReturn());
    forwardBtn.addEventListener("click", () => dialogs.openForward());
    resolveBtn.addEventListener("click", () => void toggleResolved(resolveBtn));

    const bot = botControl(v, (task) => {
      error.textContent = "";
      void actions.act(deps.pane(), null, async () => {
        await task();
        await actions.reloadConversation();
        // The header was drawn again: back on "Go".
        document.getElementById("bot-control-go")?.focus();
      });
    }, (message) => ctx.toast(message));
    const email = s.channel === "email";
    const who = s.assignee_name ? `Assigned to ${s.assignee_id === user.user_id ? "you" : s.assignee_name}` : "Unassigned";
    el.replaceChildren(
      h("div", { class: "conv-title" },
        h("h2", { id: "conv-contact" }, s.contact_name),
        channelBadge(s.channel),
        priorityBadge(s.priority),
        h("span", { id: "conv-status", class: `badge status-${s.status}` }, STATUS_LABELS[s.status] ?? s.status,
          s.status === "snoozed" && s.snoozed_until !== null ? ` ${snoozeLabel(s.snoozed_until, Date.now())}` : ""),
        headWindowBadge(v, now()),
        slaBadge(s, now(), "conv-sla"),
        satisfactionBadge(v),
        v.out_of_hours
          ? h("span", { id: "conv-out-of-hours", class: "badge muted", title: "The team's business hours have ended; set them under Reports" }, "Out of hours")
          : null),
      // An e-mail thread is known by its subject: it gets a line of its own.
      email ? h("p", { id: "conv-subject", class: `conv-subject${s.subject ? "" : " muted"}` }, s.subject || "(no subject)") : "",
      h("p", { class: "conv-meta" },
        h("span", { id: "conv-assignee" }, who),
        s.team_name ? ` · Team ${s.team_name}` : "",
        s.subject && !email ? h("span", { class: "muted" }, ` · ${s.subject}`) : null,
        v.satisfaction?.comment ? h("span", { id: "conv-rating-comment", class: "muted" }, ` · “${v.satisfaction.comment}”`) : null),
      h("div", { class: "conv-tools" },
        h("div", { class: "conv-labels" }, h("label", { for: "labels-input" }, "Labels"), labels, labelsStatus),
        h("div", { class: "conv-actions" }, prioritySelect, takeBtn, transferBtn, returnBtn, forwardBtn, bot, pendingBtn, snoozeBtn, resolveBtn)),
      snoozeMenu.el);
    if (editing) {
      labels.value = editing.value;
      labels.focus();
      if (editing.pos !== null) labels.setSelectionRange(editing.pos, editing.pos);
    }
  }

  async function toggleResolved(btn: HTMLButtonElement | null): Promise<void> {
    const view = store.get().view;
    if (!view || !view.can_act) return;
    const s = view.summary;
    const v = { id: s.id, version: s.version };
    const reopen = s.status === "resolved";
    // Nobody has answered an unassigned conversation: resolving it takes a second press.
    if (!reopen && s.assignee_id === null && (confirmResolve?.id !== s.id || confirmResolve.until < Date.now())) {
      confirmResolve = { id: s.id, until: Date.now() + CONFIRM_MS };
      ctx.toast("Nobody is assigned to this conversation. Press E (or Resolve) again to resolve it anyway.");
      return;
    }
    confirmResolve = null;
    const before = s.status;
    const until = s.snoozed_until;
    error.textContent = "";
    await actions.act(deps.pane(), btn, async () => {
      await api.setStatus(v, reopen ? "open" : "resolved", null);
      await Promise.all([actions.reloadConversation(), actions.refreshList()]);
      const restore = before === "snoozed" && until !== null && until > Date.now() / 1000 ? "snoozed" : before;
      offerUndo(reopen ? "Reopened." : `Resolved: ${s.contact_name}.`, async () =>
        api.setStatus(await versionOf(s.id), restore, restore === "snoozed" ? until : null).then(() => {}));
    });
  }

  /** "Assign to me"; Undo puts it back in the queue when it was unassigned. */
  async function take(btn: HTMLButtonElement | null): Promise<void> {
    const view = store.get().view;
    if (!view || !view.can_act || view.summary.assignee_id === user.user_id) return;
    const s = view.summary;
    const wasUnassigned = s.assignee_id === null;
    error.textContent = "";
    await actions.act(deps.pane(), btn, async () => {
      await api.take({ id: s.id, version: s.version });
      await Promise.all([actions.reloadConversation(), actions.refreshList()]);
      if (wasUnassigned) {
        offerUndo(`Assigned to you: ${s.contact_name}.`, async () => api.returnToQueue(await versionOf(s.id), "").then(() => {}));
      } else {
        ctx.toast(`Assigned to you: ${s.contact_name}.`);
      }
    });
  }

  function openSnooze(): void {
    const view = store.get().view;
    if (!view || !view.can_act || view.summary.status === "resolved") return;
    snoozeMenu.open();
  }

  async function snooze(at: number, label: string): Promise<void> {
    const view = store.get().view;
    if (!view) return;
    const s = view.summary;
    const before = s.status;
    error.textContent = "";
    await actions.act(deps.pane(), null, async () => {
      await api.setStatus({ id: s.id, version: s.version }, "snoozed", at);
      await Promise.all([actions.reloadConversation(), actions.refreshList()]);
      offerUndo(`Snoozed ${label}: ${s.contact_name}.`, async () =>
        api.setStatus(await versionOf(s.id), before === "snoozed" ? "open" : before, null).then(() => {}));
    });
  }

  async function togglePending(btn: HTMLButtonElement | null): Promise<void> {
    const view = store.get().view;
    if (!view || !view.can_act || view.summary.status === "resolved") return;
    const s = view.summary;
    const before = s.status;
    const until = s.snoozed_until;
    const next = before === "pending" ? "open" : "pending";
    error.textContent = "";
    await actions.act(deps.pane(), btn, async () => {
      await api.setStatus({ id: s.id, version: s.version }, next, null);
      await Promise.all([actions.reloadConversation(), actions.refreshList()]);
      const restore = before === "snoozed" && (until === null || until <= Date.now() / 1000) ? "open" : before;
      offerUndo(next === "pending" ? `Waiting on ${s.contact_name}.` : `Open again: ${s.contact_name}.`, async () =>
        api.setStatus(await versionOf(s.id), restore, restore === "snoozed" ? until : null).then(() => {}));
    });
  }

  async function setPriority(priority: Priority): Promise<void> {
    const view = store.get().view;
    if (!view || !view.can_act || view.summary.priority === priority) return;
    const s = view.summary;
    const before = s.priority;
    error.textContent = "";
    await actions.act(deps.pane(), null, async () => {
      await api.setPriority({ id: s.id, version: s.version }, priority);
      await Promise.all([actions.reloadConversation(), actions.refreshList()]);
      offerUndo(`Priority ${PRIORITY_LABELS[priority].toLowerCase()}: ${s.contact_name}.`, async () =>
        api.setPriority(await versionOf(s.id), before).then(() => {}));
    });
  }

  function openPriority(): void {
    const select = el.querySelector<HTMLSelectElement>("#priority-select");
    if (select && !select.disabled) select.focus();
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
      // So does the SLA clock (time left turns into a warning, then "Late").
      el.querySelector("#conv-sla")?.replaceWith(slaBadge(s.view.summary, now(), "conv-sla") ?? "");
    }
  }

  return { el, update, dispose: () => snoozeMenu.close(), toggleResolved, take, openSnooze, togglePending, openPriority };
}
