import { describe, expect, it } from "vitest";
import { emptyHint } from "./empty";

describe("emptyHint", () => {
  it("points an empty Mine to Unassigned", () => {
    expect(emptyHint("mine", "agent", false)).toEqual({
      text: "Nothing is assigned to you. Conversations waiting for someone are in Unassigned.", step: "show-unassigned",
    });
  });
  it("tells an admin how to fill an empty workspace, and an agent only what will appear", () => {
    expect(emptyHint("all", "admin", false).step).toBe("add-sample");
    expect(emptyHint("all", "admin", false).text).toMatch(/Connect a channel under Channels/);
    expect(emptyHint("unassigned", "admin", false).step).toBe("add-sample");
    expect(emptyHint("unassigned", "agent", false).step).toBeNull();
  });
  it("says an admin in no team where everything is", () => {
    expect(emptyHint("my_teams", "admin", false).text).toMatch(/All shows every conversation/);
    expect(emptyHint("mentions", "agent", false).text).toMatch(/@ and your username/);
  });
  it("blames the filters when filters are set", () => {
    expect(emptyHint("mine", "agent", true)).toEqual({ text: "No conversations match these filters.", step: null });
  });
});
