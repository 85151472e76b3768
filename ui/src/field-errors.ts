//! Errors where the eye is: a problem with one field is written right under that field (found by
//! its `data-field` core field name), the field is marked invalid, focused and scrolled into view;
//! anything else goes to the form's own error line next to its submit button.
import { h } from "./h";
import { toUiError } from "./logic";

/** One error, split for showing: the core field it is about (lower case) or `null`, the text to
 * show beside that field, and the text to show when the field is not on screen. `part`: a finer
 * field inside it ("retention: email: between …" is about the field "retention email"). */
export type FieldError = { field: string | null; text: string; general: string; part?: { field: string; text: string } };

/** A sentence from a core reason: a capital first letter (unless it begins with a name such as
 * a host, kept as written), a full stop at the end. */
function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const word = t.split(/\s/, 1)[0];
  const first = /^[a-z']+[,;:]?$/.test(word) ? t[0].toUpperCase() + t.slice(1) : t;
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** Splits a core error into its field and plain words. The core's invalid-input errors read
 * "{field}: {reason}"; beside the field its label already names it, so the reason alone is
 * shown, as a sentence. A weak password is about the new password. */
export function splitFieldError(code: string, message: string): FieldError {
  if (code === "weak_password") return { field: "new password", text: message, general: message };
  if (code === "invalid_input") {
    const at = message.indexOf(": ");
    if (at > 0 && at <= 40) {
      const field = message.slice(0, at).trim().toLowerCase();
      const reason = message.slice(at + 2);
      const split: FieldError = { field, text: sentence(reason), general: sentence(message) };
      const inner = /^([a-z][a-z -]{0,30}): (.+)$/i.exec(reason);
      if (inner) split.part = { field: `${field} ${inner[1].toLowerCase()}`, text: sentence(inner[2]) };
      return split;
    }
  }
  return { field: null, text: message, general: message };
}

/** Mark `el` as the input for these core field names (as the core's errors spell them). */
export function markField<T extends HTMLElement>(el: T, ...fields: string[]): T {
  el.setAttribute("data-field", [...names(el), ...fields.map((f) => f.toLowerCase())].join("|"));
  return el;
}

/** The names an input answers to: its `data-field`, names separated by "|". */
function names(el: Element): string[] {
  return (el.getAttribute("data-field") ?? "").split("|").map((n) => n.trim().toLowerCase()).filter(Boolean);
}

/** The input inside `form` marked with this core field name, if it is there. */
export function findField(form: ParentNode, field: string): HTMLElement | null {
  const want = field.toLowerCase();
  // Only form controls: `data-field` also names shown values (cards, facts) elsewhere.
  for (const el of Array.from(form.querySelectorAll<HTMLElement>("input[data-field], select[data-field], textarea[data-field]"))) {
    // A hidden field (e.g. a verify token a polled page does not need) cannot be seen or focused.
    if (names(el).includes(want) && !el.closest("[hidden]")) return el;
  }
  return null;
}

function scrollTo(el: Element): void {
  if (typeof el.scrollIntoView === "function") el.scrollIntoView({ block: "center" });
}

let serial = 0;

/** The error line right under `input`: its field's own, or a new one after the input. */
function errorLineFor(input: HTMLElement): HTMLElement {
  const own = input.closest(".field")?.querySelector<HTMLElement>(".field-error");
  if (own) return own;
  if (!input.id) input.id = `field-${++serial}`;
  const id = `${input.id}-error`;
  const existing = document.getElementById(id);
  if (existing) return existing;
  const line = h("p", { id, class: "error field-error", role: "alert" });
  input.after(line);
  return line;
}

/** Write `message` under `input`, mark it invalid, open what hides it, focus it, scroll to it. */
export function showAtField(input: HTMLElement, message: string): void {
  const line = errorLineFor(input);
  line.textContent = message;
  input.setAttribute("aria-invalid", "true");
  const described = (input.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
  if (!described.includes(line.id)) input.setAttribute("aria-describedby", [...described, line.id].join(" "));
  for (let d = input.closest("details"); d; d = d.parentElement?.closest("details") ?? null) d.open = true;
  input.focus({ preventScroll: true });
  scrollTo(input);
}

const ownLines = new WeakMap<HTMLElement, HTMLElement>();

/** Give `form` a general error line of its own outside it (e.g. one shared with the rest of a
 * small card), instead of the line made beside its submit button. */
export function useErrorLine(form: HTMLElement, line: HTMLElement): void {
  ownLines.set(form, line);
}

/** Where an action's errors belong: a `<form>` itself; an action inside a table row (a role
 * menu, a popover, a row's buttons) its row; else the element as given. */
function scopeOf(form: HTMLElement): HTMLElement {
  return form.tagName === "FORM" ? form : form.closest("tr") ?? form;
}

/** The form's general error line: `fallback` when it is inside the form; for a `<form>`, a line
 * of its own just above its actions row (at its end when it has none), so it is seen beside the
 * submit button on a long page; for a table row, a line in its last cell (its actions); else
 * `fallback`. */
export function generalLine(form: HTMLElement | null, fallback: HTMLElement): HTMLElement {
  if (!form || form.contains(fallback)) return fallback;
  const own = ownLines.get(form);
  if (own) return own;
  const scope = scopeOf(form);
  const existing = scope.querySelector<HTMLElement>(".form-error");
  if (existing) return existing;
  const line = h("p", { class: "error form-error", role: "alert" });
  if (scope.tagName === "TR") {
    const cell = scope.lastElementChild;
    if (!cell) return fallback;
    cell.append(line);
    return line;
  }
  if (scope.tagName !== "FORM") return fallback;
  if (scope.id) line.id = `${scope.id}-error`;
  const actions = scope.querySelector<HTMLElement>(".actions");
  if (actions) actions.before(line);
  else scope.append(line);
  return line;
}

/** Shows one error: next to its field when `form` has it, else on the form's general line. */
export function showError(form: HTMLElement | null, err: unknown, fallback: HTMLElement): void {
  const e = toUiError(err);
  const split = splitFieldError(e.code, e.message);
  const finer = split.part && form ? findField(form, split.part.field) : null;
  if (finer && split.part) return showAtField(finer, split.part.text);
  const input = split.field && form ? findField(form, split.field) : null;
  if (input) return showAtField(input, split.text);
  const line = generalLine(form, fallback);
  line.textContent = split.general;
  scrollTo(line);
}

/** Clears what an earlier submit showed: field lines, invalid marks, the form's general line. */
export function clearErrors(form: HTMLElement | null): void {
  if (!form) return;
  const scope = scopeOf(form);
  for (const line of Array.from(scope.querySelectorAll<HTMLElement>(".field-error, .form-error"))) line.textContent = "";
  for (const el of Array.from(scope.querySelectorAll("[aria-invalid]"))) el.removeAttribute("aria-invalid");
}
