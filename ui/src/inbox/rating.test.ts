//! The customer's satisfaction rating in the conversation header: asked, rated with its tone and
//! comment, nothing when no survey went out.
// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import type { ConversationView } from "../bindings/ConversationView";
import { satisfactionBadge } from "./badges";

const view = (satisfaction: ConversationView["satisfaction"]) => ({ satisfaction }) as ConversationView;

describe("the rating badge", () => {
  it("says a rating was asked, then shows it with its tone and the comment as its title", () => {
    expect(satisfactionBadge(view(undefined))).toBeNull();
    const asked = satisfactionBadge(view({ sent_at: 10, rating: null, comment: null, answered_at: null }))!;
    expect(asked.textContent).toBe("Rating asked");
    expect(asked.className).toContain("muted");
    const good = satisfactionBadge(view({ sent_at: 10, rating: 5, comment: "Quick and kind", answered_at: 20 }))!;
    expect(good.textContent).toBe("Rated 5/5");
    expect(good.className).toContain("ok");
    expect(good.title).toBe("The customer rated the help 5 of 5: “Quick and kind”");
    const poor = satisfactionBadge(view({ sent_at: 10, rating: 2, comment: null, answered_at: 20 }))!;
    expect(poor.className).toContain("bad");
    expect(poor.title).toBe("The customer rated the help 2 of 5.");
  });
});
