//! The files attached to a reply: "Attach file" (several at once on e-mail), one chip per file
//! with Remove, and on e-mail how much of the mailbox's limit they take. Files are read in this
//! window (FileReader) and leave it only when the reply is sent; a problem shows in the composer's
//! error line, and focus goes to what was just chosen or to "Attach file".
import { attachmentProblem, base64FromDataUrl } from "../channel-logic";
import { h, replaceChildren } from "../h";
import { button } from "../ui";
import { filesProblem, filesSummary, withFile } from "./attachments-logic";
import { formatSize } from "./logic";
import type { Deps, InboxState, PendingAttachment } from "./state";

/** Reads a chosen file as base64 (FileReader: the file never leaves this window until it is sent). */
export function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      try { resolve(base64FromDataUrl(String(reader.result))); } catch (e) { reject(e); }
    };
    reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
    reader.readAsDataURL(file);
  });
}

export type AttachmentsPart = {
  /** "Attach file" and its hidden file input, for the composer's action row. */
  button: HTMLButtonElement;
  input: HTMLInputElement;
  /** The chips, above the action row. */
  el: HTMLElement;
  /** The files chosen for conversation `id`. */
  of(id: number): PendingAttachment[];
  /** Forgets the files of `id` (all, or only if they are still `sent`). */
  clear(id: number, sent?: PendingAttachment[]): void;
  /** Why the files of `id` cannot be sent in one mail, or null. */
  problem(id: number, limit: number | null): string | null;
  /** `show`: the reply is free text; `many`: e-mail (several files, `limit` bytes together). */
  update(s: InboxState, show: boolean, many: boolean, limit: number | null): void;
};

export function createAttachments(deps: Deps): AttachmentsPart {
  const { ctx, store } = deps;
  const { error } = ctx;
  const input = h("input", { type: "file", id: "attach-input", name: "attach-input", hidden: true, tabindex: "-1" }) as HTMLInputElement;
  const attach = button("attach-button", "Attach file", { class: "secondary small attach-button" });
  const el = h("div", { id: "attachment-chosen", class: "attachment-chosen", hidden: true });
  let many = false;
  let shownKey = "";

  const of = (id: number): PendingAttachment[] => [...(store.get().attachments.get(id) ?? [])];
  const set = (id: number, list: PendingAttachment[]) => {
    const attachments = new Map(store.get().attachments);
    if (list.length > 0) attachments.set(id, list);
    else attachments.delete(id);
    store.set({ attachments });
  };

  attach.addEventListener("click", () => { error.textContent = ""; input.click(); });
  input.addEventListener("change", () => void readChosen());
  async function readChosen(): Promise<void> {
    const files = [...(input.files ?? [])];
    input.value = ""; // the same file can be chosen again after removing it
    const id = store.get().openId;
    if (files.length === 0 || id === null) return;
    error.textContent = "";
    let added = false;
    for (const file of many ? files : files.slice(0, 1)) {
      const bad = attachmentProblem(file.name, file.size);
      if (bad) { error.textContent = bad; continue; }
      store.set({ reading: store.get().reading + 1 });
      try {
        const data = await readAsBase64(file);
        const next = withFile(of(id), { file_name: file.name, mime_type: file.type || "application/octet-stream", data_base64: data, size: file.size }, many);
        if (next.problem) { error.textContent = next.problem; break; }
        set(id, next.list);
        added = true;
      } catch {
        if (ctx.current()) error.textContent = `“${file.name}” could not be read. Try another file.`;
      } finally {
        store.set({ reading: store.get().reading - 1 });
      }
    }
    if (!ctx.current() || store.get().openId !== id) return;
    const chips = el.querySelectorAll<HTMLElement>("button");
    if (added && chips.length > 0) chips[chips.length - 1].focus();
    else attach.focus();
  }

  function update(s: InboxState, show: boolean, mail: boolean, limit: number | null): void {
    many = mail;
    input.multiple = mail;
    attach.hidden = !show;
    attach.disabled = s.sending || s.reading > 0;
    attach.textContent = s.reading > 0 ? "Reading file…" : mail ? "Attach files" : "Attach file";
    const list = show && s.openId !== null ? of(s.openId) : [];
    el.hidden = list.length === 0;
    // Rebuilt only when the files change, so focus stays on a chip's Remove.
    const key = `${s.openId}:${mail ? limit : ""}:${list.map((f) => `${f.file_name}/${f.size}`).join("|")}`;
    if (key === shownKey) return;
    shownKey = key;
    const summary = mail ? filesSummary(list, limit) : "";
    const over = mail ? filesProblem(list, limit) : null;
    replaceChildren(el,
      ...list.map((f, i) => {
        const remove = button(`attachment-remove-${i}`, "Remove", { class: "small secondary", "aria-label": `Remove attachment ${f.file_name}` });
        remove.addEventListener("click", () => {
          const id = store.get().openId;
          if (id === null) return;
          set(id, of(id).filter((_, j) => j !== i));
          attach.focus();
        });
        return h("div", { class: "attachment-chip" },
          h("span", { class: "attachment-name" }, f.file_name),
          h("span", { class: "muted" }, ` (${formatSize(f.size)})`),
          remove);
      }),
      summary ? h("p", { id: "attachment-total", class: `hint${over ? " error" : ""}` }, over ?? summary) : null);
  }

  return {
    button: attach, input, el, of, update,
    clear(id, sent) {
      const now = store.get().attachments.get(id);
      if (sent && now !== undefined && (now.length !== sent.length || now.some((f, i) => f !== sent[i]))) return;
      set(id, []);
    },
    problem: (id, limit) => filesProblem(of(id), limit),
  };
}
