// Customers' privacy requests (admins only): find a contact, export or erase what is stored about them;
// below, the stop and start keywords customers send (consent-keywords.ts).
import * as api from "../api";
import type { ContactMatch } from "../bindings/ContactMatch";
import { h, replaceChildren } from "../h";
import { erasureConfirmed, erasureText, erasureWord, exportText, plural, splitIdentity } from "../privacy-logic";
import { button, field, input, openModal, problem, submit } from "../ui";
import { keywordsSection } from "./consent-keywords";
import type { PageContext } from "./shell";

const MEMORY_KEY = "privacy-query";

export async function renderPrivacy(ctx: PageContext): Promise<void> {
  const { app, error } = ctx;
  let contacts: ContactMatch[] = [];
  let shownQuery = "";

  const done = h("p", { id: "privacy-done", class: "status", role: "status", tabindex: "-1" });
  const say = (message: string) => { done.textContent = message; };

  // ---- search ---------------------------------------------------------------------
  const query = input("privacy-query", { type: "search", placeholder: "e.g. Kim Jansen, +31 6 1234 5678, kim@example.com" });
  const searchBtn = submit("privacy-search", "Search");
  const form = h("form", { id: "privacy-form", class: "panel", role: "search", novalidate: true },
    h("div", { class: "inline-fields" },
      field("Find a customer", query, "Name, phone number, Messenger PSID or e-mail address."),
      searchBtn));
  const results = h("div", { id: "contact-results", "aria-live": "polite" });

  async function find(text: string): Promise<void> {
    const found = await api.findContacts(text);
    if (!ctx.current()) return;
    contacts = found;
    shownQuery = text;
    ctx.memory.set(MEMORY_KEY, text);
    showResults();
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    say("");
    const text = query.value.trim();
    if (text.length < 2) return problem(error, query, "Type at least two characters of a name, number or address.");
    void app.run(form, searchBtn, error, () => find(text));
  });

  // ---- results ----------------------------------------------------------------------
  function showResults(): void {
    if (shownQuery === "") { results.replaceChildren(); return; }
    replaceChildren(results,
      h("h2", { id: "results-heading" }, contacts.length === 0 ? "No matches" : `${plural(contacts.length, "contact")} found`),
      contacts.length === 0
        ? h("p", { class: "empty", id: "contacts-empty" }, `No contact matches “${shownQuery}”.`)
        : h("ul", { class: "contact-list", "aria-labelledby": "results-heading" }, ...contacts.map(card)));
  }

  function card(c: ContactMatch): HTMLElement {
    const headingId = `contact-${c.id}-name`;
    const exportBtn = button(`export-open-${c.id}`, "Export…", { class: "small secondary", "data-action": "export", "aria-expanded": "false", "aria-controls": `export-panel-${c.id}` });
    const eraseBtn = button(`erase-open-${c.id}`, "Erase…", { class: "small danger", "data-action": "erase" });

    const notes = h("input", { type: "checkbox", id: `export-notes-${c.id}`, name: `export-notes-${c.id}` });
    const runExport = button(`export-run-${c.id}`, "Export", { class: "small primary" });
    const panel = h("div", { id: `export-panel-${c.id}`, class: "export-panel", hidden: true },
      h("div", { class: "choice" }, notes, h("label", { for: `export-notes-${c.id}` }, "Include internal notes")),
      h("p", { class: "hint" },
        "Writes the conversations, messages and attachments into a new folder in your Downloads folder. ",
        "Internal notes are what agents wrote for each other; leave them out unless the request covers them."),
      h("div", { class: "actions" }, runExport));

    exportBtn.addEventListener("click", () => {
      const open = panel.hidden;
      panel.hidden = !open;
      exportBtn.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) notes.focus();
    });
    runExport.addEventListener("click", () => {
      error.textContent = "";
      say("");
      void app.run(el, runExport, error, async () => {
        const s = await api.exportContact(c.id, notes.checked);
        panel.hidden = true;
        exportBtn.setAttribute("aria-expanded", "false");
        say(`${exportText(c.name || erasureWord(c), s)}.`);
        done.focus();
      });
    });
    eraseBtn.addEventListener("click", () => openErase(c));

    const el = h("li", { class: "contact-card", "data-contact-id": c.id, "aria-labelledby": headingId },
      h("div", { class: "contact-card-head" },
        h("h3", { id: headingId, class: "contact-name" }, c.name || h("span", { class: "muted" }, "No name")),
        h("span", { class: "muted", "data-field": "counts" },
          `${plural(c.conversations, "conversation")} · ${plural(c.messages, "message")}`),
        h("div", { class: "row-actions" }, exportBtn, eraseBtn)),
      h("ul", { class: "identities", "aria-label": "Identities" }, ...c.identities.map((i) => {
        const { channel, address } = splitIdentity(i);
        return h("li", null, channel ? h("span", { class: "identity-channel" }, channel) : null, " ", h("code", null, address));
      })),
      panel);
    return el;
  }

  // ---- erasure ------------------------------------------------------------------------
  function openErase(c: ContactMatch): void {
    const word = erasureWord(c);
    const who = c.name || word;
    const confirm = input("erase-confirm", { autocomplete: "off" });
    const dlgError = h("p", { id: "erase-error", class: "error", role: "alert" });
    const eraseBtn = h("button", { id: "erase-submit", type: "submit", class: "danger", disabled: true }, "Erase");
    const cancelBtn = button("erase-cancel", "Cancel", { class: "secondary" });
    const form = h("form", { novalidate: true },
      h("p", null, `This permanently deletes everything stored about ${who}:`),
      h("ul", { class: "erase-list" },
        h("li", null, `${plural(c.conversations, "conversation")} and their ${plural(c.messages, "message")}`),
        h("li", null, "every attachment: photos, documents, voice messages"),
        h("li", null, "their entries in the search index"),
        h("li", null, "internal notes written on their conversations"),
        h("li", null, "the contact itself, with its phone numbers, PSIDs and addresses")),
      h("p", { class: "warning" }, h("strong", null, "This cannot be undone. "),
        "The audit log keeps only a record that an erasure happened, without any of the content."),
      field(`Type “${word}” to confirm`, confirm),
      dlgError,
      h("div", { class: "actions" }, eraseBtn, cancelBtn));
    confirm.addEventListener("input", () => { eraseBtn.disabled = !erasureConfirmed(confirm.value, c); });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      dlgError.textContent = "";
      if (!erasureConfirmed(confirm.value, c)) return problem(dlgError, confirm, `Type “${word}” exactly to confirm.`);
      void app.run(form, eraseBtn, dlgError, async () => {
        const s = await api.eraseContact(c.id);
        m.close();
        contacts = contacts.filter((x) => x.id !== c.id);
        showResults();
        say(erasureText(who, s));
        done.focus();
      }).then(() => { eraseBtn.disabled = !erasureConfirmed(confirm.value, c); });
    });
    cancelBtn.addEventListener("click", () => m.close());
    const m = openModal(ctx.host, "erase-dialog", `Erase ${who}?`, [form]);
    confirm.focus();
  }

  const keywords = await keywordsSection(ctx);
  if (!ctx.current()) return;
  ctx.page.replaceChildren(h("div", { id: "privacy" },
    h("h1", null, "Privacy requests"),
    h("p", { class: "lead" },
      "When a customer asks for a copy of their data, or for it to be deleted, find them here. ",
      "Every export and erasure is recorded in the audit log."),
    form,
    done,
    results,
    keywords));

  // Back on the page: show the last search again.
  const last = ctx.memory.get(MEMORY_KEY);
  if (typeof last === "string" && last !== "") {
    query.value = last;
    try {
      await find(last);
    } catch (err) {
      if (ctx.current()) app.fail(err, error);
    }
  }
}
