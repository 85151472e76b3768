//! Answers the customer taps, as the window checks them before sending: what the channel makes of
//! them (WhatsApp reply buttons up to three, else a list opened by a button; Messenger quick
//! replies) and Meta's limits, the same the core enforces, so a mistake shows at its field at once.

export type ChoicesShape = { kind: "buttons" | "list" | "quick_replies"; most: number; longest: number };

/** What `count` answers become on `channel` (null: the channel has no answers to tap). */
export function choicesShape(channel: string, count: number): ChoicesShape | null {
  if (channel === "whatsapp") return count <= 3 ? { kind: "buttons", most: 10, longest: 20 } : { kind: "list", most: 10, longest: 24 };
  if (channel === "messenger") return { kind: "quick_replies", most: 13, longest: 20 };
  return null;
}

/** The first problem, as `[field, words]` (fields as the core names them), or null. */
export function choicesProblem(channel: string, body: string, options: string[], button: string): [string, string] | null {
  if (!body.trim()) return ["body", "Write the question above the answers."];
  if ([...body.trim()].length > 1024) return ["body", "Keep the text to 1024 characters."];
  const shape = choicesShape(channel, options.length);
  if (!shape) return ["options", "Answers to tap are for WhatsApp and Messenger conversations."];
  if (options.length === 0) return ["options", "Give at least one answer to tap."];
  if (options.length > shape.most) return ["options", `${channel === "whatsapp" ? "WhatsApp" : "Messenger"} allows at most ${shape.most} answers.`];
  const seen = new Set<string>();
  for (const [i, raw] of options.entries()) {
    const o = raw.trim();
    const field = `option ${i + 1}`;
    if (!o) return [field, "Write the answer or remove it."];
    if ([...o].length > shape.longest) return [field, `Keep it to ${shape.longest} characters (Meta cuts longer ones).`];
    if (seen.has(o.toLowerCase())) return [field, "Each answer must differ from the others."];
    seen.add(o.toLowerCase());
  }
  if (shape.kind === "list" && [...button.trim()].length > 20) return ["button", "Keep the button's words to 20 characters."];
  return null;
}

/** One line saying how the customer will see it. */
export function choicesPreview(channel: string, options: string[], button: string): string {
  const shape = choicesShape(channel, options.length);
  const shown = options.map((o) => o.trim()).filter(Boolean);
  if (!shape || shown.length === 0) return "";
  switch (shape.kind) {
    case "buttons": return `${shown.length === 1 ? "One button" : `${shown.length} buttons`} under the text: ${shown.map((o) => `[${o}]`).join(" ")}`;
    case "list": return `A list opened by [${button.trim() || "Choose"}], ${shown.length} rows: ${shown.join(" · ")}`;
    case "quick_replies": return `Quick replies under the text: ${shown.map((o) => `(${o})`).join(" ")}`;
  }
}
