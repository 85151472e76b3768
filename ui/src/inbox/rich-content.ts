//! The card shown in a customer's message for what it holds besides text: a place with "Open in
//! map" (nothing is fetched until clicked), contact cards with "Write on WhatsApp" on a number, an
//! order as a table with its total, the button tapped, a sticker, or a type this app cannot show
//! yet with what arrived.
import * as api from "../api";
import type { ContactCard } from "../bindings/ContactCard";
import type { MessageView } from "../bindings/MessageView";
import type { RichContent } from "../bindings/RichContent";
import { h } from "../h";
import { toUiError } from "../logic";
import { button } from "../ui";
import { isPlace, orderLines, orderTotal, placeTitle, rawShown, whatsappNumber } from "./rich-content-logic";

/** What the card can do outside itself: tell of a failure, and start a WhatsApp conversation. */
export type ContentActions = {
  fail(message: string): void;
  /** Opens "Write first…" filled in (the dialog itself says when no WhatsApp number with an
   *  approved template is connected); null: not offered. */
  writeFirst: ((phone: string, name: string) => void) | null;
};

function place(m: MessageView, c: Extract<RichContent, { kind: "location" }>, act: ContentActions): HTMLElement {
  const open = isPlace(c.latitude, c.longitude)
    ? button(`open-map-${m.id}`, "Open in map", { class: "small secondary open-map",
      title: "Opens the place in your map application or browser" })
    : null;
  open?.addEventListener("click", () => {
    api.openMap(c.latitude, c.longitude).catch((e) => act.fail(toUiError(e).message));
  });
  return h("div", { class: "rich rich-location", "aria-label": "Shared place" },
    h("div", { class: "rich-kind" }, "📍 Shared place"),
    h("div", { class: "rich-title" }, placeTitle(c)),
    h("div", { class: "muted rich-coordinates" }, `${c.latitude}, ${c.longitude}`),
    open);
}

function card(m: MessageView, c: ContactCard, i: number, act: ContentActions): HTMLElement {
  return h("li", { class: "rich-card" },
    h("div", { class: "rich-title" }, c.name || "(no name)"),
    c.organization ? h("div", { class: "muted" }, c.organization) : null,
    h("ul", { class: "rich-lines" },
      ...c.phones.map((p, j) => {
        const number = whatsappNumber(p);
        const write = number && act.writeFirst
          ? button(`write-first-${m.id}-${i}-${j}`, "Write on WhatsApp", { class: "link write-first",
            title: `Send a template to ${number}` })
          : null;
        const startWith = act.writeFirst;
        write?.addEventListener("click", () => { if (number && startWith) startWith(number, c.name); });
        return h("li", null, `☎ ${p.phone}`, p.label ? h("span", { class: "muted" }, ` (${p.label})`) : null,
          p.wa_id ? h("span", { class: "muted" }, " · on WhatsApp") : null, write ? " " : null, write);
      }),
      ...c.emails.map((e) => h("li", null, `✉ ${e.email}`, e.label ? h("span", { class: "muted" }, ` (${e.label})`) : null))));
}

function order(c: Extract<RichContent, { kind: "order" }>): HTMLElement {
  const total = orderTotal(c.items);
  return h("div", { class: "rich rich-order", "aria-label": "Order" },
    h("div", { class: "rich-kind" }, "🛒 Order"),
    h("table", { class: "rich-order-table" },
      h("thead", null, h("tr", null, h("th", null, "Product"), h("th", null, "Qty"), h("th", null, "Price"), h("th", null, "Total"))),
      h("tbody", null, ...orderLines(c.items).map((l) => h("tr", null,
        h("td", null, l.product), h("td", { class: "num" }, String(l.quantity)), h("td", { class: "num" }, l.price),
        h("td", { class: "num" }, l.total)))),
      total ? h("tfoot", null, h("tr", null, h("th", { colspan: "3" }, "Total"), h("td", { class: "num rich-order-total" }, total))) : null),
    c.note ? h("p", { class: "rich-note" }, `Note: ${c.note}`) : null);
}

/** The card for `m.content`, or null when the message has none. */
export function contentBlock(m: MessageView, act: ContentActions): HTMLElement | null {
  const c = m.content;
  if (!c) return null;
  switch (c.kind) {
    case "location":
      return place(m, c, act);
    case "contacts":
      return h("div", { class: "rich rich-contacts", "aria-label": "Shared contacts" },
        h("div", { class: "rich-kind" }, c.cards.length === 1 ? "👤 Shared contact" : `👤 ${c.cards.length} shared contacts`),
        h("ul", { class: "rich-cards" }, ...c.cards.map((card_, i) => card(m, card_, i, act))));
    case "sticker":
      return h("div", { class: "rich rich-sticker muted" }, c.animated ? "Animated sticker" : "Sticker");
    case "order":
      return order(c);
    case "choice":
      return h("div", { class: "rich rich-choice" },
        h("span", { class: "muted" }, "Tapped "),
        h("span", { class: "rich-chip" }, c.title || "(no title)"),
        c.description ? h("span", { class: "muted" }, ` ${c.description}`) : null);
    case "unsupported":
      return h("div", { class: "rich rich-unsupported" },
        h("p", null, `A message of a type this app cannot show yet: “${c.message_type || "unnamed"}”.`),
        h("details", null, h("summary", null, "What arrived"), h("pre", { class: "rich-raw" }, rawShown(c.raw))));
  }
}
