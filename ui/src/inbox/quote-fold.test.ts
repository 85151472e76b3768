//! An e-mail's text with its quoted earlier mail folded: the new words shown, "Show quoted text"
//! revealing the rest and telling the history (which keeps it open through a rebuild).
// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { mailBody } from "./quote-fold";

describe("an e-mail's quoted earlier mail", () => {
  it("is folded under its new words, shown and hidden again by the button", () => {
    const heard: boolean[] = [];
    const el = mailBody(7, "Yes please.\nOn Monday, Sam wrote:\n> Shall we?", false, (open) => heard.push(open));
    document.body.replaceChildren(el);
    const fold = el.querySelector<HTMLButtonElement>("#quote-fold-7")!;
    const block = el.querySelector<HTMLElement>("#quoted-history-7")!;
    expect(el.querySelector(".item-body")!.textContent).toBe("Yes please.");
    expect(fold.getAttribute("aria-controls")).toBe("quoted-history-7");
    expect(block.hidden).toBe(true);
    fold.click();
    expect(block.hidden).toBe(false);
    expect(block.textContent).toBe("On Monday, Sam wrote:\n> Shall we?");
    expect(fold.getAttribute("aria-expanded")).toBe("true");
    fold.click();
    expect([fold.textContent, fold.getAttribute("aria-expanded"), block.hidden]).toEqual(["Show quoted text", "false", true]);
    expect(heard).toEqual([true, false]);
  });

  it("comes back open after a rebuild when it was open", () => {
    const el = mailBody(8, "Yes.\n> Shall we?", true, () => {});
    expect(el.querySelector<HTMLElement>(".quoted-history")!.hidden).toBe(false);
    expect(el.querySelector(".quote-fold")!.textContent).toBe("Hide quoted text");
  });

  it("is just the text when nothing is quoted at its end", () => {
    const el = mailBody(9, "> Shall we?\nYes.", false, () => {});
    expect(el.className).toBe("item-body");
    expect(el.textContent).toBe("> Shall we?\nYes.");
  });
});
