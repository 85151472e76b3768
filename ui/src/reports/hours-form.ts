//! A team's business hours on the Reports page: its time zone, the hours of each weekday (or
//! closed) and its holidays. Reports count first response and resolution in these hours too.
//! Leads of the team and admins may change them; a refusal shows at the field it names.
import * as api from "../api";
import type { BusinessHours } from "../bindings/BusinessHours";
import { markField } from "../field-errors";
import { h } from "../h";
import { button, errorArea, field, input, problem, submit, textarea, type App } from "../ui";
import { clock, hoursFromForm, WEEKDAYS } from "./logic";

export function hoursForm(app: App, team: number, teamName: string, hours: BusinessHours | null,
  saved: (h: BusinessHours | null) => void): HTMLElement {
  const general = errorArea();
  general.id = "hours-error";
  const zone = markField(input("hours-zone", { placeholder: "Europe/Berlin" }), "time zone");
  zone.value = hours?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
  const rows = WEEKDAYS.map((name, i) => {
    const day = hours ? hours.days[i] ?? null : i < 5 ? { start_minute: 540, end_minute: 1020 } : null;
    const open = h("input", { type: "checkbox", id: `hours-open-${i}`, "aria-label": `${name} open` }) as HTMLInputElement;
    open.checked = day !== null;
    // The core names the whole week "days": its refusal lands at Monday's first box.
    const start = markField(input(`hours-start-${i}`, { "aria-label": `${name} opens at`, size: 5 }),
      ...(i === 0 ? [`day ${i}`, "days"] : [`day ${i}`]));
    const end = input(`hours-end-${i}`, { "aria-label": `${name} closes at`, size: 5 });
    start.value = clock(day?.start_minute ?? 540);
    end.value = clock(day?.end_minute ?? 1020);
    const sync = () => { start.disabled = !open.checked; end.disabled = !open.checked; };
    open.addEventListener("change", sync);
    sync();
    return { open, start, end, el: h("div", { class: "hours-day" }, open, h("label", { for: `hours-open-${i}` }, name), start, h("span", null, "to"), end) };
  });
  const holidays = markField(textarea("hours-holidays", { rows: 2, placeholder: "2026-12-25, 2026-12-26" }), "holidays");
  holidays.value = (hours?.holidays ?? []).join(", ");
  const go = submit("hours-save", "Save business hours");
  const clear = button("hours-clear", "Count calendar time only", { class: "secondary", hidden: hours === null });
  const form = h("form", { id: "hours-form", novalidate: true },
    field("Time zone", zone, "An IANA name, such as Europe/Berlin or America/New_York."),
    h("fieldset", { class: "hours-days" }, h("legend", null, "Opening hours"), ...rows.map((r) => r.el)),
    field("Holidays", holidays, "Days the team does not work, as YYYY-MM-DD."),
    general,
    h("div", { class: "actions" }, go, clear));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const parsed = hoursFromForm(zone.value, rows.map((r) => ({ open: r.open.checked, start: r.start.value, end: r.end.value })), holidays.value);
    if ("field" in parsed) {
      const target = parsed.field === "time zone" ? zone : parsed.field === "holidays" ? holidays
        : rows[Number(parsed.field.slice(4))]?.start ?? null;
      return problem(general, target, parsed.message);
    }
    void app.run(form, go, general, async () => saved(await api.setBusinessHours(team, parsed)));
  });
  clear.addEventListener("click", () => {
    void app.run(form, clear, general, async () => saved(await api.setBusinessHours(team, null)));
  });
  return h("section", { class: "panel", id: "hours", "aria-labelledby": "hours-heading" },
    h("h2", { id: "hours-heading" }, `Business hours of ${teamName}`),
    h("p", { class: "hint" }, "Reports count first response and resolution in these hours as well as in calendar time."),
    form);
}
