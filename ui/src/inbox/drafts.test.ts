//! Drafts that survive: saved once typing stops (not per keystroke), at once on a flush (switch,
//! lock, leaving), in order, kept unsaved when a save is refused (a lock) and saved after; the
//! store's copy is taken unless this window holds newer words.
// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDraftSaver, draftBook, DRAFT_SAVE_MS, type DraftIo } from "./drafts";

let saves: [number, string, string][];
let refuse: { code: string; message: string } | null;
let refused: string[];
let clock: number;

function saver(memory = new Map<string, unknown>()) {
  const io: DraftIo = {
    save: async (id, mode, body) => {
      if (refuse) throw refuse;
      saves.push([id, mode, body]);
    },
    later: (fn, ms) => window.setTimeout(fn, ms),
    cancel: (t) => window.clearTimeout(t),
    now: () => ++clock,
    refused: (m) => refused.push(m),
  };
  return createDraftSaver(draftBook(memory), io);
}

beforeEach(() => {
  vi.useFakeTimers();
  saves = [];
  refuse = null;
  refused = [];
  clock = 0;
});
afterEach(() => vi.useRealTimers());

describe("draft saver", () => {
  it("saves once typing has stopped, the last text only", async () => {
    const d = saver();
    d.write(7, "reply", "H");
    await vi.advanceTimersByTimeAsync(DRAFT_SAVE_MS - 100);
    d.write(7, "reply", "He");
    d.write(7, "reply", "Hello");
    await vi.advanceTimersByTimeAsync(DRAFT_SAVE_MS - 1);
    expect(saves).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(saves).toEqual([[7, "reply", "Hello"]]);
    // Nothing new: nothing saved again.
    await d.flush();
    expect(saves).toHaveLength(1);
  });

  it("a flush saves at once; emptied text is forgotten in the store; leaving an untouched conversation saves nothing", async () => {
    const d = saver();
    d.write(7, "note", "call back");
    await d.flush();
    expect(saves).toEqual([[7, "note", "call back"]]);
    d.write(7, "note", "");
    await d.flush();
    expect(saves.at(-1)).toEqual([7, "note", ""]);
    expect(d.modeOf(7)).toBeNull();
    d.write(8, "reply", "");
    await d.flush();
    expect(saves).toHaveLength(2);
  });

  it("keeps a draft whose save the lock refused and saves it after the unlock (a new saver on the same memory)", async () => {
    const memory = new Map<string, unknown>();
    const before = saver(memory);
    before.write(7, "reply", "not lost");
    refuse = { code: "session_locked", message: "Locked." };
    await before.flush();
    expect(refused).toEqual([]);
    before.dispose();
    refuse = null;
    const after = saver(memory);
    expect(after.text(7, "reply")).toBe("not lost");
    await after.flush();
    expect(saves).toEqual([[7, "reply", "not lost"]]);
  });

  it("says why a draft cannot be kept (too long)", async () => {
    const d = saver();
    refuse = { code: "invalid_input", message: "draft: it is too long to keep; shorten it to 4096 characters" };
    d.write(7, "reply", "x".repeat(5000));
    await d.flush();
    expect(refused).toEqual(["draft: it is too long to keep; shorten it to 4096 characters"]);
  });

  it("takes the store's drafts on open unless this window has newer unsaved words, and opens in the mode left last", async () => {
    const d = saver();
    d.load(7, [
      { mode: "reply", body: "from the store", updated_at: 100 },
      { mode: "note", body: "a stored note", updated_at: 200 },
    ]);
    expect(d.text(7, "reply")).toBe("from the store");
    expect(d.modeOf(7)).toBe("note");
    d.write(7, "reply", "typed here");
    d.load(7, [{ mode: "reply", body: "from the store", updated_at: 100 }]);
    expect(d.text(7, "reply")).toBe("typed here");
    expect(d.text(7, "note")).toBe("");
    await d.flush();
    // Saved: now the store's copy (say, written on another desktop) is taken.
    d.load(7, [{ mode: "reply", body: "newer elsewhere", updated_at: 300 }]);
    expect(d.text(7, "reply")).toBe("newer elsewhere");
  });
});
