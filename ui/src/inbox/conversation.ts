//! The open conversation: the pane (header, banners, history, composer, the customer panel beside
//! them), opening and re-reading a conversation, and the handoff and do-not-contact banners.
import * as api from "../api";
import type { ConversationView } from "../bindings/ConversationView";
import type { DraftView } from "../bindings/DraftView";
import { h } from "../h";
import { toUiError } from "../logic";
import type { Part } from "../store";
import { button } from "../ui";
import { guardOf } from "./crossing-logic";
import { mergeById, replyMode } from "./logic";
import { NO_TEMPLATES, now, type ComposerMode, type Deps, type InboxState } from "./state";

export type ConversationPart = Part<InboxState> & {
  open(id: number, focusAfter?: boolean): Promise<void>;
  reload(): Promise<void>;
  showEmpty(): void;
};

/** What the pane needs from the composer when the conversation changes. */
export type DraftKeeper = {
  /** Keep (and save at once) the text being written for the conversation that is being left. */
  saveDraft(leaving: number | null, opening: number): void;
  /** Put the draft of `id` in the composer (this window's, else the one `stored` with the conversation);
   * returns the mode it was last written in, if any. */
  restoreDraft(id: number, stored: readonly DraftView[]): ComposerMode | null;
};

export function createConversation(deps: Deps, parts: {
  head: HTMLElement; presence: HTMLElement; history: HTMLElement; composer: HTMLElement; customer: HTMLElement; drafts: DraftKeeper;
}): ConversationPart {
  const { ctx, store, lead } = deps;
  const paneEmpty = h("div", { class: "pane-empty" },
    h("p", null, "Choose a conversation from the list."),
    h("p", { class: "muted" }, "Press ? for keyboard shortcuts."));
  const bannerSlot = h("div", { class: "conv-banner" });
  // Under the head: the conversation itself, and the customer panel to its right (under the head
  // on narrower windows; see style.css).
  const convBody = h("div", { class: "conv-body", hidden: true },
    h("div", { class: "conv-main" }, parts.presence, bannerSlot, parts.history, parts.composer), parts.customer);
  const el = h("section", { id: "conversation", class: "inbox-pane", "aria-label": "Conversation" },
    paneEmpty, parts.head, convBody);
  let openGen = 0;

  /** The list row's unread count is stale once opened: take the fresh summary. */
  function rowsWith(v: ConversationView) {
    const rows = store.get().rows;
    const idx = rows.findIndex((r) => r.id === v.summary.id);
    if (idx < 0) return {};
    const next = rows.slice();
    next[idx] = v.summary;
    return { rows: next };
  }

  function showEmpty(): void {
    openGen++;
    store.set({ openId: null, view: null, messages: [], notes: [], templates: NO_TEMPLATES, seen: null, crossing: null });
    ctx.memory.delete("inbox.open");
  }

  async function open(id: number, focusAfter = false): Promise<void> {
    const gen = ++openGen;
    parts.drafts.saveDraft(store.get().openId, id);
    ctx.error.textContent = "";
    el.setAttribute("aria-busy", "true");
    let v: ConversationView;
    try {
      v = await api.openConversation(id, null);
    } catch (err) {
      if (gen !== openGen || !ctx.current()) return;
      el.removeAttribute("aria-busy");
      if (toUiError(err).code === "not_found") showEmpty();
      ctx.app.fail(err, ctx.error);
      return;
    }
    if (gen !== openGen || !ctx.current()) return;
    el.removeAttribute("aria-busy");
    const switched = store.get().openId !== id;
    const mode = switched ? parts.drafts.restoreDraft(id, v.drafts) ?? (replyMode(v, now()).kind === "blocked" ? "note" : "reply") : store.get().mode;
    store.set({
      openId: id, view: v, messages: mergeById([], v.messages), notes: mergeById([], v.notes), hasOlder: v.has_older,
      historyToEnd: true, mode, ...(switched ? { templates: NO_TEMPLATES, crossing: null } : {}), ...rowsWith(v),
      // Opening is looking: a reply is checked against what is on screen now.
      seen: { id, guard: guardOf(v) },
    });
    // Where the person was: opened again after a lock, or on coming back to the inbox.
    ctx.memory.set("inbox.open", id);
    if (focusAfter) deps.actions.focusComposer();
  }

  /** Re-read the open conversation (live update, conflict) without losing older pages or the draft. */
  async function reload(): Promise<void> {
    const id = store.get().openId;
    if (id === null) return;
    const gen = ++openGen;
    let v: ConversationView;
    try {
      v = await api.openConversation(id, null);
    } catch (err) {
      if (gen !== openGen || !ctx.current()) return;
      const e = toUiError(err);
      if (e.code === "not_found" || e.code === "forbidden") { showEmpty(); return; }
      ctx.app.fail(err, ctx.error);
      return;
    }
    const s = store.get();
    if (gen !== openGen || !ctx.current() || s.openId !== id) return;
    const keptOlder = s.messages.length > 0 && v.messages.length > 0 && s.messages[0].id < Math.min(...v.messages.map((m) => m.id));
    store.set({
      view: v, messages: mergeById(s.messages, v.messages), notes: mergeById(s.notes, v.notes),
      hasOlder: keptOlder ? s.hasOlder : v.has_older, historyToEnd: false, ...rowsWith(v),
    });
  }

  /** The customer opted out: say so, and let a lead or admin lift it. */
  function doNotContactBanner(v: ConversationView): HTMLElement {
    const lift = lead ? button("dnc-lift", "Allow contact again", { class: "small secondary" }) : null;
    lift?.addEventListener("click", () => {
      void api.setDoNotContact(v.summary.id, false)
        .then(() => ctx.toast("Contact allowed again."))
        .catch((e) => ctx.toast(toUiError(e).message));
    });
    return h("div", { id: "do-not-contact", class: "handoff dnc", role: "note" },
      h("strong", null, "Do not contact: "), `${v.summary.contact_name} asked not to be contacted. Replies are refused.`, " ", lift);
  }

  let shown: ConversationView | null = null;
  function update(s: InboxState): void {
    const v = s.view;
    paneEmpty.hidden = v !== null;
    convBody.hidden = v === null;
    if (v === shown) return;
    shown = v;
    if (!v) { bannerSlot.hidden = true; bannerSlot.replaceChildren(); return; }
    const handoff = v.handoff;
    const dnc = v.summary.do_not_contact;
    bannerSlot.hidden = !handoff && !dnc;
    bannerSlot.replaceChildren(
      handoff
        ? h("div", { id: "handoff-note", class: "handoff", role: "note" },
          h("strong", null, `Handed over by ${handoff.author}: `), handoff.body)
        : "",
      dnc ? doNotContactBanner(v) : "");
  }

  return { el, update, dispose: () => { openGen++; }, open, reload, showEmpty };
}
