// Team load for leads and admins; WhatsApp charges; canned replies; inbox settings for admins.
import * as api from "../api";
import type { CannedReply } from "../bindings/CannedReply";
import type { InboxSettings } from "../bindings/InboxSettings";
import type { TeamLoad } from "../bindings/TeamLoad";
import { markField } from "../field-errors";
import { h, replaceChildren } from "../h";
import { formatWait } from "../inbox/logic";
import { parseBounded, ROLE_LABELS } from "../logic";
import { button, field, input, problem, submit, textarea } from "../ui";
import { pricingSection } from "./pricing";
import type { PageContext } from "./shell";

const MAX_CAP = 100;

export async function renderTeam(ctx: PageContext): Promise<void> {
  const isAdmin = ctx.user.role === "admin";
  let load: TeamLoad;
  let canned: CannedReply[];
  let settings: InboxSettings | null = null;
  try {
    [load, canned, settings] = await Promise.all([
      api.teamLoad(),
      api.listCannedReplies(),
      isAdmin ? api.inboxSettings() : Promise.resolve(null),
    ]);
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;
  const { app, error } = ctx;

  // ---- load -------------------------------------------------------------------
  const queueCount = h("span", { id: "queue-count", class: "value" });
  const queueOldest = h("span", { id: "queue-oldest" });
  const tbody = h("tbody");
  function showLoad(l: TeamLoad): void {
    queueCount.textContent = String(l.unassigned);
    queueOldest.textContent = l.oldest_unassigned_since === null
      ? "Nobody waiting"
      : `waiting ${formatWait(Date.now() / 1000 - l.oldest_unassigned_since)}`;
    const agents = [...l.agents].sort((a, b) => Number(b.available) - Number(a.available) || b.open - a.open
      || a.display_name.localeCompare(b.display_name));
    replaceChildren(tbody,
      agents.length === 0 ? h("tr", null, h("td", { colspan: 4, class: "empty" }, "Nobody in your teams yet.")) : null,
      ...agents.map((a) => h("tr", { "data-user-id": a.user_id },
        h("td", null, a.display_name, a.user_id === ctx.user.user_id ? h("span", { class: "muted" }, " (you)") : null),
        h("td", null, ROLE_LABELS[a.role] ?? a.role),
        h("td", null, h("span", { class: `badge ${a.available ? "ok" : "muted"}` }, a.available ? "Available" : "Away")),
        h("td", { class: "num" }, a.open))));
  }
  showLoad(load);
  const refresh = button("team-refresh", "Refresh", { class: "secondary" });
  async function reloadLoad(): Promise<void> {
    try {
      const l = await api.teamLoad();
      if (ctx.current()) { load = l; showLoad(l); }
    } catch (err) {
      if (ctx.current()) app.fail(err, error);
    }
  }
  refresh.addEventListener("click", () => {
    error.textContent = "";
    void app.run(refresh, refresh, error, reloadLoad);
  });
  let liveTimer = 0;
  ctx.setLive({
    coreEvent: () => {
      window.clearTimeout(liveTimer);
      liveTimer = window.setTimeout(() => void reloadLoad(), 300);
    },
  });
  ctx.onLeave(() => window.clearTimeout(liveTimer));
  const clock = window.setInterval(() => showLoad(load), 60_000);
  ctx.onLeave(() => window.clearInterval(clock));

  const table = h("table", { id: "load-table", class: "table" },
    h("caption", { class: "sr-only" }, "Open conversations per person"),
    h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "Agent"), h("th", { scope: "col" }, "Role"), h("th", { scope: "col" }, "Status"),
      h("th", { scope: "col", class: "num" }, "Open"))),
    tbody);

  // ---- canned replies -------------------------------------------------------------
  const cannedList = h("ul", { id: "canned-list", class: "canned-list" });
  function showCanned(): void {
    replaceChildren(cannedList,
      canned.length === 0 ? h("li", { class: "empty" }, "No canned replies yet.") : null,
      ...canned.map((c) => h("li", null, h("strong", null, c.title), h("span", { class: "muted canned-body" }, c.body))));
  }
  showCanned();
  const cTitle = input("canned-title", { required: true });
  const cBody = textarea("canned-body", { rows: 4, required: true });
  const cSave = submit("canned-save", "Add canned reply");
  const cDone = h("p", { id: "canned-done", class: "status", role: "status" });
  const cannedForm = h("form", { id: "canned-form", novalidate: true },
    field("Title", cTitle),
    field("Text", cBody, "Placeholders such as the customer's name are filled in when it is inserted."),
    h("div", { class: "actions" }, cSave, cDone));
  cannedForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    cDone.textContent = "";
    if (!cTitle.value.trim()) return problem(error, cTitle, "Give the canned reply a title.");
    if (!cBody.value.trim()) return problem(error, cBody, "Write the text of the canned reply.");
    void app.run(cannedForm, cSave, error, async () => {
      const c = await api.createCannedReply(cTitle.value.trim(), cBody.value.trim());
      canned = [...canned, c].sort((a, b) => a.title.localeCompare(b.title));
      showCanned();
      cTitle.value = "";
      cBody.value = "";
      cDone.textContent = `Added "${c.title}".`;
      cTitle.focus();
    });
  });

  // ---- inbox settings (admins) ---------------------------------------------------------
  let settingsForm: HTMLElement | null = null;
  if (isAdmin && settings) {
    const cap = markField(input("auto-assign-cap", { type: "number", min: 0, max: MAX_CAP, step: 1, inputmode: "numeric", class: "narrow" }), "auto-assignment cap");
    cap.value = String(settings.auto_assign_cap);
    const returnOnAway = h("input", { type: "checkbox", id: "return-on-away", checked: settings.return_on_away });
    const mask = h("input", { type: "checkbox", id: "mask-sensitive", checked: settings.mask_sensitive_data });
    const save = submit("inbox-settings-save", "Save");
    const saved = h("p", { id: "inbox-settings-saved", class: "status", role: "status" });
    const form = h("form", { id: "inbox-settings-form", class: "panel", novalidate: true },
      h("h2", null, "Assignment"),
      field("Auto-assign up to this many open conversations per available agent", cap,
        `0 turns auto-assignment off. At most ${MAX_CAP}.`),
      h("div", { class: "choice" }, returnOnAway,
        h("label", { for: "return-on-away" }, "When someone goes away, return their open conversations to the queue")),
      h("div", { class: "choice" }, mask,
        h("label", { for: "mask-sensitive" }, "Mask card numbers and IBANs in messages before they are stored")),
      h("div", { class: "actions" }, save, saved));
    const dirty = () => { saved.textContent = ""; };
    cap.addEventListener("input", dirty);
    returnOnAway.addEventListener("change", dirty);
    mask.addEventListener("change", dirty);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      error.textContent = "";
      saved.textContent = "";
      const n = parseBounded(cap.value, 0, MAX_CAP);
      if (n === null) return problem(error, cap, `The auto-assign limit must be a whole number from 0 to ${MAX_CAP}.`);
      void app.run(form, save, error, async () => {
        const s = await api.setInboxSettings({
          auto_assign_cap: n, return_on_away: returnOnAway.checked, mask_sensitive_data: mask.checked,
        });
        cap.value = String(s.auto_assign_cap);
        returnOnAway.checked = s.return_on_away;
        mask.checked = s.mask_sensitive_data;
        saved.textContent = s.auto_assign_cap === 0 ? "Saved. Auto-assignment is off." : "Saved.";
      });
    });
    settingsForm = form;
  }

  ctx.page.replaceChildren(h("div", { id: "team" },
    h("div", { class: "page-head" }, h("h1", null, "Team"), refresh),
    h("div", { class: "cards" },
      h("div", { class: "card" }, h("h3", null, "Waiting in the queue"), h("p", { class: "card-value" }, queueCount)),
      h("div", { class: "card" }, h("h3", null, "Longest wait"), h("p", { class: "card-value small" }, queueOldest))),
    h("h2", null, "Workload"),
    h("div", { class: "table-wrap" }, table),
    pricingSection(ctx),
    h("section", { class: "panel", "aria-labelledby": "canned-heading" },
      h("h2", { id: "canned-heading" }, "Canned replies"), cannedList, cannedForm),
    settingsForm,
  ));
}
