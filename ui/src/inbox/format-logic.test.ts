//! The marks a formatted reply is written with, put on and taken off: bold and italic (stacked, per
//! line, spaces kept outside), links, lists (one kind turning into the other) and quotes.
import { describe, expect, it } from "vitest";
import { applyMark, type MarkKind } from "./format-logic";
import type { MessageView } from "../bindings/MessageView";
import { lastFromCustomer } from "./format-bar";

/** Applies `kind` to text whose selection is written «like this» («» alone: the caret), and writes
 * the result the same way. */
function mark(written: string, kind: MarkKind): string {
  const start = written.indexOf("«");
  const end = written.indexOf("»") - 1;
  const r = applyMark(written.replace("«", "").replace("»", ""), start, end, kind);
  return `${r.text.slice(0, r.selStart)}«${r.text.slice(r.selStart, r.selEnd)}»${r.text.slice(r.selEnd)}`;
}

describe("bold and italic", () => {
  it("wraps the selection and keeps the words selected", () => {
    expect(mark("It ships «today».", "bold")).toBe("It ships **«today»**.");
    expect(mark("It ships «today».", "italic")).toBe("It ships *«today»*.");
  });

  it("puts an empty pair with the caret inside when nothing is selected", () => {
    expect(mark("Hi «»", "bold")).toBe("Hi **«»**");
    expect(mark("«»", "italic")).toBe("*«»*");
  });

  it("takes the marks off again, from around the selection or inside it", () => {
    expect(mark("It ships **«today»**.", "bold")).toBe("It ships «today».");
    expect(mark("It ships «**today**».", "bold")).toBe("It ships «today».");
    expect(mark("It ships *«today»*.", "italic")).toBe("It ships «today».");
    expect(mark("Hi **«»**", "bold")).toBe("Hi «»");
  });

  it("tells bold from italic, and stacks them", () => {
    expect(mark("**«today»**", "italic")).toBe("***«today»***");
    expect(mark("***«today»***", "italic")).toBe("**«today»**");
    expect(mark("***«today»***", "bold")).toBe("*«today»*");
    expect(mark("*«today»*", "bold")).toBe("***«today»***");
  });

  it("leaves the spaces around the words outside the marks", () => {
    expect(mark("It«ships »today", "bold")).toBe("It**«ships»** today");
    expect(mark("a« b »c", "italic")).toBe("a *«b»* c");
  });

  it("marks each line of a multi-line selection, skipping blank ones, and unmarks them together", () => {
    expect(mark("«one\n\ntwo»", "bold")).toBe("«**one**\n\n**two**»");
    expect(mark("«**one**\n\n**two**»", "bold")).toBe("«one\n\ntwo»");
    // One line already bold: the other gets it too.
    expect(mark("«**one**\ntwo»", "bold")).toBe("«**one**\n**two**»");
  });
});

describe("links", () => {
  it("makes the selection the link's words with https:// selected to type over", () => {
    expect(mark("See «our terms» here", "link")).toBe("See [our terms](«https://») here");
  });

  it("inserts words to replace, selected, when nothing is selected", () => {
    expect(mark("See «»", "link")).toBe("See [«words»](https://)");
  });
});

describe("lists and quotes", () => {
  it("marks the line the caret is on, the caret moving with its words", () => {
    expect(mark("Steps:\nopen the «»app", "bullets")).toBe("Steps:\n- open the «»app");
    expect(mark("«»", "quote")).toBe("> «»");
  });

  it("marks every line the selection touches, blank lines skipped", () => {
    expect(mark("Steps:\nop«en\n\nclose\nsa»ve", "bullets")).toBe("Steps:\n- op«en\n\n- close\n- sa»ve");
    expect(mark("«open\nclose\nsave»", "numbers")).toBe("1. «open\n2. close\n3. save»");
    expect(mark("«you wrote\nthis»", "quote")).toBe("> «you wrote\n> this»");
  });

  it("leaves out the line a selection ends at the very start of", () => {
    expect(mark("«open\n»close", "bullets")).toBe("- «open\n»close");
  });

  it("takes the mark off when every touched line has it", () => {
    expect(mark("- «open\n- close»", "bullets")).toBe("«open\nclose»");
    expect(mark("1. «open\n2. close»", "numbers")).toBe("«open\nclose»");
    expect(mark("> «quoted»", "quote")).toBe("«quoted»");
    // Not all of them: the rest get it.
    expect(mark("- «open\nclose»", "bullets")).toBe("- «open\n- close»");
  });

  it("turns one kind of list into the other, numbering afresh", () => {
    expect(mark("«- open\n- close»", "numbers")).toBe("1. «open\n2. close»");
    expect(mark("«3. open\n7. close»", "bullets")).toBe("- «open\n- close»");
  });

  it("marks the first line when the text starts with a blank line", () => {
    expect(mark("«»\nnext", "bullets")).toBe("- «»\nnext");
  });
});

describe("what is quoted below a reply", () => {
  const msg = (id: number, direction: string, from: string | null) => ({
    id, direction, mail: from === null ? null : { from, to: [], cc: [], bcc: [], gone_from_mailbox: false },
  }) as unknown as MessageView;

  it("is the customer's newest mail, never one from someone copied in", () => {
    const messages = [msg(1, "in", "Ana <ana@example.com>"), msg(2, "out", null), msg(3, "in", "Bob <bob@example.com>")];
    expect(lastFromCustomer(messages, "ana@example.com")?.id).toBe(1);
    expect(lastFromCustomer(messages, "ANA@example.com")?.id).toBe(1);
    expect(lastFromCustomer(messages, "carol@example.com")).toBeNull();
    // Until the customer's address is known: the newest mail in.
    expect(lastFromCustomer(messages, null)?.id).toBe(3);
  });
});
