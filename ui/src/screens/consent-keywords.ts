//! The stop and start keywords on the Privacy page (admins): per language, the words a customer
//! sends to stop messages (do not contact, consent refused) or start them again (consent given).
//! Words are written comma-separated; the core checks and normalises them, and a refusal shows at
//! the row and field it names.
import * as api from "../api";
import type { ConsentKeywords } from "../bindings/ConsentKeywords";
import { h } from "../h";
import { button, errorArea, input, submit } from "../ui";
import type { PageContext } from "./shell";

/** "stop, Stopp ,, end" → ["stop", "Stopp", "end"]. */
export function splitWords(text: string): string[] {
  return text.split(",").map((w) => w.trim()).filter((w) => w !== "");
}

/** The lists the rows describe; rows with no language and no words are left out. */
export function keywordsFromRows(rows: { language: string; stop: string; start: string }[]): ConsentKeywords[] {
  return rows
    .map((r) => ({ language: r.language.trim(), stop: splitWords(r.stop), start: splitWords(r.start) }))
    .filter((k) => k.language !== "" || k.stop.length > 0 || k.start.length > 0);
}

export async function keywordsSection(ctx: PageContext): Promise<HTMLElement> {
  const general = errorArea();
  general.id = "keywords-error";
  const body = h("tbody", { id: "keywords-rows" });
  let serial = 0;

  function row(k: ConsentKeywords): HTMLElement {
    const n = serial++;
    const language = input(`keywords-language-${n}`, { maxlength: 12, "aria-label": "Language", class: "keywords-language" });
    language.value = k.language;
    const stop = input(`keywords-stop-${n}`, { "aria-label": `Stop words (${k.language || "new"})`, class: "keywords-stop" });
    stop.value = k.stop.join(", ");
    const start = input(`keywords-start-${n}`, { "aria-label": `Start words (${k.language || "new"})`, class: "keywords-start" });
    start.value = k.start.join(", ");
    const remove = button(`keywords-remove-${n}`, "Remove", { class: "link" });
    const tr = h("tr", { class: "keywords-row" }, h("td", null, language), h("td", null, stop), h("td", null, start), h("td", null, remove));
    remove.addEventListener("click", () => { tr.remove(); body.querySelector<HTMLInputElement>("input")?.focus(); });
    return tr;
  }

  function rows(): { language: string; stop: string; start: string }[] {
    return [...body.querySelectorAll<HTMLTableRowElement>("tr")].map((tr) => ({
      language: tr.querySelector<HTMLInputElement>(".keywords-language")?.value ?? "",
      stop: tr.querySelector<HTMLInputElement>(".keywords-stop")?.value ?? "",
      start: tr.querySelector<HTMLInputElement>(".keywords-start")?.value ?? "",
    }));
  }

  const add = button("keywords-add", "Add a language", { class: "small secondary" });
  add.addEventListener("click", () => {
    const tr = row({ language: "", stop: [], start: [] });
    body.append(tr);
    tr.querySelector<HTMLInputElement>("input")?.focus();
  });
  const save = submit("keywords-save", "Save keywords");
  const form = h("form", { id: "keywords-form", class: "panel", novalidate: true },
    h("h2", null, "Stop and start keywords"),
    h("p", { class: "hint" },
      "A customer who sends only one of these words (any language) stops or restarts messages: a stop word marks them ",
      "as not to be contacted and records their consent as refused; a start word undoes that and records it as given. ",
      "Separate words with commas."),
    h("table", { class: "keywords-table" },
      h("thead", null, h("tr", null, h("th", null, "Language"), h("th", null, "Stop words"), h("th", null, "Start words"), h("th", null, ""))),
      body),
    h("div", { class: "actions" }, add, save),
    general);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    general.textContent = "";
    void ctx.app.run(form, save, general, async () => {
      const stored = await api.setConsentKeywords(keywordsFromRows(rows()));
      body.replaceChildren(...stored.map(row));
      ctx.toast("Keywords saved.");
    });
  });
  try {
    body.replaceChildren(...(await api.consentKeywords()).map(row));
  } catch (err) {
    ctx.app.fail(err, general);
  }
  return form;
}
