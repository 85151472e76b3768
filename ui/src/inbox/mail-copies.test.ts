//! The e-mail reply's copies on their own, against a faked api module: shown only for an e-mail
//! reply, the customer as To, "Reply all" adding everyone else once, the signature as it will be
//! added, a wrong address shown under its box (nothing to send), and the boxes emptied after a send.
// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { ConversationView } from "../bindings/ConversationView";
import type { MailReplyContext } from "../bindings/MailReplyContext";
import { createMailCopies } from "./mail-copies";
import { initialState, type InboxState } from "./state";

const asked: number[] = [];
let context: MailReplyContext = { to: "ana@customer.test", reply_all: ["bob@customer.test", "carol@customer.test"], signature: "Kind regards,\nAlex", files_limit: 20971520, server_limit: null };
vi.mock("../api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../api")>()),
  mailReplyContext: async (id: number) => { asked.push(id); return context; },
}));
const tick = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };

const summary = (id: number, channel: string): ConversationSummary => ({
  id, version: 1, contact_id: 1, contact_name: "Ana", channel, subject: "Order", preview: "", status: "open", snoozed_until: null,
  assignee_id: null, assignee_name: null, team_id: null, team_name: null, unread: 0, last_activity_at: 0, waiting_since: 0,
  reply_window_ends_at: null, do_not_contact: false, priority: "none",
});
const view = (s: ConversationSummary): ConversationView => ({
  summary: s, messages: [], has_older: false, notes: [], handoff: null, labels: [], can_act: true, window: null, sample: false, drafts: [],
});
const state = (id: number, channel: string, mode: "reply" | "note" = "reply"): InboxState =>
  ({ ...initialState({ view: "mine", status: "", channel: "", team: "", label: "", priority: "", sort: "activity" }), openId: id, view: view(summary(id, channel)), mode });

function mount() {
  const error = document.createElement("p");
  const part = createMailCopies(error);
  const form = document.createElement("form");
  form.append(part.el, error);
  document.body.replaceChildren(form);
  const q = <T extends HTMLElement>(sel: string) => form.querySelector<T>(sel)!;
  return { part, error, q };
}

describe("an e-mail reply's copies", () => {
  beforeEach(() => { asked.length = 0; });

  it("show only above an e-mail reply", async () => {
    const { part } = mount();
    part.update(state(3, "whatsapp"));
    expect(part.el.hidden).toBe(true);
    expect(part.read()).toBeNull();
    part.update(state(4, "email", "note"));
    expect(part.el.hidden).toBe(true);
    expect(asked).toEqual([]);
  });

  it("show the customer, fill Cc with everyone else, and show the signature", async () => {
    const { part, q } = mount();
    part.update(state(9, "email"));
    await tick();
    expect(asked).toEqual([9]);
    expect(q("#mail-to").textContent).toBe("To ana@customer.test");
    expect(q("#mail-signature").textContent).toBe("-- \nKind regards,\nAlex");
    const cc = q<HTMLInputElement>("#mail-cc");
    cc.value = "carol@customer.test, dave@customer.test";
    q<HTMLButtonElement>("#mail-reply-all").click();
    expect(cc.value).toBe("carol@customer.test, dave@customer.test, bob@customer.test");
    q<HTMLButtonElement>("#mail-show-bcc").click();
    q<HTMLInputElement>("#mail-bcc").value = "erin@customer.test";
    expect(part.read()).toEqual({ cc: ["carol@customer.test", "dave@customer.test", "bob@customer.test"], bcc: ["erin@customer.test"] });
    part.clear();
    expect(cc.value).toBe("");
    expect(part.read()).toEqual({ cc: [], bcc: [] });
    part.update(state(9, "email"));
    expect(asked).toEqual([9]);
  });

  it("read who is on the thread again when a new message arrives, keeping what is typed", async () => {
    context = { to: "ana@customer.test", reply_all: ["bob@customer.test"], signature: null, files_limit: 20971520, server_limit: null };
    const { part, q } = mount();
    part.update(state(9, "email"));
    await tick();
    q<HTMLInputElement>("#mail-cc").value = "erin@customer.test";
    context = { to: "ana@customer.test", reply_all: ["bob@customer.test", "carol@customer.test"], signature: null, files_limit: 20971520, server_limit: null };
    const withNew = { ...state(9, "email"), messages: [{ id: 77 }] } as unknown as InboxState;
    part.update(withNew);
    await tick();
    expect(asked).toEqual([9, 9]);
    expect(q("#mail-reply-all").textContent).toBe("Reply all (+2)");
    expect(q<HTMLInputElement>("#mail-cc").value).toBe("erin@customer.test");
    part.update(withNew);
    expect(asked).toEqual([9, 9]);
  });

  it("say under the box which address is wrong, and send nothing", async () => {
    const { part, q } = mount();
    part.update(state(9, "email"));
    await tick();
    q<HTMLInputElement>("#mail-cc").value = "bob@customer.test, bob at home";
    expect(part.read()).toBe("invalid");
    const cc = q<HTMLInputElement>("#mail-cc");
    expect(cc.getAttribute("aria-invalid")).toBe("true");
    expect(document.body.textContent).toContain("“bob at home” is not an e-mail address.");
  });

  it("leave Reply all out when nobody else is on the thread, and the signature when there is none", async () => {
    context = { to: "ana@customer.test", reply_all: [], signature: null, files_limit: 20971520, server_limit: null };
    const { part, q } = mount();
    part.update(state(12, "email"));
    await tick();
    expect(q("#mail-reply-all").hidden).toBe(true);
    expect(q("#mail-signature").hidden).toBe(true);
  });
});
