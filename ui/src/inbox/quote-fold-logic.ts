//! Finds the earlier mail quoted at the end of an e-mail's text (lines starting with `>`, perhaps
//! after an "On …, Ana wrote:" line), so the history can fold it away under the new words.

const isQuote = (line: string) => line.startsWith(">");
const isBlank = (line: string) => line.trim() === "";

/** `text` split into its new words (`main`) and the trailing quoted mail (`quoted`, with its
 * attribution line). `quoted` is null when there is no trailing quote, or when it is all there is. */
export function splitQuoted(text: string): { main: string; quoted: string | null } {
  const lines = text.split("\n");
  const bare = (i: number) => lines[i].replace(/\r$/, "");
  let end = lines.length;
  while (end > 0 && isBlank(bare(end - 1))) end--;
  if (end === 0 || !isQuote(bare(end - 1))) return { main: text, quoted: null };
  // Up over the quote: its lines, and blank ones between them.
  let start = end - 1;
  for (let i = start - 1; i >= 0 && (isQuote(bare(i)) || isBlank(bare(i))); i--) if (isQuote(bare(i))) start = i;
  // "On 3 Dec 2026, Ana <ana@example.com> wrote:" just above (blank lines between allowed).
  let above = start - 1;
  while (above >= 0 && isBlank(bare(above))) above--;
  if (above >= 0 && /wrote:\s*$/.test(bare(above))) start = above;
  const main = lines.slice(0, start).join("\n").trimEnd();
  if (main.trim() === "") return { main: text, quoted: null };
  return { main, quoted: lines.slice(start, end).join("\n").trimEnd() };
}
