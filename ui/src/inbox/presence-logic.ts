//! Pure logic for presence: who is on which conversation (from events and the core's answers),
//! when an entry lapses, how it reads ("Kim is typing a reply…"), and when typing is said again.
import type { Activity } from "../bindings/Activity";
import type { PresenceEntry } from "../bindings/PresenceEntry";

/** Must match the core's `TYPING_SECONDS` and `VIEWING_SECONDS` (presence.rs). */
export const TYPING_MS = 8_000;
export const VIEWING_MS = 40_000;
/** The window says "viewing" again this often while a conversation is open. */
export const HEARTBEAT_MS = 15_000;
/** Typing is said at most this often, and "viewing" again this long after the last key. */
export const TYPING_EVERY_MS = 3_000;
export const TYPING_IDLE_MS = 5_000;

type Seen = { activity: Activity; at: number };
/** By conversation, by user: the last thing said and when (ms). Replaced, never changed in place. */
export type PresenceMap = ReadonlyMap<number, ReadonlyMap<number, Seen>>;
export const NO_PRESENCE: PresenceMap = new Map();

/** `user` said `activity` on `conversation` at `at`; the caller's own events are ignored. */
export function withActivity(map: PresenceMap, conversation: number, user: number, activity: Activity, at: number, me: number): PresenceMap {
  if (user === me) return map;
  const next = new Map(map);
  const people = new Map(map.get(conversation) ?? []);
  if (activity === "left") people.delete(user);
  else people.set(user, { activity, at });
  if (people.size === 0) next.delete(conversation);
  else next.set(conversation, people);
  return next;
}

/** The core's answer for `conversation` replaces what this window knew of it. */
export function withAnswer(map: PresenceMap, conversation: number, entries: readonly PresenceEntry[], at: number): PresenceMap {
  const next = new Map(map);
  if (entries.length === 0) next.delete(conversation);
  else next.set(conversation, new Map(entries.map((e) => [e.user, { activity: e.activity, at }])));
  return next;
}

/** Who is on `conversation` at `at`, lapsed entries left out (typing becomes viewing). */
export function presentOn(map: PresenceMap, conversation: number, at: number): { user: number; activity: Activity }[] {
  const out: { user: number; activity: Activity }[] = [];
  for (const [user, seen] of map.get(conversation) ?? []) {
    const age = at - seen.at;
    if (age > VIEWING_MS) continue;
    const typing = seen.activity === "typing_reply" || seen.activity === "typing_note";
    out.push({ user, activity: typing && age > TYPING_MS ? "viewing" : seen.activity });
  }
  return out.sort((a, b) => a.user - b.user);
}

const DOING: Record<Activity, string> = {
  typing_reply: "is typing a reply…",
  typing_note: "is writing a note…",
  viewing: "is viewing",
  left: "",
};

/** "Kim is typing a reply…", "Kim and Sam are viewing", "Kim is viewing · Sam is writing a note…";
 * null when nobody is there. `names` maps user ids to names ("A colleague" when unknown). */
export function presenceText(present: readonly { user: number; activity: Activity }[], names: ReadonlyMap<number, string>): string | null {
  if (present.length === 0) return null;
  const name = (u: number) => names.get(u) ?? "A colleague";
  const viewers = present.filter((p) => p.activity === "viewing").map((p) => name(p.user));
  const parts = present.filter((p) => p.activity !== "viewing").map((p) => `${name(p.user)} ${DOING[p.activity]}`);
  if (viewers.length === 1) parts.push(`${viewers[0]} is viewing`);
  else if (viewers.length > 1) parts.push(`${viewers.slice(0, -1).join(", ")} and ${viewers[viewers.length - 1]} are viewing`);
  return parts.join(" · ");
}

/** Whether a key press should say "typing" now: not said for this mode in the last few seconds. */
export function shouldSayTyping(last: { activity: Activity; at: number } | null, activity: Activity, at: number): boolean {
  return last === null || last.activity !== activity || at - last.at >= TYPING_EVERY_MS;
}
