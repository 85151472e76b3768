//! The template picker: outside WhatsApp's 24-hour window the composer sends an approved template
//! (chosen here, with its parameters and a live preview) instead of free text.
import * as api from "../api";
import { templateLabel, templateParameterCount, templateParamProblem, templateParts } from "../channel-logic";
import { h, replaceChildren } from "../h";
import { errorAction, toUiError } from "../logic";
import type { Part } from "../store";
import { button, field, input, problem } from "../ui";
import { mergeById } from "./logic";
import type { Deps, InboxState, TemplateState } from "./state";
import { createTemplateExtras } from "./template-extras";

export type TemplatesPart = Part<InboxState> & {
  load(id: number): Promise<void>;
  /** Focus the template list (or the retry button). */
  focus(): void;
  /** Send the chosen template with its parameters; problems are shown at the field at fault. */
  send(id: number, form: HTMLFormElement, sendBtn: HTMLButtonElement): void;
};

export function createTemplates(deps: Deps): TemplatesPart {
  const { ctx, store, actions } = deps;
  const { app, error } = ctx;
  const el = h("div", { id: "template-picker", class: "template-picker", hidden: true });
  const preview = h("div", { id: "template-preview", class: "template-preview", "aria-live": "polite" });
  const extras = createTemplateExtras("template", () => renderPreview(store.get().templates));
  let templateSelect: HTMLSelectElement | null = null;
  let paramInputs: HTMLInputElement[] = [];
  const setTemplates = (patch: Partial<TemplateState>) => store.set({ templates: { ...store.get().templates, ...patch } });

  async function load(id: number): Promise<void> {
    setTemplates({ for: id, loading: true, error: null, list: null });
    const stillFor = () => ctx.current() && store.get().openId === id && store.get().templates.for === id;
    let patch: Partial<TemplateState>;
    try {
      const list = await api.listTemplates(id);
      if (!stillFor()) { if (store.get().templates.for === id) setTemplates({ loading: false }); return; }
      patch = { list, loading: false };
    } catch (err) {
      if (!stillFor()) { if (store.get().templates.for === id) setTemplates({ loading: false }); return; }
      const e = toUiError(err);
      if (errorAction(e.code) !== "show_message") { setTemplates({ loading: false }); app.fail(err, error); return; }
      patch = { error: e.message, loading: false };
    }
    const hadFocus = el.contains(document.activeElement);
    setTemplates(patch);
    if (hadFocus) actions.focusComposer();
  }

  function renderPicker(t: TemplateState): void {
    templateSelect = null;
    paramInputs = [];
    if (t.for === null) { el.replaceChildren(); return; }
    if (t.loading || (t.list === null && t.error === null)) {
      replaceChildren(el, h("p", { class: "muted", role: "status" }, "Loading templates…"));
      return;
    }
    if (t.error !== null) {
      const again = button("templates-retry", "Try again", { class: "small secondary" });
      again.addEventListener("click", () => { const id = store.get().openId; if (id !== null) void load(id).then(actions.focusComposer); });
      replaceChildren(el, h("p", { class: "error", role: "alert" }, `The templates could not be loaded: ${t.error}`), again);
      return;
    }
    const list = t.list ?? [];
    if (list.length === 0) {
      replaceChildren(el, h("p", { id: "templates-empty", class: "muted" },
        "This WhatsApp account has no approved templates. Create them in WhatsApp Manager; an admin then uses "
        + "“Refresh from Meta” on the Channels page."));
      return;
    }
    const select = h("select", { id: "template-select", name: "template-select" },
      h("option", { value: "" }, "Choose a template…"),
      ...list.map((x, i) => h("option", { value: String(i) }, `${templateLabel(x)} · ${x.category}`)));
    select.value = t.chosen ? String(list.indexOf(t.chosen)) : "";
    select.addEventListener("change", () => {
      const chosen = select.value === "" ? null : list[Number(select.value)] ?? null;
      setTemplates({ chosen, params: chosen ? new Array<string>(templateParameterCount(chosen)).fill("") : [] });
      (paramInputs[0] ?? templateSelect)?.focus();
    });
    templateSelect = select;
    const fields: HTMLElement[] = [];
    if (t.chosen) {
      const count = templateParameterCount(t.chosen);
      for (let i = 0; i < count; i++) {
        const inp = input(`template-param-${i + 1}`, { "data-param": i + 1, spellcheck: "true" });
        inp.value = t.params[i] ?? "";
        inp.addEventListener("input", () => {
          const params = store.get().templates.params.slice();
          params[i] = inp.value;
          setTemplates({ params });
        });
        inp.addEventListener("keydown", (ev) => {
          if (ev.key !== "Enter") return;
          // Plain Enter must not send by accident; Ctrl+Enter sends, as in the text composer.
          ev.preventDefault();
          if (ev.ctrlKey || ev.metaKey) el.closest("form")?.requestSubmit();
          else paramInputs[i + 1]?.focus();
        });
        paramInputs.push(inp);
        fields.push(field(`Parameter {{${i + 1}}}`, inp));
      }
    }
    extras.show(t.chosen);
    replaceChildren(el,
      field("Template", select),
      fields.length ? h("div", { id: "template-params", class: "template-params" }, ...fields) : null,
      t.chosen ? extras.el : null,
      t.chosen ? h("div", { class: "template-preview-wrap" }, h("h3", null, "Preview"), preview) : null);
  }

  function renderPreview(t: TemplateState): void {
    if (!t.chosen) { preview.replaceChildren(); return; }
    const frame = extras.frame();
    replaceChildren(preview,
      frame.title ? h("strong", { class: "template-title" }, frame.title) : null,
      h("span", { class: "template-body" }, ...templateParts(t.chosen.body, t.params).map((p) =>
        p.param === null ? p.text : h("span", { class: p.filled ? "param filled" : "param empty" }, p.text))),
      frame.buttons ? h("span", { class: "template-buttons" }, frame.buttons) : null);
  }

  function send(id: number, form: HTMLFormElement, sendBtn: HTMLButtonElement): void {
    const { chosen: t, params } = store.get().templates;
    if (!t) return problem(error, templateSelect, "Choose a template first.");
    const count = templateParameterCount(t);
    const bad = templateParamProblem(params, count);
    if (bad) return problem(error, paramInputs[bad.index] ?? null, bad.message);
    const values = params.slice(0, count).map((p) => p.trim());
    const more = extras.collect();
    if ("problem" in more) return problem(error, more.at, more.problem);
    store.set({ sending: true });
    void app.run(form, sendBtn, error, async () => {
      const m = await api.sendTemplateMessage(id, { name: t.name, language: t.language, parameters: values, extras: more.extras });
      if (store.get().openId !== id) return;
      store.set({
        messages: mergeById(store.get().messages, [m]), historyToEnd: true,
        templates: { ...store.get().templates, chosen: null, params: [] },
      });
      templateSelect?.focus();
    }).finally(() => store.set({ sending: false }));
  }

  /** The picker is rebuilt when the list, its state or the choice changes; the preview on every keystroke. */
  let shown: TemplateState | null = null;
  function update(s: InboxState): void {
    const t = s.templates;
    if (t === shown) return;
    const rebuild = !shown || shown.for !== t.for || shown.list !== t.list || shown.loading !== t.loading
      || shown.error !== t.error || shown.chosen !== t.chosen;
    shown = t;
    if (rebuild) renderPicker(t);
    if (t.for !== null && !t.loading && t.list !== null) renderPreview(t);
  }

  return {
    el, update, dispose: () => {}, load, send,
    focus: () => (templateSelect ?? el.querySelector<HTMLElement>("button"))?.focus(),
  };
}
