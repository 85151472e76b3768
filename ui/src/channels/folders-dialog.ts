//! "Folders…" on a mailbox card: the folders the mail server offers (as the sync last listed them),
//! each with a tick for "synced". The main folder is always synced; spam and trash are left out
//! unless ticked. Names are shown as people read them; after Save the mailbox's sync starts again.
import * as api from "../api";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { MailFolderChoice } from "../bindings/MailFolderChoice";
import { markField } from "../field-errors";
import { h } from "../h";
import { button, errorArea, openModal, submit, type App } from "../ui";

const USES: Record<string, string> = {
  sent: "sent mail", junk: "spam", trash: "trash", drafts: "drafts", archive: "archive", all: "all mail", flagged: "flagged",
};

/** What is said beside a folder's name: its use, and why it is (not) synced. */
export function folderNote(f: MailFolderChoice): string {
  const parts: string[] = [];
  if (f.main) parts.push("main folder: new mail is watched here, always synced");
  const use = USES[f.special_use];
  if (use) parts.push(use);
  if (f.left_out_by_default && !f.synced) parts.push("left out unless ticked");
  if (f.special_use === "sent") parts.push("replies sent from other mail programs join their conversations");
  if (f.stored > 0) parts.push(`${f.stored} stored`);
  return parts.join(" · ");
}

/** The folders to send: the ticked ones besides the main folder. */
export function pickedFolders(choices: MailFolderChoice[], ticked: Set<string>): string[] {
  return choices.filter((f) => !f.main && ticked.has(f.name)).map((f) => f.name);
}

/** Loads the mailbox's folders and opens the dialog over `host`; `saved` runs after Save. */
export async function openFolders(app: App, host: HTMLElement, a: ChannelAccountView, error: HTMLElement,
  saved: () => void): Promise<void> {
  let choices: MailFolderChoice[];
  try {
    choices = await api.mailFolders(a.id);
  } catch (err) {
    app.fail(err, error);
    return;
  }
  const general = errorArea();
  general.id = "folders-error";
  const ticked = new Set(choices.filter((f) => f.synced).map((f) => f.name));
  const main = choices.filter((f) => f.main);
  const rows = [...main, ...choices.filter((f) => !f.main)].map((f, i) => {
    const box = h("input", { type: "checkbox", id: `folder-${i}`, "data-folder": f.name }) as HTMLInputElement;
    box.checked = f.main || ticked.has(f.name);
    box.disabled = f.main;
    box.addEventListener("change", () => { if (box.checked) ticked.add(f.name); else ticked.delete(f.name); });
    return h("li", { class: "folder-choice" },
      h("label", { for: box.id }, box, ` ${f.shown}`),
      h("span", { class: "hint" }, folderNote(f)));
  });
  const list = markField(h("ul", { id: "folders-list", class: "folder-choices", tabindex: "-1" }, ...rows), "folders");
  const lonely = choices.length <= main.length
    ? h("p", { class: "hint", id: "folders-unlisted" },
      "The server's folders are listed when the mailbox next connects. Come back after its sync has run.")
    : null;
  const go = submit("folders-save", "Save");
  const cancel = button("folders-cancel", "Cancel", { class: "secondary" });
  const form = h("form", { id: "folders-form", novalidate: true },
    h("p", { class: "hint" }, "Customers' mail is taken from every ticked folder."),
    list, lonely, general,
    h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "folders", `Folders of ${a.name}`, [form]);
  cancel.addEventListener("click", () => modal.close());
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void app.run(form, go, general, async () => {
      await api.setMailFolders(a.id, pickedFolders(choices, ticked));
      modal.close();
      saved();
    });
  });
  (form.querySelector<HTMLInputElement>("input:not([disabled])") ?? cancel).focus();
}
