//! Drafts that survive: what is being written, per conversation and mode, held in the signed-in
//! shell's memory (which outlives a lock in this app run) and saved to the encrypted store through
//! `save_draft` (never the web view's storage) once typing stops, and at once on a switch, a lock or
//! leaving the page. A save that fails (the session just locked) stays unsaved and is tried again.
import type { DraftView } from "../bindings/DraftView";
import type { ComposerMode } from "./state";

/** Saved this long after the last keystroke. */
export const DRAFT_SAVE_MS = 600;

type Entry = {
  text: string;
  /** The store holds `text` (or nothing, for an empty one). */
  saved: boolean;
  /** When it was last written (seconds): the mode written last is the one a conversation opens in. */
  at: number;
};

/** The drafts of this shell, kept in its memory under one key. */
export type DraftBook = Map<string, Entry>;

export function draftBook(memory: Map<string, unknown>): DraftBook {
  let book = memory.get("inbox.drafts") as DraftBook | undefined;
  if (!(book instanceof Map)) {
    book = new Map();
    memory.set("inbox.drafts", book);
  }
  return book;
}

const keyOf = (id: number, mode: ComposerMode) => `${id}:${mode}`;
const MODES: ComposerMode[] = ["reply", "note"];

export type DraftIo = {
  save(id: number, mode: ComposerMode, body: string): Promise<unknown>;
  later(fn: () => void, ms: number): number;
  cancel(timer: number): void;
  now(): number;
  /** A save was refused for a reason the writer must hear (too long); not for a lock or a lost connection. */
  refused(message: string): void;
};

export type DraftSaver = {
  /** Typing (or leaving with) `text` in `mode`; it is saved once typing has stopped for `DRAFT_SAVE_MS`. */
  write(id: number, mode: ComposerMode, text: string): void;
  /** What is being written in `id` for `mode` ("" when nothing). */
  text(id: number, mode: ComposerMode): string;
  /** The mode `id` was last written (or left) in, if it has a draft. */
  modeOf(id: number): ComposerMode | null;
  /** Take the drafts the store returned with the conversation, except where this window holds newer words. */
  load(id: number, stored: readonly DraftView[]): void;
  /** Save every unsaved draft now; resolves when they are saved (or refused). */
  flush(): Promise<void>;
  /** Stop the pending timer (the book stays). */
  dispose(): void;
};

export function createDraftSaver(book: DraftBook, io: DraftIo): DraftSaver {
  let timer = 0;
  // Saves go one after another, so a later text can never be overtaken by an earlier one.
  let chain: Promise<void> = Promise.resolve();
  const saving = new Map<string, string>();

  function flush(): Promise<void> {
    io.cancel(timer);
    timer = 0;
    for (const [key, entry] of book) {
      if (entry.saved || saving.get(key) === entry.text) continue;
      const text = entry.text;
      const [id, mode] = [Number(key.split(":")[0]), key.split(":")[1] as ComposerMode];
      saving.set(key, text);
      chain = chain.then(async () => {
        try {
          await io.save(id, mode, text);
          const now = book.get(key);
          if (now && now.text === text) {
            if (text === "") book.delete(key);
            else now.saved = true;
          }
        } catch (err) {
          const e = err as { code?: string; message?: string };
          if (e?.code === "invalid_input" && e.message) io.refused(e.message);
        } finally {
          if (saving.get(key) === text) saving.delete(key);
        }
      });
    }
    return chain;
  }

  return {
    write(id, mode, text) {
      const key = keyOf(id, mode);
      const entry = book.get(key);
      // Unchanged: only marks this mode as the one the person was last in.
      if (entry && entry.text === text) { entry.at = io.now(); return; }
      // Nothing written and nothing kept (a conversation's stored drafts are loaded when it opens).
      if (!entry && text === "") return;
      book.set(key, { text, saved: false, at: io.now() });
      io.cancel(timer);
      timer = io.later(() => { timer = 0; void flush(); }, DRAFT_SAVE_MS);
    },
    text: (id, mode) => book.get(keyOf(id, mode))?.text ?? "",
    modeOf(id) {
      let best: { mode: ComposerMode; at: number } | null = null;
      for (const mode of MODES) {
        const e = book.get(keyOf(id, mode));
        if (e && e.text !== "" && (best === null || e.at > best.at)) best = { mode, at: e.at };
      }
      return best?.mode ?? null;
    },
    load(id, stored) {
      for (const mode of MODES) {
        const key = keyOf(id, mode);
        const held = book.get(key);
        if (held && !held.saved) continue;
        const found = stored.find((d) => d.mode === mode);
        if (found) book.set(key, { text: found.body, saved: true, at: found.updated_at });
        else book.delete(key);
      }
    },
    flush,
    dispose() { io.cancel(timer); timer = 0; },
  };
}
