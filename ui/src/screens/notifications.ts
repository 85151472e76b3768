// "Notifications": which desktop notifications the signed-in person wants, as a dialog
// over the shell. Read from the core when opened, saved as one choice set.
import * as api from "../api";
import type { NotificationSettings } from "../bindings/NotificationSettings";
import { h } from "../h";
import { button, errorArea, openModal, submit, type App } from "../ui";

/** The choices in the order shown, with the words the person reads. */
export const NOTIFICATION_CHOICES: { key: keyof NotificationSettings; label: string }[] = [
  { key: "new_conversation", label: "A new conversation is assigned to me" },
  { key: "customer_reply", label: "A customer writes in a conversation assigned to me" },
  { key: "mention", label: "A colleague mentions me in a note" },
  { key: "handoff", label: "A colleague hands a conversation to me" },
  { key: "sla_breach", label: "A conversation of mine or of a team I lead misses its SLA target" },
];

/** Opens the dialog; `done` runs with a message after saving. */
export function openNotifications(app: App, host: HTMLElement, done: (message: string) => void): void {
  const general = errorArea();
  general.id = "notify-error";
  const boxes = new Map<keyof NotificationSettings, HTMLInputElement>();
  const rows = NOTIFICATION_CHOICES.map(({ key, label }) => {
    const id = `notify-${key.replace("_", "-")}`;
    const box = h("input", { type: "checkbox", id, disabled: true }) as HTMLInputElement;
    boxes.set(key, box);
    return h("div", { class: "choice" }, box, h("label", { for: id }, label));
  });
  const go = submit("notify-save", "Save");
  const cancel = button("notify-cancel", "Cancel", { class: "secondary" });
  go.disabled = true;
  const form = h("form", { id: "notifications-form", novalidate: true },
    h("fieldset", null, h("legend", null, "Show a desktop notification when"), ...rows),
    general, h("div", { class: "actions" }, go, cancel));
  const modal = openModal(host, "notifications", "Notifications", [
    h("p", { class: "lead" }, "Nothing is shown while the app is locked, and a notification names only the channel and the customer's first name."),
    form]);
  cancel.addEventListener("click", modal.close);
  // Save stays off until the choices are read: saving unread boxes would switch all off.
  let loaded = false;
  void app.run(form, null, general, async () => {
    const now = await api.notificationSettings();
    loaded = true;
    for (const [key, box] of boxes) {
      box.checked = now[key];
      box.disabled = false;
    }
    go.disabled = false;
    boxes.get("new_conversation")?.focus();
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!loaded) return;
    const chosen = Object.fromEntries(
      NOTIFICATION_CHOICES.map(({ key }) => [key, boxes.get(key)!.checked])) as NotificationSettings;
    void app.run(form, go, general, async () => {
      await api.setNotificationSettings(chosen);
      modal.close();
      done("Your notification choices are saved.");
    });
  });
}
