//! The parts of a WhatsApp template besides its body: the title's value, the file a picture, video
//! or document title shows, and the values of link and offer-code buttons. Shared by the template
//! picker and "Write first…". The chosen file is read here (FileReader) and leaves the window only
//! when the template is sent; each field is marked with the core's name for it, so a refusal
//! lands at the field at fault.
import type { TemplateExtras } from "../bindings/TemplateExtras";
import type { TemplateView } from "../bindings/TemplateView";
import {
  templateExtrasProblem, templateFileProblem, templateFrame, templateHeaderFile, templateTitleTakesValue,
  templateValueButtons,
} from "../channel-logic";
import { markField } from "../field-errors";
import { h, replaceChildren } from "../h";
import { field, input } from "../ui";
import { readAsBase64 } from "./attachments";
import { formatSize } from "./logic";

export type ExtrasPart = {
  el: HTMLElement;
  /** Shows the fields `t` takes (none for null), empty. */
  show(t: TemplateView | null): void;
  /** The values to send, or the first problem with the field at fault. */
  collect(): { extras: TemplateExtras } | { problem: string; at: HTMLElement };
  /** The title and buttons as the customer will see them. */
  frame(): { title: string; buttons: string };
};

type ChosenFile = { file_name: string; mime_type: string; data_base64: string; size: number };

/** `prefix` names the fields' ids; `changed` runs after every edit (to redraw a preview). */
export function createTemplateExtras(prefix: string, changed: () => void): ExtrasPart {
  const el = h("div", { id: `${prefix}-extras`, class: "template-extras" });
  let template: TemplateView | null = null;
  let title: HTMLInputElement | null = null;
  let fileInput: HTMLInputElement | null = null;
  let fileNote: HTMLElement | null = null;
  let buttons: HTMLInputElement[] = [];
  let file: ChosenFile | null = null;
  let reading = false;

  function show(t: TemplateView | null): void {
    template = t;
    title = null; fileInput = null; fileNote = null; buttons = []; file = null; reading = false;
    if (!t) { el.replaceChildren(); return; }
    const fields: HTMLElement[] = [];
    if (templateTitleTakesValue(t)) {
      title = markField(input(`${prefix}-header-value`, { autocomplete: "off", spellcheck: "true" }), "header");
      title.addEventListener("input", changed);
      fields.push(field("Title value {{1}}", title, `Title: ${t.header?.text ?? ""}`));
    }
    const wanted = templateHeaderFile(t);
    if (wanted) {
      fileInput = markField(input(`${prefix}-header-file`, { type: "file" }), "header_file");
      if (wanted.accept) fileInput.accept = wanted.accept;
      fileNote = h("p", { class: "hint", id: `${prefix}-header-file-note`, "aria-live": "polite" }, "No file chosen yet.");
      fileInput.addEventListener("change", () => void choose());
      fields.push(field(`The ${wanted.kind} at the top`, fileInput), fileNote);
    }
    buttons = templateValueButtons(t).map((b, i) => {
      const v = markField(input(`${prefix}-button-${i + 1}`, { autocomplete: "off" }), "buttons");
      v.addEventListener("input", changed);
      const label = b.kind === "copy_code" ? `Offer code (“${b.text}”)` : `Ending of the “${b.text}” link`;
      fields.push(field(label, v, b.kind === "url" ? b.url : "Up to 15 characters."));
      return v;
    });
    replaceChildren(el, ...fields);
  }

  /** Each choice counts; a read that finishes after a newer choice is dropped. */
  let choice = 0;
  async function choose(): Promise<void> {
    const chosen = fileInput?.files?.[0];
    const t = template;
    const mine = ++choice;
    const current = () => template === t && choice === mine;
    file = null;
    reading = false;
    if (!chosen || !t || !fileNote) { changed(); return; }
    const mime = chosen.type || "application/octet-stream";
    const bad = templateFileProblem(t, mime, chosen.size);
    if (bad) { fileNote.textContent = bad; fileNote.classList.add("error"); changed(); return; }
    reading = true;
    fileNote.textContent = `Reading “${chosen.name}”…`;
    try {
      const data = await readAsBase64(chosen);
      if (!current()) return;
      file = { file_name: chosen.name, mime_type: mime, data_base64: data, size: chosen.size };
      fileNote.classList.remove("error");
      fileNote.textContent = `${chosen.name} · ${formatSize(chosen.size)}`;
    } catch {
      if (current()) fileNote.textContent = `“${chosen.name}” could not be read. Try another file.`;
    } finally {
      if (current()) { reading = false; changed(); }
    }
  }

  function collect(): { extras: TemplateExtras } | { problem: string; at: HTMLElement } {
    const t = template;
    if (!t) return { extras: { header: [], buttons: [] } };
    const values = buttons.map((b) => b.value);
    const bad = templateExtrasProblem(t, title?.value ?? "", values);
    if (bad) return { problem: bad.message, at: (bad.which === "title" ? title : buttons[bad.which]) ?? el };
    const wanted = templateHeaderFile(t);
    if (wanted && fileInput) {
      if (reading) return { problem: "The file is still being read; send again in a moment.", at: fileInput };
      if (!file) return { problem: `Choose the ${wanted.kind} this template shows at its top.`, at: fileInput };
    }
    const extras: TemplateExtras = {
      header: title ? [title.value.trim()] : [],
      buttons: values.map((v) => v.trim()),
    };
    if (file) extras.header_file = { file_name: file.file_name, mime_type: file.mime_type, data_base64: file.data_base64 };
    return { extras };
  }

  function frame(): { title: string; buttons: string } {
    return template ? templateFrame(template, title?.value ?? "", buttons.map((b) => b.value)) : { title: "", buttons: "" };
  }

  return { el, show, collect, frame };
}
