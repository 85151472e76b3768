//! The customer panel's pure logic: grouping identities, its wording, the reload gap.
import { describe, expect, it } from "vitest";
import { conversationsHeading, groupIdentities, loadErrorText, mergeSummary, notShownText, reloadDelay, shownFromMemory } from "./customer-logic";

describe("customer panel logic", () => {
  it("groups identities by channel, known channels first, addresses once each in order", () => {
    const groups = groupIdentities([
      { channel: "email", address: "kim@example.com" },
      { channel: "sms", address: "+4917" },
      { channel: "whatsapp", address: "+491701" },
      { channel: "email", address: "k.lee@example.org" },
      { channel: "messenger", address: "psid-9" },
      { channel: "email", address: "kim@example.com" },
      { channel: "fax", address: "123" },
    ]);
    expect(groups.map((g) => g.label)).toEqual(["WhatsApp", "Messenger", "Email", "fax", "sms"]);
    expect(groups[2].addresses).toEqual(["kim@example.com", "k.lee@example.org"]);
    expect(groupIdentities([])).toEqual([]);
  });

  it("says how many conversations are not shown, singular and plural", () => {
    expect(notShownText(0)).toBeNull();
    expect(notShownText(-1)).toBeNull();
    expect(notShownText(1)).toBe("1 more conversation you cannot see");
    expect(notShownText(12)).toBe("12 more conversations you cannot see");
    expect(conversationsHeading(1)).toBe("1 conversation");
    expect(conversationsHeading(0)).toBe("0 conversations");
  });

  it("words a load error plainly", () => {
    expect(loadErrorText("Disk full")).toBe("The customer's details could not be loaded. Disk full.");
    expect(loadErrorText("Not allowed.")).toBe("The customer's details could not be loaded. Not allowed.");
    expect(loadErrorText(" ")).toBe("The customer's details could not be loaded.");
  });

  it("reloads at most once per second", () => {
    expect(reloadDelay(0, 5000)).toBe(0);
    expect(reloadDelay(1000, 2000)).toBe(0);
    expect(reloadDelay(1000, 1300)).toBe(700);
    expect(reloadDelay(5000, 1000)).toBe(0); // a clock that went back does not hold it forever
  });

  it("is shown unless it was hidden", () => {
    expect(shownFromMemory(undefined)).toBe(true);
    expect(shownFromMemory(true)).toBe(true);
    expect(shownFromMemory(false)).toBe(false);
  });
});

describe("mergeSummary", () => {
  it("names each channel's addresses and the conversations, singular or plural", () => {
    expect(mergeSummary({ identities: [{ channel: "email", address: "a@x.org" }, { channel: "whatsapp", address: "5511" }], conversations: 1 }))
      .toBe("WhatsApp 5511 · Email a@x.org · 1 conversation");
    expect(mergeSummary({ identities: [], conversations: 3 })).toBe("3 conversations");
  });
});
