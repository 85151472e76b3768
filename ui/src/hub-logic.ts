// Pure helpers for team mode (connecting to a hub): no DOM, no IPC. Unit-tested in hub-logic.test.ts.

/** Pairs per line when a fingerprint is shown: 32 pairs read as four lines of eight. */
export const FINGERPRINT_PAIRS_PER_GROUP = 8;

/** Split a fingerprint like `AB:CD:…` into groups of `pairs` pairs for reading. Nothing is
 * added or dropped: the groups joined again are exactly `fingerprint` (each group but the
 * last keeps its trailing colon), so the exact string stays findable and copyable.
 * Anything that is not colon-separated pairs comes back as one group. */
export function fingerprintGroups(fingerprint: string, pairs = FINGERPRINT_PAIRS_PER_GROUP): string[] {
  if (!/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*$/.test(fingerprint) || pairs < 1) return [fingerprint];
  const step = pairs * 3; // "AB:" per pair
  const groups: string[] = [];
  for (let i = 0; i < fingerprint.length; i += step) groups.push(fingerprint.slice(i, i + step));
  return groups;
}

export type HubAddressCheck = { url: string; problem: null } | { url: null; problem: string };

/** First checks on a typed hub address, so plain mistakes get an answer without a network
 * round trip. The Rust side checks the rest and returns the address in its canonical form. */
export function checkHubAddress(input: string): HubAddressCheck {
  const url = input.trim();
  if (url === "") {
    return { url: null, problem: "Enter the hub's address, like https://hub.example.org:8787." };
  }
  if (/^http:\/\//i.test(url)) {
    return { url: null, problem: "The hub is reached over HTTPS only. Use an address that starts with https://." };
  }
  if (/\s/.test(url)) {
    return { url: null, problem: "The hub's address cannot contain spaces." };
  }
  return { url, problem: null };
}
