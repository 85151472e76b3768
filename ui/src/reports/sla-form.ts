//! A team's SLA targets on the Reports page: first reply, next reply and resolution, each in
//! hours and minutes of the team's business hours (empty: not tracked). Leads of the team and
//! admins may change them; a refusal shows at the field it names.
import * as api from "../api";
import type { SlaPolicy } from "../bindings/SlaPolicy";
import { markField } from "../field-errors";
import { h } from "../h";
import { button, errorArea, field, input, problem, submit, type App } from "../ui";
import { minutesText, policyFromForm } from "./sla-logic";

const TARGETS = [
  { key: "first_response", label: "First reply within", hint: "From the customer's first message to an agent's first reply." },
  { key: "next_response", label: "Next reply within", hint: "From the customer writing again to an agent's answer." },
  { key: "resolution", label: "Resolved within", hint: "From opening (or reopening) to resolved." },
] as const;

export function slaForm(app: App, team: number, teamName: string, policy: SlaPolicy | null,
  saved: (p: SlaPolicy | null) => void): HTMLElement {
  const general = errorArea();
  general.id = "sla-error";
  const inputs = TARGETS.map(({ key, label, hint }) => {
    const el = markField(input(`sla-${key.replace("_", "-")}`, { placeholder: "e.g. 4h or 30m" }), key.replace("_", " "));
    el.value = minutesText(policy?.[`${key}_minutes`] ?? null);
    return { key, el, row: field(label, el, hint) };
  });
  const go = submit("sla-save", "Save SLA targets");
  const clear = button("sla-clear", "Track no SLA", { class: "secondary", hidden: policy === null });
  const form = h("form", { id: "sla-form", novalidate: true }, ...inputs.map((i) => i.row), general,
    h("div", { class: "actions" }, go, clear));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const parsed = policyFromForm(inputs[0].el.value, inputs[1].el.value, inputs[2].el.value);
    if ("field" in parsed) {
      const target = inputs.find((i) => i.key === parsed.field)?.el ?? null;
      return problem(general, target, parsed.message);
    }
    void app.run(form, go, general, async () => saved(await api.setSlaPolicy(team, parsed)));
  });
  clear.addEventListener("click", () => {
    void app.run(form, clear, general, async () => saved(await api.setSlaPolicy(team, null)));
  });
  return h("section", { class: "panel", id: "sla", "aria-labelledby": "sla-heading" },
    h("h2", { id: "sla-heading" }, `SLA targets of ${teamName}`),
    h("p", { class: "hint" }, "Counted in the team's business hours (calendar time when it has none): with hours of 9 to 5, \"1d\" is 24 working hours, three working days. The list shows each conversation's clock; the assignee and the team's leads are notified of a missed target."),
    form);
}
