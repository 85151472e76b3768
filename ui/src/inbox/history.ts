//! The open conversation's history: messages and notes in order, delivery status with "Send again",
//! the formatted e-mail button, an e-mail's quoted earlier mail folded away (`quote-fold.ts`), what a
//! message holds besides text (a place, contact cards, an order), older pages, and attachments opened
//! on demand.
import * as api from "../api";
import type { ConversationView } from "../bindings/ConversationView";
import type { MessageView } from "../bindings/MessageView";
import type { NoteView } from "../bindings/NoteView";
import { messageStatusInfo } from "../channel-logic";
import { h, replaceChildren } from "../h";
import { base64ToBytes, formatClock, formatDateTime, previewKind, toUiError } from "../logic";
import type { Part } from "../store";
import { button, openModal } from "../ui";
import { formatSize, historyItems, mergeById } from "./logic";
import { senderName } from "./mail-copies-logic";
import { quoteBlock, reactControl, reactionsLine, recipientsBlock } from "./message-parts";
import { mailBody } from "./quote-fold";
import { canReact } from "./message-parts-logic";
import { contentBlock, type ContentActions } from "./rich-content";
import { replacesBody } from "./rich-content-logic";
import { openStart } from "./start-dialog";
import type { Deps, InboxState } from "./state";

export function createHistory(deps: Deps): Part<InboxState> {
  const { ctx, store } = deps;
  const { app, error } = ctx;
  const el = h("div", { id: "messages", class: "messages", tabindex: "-1", role: "log", "aria-live": "off",
    "aria-label": "Conversation history" });

  async function loadOlder(btn: HTMLButtonElement): Promise<void> {
    const { openId: id, messages } = store.get();
    if (id === null || messages.length === 0) return;
    const before = messages[0].id;
    await app.run(el, btn, error, async () => {
      const v = await api.openConversation(id, before);
      const s = store.get();
      if (s.openId !== id) return;
      const fromBottom = el.scrollHeight - el.scrollTop;
      store.set({ messages: mergeById(v.messages, s.messages), notes: mergeById(s.notes, v.notes), hasOlder: v.has_older, historyToEnd: false });
      el.scrollTop = el.scrollHeight - fromBottom;
      (el.querySelector<HTMLElement>("#load-older") ?? el).focus();
    });
  }

  /** An e-mail's formatted version opens in its own locked-down window; this window only ever has the text. */
  function formattedButton(m: MessageView): HTMLElement {
    const btn = button(`show-formatted-${m.id}`, "Show formatted", {
      class: "small secondary show-formatted", "data-action": "show-formatted",
      "aria-label": "Show formatted: opens the e-mail as it was designed, in a separate window",
    });
    const wrap = h("div", { class: "msg-tools" }, btn);
    btn.addEventListener("click", () => {
      error.textContent = "";
      void app.run(wrap, btn, error, async () => { await api.openEmailWindow(m.id); });
    });
    return wrap;
  }

  /** queued / sending / sent ✓ / delivered ✓✓ / read ✓✓ / failed / unconfirmed. */
  function statusLabel(m: MessageView): HTMLElement {
    const info = messageStatusInfo(m.status, m.failure);
    return h("span", { class: `item-status msg-status tone-${info.tone}`, "data-status": m.status },
      info.label,
      info.tick ? h("span", { class: "tick", "aria-hidden": "true" }, info.tick) : null);
  }

  /** Why a message did not (surely) reach the customer, with "Send again". */
  function sendProblem(m: MessageView, view: ConversationView | null): HTMLElement | null {
    const info = messageStatusInfo(m.status, m.failure);
    if (!info.problem) return null;
    const again = info.retry
      ? button(`retry-${m.id}`, "Send again", { class: "small", "data-action": "retry", "aria-describedby": `send-problem-${m.id}` })
      : null;
    if (again && !view?.can_act) { again.disabled = true; again.title = "You cannot reply in this conversation."; }
    const wrap = h("div", { class: `send-problem tone-${info.tone}` },
      h("p", { id: `send-problem-${m.id}`, class: "send-problem-text" }, info.problem), again);
    again?.addEventListener("click", () => void retrySend(m.id, wrap, again));
    return wrap;
  }

  async function retrySend(messageId: number, busy: HTMLElement, btn: HTMLButtonElement): Promise<void> {
    const id = store.get().openId;
    if (id === null) return;
    error.textContent = "";
    await app.run(busy, btn, error, async () => {
      const m = await api.retryMessage(messageId);
      if (store.get().openId !== id) return;
      store.set({ messages: mergeById(store.get().messages, [m]), historyToEnd: false });
      // The button is gone: keep focus on the message it belonged to.
      const msg = el.querySelector<HTMLElement>(`[data-message-id="${messageId}"]`);
      if (msg) { msg.tabIndex = -1; msg.focus(); }
      ctx.toast("Back in the outbox: it will be sent again.");
    });
  }

  /** Fetches one attachment (audited in the core) and shows it: images and plain text
   * inline; other types are named with no preview. The blob URL is revoked on close. */
  async function showAttachment(id: number): Promise<void> {
    try {
      const content = await api.openAttachment(id);
      const kind = previewKind(content.mime_type);
      let url: string | null = null;
      const body: HTMLElement[] = [];
      if (kind === "image") {
        url = URL.createObjectURL(new Blob([base64ToBytes(content.data_base64)], { type: content.mime_type }));
        body.push(h("img", { id: "attachment-image", class: "attachment-preview", src: url, alt: content.file_name }));
      } else if (kind === "text") {
        const text = new TextDecoder().decode(base64ToBytes(content.data_base64));
        body.push(h("pre", { id: "attachment-text", class: "attachment-preview" }, text));
      } else {
        body.push(h("p", null, `No preview for ${content.mime_type} files.`));
      }
      const close = button("attachment-close", "Close");
      const m = openModal(ctx.host, "attachment-dialog", content.file_name, [...body, h("div", { class: "actions" }, close)],
        () => { if (url) URL.revokeObjectURL(url); });
      close.addEventListener("click", () => m.close());
    } catch (e) {
      ctx.toast(toUiError(e).message);
    }
  }

  /** An e-mail whose `Date:` header is a day or more off its arrival: the sender's date,
   *  shown apart (the list is ordered by arrival). */
  function writtenLabel(m: MessageView): HTMLElement | null {
    const w = m.written_at;
    if (w === null || w === undefined || Math.abs(w - m.at) < 86_400) return null;
    return h("span", { class: "item-written muted", title: "The date in the sender's mail; it arrived at the time shown" },
      ` · dated ${formatDateTime(w)}`);
  }

  function messageItem(m: MessageView, s: InboxState): HTMLElement {
    const out = m.direction === "out";
    const contact = s.view?.summary.contact_name ?? "Customer";
    return h("div", { class: `msg ${out ? "out" : "in"}`, "data-message-id": m.id },
      h("div", { class: "item-head" },
        h("span", { class: "item-author" }, out ? m.author ?? "Us" : m.mail?.from ? senderName(m.mail.from) : m.author ?? contact),
        h("time", { class: "item-time", title: formatDateTime(m.at) }, formatClock(m.at)),
        writtenLabel(m),
        out ? statusLabel(m) : null),
      quoteBlock(m, contact, el),
      recipientsBlock(m),
      m.body && !replacesBody(m.content) ? bodyOf(m) : null,
      contentBlock(m, contentActions),
      m.has_html ? formattedButton(m) : null,
      m.masked
        ? h("p", { class: "masked-marker", title: "Card numbers or IBANs in this message were masked before it was stored" },
          "Sensitive data masked")
        : null,
      m.attachments.length
        ? h("ul", { class: "attachments", "aria-label": "Attachments" },
          ...m.attachments.map((a) => h("li", null,
            h("button", {
              type: "button",
              id: `attachment-open-${a.id}`,
              class: "link attachment-open",
              "data-attachment-id": a.id,
              onclick: () => void showAttachment(a.id),
            }, a.file_name),
            h("span", { class: "muted" }, ` (${formatSize(a.size)})`))))
        : null,
      reactionsLine(m, contact),
      s.view && canReact(m.direction, s.view.summary.channel, s.view.can_act)
        ? h("div", { class: "msg-actions" },
          button(`answer-${m.id}`, "Reply to this", { class: "link answer-this", onclick: () => answer(m) }),
          reactControl(m, (emoji, busy) => void react(m.id, emoji, busy), reactOpen === m.id,
            (open) => { reactOpen = open ? m.id : null; }))
        : null,
      out ? sendProblem(m, s.view) : null);
  }

  /** What a shared place or contact card can do: open a map (a failure shows above the history),
   *  and write first on WhatsApp to a number on a card (the dialog opens filled in). */
  const contentActions: ContentActions = {
    fail: (message) => { error.textContent = message; },
    writeFirst: (phone, name) => {
      void openStart(app, ctx.host, error, (id) => {
        ctx.toast("Template queued; the conversation is yours.");
        void deps.actions.refreshList().then(() => deps.actions.openConversation(id, true));
      }, { phone, name });
    },
  };

  /** The e-mails whose quoted earlier mail is shown: kept when a live update rebuilds the history. */
  const unfolded = new Set<number>();

  /** A message's text; an e-mail's with the mail it quotes at its end folded away. */
  function bodyOf(m: MessageView): HTMLElement {
    if (!m.mail) return h("div", { class: "item-body" }, m.body);
    return mailBody(m.id, m.body, unfolded.has(m.id), (open) => { if (open) unfolded.add(m.id); else unfolded.delete(m.id); });
  }

  /** The message whose reaction row is open: kept when a live update rebuilds the history. */
  let reactOpen: number | null = null;

  /** The next reply answers `m` (the customer sees it quoted); the composer gets the cursor. */
  function answer(m: MessageView): void {
    const id = store.get().openId;
    if (id === null) return;
    store.set({ quoting: { conversation: id, message: m.id, excerpt: m.body.slice(0, 80) } });
    // From note mode, through the mode button (it keeps each mode's draft).
    if (store.get().mode !== "reply") document.getElementById("composer-mode-reply")?.click();
    deps.actions.focusComposer();
  }

  /** Sends an agent's reaction; the message shows it at once, an error shows above the history. */
  async function react(messageId: number, emoji: string, busy: HTMLElement): Promise<void> {
    const id = store.get().openId;
    if (id === null) return;
    error.textContent = "";
    await app.run(busy, null, error, async () => {
      const m = await api.react(messageId, emoji);
      reactOpen = null;
      if (store.get().openId !== id) return;
      store.set({ messages: mergeById(store.get().messages, [m]), historyToEnd: false });
      document.getElementById(`react-${messageId}`)?.focus();
    });
  }

  function noteItem(n: NoteView): HTMLElement {
    return h("div", { class: `note${n.is_handoff ? " handoff-note" : ""}`, "data-note-id": n.id },
      h("div", { class: "item-head" },
        h("span", { class: "note-kind" }, n.is_handoff ? "Handoff note" : "Note"),
        h("span", { class: "item-author" }, n.author),
        h("time", { class: "item-time", title: formatDateTime(n.at) }, formatClock(n.at))),
      h("div", { class: "item-body" }, n.body));
  }

  function render(s: InboxState): void {
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    const keepTop = el.scrollTop;
    const older = s.hasOlder ? button("load-older", "Load older messages", { class: "small secondary load-older" }) : null;
    older?.addEventListener("click", () => void loadOlder(older));
    const items = historyItems(s.messages, s.notes).map((item) => (item.kind === "note" ? noteItem(item.note) : messageItem(item.message, s)));
    // A live reload rebuilds the history: keep keyboard focus on the same control (by id) if it is still there.
    const focused = document.activeElement instanceof HTMLElement && el.contains(document.activeElement) && document.activeElement.id
      ? document.activeElement.id : null;
    replaceChildren(el, older, ...items,
      items.length === 0 ? h("p", { class: "empty" }, "No messages yet.") : null);
    if (focused) document.getElementById(focused)?.focus();
    if (s.historyToEnd || atBottom) el.scrollTop = el.scrollHeight;
    else el.scrollTop = keepTop;
  }

  /** Rebuilt when what it shows changes: the conversation, its messages, notes or older pages. */
  let shown: Pick<InboxState, "view" | "messages" | "notes" | "hasOlder"> | null = null;
  function update(s: InboxState): void {
    el.hidden = s.view === null;
    if (shown && shown.view === s.view && shown.messages === s.messages && shown.notes === s.notes && shown.hasOlder === s.hasOlder) return;
    shown = { view: s.view, messages: s.messages, notes: s.notes, hasOlder: s.hasOlder };
    if (s.view === null) el.replaceChildren();
    else render(s);
  }

  return { el, update, dispose: () => {} };
}
