//! A team's SLA targets for one channel or one label, below its own targets on the Reports page:
//! a table of what is set (each removable) and a form to add or change one. A target left empty
//! keeps the team's; a label's targets win over a channel's, the shortest of several labels.
//! A refusal shows at the field it names.
import * as api from "../api";
import type { SlaOverride } from "../bindings/SlaOverride";
import type { SlaScope } from "../bindings/SlaScope";
import { markField } from "../field-errors";
import { h } from "../h";
import { button, errorArea, field, input, problem, submit, type App } from "../ui";
import { minutesText, policyFromForm } from "./sla-logic";

const CHANNEL_NAMES: Record<string, string> = { whatsapp: "WhatsApp", messenger: "Messenger", email: "E-mail" };

/** "WhatsApp" or "Label vip": what a refinement is for, in words. */
export function scopeText(scope: SlaScope): string {
  return scope.kind === "channel" ? CHANNEL_NAMES[scope.name] ?? scope.name : `Label ${scope.name}`;
}

/** The scope the form describes, or the field in error. */
export function scopeFromForm(kind: string, label: string): SlaScope | { field: "label"; message: string } {
  if (kind !== "label") return { kind: "channel", name: kind };
  const name = label.trim();
  if (name === "" || [...name].length > 40) return { field: "label", message: "write a label of 1 to 40 characters" };
  return { kind: "label", name };
}

export function slaScopesPanel(app: App, team: number, overrides: SlaOverride[], saved: (o: SlaOverride[]) => void): HTMLElement {
  const general = errorArea();
  general.id = "sla-scope-error";
  const kind = h("select", { id: "sla-scope-kind" },
    ...Object.entries(CHANNEL_NAMES).map(([v, t]) => h("option", { value: v }, t)),
    h("option", { value: "label" }, "A label…")) as HTMLSelectElement;
  const label = markField(input("sla-scope-label", { placeholder: "e.g. vip", maxlength: 40 }), "label");
  const labelRow = field("Label", label, "Conversations carrying this label.");
  labelRow.hidden = true;
  kind.addEventListener("change", () => { labelRow.hidden = kind.value !== "label"; if (!labelRow.hidden) label.focus(); });
  const targets = (["first_response", "next_response", "resolution"] as const).map((key) =>
    markField(input(`sla-scope-${key.replace("_", "-")}`, { placeholder: "team's" }), key.replace("_", " ")));
  const go = submit("sla-scope-save", "Set these targets");
  const form = h("form", { id: "sla-scope-form", novalidate: true },
    h("div", { class: "row" }, field("For", kind), labelRow),
    h("div", { class: "row" },
      field("First reply within", targets[0]), field("Next reply within", targets[1]), field("Resolved within", targets[2])),
    general, h("div", { class: "actions" }, go));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const scope = scopeFromForm(kind.value, label.value);
    if ("field" in scope) return problem(general, label, scope.message);
    const policy = policyFromForm(targets[0].value, targets[1].value, targets[2].value);
    if ("field" in policy) {
      const at = ["first_response", "next_response", "resolution"].indexOf(policy.field);
      return problem(general, targets[at], policy.message);
    }
    void app.run(form, go, general, async () => saved(await api.setSlaOverride(team, scope, policy)));
  });
  const rows = overrides.map((o) => {
    const remove = button(`sla-scope-remove-${o.scope.kind}-${o.scope.name}`, "Remove", { class: "small secondary" });
    remove.addEventListener("click", () => {
      void app.run(form, remove, general, async () => saved(await api.setSlaOverride(team, o.scope, null)));
    });
    return h("tr", { "data-scope": scopeText(o.scope) },
      h("td", null, scopeText(o.scope)),
      h("td", null, minutesText(o.policy.first_response_minutes) || "team's"),
      h("td", null, minutesText(o.policy.next_response_minutes) || "team's"),
      h("td", null, minutesText(o.policy.resolution_minutes) || "team's"),
      h("td", null, remove));
  });
  return h("section", { class: "panel", id: "sla-scopes", "aria-labelledby": "sla-scopes-heading" },
    h("h3", { id: "sla-scopes-heading" }, "Targets for one channel or label"),
    h("p", { class: "hint" }, "Each target set here replaces the team's for that channel or label; a label's wins over a channel's, and with several labels the shortest counts. Empty: the team's target."),
    rows.length === 0 ? h("p", { class: "empty", id: "sla-scopes-empty" }, "None: every conversation keeps the team's targets.")
      : h("div", { class: "table-wrap" }, h("table", { class: "table", id: "sla-scopes-table" },
        h("thead", null, h("tr", null, ...["For", "First reply", "Next reply", "Resolved", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", null, ...rows))),
    form);
}
