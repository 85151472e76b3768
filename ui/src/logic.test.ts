import { describe, expect, it } from "vitest";
import type { UserSummary } from "./bindings/UserSummary";
import {
  checkNewPassword, errorAction, formatClock, groupKey, normaliseCode, parseBounded, qrLayout,
  screenFor, statusKey, teamNames, toUiError, userBadges,
} from "./logic";
import { visiblePages } from "./screens/shell";

describe("screenFor", () => {
  it("maps every phase to its screen", () => {
    expect(screenFor("no_workspace")).toBe("first_run");
    expect(screenFor("needs_passphrase")).toBe("passphrase");
    expect(screenFor("signed_out")).toBe("sign_in");
    expect(screenFor("needs_code")).toBe("code");
    expect(screenFor("needs_enrolment")).toBe("enrolment");
    expect(screenFor("needs_new_password")).toBe("new_password");
    expect(screenFor("locked")).toBe("locked");
    expect(screenFor("signed_in")).toBe("shell");
  });
  it("shows recovery codes only while signed in", () => {
    expect(screenFor("signed_in", true)).toBe("recovery_codes");
    expect(screenFor("locked", true)).toBe("locked");
    expect(screenFor("signed_out", true)).toBe("sign_in");
  });
});

describe("statusKey", () => {
  const user = { user_id: 7, username: "a", display_name: "A", role: "agent" as const, teams: [] };
  it("changes with phase or person, not with data_dir", () => {
    const a = statusKey({ phase: "signed_in", data_dir: "/x", user, hub: null });
    expect(statusKey({ phase: "signed_in", data_dir: "/y", user, hub: null })).toBe(a);
    expect(statusKey({ phase: "locked", data_dir: "/x", user, hub: null })).not.toBe(a);
    expect(statusKey({ phase: "signed_in", data_dir: "/x", user: { ...user, user_id: 8 }, hub: null })).not.toBe(a);
  });
  it("changes when the team hub or its pinned fingerprint changes", () => {
    const hub = { url: "https://hub.example.org:8787", fingerprint: "AB:CD" };
    const local = statusKey({ phase: "signed_out", data_dir: "/x", user: null, hub: null });
    const team = statusKey({ phase: "signed_out", data_dir: "/x", user: null, hub });
    expect(team).not.toBe(local);
    expect(statusKey({ phase: "signed_out", data_dir: "/x", user: null, hub: { ...hub, fingerprint: "EF:01" } })).not.toBe(team);
    expect(statusKey({ phase: "signed_out", data_dir: "/x", user: null, hub: { ...hub, url: "https://other:8787" } })).not.toBe(team);
  });
});

describe("errors", () => {
  it("routes session errors and shows the rest", () => {
    expect(errorAction("session_locked")).toBe("show_lock");
    expect(errorAction("not_signed_in")).toBe("back_to_sign_in");
    expect(errorAction("session_expired")).toBe("back_to_sign_in");
    expect(errorAction("sign_in_failed")).toBe("show_message");
    expect(errorAction("unknown")).toBe("show_message");
  });
  it("stops on a changed hub certificate and shows the other hub errors", () => {
    expect(errorAction("certificate_changed")).toBe("hub_certificate");
    expect(errorAction("hub_unreachable")).toBe("show_message");
    expect(errorAction("rate_limited")).toBe("show_message");
  });
  it("knows the team hub error codes", () => {
    for (const code of ["hub_unreachable", "certificate_changed", "rate_limited"] as const) {
      expect(toUiError({ code, message: "m" })).toEqual({ code, message: "m" });
    }
  });
  it("reads ApiError objects and tolerates anything else", () => {
    expect(toUiError({ code: "forbidden", message: "Only admins can do that." }))
      .toEqual({ code: "forbidden", message: "Only admins can do that." });
    expect(toUiError({ code: "made_up", message: "x" }).code).toBe("unknown");
    expect(toUiError("plain failure")).toEqual({ code: "unknown", message: "plain failure" });
    expect(toUiError(undefined).message).toMatch(/went wrong/);
  });
});

describe("normaliseCode", () => {
  it("accepts six digits with a space or dash", () => {
    expect(normaliseCode("123456")).toBe("123456");
    expect(normaliseCode("123 456")).toBe("123456");
    expect(normaliseCode(" 123-456 ")).toBe("123456");
  });
  it("rejects anything that is not exactly six digits", () => {
    expect(normaliseCode("12345")).toBeNull();
    expect(normaliseCode("1234567")).toBeNull();
    expect(normaliseCode("12a456")).toBeNull();
    expect(normaliseCode("")).toBeNull();
  });
});

describe("groupKey", () => {
  it("groups in fours and is idempotent", () => {
    expect(groupKey("jbswy3dpehpk3pxp")).toBe("JBSW Y3DP EHPK 3PXP");
    expect(groupKey("JBSW Y3DP EHPK 3PXP")).toBe("JBSW Y3DP EHPK 3PXP");
    expect(groupKey("ABCDEF")).toBe("ABCD EF");
  });
});

describe("qrLayout", () => {
  it("places dark modules inside the quiet zone, merging runs", () => {
    // 3x3: row0 = 110, row1 = 010, row2 = 001
    const l = qrLayout({ size: 3, modules: "110010001" }, 6, 4);
    expect(l.pixels).toBe((3 + 8) * 6);
    expect(l.rects).toEqual([
      { x: 24, y: 24, w: 12, h: 6 },
      { x: 30, y: 30, w: 6, h: 6 },
      { x: 36, y: 36, w: 6, h: 6 },
    ]);
  });
  it("covers exactly the dark area", () => {
    const modules = "1011" + "0110" + "1111" + "0000";
    const l = qrLayout({ size: 4, modules }, 2, 1);
    const area = l.rects.reduce((sum, r) => sum + r.w * r.h, 0);
    expect(area).toBe(9 * 4);
  });
  it("refuses malformed data", () => {
    expect(() => qrLayout({ size: 3, modules: "1100" })).toThrow();
    expect(() => qrLayout({ size: 2, modules: "1x01" })).toThrow();
  });
});

describe("userBadges", () => {
  const base: UserSummary = {
    id: 1, username: "sam", display_name: "Sam", role: "agent", teams: [], disabled: false,
    enrolled: true, failed_attempts: 0, locked_until: null, must_change_password: false,
  };
  const now = 1_700_000_000;
  it("says Active when nothing is wrong", () => {
    expect(userBadges(base, now).map((b) => b.label)).toEqual(["Active"]);
  });
  it("lists every problem and never Active alongside them", () => {
    const labels = userBadges({ ...base, disabled: true, enrolled: false, locked_until: now + 600, must_change_password: true }, now).map((b) => b.label);
    expect(labels).toContain("Disabled");
    expect(labels).toContain("Must choose a new password");
    expect(labels).toContain("Needs enrolment");
    expect(labels).toContain(`Locked until ${formatClock(now + 600)}`);
    expect(labels).not.toContain("Active");
  });
  it("ignores a lock that has already ended", () => {
    expect(userBadges({ ...base, locked_until: now - 1 }, now).map((b) => b.label)).toEqual(["Active"]);
  });
});

describe("formatClock", () => {
  it("renders local HH:MM with zero padding", () => {
    const d = new Date(2024, 0, 2, 9, 5, 0);
    expect(formatClock(d.getTime() / 1000)).toBe("09:05");
  });
});

describe("form checks", () => {
  it("enforces the 12-character minimum and matching repeat", () => {
    expect(checkNewPassword("short", "short")?.field).toBe("password");
    expect(checkNewPassword("a-long-password!", "a-long-passwordX")).toEqual({
      field: "password2", message: "The two passwords do not match.",
    });
    expect(checkNewPassword("a-long-password!", "a-long-password!")).toBeNull();
    expect(checkNewPassword("123456789012")).toBeNull();
  });
  it("bounds policy numbers", () => {
    expect(parseBounded("15", 1, 480)).toBe(15);
    expect(parseBounded("0", 1, 480)).toBeNull();
    expect(parseBounded("481", 1, 480)).toBeNull();
    expect(parseBounded("1.5", 1, 72)).toBeNull();
    expect(parseBounded(" 72 ", 1, 72)).toBe(72);
  });
  it("names teams", () => {
    const teams = [{ id: 1, name: "Billing" }, { id: 2, name: "Returns" }];
    expect(teamNames([2, 1], teams)).toBe("Returns, Billing");
    expect(teamNames([], teams)).toBe("No teams");
  });
});

describe("visiblePages", () => {
  it("puts the inbox first for everyone, Team and Reports for leads and admins, admin pages for admins", () => {
    expect(visiblePages("agent")).toEqual(["inbox", "overview", "about"]);
    expect(visiblePages("lead")).toEqual(["inbox", "overview", "team", "reports", "about"]);
    expect(visiblePages("admin")).toEqual(["inbox", "overview", "team", "reports", "users", "channels", "settings", "privacy", "residency", "audit", "about"]);
  });
});

import { base64ToBytes, previewKind } from "./logic";

describe("attachment previews", () => {
  it("previews images and plain text only", () => {
    expect(previewKind("image/JPEG")).toBe("image");
    expect(previewKind("text/plain; charset=utf-8")).toBe("text");
    expect(previewKind("application/pdf")).toBe("none");
    expect(previewKind("image/svg+xml")).toBe("none");
  });
  it("decodes base64 into the original bytes", () => {
    expect(Array.from(base64ToBytes("/9gBAgM="))).toEqual([0xff, 0xd8, 1, 2, 3]);
  });
});


