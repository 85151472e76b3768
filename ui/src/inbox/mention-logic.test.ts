import { describe, expect, it } from "vitest";
import type { Colleague } from "../bindings/Colleague";
import { insertMention, mentionAt, mentionChoices } from "./mention-logic";

const c = (id: number, username: string, display_name: string, role: "agent" | "lead" | "admin", teams: number[]): Colleague =>
  ({ id, username, display_name, role, available: true, teams });
const people = [c(1, "maria", "Maria Admin", "admin", []), c(2, "kim", "Kim Park", "agent", [5]), c(3, "sam", "Sam Lead", "lead", [5]),
  c(4, "carl", "Carl Berg", "agent", [6]), c(9, "me", "Me Myself", "agent", [5])];

describe("mentions", () => {
  it("finds the name being typed after an @ at a word start", () => {
    expect(mentionAt("ask @ki", 7)).toEqual({ start: 4, query: "ki" });
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionAt("mail ana@exa", 12)).toBeNull();
    expect(mentionAt("ask @kim now", 12)).toBeNull();
  });

  it("offers colleagues who may see the conversation, usernames first, never me", () => {
    expect(mentionChoices(people, "", 5, 9).map((x) => x.username)).toEqual(["kim", "maria", "sam"]);
    expect(mentionChoices(people, "k", 5, 9).map((x) => x.username)).toEqual(["kim"]);
    expect(mentionChoices(people, "park", 5, 9).map((x) => x.username)).toEqual(["kim"]);
    expect(mentionChoices(people, "carl", 5, 9)).toEqual([]); // Billing: cannot see it
    expect(mentionChoices(people, "", null, 9).map((x) => x.username)).toEqual(["maria"]);
  });

  it("puts the username in place of what was typed, with a space after", () => {
    expect(insertMention("ask @ki please", { start: 4, query: "ki" }, "kim")).toEqual({ text: "ask @kim  please", caret: 9 });
  });
});
