import { describe, expect, it } from "vitest";
import {
  addressesProblem, looksLikeAddress, parseAddresses, recipientLines, senderName, signaturePreview, withReplyAll,
} from "./mail-copies-logic";

describe("an e-mail reply's copies", () => {
  it("reads typed addresses at commas, semicolons and line breaks, each once", () => {
    expect(parseAddresses(" bob@x.test, Carol@x.test;\ncarol@x.test ,, dave@x.test ")).toEqual(["bob@x.test", "Carol@x.test", "dave@x.test"]);
    expect(parseAddresses("  ")).toEqual([]);
  });

  it("names the first address that is not one, and the limit", () => {
    expect(looksLikeAddress("bob@x.test")).toBe(true);
    expect(looksLikeAddress("bob at x")).toBe(false);
    expect(looksLikeAddress("Bob <bob@x.test>")).toBe(false);
    expect(addressesProblem(["bob@x.test", "nope"])).toBe("“nope” is not an e-mail address.");
    expect(addressesProblem(["bob@x.test"])).toBeNull();
    const many = Array.from({ length: 21 }, (_, i) => `p${i}@x.test`);
    expect(addressesProblem(many)).toBe("Copy at most 20 addresses.");
  });

  it("reply all keeps what is typed and adds everyone else once", () => {
    expect(withReplyAll("", ["bob@x.test", "carol@x.test"])).toBe("bob@x.test, carol@x.test");
    expect(withReplyAll("BOB@x.test, erin@x.test", ["bob@x.test", "carol@x.test"])).toBe("BOB@x.test, erin@x.test, carol@x.test");
  });

  it("shows the signature under the standard line, nothing when there is none", () => {
    expect(signaturePreview("Kind regards,\nAlex")).toBe("-- \nKind regards,\nAlex");
    expect(signaturePreview(null)).toBeNull();
    expect(signaturePreview("  ")).toBeNull();
  });

  it("shows who a mail was from and to", () => {
    expect(senderName("Bob Stone <bob@x.test>")).toBe("Bob Stone");
    expect(senderName("bob@x.test")).toBe("bob@x.test");
    expect(recipientLines({ from: "a@x.test", to: ["help@x.test"], cc: ["bob@x.test", "carol@x.test"], bcc: [], gone_from_mailbox: false }))
      .toEqual(["To help@x.test", "Cc bob@x.test, carol@x.test"]);
    expect(recipientLines(undefined)).toEqual([]);
  });
});
