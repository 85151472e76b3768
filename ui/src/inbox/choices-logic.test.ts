import { describe, expect, it } from "vitest";
import { choicesPreview, choicesProblem, choicesShape } from "./choices-logic";

describe("answers to tap", () => {
  it("become buttons, a list or quick replies by channel and count", () => {
    expect(choicesShape("whatsapp", 3)?.kind).toBe("buttons");
    expect(choicesShape("whatsapp", 4)).toEqual({ kind: "list", most: 10, longest: 24 });
    expect(choicesShape("messenger", 12)).toEqual({ kind: "quick_replies", most: 13, longest: 20 });
    expect(choicesShape("email", 2)).toBeNull();
    expect(choicesPreview("whatsapp", ["Small", " Large "], "")).toBe("2 buttons under the text: [Small] [Large]");
    expect(choicesPreview("whatsapp", ["XS", "S", "M", "L"], "")).toBe("A list opened by [Choose], 4 rows: XS · S · M · L");
    expect(choicesPreview("messenger", ["Yes"], "")).toBe("Quick replies under the text: (Yes)");
  });

  it("are checked against Meta's limits, naming the field", () => {
    expect(choicesProblem("whatsapp", "Which size?", ["S", "M"], "")).toBeNull();
    expect(choicesProblem("whatsapp", " ", ["S"], "")?.[0]).toBe("body");
    expect(choicesProblem("whatsapp", "Q", ["S", "Twenty-one characters!"], "")).toEqual(["option 2", "Keep it to 20 characters (Meta cuts longer ones)."]);
    expect(choicesProblem("whatsapp", "Q", ["a", "b", "c", "Twenty-one characters!"], "")).toBeNull();
    expect(choicesProblem("whatsapp", "Q", ["Yes", "yes"], "")).toEqual(["option 2", "Each answer must differ from the others."]);
    expect(choicesProblem("whatsapp", "Q", Array.from({ length: 11 }, (_, i) => `A${i}`), "")?.[0]).toBe("options");
    expect(choicesProblem("messenger", "Q", Array.from({ length: 11 }, (_, i) => `A${i}`), "")).toBeNull();
    expect(choicesProblem("whatsapp", "Q", ["a", "b", "c", "d"], "A button far too long here")?.[0]).toBe("button");
    expect(choicesProblem("email", "Q", ["a"], "")?.[0]).toBe("options");
  });
});
