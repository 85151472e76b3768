// @vitest-environment happy-dom
// Passwords in the window (issue 18, finding 11): the sign-in step that asks for a new
// password, "Change password" for the signed-in user, and an admin asking for a new one;
// each error next to the field it is about.
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
const admin = { user_id: 1, username: "ada", display_name: "Ada Admin", role: "admin", teams: [] };
const status = (phase: string, user: unknown = null) => ({ phase, data_dir: "/d", user, hub: null });
const tick = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const setValue = (sel: string, value: string) => { $<HTMLInputElement>(sel).value = value; };
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

describe("choosing a new password during sign-in", () => {
  it("asks for it after the code, shows errors next to the field, then signs in", async () => {
    let phase = "needs_code";
    handlers.app_status = () => status(phase, phase === "signed_in" ? alex : null);
    handlers.submit_code = () => { phase = "needs_new_password"; return status(phase); };
    handlers.set_new_password = (a) => {
      if (a!.new_password === "password1234") {
        throw { code: "weak_password", message: "This password is too weak: it is on the list of common passwords" };
      }
      phase = "signed_in";
      return status(phase, alex);
    };
    handlers.list_conversations = () => ({ rows: [], next: null });
    stop = startApp(root);
    await tick();
    setValue("#code-input", "123456");
    submitForm("#code-form");
    await tick();
    expect(root.getAttribute("data-screen")).toBe("new_password");
    expect($("#new-password-form")).not.toBeNull();

    setValue("#np-password", "short");
    setValue("#np-password2", "short");
    submitForm("#new-password-form");
    expect($("#np-password-error").textContent).toMatch(/at least 12 characters/);
    expect($("#np-password").getAttribute("aria-invalid")).toBe("true");
    expect(calls.some((c) => c.cmd === "set_new_password")).toBe(false);

    setValue("#np-password", "quiet harbour lamp 81");
    setValue("#np-password2", "quiet harbour lamp 82");
    submitForm("#new-password-form");
    expect($("#np-password2-error").textContent).toBe("The two passwords do not match.");
    expect($("#np-password-error").textContent).toBe("");

    setValue("#np-password", "password1234");
    setValue("#np-password2", "password1234");
    submitForm("#new-password-form");
    await tick();
    expect($("#np-password-error").textContent).toMatch(/common passwords/);

    setValue("#np-password", "quiet harbour lamp 81");
    setValue("#np-password2", "quiet harbour lamp 81");
    submitForm("#new-password-form");
    await tick();
    expect(calls.filter((c) => c.cmd === "set_new_password").pop()!.args).toEqual({ new_password: "quiet harbour lamp 81" });
    expect($("#app-shell")).not.toBeNull();
  });
});

describe("change password", () => {
  it("needs the current password, a code and the new one twice; wrong ones are shown at their field", async () => {
    handlers.app_status = () => status("signed_in", alex);
    handlers.list_conversations = () => ({ rows: [], next: null });
    handlers.list_colleagues = () => [];
    handlers.change_password = (a) => {
      if (a!.old_password !== "my old password 1") {
        throw { code: "invalid_input", message: "current password: that is not your current password" };
      }
      if (a!.code !== "123456") {
        throw { code: "invalid_input", message: "your code: your own authenticator code is not right; enter the newest one" };
      }
      return null;
    };
    stop = startApp(root);
    await tick();
    $("#change-password-button").click();
    expect($("#change-password")).not.toBeNull();

    submitForm("#change-password-form");
    expect($("#cp-current-error").textContent).toBe("Enter your current password.");

    setValue("#cp-current", "not my password");
    setValue("#cp-code", "123 456");
    setValue("#cp-new", "quiet harbour lamp 81");
    setValue("#cp-new2", "quiet harbour lamp 81");
    submitForm("#change-password-form");
    await tick();
    expect($("#cp-current-error").textContent).toMatch(/not your current password/);
    expect($("#cp-code-error").textContent).toBe("");

    setValue("#cp-current", "my old password 1");
    setValue("#cp-code", "000000");
    submitForm("#change-password-form");
    await tick();
    expect($("#cp-code-error").textContent).toMatch(/authenticator code is not right/);
    expect($("#cp-current-error").textContent).toBe("");

    setValue("#cp-code", "123456");
    submitForm("#change-password-form");
    await tick();
    expect(calls.filter((c) => c.cmd === "change_password").pop()!.args).toEqual({
      old_password: "my old password 1", code: "123456", new_password: "quiet harbour lamp 81",
    });
    expect($("#change-password")).toBeNull();
    expect($("#toast").textContent).toMatch(/password was changed/);
  });
});

describe("an admin asks for a new password", () => {
  it("marks the user, says the admin will not see it, and not for the admin's own account", async () => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.list_conversations = () => ({ rows: [], next: null });
    handlers.list_colleagues = () => [];
    const user = (id: number, username: string, must: boolean) => ({
      id, username, display_name: username, role: "agent", teams: [], disabled: false, enrolled: true,
      failed_attempts: 0, locked_until: null, must_change_password: must,
    });
    handlers.list_users = () => [{ ...user(1, "ada", false), role: "admin" }, user(2, "bob", false)];
    handlers.list_teams = () => [];
    handlers.require_password_change = (a) => user(a!.user_id as number, "bob", true);
    stop = startApp(root);
    await tick();
    $("#nav-users").click();
    await tick();
    expect(($('tr[data-username="ada"] [data-action="new-password"]') as HTMLButtonElement).disabled).toBe(true);
    ($('tr[data-username="bob"] [data-action="new-password"]') as HTMLButtonElement).click();
    await tick();
    expect(calls.find((c) => c.cmd === "require_password_change")!.args).toEqual({ user_id: 2 });
    expect($('tr[data-username="bob"]').textContent).toContain("Must choose a new password");
    expect($("#users-done").textContent).toMatch(/will not see it/);
  });
});
