import { describe, expect, it } from "vitest";
import { cardPreview, contactCard, contactProblem, placeCard, placeProblem, splitCoordinates } from "./card-logic";

describe("a place or a contact card to send", () => {
  it("takes coordinates as typed or pasted from a map", () => {
    expect(splitCoordinates("52.5200, 13.4050")).toEqual(["52.5200", "13.4050"]);
    expect(splitCoordinates(" -33.86 151.21 ")).toEqual(["-33.86", "151.21"]);
    expect(splitCoordinates("Berlin")).toBeNull();
    expect(placeProblem("52.52", "13.405")).toBeNull();
    expect(placeProblem("95", "0")?.field).toBe("latitude");
    expect(placeProblem("north", "0")?.field).toBe("latitude");
    expect(placeProblem("0", "-181")?.field).toBe("longitude");
  });
  it("needs a name and a way to reach the contact", () => {
    expect(contactProblem("Omar", "+49 30 1234567", "")).toBeNull();
    expect(contactProblem("Omar", "", "omar@example.com")).toBeNull();
    expect(contactProblem(" ", "+49 30 1234567", "")?.field).toBe("name");
    expect(contactProblem("Omar", "", "")?.field).toBe("phone");
    expect(contactProblem("Omar", "call me", "")?.field).toBe("phone");
    expect(contactProblem("Omar", "", "omar at home")?.field).toBe("email");
  });
  it("builds the card the core takes and says what the customer gets", () => {
    const place = placeCard(" 52.52 ", "13.405", "Shop", "");
    expect(place).toEqual({ kind: "location", latitude: "52.52", longitude: "13.405", name: "Shop", address: "" });
    expect(cardPreview(place)).toBe("A map pin for Shop at 52.52, 13.405.");
    const card = contactCard("Omar Haddad", "", "+49 30 1234567", "");
    expect(card).toEqual({ kind: "contacts", cards: [{ name: "Omar Haddad", organization: "", phones: [{ phone: "+49 30 1234567", wa_id: "", label: "" }], emails: [] }] });
    expect(cardPreview(card)).toBe("A contact card for Omar Haddad (+49 30 1234567) they can save.");
  });
});
