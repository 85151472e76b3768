// @vitest-environment happy-dom
// Errors where the eye is (issue 19, item 5): a core refusal naming a field is shown, in plain
// words, right under that field, which is marked, focused and scrolled into view; anything else
// beside the form's submit button, never only above the page title.
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
const { clearErrors, markField, showError, splitFieldError } = await import("./field-errors");
const { h } = await import("./h");
const { field, input, submit } = await import("./ui");

const admin = { user_id: 1, username: "ada", display_name: "Ada Admin", role: "admin", teams: [] };
const status = (phase: string, user: unknown = null) => ({ phase, data_dir: "/d", user, hub: null });
const tick = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); };
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const setValue = (sel: string, value: string) => { $<HTMLInputElement>(sel).value = value; };
const submitForm = (sel: string) => $(sel).dispatchEvent(new Event("submit", { cancelable: true }));

/** The error line right under the field `sel`, found the way a screen reader does. */
function fieldError(sel: string): HTMLElement | null {
  const ids = ($(sel).getAttribute("aria-describedby") ?? "").split(/\s+/);
  return ids.map((id) => document.getElementById(id)).find((el) => el?.classList.contains("field-error")) ?? null;
}

let scrolled: Element[] = [];
let stop: () => void = () => {};
afterEach(() => { stop(); stop = () => {}; vi.restoreAllMocks(); });
beforeEach(() => {
  for (const k of Object.keys(handlers)) delete handlers[k];
  calls.length = 0;
  scrolled = [];
  vi.spyOn(Element.prototype, "scrollIntoView").mockImplementation(function (this: Element) { scrolled.push(this); });
  document.body.innerHTML = '<div id="app"></div>';
});

describe("splitFieldError", () => {
  it("takes the field from the core's invalid-input errors and keeps the reason, as a sentence", () => {
    expect(splitFieldError("invalid_input", "username: use 3 to 64 letters, digits, dots, dashes, underscores or @"))
      .toEqual({ field: "username", text: "Use 3 to 64 letters, digits, dots, dashes, underscores or @.",
        general: "Username: use 3 to 64 letters, digits, dots, dashes, underscores or @." });
    expect(splitFieldError("invalid_input", "your code: your own authenticator code is not right; enter the newest one"))
      .toMatchObject({ field: "your code", text: "Your own authenticator code is not right; enter the newest one." });
    expect(splitFieldError("invalid_input", "code: that code is not right"))
      .toMatchObject({ field: "code", text: "That code is not right." });
    expect(splitFieldError("invalid_input", "Graph API address: use an https:// address (plain http only for this computer)"))
      .toMatchObject({ field: "graph api address", text: "Use an https:// address (plain http only for this computer).",
        general: "Graph API address: use an https:// address (plain http only for this computer)." });
    expect(splitFieldError("invalid_input", "access token: paste the access token from Meta's app dashboard (at least 16 characters, no spaces)"))
      .toMatchObject({ field: "access token", text: "Paste the access token from Meta's app dashboard (at least 16 characters, no spaces)." });
  });

  it("finds a finer field inside a field, and leaves errors without a field whole", () => {
    expect(splitFieldError("invalid_input", "retention: email: between 0 (keep) and 3650 days"))
      .toMatchObject({ field: "retention", part: { field: "retention email", text: "Between 0 (keep) and 3650 days." } });
    expect(splitFieldError("weak_password", "This password is too weak: it repeats one character"))
      .toEqual({ field: "new password", text: "This password is too weak: it repeats one character",
        general: "This password is too weak: it repeats one character" });
    expect(splitFieldError("conflict", "Someone else changed this user: reload and try again."))
      .toEqual({ field: null, text: "Someone else changed this user: reload and try again.",
        general: "Someone else changed this user: reload and try again." });
    expect(splitFieldError("invalid_input", "Meta did not accept the access token.")).toMatchObject({ field: null });
  });
});

describe("showError", () => {
  function form(): { form: HTMLFormElement; name: HTMLInputElement; code: HTMLInputElement; general: HTMLElement } {
    const name = markField(input("f-name"), "team name");
    const code = markField(input("f-code"), "your code", "code");
    const general = h("p", { id: "error", class: "error" });
    const f = h("form", { id: "f" }, field("Team name", name, "Shown to agents."), field("Your code", code),
      h("div", { class: "actions" }, submit("f-go", "Save")));
    document.body.append(general, f);
    return { form: f, name, code, general };
  }

  it("writes the reason under the field, links it, marks the field, focuses it and scrolls it into view", () => {
    const { form: f, name, code, general } = form();
    showError(f, { code: "invalid_input", message: "your code: that code was already used; wait for the next one" }, general);
    const line = fieldError("#f-code")!;
    expect(line.textContent).toBe("That code was already used; wait for the next one.");
    expect(code.nextElementSibling).toBe(line);
    expect(code.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(code);
    expect(scrolled).toContain(code);
    expect(name.getAttribute("aria-invalid")).toBeNull();
    expect(general.textContent).toBe("");
    // The hint stays linked too.
    showError(f, { code: "invalid_input", message: "team name: use 1 to 80 characters" }, general);
    expect(name.getAttribute("aria-describedby")).toBe("f-name-hint f-name-error");
    expect(fieldError("#f-name")!.textContent).toBe("Use 1 to 80 characters.");
    clearErrors(f);
    expect(fieldError("#f-name")!.textContent).toBe("");
    expect(f.querySelector("[aria-invalid]")).toBeNull();
  });

  it("puts what no field owns beside the submit button, not in the page's error above the title", () => {
    const { form: f, general } = form();
    showError(f, { code: "conflict", message: "Someone else changed this team." }, general);
    const line = $("#f-error");
    expect(line.textContent).toBe("Someone else changed this team.");
    expect(line.nextElementSibling).toBe(f.querySelector(".actions"));
    expect(general.textContent).toBe("");
    expect(scrolled).toContain(line);
    // A field this form does not have: its name stays in the words.
    showError(f, { code: "invalid_input", message: "session limit: choose 1 to 72 hours" }, general);
    expect(line.textContent).toBe("Session limit: choose 1 to 72 hours.");
    // Not a form (a table row's buttons): the page's error line, scrolled into view.
    const row = h("div");
    document.body.append(row);
    showError(row, { code: "conflict", message: "The last admin cannot become an agent." }, general);
    expect(general.textContent).toBe("The last admin cannot become an agent.");
    expect(scrolled).toContain(general);
  });
});

const user = (id: number, username: string, extra: Record<string, unknown> = {}) => ({
  id, username, display_name: username, role: "agent", teams: [], disabled: false, enrolled: true, failed_attempts: 0,
  locked_until: null, must_change_password: false, ...extra,
});

describe("the admin forms", () => {
  beforeEach(() => {
    handlers.app_status = () => status("signed_in", admin);
    handlers.list_conversations = () => ({ rows: [], next: null });
    handlers.list_teams = () => [{ id: 5, name: "Billing", members: 1 }];
  });

  it("Users: a refused username is shown under the username, and cleared when sent again", async () => {
    handlers.list_users = () => [user(1, "ada", { role: "admin" }), user(2, "bob")];
    handlers.create_user = () => {
      throw { code: "invalid_input", message: "username: use 3 to 64 letters, digits, dots, dashes, underscores or @" };
    };
    stop = startApp($("#app"));
    await tick();
    $("#nav-users").click();
    await tick();
    setValue("#nu-username", "a b");
    setValue("#nu-display-name", "A B");
    setValue("#nu-password", "correct horse battery");
    submitForm("#new-user-form");
    await tick();
    expect(calls.some((c) => c.cmd === "create_user")).toBe(true);
    expect(fieldError("#nu-username")!.textContent).toBe("Use 3 to 64 letters, digits, dots, dashes, underscores or @.");
    expect($("#nu-username").getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe($("#nu-username"));
    expect(scrolled).toContain($("#nu-username"));
    expect($("#error").textContent).toBe("");

    // Sent again: the old message goes; a problem no field owns shows beside "Add user".
    let release: () => void = () => {};
    handlers.create_user = () => new Promise((_, reject) => { release = () => reject({ code: "conflict", message: "That username is taken." }); });
    setValue("#nu-username", "bob");
    submitForm("#new-user-form");
    await tick();
    expect(fieldError("#nu-username")!.textContent).toBe("");
    expect($("#nu-username").getAttribute("aria-invalid")).toBeNull();
    release();
    await tick();
    expect($("#new-user-form-error").textContent).toBe("That username is taken.");
    expect($("#new-user-form-error").nextElementSibling!.contains($("#nu-submit"))).toBe(true);
  });

  it("Users: a wrong own code for resetting an authenticator is shown under that code", async () => {
    handlers.list_users = () => [user(1, "ada", { role: "admin" }), user(2, "bob")];
    handlers.reset_authenticator = () => {
      throw { code: "invalid_input", message: "your code: your own authenticator code is not right; enter the newest one" };
    };
    stop = startApp($("#app"));
    await tick();
    $("#nav-users").click();
    await tick();
    ($('tr[data-username="bob"] [data-action="reset"]') as HTMLButtonElement).click();
    setValue("#reset-code-2", "654 321");
    $<HTMLInputElement>("#reset-code-2").form!.dispatchEvent(new Event("submit", { cancelable: true }));
    await tick();
    expect(fieldError("#reset-code-2")!.textContent).toBe("Your own authenticator code is not right; enter the newest one.");
    expect($("#reset-code-2").getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe($("#reset-code-2"));
  });

  it("WhatsApp: a refused token and an address off the allowed hosts are shown under their fields", async () => {
    handlers.webhook_listener = () => ({ address: "127.0.0.1:8787", error: null });
    handlers.list_channels = () => [];
    handlers.add_channel_account = () => {
      throw { code: "invalid_input", message: "access token: paste the access token from Meta's app dashboard (at least 16 characters, no spaces)" };
    };
    stop = startApp($("#app"));
    await tick();
    $("#nav-channels").click();
    await tick();
    setValue("#ch-name", "Support NL");
    setValue("#ch-external-id", "106540352242922");
    setValue("#ch-waba-id", "102290129340398");
    setValue("#ch-access-token", "EAAG-secret-but-long-enough");
    setValue("#ch-app-secret", "0123456789abcdef0123");
    setValue("#ch-verify-token", "verify-me-please");
    submitForm("#channel-form");
    await tick();
    expect(calls.some((c) => c.cmd === "add_channel_account")).toBe(true);
    expect(fieldError("#ch-access-token")!.textContent)
      .toBe("Paste the access token from Meta's app dashboard (at least 16 characters, no spaces).");
    expect(document.activeElement).toBe($("#ch-access-token"));
    expect(scrolled).toContain($("#ch-access-token"));

    handlers.add_channel_account = () => {
      throw { code: "invalid_input", message: "Graph API address: graph.example.org is not on this workspace's allowed hosts" };
    };
    $<HTMLDetailsElement>("#ch-advanced").open = false;
    setValue("#ch-graph-base", "https://graph.example.org");
    submitForm("#channel-form");
    await tick();
    expect(fieldError("#ch-access-token")!.textContent).toBe("");
    expect(fieldError("#ch-graph-base")!.textContent).toBe("graph.example.org is not on this workspace's allowed hosts.");
    expect($<HTMLDetailsElement>("#ch-advanced").open).toBe(true);
    expect($("#ch-graph-base").getAttribute("aria-invalid")).toBe("true");
  });
  it("Residency: a bad allowed host and a refused retention land under their own fields", async () => {
    const retention = { whatsapp_days: 0, messenger_days: 365, email_days: 730 };
    handlers.residency_report = () => ({
      region: "EU", data_folder: "/d", volume: null, database_bytes: 0, attachments_bytes: 0, key_store: "keyring",
      channel_accounts: [], mail_servers: [], hub: null, backups: [], allowed_hosts: [], retention,
    });
    handlers.egress_allowlist = () => ({ hosts: ["graph.facebook.com"] });
    handlers.set_egress_allowlist = () => {
      throw { code: "invalid_input", message: 'allowed hosts: "bad_host!" is not a host name (write e.g. graph.facebook.com or *.fbcdn.net)' };
    };
    handlers.retention_policy = () => retention;
    handlers.set_retention_policy = () => { throw { code: "invalid_input", message: "retention: email: between 0 (keep) and 3650 days" }; };
    handlers.backup_schedule = () => ({ folder: null, every_hours: 24, keep: 7, has_passphrase: false, last_backup_at: null, last_error: null });
    stop = startApp($("#app"));
    await tick();
    $("#nav-residency").click();
    await tick();
    $<HTMLTextAreaElement>("#egress-hosts").value = "bad_host!";
    submitForm("#egress-form");
    await tick();
    expect(fieldError("#egress-hosts")!.textContent)
      .toBe('"bad_host!" is not a host name (write e.g. graph.facebook.com or *.fbcdn.net).');
    expect(document.activeElement).toBe($("#egress-hosts"));
    submitForm("#retention-form");
    await tick();
    expect(fieldError("#ret-email")!.textContent).toBe("Between 0 (keep) and 3650 days.");
    expect($("#ret-email").getAttribute("aria-invalid")).toBe("true");
    expect($("#ret-whatsapp").getAttribute("aria-invalid")).toBeNull();
    expect($("#error").textContent).toBe("");
  });
});
