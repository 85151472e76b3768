// Owns the window: routes AppStatus.phase to a screen, polls app_status, routes errors,
// and steps aside for the team hub form and the changed-certificate warning.
import * as api from "./api";
import type { AppStatus } from "./bindings/AppStatus";
import { clearErrors, showError } from "./field-errors";
import { h } from "./h";
import { errorAction, screenFor, statusKey, toUiError, type Screen } from "./logic";
import { renderCode, renderFirstRun, renderLock, renderPassphrase, renderSignIn } from "./screens/auth";
import { renderEnrolment, renderRecoveryCodes } from "./screens/enrol";
import { hubLeaveButton, renderHubForm, renderHubWarning } from "./screens/hub";
import { renderNewPassword } from "./screens/password";
import { IDLE_MINUTES_KEY, renderShell } from "./screens/shell";
import { errorArea, type App, type ShowOptions } from "./ui";

const POLL_MS = 5000;

/** Start the app in `root`. Returns a function that stops polling and key handling. */
export function startApp(root: HTMLElement): () => void {
  let status: AppStatus | null = null;
  let shownKey = "";
  let screen: Screen | null = null;
  let recoveryCodes: string[] | null = null;
  let lockShell: (() => void) | null = null;
  let disposeShell: (() => void) | null = null;
  let inFlight = 0;
  let generation = 0;
  /** Shown instead of the status's screen; polling waits while one is open. */
  let detour: "hub_form" | "hub_warning" | null = null;
  /** The signed-in shell's memory (page, filters, open conversation, drafts), kept while its user
   * is locked out so unlocking carries on where they were; dropped by any other screen (sign-out,
   * another account). Held in this app run only, never in the web view's storage. */
  let kept: { user: number; memory: Map<string, unknown> } | null = null;

  const app: App = {
    show(next: AppStatus, opts: ShowOptions = {}): void {
      generation++;
      detour = null;
      status = next;
      shownKey = statusKey(next);
      recoveryCodes = next.phase === "signed_in" ? opts.recoveryCodes ?? null : null;
      screen = screenFor(next.phase, recoveryCodes !== null);
      lockShell = null;
      leaveShell();
      let view: HTMLElement;
      switch (screen) {
        case "first_run": view = renderFirstRun(app, opts); break;
        case "passphrase": view = renderPassphrase(app, opts); break;
        case "sign_in": view = renderSignIn(app, opts); break;
        case "code": view = renderCode(app, opts); break;
        case "enrolment": view = renderEnrolment(app); break;
        case "new_password": view = renderNewPassword(app, opts); break;
        case "recovery_codes": view = renderRecoveryCodes(app, next, recoveryCodes ?? []); break;
        case "locked": view = renderLock(app, opts, kept?.memory.get(IDLE_MINUTES_KEY) as number | undefined); break;
        case "shell": {
          const user = next.user?.user_id ?? -1;
          if (kept?.user !== user) kept = { user, memory: new Map() };
          const shell = renderShell(app, next, opts, kept.memory);
          lockShell = shell.lock;
          disposeShell = shell.dispose;
          view = shell.element;
          break;
        }
      }
      if (screen !== "shell" && screen !== "locked") kept = null;
      // Replace everything: nothing from the previous screen (or session) stays in the window.
      root.replaceChildren(view);
      root.setAttribute("data-screen", screen);
    },

    async refresh(opts: ShowOptions = {}): Promise<void> {
      const gen = generation;
      try {
        const next = await api.appStatus();
        if (gen === generation || opts.notice) app.show(next, opts);
      } catch (err) {
        const e = toUiError(err);
        if (errorAction(e.code) === "hub_certificate") showHubWarning(e.message);
        else showFatal(e.message, e.code === "hub_unreachable");
      }
    },

    async run(form, button, errorEl, task): Promise<boolean> {
      inFlight++;
      clearErrors(form);
      form.setAttribute("aria-busy", "true");
      if (button) button.disabled = true;
      try {
        await task();
        return true;
      } catch (err) {
        app.fail(err, errorEl, form);
        return false;
      } finally {
        inFlight--;
        form.removeAttribute("aria-busy");
        if (button) button.disabled = false;
      }
    },

    fail(err: unknown, errorEl: HTMLElement, form: HTMLElement | null = null): void {
      const e = toUiError(err);
      switch (errorAction(e.code)) {
        case "show_lock":
          void app.refresh();
          break;
        case "back_to_sign_in":
          void app.refresh({ notice: e.code === "session_expired" ? e.message : "You are signed out. Please sign in again." });
          break;
        case "hub_certificate":
          showHubWarning(e.message);
          break;
        default:
          showError(form, e, errorEl);
      }
    },

    status(): AppStatus {
      if (!status) throw new Error("status not loaded");
      return status;
    },

    openHub(url?: string, opener?: HTMLElement): void {
      // Keep the screen underneath as it is, so Cancel returns to it with its input intact.
      const previous = Array.from(root.childNodes);
      const previousScreen = root.getAttribute("data-screen");
      const previousDetour = detour;
      const gen = generation;
      const back = () => {
        if (gen !== generation) return;
        detour = previousDetour;
        root.replaceChildren(...previous);
        if (previousScreen) root.setAttribute("data-screen", previousScreen);
        if (opener && opener.isConnected) opener.focus();
      };
      detour = "hub_form";
      root.replaceChildren(renderHubForm(app, { url, back }));
      root.setAttribute("data-screen", "hub");
    },
  };

  /** A trusted hub showed another certificate: nothing goes on until the user decides. */
  function showHubWarning(message: string): void {
    generation++;
    leaveShell();
    lockShell = null;
    screen = null;
    shownKey = "";
    detour = "hub_warning";
    root.replaceChildren(renderHubWarning(app, message, status?.hub?.url ?? ""));
    root.setAttribute("data-screen", "hub_warning");
  }

  /** Stop the signed-in shell's listeners (live events, page timers) before it leaves. */
  function leaveShell(): void {
    const d = disposeShell;
    disposeShell = null;
    d?.();
  }

  /** Nothing can be shown. When it is the team hub that cannot be reached, the way back
   * to this computer's own workspace is offered too, so no one is stuck while it is down. */
  function showFatal(message: string, hubDown = false): void {
    generation++;
    detour = null;
    leaveShell();
    status = null;
    screen = null;
    shownKey = "";
    const error = errorArea();
    error.textContent = message;
    const retry = h("button", { id: "retry", type: "button", class: "primary" }, "Try again");
    retry.addEventListener("click", () => { retry.disabled = true; void app.refresh({}); });
    root.replaceChildren(h("main", { class: "auth" }, h("div", { class: "auth-card" },
      h("p", { class: "brand" }, "Appcare Inbox"),
      h("h1", null, hubDown ? "The team hub cannot be reached" : "The app could not start"),
      error,
      h("div", { class: "actions" }, retry, hubDown ? hubLeaveButton(app, error) : null))));
    retry.focus();
  }

  async function poll(): Promise<void> {
    if (inFlight > 0 || status === null || detour !== null) return;
    const gen = generation;
    let next: AppStatus;
    try {
      next = await api.appStatus();
    } catch (err) {
      // A changed hub certificate is not transient: stop and warn. Anything else: the next poll tries again.
      const e = toUiError(err);
      if (errorAction(e.code) === "hub_certificate" && gen === generation && inFlight === 0 && detour === null) {
        showHubWarning(e.message);
      }
      return;
    }
    // Drop the answer if the window changed meanwhile or a command is running.
    if (gen !== generation || inFlight > 0 || detour !== null) return;
    if (statusKey(next) !== shownKey) {
      const wasIn = status.phase === "signed_in" || status.phase === "locked";
      app.show(next, wasIn && next.phase === "signed_out" ? { notice: "Your session has ended. Please sign in again." } : {});
    } else {
      status = next;
    }
  }

  const onKey = (ev: KeyboardEvent) => {
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey && ev.key.toLowerCase() === "l" && screen === "shell" && lockShell) {
      ev.preventDefault();
      lockShell();
    }
  };
  document.addEventListener("keydown", onKey);
  const timer = window.setInterval(() => void poll(), POLL_MS);
  void app.refresh();
  return () => {
    window.clearInterval(timer);
    document.removeEventListener("keydown", onKey);
    leaveShell();
  };
}
