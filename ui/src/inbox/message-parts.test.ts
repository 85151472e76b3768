// @vitest-environment happy-dom
// Quotes and reactions on a message (issue 21, items 1 and 2): the quoted text and who
// wrote it, a quote of a message no longer here said in words, a click going to the quoted
// message (or saying it is further up), and reactions with who reacted.
import { describe, expect, it } from "vitest";
import type { MessageView } from "../bindings/MessageView";
import { quoteBlock, reactControl, reactionsLine, recipientsBlock } from "./message-parts";
import { canReact, quoteText, reactionLabel } from "./message-parts-logic";

const message = (over: Partial<MessageView>): MessageView => ({
  id: 9, direction: "in", author: null, body: "Great, I'll take one", status: "received", failure: null, at: 1000,
  attachments: [], masked: false, has_html: false, written_at: null, quote: null, reactions: [], ...over,
});

describe("quote words", () => {
  it("names us or the customer and shows the excerpt; a quote of a missing message says so", () => {
    expect(quoteText({ message: 3, direction: "out", excerpt: "Two left in blue." }, "Ana"))
      .toEqual({ who: "Us", text: "Two left in blue.", gone: false });
    expect(quoteText({ message: 3, direction: "in", excerpt: "Blue?" }, "Ana").who).toBe("Ana");
    const gone = quoteText({ message: null, direction: null, excerpt: null }, "Ana");
    expect(gone.gone).toBe(true);
    expect(gone.text).toMatch(/not here/);
  });

  it("says who reacted", () => {
    expect(reactionLabel({ emoji: "👍", by_customer: true, by: null }, "Ana")).toBe("Ana reacted 👍");
    expect(reactionLabel({ emoji: "❤️", by_customer: false, by: "Kim" }, "Ana")).toBe("Kim reacted ❤️");
  });
});

describe("quote and reactions in the history", () => {
  it("goes to the quoted message on click, or says it is further up", () => {
    const history = document.createElement("div");
    document.body.replaceChildren(history);
    const quoted = document.createElement("div");
    quoted.setAttribute("data-message-id", "3");
    history.append(quoted);
    const block = quoteBlock(message({ quote: { message: 3, direction: "out", excerpt: "Two left in blue." } }), "Ana", history)!;
    history.append(block);
    expect(block.textContent).toContain("Two left in blue.");
    block.click();
    expect(quoted.classList.contains("msg-found")).toBe(true);
    expect(block.querySelector(".quote-missing")!.textContent).toBe("");

    const far = quoteBlock(message({ id: 10, quote: { message: 77, direction: "in", excerpt: "old" } }), "Ana", history)!;
    history.append(far);
    far.click();
    expect(far.querySelector(".quote-missing")!.textContent).toMatch(/load older/);
  });

  it("shows a missing quote as words, not a button, and nothing without a quote", () => {
    const history = document.createElement("div");
    const gone = quoteBlock(message({ quote: { message: null, direction: null, excerpt: null } }), "Ana", history)!;
    expect(gone.tagName).toBe("P");
    expect(gone.textContent).toMatch(/not here/);
    expect(quoteBlock(message({}), "Ana", history)).toBeNull();
  });

  it("lists reactions with who reacted", () => {
    const line = reactionsLine(message({ reactions: [{ emoji: "👍", by_customer: true, by: null }] }), "Ana")!;
    expect(line.textContent).toBe("👍");
    expect(line.querySelector("li")!.getAttribute("aria-label")).toBe("Ana reacted 👍");
    expect(reactionsLine(message({}), "Ana")).toBeNull();
  });
});

describe("reacting to a customer's message", () => {
  it("is offered on customers' chat messages only, where the agent may act", () => {
    expect(canReact("in", "whatsapp", true)).toBe(true);
    expect(canReact("in", "messenger", true)).toBe(true);
    expect(canReact("out", "whatsapp", true)).toBe(false);
    expect(canReact("in", "email", true)).toBe(false);
    expect(canReact("in", "whatsapp", false)).toBe(false);
  });

  it("opens a row of emoji, sends the one chosen, offers Remove for ours, and Esc goes back", () => {
    const chosen: string[] = [];
    const control = reactControl(message({}), (e) => chosen.push(e));
    document.body.replaceChildren(control);
    const toggle = control.querySelector<HTMLButtonElement>(".react-toggle")!;
    const picks = control.querySelector<HTMLElement>(".react-picks")!;
    expect(picks.hidden).toBe(true);
    toggle.click();
    expect(picks.hidden).toBe(false);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(document.activeElement).toBe(picks.querySelector("button"));
    expect(control.querySelector(".react-remove")).toBeNull();
    picks.querySelector<HTMLButtonElement>('[data-emoji="🙏"]')!.click();
    expect(chosen).toEqual(["🙏"]);
    picks.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(picks.hidden).toBe(true);
    expect(document.activeElement).toBe(toggle);

    const ours = reactControl(message({ reactions: [{ emoji: "👍", by_customer: false, by: "Kim" }] }), (e) => chosen.push(e));
    expect(ours.querySelector(".react-toggle")!.textContent).toBe("Your reaction 👍");
    expect(ours.querySelector('[data-emoji="👍"]')!.getAttribute("aria-pressed")).toBe("true");
    ours.querySelector<HTMLButtonElement>(".react-remove")!.click();
    expect(chosen).toEqual(["🙏", ""]);
  });
});

describe("an e-mail's recipients", () => {
  it("says when the mail was deleted or moved in the mailbox since, and nothing otherwise", () => {
    const mail = { from: "Ana <ana@example.com>", to: ["help@example.com"], cc: [], bcc: [], gone_from_mailbox: false };
    const kept = recipientsBlock(message({ mail }))!;
    expect(kept.querySelector(".mail-gone")).toBeNull();
    const gone = recipientsBlock(message({ mail: { ...mail, to: [], gone_from_mailbox: true } }))!;
    expect(gone.querySelector(".mail-gone")!.textContent).toBe("Deleted or moved in the mailbox since");
    expect(recipientsBlock(message({ mail: { ...mail, to: [] } }))).toBeNull();
  });
});
