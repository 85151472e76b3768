//! The files chosen for a reply: one on WhatsApp and Messenger (a new one replaces it), up to ten
//! on e-mail, together within what the mailbox's server takes.
import type { PendingAttachment } from "./state";

/** The most files one e-mail reply carries (the core's `MAX_REPLY_FILES`). */
export const MAX_MAIL_FILES = 10;

/** The list after choosing `file`: added on e-mail (unless ten are there), the only one elsewhere. */
export function withFile(list: readonly PendingAttachment[], file: PendingAttachment, many: boolean):
  { list: PendingAttachment[]; problem: string | null } {
  if (!many) return { list: [file], problem: null };
  if (list.length >= MAX_MAIL_FILES) {
    return { list: [...list], problem: `A reply carries at most ${MAX_MAIL_FILES} files; remove one first.` };
  }
  return { list: [...list, file], problem: null };
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** "2 files, 1.2 MB of 20.0 MB" under the chips (e-mail); "" for one file elsewhere. */
export function filesSummary(list: readonly PendingAttachment[], limit: number | null): string {
  if (list.length === 0 || limit === null) return "";
  const total = list.reduce((n, f) => n + f.size, 0);
  return `${list.length} ${list.length === 1 ? "file" : "files"}, ${mb(total)} of ${mb(limit)}`;
}

/** Why the files cannot go in one mail (over the mailbox's limit), or null. */
export function filesProblem(list: readonly PendingAttachment[], limit: number | null): string | null {
  if (limit === null) return null;
  const total = list.reduce((n, f) => n + f.size, 0);
  if (total <= limit) return null;
  return `The files are ${mb(total)} together; this mailbox sends at most ${mb(limit)} of files in one mail. Remove one, or send it in a second reply.`;
}
