//! Where an e-mail's quoted earlier mail starts: a trailing `>` block, with its "… wrote:" line, folded
//! only when new words stand above it and nothing but the quote follows.
import { describe, expect, it } from "vitest";
import { splitQuoted } from "./quote-fold-logic";

describe("the quoted mail at the end of an e-mail", () => {
  it("is split off with its attribution line", () => {
    const text = "Thanks, that worked.\n\nAna\n\nOn 3 Dec 2026, Sam <help@shop.test> wrote:\n> It ships today.\n>\n> Sam\n";
    expect(splitQuoted(text)).toEqual({
      main: "Thanks, that worked.\n\nAna",
      quoted: "On 3 Dec 2026, Sam <help@shop.test> wrote:\n> It ships today.\n>\n> Sam",
    });
  });

  it("is split off without an attribution line, blank lines inside the quote kept", () => {
    expect(splitQuoted("Yes please.\n> Shall we send it?\n\n> It is blue.")).toEqual({
      main: "Yes please.",
      quoted: "> Shall we send it?\n\n> It is blue.",
    });
  });

  it("takes the attribution line even with a blank line before the quote", () => {
    expect(splitQuoted("Yes.\r\nOn Monday, Sam wrote:\r\n\r\n> Shall we?\r\n").quoted).toBe("On Monday, Sam wrote:\r\n\r\n> Shall we?");
  });

  it("leaves a line that only mentions writing in the words", () => {
    expect(splitQuoted("Here is what I wrote: \nnothing\n> old").main).toBe("Here is what I wrote: \nnothing");
  });

  it("is not folded when the quote is the whole text, or nothing is left beside it", () => {
    expect(splitQuoted("> only a quote\n> here")).toEqual({ main: "> only a quote\n> here", quoted: null });
    expect(splitQuoted("\n\nOn Monday, Sam wrote:\n> Shall we?")).toEqual({ main: "\n\nOn Monday, Sam wrote:\n> Shall we?", quoted: null });
    expect(splitQuoted("")).toEqual({ main: "", quoted: null });
  });

  it("is not folded when words follow it", () => {
    const text = "See below.\n> Shall we?\nYes, we shall.";
    expect(splitQuoted(text)).toEqual({ main: text, quoted: null });
  });

  it("is nothing when there is no quote", () => {
    expect(splitQuoted("Just words.\n\n")).toEqual({ main: "Just words.\n\n", quoted: null });
  });
});
