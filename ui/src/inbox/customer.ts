//! The customer panel beside the open conversation: the contact's name (renamed in place), their
//! addresses by channel, do-not-contact, their consent per channel (customer-consent.ts), and their
//! conversations (each opens here). It folds away
//! (its button or c, kept in the shell's memory) and reloads when the contact changes or, at most
//! once a second, when the open conversation is re-read. Below: other customers who may be the same
//! person (customer-merge.ts).
import * as api from "../api";
import type { ContactPanel } from "../bindings/ContactPanel";
import type { ConversationSummary } from "../bindings/ConversationSummary";
import type { ConversationView } from "../bindings/ConversationView";
import { clearErrors, markField } from "../field-errors";
import { h } from "../h";
import { errorAction, formatDateTime, toUiError } from "../logic";
import type { Part } from "../store";
import { button, input } from "../ui";
import { channelBadge } from "./badges";
import { createConsent } from "./customer-consent";
import { createMerge } from "./customer-merge";
import { conversationsHeading, CUSTOMER_SHOWN_KEY, groupIdentities, loadErrorText, notShownText, reloadDelay } from "./customer-logic";
import { relativeTime, STATUS_LABELS } from "./logic";
import { NO_CUSTOMER, now, type CustomerState, type Deps, type InboxState } from "./state";

export type CustomerPart = Part<InboxState> & {
  /** Show or hide the panel (default: the other way round); kept in the shell's memory. */
  toggle(shown?: boolean): void;
  /** Load the panel for `contact` now; an answer for a contact no longer shown is dropped. */
  load(contact: number): Promise<void>;
};

export function createCustomer(deps: Deps): CustomerPart {
  const { ctx, store, actions } = deps;
  let gen = 0;
  let lastLoadAt = Number.NEGATIVE_INFINITY;
  let reloadTimer = 0;
  /** A reload fell due while the panel was hidden: load when it shows. */
  let stale = false;
  let editing = false;

  const foldBtn = button("customer-toggle", "", { class: "rail-toggle customer-toggle", "aria-label": "Customer",
    "aria-controls": "customer-body", "aria-expanded": "true", "aria-keyshortcuts": "C" });
  const statusEl = h("div", { id: "customer-status", class: "customer-status", role: "status" });
  const nameEl = h("h3", { id: "customer-name", class: "customer-name" });
  const renameBtn = button("customer-rename", "Rename", { class: "small secondary" });
  const nameRow = h("div", { class: "customer-name-row" }, nameEl, renameBtn);
  const nameInput = markField(input("customer-name-input", { maxlength: 200, "aria-describedby": "customer-name-hint" }), "name");
  const saveBtn = h("button", { id: "customer-save", type: "submit", class: "small" }, "Save");
  const cancelBtn = button("customer-cancel", "Cancel", { class: "small secondary" });
  const formError = h("p", { id: "customer-rename-error", class: "error form-error", role: "alert" });
  const form = h("form", { id: "customer-rename-form", class: "customer-rename", hidden: true, novalidate: true },
    h("label", { for: "customer-name-input" }, "Name"),
    h("div", { class: "customer-rename-field" }, nameInput),
    h("p", { id: "customer-name-hint", class: "hint" }, "Enter to save, Esc to cancel"),
    h("div", { class: "actions" }, saveBtn, cancelBtn), formError);
  const details = h("div", { class: "customer-details" });
  // Declared functions are hoisted: `load` is ready when a merge needs it.
  const merge = createMerge(deps, (contact) => load(contact));
  const consent = createConsent(deps, (contact) => load(contact));
  const card = h("div", { class: "customer-card", hidden: true }, nameRow, form, details, consent.el, merge.el);
  const body = h("div", { id: "customer-body", class: "customer-body" }, statusEl, card);
  const el = h("aside", { id: "customer", class: "customer", "aria-labelledby": "customer-heading", hidden: true },
    h("div", { class: "customer-head" }, h("h2", { id: "customer-heading", class: "customer-heading" }, "Customer"), foldBtn),
    body);

  const setCustomer = (c: CustomerState) => store.set({ customer: c });

  async function load(contact: number): Promise<void> {
    const g = ++gen;
    deps.cancel(reloadTimer);
    reloadTimer = 0;
    lastLoadAt = Date.now();
    const prev = store.get().customer;
    setCustomer({ contact, panel: prev.contact === contact ? prev.panel : null, loading: true, error: null });
    let patch: Partial<CustomerState>;
    try {
      patch = { panel: await api.contactPanel(contact), error: null };
    } catch (err) {
      if (g !== gen || !ctx.current()) return;
      const e = toUiError(err);
      // Locked or signed out: the window goes there; anything else is said inside the panel.
      if (errorAction(e.code) !== "show_message") { ctx.app.fail(err, ctx.error); return; }
      patch = { error: loadErrorText(e.message) };
    }
    if (g !== gen || !ctx.current() || store.get().customer.contact !== contact) return;
    setCustomer({ ...store.get().customer, ...patch, loading: false });
  }

  /** The open conversation was re-read: reload, but no more than once a second. */
  function liveReload(contact: number): void {
    if (reloadTimer) return;
    const wait = reloadDelay(lastLoadAt, Date.now());
    if (wait === 0) { void load(contact); return; }
    reloadTimer = deps.later(() => {
      reloadTimer = 0;
      const s = store.get();
      if (s.view?.summary.contact_id !== contact) return;
      if (s.customerShown) void load(contact);
      else stale = true;
    }, wait);
  }

  function toggle(shown = !store.get().customerShown): void {
    ctx.memory.set(CUSTOMER_SHOWN_KEY, shown);
    store.set({ customerShown: shown });
  }
  foldBtn.addEventListener("click", () => toggle());

  // ---- rename ----
  function setEditing(on: boolean): void {
    editing = on;
    form.hidden = !on;
    nameRow.hidden = on;
  }
  renameBtn.addEventListener("click", () => {
    const p = store.get().customer.panel;
    if (!p?.can_edit) return;
    clearErrors(form);
    nameInput.value = p.name;
    setEditing(true);
    nameInput.focus();
    nameInput.select();
  });
  function cancel(): void {
    clearErrors(form);
    setEditing(false);
    renameBtn.focus();
  }
  async function save(): Promise<void> {
    const p = store.get().customer.panel;
    if (!p?.can_edit) return;
    const contact = p.id;
    const name = nameInput.value.trim();
    const ok = await ctx.app.run(form, saveBtn, formError, () => api.renameContact(contact, name).then(() => {}));
    if (!ok || store.get().customer.contact !== contact) return;
    setEditing(false);
    renameBtn.focus();
    await load(contact);
    // The head and the list show the name too.
    void actions.reloadConversation();
    void actions.refreshList();
  }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); void save(); });
  cancelBtn.addEventListener("click", cancel);
  nameInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); void save(); }
    else if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); cancel(); }
  });

  // ---- conversations ----
  function conversationItem(s: ConversationSummary, openId: number | null, at: number): HTMLElement {
    const open = s.id === openId;
    return h("li", null, h("button", {
      type: "button", class: `customer-conv${open ? " open" : ""}`, "data-conversation-id": s.id, "aria-current": open ? "true" : null,
    },
      h("span", { class: "customer-conv-top" },
        channelBadge(s.channel),
        h("span", { class: `badge status-${s.status}` }, STATUS_LABELS[s.status] ?? s.status),
        open ? h("span", { class: "customer-conv-here" }, "Viewing") : null,
        h("span", { class: "customer-conv-time", title: formatDateTime(s.last_activity_at) }, relativeTime(s.last_activity_at, at))),
      h("span", { class: "customer-conv-text" }, s.subject || s.preview || "(no messages yet)")));
  }
  details.addEventListener("click", (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLElement>("[data-conversation-id]");
    if (!b) return;
    const id = Number(b.dataset.conversationId);
    if (id !== store.get().openId) void actions.openConversation(id);
  });

  function renderDetails(p: ContactPanel, openId: number | null): void {
    const focused = (document.activeElement as HTMLElement | null)?.closest?.<HTMLElement>("[data-conversation-id]");
    const keep = focused && details.contains(focused) ? focused.dataset.conversationId : null;
    nameEl.textContent = p.name;
    renameBtn.hidden = !p.can_edit;
    if (!p.can_edit && editing) setEditing(false);
    const more = notShownText(p.not_shown);
    const at = now();
    details.replaceChildren(
      p.do_not_contact ? h("p", { id: "customer-dnc", class: "badge bad customer-dnc" }, "Asked not to be contacted") : "",
      h("h3", { class: "customer-section" }, "Reached at"),
      p.identities.length === 0 ? h("p", { class: "muted" }, "No addresses known.") : "",
      h("dl", { id: "customer-identities", class: "customer-identities" },
        ...groupIdentities(p.identities).map((g) => [
          h("dt", { "data-channel": g.channel }, g.label),
          ...g.addresses.map((a) => h("dd", { "data-channel": g.channel }, a)),
        ])),
      h("h3", { id: "customer-convs-heading", class: "customer-section" }, conversationsHeading(p.conversations.length)),
      h("ul", { id: "customer-conversations", class: "customer-convs", "aria-labelledby": "customer-convs-heading" },
        ...p.conversations.map((s) => conversationItem(s, openId, at))),
      more ? h("p", { id: "customer-not-shown", class: "muted" }, more) : "");
    if (keep) details.querySelector<HTMLElement>(`[data-conversation-id="${keep}"]`)?.focus();
  }

  let seenView: ConversationView | null = null;
  let shownCustomer: CustomerState | null = null;
  let shownPanel: ContactPanel | null = null;
  let shownOpen: number | null = null;
  let shownFold: boolean | null = null;
  let shownMinute = 0;
  function update(s: InboxState): void {
    const v = s.view;
    const contact = v ? v.summary.contact_id : null;
    el.hidden = v === null;
    if (s.customerShown !== shownFold) {
      shownFold = s.customerShown;
      el.classList.toggle("collapsed", !s.customerShown);
      foldBtn.setAttribute("aria-expanded", s.customerShown ? "true" : "false");
      foldBtn.textContent = s.customerShown ? "»" : "«";
      foldBtn.title = `${s.customerShown ? "Hide" : "Show"} the customer panel (c)`;
      if (!s.customerShown && body.contains(document.activeElement)) foldBtn.focus();
      body.hidden = !s.customerShown;
    }
    if (v !== seenView) {
      seenView = v;
      if (contact === null) {
        gen++;
        deps.cancel(reloadTimer);
        reloadTimer = 0;
        if (s.customer !== NO_CUSTOMER) setCustomer(NO_CUSTOMER);
      } else if (!s.customerShown) stale = true;
      else if (contact !== s.customer.contact) void load(contact);
      else liveReload(contact);
    }
    if (contact !== null && s.customerShown && stale) {
      stale = false;
      void load(contact);
    }
    const c = store.get().customer;
    if (c !== shownCustomer) {
      shownCustomer = c;
      statusEl.replaceChildren(
        c.error ? h("p", { class: "error" }, c.error) : "",
        c.error && c.contact !== null ? retryButton(c.contact) : "",
        c.loading && !c.panel ? h("p", { class: "muted" }, "Loading…") : "");
      card.hidden = c.panel === null;
      if (c.panel?.id !== shownPanel?.id && editing) setEditing(false);
    }
    // The relative times move on too (the state's clock ticks every 30 s).
    const minute = Math.floor(now() / 60);
    merge.show(c.panel);
    consent.show(c.panel);
    if (c.panel && (c.panel !== shownPanel || s.openId !== shownOpen || minute !== shownMinute)) renderDetails(c.panel, s.openId);
    shownPanel = c.panel;
    shownOpen = s.openId;
    shownMinute = minute;
  }

  function retryButton(contact: number): HTMLButtonElement {
    const b = button("customer-retry", "Try again", { class: "small secondary" });
    b.addEventListener("click", () => void load(contact));
    return b;
  }

  return { el, update, toggle, load, dispose: () => { gen++; deps.cancel(reloadTimer); merge.dispose(); } };
}
