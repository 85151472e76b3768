// @vitest-environment happy-dom
// Consent in the customer panel (issue 21 item 8): one line per channel the customer has, in words
// (unknown, agreed, refused; how, by whom); "Record…" only for an agent who may act, which sends
// the state and how to the core and re-reads the panel; a refusal stays at the form; Esc closes.
// The keyword lists on the Privacy page are read from comma-separated fields.
import { describe, expect, it, vi } from "vitest";
import type { ContactPanel } from "../bindings/ContactPanel";
import { keywordsFromRows, splitWords } from "../screens/consent-keywords";
import { consentRows, consentText } from "./consent-logic";
import { createConsent } from "./customer-consent";
import type { Deps } from "./state";

const invoked: { cmd: string; args: unknown }[] = [];
let refuse: string | null = null;
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (cmd: string, args: unknown) => {
    invoked.push({ cmd, args });
    return refuse ? Promise.reject({ code: "invalid_input", message: refuse }) : Promise.resolve([]);
  },
}));

const panel = (over: Partial<ContactPanel> = {}): ContactPanel => ({
  id: 7, name: "Ana", do_not_contact: false, conversations: [], not_shown: 0, can_edit: true,
  identities: [{ channel: "whatsapp", address: "+49 151 1" }, { channel: "email", address: "ana@example.com" }],
  consent: [{ channel: "whatsapp", state: "refused", source: "keyword", at: 1_700_000_000, by: null }],
  ...over,
});

function deps(toasts: string[]): Deps {
  const run = async (_busy: HTMLElement, _btn: unknown, err: HTMLElement, task: () => Promise<void>) => {
    try { await task(); return true; } catch (e) { err.textContent = (e as { message: string }).message; return false; }
  };
  return { ctx: { app: { run }, toast: (m: string) => toasts.push(m) } } as unknown as Deps;
}

describe("consent words", () => {
  it("lists every channel the customer has, with its consent or none", () => {
    const rows = consentRows(panel());
    expect(rows.map((r) => [r.channel, r.consent?.state ?? null])).toEqual([["whatsapp", "refused"], ["email", null]]);
    const date = () => "14 Nov";
    expect(consentText(rows[0].consent, date)).toBe("Does not want messages: sent a keyword, 14 Nov");
    expect(consentText(null, date)).toMatch(/^Not known/);
    expect(consentText({ channel: "email", state: "given", source: "form", at: 1, by: "Kim" }, date))
      .toBe("Agreed to messages: filled in a form, recorded by Kim, 14 Nov");
  });

  it("reads keyword lists from comma-separated fields and leaves out empty rows", () => {
    expect(splitWords(" stop, Stopp ,, end ")).toEqual(["stop", "Stopp", "end"]);
    expect(keywordsFromRows([
      { language: "nl", stop: "afmelden, stop", start: "aanmelden" },
      { language: " ", stop: "", start: "" },
    ])).toEqual([{ language: "nl", stop: ["afmelden", "stop"], start: ["aanmelden"] }]);
  });
});

describe("recording consent", () => {
  it("records what the customer said and re-reads the panel; a refusal stays at the form; Esc closes", async () => {
    const toasts: string[] = [];
    const reloaded: number[] = [];
    const part = createConsent(deps(toasts), async (c) => { reloaded.push(c); });
    document.body.replaceChildren(part.el);
    part.show(panel());
    expect(part.el.hidden).toBe(false);
    expect(part.el.querySelectorAll("dt").length).toBe(2);
    part.el.querySelector<HTMLButtonElement>("#consent-record-email")!.click();
    const form = part.el.querySelector<HTMLFormElement>("#consent-form")!;
    part.el.querySelector<HTMLSelectElement>("#consent-source")!.value = "form";
    invoked.length = 0;
    refuse = "channel: this customer has no email address here";
    form.requestSubmit();
    await new Promise((r) => setTimeout(r, 0));
    expect(part.el.querySelector("#consent-error")!.textContent).toMatch(/no email address/);
    expect(reloaded).toEqual([]);
    refuse = null;
    form.requestSubmit();
    await new Promise((r) => setTimeout(r, 0));
    expect(invoked.at(-1)).toEqual({ cmd: "record_consent", args: { contact: 7, channel: "email", consent: "given", source: "form" } });
    expect(reloaded).toEqual([7]);
    expect(toasts).toEqual(["Consent recorded."]);
    // A live reload of the panel keeps what is chosen in an open form.
    part.show(panel({ consent: [] }));
    part.el.querySelector<HTMLButtonElement>("#consent-record-whatsapp")!.click();
    part.el.querySelector<HTMLSelectElement>("#consent-state")!.value = "refused";
    part.el.querySelector("#consent-state")!.dispatchEvent(new Event("change"));
    part.show(panel({ consent: [], name: "Ana L." }));
    expect(part.el.querySelector<HTMLSelectElement>("#consent-state")!.value).toBe("refused");
    // Esc closes the form without saving.
    part.el.querySelector("#consent-form")!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(part.el.querySelector("#consent-form")).toBeNull();
  });

  it("offers no recording to an agent who may not act, and hides for a customer with no address", () => {
    const part = createConsent(deps([]), async () => {});
    part.show(panel({ can_edit: false }));
    expect(part.el.querySelector(".consent-record")).toBeNull();
    part.show(panel({ id: 8, identities: [] }));
    expect(part.el.hidden).toBe(true);
  });
});
