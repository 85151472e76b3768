//! "Place or contact…" in a WhatsApp conversation's composer: a map pin (coordinates typed, or
//! pasted as "lat, long" from a map, with a name and address) or a contact card the customer can
//! save. A line shows what the customer will get; a problem shows at the field it names, before or
//! after sending.
import * as api from "../api";
import type { MessageView } from "../bindings/MessageView";
import type { ReplyGuard } from "../bindings/ReplyGuard";
import type { RichContent } from "../bindings/RichContent";
import { findField, markField, showAtField } from "../field-errors";
import { h } from "../h";
import { button, errorArea, field, input, openModal, submit, type App } from "../ui";
import { cardPreview, contactCard, contactProblem, placeCard, placeProblem, splitCoordinates, type CardProblem } from "./card-logic";

type Kind = "place" | "contact";

/** Opens the dialog over `host` for WhatsApp conversation `id`; `sent` gets the queued message. */
export function openCard(app: App, host: HTMLElement, id: number, guard: ReplyGuard | null,
  sent: (m: MessageView) => void): void {
  let kind: Kind = "place";
  const general = errorArea();
  general.id = "card-error";
  const placeTab = button("card-kind-place", "Place", { class: "small", "aria-pressed": "true" });
  const contactTab = button("card-kind-contact", "Contact card", { class: "small secondary", "aria-pressed": "false" });
  const latitude = markField(input("card-latitude", { autocomplete: "off", inputmode: "decimal", placeholder: "52.5200" }), "latitude", "card");
  const longitude = markField(input("card-longitude", { autocomplete: "off", inputmode: "decimal", placeholder: "13.4050" }), "longitude");
  const placeName = input("card-place-name", { autocomplete: "off" });
  const address = input("card-address", { autocomplete: "off" });
  const name = markField(input("card-name", { autocomplete: "off" }), "name", "contacts");
  const organization = input("card-organization", { autocomplete: "off" });
  const phone = markField(input("card-phone", { type: "tel", autocomplete: "off" }), "phone");
  const email = markField(input("card-email", { type: "email", autocomplete: "off" }), "email");
  const placeFields = h("div", { id: "card-place" },
    field("Latitude", latitude, "Decimal degrees; pasting “52.52, 13.405” from a map fills both."),
    field("Longitude", longitude),
    field("Name of the place", placeName, "Optional, e.g. the shop's name."),
    field("Address", address, "Optional."));
  const contactFields = h("div", { id: "card-contact", hidden: true },
    field("Name", name),
    field("Company", organization, "Optional."),
    field("Phone", phone, "With + and the country code."),
    field("E-mail", email, "A phone number, an e-mail address or both."));
  const preview = h("p", { id: "card-preview", class: "hint", "aria-live": "polite" });
  const go = submit("card-send", "Send");
  const cancel = button("card-cancel", "Cancel", { class: "secondary" });

  const card = (): RichContent => kind === "place"
    ? placeCard(latitude.value, longitude.value, placeName.value, address.value)
    : contactCard(name.value, organization.value, phone.value, email.value);
  const check = (): CardProblem | null => kind === "place"
    ? placeProblem(latitude.value, longitude.value)
    : contactProblem(name.value, phone.value, email.value);

  function render(): void {
    placeFields.hidden = kind !== "place";
    contactFields.hidden = kind !== "contact";
    placeTab.setAttribute("aria-pressed", String(kind === "place"));
    contactTab.setAttribute("aria-pressed", String(kind === "contact"));
    placeTab.classList.toggle("secondary", kind !== "place");
    contactTab.classList.toggle("secondary", kind !== "contact");
    preview.textContent = cardPreview(card());
  }
  function choose(next: Kind): void {
    kind = next;
    general.textContent = "";
    render();
    (kind === "place" ? latitude : name).focus();
  }
  placeTab.addEventListener("click", () => choose("place"));
  contactTab.addEventListener("click", () => choose("contact"));
  /** "52.52, 13.405" pasted or typed into Latitude fills both, once the field is left (or on Send). */
  function splitPasted(): void {
    const both = /[,;\s]/.test(latitude.value.trim()) ? splitCoordinates(latitude.value) : null;
    if (both) { [latitude.value, longitude.value] = both; render(); }
  }
  latitude.addEventListener("change", splitPasted);
  for (const i of [latitude, longitude, placeName, address, name, organization, phone, email]) i.addEventListener("input", render);

  const form = h("form", { id: "card-form", novalidate: true },
    h("div", { class: "card-kinds", role: "group", "aria-label": "What to send" }, placeTab, contactTab),
    placeFields, contactFields, preview, general,
    h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "card", "Send a place or a contact", [form]);
  cancel.addEventListener("click", () => modal.close());
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (kind === "place") splitPasted();
    const bad = check();
    if (bad) {
      const at = findField(form, bad.field);
      if (at) showAtField(at, bad.message);
      else general.textContent = bad.message;
      return;
    }
    void app.run(form, go, general, async () => {
      const m = await api.sendCard(id, card(), guard);
      modal.close();
      sent(m);
    });
  });
  render();
  latitude.focus();
}
