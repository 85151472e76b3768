//! Pure logic for @mentions in notes: the name being typed before the caret, and the colleagues
//! it may complete to (those who may see the conversation: its team's members, leads of it,
//! admins), best match first.
import type { Colleague } from "../bindings/Colleague";

/** The `@name` being typed just before `caret` (its start index and the text after `@`), or null. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|[\s([{])@([A-Za-z0-9._@-]{0,64})$/.exec(before);
  if (!m) return null;
  return { start: before.length - m[2].length - 1, query: m[2] };
}

/** Up to `limit` colleagues (not `me`) whose username or name starts with `query` (ignoring case),
 * usernames first; only those who may see a conversation of `team`. */
export function mentionChoices(colleagues: readonly Colleague[], query: string, team: number | null, me: number, limit = 6): Colleague[] {
  const q = query.toLowerCase();
  const sees = (c: Colleague) => c.role === "admin" || (team !== null && c.teams.includes(team));
  const byName = (c: Colleague) => c.display_name.toLowerCase().split(/\s+/).some((w) => w.startsWith(q));
  const rank = (c: Colleague) => (c.username.toLowerCase().startsWith(q) ? 0 : byName(c) ? 1 : 2);
  return colleagues
    .filter((c) => c.id !== me && sees(c) && rank(c) < 2)
    .sort((a, b) => rank(a) - rank(b) || a.username.localeCompare(b.username))
    .slice(0, limit);
}

/** `text` with the `@query` at `start` replaced by `@username ` and where the caret goes. */
export function insertMention(text: string, at: { start: number; query: string }, username: string): { text: string; caret: number } {
  const end = at.start + 1 + at.query.length;
  const inserted = `@${username} `;
  return { text: text.slice(0, at.start) + inserted + text.slice(end), caret: at.start + inserted.length };
}
