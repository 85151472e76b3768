//! Tests of the tiny store behind the screens built from parts.
import { describe, expect, it } from "vitest";
import { createStore } from "./store";

describe("createStore", () => {
  it("renders once when the render function is set, then after every change, with the merged state", () => {
    const store = createStore({ a: 1, b: "x" });
    const seen: { a: number; b: string }[] = [];
    store.set({ a: 2 }); // no render function yet: nothing to call
    store.render((s) => seen.push(s));
    store.set({ b: "y" });
    expect(seen).toEqual([{ a: 2, b: "x" }, { a: 2, b: "y" }]);
    expect(store.get()).toEqual({ a: 2, b: "y" });
  });

  it("a change made while rendering renders again after the pass, so every part ends on the latest state", () => {
    const store = createStore({ loading: false, n: 0 });
    const log: string[] = [];
    store.render((s) => {
      log.push(`first:${s.n}:${s.loading}`);
      if (s.n === 1 && !s.loading) store.set({ loading: true }); // a part starting a load
      log.push(`second:${s.n}:${s.loading}`);
    });
    log.length = 0;
    store.set({ n: 1 });
    expect(log).toEqual(["first:1:false", "second:1:false", "first:1:true", "second:1:true"]);
  });

  it("stops a part that keeps changing the state instead of looping for ever", () => {
    const store = createStore({ n: 0 });
    let passes = 0;
    store.render((s) => { passes++; store.set({ n: s.n + 1 }); });
    expect(passes).toBeLessThanOrEqual(21);
    passes = 0;
    store.set({ n: 0 });
    expect(passes).toBeLessThanOrEqual(21);
  });

  it("keeps the previous state object: parts compare by identity", () => {
    const store = createStore({ list: [1], other: 0 });
    const before = store.get();
    store.set({ other: 1 });
    expect(store.get()).not.toBe(before);
    expect(store.get().list).toBe(before.list);
  });
});
