// Team mode: the form that checks a hub's certificate fingerprint before the user trusts it,
// the warning shown when a trusted hub presents another certificate, and the pieces the
// sign-in and first-run screens show to reach, name or leave a hub.
import * as api from "../api";
import type { HubConnection } from "../bindings/HubConnection";
import type { HubProbe } from "../bindings/HubProbe";
import { useErrorLine } from "../field-errors";
import { h } from "../h";
import { checkHubAddress, fingerprintGroups } from "../hub-logic";
import { authCard, button, field, focusSoon, input, problem, submit, type App } from "../ui";

export type HubFormOptions = {
  /** Prefill the address (connecting again to the current hub). */
  url?: string;
  /** Back to where the form was opened from. */
  back: () => void;
};

function hubErrorArea(): HTMLParagraphElement {
  return h("p", { id: "hub-error", role: "alert", class: "error" });
}

/** "Connect to a team hub": opens the hub form. */
export function hubOpenButton(app: App): HTMLButtonElement {
  const open = button("hub-open", "Connect to a team hub", { class: "link" });
  open.addEventListener("click", () => app.openHub(undefined, open));
  return open;
}

/** Names the hub the sign-in goes to. */
export function hubBanner(hub: HubConnection): HTMLElement {
  return h("p", { id: "hub-banner", class: "hub-banner" }, "Team hub: ", h("span", { class: "mono" }, hub.url));
}

/** Leaves team mode for this computer's own workspace; problems go to `errorEl`. */
export function hubLeaveButton(app: App, errorEl: HTMLElement): HTMLButtonElement {
  const leave = button("hub-leave", "Use this computer's workspace instead", { class: "secondary" });
  leave.addEventListener("click", () => {
    errorEl.textContent = "";
    void app.run(leave, leave, errorEl, async () => {
      app.show(await api.leaveHub(), { notice: "You left the team hub. This is the workspace on this computer." });
    });
  });
  return leave;
}

/** The fingerprint in lines of a few pairs; its text is still exactly `fingerprint`. */
function fingerprintView(fingerprint: string): HTMLElement {
  return h("p", { id: "hub-fingerprint", class: "fingerprint mono", "aria-labelledby": "hub-fingerprint-label" },
    ...fingerprintGroups(fingerprint).map((group) => h("span", null, group)));
}

/** What the probe found, and the one way on: trusting it on purpose. */
function probeView(probe: HubProbe, trust: HTMLButtonElement): HTMLElement[] {
  return [
    h("h2", { id: "hub-result-title", class: "sub" }, "Check the hub's fingerprint"),
    h("dl", { class: "facts hub-facts" },
      h("dt", null, "Hub"), h("dd", { id: "hub-probed-url", class: "mono" }, probe.url),
      h("dt", null, "Workspace"), h("dd", { id: "hub-workspace" }, probe.workspace)),
    h("p", { id: "hub-fingerprint-label", class: "label" }, "Certificate SHA-256 fingerprint"),
    fingerprintView(probe.fingerprint),
    h("p", { id: "hub-compare" },
      "Compare this fingerprint with the one your admin's ", h("code", null, "appcare serve"),
      " printed (\u201ccertificate SHA-256 fingerprint \u2026\u201d). Trust it only if they match."),
    h("p", { class: "hint" }, "If they differ, do not connect, and tell your admin."),
    h("div", { class: "actions" }, trust),
  ];
}

/** The hub form: address → check (probe, trusting nothing) → compare → trust and connect. */
export function renderHubForm(app: App, opts: HubFormOptions): HTMLElement {
  const error = hubErrorArea();
  const url = input("hub-url", { inputmode: "url", autocapitalize: "off", placeholder: "https://hub.example.org:8787", required: true });
  if (opts.url) url.value = opts.url;
  const check = submit("hub-check", "Check hub");
  const form = h("form", { id: "hub-form", novalidate: true },
    field("Hub address", url, "Your admin gives you this address."), h("div", { class: "actions" }, check));
  const result = h("section", { id: "hub-result", tabindex: -1, "aria-labelledby": "hub-result-title" });
  result.hidden = true;
  const cancel = button("hub-cancel", "Cancel", { class: "secondary" });
  let probed: HubProbe | null = null;
  let connecting = false;

  const forget = () => {
    probed = null;
    result.hidden = true;
    result.replaceChildren();
  };
  const back = () => {
    if (connecting) return;
    document.removeEventListener("keydown", onKey);
    opts.back();
  };
  // Esc leaves the form wherever focus is (a disabled button can drop it to the page).
  function onKey(ev: KeyboardEvent): void {
    if (!card.isConnected) {
      document.removeEventListener("keydown", onKey);
      return;
    }
    if (ev.key === "Escape") {
      ev.preventDefault();
      back();
    }
  }

  const connect = (probe: HubProbe, trust: HTMLButtonElement) => {
    error.textContent = "";
    connecting = true;
    cancel.disabled = true;
    trust.textContent = "Connecting…";
    void app.run(result, trust, error, async () => {
      app.show(await api.connectHub(probe.url, probe.fingerprint),
        { notice: "Connected. Sign in with your account on the team hub." });
    }).then((ok) => {
      if (ok) return;
      connecting = false;
      cancel.disabled = false;
      trust.textContent = "Trust and connect";
      trust.focus();
    });
  };

  const showProbe = (probe: HubProbe) => {
    probed = probe;
    const trust = button("hub-trust", "Trust and connect", { class: "primary" });
    trust.addEventListener("click", () => connect(probe, trust));
    result.replaceChildren(...probeView(probe, trust));
    result.hidden = false;
    result.focus();
  };

  // A changed address no longer matches the fingerprint on screen.
  url.addEventListener("input", () => { if (probed) forget(); });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (connecting) return;
    error.textContent = "";
    const checked = checkHubAddress(url.value);
    if (checked.problem !== null) return problem(error, url, checked.problem);
    forget();
    check.textContent = "Connecting…";
    void app.run(form, check, error, async () => {
      const probe = await api.probeHub(checked.url);
      if (url.value.trim() === checked.url) showProbe(probe);
    }).then((ok) => {
      check.textContent = "Check hub";
      if (!ok) url.focus();
    });
  });

  cancel.addEventListener("click", back);
  const card = authCard("Connect to a team hub",
    "Work through your team's hub instead of a workspace on this computer.",
    form, result, error, h("div", { class: "actions end" }, cancel));
  useErrorLine(form, error);
  document.addEventListener("keydown", onKey);
  focusSoon(url);
  return card;
}

/** A trusted hub showed another certificate: stop, say so plainly, offer the ways on. */
export function renderHubWarning(app: App, message: string, hubUrl: string): HTMLElement {
  const error = hubErrorArea();
  const reconnect = button("hub-reconnect", "Connect again…", { class: "primary" });
  reconnect.addEventListener("click", () => app.openHub(hubUrl, reconnect));
  focusSoon(reconnect);
  return authCard("The hub's certificate changed", null,
    h("div", { id: "hub-warning", role: "alert", class: "warning danger" }, h("p", null, message)),
    h("p", null, "Nothing more goes to the hub until you decide. Ask your admin whether the hub has a new ",
      "certificate. Connect again only if the new fingerprint matches the one your admin gives you."),
    error,
    h("div", { class: "actions" }, reconnect, hubLeaveButton(app, error)));
}
