import { describe, expect, it } from "vitest";
import {
  auditFormEmpty, buildAuditFilter, checkBackupForm, checkRetention, dateToUnix, distinctKinds, EMPTY_AUDIT_FORM,
  egressSavedText, erasureConfirmed, erasureText, erasureWord, exportText, formatBytes, parseHostList, plural,
  retentionText, splitIdentity, unixToDateInput,
} from "./privacy-logic";

describe("formatBytes", () => {
  it("uses bytes below 1 KB", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1)).toBe("1 B");
    expect(formatBytes(1023)).toBe("1023 B");
  });
  it("shows one decimal below 10, whole numbers above", () => {
    expect(formatBytes(1024)).toBe("1 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(12 * 1024 * 1024)).toBe("12 MB");
    expect(formatBytes(3.4 * 1024 ** 3)).toBe("3.4 GB");
    expect(formatBytes(2 * 1024 ** 4)).toBe("2 TB");
    expect(formatBytes(5000 * 1024 ** 4)).toBe("5000 TB");
  });
  it("never shows 1024 of a unit", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1 MB");
  });
  it("tolerates nonsense", () => {
    expect(formatBytes(-5)).toBe("0 B");
    expect(formatBytes(Number.NaN)).toBe("0 B");
  });
});

describe("contacts", () => {
  const kim = { id: 5, name: "Kim Jansen", identities: ["whatsapp: 16505551234", "email: kim@example.com"] };
  it("splits identities into channel and address", () => {
    expect(splitIdentity("whatsapp: 16505551234")).toEqual({ channel: "WhatsApp", address: "16505551234" });
    expect(splitIdentity("email: kim@example.com")).toEqual({ channel: "Email", address: "kim@example.com" });
    expect(splitIdentity("sms: 123")).toEqual({ channel: "sms", address: "123" });
    expect(splitIdentity("no channel")).toEqual({ channel: "", address: "no channel" });
  });
  it("confirms an erasure only with the exact name", () => {
    expect(erasureWord(kim)).toBe("Kim Jansen");
    expect(erasureConfirmed("Kim Jansen", kim)).toBe(true);
    expect(erasureConfirmed("  Kim Jansen ", kim)).toBe(true);
    expect(erasureConfirmed("kim jansen", kim)).toBe(false);
    expect(erasureConfirmed("Kim", kim)).toBe(false);
    expect(erasureConfirmed("", kim)).toBe(false);
  });
  it("asks for the first address when the contact has no name", () => {
    const nameless = { ...kim, name: " " };
    expect(erasureWord(nameless)).toBe("16505551234");
    expect(erasureConfirmed("", nameless)).toBe(false);
    expect(erasureWord({ id: 9, name: "", identities: [] })).toBe("contact 9");
  });
  it("describes exports and erasures with counts", () => {
    expect(plural(1, "message")).toBe("1 message");
    expect(plural(0, "message")).toBe("0 messages");
    expect(exportText("Kim", { folder: "/home/a/Downloads/kim", conversations: 1, messages: 12, files: 3 }))
      .toBe("Exported Kim: 1 conversation, 12 messages and 3 files, to /home/a/Downloads/kim");
    expect(erasureText("Kim", { conversations: 2, messages: 1, attachments: 0 }))
      .toBe("Erased Kim: 2 conversations, 1 message and 0 attachments deleted.");
  });
});

describe("allowed hosts", () => {
  it("reads one host per line, dropping blanks and repeats", () => {
    expect(parseHostList(" graph.facebook.com \n\n*.fbcdn.net\r\ngraph.facebook.com\n")).toEqual(["graph.facebook.com", "*.fbcdn.net"]);
    expect(parseHostList("a.example.com, b.example.com")).toEqual(["a.example.com", "b.example.com"]);
    expect(parseHostList("   \n ")).toEqual([]);
  });
  it("says what was saved, and warns about an empty list", () => {
    expect(egressSavedText(["graph.facebook.com"])).toBe("Saved. 1 host allowed: graph.facebook.com.");
    expect(egressSavedText([])).toMatch(/cannot be reached/);
  });
});

describe("checkRetention", () => {
  it("accepts 0 to 3650 days per channel", () => {
    expect(checkRetention({ whatsapp: "0", messenger: " 365 ", email: "3650" }))
      .toEqual({ ok: true, value: { whatsapp_days: 0, messenger_days: 365, email_days: 3650 } });
  });
  it("names the first bad field", () => {
    expect(checkRetention({ whatsapp: "30", messenger: "3651", email: "0" })).toMatchObject({ ok: false, field: "messenger" });
    expect(checkRetention({ whatsapp: "-1", messenger: "1", email: "1" })).toMatchObject({ ok: false, field: "whatsapp" });
    expect(checkRetention({ whatsapp: "1", messenger: "1", email: "1.5" })).toMatchObject({ ok: false, field: "email" });
    const bad = checkRetention({ whatsapp: "", messenger: "1", email: "1" });
    expect(bad.ok ? "" : bad.message).toBe("WhatsApp days must be a whole number from 0 to 3650 (0 keeps messages forever).");
  });
  it("reads 0 as forever", () => {
    expect(retentionText(0)).toBe("kept forever");
    expect(retentionText(1)).toBe("deleted after 1 day");
    expect(retentionText(90)).toBe("deleted after 90 days");
  });
});

describe("dates", () => {
  it("turns a date into the first or last second of that local day", () => {
    const start = new Date(2024, 2, 5, 0, 0, 0).getTime() / 1000;
    const end = new Date(2024, 2, 5, 23, 59, 59).getTime() / 1000;
    expect(dateToUnix("2024-03-05", "start")).toBe(start);
    expect(dateToUnix("2024-03-05", "end")).toBe(end);
    expect(dateToUnix(" 2024-03-05 ", "start")).toBe(start);
  });
  it("gives null for an empty field and undefined for a wrong one", () => {
    expect(dateToUnix("", "start")).toBeNull();
    expect(dateToUnix("2024-02-30", "start")).toBeUndefined();
    expect(dateToUnix("5/3/2024", "end")).toBeUndefined();
    expect(dateToUnix("2024-13-01", "end")).toBeUndefined();
  });
  it("round-trips with unixToDateInput", () => {
    expect(unixToDateInput(dateToUnix("2023-12-31", "start")!)).toBe("2023-12-31");
    expect(unixToDateInput(dateToUnix("2023-12-31", "end")!)).toBe("2023-12-31");
  });
});

describe("buildAuditFilter", () => {
  it("sends empty fields as null and trims the rest", () => {
    expect(buildAuditFilter(EMPTY_AUDIT_FORM, 100)).toEqual({
      ok: true, value: { user: null, subject: null, kind: null, from: null, to: null, limit: 100 },
    });
    const r = buildAuditFilter({ user: " ada ", subject: "contact:5", kind: "contact_erased", from: "2024-03-01", to: "2024-03-01" }, 50);
    expect(r).toEqual({ ok: true, value: {
      user: "ada", subject: "contact:5", kind: "contact_erased",
      from: dateToUnix("2024-03-01", "start"), to: dateToUnix("2024-03-01", "end"), limit: 50,
    } });
  });
  it("refuses a bad date or a range that ends before it starts", () => {
    expect(buildAuditFilter({ ...EMPTY_AUDIT_FORM, from: "2024-02-31" }, 1)).toMatchObject({ ok: false, field: "from" });
    expect(buildAuditFilter({ ...EMPTY_AUDIT_FORM, from: "2024-03-02", to: "2024-03-01" }, 1))
      .toMatchObject({ ok: false, field: "to", message: "The “to” date is before the “from” date." });
  });
  it("knows an empty form and lists kinds once, sorted", () => {
    expect(auditFormEmpty({ ...EMPTY_AUDIT_FORM, user: "  " })).toBe(true);
    expect(auditFormEmpty({ ...EMPTY_AUDIT_FORM, kind: "x" })).toBe(false);
    expect(distinctKinds([{ kind: "sign_in" }, { kind: "export" }], [{ kind: "sign_in" }, { kind: "" }])).toEqual(["export", "sign_in"]);
  });
});

describe("checkBackupForm", () => {
  const form = { folder: " /backups ", every_hours: "24", keep: "7", passphrase: "", passphrase2: "" };
  it("keeps the stored passphrase when none is typed", () => {
    expect(checkBackupForm(form, true)).toEqual({ ok: true, value: { folder: "/backups", every_hours: 24, keep: 7, passphrase: null } });
  });
  it("needs a passphrase the first time", () => {
    expect(checkBackupForm(form, false)).toMatchObject({ ok: false, field: "passphrase" });
  });
  it("turns backups off with an empty folder", () => {
    expect(checkBackupForm({ ...form, folder: "  " }, false)).toEqual({ ok: true, value: { folder: null, every_hours: 24, keep: 7, passphrase: null } });
  });
  it("sends a new passphrase only when long enough and typed twice", () => {
    expect(checkBackupForm({ ...form, passphrase: "short", passphrase2: "short" }, true))
      .toMatchObject({ ok: false, field: "passphrase", message: "The backup passphrase must be at least 12 characters long." });
    expect(checkBackupForm({ ...form, passphrase: "twelve chars!", passphrase2: "twelve chars?" }, true))
      .toMatchObject({ ok: false, field: "passphrase2", message: "The two passphrases do not match." });
    expect(checkBackupForm({ ...form, passphrase: "", passphrase2: "twelve chars!" }, true)).toMatchObject({ ok: false, field: "passphrase" });
    expect(checkBackupForm({ ...form, passphrase: "twelve chars!", passphrase2: "twelve chars!" }, false))
      .toMatchObject({ ok: true, value: { passphrase: "twelve chars!" } });
  });
  it("bounds hours and copies", () => {
    expect(checkBackupForm({ ...form, every_hours: "0" }, true)).toMatchObject({ ok: false, field: "every_hours" });
    expect(checkBackupForm({ ...form, keep: "0" }, true)).toMatchObject({ ok: false, field: "keep" });
    expect(checkBackupForm({ ...form, keep: "two" }, true)).toMatchObject({ ok: false, field: "keep" });
  });
});
