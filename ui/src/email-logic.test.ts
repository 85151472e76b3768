import { describe, expect, it } from "vitest";
import type { MailFolderView } from "./bindings/MailFolderView";
import {
  buildNewEmailAccount, checkEmailForm, DEFAULT_PORTS, fieldOfError, folderCountsText, folderProgress, folderProgressText, folderStateLine,
  folderTone, formatMailSize, groupDigits, LIVE_GAP_MS, liveDelay, looksLikeAddress, parsePort, portAfterSecurityChange,
  type EmailForm,
} from "./email-logic";

const folder = (x: Partial<MailFolderView> = {}): MailFolderView => ({
  folder: "INBOX", state: "syncing", total: 3000, done: 1234, last_error: "", synced_at: null,
  offered: 0, stored: 0, set_aside: 0, duplicates: 0, ...x,
});
const clock = (s: number) => `@${s}`;

describe("groupDigits", () => {
  it("groups thousands with commas, the same everywhere", () => {
    expect(groupDigits(0)).toBe("0");
    expect(groupDigits(7)).toBe("7");
    expect(groupDigits(999)).toBe("999");
    expect(groupDigits(1000)).toBe("1,000");
    expect(groupDigits(1234)).toBe("1,234");
    expect(groupDigits(12345)).toBe("12,345");
    expect(groupDigits(123456)).toBe("123,456");
    expect(groupDigits(1234567)).toBe("1,234,567");
    expect(groupDigits(1000000000)).toBe("1,000,000,000");
  });
  it("drops fractions and keeps the sign; nonsense becomes 0", () => {
    expect(groupDigits(1234.9)).toBe("1,234");
    expect(groupDigits(-1234)).toBe("-1,234");
    expect(groupDigits(-12)).toBe("-12");
    expect(groupDigits(Number.NaN)).toBe("0");
    expect(groupDigits(Number.POSITIVE_INFINITY)).toBe("0");
  });
});

describe("formatMailSize", () => {
  it("uses KB below a megabyte, rounding a small non-empty mail up to 1 KB", () => {
    expect(formatMailSize(0)).toBe("0 KB");
    expect(formatMailSize(1)).toBe("1 KB");
    expect(formatMailSize(1024)).toBe("1 KB");
    expect(formatMailSize(1536)).toBe("2 KB");
    expect(formatMailSize(730 * 1024)).toBe("730 KB");
    expect(formatMailSize(1023 * 1024)).toBe("1023 KB");
  });
  it("uses MB with one decimal from a megabyte on", () => {
    expect(formatMailSize(1024 * 1024 - 100)).toBe("1.0 MB");
    expect(formatMailSize(1024 * 1024)).toBe("1.0 MB");
    expect(formatMailSize(12.4 * 1024 * 1024)).toBe("12.4 MB");
    expect(formatMailSize(2000 * 1024 * 1024)).toBe("2,000 MB");
  });
  it("treats negative or broken sizes as empty", () => {
    expect(formatMailSize(-5)).toBe("0 KB");
    expect(formatMailSize(Number.NaN)).toBe("0 KB");
  });
});

describe("folder progress", () => {
  it("gives the bar's max and value, and a text with grouped numbers", () => {
    expect(folderProgress(folder())).toEqual({ max: 3000, value: 1234 });
    expect(folderProgressText(folder())).toBe("1,234 of 3,000 messages");
    expect(folderProgressText(folder({ total: 1, done: 0 }))).toBe("0 of 1 message");
  });
  it("is indeterminate while the total is unknown", () => {
    expect(folderProgress(folder({ total: 0, done: 0 }))).toBeNull();
    expect(folderProgressText(folder({ total: 0, done: 0 }))).toBe("0 of 0 messages");
  });
  it("never shows more done than total, or negative counts", () => {
    expect(folderProgress(folder({ total: 10, done: 12 }))).toEqual({ max: 10, value: 10 });
    expect(folderProgressText(folder({ total: 10, done: -3 }))).toBe("0 of 10 messages");
    expect(folderProgress(folder({ total: -1, done: 5 }))).toBeNull();
  });
});

describe("folderCountsText", () => {
  it("accounts for every mail offered: stored, set aside or a duplicate", () => {
    expect(folderCountsText(folder({ offered: 143, stored: 118, set_aside: 24, duplicates: 1 })))
      .toBe("143 offered: 118 stored · 24 set aside · 1 duplicate");
    expect(folderCountsText(folder({ offered: 2000, stored: 1990, set_aside: 0, duplicates: 10 })))
      .toBe("2,000 offered: 1,990 stored · 0 set aside · 10 duplicates");
  });
});

describe("folderStateLine", () => {
  it("says plainly how each state stands", () => {
    expect(folderStateLine(folder({ state: "waiting" }), clock)).toBe("Waiting to connect");
    expect(folderStateLine(folder({ state: "connecting" }), clock)).toBe("Connecting…");
    expect(folderStateLine(folder(), clock)).toBe("Syncing: 1,234 of 3,000");
    expect(folderStateLine(folder({ state: "syncing", total: 0, done: 0 }), clock)).toBe("Syncing…");
    expect(folderStateLine(folder({ state: "idle" }), clock)).toBe("Up to date — new mail arrives instantly");
    expect(folderStateLine(folder({ state: "polling" }), clock)).toBe("Up to date — checking every minute (the server cannot push)");
  });
  it("adds when it last checked, once it has", () => {
    expect(folderStateLine(folder({ state: "idle", synced_at: 1_700_000_000 }), clock))
      .toBe("Up to date — new mail arrives instantly · last checked @1700000000");
    expect(folderStateLine(folder({ state: "polling", synced_at: 5 }), clock))
      .toBe("Up to date — checking every minute (the server cannot push) · last checked @5");
    // The clock is HH:MM by default.
    expect(folderStateLine(folder({ state: "idle", synced_at: 1_700_000_000 }))).toMatch(/ · last checked \d\d:\d\d$/);
  });
  it("names the error and says it retries, without doubling a full stop", () => {
    expect(folderStateLine(folder({ state: "error", last_error: "connection refused" }), clock))
      .toBe("Cannot reach the mail server: connection refused. Retrying.");
    expect(folderStateLine(folder({ state: "error", last_error: "The login was refused. " }), clock))
      .toBe("Cannot reach the mail server: The login was refused. Retrying.");
    expect(folderStateLine(folder({ state: "error", last_error: "  " }), clock)).toBe("Cannot reach the mail server. Retrying.");
  });
  it("shows a state it does not know as a word", () => {
    expect(folderStateLine(folder({ state: "paused" }), clock)).toBe("Paused");
    expect(folderStateLine(folder({ state: "" }), clock)).toBe("Unknown");
  });
  it("gives each state a tone", () => {
    expect(folderTone("idle")).toBe("ok");
    expect(folderTone("polling")).toBe("ok");
    expect(folderTone("syncing")).toBe("warn");
    expect(folderTone("error")).toBe("bad");
    expect(folderTone("waiting")).toBe("muted");
  });
});

describe("liveDelay", () => {
  it("re-reads at once the first time and after a quiet spell", () => {
    expect(liveDelay(0, 10_000)).toBe(0);
    expect(liveDelay(10_000, 10_000 + LIVE_GAP_MS)).toBe(0);
    expect(liveDelay(10_000, 20_000)).toBe(0);
  });
  it("waits out the rest of the gap during a burst", () => {
    expect(LIVE_GAP_MS).toBe(500);
    expect(liveDelay(10_000, 10_100)).toBe(400);
    expect(liveDelay(10_000, 10_000)).toBe(500);
    expect(liveDelay(10_000, 10_050, 200)).toBe(150);
  });
  it("never waits longer than the gap, even if the clock went back", () => {
    expect(liveDelay(10_000, 5_000)).toBe(500);
  });
});

describe("ports and security", () => {
  it("knows the usual ports", () => {
    expect(DEFAULT_PORTS).toEqual({ imap: { tls: 993, starttls: 143 }, smtp: { tls: 465, starttls: 587 } });
  });
  it("suggests the usual port when the security changes", () => {
    expect(portAfterSecurityChange("imap", "starttls", "993")).toBe("143");
    expect(portAfterSecurityChange("imap", "tls", "143")).toBe("993");
    expect(portAfterSecurityChange("smtp", "starttls", "465")).toBe("587");
    expect(portAfterSecurityChange("smtp", "tls", "587")).toBe("465");
    expect(portAfterSecurityChange("smtp", "tls", " ")).toBe("465");
    expect(portAfterSecurityChange("imap", "tls", "587")).toBe("993");
  });
  it("keeps a port the admin chose on purpose", () => {
    expect(portAfterSecurityChange("imap", "starttls", "1143")).toBe("1143");
    expect(portAfterSecurityChange("smtp", "starttls", "2525")).toBe("2525");
  });
  it("parses a port from 1 to 65535", () => {
    expect(parsePort(" 993 ")).toBe(993);
    expect(parsePort("65535")).toBe(65535);
    expect(parsePort("0")).toBeNull();
    expect(parsePort("65536")).toBeNull();
    expect(parsePort("99a")).toBeNull();
    expect(parsePort("-1")).toBeNull();
    expect(parsePort("9.5")).toBeNull();
    expect(parsePort("")).toBeNull();
  });
});

describe("looksLikeAddress", () => {
  it("accepts ordinary addresses and localhost", () => {
    expect(looksLikeAddress("help@example.com")).toBe(true);
    expect(looksLikeAddress("first.last@mail.example.co.uk")).toBe(true);
    expect(looksLikeAddress("test@localhost")).toBe(true);
  });
  it("refuses what is obviously not one address", () => {
    for (const bad of ["help", "help@", "@example.com", "help@example", "a b@example.com", "a@b@example.com",
      "Help <help@example.com>", "help@example.com, x@example.com", "help@example."]) {
      expect(looksLikeAddress(bad), bad).toBe(false);
    }
  });
});

const form = (x: Partial<EmailForm> = {}): EmailForm => ({
  name: " Support ", address: " help@example.com ", display_name: "", imap_host: " imap.example.com ", imap_port: "993",
  imap_security: "tls", smtp_host: "smtp.example.com", smtp_port: " 465", smtp_security: "tls", username: "",
  password: " pass word ", folder: "", sent_folder: "", ca_pem: "", default_team: "", ...x,
});

describe("checkEmailForm", () => {
  it("accepts a complete form with empty optional fields", () => {
    expect(checkEmailForm(form())).toBeNull();
  });
  it("names the first missing or obviously wrong field", () => {
    const cases: [Partial<EmailForm>, keyof EmailForm, RegExp][] = [
      [{ name: "  " }, "name", /name/],
      [{ address: "" }, "address", /support address/],
      [{ address: "help at example.com" }, "address", /one @/],
      [{ imap_host: "" }, "imap_host", /IMAP server/],
      [{ imap_host: "imaps://imap.example.com" }, "imap_host", /without/],
      [{ imap_host: "imap.example.com/inbox" }, "imap_host", /without/],
      [{ imap_host: "imap example.com" }, "imap_host", /spaces/],
      [{ imap_host: "imap.example.com:993" }, "imap_host", /port in its own field/],
      [{ imap_port: "" }, "imap_port", /IMAP port/],
      [{ imap_port: "70000" }, "imap_port", /1 to 65535/],
      [{ imap_security: "none" }, "imap_security", /TLS or STARTTLS/],
      [{ smtp_host: " " }, "smtp_host", /SMTP server/],
      [{ smtp_port: "abc" }, "smtp_port", /SMTP port/],
      [{ smtp_security: "" }, "smtp_security", /TLS or STARTTLS/],
      [{ password: "" }, "password", /password/],
      [{ ca_pem: "MIIB..." }, "ca_pem", /BEGIN CERTIFICATE/],
    ];
    for (const [change, fieldName, message] of cases) {
      const p = checkEmailForm(form(change));
      expect(p?.field, JSON.stringify(change)).toBe(fieldName);
      expect(p?.message).toMatch(message);
    }
  });
  it("leaves the finer checks to the core", () => {
    // A +tag address, a folder with odd characters: the core refuses these with its own words.
    expect(checkEmailForm(form({ address: "help+x@example.com", folder: "In\"box" }))).toBeNull();
    // A password of spaces is a password.
    expect(checkEmailForm(form({ password: "   " }))).toBeNull();
  });
});

describe("buildNewEmailAccount", () => {
  it("trims, sends ports as numbers, keeps empty optional text empty and no certificate as null", () => {
    expect(buildNewEmailAccount(form())).toEqual({
      name: "Support", address: "help@example.com", display_name: "", imap_host: "imap.example.com", imap_port: 993,
      imap_security: "tls", smtp_host: "smtp.example.com", smtp_port: 465, smtp_security: "tls", username: "",
      password: " pass word ", folder: "", sent_folder: "", ca_pem: null, default_team: null,
    });
  });
  it("passes the optional fields and the team when given", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    const a = buildNewEmailAccount(form({
      display_name: " Appcare Support ", imap_port: "143", imap_security: "starttls", smtp_port: "587", smtp_security: "starttls",
      username: " agent@example.com ", folder: " Support ", sent_folder: " Sent Items ", ca_pem: `\n${pem}\n\n`, default_team: "5",
    }));
    expect(a).toMatchObject({
      display_name: "Appcare Support", imap_port: 143, imap_security: "starttls", smtp_port: 587, smtp_security: "starttls",
      username: "agent@example.com", folder: "Support", sent_folder: "Sent Items", ca_pem: pem, default_team: 5,
    });
  });
  it("drops a team that is not a positive id", () => {
    expect(buildNewEmailAccount(form({ default_team: "x" })).default_team).toBeNull();
    expect(buildNewEmailAccount(form({ default_team: "0" })).default_team).toBeNull();
  });
});

describe("fieldOfError", () => {
  it("finds the field the core's message names", () => {
    expect(fieldOfError("IMAP server: write the server's name, like imap.example.com")).toBe("imap_host");
    expect(fieldOfError("SMTP port: a port number from 1 to 65535")).toBe("smtp_port");
    expect(fieldOfError("address: use the address without a +tag; the app adds one per conversation")).toBe("address");
    expect(fieldOfError("display name: at most 80 characters on one line")).toBe("display_name");
    expect(fieldOfError("user name: at most 254 characters")).toBe("username");
    expect(fieldOfError("certificate: paste a PEM certificate (-----BEGIN CERTIFICATE----- …)")).toBe("ca_pem");
    expect(fieldOfError("sent folder: a folder name without quotes or control characters")).toBe("sent_folder");
  });
  it("finds nothing in other messages", () => {
    expect(fieldOfError("The mail server refused the login.")).toBeNull();
    expect(fieldOfError("Something went wrong: disk full")).toBeNull();
    expect(fieldOfError(": x")).toBeNull();
  });
});
