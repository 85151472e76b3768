//! Tests of the channels screen's state helpers.
import { describe, expect, it } from "vitest";
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import { addedAccount, withAccounts, type ChannelsState } from "./state";

const account = (id: number, name = `A${id}`) => ({ id, name, kind: "whatsapp" }) as unknown as ChannelAccountView;
const state = (accounts: ChannelAccountView[], open: number[]): ChannelsState => ({
  accounts, teams: [], listener: null, done: "",
  asides: new Map(open.map((id) => [id, { rows: [], count: 1 }])), webhookAsides: new Map(),
});

describe("withAccounts", () => {
  it("keeps the open set-aside tables (the same map) while their accounts remain", () => {
    const s = state([account(1), account(2)], [2]);
    const next = withAccounts(s, [account(2), account(1)]);
    expect(next.asides).toBe(s.asides);
  });
  it("drops the tables of accounts that are gone", () => {
    const s = state([account(1), account(2)], [1, 2]);
    expect(Array.from(withAccounts(s, [account(2)]).asides.keys())).toEqual([2]);
  });
});

describe("addedAccount", () => {
  it("adds a new account at the end, or replaces one with the same id in its new place", () => {
    const s = state([account(1), account(2)], []);
    expect(addedAccount(s, account(3)).accounts.map((a) => a.id)).toEqual([1, 2, 3]);
    const replaced = addedAccount(s, account(1, "renamed")).accounts;
    expect(replaced.map((a) => [a.id, a.name])).toEqual([[2, "A2"], [1, "renamed"]]);
  });
});
