// Users and teams administration (admins only).
import * as api from "../api";
import type { Role } from "../bindings/Role";
import type { TeamSummary } from "../bindings/TeamSummary";
import type { UserSummary } from "../bindings/UserSummary";
import { clearErrors, markField } from "../field-errors";
import { h } from "../h";
import { checkNewPassword, MIN_PASSWORD, normaliseCode, ROLE_LABELS, teamNames, userBadges } from "../logic";
import { button, codeInput, field, input, problem, submit } from "../ui";
import type { PageContext } from "./shell";

const ROLES: Role[] = ["agent", "lead", "admin"];

function roleSelect(id: string, value: Role): HTMLSelectElement {
  const s = h("select", { id, name: id }, ...ROLES.map((r) => h("option", { value: r }, ROLE_LABELS[r])));
  s.value = value;
  return s;
}

function teamCheckboxes(prefix: string, teams: TeamSummary[], selected: number[]): HTMLElement {
  if (teams.length === 0) return h("p", { class: "muted" }, "No teams yet.");
  return h("div", { class: "checks" }, ...teams.map((t) => {
    const id = `${prefix}-${t.id}`;
    return h("div", { class: "choice" },
      h("input", { type: "checkbox", id, value: t.id, checked: selected.includes(t.id) }),
      h("label", { for: id }, t.name));
  }));
}

function checkedTeams(root: HTMLElement): number[] {
  return Array.from(root.querySelectorAll<HTMLInputElement>('input[type="checkbox"]:checked')).map((c) => Number(c.value));
}

export async function renderUsers(ctx: PageContext, flash?: string): Promise<void> {
  let users: UserSummary[];
  let teams: TeamSummary[];
  try {
    [users, teams] = await Promise.all([api.listUsers(), api.listTeams()]);
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;
  const { app, error } = ctx;
  const reload = (message?: string) => renderUsers(ctx, message);

  // ---- users table -------------------------------------------------------
  const tbody = h("tbody");

  function row(u: UserSummary): HTMLTableRowElement {
    const isMe = u.id === ctx.user.user_id;
    const role = roleSelect(`role-${u.id}`, u.role);
    role.setAttribute("aria-label", `Role for ${u.username}`);
    role.setAttribute("data-action", "role");
    role.addEventListener("change", () => {
      const next = role.value as Role;
      error.textContent = "";
      clearErrors(tr);
      role.disabled = true;
      api.setUserRole(u.id, next)
        .then((updated) => swap(tr, updated, "role"))
        .catch((err) => { role.value = u.role; role.disabled = false; app.fail(err, error, tr); });
    });

    const teamsBox = teamCheckboxes(`ut-${u.id}`, teams, u.teams);
    const saveTeams = button(null, "Save teams", { class: "small", "data-action": "teams" });
    const teamsEditor = h("details", { class: "teams-editor" },
      h("summary", { "aria-label": `Teams for ${u.username}: ${teamNames(u.teams, teams)}. Edit` }, teamNames(u.teams, teams)),
      h("div", { class: "popover" }, teamsBox, teams.length ? saveTeams : null));
    saveTeams.addEventListener("click", () => {
      error.textContent = "";
      void app.run(teamsEditor, saveTeams, error, async () => {
        swap(tr, await api.setUserTeams(u.id, checkedTeams(teamsBox)), "teams-summary");
      });
    });

    const toggle = button(null, u.disabled ? "Enable" : "Disable", { class: "small secondary", "data-action": "toggle" });
    toggle.addEventListener("click", () => {
      error.textContent = "";
      void app.run(tr, toggle, error, async () => {
        swap(tr, await (u.disabled ? api.enableUser(u.id) : api.disableUser(u.id)), "toggle");
      });
    });
    if (isMe && !u.disabled) {
      toggle.disabled = true;
      toggle.title = "You cannot disable your own account.";
    }

    const reset = button(null, "Reset authenticator", { class: "small secondary", "data-action": "reset",
      "aria-expanded": "false" });
    reset.addEventListener("click", () => openReset(tr, u, reset));

    const newPassword = button(null, "Ask for a new password", { class: "small secondary", "data-action": "new-password" });
    newPassword.addEventListener("click", () => {
      error.textContent = "";
      void app.run(tr, newPassword, error, async () => {
        const updated = await api.requirePasswordChange(u.id);
        swap(tr, updated, "new-password");
        showDone(`${updated.display_name} was signed out and will choose a new password at their next sign-in. You will not see it.`);
      });
    });
    if (isMe) {
      newPassword.disabled = true;
      newPassword.title = "Use Change password for your own account.";
    }

    const tr = h("tr", { "data-username": u.username, "data-user-id": u.id },
      h("td", { class: "mono" }, u.username, isMe ? h("span", { class: "muted" }, " (you)") : null),
      h("td", null, u.display_name),
      h("td", null, role),
      h("td", null, teamsEditor),
      h("td", null, h("span", { class: "badges" },
        ...userBadges(u, Date.now() / 1000).map((b) => h("span", { class: `badge ${b.tone}` }, b.label)))),
      h("td", { class: "row-actions" }, toggle, reset, newPassword),
    );
    return tr;
  }

  function swap(old: HTMLTableRowElement, updated: UserSummary, focusAction: string): void {
    const idx = users.findIndex((x) => x.id === updated.id);
    if (idx >= 0) users[idx] = updated;
    const next = row(updated);
    const form = old.nextElementSibling;
    if (form && form.classList.contains("reset-row")) form.remove();
    old.replaceWith(next);
    const target = focusAction === "teams-summary"
      ? next.querySelector<HTMLElement>("summary")
      : next.querySelector<HTMLElement>(`[data-action="${focusAction}"]`);
    target?.focus();
  }

  function openReset(tr: HTMLTableRowElement, u: UserSummary, trigger: HTMLButtonElement): void {
    const existing = tr.nextElementSibling;
    if (existing && existing.classList.contains("reset-row")) {
      existing.querySelector<HTMLInputElement>("input")?.focus();
      return;
    }
    trigger.setAttribute("aria-expanded", "true");
    const code = markField(codeInput(`reset-code-${u.id}`), "your code", "code");
    const confirm = submit(`reset-submit-${u.id}`, "Reset");
    const cancel = button(null, "Cancel", { class: "secondary" });
    const form = h("form", { class: "inline-form", novalidate: true },
      h("p", null, `Reset ${u.display_name}'s authenticator? They will set it up again at their next sign-in, and their recovery codes stop working. Enter your own current authenticator code to confirm.`),
      h("div", { class: "inline-fields" }, field("Your code", code), confirm, cancel));
    const resetRow = h("tr", { class: "reset-row" }, h("td", { colspan: 6 }, form));
    const close = () => { resetRow.remove(); trigger.setAttribute("aria-expanded", "false"); trigger.focus(); };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (ev) => { if (ev.key === "Escape") close(); });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      error.textContent = "";
      const c = normaliseCode(code.value);
      if (!c) return problem(error, code, "Enter the 6 digits from your own authenticator app.");
      void app.run(form, confirm, error, async () => {
        const updated = await api.resetAuthenticator(u.id, c);
        swap(tr, updated, "reset");
        showDone(`${updated.display_name}'s authenticator was reset. They will set it up at their next sign-in.`);
      }).then((ok) => { if (!ok) { code.value = ""; code.focus(); } });
    });
    tr.after(resetRow);
    code.focus();
  }

  for (const u of users) tbody.appendChild(row(u));
  const table = h("table", { id: "users-table", class: "table" },
    h("caption", { class: "sr-only" }, "People who can sign in to this workspace"),
    h("thead", null, h("tr", null,
      h("th", { scope: "col" }, "Username"), h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Role"),
      h("th", { scope: "col" }, "Teams"), h("th", { scope: "col" }, "Status"),
      h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Actions")))),
    tbody);

  const done = h("p", { id: "users-done", class: "status", role: "status" }, flash ?? "");
  const showDone = (message: string) => { done.textContent = message; };

  // ---- add user --------------------------------------------------------
  const nuUsername = markField(input("nu-username", { autocapitalize: "off", required: true }), "username");
  const nuName = markField(input("nu-display-name", { required: true }), "display name");
  const nuRole = roleSelect("nu-role", "agent");
  const nuPassword = markField(input("nu-password", { type: "password", autocomplete: "new-password", minlength: MIN_PASSWORD, required: true }),
    "new password", "password");
  const nuTeams = teamCheckboxes("nu-team", teams, []);
  const nuSubmit = submit("nu-submit", "Add user");
  const newUserForm = h("form", { id: "new-user-form", class: "panel", novalidate: true },
    h("h2", null, "Add user"),
    h("div", { class: "grid2" },
      field("Username", nuUsername),
      field("Display name", nuName),
      field("Role", nuRole),
      field("Initial password", nuPassword, `At least ${MIN_PASSWORD} characters. Share it privately.`),
    ),
    h("fieldset", { class: "choices" }, h("legend", null, "Teams"), nuTeams),
    h("div", { class: "actions" }, nuSubmit),
  );
  newUserForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    done.textContent = "";
    if (!nuUsername.value.trim()) return problem(error, nuUsername, "Enter a username.");
    if (!nuName.value.trim()) return problem(error, nuName, "Enter a display name.");
    const pw = checkNewPassword(nuPassword.value, undefined);
    if (pw) return problem(error, nuPassword, pw.message);
    void app.run(newUserForm, nuSubmit, error, async () => {
      const created = await api.createUser({
        username: nuUsername.value.trim(),
        display_name: nuName.value.trim(),
        role: nuRole.value as Role,
        password: nuPassword.value,
        teams: checkedTeams(nuTeams),
      });
      await reload(`Added ${created.display_name}. At first sign-in they choose their own password and set up their authenticator.`);
      document.getElementById("users-done")?.focus();
    });
  });

  // ---- teams -------------------------------------------------------------
  const teamName = markField(input("new-team-name", { required: true }), "team name");
  const teamSubmit = submit("new-team-submit", "New team");
  const teamForm = h("form", { id: "new-team-form", class: "inline-fields", novalidate: true },
    field("Team name", teamName), teamSubmit);
  teamForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    done.textContent = "";
    const name = teamName.value.trim();
    if (!name) return problem(error, teamName, "Enter a name for the team.");
    void app.run(teamForm, teamSubmit, error, async () => {
      const t = await api.createTeam(name);
      await reload(`Team "${t.name}" created.`);
      document.getElementById("new-team-name")?.focus();
    });
  });
  const teamsList = h("table", { id: "teams-table", class: "table compact" },
    h("thead", null, h("tr", null, h("th", { scope: "col" }, "Team"), h("th", { scope: "col" }, "Members"))),
    h("tbody", null,
      teams.length === 0 ? h("tr", null, h("td", { colspan: 2, class: "empty" }, "No teams yet.")) : null,
      ...teams.map((t) => h("tr", { "data-team": t.name }, h("td", null, t.name), h("td", { class: "num" }, t.members)))));

  done.tabIndex = -1;
  ctx.page.replaceChildren(h("div", { id: "users" },
    h("h1", null, "Users"),
    done,
    h("div", { class: "table-wrap" }, table),
    newUserForm,
    h("section", { class: "panel", "aria-labelledby": "teams-heading" },
      h("h2", { id: "teams-heading" }, "Teams"), teamsList, teamForm),
  ));
}
