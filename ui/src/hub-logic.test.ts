import { describe, expect, it } from "vitest";
import { checkHubAddress, fingerprintGroups } from "./hub-logic";

// 32 pairs, as `appcare serve` prints a SHA-256 fingerprint.
const FP = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, "0").slice(-2)).join(":");

describe("fingerprintGroups", () => {
  it("shows 32 pairs as four lines of eight", () => {
    const groups = fingerprintGroups(FP);
    expect(groups).toHaveLength(4);
    expect(groups.slice(0, 3).every((g) => /^([0-9A-F]{2}:){8}$/.test(g))).toBe(true);
    expect(groups[3]).toMatch(/^([0-9A-F]{2}:){7}[0-9A-F]{2}$/);
  });
  it("adds and drops nothing, so the exact string stays findable", () => {
    expect(fingerprintGroups(FP).join("")).toBe(FP);
    expect(fingerprintGroups(FP, 5).join("")).toBe(FP);
    expect(fingerprintGroups("ab:cd:ef", 2)).toEqual(["ab:cd:", "ef"]);
  });
  it("leaves anything that is not colon-separated pairs whole", () => {
    expect(fingerprintGroups("ABCDEF")).toEqual(["ABCDEF"]);
    expect(fingerprintGroups("AB:CD:E")).toEqual(["AB:CD:E"]);
    expect(fingerprintGroups("")).toEqual([""]);
  });
});

describe("checkHubAddress", () => {
  it("trims and passes addresses on for the Rust side to check", () => {
    expect(checkHubAddress("  https://hub.example.org:8787 ")).toEqual({ url: "https://hub.example.org:8787", problem: null });
    expect(checkHubAddress("hub.example.org:8787")).toEqual({ url: "hub.example.org:8787", problem: null });
  });
  it("refuses an empty address, plain HTTP and spaces in plain words", () => {
    expect(checkHubAddress("   ").problem).toMatch(/Enter the hub's address/);
    expect(checkHubAddress("http://hub.example.org:8787").problem).toMatch(/HTTPS only/);
    expect(checkHubAddress("HTTP://hub:8787").problem).toMatch(/HTTPS only/);
    expect(checkHubAddress("hub example:8787").problem).toMatch(/spaces/);
  });
});
