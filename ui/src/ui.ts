// Shared building blocks for screens: the App handle, fields, busy state, error area.
import type { AppStatus } from "./bindings/AppStatus";
import { clearErrors, showAtField } from "./field-errors";
import { h, type Attrs, type Child } from "./h";

export type ShowOptions = {
  /** Prefill the sign-in username (after creating a workspace). */
  prefillUsername?: string;
  /** A calm notice shown on the next screen (e.g. "Your session ended"). */
  notice?: string;
  /** One-time recovery codes to show after enrolment. */
  recoveryCodes?: string[];
  /** The person locked the app (Lock, Ctrl+L); otherwise a lock screen means the session was idle. */
  lockedByHand?: boolean;
};

export interface App {
  /** Rebuild the window for this status. */
  show(status: AppStatus, opts?: ShowOptions): void;
  /** Ask the Rust side for the status, then show it. */
  refresh(opts?: ShowOptions): Promise<void>;
  /** Run a command with the form marked busy; errors go to `errorEl` or re-route the window. */
  run(form: HTMLElement, button: HTMLButtonElement | null, errorEl: HTMLElement, task: () => Promise<void>): Promise<boolean>;
  /** Route or show one error: next to its field in `form` when it names one that is there,
   * else on the form's general line (beside its submit button) or `errorEl`. */
  fail(err: unknown, errorEl: HTMLElement, form?: HTMLElement | null): void;
  /** The status currently on screen. */
  status(): AppStatus;
  /** Open the team hub form over the current screen; Cancel comes back to it and focuses `opener`. */
  openHub(url?: string, opener?: HTMLElement): void;
}

export function errorArea(): HTMLParagraphElement {
  return h("p", { id: "error", role: "alert", class: "error" });
}

export function setError(el: HTMLElement, message: string): void {
  el.textContent = message;
}

export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  const id = input.id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
  );
}

export function input(id: string, attrs: Attrs = {}): HTMLInputElement {
  return h("input", { id, name: id, type: "text", autocomplete: "off", spellcheck: "false", ...attrs });
}

export function codeInput(id: string): HTMLInputElement {
  return input(id, {
    inputmode: "numeric",
    autocomplete: "one-time-code",
    maxlength: 7,
    class: "code",
    placeholder: "123 456",
    required: true,
  });
}

export function button(id: string | null, label: string, attrs: Attrs = {}): HTMLButtonElement {
  return h("button", { id, type: "button", ...attrs }, label);
}

export function submit(id: string, label: string): HTMLButtonElement {
  return h("button", { id, type: "submit", class: "primary" }, label);
}

/** A problem the window found before asking the core: shown right under `inputEl` (marked
 * invalid, focused, scrolled into view), or in `errorEl` when there is no field. Whatever an
 * earlier submit of the same form showed is cleared first. */
export function problem(errorEl: HTMLElement, inputEl: HTMLElement | null, message: string): void {
  const form = inputEl?.closest("form") ?? null;
  clearErrors(form);
  if (inputEl) {
    errorEl.textContent = "";
    showAtField(inputEl, message);
  } else {
    errorEl.textContent = message;
    errorEl.scrollIntoView?.({ block: "center" });
  }
}

/** A centred card used by every screen before sign-in. */
export function authCard(title: string, lead: Child, ...body: Child[]): HTMLElement {
  return h("main", { class: "auth" },
    h("div", { class: "auth-card" },
      h("p", { class: "brand" }, "Appcare Inbox"),
      h("h1", null, title),
      lead ? h("p", { class: "lead" }, lead) : null,
      ...body,
    ),
  );
}

export function notice(text: string | undefined): HTMLElement | null {
  return text ? h("p", { class: "notice", role: "status" }, text) : null;
}

/** Focus after the element is in the document. */
export function focusSoon(el: HTMLElement | null | undefined): void {
  if (!el) return;
  queueMicrotask(() => el.focus());
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export type Modal = { element: HTMLElement; close: () => void };

/** A modal dialog inside `host`: focus stays inside (Tab wraps), Esc closes, focus returns to
 * whatever had it before. `onClose` runs once, however it was closed. */
export function openModal(host: HTMLElement, id: string, title: string, body: Child[], onClose?: () => void): Modal {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = `${id}-title`;
  const dialog = h("div", { id, class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": titleId },
    h("h2", { id: titleId }, title), ...body);
  const overlay = h("div", { class: "overlay" }, dialog);
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    overlay.remove();
    onClose?.();
    if (opener && opener.isConnected) opener.focus();
  };
  overlay.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      ev.stopPropagation();
      close();
    } else if (ev.key === "Tab") {
      const items = Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.closest("[hidden]"));
      if (items.length === 0) { ev.preventDefault(); return; }
      const first = items[0];
      const last = items[items.length - 1];
      if (ev.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
        ev.preventDefault();
        last.focus();
      } else if (!ev.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
        ev.preventDefault();
        first.focus();
      }
    }
  });
  // A click on the dimmed backdrop (not the dialog) closes it.
  overlay.addEventListener("mousedown", (ev) => { if (ev.target === overlay) close(); });
  host.appendChild(overlay);
  dialog.querySelector<HTMLElement>(FOCUSABLE)?.focus();
  return { element: dialog, close };
}

export function textarea(id: string, attrs: Attrs = {}): HTMLTextAreaElement {
  return h("textarea", { id, name: id, spellcheck: "true", ...attrs });
}
