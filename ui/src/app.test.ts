// @vitest-environment happy-dom
// Drives the real screens against a fake command layer: checks routing, ids and error handling.
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

const { startApp } = await import("./app");

const admin = { user_id: 1, username: "ada", display_name: "Ada Admin", role: "admin", teams: [] };
const status = (phase: string, user: unknown = null) => ({ phase, data_dir: "/d", user });
const tick = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;

function submitForm(sel: string) {
  $(sel).dispatchEvent(new Event("submit", { cancelable: true }));
}

let root: HTMLElement;
let stop: () => void = () => {};
afterEach(() => stop());
beforeEach(() => {
  for (const k of Object.keys(handlers)) delete handlers[k];
  calls.length = 0;
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById("app")!;
});

describe("app", () => {
  it("creates a workspace, then asks to sign in with the username prefilled", async () => {
    handlers.app_status = () => status("no_workspace");
    handlers.first_run_info = () => ({ default_data_dir: "/home/x/appcare", regions: [{ code: "eu", name: "European Union" }] });
    handlers.create_workspace = () => status("signed_out");
    stop = startApp(root);
    await tick();
    expect($<HTMLInputElement>("#fr-data-dir").value).toBe("/home/x/appcare");
    expect($<HTMLSelectElement>("#fr-region").value).toBe("eu");
    $<HTMLInputElement>("#fr-username").value = "ada";
    $<HTMLInputElement>("#fr-display-name").value = "Ada Admin";
    $<HTMLInputElement>("#fr-password").value = "correct horse battery";
    $<HTMLInputElement>("#fr-password2").value = "correct horse batterY";
    submitForm("#first-run-form");
    expect($("#error").textContent).toBe("The two passwords do not match.");
    expect(calls.some((c) => c.cmd === "create_workspace")).toBe(false);
    $<HTMLInputElement>("#fr-password2").value = "correct horse battery";
    submitForm("#first-run-form");
    await tick();
    const req = calls.find((c) => c.cmd === "create_workspace")!.args!.request as Record<string, unknown>;
    expect(req).toMatchObject({ data_dir: "/home/x/appcare", region: "eu", admin_username: "ada", key_store: "keyring", passphrase: null });
    expect($("#sign-in-form")).not.toBeNull();
    expect($<HTMLInputElement>("#si-username").value).toBe("ada");
  });

  it("signs in with a code, shows the shell, and a locked error shows the lock screen", async () => {
    let phase = "signed_out";
    handlers.app_status = () => status(phase, phase === "signed_out" ? null : admin);
    handlers.sign_in = () => { phase = "needs_code"; return status(phase, admin); };
    handlers.submit_code = (a) => {
      if (a!.code !== "123456") throw { code: "sign_in_failed", message: "That code did not work." };
      phase = "signed_in";
      return status(phase, admin);
    };
    handlers.overview = () => { phase = "locked"; throw { code: "session_locked", message: "Locked." }; };
    stop = startApp(root);
    await tick();
    $<HTMLInputElement>("#si-username").value = "ada";
    $<HTMLInputElement>("#si-password").value = "pw";
    submitForm("#sign-in-form");
    await tick();
    expect($("#code-form")).not.toBeNull();
    expect($("#recovery-form").hidden).toBe(true);
    $<HTMLInputElement>("#code-input").value = "12";
    submitForm("#code-form");
    expect($("#error").textContent).toMatch(/6 digits/);
    $<HTMLInputElement>("#code-input").value = "000 000";
    submitForm("#code-form");
    await tick();
    expect($("#error").textContent).toBe("That code did not work.");
    expect($("#code-form").getAttribute("aria-busy")).toBeNull();
    $<HTMLInputElement>("#code-input").value = "123 456";
    submitForm("#code-form");
    await tick();
    // The shell rendered, then overview() failed with session_locked, so the lock screen shows.
    expect($("#lock-screen")).not.toBeNull();
    expect($("#app-shell")).toBeNull();
  });

  it("shows admin navigation and overview fields for an admin", async () => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.overview = () => ({
      workspace_id: "w1", region: "eu", data_dir: "/d", key_store: "keyring", schema_version: 3, users: 4,
      teams: 2, conversations: 10, open_conversations: 3, messages: 50, audit_events: 12,
    });
    stop = startApp(root);
    await tick();
    expect($("#current-user").textContent).toBe("Ada Admin");
    expect($("#nav-audit")).not.toBeNull();
    expect($('[data-field="open_conversations"]').textContent).toBe("3");
    expect($('[data-field="audit_events"]').textContent).toBe("12");
  });

  it("hides admin navigation from agents", async () => {
    handlers.app_status = () => status("signed_in", { ...admin, role: "agent" });
    handlers.overview = () => { throw { code: "forbidden", message: "Not allowed." }; };
    stop = startApp(root);
    await tick();
    expect($("#nav-overview")).not.toBeNull();
    expect($("#nav-users")).toBeNull();
    expect($("#nav-audit")).toBeNull();
    expect($("#error").textContent).toBe("Not allowed.");
  });

  it("enrols, shows recovery codes once, then the shell", async () => {
    let phase = "needs_enrolment";
    handlers.app_status = () => status(phase, admin);
    handlers.start_enrolment = () => ({ otpauth_uri: "otpauth://totp/x", manual_key: "jbswy3dpehpk3pxp", qr: { size: 2, modules: "1001" } });
    handlers.confirm_enrolment = () => { phase = "signed_in"; return { status: status(phase, admin), recovery_codes: ["aaaa-bbbb", "cccc-dddd"] }; };
    handlers.overview = () => { throw { code: "storage", message: "Disk full." }; };
    stop = startApp(root);
    await tick();
    expect($("#enrol-manual-key").textContent).toBe("JBSW Y3DP EHPK 3PXP");
    expect($("#enrol-uri").textContent).toBe("otpauth://totp/x");
    $<HTMLInputElement>("#enrol-code").value = "123456";
    submitForm("#enrol-form");
    await tick();
    expect(Array.from(document.querySelectorAll("#recovery-codes li")).map((li) => li.textContent)).toEqual(["aaaa-bbbb", "cccc-dddd"]);
    $("#recovery-continue").click();
    await tick();
    expect($("#app-shell")).not.toBeNull();
    expect($("#recovery-codes")).toBeNull();
    expect($("#error").textContent).toBe("Disk full.");
  });

  it("lists users with badges and asks for the admin's own code to reset", async () => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.overview = () => { throw { code: "storage", message: "x" }; };
    handlers.list_users = () => [
      { id: 1, username: "ada", display_name: "Ada Admin", role: "admin", teams: [5], disabled: false, enrolled: true, failed_attempts: 0, locked_until: null },
      { id: 2, username: "bob", display_name: "Bob", role: "agent", teams: [], disabled: false, enrolled: false, failed_attempts: 0, locked_until: null },
    ];
    handlers.list_teams = () => [{ id: 5, name: "Billing", members: 1 }];
    handlers.reset_authenticator = (a) => ({ id: 2, username: "bob", display_name: "Bob", role: "agent", teams: [], disabled: false, enrolled: false, failed_attempts: 0, locked_until: null, _code: a!.admin_code });
    stop = startApp(root);
    await tick();
    $("#nav-users").click();
    await tick();
    const bob = $('tr[data-username="bob"]');
    expect(bob.textContent).toContain("Needs enrolment");
    expect($('tr[data-username="ada"]').textContent).toContain("Billing");
    (bob.querySelector('[data-action="reset"]') as HTMLButtonElement).click();
    const codeInput = $<HTMLInputElement>("#reset-code-2");
    codeInput.value = "654 321";
    codeInput.form!.dispatchEvent(new Event("submit", { cancelable: true }));
    await tick();
    const call = calls.find((c) => c.cmd === "reset_authenticator")!;
    expect(call.args).toEqual({ user_id: 2, admin_code: "654321" });
    expect($("#users-done").textContent).toMatch(/reset/);
    expect(document.querySelector(".reset-row")).toBeNull();
  });
});
