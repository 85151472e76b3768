import * as api from "../api";
import { markField } from "../field-errors";
import { h } from "../h";
import { parseBounded } from "../logic";
import { field, input, problem, submit } from "../ui";
import type { PageContext } from "./shell";

export async function renderSettings(ctx: PageContext): Promise<void> {
  let policy;
  try {
    policy = await api.sessionPolicy();
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;
  const idle = markField(input("policy-idle", { type: "number", min: 1, max: 480, step: 1, inputmode: "numeric", class: "narrow" }), "idle lock");
  const absolute = markField(input("policy-absolute", { type: "number", min: 1, max: 72, step: 1, inputmode: "numeric", class: "narrow" }),
    "session limit");
  idle.value = String(policy.idle_minutes);
  absolute.value = String(policy.absolute_hours);
  const saved = h("p", { id: "policy-saved", class: "status", role: "status" });
  const save = submit("policy-save", "Save");
  const form = h("form", { id: "policy-form", class: "panel", novalidate: true },
    h("h2", null, "Sessions"),
    field("Lock after this many idle minutes", idle, "Between 1 and 480 minutes. People unlock with their authenticator code."),
    field("End sessions after this many hours", absolute, "Between 1 and 72 hours. People then sign in again."),
    h("div", { class: "actions" }, save, saved),
  );
  const dirty = () => { saved.textContent = ""; };
  idle.addEventListener("input", dirty);
  absolute.addEventListener("input", dirty);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    ctx.error.textContent = "";
    saved.textContent = "";
    const idleMinutes = parseBounded(idle.value, 1, 480);
    if (idleMinutes === null) return problem(ctx.error, idle, "Idle minutes must be a whole number from 1 to 480.");
    const absoluteHours = parseBounded(absolute.value, 1, 72);
    if (absoluteHours === null) return problem(ctx.error, absolute, "Session hours must be a whole number from 1 to 72.");
    void ctx.app.run(form, save, ctx.error, async () => {
      const p = await api.setSessionPolicy({ idle_minutes: idleMinutes, absolute_hours: absoluteHours });
      idle.value = String(p.idle_minutes);
      absolute.value = String(p.absolute_hours);
      saved.textContent = "Saved. The new limits apply from now on.";
    });
  });
  ctx.page.replaceChildren(h("div", { id: "settings" }, h("h1", null, "Settings"), form));
}
