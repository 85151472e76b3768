//! The composer: reply or internal note, a draft per conversation and mode (kept in the store, see
//! `drafts.ts`), canned replies, attached files (`attachments.ts`: one per reply, several on e-mail),
//! answers to tap ("Buttons…" on WhatsApp
//! and Messenger), and (outside WhatsApp's window) the
//! template picker in place of the text; above an e-mail reply, its Cc, Bcc and signature, and its
//! formatting (`format-bar.ts`).
import * as api from "../api";
import type { CannedReply } from "../bindings/CannedReply";
import type { MessageView } from "../bindings/MessageView";
import { h } from "../h";
import { toUiError } from "../logic";
import type { Part } from "../store";
import { button, problem, textarea } from "../ui";
import type { DraftKeeper } from "./conversation";
import { createAttachments } from "./attachments";
import { openCard } from "./card-dialog";
import { openChoices } from "./choices-dialog";
import { createCrossing } from "./crossing";
import { createFormatBar } from "./format-bar";
import { crossingOf, guardOf } from "./crossing-logic";
import { createMailCopies } from "./mail-copies";
import { createMentionMenu } from "./mention-menu";
import { createQuoting, quotingFor } from "./quoting";
import { createDraftSaver, draftBook } from "./drafts";
import { mergeById, replyMode, type ReplyMode } from "./logic";
import { now, type ComposerMode, type Deps, type InboxState } from "./state";
import type { TemplatesPart } from "./templates";

export type ComposerPart = Part<InboxState> & DraftKeeper & {
  setMode(m: ComposerMode): void;
  /** Focus where typing goes: the text, or the template picker outside the window. */
  focus(): void;
  /** Save unsaved drafts now (before a lock). */
  flushDrafts(): Promise<void>;
};

export function createComposer(deps: Deps, templates: TemplatesPart): ComposerPart {
  const { ctx, store, actions } = deps;
  const { app, error } = ctx;
  const drafts = createDraftSaver(draftBook(ctx.memory), {
    save: (id, mode, body) => api.saveDraft(id, mode, body),
    later: deps.later,
    cancel: deps.cancel,
    now: () => Date.now() / 1000,
    refused: (message) => { if (ctx.current()) error.textContent = message; },
  });
  // Words written before a lock whose save the lock refused: saved now that the session is back.
  void drafts.flush();

  const modeReply = button("composer-mode-reply", "Reply", { class: "mode", "aria-pressed": "true", "aria-keyshortcuts": "R" });
  const modeNote = button("composer-mode-note", "Note", { class: "mode", "aria-pressed": "false", "aria-keyshortcuts": "N" });
  const text = textarea("composer-text", { rows: 4, "aria-label": "Reply", "aria-describedby": "composer-hint reply-window" });
  const hint = h("p", { id: "composer-hint", class: "hint composer-hint" });
  const windowLine = h("p", { id: "reply-window", class: "reply-window", hidden: true });
  const cannedSelect = h("select", { id: "canned-select", name: "canned-select", "aria-label": "Insert a canned reply" },
    h("option", { value: "" }, "Canned reply…"));
  const send = h("button", { id: "composer-send", type: "submit", class: "primary", "aria-keyshortcuts": "Control+Enter" }, "Send reply");
  const sendHint = h("span", { class: "hint" }, "Ctrl+Enter to send");
  const files = createAttachments(deps);
  const choicesBtn = button("choices-button-open", "Buttons…", { class: "secondary small", title: "A question with answers the customer taps" });
  const cardBtn = button("card-button-open", "Place or contact…", { class: "secondary small", title: "A map pin or a contact card the customer can save" });
  const mentions = createMentionMenu(deps, text, () => { const id = store.get().openId; if (id !== null) keepDraft(id); });

  // Function declarations below: hoisted.
  const crossing = createCrossing({
    sendAnyway: () => submit(true),
    keep: () => settleCrossing(false),
    discard: () => settleCrossing(true),
  });

  const quoting = createQuoting(() => { store.set({ quoting: null }); text.focus(); });
  const copies = createMailCopies(error);
  const format = createFormatBar(text, ctx.memory, () => copies.customer());
  const el = h("form", { id: "composer", class: "composer", novalidate: true, hidden: true },
    h("div", { class: "composer-modes", role: "group", "aria-label": "Write a" }, modeReply, modeNote),
    windowLine,
    hint,
    templates.el,
    quoting.el,
    copies.el,
    format.el,
    text,
    format.quoteEl,
    mentions.el,
    crossing.el,
    files.el,
    h("div", { class: "composer-actions" }, files.button, files.input, choicesBtn, cardBtn, cannedSelect, sendHint, send));

  const currentMode = (s: InboxState): ReplyMode => (s.view ? replyMode(s.view, now()) : { kind: "free", windowText: null });
  const keepDraft = (id: number) => drafts.write(id, store.get().mode, text.value);

  /** Each mode has its own draft: switching shows the other one. */
  function setMode(m: ComposerMode): void {
    const s = store.get();
    if (s.openId !== null && m !== s.mode) {
      keepDraft(s.openId);
      text.value = drafts.text(s.openId, m);
    }
    store.set({ mode: m });
  }
  function focus(): void {
    if (!templates.el.hidden) templates.focus();
    else if (!text.disabled) text.focus();
  }
  modeReply.addEventListener("click", () => { setMode("reply"); focus(); });
  modeNote.addEventListener("click", () => { setMode("note"); text.focus(); });

  text.addEventListener("input", () => {
    const id = store.get().openId;
    if (id !== null) keepDraft(id);
    actions.typing(store.get().mode);
  });
  text.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); el.requestSubmit(); }
    else if (ev.key === "Escape") { ev.preventDefault(); text.blur(); actions.focusList(); }
  });
  cannedSelect.addEventListener("change", () => {
    const cannedId = Number(cannedSelect.value);
    cannedSelect.value = "";
    const id = store.get().openId;
    if (!cannedId || id === null) return;
    error.textContent = "";
    void app.run(el, null, error, async () => {
      const reply = await api.renderCannedReply(id, cannedId);
      if (store.get().openId !== id) return;
      const start = text.selectionStart ?? text.value.length;
      const end = text.selectionEnd ?? start;
      text.setRangeText(reply, start, end, "end");
      keepDraft(id);
      text.focus();
    });
  });

  // ---- answers to tap ----
  choicesBtn.addEventListener("click", () => {
    const s = store.get();
    const id = s.openId;
    if (id === null || !s.view) return;
    error.textContent = "";
    const guard = s.seen?.id === id ? s.seen.guard : null;
    openChoices(app, ctx.host, id, s.view.summary.channel, text.value.trim(), guard, (m) => {
      if (store.get().openId !== id) return;
      text.value = "";
      drafts.write(id, "reply", "");
      void drafts.flush();
      store.set({ messages: mergeById(store.get().messages, [m]), historyToEnd: true });
      text.focus();
    });
  });

  // ---- a place or a contact card (WhatsApp) ----
  cardBtn.addEventListener("click", () => {
    const s = store.get();
    const id = s.openId;
    if (id === null || !s.view) return;
    error.textContent = "";
    const guard = s.seen?.id === id ? s.seen.guard : null;
    openCard(app, ctx.host, id, guard, (m) => {
      if (store.get().openId !== id) return;
      store.set({ messages: mergeById(store.get().messages, [m]), historyToEnd: true });
      text.focus();
    });
  });

  // ---- sending ----
  el.addEventListener("submit", (ev) => {
    ev.preventDefault();
    submit(false);
  });

  /** Sends what is written. `anyway`: without the guard (the agent chose to, after a crossing). */
  function submit(anyway: boolean): void {
    const s = store.get();
    const id = s.openId;
    if (id === null || s.sending || send.disabled) return;
    error.textContent = "";
    if (s.mode === "reply" && currentMode(s).kind === "template") return templates.send(id, el, send);
    const body = text.value.trim();
    const isMail = s.view?.summary.channel === "email";
    const pending = s.mode === "reply" ? files.of(id) : [];
    if (!body && pending.length === 0) return problem(error, text, s.mode === "reply" ? "Write a reply first." : "Write a note first.");
    const quoted = quotingFor(s);
    if (quoted && pending.length > 0) {
      return problem(error, text, "An answer to one message is text only: remove the file, or answer the whole conversation (×).");
    }
    if (s.view?.summary.channel === "messenger" && pending.length > 0 && body) {
      return problem(error, text, "Messenger sends a file without words: send the file alone, then the words as their own reply.");
    }
    const over = isMail ? files.problem(id, copies.filesLimit()) : null;
    if (over) return problem(error, files.button, over);
    const read = s.mode === "reply" && !quoted ? copies.read() : null;
    if (read === "invalid") return;
    const formatting = (read && format.read()) ?? { formatted: false, quote_history: false };
    // Without copies, files, formatting or a quote a plain reply does (the core signs an e-mail reply either way).
    const mail = read && (read.cc.length > 0 || read.bcc.length > 0 || pending.length > 0 || formatting.formatted || formatting.quote_history)
      ? read : null;
    const asMode = s.mode;
    const guard = !anyway && s.seen?.id === id ? s.seen.guard : null;
    store.set({ sending: true, crossing: null });
    void app.run(el, send, error, async () => {
      const patch: Partial<InboxState> = { historyToEnd: true };
      if (asMode === "reply") {
        const sent = pending.map((f) => ({ file_name: f.file_name, mime_type: f.mime_type, data_base64: f.data_base64 }));
        let m: MessageView;
        try {
          m = quoted
            ? await api.replyQuoting(id, quoted.message, body, guard)
            : mail
              ? await api.replyMail(id, { body, cc: mail.cc, bcc: mail.bcc, attachments: sent,
                formatted: formatting.formatted, quote_history: formatting.quote_history }, guard)
              : await api.reply(id, body, sent[0] ?? null, guard);
          if (mail && store.get().openId === id) copies.clear();
          // Cleared only if it is still the quote just sent (not one chosen meanwhile).
          if (quoted && store.get().quoting === quoted) patch.quoting = null;
        } catch (err) {
          const crossing = crossingOf(id, toUiError(err));
          if (!crossing) throw err;
          // Nothing was sent: show what the colleague did, and let the agent choose.
          if (store.get().openId === id) { store.set({ crossing }); void actions.reloadConversation(); }
          return;
        }
        files.clear(id, pending);
        if (store.get().openId === id) patch.messages = mergeById(store.get().messages, [m]);
      } else {
        const n = await api.addNote(id, body);
        if (store.get().openId === id) patch.notes = mergeById(store.get().notes, [n]);
      }
      if (store.get().openId === id && store.get().mode === asMode) text.value = "";
      drafts.write(id, asMode, "");
      void drafts.flush();
      store.set(patch);
    }).finally(() => store.set({ sending: false }));
  }

  /** After a crossing: the agent has now seen what changed, so the next reply is checked from here. */
  function settleCrossing(discard: boolean): void {
    const s = store.get();
    const id = s.openId;
    if (id === null) return;
    if (discard) {
      text.value = "";
      drafts.write(id, "reply", "");
      void drafts.flush();
      files.clear(id);
    } else {
      keepDraft(id);
      void drafts.flush();
    }
    store.set({ crossing: null, ...(s.view ? { seen: { id, guard: guardOf(s.view) } } : {}) });
    ctx.toast(discard ? "Reply discarded." : "Your reply is kept as a draft.");
    text.focus();
  }
  // ---- the one render path ----
  let shownCanned: CannedReply[] = [];
  let expiryReloaded = "";
  function update(s: InboxState): void {
    el.hidden = s.view === null;
    crossing.update(s);
    quoting.update(s);
    copies.update(s);
    format.update(s);
    if (s.canned !== shownCanned) {
      shownCanned = s.canned;
      cannedSelect.replaceChildren(h("option", { value: "" }, "Canned reply…"),
        ...s.canned.map((r) => h("option", { value: r.id }, r.title)));
    }
    const rm = currentMode(s);
    const reply = s.mode === "reply";
    const tpl = reply && rm.kind === "template";
    const replyOff = reply && rm.kind === "blocked";
    modeReply.setAttribute("aria-pressed", reply ? "true" : "false");
    modeNote.setAttribute("aria-pressed", reply ? "false" : "true");
    el.classList.toggle("note-mode", !reply);
    el.classList.toggle("template-mode", tpl);
    text.hidden = tpl;
    text.disabled = replyOff;
    templates.el.hidden = !tpl;
    send.disabled = replyOff || s.sending || (tpl && s.templates.chosen === null);
    cannedSelect.disabled = replyOff || s.canned.length === 0;
    cannedSelect.hidden = s.canned.length === 0 || tpl;
    send.textContent = reply ? (tpl ? "Send template" : "Send reply") : "Add note";
    text.setAttribute("aria-label", reply ? "Reply to the customer" : "Internal note");
    text.placeholder = reply ? "Write a reply to the customer…" : "Write an internal note (colleagues only)…";
    hint.textContent = reply ? (rm.kind === "free" ? "" : rm.reason) : "Notes are internal: the customer never sees them.";
    const windowText = reply && rm.kind === "free" ? rm.windowText : null;
    windowLine.hidden = windowText === null;
    windowLine.textContent = windowText ?? "";
    windowLine.classList.toggle("tagged", Boolean(s.view?.window?.tagged));
    const tappable = s.view?.summary.channel === "whatsapp" || s.view?.summary.channel === "messenger";
    choicesBtn.hidden = !reply || tpl || !tappable || rm.kind !== "free";
    choicesBtn.disabled = s.sending;
    cardBtn.hidden = !reply || tpl || s.view?.summary.channel !== "whatsapp" || rm.kind !== "free";
    cardBtn.disabled = s.sending;
    files.update(s, reply && !tpl, s.view?.summary.channel === "email", copies.filesLimit());
    if (replyOff) files.button.disabled = true;
    if (tpl && s.openId !== null && s.templates.for !== s.openId && !s.templates.loading) void actions.loadTemplates(s.openId);
    if (rm.kind === "blocked" && rm.expired) {
      // The window ran out while the conversation is open: re-read it once to learn what is allowed now.
      const key = `${s.openId}:${s.view?.window?.closes_at ?? s.view?.summary.reply_window_ends_at ?? ""}`;
      if (s.openId !== null && key !== expiryReloaded) {
        expiryReloaded = key;
        void actions.reloadConversation();
      }
    }
  }

  return {
    el, update, setMode, focus,
    // Leaving the page (or a lock): what is unsaved goes to the store now.
    dispose: () => { void drafts.flush(); drafts.dispose(); },
    flushDrafts: () => drafts.flush(),
    saveDraft(leaving, opening) {
      if (leaving === null || leaving === opening) return;
      keepDraft(leaving);
      void drafts.flush();
    },
    restoreDraft(id, stored) {
      drafts.load(id, stored);
      const mode = drafts.modeOf(id);
      text.value = mode === null ? "" : drafts.text(id, mode);
      return mode;
    },
  };
}
