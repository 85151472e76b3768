// Authenticator enrolment and the one-time recovery codes screen.
import * as api from "../api";
import type { AppStatus } from "../bindings/AppStatus";
import type { QrMatrix } from "../bindings/QrMatrix";
import { markField } from "../field-errors";
import { h } from "../h";
import { groupKey, normaliseCode, qrLayout } from "../logic";
import { authCard, button, codeInput, errorArea, field, focusSoon, problem, submit, type App } from "../ui";

export function drawQr(canvas: HTMLCanvasElement, qr: QrMatrix): void {
  const layout = qrLayout(qr, 6, 4);
  canvas.width = layout.pixels;
  canvas.height = layout.pixels;
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("This window cannot draw the QR code. Use the key below instead.");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, layout.pixels, layout.pixels);
  ctx.fillStyle = "#000000";
  for (const r of layout.rects) ctx.fillRect(r.x, r.y, r.w, r.h);
}

export function renderEnrolment(app: App): HTMLElement {
  const error = errorArea();
  const canvas = h("canvas", { id: "enrol-qr", class: "qr", role: "img", width: 222, height: 222,
    "aria-label": "QR code to scan with your authenticator app" });
  const manualKey = h("code", { id: "enrol-manual-key", class: "manual-key" });
  const uri = h("code", { id: "enrol-uri", class: "uri" });
  const code = markField(codeInput("enrol-code"), "code");
  const go = submit("enrol-submit", "Confirm");
  go.disabled = true;
  const cancel = button("enrol-cancel", "Cancel", { class: "secondary" });
  const form = h("form", { id: "enrol-form", novalidate: true, "aria-busy": "true" },
    field("Code shown in the app", code), error, h("div", { class: "actions" }, go, cancel));

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const c = normaliseCode(code.value);
    if (!c) return problem(error, code, "Enter the 6 digits shown in your authenticator app.");
    void app.run(form, go, error, async () => {
      const done = await api.confirmEnrolment(c);
      app.show(done.status, { recoveryCodes: done.recovery_codes });
    }).then((ok) => { if (!ok) { code.value = ""; code.focus(); } });
  });
  cancel.addEventListener("click", () => {
    void app.run(form, cancel, error, async () => app.show(await api.signOut()));
  });

  api.startEnrolment().then((e) => {
    try {
      drawQr(canvas, e.qr);
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : "The QR code could not be drawn. Use the key instead.";
    }
    manualKey.textContent = groupKey(e.manual_key);
    uri.textContent = e.otpauth_uri;
    go.disabled = false;
    form.removeAttribute("aria-busy");
    code.focus();
  }).catch((err) => {
    form.removeAttribute("aria-busy");
    app.fail(err, error);
  });

  focusSoon(code);
  return authCard("Set up your authenticator",
    "Scan the code with an authenticator app (for example Microsoft Authenticator, Google Authenticator or 1Password), then type the 6-digit code it shows.",
    h("div", { class: "enrol" },
      h("div", { class: "qr-frame" }, canvas),
      h("div", { class: "enrol-side" },
        h("p", { class: "label" }, "Can't scan? Type this key instead:"),
        manualKey,
        h("details", null, h("summary", null, "Show setup link"), uri),
      ),
    ),
    form,
  );
}

export function renderRecoveryCodes(app: App, status: AppStatus, codes: string[]): HTMLElement {
  const error = errorArea();
  const copied = h("p", { id: "recovery-copied", class: "status", role: "status" });
  const copy = button("recovery-copy", "Copy all", { class: "secondary" });
  const cont = button("recovery-continue", "Continue", { class: "primary" });
  copy.addEventListener("click", () => {
    const text = codes.join("\n");
    copied.textContent = "";
    error.textContent = "";
    const fail = () => { error.textContent = "Could not copy. Select the codes and copy them by hand."; };
    try {
      navigator.clipboard.writeText(text).then(() => { copied.textContent = "Copied all codes."; }, fail);
    } catch {
      fail();
    }
  });
  cont.addEventListener("click", () => app.show(status));
  focusSoon(copy);
  return authCard("Save your recovery codes",
    "If you lose your phone, each code lets you sign in once. They are shown only now: store them somewhere safe, such as a password manager.",
    h("ul", { id: "recovery-codes", class: "codes" }, ...codes.map((c) => h("li", null, c))),
    copied,
    error,
    h("div", { class: "actions" }, copy, cont),
  );
}
