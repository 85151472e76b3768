//! Bulk reassign (leads and admins): the bar over the list that moves the ticked conversations to a
//! colleague or back to the queue.
import * as api from "../api";
import type { Colleague } from "../bindings/Colleague";
import { h } from "../h";
import type { Part } from "../store";
import { button, input } from "../ui";
import type { Deps, InboxState } from "./state";

export function createBulk(deps: Deps): Part<InboxState> {
  const { ctx, store, lead, actions } = deps;
  const user = ctx.user;
  const bulkCount = h("span", { id: "bulk-count", class: "bulk-count" });
  const bulkTarget = h("select", { id: "bulk-target", name: "bulk-target", "aria-label": "Reassign to" },
    h("option", { value: "" }, "Back to the queue"));
  const bulkNote = input("bulk-note", { placeholder: "Note (optional)", "aria-label": "Note for the reassignment" });
  const bulkGo = button("bulk-reassign", "Reassign", { class: "primary small" });
  const bulkClear = button("bulk-clear", "Clear", { class: "small secondary" });
  const el = h("div", { id: "bulk-bar", class: "bulk-bar", role: "group", "aria-label": "Reassign selected", hidden: true },
    bulkCount, bulkTarget, bulkNote, bulkGo, bulkClear);

  bulkClear.addEventListener("click", () => { store.set({ checked: new Map() }); actions.focusList(); });
  bulkGo.addEventListener("click", () => {
    const s = store.get();
    const list = Array.from(s.checked.values());
    if (list.length === 0) return;
    const to = bulkTarget.value === "" ? null : Number(bulkTarget.value);
    const toName = to === null ? "the queue" : s.colleagues.find((c) => c.id === to)?.display_name ?? "them";
    ctx.error.textContent = "";
    void actions.act(el, bulkGo, async () => {
      const moved = await api.reassign(list, to, bulkNote.value.trim());
      bulkNote.value = "";
      store.set({ checked: new Map() });
      ctx.toast(`${moved} conversation${moved === 1 ? "" : "s"} moved to ${toName}.`);
      await actions.refreshList();
      const openId = store.get().openId;
      if (openId !== null && list.some((v) => v.id === openId)) await actions.reloadConversation();
    });
  });

  let shownColleagues: Colleague[] | null = null;
  function update(s: InboxState): void {
    el.hidden = !lead || s.checked.size === 0 || s.search !== null;
    bulkCount.textContent = `${s.checked.size} selected`;
    if (s.colleagues !== shownColleagues && s.colleagues.length + (shownColleagues?.length ?? 0) > 0) {
      shownColleagues = s.colleagues;
      const keep = bulkTarget.value;
      bulkTarget.replaceChildren(h("option", { value: "" }, "Back to the queue"),
        ...s.colleagues.map((c) => h("option", { value: c.id }, `${c.display_name}${c.id === user.user_id ? " (you)" : ""}${c.available ? "" : " (away)"}`)));
      bulkTarget.value = Array.from(bulkTarget.options).some((o) => o.value === keep) ? keep : "";
    }
  }

  return { el, update, dispose: () => {} };
}
