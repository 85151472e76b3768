//! Completion of @mentions in the note composer: typing `@` and the start of a colleague's
//! username or name lists those who may see the conversation; ↓/↑ choose, Enter or Tab put the
//! username in, Esc closes the list (and only the list). Reply mode never completes.
import type { Colleague } from "../bindings/Colleague";
import { h } from "../h";
import { insertMention, mentionAt, mentionChoices } from "./mention-logic";
import type { Deps } from "./state";

export type MentionMenu = { el: HTMLElement; close(): void };

/** `changed` runs after a username is put in (the draft is kept). */
export function createMentionMenu(deps: Deps, text: HTMLTextAreaElement, changed: () => void): MentionMenu {
  const { store, ctx } = deps;
  const el = h("ul", { id: "mention-menu", class: "mention-menu", role: "listbox", "aria-label": "Mention a colleague", hidden: true });
  let choices: Colleague[] = [];
  let active = 0;
  let at: { start: number; query: string } | null = null;

  function close(): void {
    choices = [];
    at = null;
    el.hidden = true;
    el.replaceChildren();
    text.removeAttribute("aria-activedescendant");
  }

  function render(): void {
    el.hidden = choices.length === 0;
    el.replaceChildren(...choices.map((c, i) => {
      const li = h("li", { id: `mention-${c.id}`, role: "option", class: `mention-option${i === active ? " active" : ""}`,
        "aria-selected": i === active ? "true" : "false", "data-username": c.username },
      h("strong", null, `@${c.username}`), " ", h("span", { class: "muted" }, c.display_name));
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); pick(i); });
      return li;
    }));
    if (choices.length) text.setAttribute("aria-activedescendant", `mention-${choices[active].id}`);
  }

  function pick(i: number): void {
    const c = choices[i];
    if (!c || !at) return;
    const next = insertMention(text.value, at, c.username);
    text.value = next.text;
    text.setSelectionRange(next.caret, next.caret);
    close();
    changed();
  }

  text.addEventListener("input", () => {
    const s = store.get();
    at = s.mode === "note" && s.view ? mentionAt(text.value, text.selectionStart ?? text.value.length) : null;
    choices = at && s.view ? mentionChoices(s.colleagues, at.query, s.view.summary.team_id, ctx.user.user_id) : [];
    active = 0;
    if (choices.length === 0) close();
    else render();
  });
  // Before the composer's own keys (Ctrl+Enter, Esc): capture on the text itself.
  text.addEventListener("keydown", (ev) => {
    if (choices.length === 0) return;
    let handled = true;
    if (ev.key === "ArrowDown") active = (active + 1) % choices.length;
    else if (ev.key === "ArrowUp") active = (active - 1 + choices.length) % choices.length;
    else if ((ev.key === "Enter" && !ev.ctrlKey && !ev.metaKey) || ev.key === "Tab") { pick(active); }
    else if (ev.key === "Escape") close();
    else handled = false;
    if (!handled) return;
    ev.preventDefault();
    ev.stopImmediatePropagation();
    if (choices.length) render();
  }, { capture: true });
  text.addEventListener("blur", () => close());

  return { el, close };
}
