//! The bar over the list for the ticked conversations: resolve, snooze, priority and a label for
//! everyone (all or none, each with Undo), and reassign for leads and admins.
import * as api from "../api";
import type { BulkChange } from "../bindings/BulkChange";
import type { Colleague } from "../bindings/Colleague";
import type { Versioned } from "../bindings/Versioned";
import { h } from "../h";
import type { Part } from "../store";
import { button, input } from "../ui";
import { bulkNotice, undoChanges, type Before } from "./bulk-logic";
import { PRIORITIES, PRIORITY_LABELS } from "./logic";
import { snoozePresets } from "./snooze";
import { now, type Deps, type InboxState } from "./state";

export function createBulk(deps: Deps): Part<InboxState> {
  const { ctx, store, lead, actions } = deps;
  const user = ctx.user;
  const bulkCount = h("span", { id: "bulk-count", class: "bulk-count", "aria-live": "polite" });
  const resolveBtn = button("bulk-resolve", "Resolve", { class: "small" });
  const snoozeSelect = h("select", { id: "bulk-snooze", name: "bulk-snooze", "aria-label": "Snooze the selected" });
  const prioritySelect = h("select", { id: "bulk-priority", name: "bulk-priority", "aria-label": "Priority of the selected" },
    h("option", { value: "" }, "Priority…"),
    ...PRIORITIES.map((p) => h("option", { value: p }, PRIORITY_LABELS[p])));
  const labelInput = input("bulk-label", { placeholder: "Label", "aria-label": "Label to add to the selected" });
  const labelBtn = button("bulk-label-add", "Add label", { class: "small secondary" });
  const bulkTarget = h("select", { id: "bulk-target", name: "bulk-target", "aria-label": "Reassign to" },
    h("option", { value: "" }, "Back to the queue"));
  const bulkNote = input("bulk-note", { placeholder: "Note (optional)", "aria-label": "Note for the reassignment" });
  const bulkGo = button("bulk-reassign", "Reassign", { class: "primary small" });
  const bulkClear = button("bulk-clear", "Clear", { class: "small secondary" });
  const reassign = h("div", { class: "bulk-group", role: "group", "aria-label": "Reassign", hidden: !lead }, bulkTarget, bulkNote, bulkGo);
  const el = h("div", { id: "bulk-bar", class: "bulk-bar", role: "group", "aria-label": "Change the selected conversations", hidden: true },
    h("div", { class: "bulk-group" }, bulkCount, resolveBtn, snoozeSelect, prioritySelect),
    h("div", { class: "bulk-group" }, labelInput, labelBtn),
    reassign,
    bulkClear);

  /** The ticked conversations at the version the list shows now, and what each was. */
  function selection(): { list: Versioned[]; before: Map<number, Before> } {
    const s = store.get();
    const list: Versioned[] = [];
    const before = new Map<number, Before>();
    for (const v of s.checked.values()) {
      const row = s.rows.find((r) => r.id === v.id);
      list.push(row ? { id: row.id, version: row.version } : v);
      if (row) before.set(row.id, { status: row.status, snoozed_until: row.snoozed_until, priority: row.priority });
    }
    return { list, before };
  }

  async function afterChange(touched: Versioned[]): Promise<void> {
    store.set({ checked: new Map() });
    await actions.refreshList();
    const openId = store.get().openId;
    if (openId !== null && touched.some((v) => v.id === openId)) await actions.reloadConversation();
  }

  function apply(change: BulkChange, btn: HTMLButtonElement | null): void {
    const { list, before } = selection();
    if (list.length === 0) return;
    ctx.error.textContent = "";
    void actions.act(el, btn, async () => {
      const changed = await api.updateMany(list, change);
      await afterChange(list);
      const undo = undoChanges(change, changed, before, now());
      const message = bulkNotice(change, changed.length);
      if (undo.length === 0) { ctx.toast(message); return; }
      ctx.toast(message, {
        label: "Undo",
        run: () => void actions.act(el, null, async () => {
          for (const group of undo) await api.updateMany(group.conversations, group.change);
          await afterChange(changed);
          ctx.toast("Undone.");
        }),
      });
    });
  }

  resolveBtn.addEventListener("click", () => apply({ kind: "status", status: "resolved", snoozed_until: null }, resolveBtn));
  snoozeSelect.addEventListener("change", () => {
    const at = Number(snoozeSelect.value);
    snoozeSelect.value = "";
    if (at > 0) apply({ kind: "status", status: "snoozed", snoozed_until: at }, null);
  });
  prioritySelect.addEventListener("change", () => {
    const p = PRIORITIES.find((x) => x === prioritySelect.value);
    prioritySelect.value = "";
    if (p) apply({ kind: "priority", priority: p }, null);
  });
  const addLabel = () => {
    const label = labelInput.value.trim();
    if (!label) { labelInput.focus(); return; }
    labelInput.value = "";
    apply({ kind: "add_label", label }, labelBtn);
  };
  labelBtn.addEventListener("click", addLabel);
  labelInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); addLabel(); } });

  bulkClear.addEventListener("click", () => { store.set({ checked: new Map() }); actions.focusList(); });
  bulkGo.addEventListener("click", () => {
    const s = store.get();
    const { list } = selection();
    if (list.length === 0) return;
    const to = bulkTarget.value === "" ? null : Number(bulkTarget.value);
    const toName = to === null ? "the queue" : s.colleagues.find((c) => c.id === to)?.display_name ?? "them";
    ctx.error.textContent = "";
    void actions.act(el, bulkGo, async () => {
      const moved = await api.reassign(list, to, bulkNote.value.trim());
      bulkNote.value = "";
      ctx.toast(`${moved} conversation${moved === 1 ? "" : "s"} moved to ${toName}.`);
      await afterChange(list);
    });
  });

  /** Fresh presets each time the bar appears: "Later today" moves on. */
  function fillSnooze(): void {
    snoozeSelect.replaceChildren(h("option", { value: "" }, "Snooze…"),
      ...snoozePresets(Date.now()).map((p) => h("option", { value: String(p.at) }, p.label)));
  }

  let shownColleagues: Colleague[] | null = null;
  function update(s: InboxState): void {
    const hidden = s.checked.size === 0 || s.search !== null;
    if (el.hidden && !hidden) fillSnooze();
    el.hidden = hidden;
    bulkCount.textContent = `${s.checked.size} selected`;
    if (lead && s.colleagues !== shownColleagues && s.colleagues.length + (shownColleagues?.length ?? 0) > 0) {
      shownColleagues = s.colleagues;
      const keep = bulkTarget.value;
      bulkTarget.replaceChildren(h("option", { value: "" }, "Back to the queue"),
        ...s.colleagues.map((c) => h("option", { value: c.id }, `${c.display_name}${c.id === user.user_id ? " (you)" : ""}${c.available ? "" : " (away)"}`)));
      bulkTarget.value = Array.from(bulkTarget.options).some((o) => o.value === keep) ? keep : "";
    }
  }

  return { el, update, dispose: () => {} };
}
