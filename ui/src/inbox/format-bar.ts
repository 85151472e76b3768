//! An e-mail reply's formatting: "Formatted" (kept for the app's run) with its toolbar above the
//! text (bold, italic, link, lists, quote; Ctrl+B, Ctrl+I, Ctrl+K in the text), and under the text
//! whether the customer's last mail goes quoted below the reply, that mail folded to look at.
import type { MessageView } from "../bindings/MessageView";
import { h } from "../h";
import { button } from "../ui";
import { applyMark, type Marked, type MarkKind } from "./format-logic";
import type { InboxState } from "./state";

/** Where the shell's memory keeps whether replies are written formatted (absent: plain). */
export const FORMATTED_KEY = "inbox.formatted";

export type FormatBarPart = {
  /** "Formatted" and the toolbar, placed above the text. */
  el: HTMLElement;
  /** "Quote their last mail below" and that mail, placed under the text. */
  quoteEl: HTMLElement;
  update(s: InboxState): void;
  /** How an e-mail reply goes now; null when the open conversation is not e-mail (or a note is written). */
  read(): { formatted: boolean; quote_history: boolean } | null;
};

type Tool = { kind: MarkKind; face: string; name: string; key: string | null };
const TOOLS: Tool[] = [
  { kind: "bold", face: "B", name: "Bold", key: "B" },
  { kind: "italic", face: "I", name: "Italic", key: "I" },
  { kind: "link", face: "Link", name: "Link", key: "K" },
  { kind: "bullets", face: "• List", name: "Bulleted list", key: null },
  { kind: "numbers", face: "1. List", name: "Numbered list", key: null },
  { kind: "quote", face: "❝ Quote", name: "Quote", key: null },
];
/** By the key's place on the keyboard (`KeyB`), so Ctrl+B works whatever the layout writes. */
const BY_KEY = new Map(TOOLS.filter((t) => t.key).map((t) => [`Key${t.key}`, t.kind]));

type Local = {
  /** The conversation the quote choice belongs to (a new one starts from the default again). */
  for: number | null;
  /** The customer's last mail goes quoted below the reply. */
  quote: boolean;
  /** The customer's newest message in the open conversation. */
  lastIn: MessageView | null;
};

/** `text` becomes `r`: only the changed stretch is replaced, through the editor's own insert where
 * there is one (so Ctrl+Z takes the mark off), and an `input` event tells the draft. */
function replaceText(text: HTMLTextAreaElement, r: Marked): void {
  const old = text.value;
  text.focus();
  if (r.text !== old) {
    let a = 0;
    while (a < old.length && a < r.text.length && old[a] === r.text[a]) a++;
    let b = 0;
    while (b < old.length - a && b < r.text.length - a && old[old.length - 1 - b] === r.text[r.text.length - 1 - b]) b++;
    text.setSelectionRange(a, old.length - b);
    const native = typeof document.execCommand === "function"
      && document.execCommand("insertText", false, r.text.slice(a, r.text.length - b)) && text.value === r.text;
    if (!native) {
      text.value = r.text;
      text.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
  text.setSelectionRange(r.selStart, r.selEnd);
}

/** The newest message the customer wrote (`customer`: their address, when known; a mail from
 * someone copied in is never what is quoted). */
export function lastFromCustomer(messages: MessageView[], customer: string | null): MessageView | null {
  const theirs = (m: MessageView) => m.direction === "in"
    && (customer === null || (m.mail?.from ?? "").toLowerCase().includes(customer.toLowerCase()));
  return [...messages].reverse().find(theirs) ?? null;
}

export function createFormatBar(text: HTMLTextAreaElement, memory: Map<string, unknown>, customer: () => string | null): FormatBarPart {
  let local: Local = { for: null, quote: false, lastIn: null };
  let shown = false;
  const formatted = () => memory.get(FORMATTED_KEY) === true;

  const toggle = button("composer-format-toggle", "Formatted", {
    class: "secondary small format-toggle", "aria-pressed": "false",
    title: "Send this reply formatted (bold, lists, links), with a plain-text copy",
  });
  const tools = TOOLS.map((t, i) => {
    const label = t.key ? `${t.name} (Ctrl+${t.key})` : t.name;
    const b = button(`format-${t.kind}`, t.face, {
      class: `secondary small format-tool format-${t.kind}`, "aria-label": label, title: label,
      "aria-keyshortcuts": t.key ? `Control+${t.key}` : null, tabindex: i === 0 ? "0" : "-1",
    });
    // The text keeps the focus (and its selection) while a tool is clicked.
    b.addEventListener("mousedown", (ev) => ev.preventDefault());
    b.addEventListener("click", () => apply(t.kind));
    return b;
  });
  const toolbar = h("div", { class: "format-tools", role: "toolbar", "aria-label": "Formatting", "aria-controls": text.id, hidden: true },
    ...tools);
  const el = h("div", { id: "format-bar", class: "format-bar", hidden: true }, toggle, toolbar);

  const quoteBox = h("input", { type: "checkbox", id: "composer-quote-history", name: "composer-quote-history" });
  const quotedText = h("div", { class: "composer-quoted-text" });
  const quoted = h("details", { id: "composer-quoted", class: "composer-quoted", hidden: true },
    h("summary", null, "Quoted below"), quotedText);
  const quoteEl = h("div", { id: "quote-history", class: "quote-history", hidden: true },
    h("div", { class: "choice" }, quoteBox, h("label", { for: "composer-quote-history" }, "Quote their last mail below")),
    quoted);

  function apply(kind: MarkKind): void {
    if (!shown || text.disabled || text.hidden) return;
    replaceText(text, applyMark(text.value, text.selectionStart, text.selectionEnd, kind));
  }

  toggle.addEventListener("click", () => {
    const on = !formatted();
    memory.set(FORMATTED_KEY, on);
    // Quoting goes with formatting unless the agent chooses otherwise.
    local = { ...local, quote: on };
    render();
  });
  quoteBox.addEventListener("change", () => {
    local = { ...local, quote: quoteBox.checked };
    render();
  });
  text.addEventListener("keydown", (ev) => {
    if (!shown || !formatted() || !(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey) return;
    const kind = BY_KEY.get(ev.code) ?? BY_KEY.get(`Key${ev.key.toUpperCase()}`);
    if (!kind) return;
    ev.preventDefault();
    apply(kind);
  });
  // A toolbar is one stop for Tab: the arrows, Home and End move between its buttons.
  toolbar.addEventListener("keydown", (ev) => {
    const at = tools.indexOf(ev.target as HTMLButtonElement);
    const to = ev.key === "ArrowRight" ? at + 1 : ev.key === "ArrowLeft" ? at - 1 : ev.key === "Home" ? 0 : ev.key === "End" ? tools.length - 1 : null;
    if (at < 0 || to === null) return;
    ev.preventDefault();
    const next = tools[(to + tools.length) % tools.length];
    for (const b of tools) b.tabIndex = b === next ? 0 : -1;
    next.focus();
  });

  function render(): void {
    const on = formatted();
    toggle.setAttribute("aria-pressed", String(on));
    toolbar.hidden = !on;
    quoteBox.checked = local.quote;
    quoted.hidden = !local.quote || local.lastIn === null;
    const words = local.lastIn?.body ?? "";
    if (quotedText.textContent !== words) quotedText.textContent = words;
  }

  return {
    el,
    quoteEl,
    update(s) {
      const id = s.openId;
      shown = id !== null && s.view?.summary.channel === "email" && s.mode === "reply";
      el.hidden = !shown;
      quoteEl.hidden = !shown;
      if (!shown) return;
      const lastIn = lastFromCustomer(s.messages, customer());
      local = local.for === id ? { ...local, lastIn } : { for: id, quote: formatted(), lastIn };
      render();
    },
    read() {
      return shown ? { formatted: formatted(), quote_history: local.quote } : null;
    },
  };
}
