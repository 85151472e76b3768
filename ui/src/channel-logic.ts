// Pure WhatsApp / Messenger logic: no DOM, no IPC. Unit-tested in channel-logic.test.ts.
import type { LocalStorageView } from "./bindings/LocalStorageView";
import type { NewChannelAccount } from "./bindings/NewChannelAccount";
import type { ReplyWindow } from "./bindings/ReplyWindow";
import type { TemplateButton } from "./bindings/TemplateButton";
import type { TemplateView } from "./bindings/TemplateView";
import type { WebhookListener } from "./bindings/WebhookListener";
import { formatDateTime } from "./logic";

// ---- the reply window -------------------------------------------------------------

/** Time left, rounded down: "5 h 12 min", "45 min", "6 d 23 h", "less than a minute". */
export function formatTimeLeft(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return "less than a minute";
  // Up to two days in hours ("24 h" reads better than "1 d"), then in days.
  const days = Math.floor(s / 86400);
  const hours = days >= 2 ? Math.floor((s % 86400) / 3600) : Math.floor(s / 3600);
  const mins = Math.floor((s % 3600) / 60);
  if (days >= 2) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

/** Open by the server's word, and not yet past `closes_at` by the clock here. */
export function windowOpenNow(w: ReplyWindow, now: number): boolean {
  return w.open && (w.closes_at === null || w.closes_at > now);
}

/** "Free-form replies for 5 h 12 min (HUMAN_AGENT tag)"; null when the window is not open. */
export function replyWindowText(w: ReplyWindow, now: number): string | null {
  if (!windowOpenNow(w, now)) return null;
  const tag = w.tagged ? " (HUMAN_AGENT tag)" : "";
  if (w.closes_at === null) return `Free-form replies allowed${tag}`;
  return `Free-form replies for ${formatTimeLeft(w.closes_at - now)}${tag}`;
}

export type WindowState =
  /** Free-form replies allowed; `text` says for how long. */
  | { kind: "free"; text: string | null }
  /** WhatsApp outside the window: only an approved template may be sent. */
  | { kind: "template"; reason: string }
  /** Nothing may be sent until the customer writes again. */
  | { kind: "closed"; reason: string }
  /** It ran out here since the conversation was read: re-read it to learn what is allowed now. */
  | { kind: "expired"; reason: string };

export function windowState(w: ReplyWindow, now: number, contact: string): WindowState {
  if (windowOpenNow(w, now)) return { kind: "free", text: replyWindowText(w, now) };
  if (w.open) return { kind: "expired", reason: "The reply window has just closed. Checking what can be sent now…" };
  if (w.needs_template) {
    return {
      kind: "template",
      reason: `The 24-hour reply window has closed. Until ${contact} writes again, WhatsApp only allows an approved template message.`,
    };
  }
  if (w.channel === "messenger") {
    return {
      kind: "closed",
      reason: `The reply window has closed: Messenger does not allow replies this long after ${contact}'s last message. ${contact} must write first. Notes still work.`,
    };
  }
  return { kind: "closed", reason: `The reply window has closed. ${contact} must write first. Notes still work.` };
}

// ---- templates ----------------------------------------------------------------------

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

/** How many parameters a template takes: the highest {{n}} in its body, or what Meta said if more. */
export function templateParameterCount(t: Pick<TemplateView, "body" | "parameters">): number {
  let max = 0;
  for (const m of t.body.matchAll(PLACEHOLDER)) max = Math.max(max, Number(m[1]));
  return Math.max(max, Math.max(0, Math.floor(t.parameters)));
}

export type TemplatePart = { text: string; param: number | null; filled: boolean };

/** The body cut into text and {{n}} parts; a part with `param` shows the value (or "{{n}}" while empty). */
export function templateParts(body: string, params: string[]): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of body.matchAll(PLACEHOLDER)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: body.slice(last, at), param: null, filled: false });
    const n = Number(m[1]);
    const value = params[n - 1] ?? "";
    parts.push(value.trim() === "" ? { text: `{{${n}}}`, param: n, filled: false } : { text: value, param: n, filled: true });
    last = at + m[0].length;
  }
  if (last < body.length) parts.push({ text: body.slice(last), param: null, filled: false });
  return parts;
}

/** The body with {{1}}, {{2}}, … replaced by the parameters; empty ones stay as {{n}}. */
export function fillTemplate(body: string, params: string[]): string {
  return templateParts(body, params).map((p) => p.text).join("");
}

/** What is wrong with the parameters, in plain words (index = 0-based); null when they can be sent. */
export function templateParamProblem(params: string[], count: number): { index: number; message: string } | null {
  for (let i = 0; i < count; i++) {
    const v = (params[i] ?? "").trim();
    if (v === "") return { index: i, message: `Fill in parameter {{${i + 1}}}.` };
    if (/[\n\r\t]/.test(v)) return { index: i, message: `Parameter {{${i + 1}}} cannot contain line breaks or tabs.` };
    if (/ {5,}/.test(v)) return { index: i, message: `Parameter {{${i + 1}}} cannot contain more than 4 spaces in a row.` };
  }
  return null;
}

/** The buttons of a template that take a value (a link's ending, an offer code), in order. */
export function templateValueButtons(t: Pick<TemplateView, "buttons">): TemplateButton[] {
  return (t.buttons ?? []).filter((b) => b.parameters > 0);
}

/** Whether the template's title takes a typed value ({{1}} in a text title). */
export function templateTitleTakesValue(t: Pick<TemplateView, "header">): boolean {
  return t.header?.format === "text" && /\{\{\s*1\s*\}\}/.test(t.header.text);
}

/** The file a template's title shows, if it shows one: what the picker accepts and its limit. */
export function templateHeaderFile(t: Pick<TemplateView, "header">): { kind: string; accept: string; maxBytes: number } | null {
  switch (t.header?.format) {
    case "image": return { kind: "picture", accept: "image/jpeg,image/png", maxBytes: 5 * 1024 * 1024 };
    case "video": return { kind: "video", accept: "video/mp4,video/3gpp", maxBytes: 16 * 1024 * 1024 };
    case "document": return { kind: "document", accept: "", maxBytes: 16 * 1024 * 1024 };
    default: return null;
  }
}

/** What is wrong with a file chosen for a template's title, in plain words; null when it fits. */
export function templateFileProblem(t: Pick<TemplateView, "header">, mime: string, size: number): string | null {
  const wanted = templateHeaderFile(t);
  if (!wanted) return "This template has no picture, video or document at its top.";
  if (wanted.accept && !wanted.accept.split(",").includes(mime)) {
    return wanted.kind === "picture" ? "Choose a JPEG or PNG picture." : "Choose an MP4 or 3GPP video.";
  }
  if (size > wanted.maxBytes) return `WhatsApp takes a ${wanted.kind} of up to ${wanted.maxBytes / 1024 / 1024} MB.`;
  return null;
}

/** The title and the buttons as the customer will see them, with the values typed so far. */
export function templateFrame(t: Pick<TemplateView, "header" | "buttons">, title: string, values: string[]): { title: string; buttons: string } {
  const header = t.header?.format === "text" ? fillTemplate(t.header.text, [title]) : "";
  let next = 0;
  const buttons = (t.buttons ?? []).map((b) => {
    const value = b.parameters > 0 ? (values[next++] ?? "").trim() : "";
    if (b.kind === "url" && b.url) return `[${b.text}: ${b.parameters > 0 ? b.url.replace(/\{\{\s*1\s*\}\}/, value || "{{1}}") : b.url}]`;
    if (b.kind === "copy_code") return `[${b.text}: ${value || "…"}]`;
    return `[${b.text}]`;
  });
  return { title: header, buttons: buttons.join(" ") };
}

/** What is wrong with the title's and buttons' values (which: "title" or the button's index among those that take one). */
export function templateExtrasProblem(t: Pick<TemplateView, "header" | "buttons">, title: string, values: string[]): { which: "title" | number; message: string } | null {
  if (templateTitleTakesValue(t) && !title.trim()) return { which: "title", message: "Fill in the title's value." };
  const buttons = templateValueButtons(t);
  for (let i = 0; i < buttons.length; i++) {
    const v = (values[i] ?? "").trim();
    const b = buttons[i];
    if (!v) return { which: i, message: b.kind === "copy_code" ? "Fill in the offer code." : `Fill in the ending of the “${b.text}” link.` };
    if (/[\n\r\t]/.test(v)) return { which: i, message: `The value for “${b.text}” cannot contain line breaks or tabs.` };
    if (b.kind === "copy_code" && [...v].length > 15) return { which: i, message: "An offer code is at most 15 characters." };
  }
  return null;
}

export function templateLabel(t: TemplateView): string {
  return `${t.name} (${t.language})`;
}

// ---- outbound message status --------------------------------------------------------

export const UNCONFIRMED_TEXT = "The app stopped while sending this; it may not have reached the customer.";

export type StatusInfo = {
  label: string;
  /** ✓ sent, ✓✓ delivered or read; empty otherwise. */
  tick: string;
  tone: "pending" | "sent" | "delivered" | "read" | "failed" | "unconfirmed" | "other";
  /** What went wrong, for failed and unconfirmed messages. */
  problem: string | null;
  /** A "Send again" button makes sense. */
  retry: boolean;
};

export function messageStatusInfo(status: string, failure: string | null): StatusInfo {
  const f = failure && failure.trim() !== "" ? failure : null;
  switch (status) {
    case "queued": return { label: "Queued", tick: "", tone: "pending", problem: null, retry: false };
    case "sending": return { label: "Sending…", tick: "", tone: "pending", problem: null, retry: false };
    case "sent": return { label: "Sent", tick: "✓", tone: "sent", problem: null, retry: false };
    case "delivered": return { label: "Delivered", tick: "✓✓", tone: "delivered", problem: null, retry: false };
    case "read": return { label: "Read", tick: "✓✓", tone: "read", problem: null, retry: false };
    case "failed":
      return { label: "Failed", tick: "", tone: "failed", problem: f ?? "This message could not be sent.", retry: true };
    case "unconfirmed":
      return { label: "Unconfirmed", tick: "", tone: "unconfirmed", problem: f ?? UNCONFIRMED_TEXT, retry: true };
    default:
      return { label: status.charAt(0).toUpperCase() + status.slice(1), tick: "", tone: "other", problem: f, retry: false };
  }
}

// ---- attachments ----------------------------------------------------------------------

export const MAX_ATTACHMENT_BYTES = 16 * 1024 * 1024;

/** Why this file cannot be attached, in plain words; null when it can. */
export function attachmentProblem(name: string, size: number): string | null {
  if (size <= 0) return `“${name}” is empty.`;
  if (size > MAX_ATTACHMENT_BYTES) {
    return `“${name}” is ${(size / (1024 * 1024)).toFixed(1)} MB. Files can be at most 16 MB.`;
  }
  return null;
}

/** "data:image/png;base64,AAAA" -> "AAAA" (what FileReader.readAsDataURL gives). */
export function base64FromDataUrl(url: string): string {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma < 0 || !url.slice(0, comma).endsWith(";base64")) {
    throw new Error("The file could not be read.");
  }
  return url.slice(comma + 1);
}

// ---- channel accounts (admin) ----------------------------------------------------------

export type ChannelKind = "whatsapp" | "messenger";

export function externalIdLabel(kind: string): string {
  return kind === "messenger" ? "Page id" : kind === "whatsapp" ? "Phone-number id" : "Account id";
}

/** The webhook URL as the embedded listener serves it: address + path ("http://" added to a bare host:port). */
export function webhookUrl(listener: WebhookListener | null, path: string): string | null {
  if (!listener || !listener.address) return null;
  const base = /^[a-z][a-z0-9+.-]*:\/\//i.test(listener.address) ? listener.address : `http://${listener.address}`;
  const p = path.startsWith("/") ? path : `/${path}`;
  return base.replace(/\/+$/, "") + p;
}

export type StorageInfo = { label: string; tone: "ok" | "warn" | "bad" | "muted"; detail: string };

/** WhatsApp Cloud API local storage: "Enabled" + "region DE · checked 2024-06-15 12:00:00". */
export function localStorageInfo(ls: LocalStorageView | null): StorageInfo {
  if (!ls) return { label: "Not checked yet", tone: "muted", detail: "Use “Refresh from Meta” to check." };
  let label: string;
  let tone: StorageInfo["tone"];
  switch (ls.status) {
    case "IN_COUNTRY_STORAGE_ENABLED": label = "Enabled"; tone = "ok"; break;
    case "IN_COUNTRY_STORAGE_DISABLED": label = "Off"; tone = "warn"; break;
    case "pending": label = "Pending"; tone = "warn"; break;
    default: label = ls.status.charAt(0).toUpperCase() + ls.status.slice(1); tone = "muted";
  }
  const detail = [
    ls.region ? `region ${ls.region}` : null,
    ls.checked_at !== null ? `checked ${formatDateTime(ls.checked_at)}` : null,
  ].filter((x): x is string => x !== null).join(" · ");
  return { label, tone, detail };
}

/** The add-account form as typed (strings, unchecked). */
export type ChannelForm = {
  kind: ChannelKind;
  name: string;
  external_id: string;
  business_account_id: string;
  access_token: string;
  app_secret: string;
  verify_token: string;
  /** "" = no default team. */
  default_team: string;
  human_agent: boolean;
  poll: boolean;
  graph_base_url: string;
  api_version: string;
};

export type ChannelFormProblem = { field: keyof ChannelForm; message: string } | null;

export function checkChannelForm(f: ChannelForm): ChannelFormProblem {
  const wa = f.kind === "whatsapp";
  const idName = wa ? "phone-number id" : "page id";
  if (!f.name.trim()) return { field: "name", message: "Give the account a name, for example “Support NL”." };
  const ext = f.external_id.trim();
  if (!ext) return { field: "external_id", message: `Enter the ${idName}.` };
  if (!/^\d+$/.test(ext)) {
    return {
      field: "external_id",
      message: wa
        ? "The phone-number id is digits only. It is not the phone number itself: copy it from the API setup page of your Meta app."
        : "The page id is digits only. Copy it from the page's About section or Meta Business Suite.",
    };
  }
  if (wa) {
    const waba = f.business_account_id.trim();
    if (!waba) return { field: "business_account_id", message: "Enter the WhatsApp business account id: it is needed to read your message templates." };
    if (!/^\d+$/.test(waba)) return { field: "business_account_id", message: "The WhatsApp business account id is digits only." };
  }
  const token = f.access_token.trim();
  if (!token) return { field: "access_token", message: "Paste the access token." };
  if (/\s/.test(token)) return { field: "access_token", message: "The access token cannot contain spaces or line breaks. Copy it again." };
  if (!f.app_secret.trim()) return { field: "app_secret", message: "Paste the app secret (in the Meta app under Settings, Basic)." };
  const polling = !wa && f.poll;
  if (!polling && !f.verify_token.trim()) {
    return { field: "verify_token", message: "Choose a verify token: any phrase, entered the same in the Meta app's webhook settings." };
  }
  const base = f.graph_base_url.trim();
  if (base && !/^https?:\/\/[^\s/]+(\/\S*)?$/i.test(base)) {
    return { field: "graph_base_url", message: "The Graph API base URL must be a web address, like https://graph.facebook.com." };
  }
  const version = f.api_version.trim();
  if (version && !/^v\d+(\.\d+)?$/.test(version)) return { field: "api_version", message: "The API version looks like v21.0." };
  return null;
}

/** The request for add_channel: trimmed; empty optional fields become null; Messenger-only options off for WhatsApp. */
export function buildNewChannel(f: ChannelForm): NewChannelAccount {
  const wa = f.kind === "whatsapp";
  const opt = (s: string) => (s.trim() === "" ? null : s.trim());
  const team = f.default_team === "" ? null : Number(f.default_team);
  return {
    kind: f.kind,
    name: f.name.trim(),
    external_id: f.external_id.trim(),
    business_account_id: wa ? opt(f.business_account_id) : null,
    access_token: f.access_token.trim(),
    app_secret: f.app_secret.trim(),
    verify_token: f.verify_token.trim(),
    default_team: team !== null && Number.isSafeInteger(team) && team > 0 ? team : null,
    human_agent: !wa && f.human_agent,
    poll: !wa && f.poll,
    graph_base_url: opt(f.graph_base_url)?.replace(/\/+$/, "") ?? null,
    api_version: opt(f.api_version),
  };
}
