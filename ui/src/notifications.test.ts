// @vitest-environment happy-dom
// "Notifications" (issue 20, item 6): the signed-in person's desktop notification choices,
// read when the dialog opens and saved as one set; nothing is saved before they are read.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Handler = (args?: Record<string, unknown>) => unknown;
const handlers: Record<string, Handler> = {};
const calls: { cmd: string; args?: Record<string, unknown> }[] = [];

vi.mock("@tauri-apps/api/core", () => ({
  invoke: async (cmd: string, args?: Record<string, unknown>) => {
    calls.push({ cmd, args });
    const fn = handlers[cmd];
    if (!fn) throw { code: "storage", message: `no fake for ${cmd}` };
    return fn(args);
  },
}));
vi.mock("@tauri-apps/api/event", () => ({ listen: async () => () => {} }));

const { startApp } = await import("./app");

const alex = { user_id: 2, username: "alex", display_name: "Alex", role: "agent", teams: [] };
const status = (phase: string, user: unknown = null) => ({ phase, data_dir: "/d", user, hub: null });
const tick = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const submitForm = (sel: string) => $(sel).dispatchEvent(new Event("submit", { cancelable: true }));

let root: HTMLElement;
let stop: () => void = () => {};
afterEach(() => stop());
beforeEach(() => {
  for (const k of Object.keys(handlers)) delete handlers[k];
  calls.length = 0;
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById("app")!;
});

const chosen = { new_conversation: true, customer_reply: false, mention: true, handoff: true };

function signedIn(): void {
  handlers.app_status = () => status("signed_in", alex);
  handlers.list_conversations = () => ({ rows: [], next: null });
  handlers.list_colleagues = () => [];
}

describe("notification choices", () => {
  it("shows the stored choices and saves what the person switches", async () => {
    signedIn();
    handlers.notification_settings = () => chosen;
    handlers.set_notification_settings = (a) => a!.new;
    stop = startApp(root);
    await tick();
    $("#notifications-button").click();
    await tick();
    expect($("#notifications")).not.toBeNull();
    expect($<HTMLInputElement>("#notify-new-conversation").checked).toBe(true);
    expect($<HTMLInputElement>("#notify-customer-reply").checked).toBe(false);
    expect($<HTMLInputElement>("#notify-mention").checked).toBe(true);
    expect(document.activeElement).toBe($("#notify-new-conversation"));

    $<HTMLInputElement>("#notify-customer-reply").checked = true;
    $<HTMLInputElement>("#notify-handoff").checked = false;
    submitForm("#notifications-form");
    await tick();
    expect(calls.filter((c) => c.cmd === "set_notification_settings").pop()!.args).toEqual({
      new: { new_conversation: true, customer_reply: true, mention: true, handoff: false },
    });
    expect($("#notifications")).toBeNull();
    expect($("#toast").textContent).toMatch(/notification choices are saved/);
  });

  it("keeps Save off and says why when the choices cannot be read", async () => {
    signedIn();
    handlers.notification_settings = () => { throw { code: "storage", message: "The workspace could not be read." }; };
    stop = startApp(root);
    await tick();
    $("#notifications-button").click();
    await tick();
    expect($("#notify-error").textContent).toMatch(/could not be read/);
    expect($<HTMLButtonElement>("#notify-save").disabled).toBe(true);
    submitForm("#notifications-form");
    await tick();
    expect(calls.some((c) => c.cmd === "set_notification_settings")).toBe(false);
  });
});
