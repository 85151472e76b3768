//! Above an e-mail reply: who it goes to (the customer), Cc and Bcc boxes, "Reply all" (everyone
//! else on the thread, from the core), and the mailbox's signature as it will be added. One local
//! state per open conversation; the boxes are read when the reply is sent.
import * as api from "../api";
import type { MailReplyContext } from "../bindings/MailReplyContext";
import { markField } from "../field-errors";
import { h } from "../h";
import { toUiError } from "../logic";
import { button, input, problem } from "../ui";
import { addressesProblem, parseAddresses, signaturePreview, withReplyAll } from "./mail-copies-logic";
import type { InboxState } from "./state";

export type MailCopiesPart = {
  el: HTMLElement;
  update(s: InboxState): void;
  /** The copies for a reply now: null when the open conversation is not e-mail (or a note is
   * written); "invalid" when a box holds a wrong address (shown under that box). */
  read(): { cc: string[]; bcc: string[] } | null | "invalid";
  /** After a send: the boxes are emptied. */
  clear(): void;
  /** Whether Cc or Bcc holds anything (shown for an e-mail reply). */
  hasCopies(): boolean;
  /** How many bytes of files one reply may carry (the mailbox's server), once known. */
  filesLimit(): number | null;
  /** The customer's address (every reply goes to it), once known. */
  customer(): string | null;
};

type Local = {
  /** The conversation the boxes belong to. */
  for: number | null;
  /** The newest message when the context was read: a newer one (someone else copied in)
   * reads it again, keeping what is typed. */
  newest: number | null;
  context: MailReplyContext | null;
  loading: boolean;
  failed: string | null;
  showBcc: boolean;
};

export function createMailCopies(error: HTMLElement): MailCopiesPart {
  let local: Local = { for: null, newest: null, context: null, loading: false, failed: null, showBcc: false };
  const to = h("p", { id: "mail-to", class: "mail-to" });
  const cc = markField(input("mail-cc", { placeholder: "Addresses, separated by commas", "aria-describedby": "mail-to" }), "cc");
  const bcc = markField(input("mail-bcc", { placeholder: "Copied in blind: nobody else sees them" }), "bcc");
  const replyAll = button("mail-reply-all", "Reply all", { class: "secondary small" });
  const showBcc = button("mail-show-bcc", "Add Bcc", { class: "link small" });
  const signature = h("pre", { id: "mail-signature", class: "mail-signature", title: "The mailbox's signature, added when the reply is sent" });
  const bccRow = h("div", { class: "mail-row", hidden: true }, h("label", { for: "mail-bcc" }, "Bcc"), bcc);
  const el = h("div", { id: "mail-copies", class: "mail-copies", hidden: true },
    to,
    h("div", { class: "mail-row" }, h("label", { for: "mail-cc" }, "Cc"), cc, replyAll, showBcc),
    bccRow,
    signature);

  replyAll.addEventListener("click", () => {
    const everyone = local.context?.reply_all ?? [];
    cc.value = withReplyAll(cc.value, everyone);
    cc.focus();
  });
  showBcc.addEventListener("click", () => {
    local = { ...local, showBcc: true };
    render();
    bcc.focus();
  });

  async function load(id: number): Promise<void> {
    try {
      const context = await api.mailReplyContext(id);
      if (local.for === id) local = { ...local, context, loading: false };
    } catch (e) {
      if (local.for === id) local = { ...local, loading: false, failed: toUiError(e).message };
    }
    render();
  }

  function render(): void {
    const c = local.context;
    to.textContent = local.loading ? "To the customer…"
      : local.failed ? `To the customer (${local.failed})`
      : `To ${c?.to ?? "the customer"}`;
    const others = c?.reply_all.length ?? 0;
    replyAll.hidden = others === 0;
    replyAll.textContent = `Reply all (+${others})`;
    replyAll.title = c ? c.reply_all.join(", ") : "";
    bccRow.hidden = !local.showBcc && bcc.value.trim() === "";
    showBcc.hidden = !bccRow.hidden;
    const preview = signaturePreview(c?.signature ?? null);
    signature.hidden = preview === null;
    signature.textContent = preview ?? "";
  }

  return {
    el,
    update(s) {
      const id = s.openId;
      const email = id !== null && s.view?.summary.channel === "email" && s.mode === "reply";
      el.hidden = !email;
      if (!email || id === null) return;
      const newest = s.messages.length ? s.messages[s.messages.length - 1].id : null;
      if (local.for !== id) {
        local = { for: id, newest, context: null, loading: true, failed: null, showBcc: false };
        cc.value = "";
        bcc.value = "";
        void load(id);
      } else if (newest !== local.newest && !local.loading) {
        local = { ...local, newest };
        void load(id);
      }
      render();
    },
    filesLimit() {
      return el.hidden ? null : local.context?.files_limit ?? null;
    },
    customer() {
      return el.hidden ? null : local.context?.to ?? null;
    },
    read() {
      if (el.hidden) return null;
      const ccList = parseAddresses(cc.value);
      const bccList = parseAddresses(bcc.value);
      const ccBad = addressesProblem(ccList);
      if (ccBad) { problem(error, cc, ccBad); return "invalid"; }
      const bccBad = addressesProblem(bccList);
      if (bccBad) { problem(error, bcc, bccBad); return "invalid"; }
      return { cc: ccList, bcc: bccList };
    },
    hasCopies() {
      return !el.hidden && (cc.value.trim() !== "" || bcc.value.trim() !== "");
    },
    clear() {
      cc.value = "";
      bcc.value = "";
      local = { ...local, showBcc: false };
      render();
    },
  };
}
