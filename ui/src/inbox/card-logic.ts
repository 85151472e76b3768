//! What "Place or contact…" sends: a place from its coordinates (typed, or pasted as "lat, long")
//! or one contact card, checked in plain words at the field at fault before the core checks again.
import type { RichContent } from "../bindings/RichContent";

/** A problem: the core's field name and what to do, in plain words. */
export type CardProblem = { field: string; message: string };

/** "52.52, 13.405" (as copied from a map) split into latitude and longitude; null when it is not that. */
export function splitCoordinates(text: string): [string, string] | null {
  const m = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(text);
  return m ? [m[1], m[2]] : null;
}

function decimal(text: string): number | null {
  const t = text.trim();
  return /^-?\d{1,3}(\.\d+)?$/.test(t) ? Number(t) : null;
}

export function placeProblem(latitude: string, longitude: string): CardProblem | null {
  const lat = decimal(latitude);
  if (lat === null || lat < -90 || lat > 90) return { field: "latitude", message: "Give the latitude in decimal degrees, from -90 to 90 (e.g. 52.52)." };
  const long = decimal(longitude);
  if (long === null || long < -180 || long > 180) return { field: "longitude", message: "Give the longitude in decimal degrees, from -180 to 180 (e.g. 13.405)." };
  return null;
}

export function contactProblem(name: string, phone: string, email: string): CardProblem | null {
  if (!name.trim()) return { field: "name", message: "Give the contact a name." };
  const p = phone.trim();
  const e = email.trim();
  if (!p && !e) return { field: "phone", message: "Give a phone number or an e-mail address." };
  const digits = p.replace(/\D/g, "").length;
  if (p && (/[^0-9 +().-]/.test(p) || digits < 5 || digits > 15)) return { field: "phone", message: "Use digits, spaces and + - ( ) for the phone number." };
  if (e && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) return { field: "email", message: "That is not an e-mail address." };
  return null;
}

export function placeCard(latitude: string, longitude: string, name: string, address: string): RichContent {
  return { kind: "location", latitude: latitude.trim(), longitude: longitude.trim(), name: name.trim(), address: address.trim() };
}

export function contactCard(name: string, organization: string, phone: string, email: string): RichContent {
  const p = phone.trim();
  const e = email.trim();
  return {
    kind: "contacts",
    cards: [{
      name: name.trim(), organization: organization.trim(),
      phones: p ? [{ phone: p, wa_id: "", label: "" }] : [],
      emails: e ? [{ email: e, label: "" }] : [],
    }],
  };
}

/** One line saying what the customer will get. */
export function cardPreview(card: RichContent): string {
  if (card.kind === "location") {
    const place = [card.name, card.address].filter(Boolean).join(", ");
    return `A map pin${place ? ` for ${place}` : ""} at ${card.latitude || "?"}, ${card.longitude || "?"}.`;
  }
  if (card.kind === "contacts") {
    const c = card.cards[0];
    const ways = [...c.phones.map((p) => p.phone), ...c.emails.map((e) => e.email)];
    return `A contact card for ${c.name || "…"}${ways.length ? ` (${ways.join(", ")})` : ""} they can save.`;
  }
  return "";
}
