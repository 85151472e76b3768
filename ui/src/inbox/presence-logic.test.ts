import { describe, expect, it } from "vitest";
import { NO_PRESENCE, presenceText, presentOn, shouldSayTyping, TYPING_MS, VIEWING_MS, withActivity, withAnswer } from "./presence-logic";

const names = new Map([[4, "Kim"], [5, "Sam"], [6, "Lee"]]);

describe("presence", () => {
  it("keeps others' activity per conversation, ignores its own, and forgets who left", () => {
    let m = withActivity(NO_PRESENCE, 11, 4, "viewing", 1000, 3);
    m = withActivity(m, 11, 3, "typing_reply", 1000, 3);
    m = withActivity(m, 12, 5, "typing_note", 1000, 3);
    expect(presentOn(m, 11, 1000)).toEqual([{ user: 4, activity: "viewing" }]);
    expect(presentOn(m, 12, 1000)).toEqual([{ user: 5, activity: "typing_note" }]);
    m = withActivity(m, 11, 4, "left", 2000, 3);
    expect(presentOn(m, 11, 2000)).toEqual([]);
    expect(m.has(11)).toBe(false);
  });

  it("lets typing lapse to viewing and viewing to gone", () => {
    const m = withActivity(NO_PRESENCE, 11, 4, "typing_reply", 0, 3);
    expect(presentOn(m, 11, TYPING_MS)[0].activity).toBe("typing_reply");
    expect(presentOn(m, 11, TYPING_MS + 1)[0].activity).toBe("viewing");
    expect(presentOn(m, 11, VIEWING_MS + 1)).toEqual([]);
  });

  it("takes the core's answer for a conversation in place of what it knew", () => {
    let m = withActivity(NO_PRESENCE, 11, 4, "viewing", 0, 3);
    m = withAnswer(m, 11, [{ user: 5, name: "Sam", activity: "typing_reply" }], 10);
    expect(presentOn(m, 11, 10)).toEqual([{ user: 5, activity: "typing_reply" }]);
    expect(withAnswer(m, 11, [], 20).has(11)).toBe(false);
  });

  it("says who is there in a line", () => {
    expect(presenceText([], names)).toBeNull();
    expect(presenceText([{ user: 4, activity: "viewing" }], names)).toBe("Kim is viewing");
    expect(presenceText([{ user: 4, activity: "viewing" }, { user: 5, activity: "viewing" }, { user: 6, activity: "viewing" }], names))
      .toBe("Kim, Sam and Lee are viewing");
    expect(presenceText([{ user: 4, activity: "viewing" }, { user: 5, activity: "typing_reply" }], names))
      .toBe("Sam is typing a reply… · Kim is viewing");
    expect(presenceText([{ user: 9, activity: "typing_note" }], names)).toBe("A colleague is writing a note…");
  });

  it("says typing again only after a few seconds or when the mode changes", () => {
    expect(shouldSayTyping(null, "typing_reply", 0)).toBe(true);
    expect(shouldSayTyping({ activity: "typing_reply", at: 0 }, "typing_reply", 1000)).toBe(false);
    expect(shouldSayTyping({ activity: "typing_reply", at: 0 }, "typing_note", 1000)).toBe(true);
    expect(shouldSayTyping({ activity: "typing_reply", at: 0 }, "typing_reply", 3000)).toBe(true);
  });
});
