// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { h } from "./h";

describe("h", () => {
  it("puts text in as text, never as markup", () => {
    const el = h("p", null, '<img src=x onerror="alert(1)"><script>bad()</script>');
    expect(el.children.length).toBe(0);
    expect(el.textContent).toBe('<img src=x onerror="alert(1)"><script>bad()</script>');
    expect(el.innerHTML).toContain("&lt;img");
  });
  it("sets attributes, skips false/null, and flattens children", () => {
    const el = h("input", { id: "a", disabled: true, hidden: false, title: null, maxlength: 7 });
    expect(el.getAttribute("id")).toBe("a");
    expect(el.hasAttribute("disabled")).toBe(true);
    expect(el.hasAttribute("hidden")).toBe(false);
    expect(el.hasAttribute("title")).toBe(false);
    expect(el.getAttribute("maxlength")).toBe("7");
    const list = h("ul", null, [h("li", null, "one"), [h("li", null, 2)]], null, false);
    expect(Array.from(list.children).map((c) => c.textContent)).toEqual(["one", "2"]);
  });
  it("wires event listeners and refuses inline styles and handlers", () => {
    let clicks = 0;
    const b = h("button", { onclick: () => { clicks++; } }, "Go");
    b.click();
    expect(clicks).toBe(1);
    expect(b.hasAttribute("onclick")).toBe(false);
    expect(() => h("div", { style: "color:red" })).toThrow();
    expect(() => h("div", { onclick: "alert(1)" })).toThrow();
  });
});
