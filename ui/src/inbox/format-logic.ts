//! Pure edits for a formatted e-mail reply: the marks the core reads (`**bold**`, `*italic*`,
//! `[words](https://…)`, lines starting `- `, `1. ` or `> `) put on, or taken off, the selection.

export type MarkKind = "bold" | "italic" | "link" | "bullets" | "numbers" | "quote";

/** The text after a mark, and what is selected in it. */
export type Marked = { text: string; selStart: number; selEnd: number };

/** One change: `remove` characters at `at` replaced by `insert`. */
type Edit = { at: number; remove: number; insert: string };

/** Where a position lands after `edits` (ascending, apart). `after`: a position where text goes in
 * (or is replaced) lands behind the new text, otherwise before it. */
function mapPosition(pos: number, edits: Edit[], after: boolean): number {
  let delta = 0;
  for (const e of edits) {
    if (pos < e.at) break;
    const end = e.at + e.remove;
    if (pos === e.at || pos < end) return e.at + delta + (after || pos > e.at ? e.insert.length : 0);
    delta += e.insert.length - e.remove;
  }
  return pos + delta;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = "";
  let from = 0;
  for (const e of edits) {
    out += text.slice(from, e.at) + e.insert;
    from = e.at + e.remove;
  }
  return out + text.slice(from);
}

/** How many `*` run back from `pos` (dir -1) or on from it (dir 1). */
function starRun(text: string, pos: number, dir: 1 | -1): number {
  let n = 0;
  for (let i = dir === 1 ? pos : pos - 1; i >= 0 && i < text.length && text[i] === "*"; i += dir) n++;
  return n;
}

/** Whether a run of stars carries the mark: bold `**` (or `***`, bold italic), italic `*` (or `***`). */
const carries = (marker: string, run: number): boolean => (marker.length === 2 ? run === 2 || run === 3 : run === 1 || run === 3);

/** Bold or italic: each line of the selection wrapped (its spaces left outside the marks), or, when
 * every line already is, unwrapped. Nothing selected: an empty pair with the caret inside. */
function inline(text: string, selStart: number, selEnd: number, marker: string): Marked {
  const m = marker.length;
  // The words of each selected line, without the spaces around them.
  const cores: { a: number; b: number }[] = [];
  let lineStart = selStart;
  for (const line of text.slice(selStart, selEnd).split("\n")) {
    const lead = line.length - line.trimStart().length;
    const core = line.trim();
    if (core) cores.push({ a: lineStart + lead, b: lineStart + lead + core.length });
    lineStart += line.length + 1;
  }
  if (cores.length === 0) cores.push({ a: selEnd, b: selEnd });
  const around = (c: { a: number; b: number }) => carries(marker, starRun(text, c.a, -1)) && carries(marker, starRun(text, c.b, 1));
  const inside = (c: { a: number; b: number }) => {
    const lead = starRun(text, c.a, 1);
    const trail = starRun(text, c.b, -1);
    return c.b - c.a > lead + trail && carries(marker, lead) && carries(marker, trail);
  };
  const unwrap = cores.every((c) => around(c) || inside(c));
  const edits: Edit[] = [];
  for (const c of cores) {
    if (unwrap && around(c)) edits.push({ at: c.a - m, remove: m, insert: "" }, { at: c.b, remove: m, insert: "" });
    else if (unwrap) edits.push({ at: c.a, remove: m, insert: "" }, { at: c.b - m, remove: m, insert: "" });
    else if (!around(c) && !inside(c)) edits.push({ at: c.a, remove: 0, insert: marker }, { at: c.b, remove: 0, insert: marker });
  }
  // What was selected stays selected, so the same button takes the marks off again: one line's
  // words inside their marks; several lines with theirs.
  const one = cores.length === 1;
  const start = mapPosition(cores[0].a, edits, one);
  const end = mapPosition(cores[cores.length - 1].b, edits, !one);
  return { text: applyEdits(text, edits), selStart: start, selEnd: Math.max(start, end) };
}

/** The selection as a link's words with `https://` selected to type over; nothing selected:
 * `[words](https://)` with `words` selected. */
function link(text: string, selStart: number, selEnd: number): Marked {
  const chosen = text.slice(selStart, selEnd);
  const lead = chosen.length - chosen.trimStart().length;
  const words = chosen.trim();
  const a = selStart + lead;
  const b = a + words.length;
  if (!words) {
    const inserted = "[words](https://)";
    return { text: text.slice(0, selStart) + inserted + text.slice(selEnd), selStart: selStart + 1, selEnd: selStart + 6 };
  }
  const inserted = `[${words}](https://)`;
  const urlAt = a + words.length + 3;
  return { text: text.slice(0, a) + inserted + text.slice(b), selStart: urlAt, selEnd: urlAt + "https://".length };
}

const LINE_MARKS: Record<"bullets" | "numbers" | "quote", RegExp> = {
  bullets: /^- /,
  numbers: /^\d+\. /,
  quote: /^> /,
};

/** Lists and quotes: every line the selection touches (blank ones skipped when there are several)
 * gets the line's mark, or loses it when all already have it. A list replaces the other kind of list. */
function lines(text: string, selStart: number, selEnd: number, kind: "bullets" | "numbers" | "quote"): Marked {
  const from = selStart === 0 ? 0 : text.lastIndexOf("\n", selStart - 1) + 1;
  // A selection ending at the very start of a line does not touch that line.
  const stop = selEnd > selStart && text[selEnd - 1] === "\n" ? selEnd - 1 : selEnd;
  const nl = text.indexOf("\n", stop);
  const to = nl === -1 ? text.length : nl;
  const touched: { at: number; line: string }[] = [];
  let at = from;
  for (const line of text.slice(from, to).split("\n")) {
    touched.push({ at, line });
    at += line.length + 1;
  }
  const marked = touched.length > 1 ? touched.filter((l) => l.line.trim() !== "") : touched;
  const mark = LINE_MARKS[kind];
  const other = kind === "bullets" ? LINE_MARKS.numbers : kind === "numbers" ? LINE_MARKS.bullets : null;
  const remove = marked.length > 0 && marked.every((l) => mark.test(l.line));
  const edits: Edit[] = marked.map((l, i) => {
    if (remove) return { at: l.at, remove: mark.exec(l.line)![0].length, insert: "" };
    const had = mark.exec(l.line) ?? other?.exec(l.line) ?? null;
    const prefix = kind === "bullets" ? "- " : kind === "numbers" ? `${i + 1}. ` : "> ";
    return { at: l.at, remove: had ? had[0].length : 0, insert: prefix };
  });
  const start = mapPosition(selStart, edits, true);
  return { text: applyEdits(text, edits), selStart: start, selEnd: Math.max(start, mapPosition(selEnd, edits, true)) };
}

/** `text` with `kind` put on (or taken off) the selection `selStart..selEnd`, and the new selection. */
export function applyMark(text: string, selStart: number, selEnd: number, kind: MarkKind): Marked {
  const a = Math.max(0, Math.min(selStart, selEnd, text.length));
  const b = Math.min(text.length, Math.max(selStart, selEnd));
  switch (kind) {
    case "bold": return inline(text, a, b, "**");
    case "italic": return inline(text, a, b, "*");
    case "link": return link(text, a, b);
    default: return lines(text, a, b, kind);
  }
}
