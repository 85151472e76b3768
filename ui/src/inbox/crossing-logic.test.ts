import { describe, expect, it } from "vitest";
import type { ConversationView } from "../bindings/ConversationView";
import { crossingOf, guardOf } from "./crossing-logic";

const view = (version: number, ids: number[]) =>
  ({ summary: { version }, messages: ids.map((id) => ({ id })) }) as unknown as ConversationView;

describe("guardOf", () => {
  it("takes the version and the newest message, whatever the order", () => {
    expect(guardOf(view(7, [3, 9, 4]))).toEqual({ version: 7, last_message: 9 });
  });
  it("has no message for an empty conversation", () => {
    expect(guardOf(view(1, []))).toEqual({ version: 1, last_message: null });
  });
});

describe("crossingOf", () => {
  it("offers to send anyway after a colleague's answer", () => {
    expect(crossingOf(5, { code: "answered_meanwhile", message: "Sam wrote" })).toEqual({ id: 5, message: "Sam wrote", canSend: true });
  });
  it("does not offer it when the conversation was taken from the agent", () => {
    expect(crossingOf(5, { code: "taken_meanwhile", message: "Sam took it" })?.canSend).toBe(false);
  });
  it("ignores every other error", () => {
    expect(crossingOf(5, { code: "conflict", message: "x" })).toBeNull();
    expect(crossingOf(5, { code: "forbidden", message: "x" })).toBeNull();
  });
});
