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

const listeners: Record<string, (e: { payload: unknown }) => void> = {};
vi.mock("@tauri-apps/api/event", () => ({
  listen: async (name: string, cb: (e: { payload: unknown }) => void) => {
    listeners[name] = cb;
    return () => { if (listeners[name] === cb) delete listeners[name]; };
  },
}));
const emit = (name: string, payload: unknown) => listeners[name]?.({ payload });

const { startApp } = await import("./app");

const admin = { user_id: 1, username: "ada", display_name: "Ada Admin", role: "admin", teams: [] };
const status = (phase: string, user: unknown = null, hub: unknown = null) => ({ phase, data_dir: "/d", user, hub });
const tick = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;

/** The error line shown right under the field `sel` (linked by aria-describedby). */
function fieldError(sel: string): string {
  const ids = ($(sel).getAttribute("aria-describedby") ?? "").split(/\s+/);
  const line = ids.map((id) => document.getElementById(id)).find((el) => el?.classList.contains("field-error"));
  return line?.textContent ?? "";
}

function submitForm(sel: string) {
  $(sel).dispatchEvent(new Event("submit", { cancelable: true }));
}

let root: HTMLElement;
let stop: () => void = () => {};
afterEach(() => stop());
beforeEach(() => {
  for (const k of Object.keys(handlers)) delete handlers[k];
  for (const k of Object.keys(listeners)) delete listeners[k];
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
    expect(fieldError("#fr-password2")).toBe("The two passwords do not match.");
    expect(calls.some((c) => c.cmd === "create_workspace")).toBe(false);
    $<HTMLInputElement>("#fr-password2").value = "correct horse battery";
    submitForm("#first-run-form");
    await tick();
    const req = calls.find((c) => c.cmd === "create_workspace")!.args!.request as Record<string, unknown>;
    expect(req).toMatchObject({ data_dir: "/home/x/appcare", region: "eu", admin_username: "ada", key_store: "keyring", passphrase: null });
    expect($("#sign-in-form")).not.toBeNull();
    expect($<HTMLInputElement>("#si-username").value).toBe("ada");
  });

  it("a wrong password is refused at the password step, in plain words, without asking for a code", async () => {
    handlers.app_status = () => status("signed_out");
    handlers.begin_sign_in = () => {
      throw { code: "sign_in_failed", message: "Sign-in failed: the username or password is not right, or the account is temporarily locked after repeated failures. Check them and try again." };
    };
    stop = startApp(root);
    await tick();
    $<HTMLInputElement>("#si-username").value = "ada";
    $<HTMLInputElement>("#si-password").value = "wrong";
    submitForm("#sign-in-form");
    await tick();
    expect($("#code-form")).toBeNull();
    expect($("#sign-in-form")).not.toBeNull();
    expect($("#sign-in-form").textContent).toContain("the username or password is not right");
    expect($<HTMLInputElement>("#si-password").value).toBe("");
    expect(document.activeElement).toBe($("#si-password"));
  });

  it("signs in with a code, shows the shell, and a locked error shows the lock screen", async () => {
    let phase = "signed_out";
    handlers.app_status = () => status(phase, phase === "signed_out" ? null : admin);
    handlers.begin_sign_in = () => { phase = "needs_code"; return status(phase, admin); };
    handlers.submit_code = (a) => {
      if (a!.code !== "123456") throw { code: "sign_in_failed", message: "That code did not work." };
      phase = "signed_in";
      return status(phase, admin);
    };
    handlers.list_conversations = () => { phase = "locked"; throw { code: "session_locked", message: "Locked." }; };
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
    expect(fieldError("#code-input")).toMatch(/6 digits/);
    $<HTMLInputElement>("#code-input").value = "000 000";
    submitForm("#code-form");
    await tick();
    expect($("#error").textContent).toBe("That code did not work.");
    expect($("#code-form").getAttribute("aria-busy")).toBeNull();
    $<HTMLInputElement>("#code-input").value = "123 456";
    submitForm("#code-form");
    await tick();
    // The shell rendered the inbox, list_conversations failed with session_locked, so the lock screen shows.
    expect($("#lock-screen")).not.toBeNull();
    expect($("#app-shell")).toBeNull();
  });

  it("shows admin navigation and overview fields for an admin", async () => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.list_conversations = () => ({ rows: [], next: null });
    handlers.overview = () => ({
      workspace_id: "w1", region: "eu", data_dir: "/d", key_store: "keyring", schema_version: 3, users: 4,
      teams: 2, conversations: 10, open_conversations: 3, messages: 50, audit_events: 12,
    });
    stop = startApp(root);
    await tick();
    expect($("#current-user").textContent).toBe("Ada Admin");
    expect($("#nav-audit")).not.toBeNull();
    expect($("#nav-team")).not.toBeNull();
    expect($("#view-all")).not.toBeNull();
    $("#nav-overview").click();
    await tick();
    expect($('[data-field="open_conversations"]').textContent).toBe("3");
    expect($('[data-field="audit_events"]').textContent).toBe("12");
  });

  it("hides admin navigation from agents", async () => {
    handlers.app_status = () => status("signed_in", { ...admin, role: "agent" });
    handlers.list_conversations = () => { throw { code: "forbidden", message: "Not allowed." }; };
    stop = startApp(root);
    await tick();
    // The inbox is the first item and the page shown after sign-in.
    expect(Array.from(document.querySelectorAll(".sidenav button")).map((b) => b.id)).toEqual(["nav-inbox", "nav-overview", "nav-about"]);
    expect($("#nav-inbox").getAttribute("aria-current")).toBe("page");
    expect($("#inbox")).not.toBeNull();
    expect($("#view-mine")).not.toBeNull();
    expect($("#view-all")).toBeNull();
    expect($("#nav-team")).toBeNull();
    expect($("#nav-users")).toBeNull();
    expect($("#nav-audit")).toBeNull();
    expect($("#error").textContent).toBe("Not allowed.");
  });

  it("shows the About page with the version, build and folders, and opens the log folder", async () => {
    handlers.app_status = () => status("signed_in", { ...admin, role: "agent" });
    handlers.list_conversations = () => ({ rows: [], next: null });
    handlers.about = () => ({ version: "0.1.0", build: "d491db4a1b2c", data_dir: "/home/ana/.local/share/com.appcare.inbox/workspace",
      log_dir: "/home/ana/.local/state/appcare-inbox/logs", config_dir: "/home/ana/.config/com.appcare.inbox", hub: null });
    handlers.open_folder = () => null;
    stop = startApp(root);
    await tick();
    $("#nav-about").click();
    await tick();
    const field = (key: string) => $(`#about [data-field="${key}"]`).textContent;
    expect(field("version")).toBe("0.1.0");
    expect(field("build")).toBe("d491db4a1b2c");
    expect(field("mode")).toBe("On this computer");
    expect(field("log_dir")).toBe("/home/ana/.local/state/appcare-inbox/logs");
    $("#open-logs-folder").click();
    await tick();
    expect(calls.find((c) => c.cmd === "open_folder")!.args).toEqual({ which: "logs" });
    expect($("#about-done").textContent).toBe("Opened the log folder.");
  });

  it("enrols, shows recovery codes once, then the shell", async () => {
    let phase = "needs_enrolment";
    handlers.app_status = () => status(phase, admin);
    handlers.start_enrolment = () => ({ otpauth_uri: "otpauth://totp/x", manual_key: "jbswy3dpehpk3pxp", qr: { size: 2, modules: "1001" } });
    handlers.confirm_enrolment = () => { phase = "signed_in"; return { status: status(phase, admin), recovery_codes: ["aaaa-bbbb", "cccc-dddd"] }; };
    handlers.list_conversations = () => { throw { code: "storage", message: "Disk full." }; };
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
    handlers.list_conversations = () => ({ rows: [], next: null });
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

  it("lists channel accounts for an admin and adds a WhatsApp account, clearing the secrets", async () => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.list_conversations = () => ({ rows: [], next: null });
    handlers.list_teams = () => [{ id: 5, name: "Billing", members: 1 }];
    handlers.webhook_listener = () => ({ address: "127.0.0.1:8787", error: null });
    const account = (id: number, extra: Record<string, unknown> = {}) => ({
      id, kind: "whatsapp", name: `WA ${id}`, external_id: "106540352242922", business_account_id: "102290129340398",
      default_team: 5, webhook_path: "/webhooks/whatsapp", token_hint: "…a1b2", human_agent: false, poll: false,
      graph_base_url: "https://graph.facebook.com", api_version: "v21.0",
      local_storage: { status: "IN_COUNTRY_STORAGE_ENABLED", region: "DE", checked_at: null }, templates: 3, last_error: null, ...extra,
    });
    handlers.list_channels = () => [
      account(1),
      account(2, { kind: "messenger", name: "FB page", business_account_id: null, poll: true, human_agent: true, local_storage: null,
        templates: 0, last_error: "Meta error 190: the access token has expired" }),
    ];
    handlers.refresh_channel = (a) => account(a!.id as number, { templates: 4 });
    handlers.add_channel_account = (a) => account(9, { name: (a!.account as { name: string }).name });
    stop = startApp(root);
    await tick();
    const navIds = Array.from(document.querySelectorAll(".sidenav button")).map((b) => b.id);
    expect(navIds.indexOf("nav-channels")).toBe(navIds.indexOf("nav-users") + 1);
    $("#nav-channels").click();
    await tick();
    expect($("#listener-address").textContent).toBe("127.0.0.1:8787");
    const wa = $('[data-channel-id="1"]');
    expect(wa.querySelector('[data-field="webhook_url"]')!.textContent).toBe("http://127.0.0.1:8787/webhooks/whatsapp");
    expect(wa.querySelector('[data-field="token_hint"]')!.textContent).toBe("…a1b2");
    expect(wa.querySelector('[data-field="templates"]')!.textContent).toBe("3");
    expect(wa.querySelector('[data-field="local_storage"]')!.textContent).toBe("Enabled region DE");
    expect(wa.querySelector('[data-field="default_team"]')!.textContent).toBe("Billing");
    const fb = $('[data-channel-id="2"]');
    expect(fb.querySelector('[data-field="last_error"]')!.textContent).toContain("access token has expired");
    expect(fb.querySelector('[data-field="webhook_url"]')!.textContent).toMatch(/polls/);
    expect(fb.querySelector('[data-field="templates"]')).toBeNull();

    $("#refresh-channel-1").click();
    await tick();
    expect(calls.find((c) => c.cmd === "refresh_channel")!.args).toEqual({ id: 1 });
    expect($('[data-channel-id="1"] [data-field="templates"]').textContent).toBe("4");
    expect($("#channels-done").textContent).toBe("Refreshed WA 1: 4 templates.");

    // Secrets: paste a new app secret; an empty form and a refusal show at a field; nothing shown back.
    let refuseSecret = true;
    handlers.rotate_channel_secrets = () => {
      if (refuseSecret) { refuseSecret = false; throw { code: "invalid_input", message: "app secret: paste the app secret from Meta's app dashboard (at least 16 characters, no spaces)" }; }
      return account(1);
    };
    $("#secrets-channel-1").click();
    await tick();
    submitForm("#secrets-form");
    await tick();
    expect(fieldError("#secrets-access-token")).toBe("Paste at least one new secret.");
    $<HTMLInputElement>("#secrets-app-secret").value = "short";
    submitForm("#secrets-form");
    await tick();
    expect(fieldError("#secrets-app-secret")).toBe("Paste the app secret from Meta's app dashboard (at least 16 characters, no spaces).");
    $<HTMLInputElement>("#secrets-app-secret").value = " rotated-app-secret-0123456789 ";
    submitForm("#secrets-form");
    await tick();
    expect(calls.filter((c) => c.cmd === "rotate_channel_secrets").at(-1)!.args).toEqual({
      account: 1, rotation: { access_token: "", app_secret: "rotated-app-secret-0123456789", verify_token: "" },
    });
    expect(document.querySelector("#secrets")).toBeNull();
    expect($("#channels-done").textContent).toBe("Saved the new secrets of WA 1.");

    // Edit: name, team and read receipts in a dialog; an empty name is refused at the field.
    expect($('[data-channel-id="1"] [data-field="read_receipts"]').textContent).toBe("Off");
    handlers.update_channel_account = (a) => {
      const changes = a!.changes as { name: string; read_receipts: boolean; default_team: number | null };
      return account(1, { name: changes.name, read_receipts: changes.read_receipts, default_team: changes.default_team });
    };
    $("#edit-channel-1").click();
    await tick();
    expect($("#edit-channel-title").textContent).toBe("Edit WA 1");
    expect(document.querySelector("#edit-channel-human-agent")).toBeNull(); // Messenger only
    $<HTMLInputElement>("#edit-channel-name").value = "  ";
    submitForm("#edit-channel-form");
    expect(fieldError("#edit-channel-name")).toBe("Give the account a name of 1 to 80 characters.");
    expect(calls.some((c) => c.cmd === "update_channel_account")).toBe(false);
    $<HTMLInputElement>("#edit-channel-name").value = " Sales line ";
    $<HTMLInputElement>("#edit-channel-read-receipts").checked = true;
    $<HTMLSelectElement>("#edit-channel-team").value = "";
    $<HTMLTextAreaElement>("#edit-channel-away").value = "We are closed; we answer at 9.";
    handlers.set_out_of_hours_reply = (a) => account(1, { name: "Sales line", read_receipts: true, default_team: null, out_of_hours_reply: a!.body });
    // The survey turned on without words asks the usual question.
    $<HTMLInputElement>("#edit-channel-survey").checked = true;
    handlers.set_satisfaction_survey = (a) => account(1, { name: "Sales line", read_receipts: true, default_team: null, satisfaction_question: a!.question });
    // Consent: templates only after opt-in, and a privacy notice.
    $<HTMLInputElement>("#edit-channel-opt-in").checked = true;
    $<HTMLTextAreaElement>("#edit-channel-notice").value = "We keep your messages to answer you. Write STOP to stop.";
    handlers.set_consent_settings = () => account(1, { name: "Sales line", read_receipts: true, default_team: null, require_opt_in: true });
    submitForm("#edit-channel-form");
    await tick();
    expect(calls.find((c) => c.cmd === "set_consent_settings")!.args).toEqual({
      account: 1, change: { require_opt_in: true, privacy_notice: "We keep your messages to answer you. Write STOP to stop." },
    });
    expect(calls.find((c) => c.cmd === "set_out_of_hours_reply")!.args).toEqual({ account: 1, body: "We are closed; we answer at 9." });
    expect(calls.find((c) => c.cmd === "set_satisfaction_survey")!.args).toEqual({
      account: 1, question: "How would you rate the help you got from us?",
    });
    expect(calls.find((c) => c.cmd === "update_channel_account")!.args).toEqual({
      id: 1, changes: { name: "Sales line", default_team: null, read_receipts: true, human_agent: false, poll: false },
    });
    expect(document.querySelector("#edit-channel")).toBeNull();
    expect($('[data-channel-id="1"] .channel-name').textContent).toBe("Sales line");
    expect($('[data-channel-id="1"] [data-field="read_receipts"]').textContent).toMatch(/^On/);
    expect($("#channels-done").textContent).toBe("Saved Sales line.");

    // The id label and the Messenger-only options follow the kind.
    const kind = $<HTMLSelectElement>("#ch-kind");
    expect(document.querySelector('label[for="ch-external-id"]')!.textContent).toBe("Phone-number id");
    expect($("#ch-messenger-options").hidden).toBe(true);
    kind.value = "messenger";
    kind.dispatchEvent(new Event("change"));
    expect(document.querySelector('label[for="ch-external-id"]')!.textContent).toBe("Page id");
    expect($("#ch-messenger-options").hidden).toBe(false);
    expect($("#ch-waba-id").closest(".field")!.hasAttribute("hidden")).toBe(true);
    kind.value = "whatsapp";
    kind.dispatchEvent(new Event("change"));
    for (const id of ["ch-access-token", "ch-app-secret", "ch-verify-token"]) {
      expect($(`#${id}`).getAttribute("type")).toBe("password");
      expect($(`#${id}`).getAttribute("autocomplete")).toBe("off");
    }

    const set = (id: string, v: string) => { $<HTMLInputElement>(`#${id}`).value = v; };
    set("ch-name", "Support NL");
    set("ch-external-id", "+31 6 12345678");
    submitForm("#channel-form");
    expect(fieldError("#ch-external-id")).toMatch(/not the phone number itself/);
    expect($("#ch-external-id").getAttribute("aria-invalid")).toBe("true");
    set("ch-external-id", "106540352242922");
    set("ch-waba-id", "102290129340398");
    set("ch-access-token", "EAAG-secret");
    set("ch-app-secret", "app-secret");
    set("ch-verify-token", "tea for two");
    $<HTMLSelectElement>("#ch-team").value = "5";
    set("ch-api-version", "21");
    submitForm("#channel-form");
    expect(fieldError("#ch-api-version")).toBe("The API version looks like v21.0.");
    expect($<HTMLDetailsElement>("#ch-advanced").open).toBe(true);
    set("ch-api-version", "");
    handlers.add_channel_account = () => { throw { code: "invalid_input", message: "Meta did not accept the access token." }; };
    submitForm("#channel-form");
    await tick();
    expect($("#channel-form-error").textContent).toBe("Meta did not accept the access token.");
    expect($<HTMLInputElement>("#ch-access-token").value).toBe("EAAG-secret"); // kept to fix a typo
    handlers.add_channel_account = (a) => account(9, { name: (a!.account as { name: string }).name });
    submitForm("#channel-form");
    await tick();
    expect(calls.filter((c) => c.cmd === "add_channel_account").at(-1)!.args).toEqual({ account: {
      kind: "whatsapp", name: "Support NL", external_id: "106540352242922", business_account_id: "102290129340398",
      access_token: "EAAG-secret", app_secret: "app-secret", verify_token: "tea for two", default_team: 5,
      human_agent: false, poll: false, graph_base_url: null, api_version: null,
    } });
    for (const id of ["ch-access-token", "ch-app-secret", "ch-verify-token", "ch-name"]) expect($<HTMLInputElement>(`#${id}`).value).toBe("");
    expect($('[data-channel-id="9"]').textContent).toContain("Support NL");
    expect($("#channels-done").textContent).toContain("http://127.0.0.1:8787/webhooks/whatsapp");
  });

  it("tests, disables and removes a channel account, with the report on its card", async () => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.list_conversations = () => ({ rows: [], next: null });
    handlers.list_teams = () => [];
    handlers.webhook_listener = () => ({ address: "127.0.0.1:8787", error: null });
    const base = {
      id: 1, kind: "whatsapp", name: "Sales line", external_id: "106540352242922", business_account_id: "102290129340398",
      default_team: null, webhook_path: "/webhooks/whatsapp", token_hint: "…a1b2", human_agent: false, poll: false, read_receipts: false,
      graph_base_url: "https://graph.facebook.com", api_version: "v23.0", local_storage: null, templates: 0, last_error: null,
      email: null, disabled: false,
    };
    let current: Record<string, unknown> = { ...base };
    handlers.list_channels = () => [current];
    handlers.test_channel = () => { current = { ...current, check: { requested_at: 100, finished_at: null, steps: [] } }; return current; };
    handlers.set_channel_enabled = (a) => { current = { ...current, disabled: !(a!.enabled as boolean) }; return current; };
    handlers.remove_channel_account = (a) => ({ erased: a!.erase_history as boolean, conversations: 3, messages: 12, contacts: 2 });
    stop = startApp(root);
    await tick();
    $("#nav-channels").click();
    await tick();

    // Test: running at once, then the report arrives with a live change.
    $("#test-channel-1").click();
    await tick();
    expect(calls.find((c) => c.cmd === "test_channel")!.args).toEqual({ account: 1 });
    expect($('[data-channel-id="1"] [data-field="check"]').textContent).toBe("Testing the connection…");
    expect($<HTMLButtonElement>("#test-channel-1").disabled).toBe(true);
    current = { ...current, check: { requested_at: 100, finished_at: 101, steps: [
      { name: "Access token", outcome: "ok", detail: "Meta accepted the token for +1 555-010-0100" },
      { name: "Webhook subscription", outcome: "failed", detail: "no app is subscribed to this business account's webhooks" },
    ] } };
    emit("core-event", { kind: "channels_changed" });
    await new Promise((r) => setTimeout(r, 700));
    await tick();
    expect($('[data-channel-id="1"] [data-field="check"]').textContent).toBe("1 of 2 steps failed");
    const steps = Array.from(document.querySelectorAll('[data-channel-id="1"] .check-step')).map((li) => li.textContent);
    expect(steps[0]).toContain("✓Access token");
    expect(steps[1]).toContain("✗Webhook subscription");
    expect(steps[1]).toContain("no app is subscribed");

    // Disable, then enable again.
    $("#enable-channel-1").click();
    await tick();
    expect(calls.find((c) => c.cmd === "set_channel_enabled")!.args).toEqual({ account: 1, enabled: false });
    expect($('[data-channel-id="1"] [data-field="disabled"]').textContent).toBe("Disabled");
    expect($("#enable-channel-1").textContent).toBe("Enable");
    expect($("#channels-done").textContent).toMatch(/^Disabled Sales line/);
    $("#enable-channel-1").click();
    await tick();
    expect(calls.filter((c) => c.cmd === "set_channel_enabled").at(-1)!.args).toEqual({ account: 1, enabled: true });
    expect(document.querySelector('[data-channel-id="1"] [data-field="disabled"]')).toBeNull();

    // Remove and erase: the name must be typed first; keep is the default.
    $("#remove-channel-1").click();
    await tick();
    expect($<HTMLInputElement>("#remove-keep").checked).toBe(true);
    expect($("#remove-explain").textContent).toMatch(/conversations stay, read-only/);
    $<HTMLInputElement>("#remove-erase").checked = true;
    $("#remove-erase").dispatchEvent(new Event("change"));
    expect($("#remove-channel-go").textContent).toBe("Remove and erase");
    $<HTMLInputElement>("#remove-confirm-name").value = "Sales";
    submitForm("#remove-channel-form");
    await tick();
    expect(fieldError("#remove-confirm-name")).toBe("Type Sales line exactly to erase its conversations.");
    expect(calls.some((c) => c.cmd === "remove_channel_account")).toBe(false);
    $<HTMLInputElement>("#remove-confirm-name").value = "Sales line";
    submitForm("#remove-channel-form");
    await tick();
    expect(calls.find((c) => c.cmd === "remove_channel_account")!.args).toEqual({ account: 1, erase_history: true });
    expect(document.querySelector('[data-channel-id="1"]')).toBeNull();
    expect(document.querySelector("#remove-channel")).toBeNull();
    expect($("#channels-done").textContent).toBe("Removed Sales line and erased 3 conversations, 12 messages and 2 customers.");
  });

  describe("mailboxes", () => {
    const mailbox = (id: number, extra: Record<string, unknown> = {}, email: Record<string, unknown> = {}) => ({
      id, kind: "email", name: `Mailbox ${id}`, external_id: "help@example.com", business_account_id: null, default_team: 5,
      webhook_path: "/webhooks/email", token_hint: "…word", human_agent: false, poll: false, graph_base_url: "", api_version: "",
      local_storage: null, templates: 0, last_error: null,
      email: {
        address: "help@example.com", imap: "imap.example.com:993 (TLS)", smtp: "smtp.example.com:465 (TLS)", folder: "INBOX",
        sent_folder: "Sent",
        folders: [
          { folder: "INBOX", state: "syncing", total: 3000, done: 1234, last_error: "", synced_at: null,
            offered: 1234, stored: 1200, set_aside: 20, duplicates: 14 },
          { folder: "Sent", state: "error", total: 0, done: 0, last_error: "connection refused", synced_at: null,
            offered: 0, stored: 0, set_aside: 0, duplicates: 0 },
        ],
        set_aside: 2, signature: "", ...email,
      },
      ...extra,
    });

    function channelFakes() {
      handlers.app_status = () => status("signed_in", admin);
      handlers.list_conversations = () => ({ rows: [], next: null });
      handlers.list_teams = () => [{ id: 5, name: "Billing", members: 1 }];
      handlers.webhook_listener = () => ({ address: null, error: "off" });
    }
    async function openChannels() {
      stop = startApp(root);
      await tick();
      $("#nav-channels").click();
      await tick();
    }

    it("edits a mailbox's signature in the Edit dialog; a refusal shows under it", async () => {
      channelFakes();
      handlers.list_channels = () => [mailbox(7, {}, { signature: "Regards,\n{agent}" })];
      let refuse = true;
      handlers.update_channel_account = () => mailbox(7, {}, { signature: "Regards,\n{agent}" });
      handlers.set_mail_signature = (a) => {
        if (refuse) { refuse = false; throw { code: "invalid_input", message: "signature: keep the signature under 2000 characters" }; }
        return mailbox(7, {}, { signature: a!.signature as string });
      };
      await openChannels();
      $("#edit-channel-7").click();
      await tick();
      const box = $<HTMLTextAreaElement>("#edit-channel-signature");
      expect(box.value).toBe("Regards,\n{agent}");
      expect(document.querySelector("#edit-channel-read-receipts")).toBeNull(); // not for mailboxes
      box.value = "Kind regards,\n{agent}, {team}";
      submitForm("#edit-channel-form");
      await tick();
      expect(fieldError("#edit-channel-signature")).toBe("Keep the signature under 2000 characters.");
      submitForm("#edit-channel-form");
      await tick();
      expect(calls.filter((c) => c.cmd === "set_mail_signature").at(-1)!.args).toEqual({ id: 7, signature: "Kind regards,\n{agent}, {team}" });
      expect(document.querySelector("#edit-channel")).toBeNull();
    });

    it("changes a mailbox's servers and password; the password is never shown and a refusal shows at its field", async () => {
      channelFakes();
      handlers.list_channels = () => [mailbox(7)];
      handlers.mail_settings = () => ({ imap_host: "imap.example.com", imap_port: 993, imap_security: "tls", smtp_host: "smtp.example.com",
        smtp_port: 465, smtp_security: "tls", username: "", password: "", folder: "INBOX", sent_folder: "Sent" });
      let refuse = true;
      handlers.update_mail_settings = () => {
        if (refuse) { refuse = false; throw { code: "invalid_input", message: "IMAP server: write the server's name, like imap.example.com" }; }
        return mailbox(7, {}, { imap: "mail.example.com:143 (STARTTLS)" });
      };
      await openChannels();
      $("#servers-channel-7").click();
      await tick();
      expect($<HTMLInputElement>("#ms-imap-host").value).toBe("imap.example.com");
      expect($<HTMLInputElement>("#ms-password").value).toBe("");
      $<HTMLInputElement>("#ms-imap-port").value = "99999";
      submitForm("#mail-settings-form");
      await tick();
      expect(fieldError("#ms-imap-port")).toBe("Write a port between 1 and 65535.");
      expect(calls.some((c) => c.cmd === "update_mail_settings")).toBe(false);
      $<HTMLInputElement>("#ms-imap-port").value = "143";
      $<HTMLSelectElement>("#ms-imap-security").value = "starttls";
      $<HTMLInputElement>("#ms-imap-host").value = "mail example";
      $<HTMLInputElement>("#ms-password").value = "new-secret-password";
      submitForm("#mail-settings-form");
      await tick();
      expect(fieldError("#ms-imap-host")).toBe("Write the server's name, like imap.example.com.");
      $<HTMLInputElement>("#ms-imap-host").value = "mail.example.com";
      submitForm("#mail-settings-form");
      await tick();
      expect(calls.filter((c) => c.cmd === "update_mail_settings").at(-1)!.args).toEqual({ account: 7, change: {
        imap_host: "mail.example.com", imap_port: 143, imap_security: "starttls", smtp_host: "smtp.example.com", smtp_port: 465,
        smtp_security: "tls", username: "", password: "new-secret-password", folder: "INBOX", sent_folder: "Sent" } });
      expect(document.querySelector("#mail-settings")).toBeNull();
      expect($("#channels-done").textContent).toBe("Saved the servers of Mailbox 7; its mail sync starts again.");
    });

    it("picks a mailbox's folders: the main one always, spam and trash only when ticked", async () => {
      channelFakes();
      handlers.list_channels = () => [mailbox(7)];
      const folder = (name: string, shown: string, x: Record<string, unknown> = {}) => ({
        name, shown, special_use: "", synced: false, main: false, left_out_by_default: false, stored: 0, ...x });
      handlers.mail_folders = () => [
        folder("INBOX", "INBOX", { main: true, synced: true, stored: 12 }),
        folder("R&AOk-clamations", "Réclamations"),
        folder("Sent", "Sent", { special_use: "sent" }),
        folder("Trash", "Trash", { special_use: "trash", left_out_by_default: true }),
      ];
      handlers.set_mail_folders = () => [];
      await openChannels();
      $("#folders-channel-7").click();
      await tick();
      const rows = Array.from(document.querySelectorAll("#folders-list li")).map((li) => li.textContent);
      expect(rows).toEqual([
        " INBOXmain folder: new mail is watched here, always synced · 12 stored",
        " Réclamations",
        " Sentsent mail · replies sent from other mail programs join their conversations",
        " Trashtrash · left out unless ticked",
      ]);
      const main = $<HTMLInputElement>('#folders-list [data-folder="INBOX"]');
      expect(main.checked && main.disabled).toBe(true);
      expect(document.activeElement).toBe($('#folders-list [data-folder="R&AOk-clamations"]'));
      $<HTMLInputElement>('#folders-list [data-folder="R&AOk-clamations"]').click();
      $<HTMLInputElement>('#folders-list [data-folder="Sent"]').click();
      submitForm("#folders-form");
      await tick();
      expect(calls.filter((c) => c.cmd === "set_mail_folders").at(-1)!.args).toEqual({ id: 7, folders: ["R&AOk-clamations", "Sent"] });
      expect(document.querySelector("#folders")).toBeNull();
      expect($("#channels-done").textContent).toBe("Saved the folders of Mailbox 7; its mail sync starts again.");
    });

    it("shows a mailbox's servers, its sync progress per folder, and the mail set aside", async () => {
      channelFakes();
      handlers.list_channels = () => [mailbox(7)];
      handlers.set_aside_mail = () => [
        { id: 1, folder: "INBOX", uid: 17, reason: "too large to store (40 MB)", from_address: "big@example.net", subject: "Scans",
          size: 40 * 1024 * 1024, created_at: 1_700_000_000 },
        { id: 2, folder: "INBOX", uid: 18, reason: "could not be read", from_address: "", subject: "", size: 730 * 1024, created_at: 1_700_000_100 },
      ];
      await openChannels();
      const card = $('[data-channel-id="7"]');
      expect(card.querySelector('[data-field="address"]')!.textContent).toBe("help@example.com");
      expect(card.querySelector('[data-field="imap"]')!.textContent).toBe("imap.example.com:993 (TLS) · folder INBOX");
      expect(card.querySelector('[data-field="smtp"]')!.textContent).toBe("smtp.example.com:465 (TLS) · sent folder Sent");
      expect(card.querySelector('[data-field="default_team"]')!.textContent).toBe("Billing");
      expect(card.querySelector('[data-field="webhook_url"]')).toBeNull();

      const bar = card.querySelector<HTMLProgressElement>('progress.mail-progress[data-folder="INBOX"]')!;
      expect(bar.getAttribute("max")).toBe("3000");
      expect(bar.getAttribute("value")).toBe("1234");
      expect(bar.parentElement!.textContent).toBe("1,234 of 3,000 messages");
      expect(card.querySelector('.mail-sync-state[data-folder="INBOX"]')!.textContent).toBe("Syncing: 1,234 of 3,000");
      expect(card.querySelector('.mail-sync-state[data-folder="Sent"]')!.textContent)
        .toBe("Cannot reach the mail server: connection refused. Retrying.");
      expect(card.querySelector('progress[data-folder="Sent"]')).toBeNull();
      expect(card.querySelector('.mail-counts[data-folder="INBOX"]')!.textContent)
        .toBe("1,234 offered: 1,200 stored · 20 set aside · 14 duplicates");
      expect(card.querySelector('.mail-counts[data-folder="Sent"]')).toBeNull();

      const asideBtn = $<HTMLButtonElement>("#set-aside-7");
      expect(asideBtn.textContent).toBe("2 set aside");
      expect(asideBtn.getAttribute("aria-expanded")).toBe("false");
      asideBtn.click();
      await tick();
      expect(calls.find((c) => c.cmd === "set_aside_mail")!.args).toEqual({ id: 7 });
      const panel = $("#set-aside-panel-7");
      expect(panel.textContent).toContain("Mail the app could not file into a conversation. It stays in the mailbox; nothing was deleted.");
      expect(Array.from(panel.querySelectorAll("th")).map((th) => th.textContent)).toEqual(["Received", "From", "Subject", "Reason", "Size", "Action"]);
      const rows = Array.from(panel.querySelectorAll("tbody tr")).map((tr) => Array.from(tr.querySelectorAll("td")).slice(1).map((td) => td.textContent));
      expect(rows).toEqual([
        ["big@example.net", "Scans", "too large to store (40 MB)", "40.0 MB", "Try again"],
        ["unknown", "(no subject)", "could not be read", "730 KB", "Try again"],
      ]);
      expect($("#set-aside-7").getAttribute("aria-expanded")).toBe("true");
      expect(document.activeElement).toBe($("#set-aside-7"));

      // Try again: the row says so until the runtime is done; then it is gone (filed).
      const first = handlers.set_aside_mail({})! as { id: number }[];
      handlers.retry_set_aside_mail = () => [first[0], { ...first[1], retrying: true }];
      $("#retry-aside-2").click();
      await tick();
      expect(calls.find((c) => c.cmd === "retry_set_aside_mail")!.args).toEqual({ account: 7, id: 2 });
      expect($('[data-set-aside-id="2"] [data-field="retry"]').textContent).toBe("Trying again…");
      handlers.set_aside_mail = () => [first[0]];
      await new Promise((r) => setTimeout(r, 1100));
      await tick();
      expect(document.querySelector('[data-set-aside-id="2"]')).toBeNull();
      expect($('[data-set-aside-id="1"] [data-field="retry"]').textContent).toBe("Try again");
      // The button closes it again.
      $("#set-aside-7").click();
      await tick();
      expect($("#set-aside-panel-7")).toBeNull();
      expect(calls.filter((c) => c.cmd === "set_aside_mail").length).toBe(2);
    });

    it("shows an admin what WhatsApp sent that was set aside, with the reason and the raw item", async () => {
      channelFakes();
      handlers.list_channels = () => [{
        id: 3, kind: "whatsapp", name: "WA 3", external_id: "106540352242922", business_account_id: "102290129340398",
        default_team: 5, webhook_path: "/webhooks/whatsapp", token_hint: "…a1b2", human_agent: false, poll: false,
        graph_base_url: "https://graph.facebook.com", api_version: "v21.0", local_storage: null, templates: 0, last_error: null,
      }];
      handlers.set_aside_webhooks = () => [
        { id: 4, channel: "whatsapp", reason: "a message in a WhatsApp group (group chats are not handled here)",
          raw: '{"group_id":"120363025246125486@g.us","text":{"body":"hi group"}}', received_at: 1_700_000_000 },
      ];
      await openChannels();
      const btn = $<HTMLButtonElement>("#webhook-aside-3");
      expect(btn.getAttribute("aria-expanded")).toBe("false");
      btn.click();
      await tick();
      expect(calls.find((c) => c.cmd === "set_aside_webhooks")!.args).toEqual({ id: 3 });
      const panel = $("#webhook-aside-panel-3");
      expect(Array.from(panel.querySelectorAll("th")).map((th) => th.textContent)).toEqual(["Received", "Reason", "What Meta sent"]);
      expect(panel.querySelector("td.detail")!.textContent).toBe("a message in a WhatsApp group (group chats are not handled here)");
      expect(panel.querySelector("pre.raw")!.textContent).toContain("hi group");
      expect($("#webhook-aside-3").getAttribute("aria-expanded")).toBe("true");
      $("#webhook-aside-3").click();
      await tick();
      expect($("#webhook-aside-panel-3")).toBeNull();
    });

    it("follows sync progress from live events, re-reading at most about twice a second", async () => {
      channelFakes();
      let done = 1234;
      let setAside = 2;
      handlers.list_channels = () => [mailbox(7, {}, {
        folders: [{ folder: "INBOX", state: "syncing", total: 3000, done, last_error: "", synced_at: null,
          offered: done, stored: done, set_aside: 0, duplicates: 0 }], set_aside: setAside,
      })];
      await openChannels();
      handlers.set_aside_mail = () => [];
      $("#set-aside-7").click();
      await tick();
      expect($("#set-aside-panel-7").textContent).toContain("Nothing is set aside any more.");
      const fetches = () => calls.filter((c) => c.cmd === "list_channels").length;
      const before = fetches();
      for (let i = 0; i < 10; i++) { done += 100; emit("core-event", { kind: "channels_changed" }); }
      emit("core-event", { kind: "message_received", conversation: 1, message: 2 });
      await tick();
      expect(fetches()).toBe(before + 1);
      expect($('.mail-sync-state[data-folder="INBOX"]').textContent).toBe("Syncing: 2,234 of 3,000");
      done = 3000;
      setAside = 3;
      handlers.set_aside_mail = () => [{ id: 3, folder: "INBOX", uid: 40, reason: "no sender address", from_address: "",
        subject: "Hi", size: 100, created_at: 1_700_000_000 }];
      emit("core-event", { kind: "channels_changed" });
      await tick();
      expect(fetches()).toBe(before + 1); // held back: the last re-read was just now
      await new Promise((r) => setTimeout(r, 550));
      await tick();
      expect(fetches()).toBe(before + 2);
      expect($('progress.mail-progress[data-folder="INBOX"]').getAttribute("value")).toBe("3000");
      // The open set-aside table survives the card being rebuilt, and is re-read when more mail was set aside.
      expect($("#set-aside-7").textContent).toBe("3 set aside");
      expect($("#set-aside-panel-7").textContent).toContain("no sender address");
      expect(calls.filter((c) => c.cmd === "set_aside_mail").length).toBe(2);
      await new Promise((r) => setTimeout(r, 550));
      expect(fetches()).toBe(before + 2);
    });

    it("connects a mailbox with exactly the fields typed, shows the core's refusal, and clears the password", async () => {
      channelFakes();
      handlers.list_channels = () => [];
      await openChannels();
      for (const id of ["mail-name", "mail-address", "mail-display-name", "mail-imap-host", "mail-imap-port", "mail-imap-security",
        "mail-smtp-host", "mail-smtp-port", "mail-smtp-security", "mail-username", "mail-password", "mail-folder",
        "mail-sent-folder", "mail-ca"]) {
        expect(document.querySelector(`label[for="${id}"]`), id).not.toBeNull();
      }
      expect($("#mail-password").getAttribute("type")).toBe("password");
      expect($("#mail-password").getAttribute("autocomplete")).toBe("off");
      expect($<HTMLInputElement>("#mail-username").placeholder).toBe("same as the address");
      expect($<HTMLInputElement>("#mail-folder").placeholder).toBe("INBOX");
      expect($<HTMLInputElement>("#mail-sent-folder").placeholder).toBe("Sent");
      expect($("#mail-error").getAttribute("role")).toBe("alert");
      expect($("#mail-submit").getAttribute("type")).toBe("submit");

      // Ports follow the security choice.
      const imapPort = $<HTMLInputElement>("#mail-imap-port");
      const smtpPort = $<HTMLInputElement>("#mail-smtp-port");
      expect([imapPort.value, smtpPort.value]).toEqual(["993", "465"]);
      const choose = (id: string, v: string) => { const s = $<HTMLSelectElement>(`#${id}`); s.value = v; s.dispatchEvent(new Event("change")); };
      choose("mail-imap-security", "starttls");
      choose("mail-smtp-security", "starttls");
      expect([imapPort.value, smtpPort.value]).toEqual(["143", "587"]);
      choose("mail-imap-security", "tls");
      expect(imapPort.value).toBe("993");

      const set = (id: string, v: string) => { $<HTMLInputElement>(`#${id}`).value = v; };
      set("mail-name", "Support");
      set("mail-address", "help@example.com");
      set("mail-imap-host", "imap.example.com");
      set("mail-smtp-host", "smtp.example.com");
      submitForm("#mail-form");
      expect(fieldError("#mail-password")).toMatch(/password/);
      expect($("#mail-password").getAttribute("aria-invalid")).toBe("true");
      expect(document.activeElement).toBe($("#mail-password"));
      expect(calls.some((c) => c.cmd === "add_email_account")).toBe(false);

      set("mail-password", "s3cret pass");
      let release: () => void = () => {};
      handlers.add_email_account = () => new Promise((_, reject) => {
        release = () => reject({ code: "invalid_input", message: "IMAP server: write the server's name, like imap.example.com" });
      });
      submitForm("#mail-form");
      await tick();
      expect($<HTMLButtonElement>("#mail-submit").disabled).toBe(true);
      submitForm("#mail-form"); // Enter again while busy does nothing
      await tick();
      expect(calls.filter((c) => c.cmd === "add_email_account").length).toBe(1);
      release();
      await tick();
      expect(fieldError("#mail-imap-host")).toBe("Write the server's name, like imap.example.com.");
      expect($("#mail-imap-host").getAttribute("aria-invalid")).toBe("true");
      expect($<HTMLButtonElement>("#mail-submit").disabled).toBe(false);
      expect($<HTMLInputElement>("#mail-password").value).toBe("s3cret pass"); // kept to fix the typo

      handlers.add_email_account = (a) => mailbox(12, { name: (a!.account as { name: string }).name }, { folders: [], set_aside: 0 });
      $<HTMLSelectElement>("#mail-team").value = "5";
      submitForm("#mail-form");
      await tick();
      expect(calls.filter((c) => c.cmd === "add_email_account").at(-1)!.args).toEqual({ account: {
        name: "Support", address: "help@example.com", display_name: "", imap_host: "imap.example.com", imap_port: 993,
        imap_security: "tls", smtp_host: "smtp.example.com", smtp_port: 587, smtp_security: "starttls", username: "",
        password: "s3cret pass", folder: "", sent_folder: "", ca_pem: null, default_team: 5,
      } });
      expect($("#mail-error").textContent).toBe("");
      expect($<HTMLInputElement>("#mail-password").value).toBe("");
      expect($('[data-channel-id="12"]').textContent).toContain("Support");
      expect($('[data-channel-id="12"] [data-field="sync"]').textContent).toBe("Waiting to connect");
      expect($("#set-aside-12")).toBeNull();
      expect($("#channels-done").textContent).toMatch(/Connected Support/);
    });
  });

  it("finds a contact, exports it with notes, and erases it only after the name is typed", async () => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.list_conversations = () => ({ rows: [], next: null });
    const kim = { id: 5, name: "Kim Jansen", identities: ["whatsapp: 16505551234", "email: kim@example.com"], conversations: 2, messages: 14 };
    const other = { id: 6, name: "Kim Berg", identities: ["messenger: 7001"], conversations: 1, messages: 1 };
    handlers.find_contacts = () => [kim, other];
    handlers.export_contact = () => ({ folder: "/home/ada/Downloads/Kim Jansen 2024-03-05", conversations: 2, messages: 14, files: 3 });
    handlers.erase_contact = () => { throw { code: "conflict", message: "Someone is replying to this customer right now." }; };
    stop = startApp(root);
    await tick();
    const navIds = Array.from(document.querySelectorAll(".sidenav button")).map((b) => b.id);
    expect(navIds.slice(-5)).toEqual(["nav-settings", "nav-privacy", "nav-residency", "nav-audit", "nav-about"]);
    $("#nav-privacy").click();
    await tick();
    $<HTMLInputElement>("#privacy-query").value = "k";
    submitForm("#privacy-form");
    expect(fieldError("#privacy-query")).toMatch(/at least two characters/);
    expect(calls.some((c) => c.cmd === "find_contacts")).toBe(false);
    $<HTMLInputElement>("#privacy-query").value = " Kim ";
    submitForm("#privacy-form");
    await tick();
    expect(calls.find((c) => c.cmd === "find_contacts")!.args).toEqual({ query: "Kim" });
    const card = $('[data-contact-id="5"]');
    expect(card.querySelector(".contact-name")!.textContent).toBe("Kim Jansen");
    expect(card.querySelector('[data-field="counts"]')!.textContent).toBe("2 conversations · 14 messages");
    expect(Array.from(card.querySelectorAll(".identities li")).map((li) => li.textContent)).toEqual(["WhatsApp 16505551234", "Email kim@example.com"]);

    // Export, with internal notes.
    expect($("#export-panel-5").hidden).toBe(true);
    $("#export-open-5").click();
    expect($("#export-panel-5").hidden).toBe(false);
    expect($("#export-open-5").getAttribute("aria-expanded")).toBe("true");
    $<HTMLInputElement>("#export-notes-5").checked = true;
    $("#export-run-5").click();
    await tick();
    expect(calls.find((c) => c.cmd === "export_contact")!.args).toEqual({ contact: 5, include_notes: true });
    expect($("#privacy-done").textContent).toBe(
      "Exported Kim Jansen: 2 conversations, 14 messages and 3 files, to /home/ada/Downloads/Kim Jansen 2024-03-05.");
    expect($("#export-panel-5").hidden).toBe(true);

    // Erase: explained, and locked until the exact name is typed.
    $("#erase-open-5").click();
    const dialog = $("#erase-dialog");
    expect(dialog.getAttribute("role")).toBe("dialog");
    expect(dialog.textContent).toContain("2 conversations and their 14 messages");
    for (const words of ["attachment", "search index", "internal notes", "the contact itself", "cannot be undone"]) {
      expect(dialog.textContent).toContain(words);
    }
    expect(document.activeElement).toBe($("#erase-confirm"));
    const confirm = $<HTMLInputElement>("#erase-confirm");
    const type = (v: string) => { confirm.value = v; confirm.dispatchEvent(new Event("input")); };
    expect($<HTMLButtonElement>("#erase-submit").disabled).toBe(true);
    type("kim jansen");
    expect($<HTMLButtonElement>("#erase-submit").disabled).toBe(true);
    type("Kim Jansen");
    expect($<HTMLButtonElement>("#erase-submit").disabled).toBe(false);
    submitForm("#erase-dialog form");
    await tick();
    expect($("#erase-error").textContent).toBe("Someone is replying to this customer right now.");
    expect($<HTMLButtonElement>("#erase-submit").disabled).toBe(false);
    handlers.erase_contact = () => ({ conversations: 2, messages: 14, attachments: 3 });
    submitForm("#erase-dialog form");
    await tick();
    expect(calls.filter((c) => c.cmd === "erase_contact").at(-1)!.args).toEqual({ contact: 5 });
    expect($("#erase-dialog")).toBeNull();
    expect($('[data-contact-id="5"]')).toBeNull();
    expect($('[data-contact-id="6"]')).not.toBeNull();
    expect($("#privacy-done").textContent).toBe("Erased Kim Jansen: 2 conversations, 14 messages and 3 attachments deleted.");
  });

  it("shows where the data lives and saves allowed hosts, retention and backups", async () => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.list_conversations = () => ({ rows: [], next: null });
    const retention = { whatsapp_days: 0, messenger_days: 365, email_days: 730 };
    const report = (backups: string[] = []) => ({
      region: "European Union (Frankfurt)", data_folder: "/Users/ada/Appcare", volume: "Macintosh HD (encrypted)",
      database_bytes: 12 * 1024 * 1024, attachments_bytes: 3.4 * 1024 ** 3, key_store: "macOS Keychain",
      channel_accounts: ["WhatsApp +31 6 1234 5678: messages stored by Meta in DE"], mail_servers: [], hub: null,
      backups, allowed_hosts: ["graph.facebook.com"], retention,
    });
    handlers.residency_report = () => report();
    handlers.egress_allowlist = () => ({ hosts: ["graph.facebook.com", "*.fbcdn.net"] });
    handlers.set_egress_allowlist = (a) => ({ hosts: (a!.hosts as string[]).map((h) => h.toLowerCase()) });
    handlers.retention_policy = () => retention;
    handlers.set_retention_policy = (a) => a!.policy;
    handlers.backup_schedule = () => ({ folder: null, every_hours: 24, keep: 7, has_passphrase: false, last_backup_at: null, last_error: null });
    handlers.set_backup_schedule = (a) => ({ folder: a!.folder, every_hours: a!.every_hours, keep: a!.keep, has_passphrase: true,
      last_backup_at: null, last_error: null });
    stop = startApp(root);
    await tick();
    $("#nav-residency").click();
    await tick();
    const f = (k: string) => $(`#residency-report [data-field="${k}"]`).textContent;
    expect(f("region")).toBe("European Union (Frankfurt)");
    expect(f("data_folder")).toBe("/Users/ada/Appcare on Macintosh HD (encrypted)");
    expect(f("sizes")).toBe("3.4 GB (database 12 MB, attachments 3.4 GB)");
    expect(f("key_store")).toBe("macOS Keychain");
    expect(f("channel_accounts")).toBe("WhatsApp +31 6 1234 5678: messages stored by Meta in DE");
    expect(f("mail_servers")).toBe("None connected");
    expect(f("hub")).toBe("Embedded: this computer only");
    expect(f("backups")).toBe("None");

    // Allowed hosts: one per line, the stored (normalised) list comes back.
    const hosts = $<HTMLTextAreaElement>("#egress-hosts");
    expect(hosts.value).toBe("graph.facebook.com\n*.fbcdn.net");
    expect($("#egress-form").textContent).toMatch(/refused and recorded in the audit log/);
    hosts.value = "Graph.Facebook.com\n\n*.FBCDN.net\n";
    submitForm("#egress-form");
    await tick();
    expect(calls.find((c) => c.cmd === "set_egress_allowlist")!.args).toEqual({ hosts: ["Graph.Facebook.com", "*.FBCDN.net"] });
    expect(hosts.value).toBe("graph.facebook.com\n*.fbcdn.net");
    expect($("#egress-saved").textContent).toBe("Saved. 2 hosts allowed: graph.facebook.com, *.fbcdn.net.");

    // Retention: 0 to 3650, checked before anything is sent.
    expect($<HTMLInputElement>("#ret-whatsapp").value).toBe("0");
    $<HTMLInputElement>("#ret-messenger").value = "4000";
    submitForm("#retention-form");
    expect(fieldError("#ret-messenger")).toMatch(/^Messenger days must be a whole number from 0 to 3650/);
    expect($("#ret-messenger").getAttribute("aria-invalid")).toBe("true");
    expect(calls.some((c) => c.cmd === "set_retention_policy")).toBe(false);
    $<HTMLInputElement>("#ret-messenger").value = "90";
    submitForm("#retention-form");
    await tick();
    expect(calls.find((c) => c.cmd === "set_retention_policy")!.args).toEqual({ policy: { whatsapp_days: 0, messenger_days: 90, email_days: 730 } });
    expect($("#retention-saved").textContent).toMatch(/WhatsApp messages are kept forever, Messenger messages deleted after 90 days/);

    // Backups: a passphrase is needed the first time, twice, at least 12 characters.
    expect($('#backup-state [data-field="last_backup"]').textContent).toBe("Off Last backup: never");
    $<HTMLInputElement>("#backup-folder").value = "/Volumes/Backup";
    submitForm("#backup-form");
    expect(fieldError("#backup-passphrase")).toMatch(/Choose a passphrase/);
    expect(document.activeElement).toBe($("#backup-passphrase"));
    $<HTMLInputElement>("#backup-passphrase").value = "correct horse battery";
    $<HTMLInputElement>("#backup-passphrase2").value = "correct horse batterY";
    submitForm("#backup-form");
    expect(fieldError("#backup-passphrase2")).toBe("The two passphrases do not match.");
    expect(calls.some((c) => c.cmd === "set_backup_schedule")).toBe(false);
    $<HTMLInputElement>("#backup-passphrase2").value = "correct horse battery";
    handlers.residency_report = () => report(["/Volumes/Backup: every 24 hours, 7 kept"]);
    submitForm("#backup-form");
    await tick();
    expect(calls.find((c) => c.cmd === "set_backup_schedule")!.args).toEqual({
      folder: "/Volumes/Backup", every_hours: 24, keep: 7, passphrase: "correct horse battery" });
    expect($<HTMLInputElement>("#backup-passphrase").value).toBe("");
    expect($<HTMLInputElement>("#backup-passphrase2").value).toBe("");
    expect($("#backup-saved").textContent).toBe("Saved. A backup is made every 24 hours; the last 7 are kept.");
    expect($("#backup-passphrase-hint").textContent).toMatch(/Leave both fields empty to keep it/);
    expect(f("backups")).toBe("/Volumes/Backup: every 24 hours, 7 kept");
    // With a stored passphrase, saving without one sends null (keep it).
    $<HTMLInputElement>("#backup-keep").value = "14";
    submitForm("#backup-form");
    await tick();
    expect(calls.filter((c) => c.cmd === "set_backup_schedule").at(-1)!.args).toEqual({
      folder: "/Volumes/Backup", every_hours: 24, keep: 14, passphrase: null });
  });

  it("filters and exports the audit log, keeping the chain status", async () => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.list_conversations = () => ({ rows: [], next: null });
    handlers.verify_audit = () => ({ intact: true, rows: 40, first_broken_row: null, message: "The audit log is intact." });
    const entry = (id: number, kind: string, subject: string) => ({ id, at: 1_709_280_000 + id, actor: "ada", kind, subject, detail: "" });
    handlers.recent_audit = () => [entry(2, "sign_in", "user:1"), entry(1, "contact_erased", "contact:5")];
    handlers.search_audit = () => [entry(1, "contact_erased", "contact:5")];
    handlers.export_audit = () => ({ path: "/home/ada/Downloads/audit-2024-03-31.json", rows: 1 });
    stop = startApp(root);
    await tick();
    $("#nav-audit").click();
    await tick();
    expect($("#audit-status").textContent).toBe("The audit log is intact.");
    expect(document.querySelectorAll("#audit-table tbody tr").length).toBe(2);
    expect(Array.from(document.querySelectorAll("#af-kinds option")).map((o) => o.getAttribute("value"))).toEqual(["contact_erased", "sign_in"]);
    expect($("#af-kind").getAttribute("list")).toBe("af-kinds");
    const set = (id: string, v: string) => { $<HTMLInputElement>(`#${id}`).value = v; };
    set("af-user", "ada");
    set("af-kind", "contact_erased");
    set("af-from", "2024-03-01");
    set("af-to", "2024-02-01");
    submitForm("#audit-filter");
    expect(fieldError("#af-to")).toBe("The “to” date is before the “from” date.");
    expect(calls.some((c) => c.cmd === "search_audit")).toBe(false);
    set("af-to", "2024-03-31");
    submitForm("#audit-filter");
    await tick();
    const filter = {
      user: "ada", subject: null, kind: "contact_erased",
      from: new Date(2024, 2, 1).getTime() / 1000, to: new Date(2024, 3, 1).getTime() / 1000 - 1, limit: 1000,
    };
    expect(calls.find((c) => c.cmd === "search_audit")!.args).toEqual({ filter });
    expect(Array.from(document.querySelectorAll("#audit-table tbody tr")).map((r) => r.getAttribute("data-id"))).toEqual(["1"]);
    expect($("#audit-count").textContent).toBe("1 matching event.");
    $("#af-export").click();
    await tick();
    expect(calls.find((c) => c.cmd === "export_audit")!.args).toEqual({ filter });
    expect($("#audit-exported").textContent).toBe("Exported 1 event to /home/ada/Downloads/audit-2024-03-31.json.");
    expect($("#audit-status")).not.toBeNull();

    // The filter stays when the chain is checked again; Clear goes back to the latest events.
    $("#audit-refresh").click();
    await tick();
    expect($<HTMLInputElement>("#af-user").value).toBe("ada");
    expect(calls.filter((c) => c.cmd === "search_audit").length).toBe(2);
    $("#af-clear").click();
    await tick();
    expect($<HTMLInputElement>("#af-user").value).toBe("");
    expect(document.querySelectorAll("#audit-table tbody tr").length).toBe(2);
    expect($("#audit-count").textContent).toBe("40 events recorded. Showing the latest 2.");
  });

  describe("inbox", () => {
    const agent = { user_id: 3, username: "sam", display_name: "Sam Agent", role: "agent", teams: [5] };
    const nowS = () => Math.floor(Date.now() / 1000);
    const summary = (id: number, extra: Record<string, unknown> = {}) => ({
      id, version: 4, contact_id: 100 + id, contact_name: `Customer ${id}`, channel: "whatsapp", subject: "",
      preview: `Preview ${id}`, status: "open", snoozed_until: null, assignee_id: 3, assignee_name: "Sam Agent",
      team_id: 5, team_name: "Billing", unread: 1, last_activity_at: nowS() - 120, waiting_since: nowS() - 600,
      reply_window_ends_at: nowS() + 5 * 3600 + 600, ...extra,
    });
    const conversation = (id: number, extra: Record<string, unknown> = {}) => ({
      summary: summary(id, { unread: 0 }),
      messages: [{ id: 900, direction: "in", author: null, body: "Where is my refund?", status: "received", at: nowS() - 300,
        attachments: [{ id: 1, file_name: "receipt.pdf", mime_type: "application/pdf", size: 2048 }], quote: null, reactions: [] }],
      has_older: false,
      notes: [{ id: 70, author: "Bob", body: "Customer wants a refund", is_handoff: true, at: nowS() - 200 }],
      handoff: { id: 70, author: "Bob", body: "Customer wants a refund", is_handoff: true, at: nowS() - 200 },
      labels: ["refund"],
      can_act: true,
      sample: false, drafts: [],
      ...extra,
    });

    function fakes() {
      handlers.app_status = () => status("signed_in", agent);
      handlers.list_conversations = () => ({ rows: [summary(11), summary(12, { assignee_id: null, assignee_name: null, channel: "email", reply_window_ends_at: null })], next: null });
      handlers.open_conversation = (a) => conversation(a!.id as number);
      handlers.list_colleagues = () => [
        { id: 3, display_name: "Sam Agent", role: "agent", available: true, teams: [5] },
        { id: 2, display_name: "Bob", role: "agent", available: false, teams: [5] },
      ];
      handlers.list_teams = () => [{ id: 5, name: "Billing", members: 2 }];
      handlers.list_canned_replies = () => [];
      handlers.reply = (a) => ({ id: 901, direction: "out", author: "Sam Agent", body: a!.body, status: "queued", at: nowS(), attachments: [], quote: null, reactions: [] });
      handlers.transfer = () => summary(11, { assignee_id: 2, assignee_name: "Bob" });
      // The customer panel beside the open conversation: a small one.
      handlers.contact_panel = (a) => ({ id: a!.contact, name: `Customer ${(a!.contact as number) - 100}`,
        identities: [{ channel: "whatsapp", address: "+49 170 1234567" }], do_not_contact: false,
        conversations: [summary((a!.contact as number) - 100)], not_shown: 0, can_edit: false, consent: [] });
    }

    it("opens a conversation, shows the handoff, replies, and requires a transfer note", async () => {
      fakes();
      stop = startApp(root);
      await tick();
      expect($("#nav-inbox").getAttribute("aria-current")).toBe("page");
      const row = $('#conversation-list [data-conversation-id="11"]');
      expect(row.textContent).toContain("Customer 11");
      expect(row.textContent).toContain("WhatsApp");
      expect(row.textContent).toContain("5h left");
      expect($('#conversation-list [data-conversation-id="12"]').textContent).toContain("Unassigned");
      expect(calls.find((c) => c.cmd === "list_conversations")!.args).toEqual({
        query: { view: "mine", status: null, channel: null, team: null, label: null, priority: null, sort: "activity", after: null },
      });
      // Agents tick conversations for bulk changes too (reassigning stays with leads).
      expect(row.querySelector(".row-check")).not.toBeNull();
      // The team filter lists the teams and narrows the query to one.
      const team = $<HTMLSelectElement>("#filter-team");
      expect(Array.from(team.options).map((o) => o.textContent)).toEqual(["Any", "Billing"]);
      team.value = "5";
      team.dispatchEvent(new Event("change"));
      await tick();
      expect(calls.filter((c) => c.cmd === "list_conversations").at(-1)!.args).toEqual({
        query: { view: "mine", status: null, channel: null, team: 5, label: null, priority: null, sort: "activity", after: null },
      });

      // The list was re-rendered by the filter change: click the row as it is now.
      $('#conversation-list [data-conversation-id="11"]').click();
      await tick();
      expect(calls.find((c) => c.cmd === "open_conversation")!.args).toEqual({ id: 11, before: null });
      expect($('[data-conversation-id="11"]').classList.contains("selected")).toBe(true);
      expect($("#handoff-note").textContent).toBe("Handed over by Bob: Customer wants a refund");
      expect($("#messages .note").textContent).toContain("Handoff note");
      expect($("#messages .msg.in").textContent).toContain("receipt.pdf");
      expect($<HTMLInputElement>("#labels-input").value).toBe("refund");
      // The customer beside it, asked for by the conversation's contact.
      expect(calls.filter((c) => c.cmd === "contact_panel").map((c) => c.args)).toEqual([{ contact: 111 }]);
      expect($("#customer-name").textContent).toBe("Customer 11");
      expect($<HTMLButtonElement>("#customer-rename").hidden).toBe(true);

      // Empty reply is refused without a command; then Ctrl+Enter sends.
      $<HTMLButtonElement>("#composer-send").click();
      await tick();
      expect(calls.some((c) => c.cmd === "reply")).toBe(false);
      expect(fieldError("#composer-text")).toMatch(/Write a reply/);
      const text = $<HTMLTextAreaElement>("#composer-text");
      text.value = "  Your refund is on its way.  ";
      text.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true }));
      await tick();
      expect(calls.filter((c) => c.cmd === "reply").map((c) => c.args)).toEqual([{ id: 11, body: "Your refund is on its way.", attachment: null, guard: expect.objectContaining({ version: expect.any(Number) }) }]);
      expect($('#messages .msg.out[data-message-id="901"]').textContent).toContain("Your refund is on its way.");
      expect(text.value).toBe("");

      // Transfer: the note is required.
      $("#transfer-button").click();
      await tick();
      const dialog = $("#transfer-dialog");
      expect(dialog.getAttribute("role")).toBe("dialog");
      const target = $<HTMLSelectElement>("#transfer-target");
      const values = Array.from(target.options).map((o) => o.value);
      expect(values).toEqual(["", "agent:2", "team:5"]);
      expect(target.options[1].textContent).toBe("Bob (away)");
      target.value = "agent:2";
      $<HTMLButtonElement>("#transfer-submit").click();
      await tick();
      expect(fieldError("#transfer-note")).toMatch(/note/i);
      expect($("#transfer-note").getAttribute("aria-invalid")).toBe("true");
      expect(calls.some((c) => c.cmd === "transfer")).toBe(false);
      $<HTMLTextAreaElement>("#transfer-note").value = "Refund approved, needs the bank details.";
      $<HTMLButtonElement>("#transfer-submit").click();
      await tick();
      expect(calls.find((c) => c.cmd === "transfer")!.args).toEqual({
        conversation: { id: 11, version: 4 }, target: { kind: "agent", id: 2 }, note: "Refund approved, needs the bank details.",
      });
      expect($("#transfer-dialog")).toBeNull();
      expect($("#handoff-note")).toBeNull();
      expect($("#toast").textContent).toContain("Transferred Customer 11 to Bob");
    });

    it("saves the draft before Ctrl+L, says it was locked by hand, and unlocking returns to the same conversation and draft", async () => {
      fakes();
      handlers.session_policy = () => ({ idle_minutes: 15, absolute_hours: 12 });
      // The store's side: drafts saved come back with the conversation.
      const stored = new Map<number, { mode: string; body: string; updated_at: number }[]>();
      handlers.save_draft = (a) => {
        const rest = (stored.get(a!.id as number) ?? []).filter((d) => d.mode !== a!.mode);
        stored.set(a!.id as number, a!.body ? [{ mode: a!.mode as string, body: a!.body as string, updated_at: nowS() }, ...rest] : rest);
        return null;
      };
      handlers.open_conversation = (a) => conversation(a!.id as number, { drafts: stored.get(a!.id as number) ?? [] });
      handlers.lock = () => status("locked", agent);
      handlers.unlock = () => status("signed_in", agent);
      stop = startApp(root);
      await tick();
      $('#conversation-list [data-conversation-id="11"]').click();
      await tick();
      const text = $<HTMLTextAreaElement>("#composer-text");
      text.value = "Half a reply";
      text.dispatchEvent(new Event("input"));
      // Ctrl+L at once, before the typing pause would have saved it.
      text.dispatchEvent(new KeyboardEvent("keydown", { key: "l", ctrlKey: true, bubbles: true, cancelable: true }));
      await tick();
      const order = calls.map((c) => c.cmd).filter((c) => c === "save_draft" || c === "lock");
      expect(order).toEqual(["save_draft", "lock"]);
      expect(calls.find((c) => c.cmd === "save_draft")!.args).toEqual({ id: 11, mode: "reply", body: "Half a reply" });
      expect($("#lock-screen h1").textContent).toBe("Locked");
      expect($("#app-shell")).toBeNull();
      expect(document.body.textContent).not.toContain("Half a reply");

      $<HTMLInputElement>("#unlock-code").value = "123456";
      submitForm("#unlock-form");
      await tick();
      await tick();
      expect($("#app-shell")).not.toBeNull();
      expect(calls.filter((c) => c.cmd === "open_conversation").map((c) => c.args!.id)).toEqual([11, 11]);
      expect($('[data-conversation-id="11"]').classList.contains("selected")).toBe(true);
      expect($<HTMLTextAreaElement>("#composer-text").value).toBe("Half a reply");
      // Never the web view's storage.
      expect(localStorage.length + sessionStorage.length).toBe(0);

      // Idle: the session locked by itself, and the lock screen says after how long.
      handlers.open_conversation = () => { throw { code: "session_locked", message: "Locked." }; };
      handlers.app_status = () => status("locked", agent);
      $('#conversation-list [data-conversation-id="12"]').click();
      await tick();
      expect($("#lock-screen h1").textContent).toBe("Locked after 15 minutes of inactivity");
    });

    it("folds the navigation rail with its button or b, and a lock and unlock keeps both rails folded", async () => {
      fakes();
      handlers.lock = () => status("locked", agent);
      handlers.unlock = () => status("signed_in", agent);
      stop = startApp(root);
      await tick();
      const toggle = $<HTMLButtonElement>("#nav-toggle");
      expect(toggle.getAttribute("aria-label")).toBe("Navigation");
      expect(toggle.getAttribute("aria-controls")).toBe("nav-items");
      expect(toggle.getAttribute("aria-expanded")).toBe("true");
      toggle.click();
      expect(toggle.getAttribute("aria-expanded")).toBe("false");
      expect($("#nav-items").hidden).toBe(true);
      expect($("#nav-rail").classList.contains("collapsed")).toBe(true);
      toggle.click();
      expect($("#nav-items").hidden).toBe(false);
      // b in the inbox folds both rails.
      document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "b", bubbles: true, cancelable: true }));
      expect($("#nav-toggle").getAttribute("aria-expanded")).toBe("false");
      expect($("#side-toggle").getAttribute("aria-expanded")).toBe("false");
      // Another page keeps the shell's rail folded.
      $("#nav-overview").click();
      await tick();
      expect($("#nav-items").hidden).toBe(true);
      $("#nav-inbox").click();
      await tick();

      document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "l", ctrlKey: true, bubbles: true, cancelable: true }));
      await tick();
      expect($("#lock-screen")).not.toBeNull();
      $<HTMLInputElement>("#unlock-code").value = "123456";
      submitForm("#unlock-form");
      await tick();
      await tick();
      expect($("#nav-toggle").getAttribute("aria-expanded")).toBe("false");
      expect($("#nav-items").hidden).toBe(true);
      expect($("#side-toggle").getAttribute("aria-expanded")).toBe("false");
      expect($("#inbox-side-body").hidden).toBe(true);
      // Kept in the app's memory, never in the web view's storage.
      expect(localStorage.length + sessionStorage.length).toBe(0);
    });

    it("closes the transfer dialog with Esc, and j / k move through the list", async () => {
      fakes();
      stop = startApp(root);
      await tick();
      document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "j", bubbles: true }));
      await new Promise((r) => setTimeout(r, 200));
      await tick();
      expect($('[data-conversation-id="11"]').getAttribute("aria-selected")).toBe("true");
      expect($("#conversation-contact, #conv-contact").textContent).toBe("Customer 11");
      // Typing in a field is not a shortcut.
      const text = $<HTMLTextAreaElement>("#composer-text");
      text.dispatchEvent(new KeyboardEvent("keydown", { key: "j", bubbles: true }));
      await new Promise((r) => setTimeout(r, 200));
      expect($('[data-conversation-id="11"]').getAttribute("aria-selected")).toBe("true");
      document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "t", bubbles: true }));
      await tick();
      expect($("#transfer-dialog")).not.toBeNull();
      $("#transfer-target").dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
      expect($("#transfer-dialog")).toBeNull();
      document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "?", bubbles: true }));
      expect($("#shortcuts-help").hidden).toBe(false);
    });

    it("shows a handoff notice that opens the conversation, and refreshes on live events", async () => {
      fakes();
      stop = startApp(root);
      await tick();
      expect(listeners["core-event"]).toBeDefined();
      emit("handoff-notice", { conversation: 12, from_name: "Bob" });
      expect($("#toast").textContent).toContain("Bob handed you a conversation");
      $("#toast-action").click();
      await tick();
      expect(calls.filter((c) => c.cmd === "open_conversation").map((c) => c.args)).toEqual([{ id: 12, before: null }]);
      const lists = () => calls.filter((c) => c.cmd === "list_conversations").length;
      const opens = () => calls.filter((c) => c.cmd === "open_conversation").length;
      const before = lists();
      emit("core-event", { kind: "message_received", conversation: 12, message: 5 });
      emit("core-event", { kind: "note_added", conversation: 12 });
      await new Promise((r) => setTimeout(r, 250));
      await tick();
      expect(lists()).toBe(before + 1); // one debounced refresh for the whole burst (handoff + two events)
      expect(opens()).toBe(2);
      // Leaving the shell stops listening.
      handlers.lock = () => status("locked", agent);
      $("#lock-button").click();
      await tick();
      expect(listeners["core-event"]).toBeUndefined();
      expect(listeners["handoff-notice"]).toBeUndefined();
    });

    it("outside the WhatsApp window, sends a template with its parameters instead of free text", async () => {
      fakes();
      handlers.open_conversation = (a) => conversation(a!.id as number, {
        window: { channel: "whatsapp", open: false, closes_at: nowS() - 60, needs_template: true, tagged: false },
      });
      handlers.list_templates = () => [
        { name: "order_update", language: "en_US", category: "UTILITY", body: "Hello {{1}}, order {{2}} has shipped.", parameters: 2 },
        { name: "hello", language: "nl", category: "MARKETING", body: "Hallo!", parameters: 0 },
        { name: "order_shipped", language: "en_US", category: "UTILITY", body: "Order {{1}} ships today.", parameters: 1,
          header: { format: "text", text: "Hi {{1}}", parameters: 1 },
          buttons: [{ kind: "url", text: "Track", url: "https://shop.example/t/{{1}}", parameters: 1 },
            { kind: "quick_reply", text: "Stop", url: "", parameters: 0 }] },
        { name: "parcel_photo", language: "en_US", category: "UTILITY", body: "Your parcel is on its way.", parameters: 0,
          header: { format: "image", text: "", parameters: 0 }, buttons: [] },
      ];
      let sentId = 950;
      handlers.send_template_message = (a) => ({ id: sentId++, direction: "out", author: "Sam Agent",
        body: `template ${(a!.message as { name: string }).name}`, status: "queued",
        at: nowS(), attachments: [], quote: null, reactions: [], masked: false, failure: null });
      stop = startApp(root);
      await tick();
      $('#conversation-list [data-conversation-id="11"]').click();
      await tick();
      expect(calls.find((c) => c.cmd === "list_templates")!.args).toEqual({ conversation: 11 });
      expect($("#composer-text").hidden).toBe(true);
      expect($("#attach-button").hidden).toBe(true);
      expect($("#template-picker").hidden).toBe(false);
      expect($("#composer-hint").textContent).toMatch(/only allows an approved template/);
      expect($("#conv-window").textContent).toBe("Template only");
      expect($<HTMLButtonElement>("#composer-send").textContent).toBe("Send template");
      expect($<HTMLButtonElement>("#composer-send").disabled).toBe(true);

      const select = $<HTMLSelectElement>("#template-select");
      expect(Array.from(select.options).map((o) => o.textContent)).toEqual([
        "Choose a template…", "order_update (en_US) · UTILITY", "hello (nl) · MARKETING", "order_shipped (en_US) · UTILITY",
        "parcel_photo (en_US) · UTILITY"]);
      select.value = "0";
      select.dispatchEvent(new Event("change"));
      expect($("#template-preview").textContent).toBe("Hello {{1}}, order {{2}} has shipped.");
      const p1 = $<HTMLInputElement>("#template-param-1");
      expect(document.querySelector('label[for="template-param-1"]')!.textContent).toBe("Parameter {{1}}");
      p1.value = "Kim";
      p1.dispatchEvent(new Event("input"));
      expect($("#template-preview").textContent).toBe("Hello Kim, order {{2}} has shipped.");
      // A missing parameter is named, and nothing is sent.
      $<HTMLButtonElement>("#composer-send").click();
      await tick();
      expect(fieldError("#template-param-2")).toBe("Fill in parameter {{2}}.");
      expect($("#template-param-2").getAttribute("aria-invalid")).toBe("true");
      expect(calls.some((c) => c.cmd === "send_template_message")).toBe(false);
      const p2 = $<HTMLInputElement>("#template-param-2");
      p2.value = " A-17 ";
      p2.dispatchEvent(new Event("input"));
      p2.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true }));
      await tick();
      expect(calls.find((c) => c.cmd === "send_template_message")!.args).toEqual({
        id: 11, message: { name: "order_update", language: "en_US", parameters: ["Kim", "A-17"], extras: { header: [], buttons: [] } },
      });
      expect($('#messages .msg.out[data-message-id="950"]').textContent).toContain("template order_update");
      expect($<HTMLSelectElement>("#template-select").value).toBe("");

      // A template with a title and a link button: their values are asked for, previewed and sent.
      const again = $<HTMLSelectElement>("#template-select");
      again.value = "2";
      again.dispatchEvent(new Event("change"));
      expect(document.querySelector('label[for="template-header-value"]')!.textContent).toBe("Title value {{1}}");
      expect(document.querySelector('label[for="template-button-1"]')!.textContent).toBe("Ending of the “Track” link");
      expect($("#template-preview").textContent).toBe("Hi {{1}}Order {{1}} ships today.[Track: https://shop.example/t/{{1}}] [Stop]");
      const only = $<HTMLInputElement>("#template-param-1");
      only.value = "A-17";
      only.dispatchEvent(new Event("input"));
      $<HTMLButtonElement>("#composer-send").click();
      await tick();
      expect(fieldError("#template-header-value")).toBe("Fill in the title's value.");
      const title = $<HTMLInputElement>("#template-header-value");
      title.value = "Kim";
      title.dispatchEvent(new Event("input"));
      const link = $<HTMLInputElement>("#template-button-1");
      link.value = "A17";
      link.dispatchEvent(new Event("input"));
      expect($("#template-preview .template-title").textContent).toBe("Hi Kim");
      expect($("#template-preview .template-buttons").textContent).toBe("[Track: https://shop.example/t/A17] [Stop]");
      $<HTMLButtonElement>("#composer-send").click();
      await tick();
      expect(calls.filter((c) => c.cmd === "send_template_message")[1].args).toEqual({
        id: 11, message: { name: "order_shipped", language: "en_US", parameters: ["A-17"], extras: { header: ["Kim"], buttons: ["A17"] } },
      });

      // A template with a picture at its top: the file is asked for, checked and sent with it.
      const pictured = $<HTMLSelectElement>("#template-select");
      pictured.value = "3";
      pictured.dispatchEvent(new Event("change"));
      const fileInput = $<HTMLInputElement>("#template-header-file");
      expect(fileInput.accept).toBe("image/jpeg,image/png");
      $<HTMLButtonElement>("#composer-send").click();
      await tick();
      expect(fieldError("#template-header-file")).toBe("Choose the picture this template shows at its top.");
      const choose = async (file: File) => {
        Object.defineProperty(fileInput, "files", { value: [file], configurable: true });
        fileInput.dispatchEvent(new Event("change"));
        for (let i = 0; i < 5; i++) await tick();
      };
      await choose(new File(["%PDF"], "terms.pdf", { type: "application/pdf" }));
      expect($("#template-header-file-note").textContent).toBe("Choose a JPEG or PNG picture.");
      await choose(new File([new Uint8Array([137, 80, 78, 71])], "parcel.png", { type: "image/png" }));
      expect($("#template-header-file-note").textContent).toBe("parcel.png · 4 B");
      $<HTMLButtonElement>("#composer-send").click();
      await tick();
      expect(calls.filter((c) => c.cmd === "send_template_message")[2].args).toEqual({
        id: 11, message: { name: "parcel_photo", language: "en_US", parameters: [], extras: { header: [], buttons: [],
          header_file: { file_name: "parcel.png", mime_type: "image/png", data_base64: "iVBORw==" } } },
      });
    });

    it("shows how long free-form replies are allowed, and explains when the customer must write first", async () => {
      fakes();
      let window: unknown = { channel: "messenger", open: true, closes_at: nowS() + 5 * 3600 + 12 * 60 + 30, needs_template: false, tagged: true };
      handlers.open_conversation = (a) => conversation(a!.id as number, { window });
      stop = startApp(root);
      await tick();
      $('#conversation-list [data-conversation-id="11"]').click();
      await tick();
      expect($("#reply-window").hidden).toBe(false);
      expect($("#reply-window").textContent).toBe("Free-form replies for 5 h 12 min (HUMAN_AGENT tag)");
      expect($<HTMLTextAreaElement>("#composer-text").disabled).toBe(false);
      expect($("#attach-button").hidden).toBe(false);
      // The customer has not written for more than 7 days.
      window = { channel: "messenger", open: false, closes_at: nowS() - 10, needs_template: false, tagged: false };
      $('#conversation-list [data-conversation-id="12"]').click();
      await tick();
      expect($("#reply-window").hidden).toBe(true);
      expect($("#composer-mode-note").getAttribute("aria-pressed")).toBe("true");
      $("#composer-mode-reply").click();
      expect($<HTMLTextAreaElement>("#composer-text").disabled).toBe(true);
      expect($<HTMLButtonElement>("#composer-send").disabled).toBe(true);
      expect($("#composer-hint").textContent).toMatch(/Customer 12 must write first/);
      expect(calls.some((c) => c.cmd === "list_templates")).toBe(false);
    });

    it("shows delivery status, explains failures, sends again, and follows status events", async () => {
      fakes();
      const out = (id: number, status: string, failure: string | null = null) => ({
        id, direction: "out", author: "Sam Agent", body: `m${id}`, status, at: nowS() - 100 + id - 900, attachments: [], quote: null, reactions: [], masked: false, failure,
      });
      let msgs = [out(901, "sent"), out(902, "read"), out(903, "failed", "Meta error 131047: outside the 24-hour window: send a template"),
        out(904, "unconfirmed")];
      handlers.open_conversation = (a) => conversation(a!.id as number, { messages: msgs });
      handlers.retry_message = (a) => out(a!.message as number, "queued");
      stop = startApp(root);
      await tick();
      $('#conversation-list [data-conversation-id="11"]').click();
      await tick();
      const msg = (id: number) => $(`#messages [data-message-id="${id}"]`);
      expect(msg(901).querySelector(".msg-status")!.textContent).toBe("Sent✓");
      expect(msg(902).querySelector(".msg-status")!.classList.contains("tone-read")).toBe(true);
      expect(msg(902).querySelector(".tick")!.textContent).toBe("✓✓");
      expect(msg(903).querySelector(".send-problem")!.textContent).toContain("Meta error 131047");
      expect(msg(904).querySelector(".send-problem")!.textContent).toContain("The app stopped while sending this; it may not have reached the customer.");
      expect(msg(901).querySelector("[data-action=retry]")).toBeNull();
      $<HTMLButtonElement>("#retry-903").click();
      await tick();
      expect(calls.find((c) => c.cmd === "retry_message")!.args).toEqual({ message: 903 });
      expect(msg(903).querySelector(".msg-status")!.textContent).toBe("Queued");
      expect(msg(903).querySelector(".send-problem")).toBeNull();
      expect(document.activeElement).toBe(msg(903));

      // A receipt for the open conversation re-reads it, but not the list.
      const lists = () => calls.filter((c) => c.cmd === "list_conversations").length;
      const opens = () => calls.filter((c) => c.cmd === "open_conversation").length;
      const [l0, o0] = [lists(), opens()];
      msgs = [out(901, "delivered"), ...msgs.slice(1)];
      emit("core-event", { kind: "message_status_changed", conversation: 11, message: 901 });
      emit("core-event", { kind: "message_status_changed", conversation: 12, message: 5 });
      await new Promise((r) => setTimeout(r, 250));
      await tick();
      expect(opens()).toBe(o0 + 1);
      expect(lists()).toBe(l0);
      expect(msg(901).querySelector(".msg-status")!.textContent).toBe("Delivered✓✓");
    });

    it("opens an e-mail's formatted version in its own window, and shows the subject", async () => {
      fakes();
      handlers.open_conversation = (a) => conversation(a!.id as number, {
        summary: summary(a!.id as number, { channel: "email", subject: "Refund for order 1042", reply_window_ends_at: null, unread: 0 }),
        messages: [
          { id: 900, direction: "in", author: null, body: "Where is my refund?", status: "received", at: nowS() - 300, attachments: [], quote: null, reactions: [],
            masked: false, failure: null, has_html: true, written_at: 990_000_000 },
          { id: 901, direction: "out", author: "Sam Agent", body: "On its way.", status: "sent", at: nowS() - 200, attachments: [], quote: null, reactions: [],
            masked: false, failure: null, has_html: false, written_at: null },
        ],
        handoff: null, notes: [],
      });
      handlers.open_email_window = () => null;
      stop = startApp(root);
      await tick();
      $('#conversation-list [data-conversation-id="12"]').click();
      await tick();
      expect($("#conv-subject").textContent).toBe("Refund for order 1042");
      // A sender's clock of 2001 is shown as the mail's date, apart from its arrival.
      expect($('[data-message-id="900"] .item-written').textContent).toMatch(/dated .*2001/);
      expect($('[data-message-id="901"] .item-written')).toBeNull();
      const show = $<HTMLButtonElement>('[data-message-id="900"] .show-formatted');
      expect(show.textContent).toBe("Show formatted");
      expect(show.getAttribute("aria-label")).toMatch(/separate window/);
      expect($('[data-message-id="901"] .show-formatted')).toBeNull();
      show.click();
      await tick();
      expect(calls.filter((c) => c.cmd === "open_email_window").map((c) => c.args)).toEqual([{ message: 900 }]);
      expect($("#error").textContent).toBe("");
      handlers.open_email_window = () => { throw { code: "not_found", message: "This e-mail has no formatted version." }; };
      $<HTMLButtonElement>("#show-formatted-900").click();
      await tick();
      expect($("#error").textContent).toBe("This e-mail has no formatted version.");
      expect($<HTMLButtonElement>("#show-formatted-900").disabled).toBe(false);
      // A mailbox's sync progress does not re-read the inbox.
      const reads = calls.filter((c) => c.cmd === "list_conversations" || c.cmd === "open_conversation").length;
      for (let i = 0; i < 5; i++) emit("core-event", { kind: "channels_changed" });
      await new Promise((r) => setTimeout(r, 250));
      await tick();
      expect(calls.filter((c) => c.cmd === "list_conversations" || c.cmd === "open_conversation").length).toBe(reads);
    });

    it("attaches a file to a reply, and refuses one over 16 MB", async () => {
      fakes();
      stop = startApp(root);
      await tick();
      $('#conversation-list [data-conversation-id="11"]').click();
      await tick();
      const fileInput = $<HTMLInputElement>("#attach-input");
      let clicked = 0;
      fileInput.click = () => { clicked++; };
      $("#attach-button").click();
      expect(clicked).toBe(1);
      const choose = async (file: File) => {
        Object.defineProperty(fileInput, "files", { value: [file], configurable: true });
        fileInput.dispatchEvent(new Event("change"));
        await tick();
        await new Promise((r) => setTimeout(r, 20));
        await tick();
      };
      const big = new File(["x"], "big.mp4", { type: "video/mp4" });
      Object.defineProperty(big, "size", { value: 17 * 1024 * 1024 });
      await choose(big);
      expect($("#error").textContent).toBe("“big.mp4” is 17.0 MB. Files can be at most 16 MB.");
      expect($("#attachment-chosen").hidden).toBe(true);

      await choose(new File(["hello"], "note.txt", { type: "text/plain" }));
      expect($("#attachment-chosen").hidden).toBe(false);
      expect($("#attachment-chosen").textContent).toContain("note.txt");
      expect($("#attachment-remove-0").getAttribute("aria-label")).toBe("Remove attachment note.txt");
      // A file alone (no text) can be sent.
      $<HTMLButtonElement>("#composer-send").click();
      await tick();
      expect(calls.find((c) => c.cmd === "reply")!.args).toEqual({
        id: 11, body: "", attachment: { file_name: "note.txt", mime_type: "text/plain", data_base64: btoa("hello") },
        guard: expect.objectContaining({ version: expect.any(Number) }),
      });
      expect($("#attachment-chosen").hidden).toBe(true);

      // Remove takes it off again.
      await choose(new File(["x"], "a.bin"));
      $("#attachment-remove-0").click();
      expect($("#attachment-chosen").hidden).toBe(true);
      expect(document.activeElement).toBe($("#attach-button"));
    });
  });
});

describe("team hub", () => {
  const FP = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().slice(-2)).join(":");
  const HUB_URL = "https://hub.example.org:8787";
  const hub = { url: HUB_URL, fingerprint: FP };
  const probeOk = () => ({ url: HUB_URL, fingerprint: FP, workspace: "acme-support" });
  const keydown = (sel: string, key: string) => $(sel).dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
  const count = (cmd: string) => calls.filter((c) => c.cmd === cmd).length;

  it("opens from the first-run screen, shows progress while checking, then the fingerprint; Cancel comes back", async () => {
    handlers.app_status = () => status("no_workspace");
    handlers.first_run_info = () => ({ default_data_dir: "/home/x/appcare", regions: [{ code: "eu", name: "European Union" }] });
    let answer: (v: unknown) => void = () => {};
    handlers.probe_hub = () => new Promise((r) => { answer = r; });
    stop = startApp(root);
    await tick();
    $<HTMLInputElement>("#fr-username").value = "ada";
    expect($("#hub-open").textContent).toBe("Connect to a team hub");
    $("#hub-open").click();
    await tick();
    expect($("#first-run-form")).toBeNull();
    const url = $<HTMLInputElement>("#hub-url");
    expect(document.activeElement).toBe(url);
    expect(document.querySelector('label[for="hub-url"]')!.textContent).toBe("Hub address");
    expect(url.placeholder).toBe("https://hub.example.org:8787");
    url.value = "  https://hub.example.org:8787 ";
    submitForm("#hub-form");
    expect($<HTMLButtonElement>("#hub-check").disabled).toBe(true);
    expect($("#hub-check").textContent).toBe("Connecting…");
    expect(calls.find((c) => c.cmd === "probe_hub")!.args).toEqual({ url: HUB_URL });
    answer(probeOk());
    await tick();
    expect($<HTMLButtonElement>("#hub-check").disabled).toBe(false);
    expect($("#hub-check").textContent).toBe("Check hub");
    expect($("#hub-fingerprint").textContent).toBe(FP);
    expect($("#hub-fingerprint").classList.contains("mono")).toBe(true);
    expect($("#hub-fingerprint").children.length).toBe(4); // grouped in lines
    expect($("#hub-workspace").textContent).toBe("acme-support");
    expect($("#hub-compare").textContent).toMatch(/appcare serve.*certificate SHA-256 fingerprint.*only if they match/);
    expect($("#hub-trust").textContent).toBe("Trust and connect");
    $("#hub-cancel").click();
    expect($("#hub-form")).toBeNull();
    expect($("#first-run-form")).not.toBeNull();
    expect($<HTMLInputElement>("#fr-username").value).toBe("ada");
    expect(document.activeElement).toBe($("#hub-open"));
    expect(count("connect_hub")).toBe(0);
  });

  it("from sign-in: trusts exactly the probed address and fingerprint, then signs in through the hub", async () => {
    let current = status("signed_out");
    handlers.app_status = () => current;
    handlers.probe_hub = probeOk;
    handlers.connect_hub = () => { current = status("signed_out", null, hub); return current; };
    handlers.begin_sign_in = () => { throw { code: "rate_limited", message: "Too many sign-in attempts. Wait 60 seconds, then try again." }; };
    stop = startApp(root);
    await tick();
    expect($("#hub-banner")).toBeNull();
    expect($("#hub-leave")).toBeNull();
    $("#hub-open").click();
    await tick();
    $<HTMLInputElement>("#hub-url").value = "hub.example.org:8787";
    submitForm("#hub-form");
    await tick();
    expect(calls.find((c) => c.cmd === "probe_hub")!.args).toEqual({ url: "hub.example.org:8787" });
    $("#hub-trust").click();
    await tick();
    expect(calls.filter((c) => c.cmd === "connect_hub").map((c) => c.args)).toEqual([{ url: HUB_URL, fingerprint: FP }]);
    expect($("#sign-in-form")).not.toBeNull();
    expect($("#hub-banner").textContent).toBe(`Team hub: ${HUB_URL}`);
    expect($("#hub-leave").textContent).toBe("Use this computer's workspace instead");
    expect($("#hub-open")).toBeNull();
    // Sign-in errors from the hub (here: too many attempts) show like any other sign-in error.
    $<HTMLInputElement>("#si-username").value = "ada";
    $<HTMLInputElement>("#si-password").value = "pw";
    submitForm("#sign-in-form");
    await tick();
    expect($("#error").textContent).toBe("Too many sign-in attempts. Wait 60 seconds, then try again.");
    expect($("#sign-in-form")).not.toBeNull();
    expect(count("begin_sign_in")).toBe(1);
  });

  it("forgets a checked fingerprint when the address changes", async () => {
    handlers.app_status = () => status("signed_out");
    handlers.probe_hub = probeOk;
    stop = startApp(root);
    await tick();
    $("#hub-open").click();
    $<HTMLInputElement>("#hub-url").value = HUB_URL;
    submitForm("#hub-form");
    await tick();
    expect($("#hub-trust")).not.toBeNull();
    $<HTMLInputElement>("#hub-url").value = "https://other.example.org:8787";
    $("#hub-url").dispatchEvent(new Event("input", { bubbles: true }));
    expect($("#hub-trust")).toBeNull();
    expect($("#hub-result").hidden).toBe(true);
  });

  it("shows why a hub could not be checked, in #hub-error", async () => {
    handlers.app_status = () => status("signed_out");
    handlers.probe_hub = () => { throw { code: "hub_unreachable", message: "The hub at https://hub.example.org:8787 could not be reached." }; };
    stop = startApp(root);
    await tick();
    $("#hub-open").click();
    submitForm("#hub-form");
    expect(fieldError("#hub-url")).toMatch(/Enter the hub's address/);
    $<HTMLInputElement>("#hub-url").value = "http://hub.example.org:8787";
    submitForm("#hub-form");
    expect(fieldError("#hub-url")).toMatch(/HTTPS only/);
    expect(count("probe_hub")).toBe(0);
    $<HTMLInputElement>("#hub-url").value = HUB_URL;
    submitForm("#hub-form");
    await tick();
    expect($("#hub-error").getAttribute("role")).toBe("alert");
    expect($("#hub-error").textContent).toBe("The hub at https://hub.example.org:8787 could not be reached.");
    expect($("#hub-trust")).toBeNull();
    expect($<HTMLButtonElement>("#hub-check").disabled).toBe(false);
    handlers.probe_hub = () => { throw { code: "invalid_input", message: "hub address: give the hub's host name and port, like https://hub.example.org:8787" }; };
    $<HTMLInputElement>("#hub-url").value = "hub/x";
    submitForm("#hub-form");
    await tick();
    expect($("#hub-error").textContent).toMatch(/give the hub's host name and port/);
    // Escape goes back to the sign-in screen.
    keydown("#hub-url", "Escape");
    expect($("#hub-form")).toBeNull();
    expect($("#sign-in-form")).not.toBeNull();
  });

  it("a changed certificate on sign-in stops with a warning; Connect again opens the form prefilled", async () => {
    const changed = "The team hub's certificate changed: trusted AB:… but it now shows CD:…. Nothing was sent.";
    let current = status("signed_out", null, hub);
    handlers.app_status = () => current;
    handlers.begin_sign_in = () => { throw { code: "certificate_changed", message: changed }; };
    handlers.probe_hub = () => ({ url: HUB_URL, fingerprint: FP.replace(/^..:/, "00:"), workspace: "acme-support" });
    handlers.connect_hub = (a) => { current = status("signed_out", null, { url: a!.url, fingerprint: a!.fingerprint }); return current; };
    stop = startApp(root);
    await tick();
    $<HTMLInputElement>("#si-username").value = "ada";
    $<HTMLInputElement>("#si-password").value = "pw";
    submitForm("#sign-in-form");
    await tick();
    expect($("#sign-in-form")).toBeNull();
    expect($("#hub-warning").getAttribute("role")).toBe("alert");
    expect($("#hub-warning").classList.contains("danger")).toBe(true);
    expect($("#hub-warning").textContent).toContain(changed);
    expect(count("begin_sign_in")).toBe(1);
    expect($("#hub-reconnect").textContent).toBe("Connect again…");
    $("#hub-reconnect").click();
    await tick();
    expect($<HTMLInputElement>("#hub-url").value).toBe(HUB_URL);
    expect($("#hub-trust")).toBeNull(); // the new fingerprint must be checked and trusted on purpose
    expect(count("probe_hub")).toBe(0);
    keydown("#hub-url", "Escape");
    expect($("#hub-warning")).not.toBeNull();
    $("#hub-reconnect").click();
    submitForm("#hub-form");
    await tick();
    $("#hub-trust").click();
    await tick();
    expect(calls.find((c) => c.cmd === "connect_hub")!.args).toEqual({ url: HUB_URL, fingerprint: FP.replace(/^..:/, "00:") });
    expect($("#sign-in-form")).not.toBeNull();
    expect($("#hub-warning")).toBeNull();
    expect(count("begin_sign_in")).toBe(1);
  });

  it("a changed certificate while signed in (a command or the status poll) replaces the shell with the warning", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const changed = "The team hub's certificate changed. Nothing was sent.";
      let broken = false;
      handlers.app_status = () => {
        if (broken) throw { code: "certificate_changed", message: changed };
        return status("signed_in", admin, hub);
      };
      handlers.list_conversations = () => ({ rows: [], next: null });
      stop = startApp(root);
      await tick();
      expect($("#app-shell")).not.toBeNull();
      broken = true;
      vi.advanceTimersByTime(5000);
      await tick();
      expect($("#app-shell")).toBeNull();
      expect($("#hub-warning").textContent).toContain(changed);
      // Polling does not rebuild the warning (or a form opened from it).
      $("#hub-reconnect").click();
      vi.advanceTimersByTime(15000);
      await tick();
      expect($<HTMLInputElement>("#hub-url").value).toBe(HUB_URL);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a changed certificate on any command shows the warning", async () => {
    handlers.app_status = () => status("signed_in", admin, hub);
    handlers.list_conversations = () => { throw { code: "certificate_changed", message: "Certificate changed. Nothing was sent." }; };
    stop = startApp(root);
    await tick();
    expect($("#app-shell")).toBeNull();
    expect($("#hub-warning").textContent).toContain("Certificate changed. Nothing was sent.");
  });

  it("while the hub cannot be reached, offers trying again and this computer's workspace", async () => {
    let down = true;
    handlers.app_status = () => {
      if (down) throw { code: "hub_unreachable", message: "The team hub cannot be reached: nothing answers at that address." };
      return status("signed_out");
    };
    handlers.leave_hub = () => { down = false; return status("signed_out"); };
    stop = startApp(root);
    await tick();
    expect($("h1").textContent).toBe("The team hub cannot be reached");
    expect($("#retry")).not.toBeNull();
    expect(document.activeElement).toBe($("#retry"));
    $("#hub-leave").click();
    await tick();
    expect(count("leave_hub")).toBe(1);
    expect($("#sign-in-form")).not.toBeNull();
    expect($(".notice").textContent).toMatch(/left the team hub/);
  });

  it("offers no hub way out when a local workspace cannot start", async () => {
    handlers.app_status = () => { throw { code: "storage", message: "The disk is full." }; };
    stop = startApp(root);
    await tick();
    expect($("h1").textContent).toBe("The app could not start");
    expect($("#hub-leave")).toBeNull();
  });

  it("leaves the hub for this computer's workspace, from sign-in and from the warning", async () => {
    let current = status("signed_out", null, hub);
    handlers.app_status = () => current;
    handlers.leave_hub = () => { current = status("signed_out"); return current; };
    handlers.begin_sign_in = () => { throw { code: "certificate_changed", message: "Changed." }; };
    stop = startApp(root);
    await tick();
    $("#hub-leave").click();
    await tick();
    expect(calls.filter((c) => c.cmd === "leave_hub").map((c) => c.args)).toEqual([undefined]);
    expect($("#sign-in-form")).not.toBeNull();
    expect($("#hub-banner")).toBeNull();
    expect($("#hub-open")).not.toBeNull();
    expect($(".notice").textContent).toMatch(/left the team hub/);

    current = status("signed_out", null, hub);
    stop();
    stop = startApp(root);
    await tick();
    $<HTMLInputElement>("#si-username").value = "ada";
    $<HTMLInputElement>("#si-password").value = "pw";
    submitForm("#sign-in-form");
    await tick();
    $("#hub-leave").click();
    await tick();
    expect(count("leave_hub")).toBe(2);
    expect($("#hub-warning")).toBeNull();
    expect($("#sign-in-form")).not.toBeNull();
  });
});
