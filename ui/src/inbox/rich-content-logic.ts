//! Words and figures for what a customer's message holds besides its text: a shared place, contact
//! cards, a sticker, an order, the button tapped, a message of a type this app cannot show yet.
import type { CardPhone } from "../bindings/CardPhone";
import type { OrderItem } from "../bindings/OrderItem";
import type { RichContent } from "../bindings/RichContent";

/** Whether the card replaces the message's text (which says the same in lines, for search and export). */
export function replacesBody(content: RichContent | null | undefined): boolean {
  return !!content && content.kind !== "sticker";
}

/** "Pickup point, Main St 1" / "52.52, 13.405" when the place has no name or address. */
export function placeTitle(c: { name: string; address: string; latitude: string; longitude: string }): string {
  const named = [c.name, c.address].filter((s) => s.trim()).join(", ");
  return named || `${c.latitude}, ${c.longitude}`;
}

/** Whether the coordinates are a real place (the desktop checks again before opening a map). */
export function isPlace(latitude: string, longitude: string): boolean {
  const lat = Number(latitude);
  const long = Number(longitude);
  return latitude.trim() !== "" && longitude.trim() !== "" && Number.isFinite(lat) && Number.isFinite(long)
    && Math.abs(lat) <= 90 && Math.abs(long) <= 180;
}

/** The number to write to on WhatsApp from a shared contact's phone: its WhatsApp id when it has
 *  one (digits of an international number), else the phone as written when it starts with +. */
export function whatsappNumber(p: CardPhone): string | null {
  if (/^[1-9]\d{7,14}$/.test(p.wa_id)) return `+${p.wa_id}`;
  const digits = p.phone.replace(/[\s().-]/g, "");
  return /^\+[1-9]\d{7,14}$/.test(digits) ? p.phone.trim() : null;
}

/** One order line's total in cents-safe arithmetic, as text with two decimals; null when the price is not a number. */
function lineTotal(item: OrderItem): number | null {
  const price = Number(item.price);
  if (item.price.trim() === "" || !Number.isFinite(price)) return null;
  return Math.round(price * 100) * item.quantity;
}

/** The order's lines as shown: quantity × product at unit price = line total. */
export function orderLines(items: OrderItem[]): { product: string; quantity: number; price: string; total: string }[] {
  return items.map((i) => {
    const cents = lineTotal(i);
    return {
      product: i.product || "(no product id)",
      quantity: i.quantity,
      price: `${i.price} ${i.currency}`.trim(),
      total: cents === null ? "" : `${(cents / 100).toFixed(2)} ${i.currency}`.trim(),
    };
  });
}

/** The order's total per currency ("37.50 EUR"; several when lines differ), or "" when a price is missing. */
export function orderTotal(items: OrderItem[]): string {
  const sums = new Map<string, number>();
  for (const i of items) {
    const cents = lineTotal(i);
    if (cents === null) return "";
    sums.set(i.currency, (sums.get(i.currency) ?? 0) + cents);
  }
  return [...sums].map(([currency, cents]) => `${(cents / 100).toFixed(2)} ${currency}`.trim()).join(" + ");
}

/** What arrived, for a type this app cannot show: the payload indented when it is JSON. */
export function rawShown(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}
