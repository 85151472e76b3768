// @vitest-environment happy-dom
// What a customer's message holds besides text, shown as what it is (issue 21 item 3): a place
// with "Open in map" only for real coordinates, contact cards with "Write on WhatsApp" on numbers
// that can be written to, an order with its totals, the button tapped, a sticker, and a message of
// a type this app cannot show yet with what arrived.
import { describe, expect, it, vi } from "vitest";
import type { MessageView } from "../bindings/MessageView";
import type { RichContent } from "../bindings/RichContent";
import { contentBlock, type ContentActions } from "./rich-content";
import { isPlace, orderLines, orderTotal, placeTitle, rawShown, replacesBody, whatsappNumber } from "./rich-content-logic";

const invoked: { cmd: string; args: unknown }[] = [];
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (cmd: string, args: unknown) => { invoked.push({ cmd, args }); return Promise.resolve(null); },
}));

const message = (content: RichContent): MessageView => ({
  id: 4, direction: "in", author: null, body: "Shared …", status: "received", failure: null, at: 1000,
  attachments: [], masked: false, has_html: false, written_at: null, quote: null, reactions: [], content,
});

const actions = (over: Partial<ContentActions> = {}): ContentActions => ({ fail: () => {}, writeFirst: null, ...over });

describe("words and figures", () => {
  it("names a place by its name and address, else its coordinates, and checks coordinates", () => {
    expect(placeTitle({ name: "Pickup point", address: "Main St 1", latitude: "1", longitude: "2" })).toBe("Pickup point, Main St 1");
    expect(placeTitle({ name: "", address: " ", latitude: "52.52", longitude: "13.405" })).toBe("52.52, 13.405");
    expect(isPlace("52.52", "13.405")).toBe(true);
    for (const [lat, long] of [["91", "0"], ["0", "-181"], ["", "1"], ["x", "1"], ["NaN", "1"]]) expect(isPlace(lat, long)).toBe(false);
  });

  it("offers a WhatsApp number only when it can be one", () => {
    expect(whatsappNumber({ phone: "+1 (415) 555-0123", wa_id: "14155550123", label: "mobile" })).toBe("+14155550123");
    expect(whatsappNumber({ phone: "+49 151 2345678", wa_id: "", label: "" })).toBe("+49 151 2345678");
    expect(whatsappNumber({ phone: "0151 2345678", wa_id: "", label: "" })).toBeNull();
    expect(whatsappNumber({ phone: "ext. 12", wa_id: "abc", label: "" })).toBeNull();
  });

  it("totals an order per currency without float drift, and gives no total when a price is missing", () => {
    const items = [
      { product: "SKU-1", quantity: 3, price: "0.10", currency: "EUR" },
      { product: "SKU-2", quantity: 1, price: "12.5", currency: "EUR" },
    ];
    expect(orderLines(items)[0]).toEqual({ product: "SKU-1", quantity: 3, price: "0.10 EUR", total: "0.30 EUR" });
    expect(orderTotal(items)).toBe("12.80 EUR");
    expect(orderTotal([...items, { product: "X", quantity: 1, price: "2", currency: "USD" }])).toBe("12.80 EUR + 2.00 USD");
    expect(orderTotal([{ product: "X", quantity: 1, price: "", currency: "EUR" }])).toBe("");
  });

  it("shows an unknown payload indented when it is JSON, as it came otherwise; a sticker keeps the text", () => {
    expect(rawShown('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(rawShown('{"cut her')).toBe('{"cut her');
    expect(replacesBody({ kind: "sticker", animated: false })).toBe(false);
    expect(replacesBody({ kind: "choice", title: "Yes", description: "" })).toBe(true);
    expect(replacesBody(null)).toBe(false);
  });
});

describe("cards in the history", () => {
  it("opens a place in the map only on click, and only for real coordinates", async () => {
    invoked.length = 0;
    const block = contentBlock(message({ kind: "location", latitude: "37.4833", longitude: "-122.149", name: "HQ", address: "1 Hacker Way" }), actions())!;
    expect(block.textContent).toContain("HQ, 1 Hacker Way");
    expect(invoked).toEqual([]);
    block.querySelector<HTMLButtonElement>("#open-map-4")!.click();
    await Promise.resolve();
    expect(invoked).toEqual([{ cmd: "open_map", args: { latitude: "37.4833", longitude: "-122.149" } }]);
    const nowhere = contentBlock(message({ kind: "location", latitude: "", longitude: "", name: "Somewhere", address: "" }), actions())!;
    expect(nowhere.querySelector(".open-map")).toBeNull();
  });

  it("lists a contact's phones and addresses and starts a WhatsApp conversation from a number", () => {
    const started: [string, string][] = [];
    const block = contentBlock(message({ kind: "contacts", cards: [{
      name: "Barbara J. Johnson", organization: "Contoso",
      phones: [{ phone: "+1 (415) 555-0123", wa_id: "14155550123", label: "mobile" }, { phone: "ext. 12", wa_id: "", label: "work" }],
      emails: [{ email: "bjohnson@example.com", label: "home" }],
    }] }), actions({ writeFirst: (phone, name) => started.push([phone, name]) }))!;
    expect(block.textContent).toContain("Contoso");
    expect(block.textContent).toContain("bjohnson@example.com");
    const writes = block.querySelectorAll<HTMLButtonElement>(".write-first");
    expect(writes.length).toBe(1);
    writes[0].click();
    expect(started).toEqual([["+14155550123", "Barbara J. Johnson"]]);
    const noStart = contentBlock(message({ kind: "contacts", cards: [{ name: "A", organization: "", phones: [{ phone: "+4915123456789", wa_id: "", label: "" }], emails: [] }] }), actions())!;
    expect(noStart.querySelector(".write-first")).toBeNull();
  });

  it("shows an order as a table with its total and the note", () => {
    const block = contentBlock(message({ kind: "order", catalog_id: "c", note: "Gift wrap", items: [
      { product: "SKU-RED-1", quantity: 2, price: "12.5", currency: "USD" }] }), actions())!;
    expect(block.querySelectorAll("tbody tr").length).toBe(1);
    expect(block.querySelector(".rich-order-total")!.textContent).toBe("25.00 USD");
    expect(block.textContent).toContain("Note: Gift wrap");
  });

  it("shows the button tapped, a sticker, and an unknown type with what arrived", () => {
    expect(contentBlock(message({ kind: "choice", title: "Tuesday morning", description: "9–12" }), actions())!
      .querySelector(".rich-chip")!.textContent).toBe("Tuesday morning");
    expect(contentBlock(message({ kind: "sticker", animated: true }), actions())!.textContent).toBe("Animated sticker");
    const unknown = contentBlock(message({ kind: "unsupported", message_type: "hologram", raw: '{"id":"h1"}' }), actions())!;
    expect(unknown.textContent).toContain("“hologram”");
    expect(unknown.querySelector("pre")!.textContent).toContain('"id": "h1"');
  });
});
