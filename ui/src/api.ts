// The only module that talks to the Rust side. One typed function per command.
// Every command rejects with an ApiError object ({ code, message }).
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { SampleSummary } from "./bindings/SampleSummary";
import type { ConsentKeywords } from "./bindings/ConsentKeywords";
import type { ConsentSettings } from "./bindings/ConsentSettings";
import type { ConsentSource } from "./bindings/ConsentSource";
import type { ConsentState } from "./bindings/ConsentState";
import type { ConsentView } from "./bindings/ConsentView";
import type { ThreadAction } from "./bindings/ThreadAction";
import type { Activity } from "./bindings/Activity";
import type { AttachmentContent } from "./bindings/AttachmentContent";
import type { AppStatus } from "./bindings/AppStatus";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { AuditStatus } from "./bindings/AuditStatus";
import type { AuditExport } from "./bindings/AuditExport";
import type { AuditFilter } from "./bindings/AuditFilter";
import type { BackupSchedule } from "./bindings/BackupSchedule";
import type { ContactMatch } from "./bindings/ContactMatch";
import type { ContactMerge } from "./bindings/ContactMerge";
import type { ContactPanel } from "./bindings/ContactPanel";
import type { EgressPolicy } from "./bindings/EgressPolicy";
import type { ErasureSummary } from "./bindings/ErasureSummary";
import type { ExportSummary } from "./bindings/ExportSummary";
import type { ResidencyReport } from "./bindings/ResidencyReport";
import type { RetentionPolicy } from "./bindings/RetentionPolicy";
import type { ChannelAccountChanges } from "./bindings/ChannelAccountChanges";
import type { AboutInfo } from "./bindings/AboutInfo";
import type { AccountRemoval } from "./bindings/AccountRemoval";
import type { ChoicesReply } from "./bindings/ChoicesReply";
import type { NewConversation } from "./bindings/NewConversation";
import type { StartAccount } from "./bindings/StartAccount";
import type { ChannelAccountView } from "./bindings/ChannelAccountView";
import type { CannedReply } from "./bindings/CannedReply";
import type { Colleague } from "./bindings/Colleague";
import type { ConversationStatus } from "./bindings/ConversationStatus";
import type { ConversationSummary } from "./bindings/ConversationSummary";
import type { ConversationView } from "./bindings/ConversationView";
import type { CoreEvent } from "./bindings/CoreEvent";
import type { CreateWorkspaceRequest } from "./bindings/CreateWorkspaceRequest";
import type { DraftMode } from "./bindings/DraftMode";
import type { Enrolment } from "./bindings/Enrolment";
import type { EnrolmentDone } from "./bindings/EnrolmentDone";
import type { FirstRunInfo } from "./bindings/FirstRunInfo";
import type { HandoffNotice } from "./bindings/HandoffNotice";
import type { HubProbe } from "./bindings/HubProbe";
import type { InboxPage } from "./bindings/InboxPage";
import type { InboxQuery } from "./bindings/InboxQuery";
import type { InboxSettings } from "./bindings/InboxSettings";
import type { MergeCandidate } from "./bindings/MergeCandidate";
import type { MessageView } from "./bindings/MessageView";
import type { NotificationSettings } from "./bindings/NotificationSettings";
import type { NewChannelAccount } from "./bindings/NewChannelAccount";
import type { NewEmailAccount } from "./bindings/NewEmailAccount";
import type { NewUserRequest } from "./bindings/NewUserRequest";
import type { NoteView } from "./bindings/NoteView";
import type { OutboundAttachment } from "./bindings/OutboundAttachment";
import type { ReplyGuard } from "./bindings/ReplyGuard";
import type { MailReply } from "./bindings/MailReply";
import type { BusinessHours } from "./bindings/BusinessHours";
import type { SlaPolicy } from "./bindings/SlaPolicy";
import type { MailForward } from "./bindings/MailForward";
import type { MailSettings } from "./bindings/MailSettings";
import type { SecretRotation } from "./bindings/SecretRotation";
import type { SlaOverride } from "./bindings/SlaOverride";
import type { SlaScope } from "./bindings/SlaScope";
import type { Report } from "./bindings/Report";
import type { ReportQuery } from "./bindings/ReportQuery";
import type { MailReplyContext } from "./bindings/MailReplyContext";
import type { Overview } from "./bindings/Overview";
import type { RecoverySignIn } from "./bindings/RecoverySignIn";
import type { Role } from "./bindings/Role";
import type { SearchHit } from "./bindings/SearchHit";
import type { SessionPolicy } from "./bindings/SessionPolicy";
import type { SetAsideView } from "./bindings/SetAsideView";
import type { WebhookSetAsideView } from "./bindings/WebhookSetAsideView";
import type { PricingMonth } from "./bindings/PricingMonth";
import type { TeamLoad } from "./bindings/TeamLoad";
import type { TeamSummary } from "./bindings/TeamSummary";
import type { MailFolderChoice } from "./bindings/MailFolderChoice";
import type { RichContent } from "./bindings/RichContent";
import type { TemplateMessage } from "./bindings/TemplateMessage";
import type { TemplateView } from "./bindings/TemplateView";
import type { TransferTarget } from "./bindings/TransferTarget";
import type { UserSummary } from "./bindings/UserSummary";
import type { Versioned } from "./bindings/Versioned";
import type { PresenceEntry } from "./bindings/PresenceEntry";
import type { Priority } from "./bindings/Priority";
import type { BulkChange } from "./bindings/BulkChange";
import type { WebhookListener } from "./bindings/WebhookListener";

export async function appStatus(): Promise<AppStatus> {
  return invoke<AppStatus>("app_status");
}

export async function firstRunInfo(): Promise<FirstRunInfo> {
  return invoke<FirstRunInfo>("first_run_info");
}

export async function createWorkspace(request: CreateWorkspaceRequest): Promise<AppStatus> {
  return invoke<AppStatus>("create_workspace", { request });
}

export async function openWorkspace(passphrase: string): Promise<AppStatus> {
  return invoke<AppStatus>("open_workspace", { passphrase });
}

export async function signIn(username: string, password: string): Promise<AppStatus> {
  return invoke<AppStatus>("begin_sign_in", { username, password });
}

export async function submitCode(code: string): Promise<AppStatus> {
  return invoke<AppStatus>("submit_code", { code });
}

/** During sign-in, for an account that must choose a new password first. */
export async function setNewPassword(newPassword: string): Promise<AppStatus> {
  return invoke<AppStatus>("set_new_password", { new_password: newPassword });
}

/** The signed-in user's own password: the current one and a current code prove it. */
export async function notificationSettings(): Promise<NotificationSettings> {
  return invoke<NotificationSettings>("notification_settings");
}

export async function setNotificationSettings(next: NotificationSettings): Promise<NotificationSettings> {
  return invoke<NotificationSettings>("set_notification_settings", { new: next });
}

export async function changePassword(oldPassword: string, code: string, newPassword: string): Promise<void> {
  return invoke<void>("change_password", { old_password: oldPassword, code, new_password: newPassword });
}

export async function submitRecoveryCode(code: string): Promise<RecoverySignIn> {
  return invoke<RecoverySignIn>("submit_recovery_code", { code });
}

export async function startEnrolment(): Promise<Enrolment> {
  return invoke<Enrolment>("start_enrolment");
}

export async function confirmEnrolment(code: string): Promise<EnrolmentDone> {
  return invoke<EnrolmentDone>("confirm_enrolment", { code });
}

export async function unlock(code: string): Promise<AppStatus> {
  return invoke<AppStatus>("unlock", { code });
}

export async function lock(): Promise<AppStatus> {
  return invoke<AppStatus>("lock");
}

export async function signOut(): Promise<AppStatus> {
  return invoke<AppStatus>("sign_out");
}

// ---- team hub ---------------------------------------------------------------------

/** Connects once, trusting nothing, to show the hub's certificate fingerprint and workspace. */
export async function probeHub(url: string): Promise<HubProbe> {
  return invoke<HubProbe>("probe_hub", { url });
}

/** Pins `fingerprint` for the hub at `url` and works through the hub from now on. */
export async function connectHub(url: string, fingerprint: string): Promise<AppStatus> {
  return invoke<AppStatus>("connect_hub", { url, fingerprint });
}

/** Back to this computer's own workspace (the hub's pin is forgotten). */
export async function leaveHub(): Promise<AppStatus> {
  return invoke<AppStatus>("leave_hub");
}

export async function overview(): Promise<Overview> {
  return invoke<Overview>("overview");
}

export async function listUsers(): Promise<UserSummary[]> {
  return invoke<UserSummary[]>("list_users");
}

export async function createUser(request: NewUserRequest): Promise<UserSummary> {
  return invoke<UserSummary>("create_user", { request });
}

export async function setUserRole(userId: number, role: Role): Promise<UserSummary> {
  return invoke<UserSummary>("set_role", { user_id: userId, role });
}

export async function setUserTeams(userId: number, teamIds: number[]): Promise<UserSummary> {
  return invoke<UserSummary>("set_teams", { user_id: userId, team_ids: teamIds });
}

export async function disableUser(userId: number): Promise<UserSummary> {
  return invoke<UserSummary>("disable_user", { user_id: userId });
}

export async function enableUser(userId: number): Promise<UserSummary> {
  return invoke<UserSummary>("enable_user", { user_id: userId });
}

export async function resetAuthenticator(userId: number, adminCode: string): Promise<UserSummary> {
  return invoke<UserSummary>("reset_authenticator", { user_id: userId, admin_code: adminCode });
}

/** An admin asks a user to choose a new password at their next sign-in. */
export async function requirePasswordChange(userId: number): Promise<UserSummary> {
  return invoke<UserSummary>("require_password_change", { user_id: userId });
}

export async function listTeams(): Promise<TeamSummary[]> {
  return invoke<TeamSummary[]>("list_teams");
}

export async function createTeam(name: string): Promise<TeamSummary> {
  return invoke<TeamSummary>("create_team", { name });
}

export async function sessionPolicy(): Promise<SessionPolicy> {
  return invoke<SessionPolicy>("session_policy");
}

export async function setSessionPolicy(policy: SessionPolicy): Promise<SessionPolicy> {
  return invoke<SessionPolicy>("set_session_policy", { policy });
}

export async function verifyAudit(): Promise<AuditStatus> {
  return invoke<AuditStatus>("verify_audit");
}

export async function recentAudit(limit: number): Promise<AuditEntry[]> {
  return invoke<AuditEntry[]>("recent_audit", { limit });
}

// ---- privacy requests and data residency (admins) -----------------------------------

/** Contacts matching a name, phone number, PSID or e-mail address. */
export async function findContacts(query: string): Promise<ContactMatch[]> {
  return invoke<ContactMatch[]>("find_contacts", { query });
}

/** Writes everything stored about the contact into a new folder in Downloads. */
export async function exportContact(contact: number, includeNotes: boolean): Promise<ExportSummary> {
  return invoke<ExportSummary>("export_contact", { contact, include_notes: includeNotes });
}

/** Deletes the contact and everything stored about them. Cannot be undone. */
export async function eraseContact(contact: number): Promise<ErasureSummary> {
  return invoke<ErasureSummary>("erase_contact", { contact });
}

export async function residencyReport(): Promise<ResidencyReport> {
  return invoke<ResidencyReport>("residency_report");
}

export async function egressAllowlist(): Promise<EgressPolicy> {
  return invoke<EgressPolicy>("egress_allowlist");
}

/** Returns the list as stored (checked, lower-cased, duplicates dropped). */
export async function setEgressAllowlist(hosts: string[]): Promise<EgressPolicy> {
  return invoke<EgressPolicy>("set_egress_allowlist", { hosts });
}

export async function retentionPolicy(): Promise<RetentionPolicy> {
  return invoke<RetentionPolicy>("retention_policy");
}

export async function setRetentionPolicy(policy: RetentionPolicy): Promise<RetentionPolicy> {
  return invoke<RetentionPolicy>("set_retention_policy", { policy });
}

export async function searchAudit(filter: AuditFilter): Promise<AuditEntry[]> {
  return invoke<AuditEntry[]>("search_audit", { filter });
}

/** Writes the matching rows as a JSON file into Downloads. */
export async function exportAudit(filter: AuditFilter): Promise<AuditExport> {
  return invoke<AuditExport>("export_audit", { filter });
}

export async function backupSchedule(): Promise<BackupSchedule> {
  return invoke<BackupSchedule>("backup_schedule");
}

/** `folder` null or "" turns scheduled backups off; `passphrase` null keeps the stored one. */
export async function setBackupSchedule(folder: string | null, everyHours: number, keep: number, passphrase: string | null): Promise<BackupSchedule> {
  return invoke<BackupSchedule>("set_backup_schedule", { folder, every_hours: everyHours, keep, passphrase });
}

// ---- channels (admins) ----------------------------------------------------------

export async function listChannels(): Promise<ChannelAccountView[]> {
  return invoke<ChannelAccountView[]>("list_channels");
}

export async function addChannel(account: NewChannelAccount): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("add_channel_account", { account });
}

/** Re-reads the account's templates and local-storage state from Meta. */
export async function refreshChannel(id: number): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("refresh_channel", { id });
}

export async function updateChannelAccount(id: number, changes: ChannelAccountChanges): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("update_channel_account", { id, changes });
}

/** Connects a support mailbox (IMAP to receive, SMTP to reply). A refusal names the field in its message. */
export async function addEmailChannel(account: NewEmailAccount): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("add_email_account", { account });
}

/** Mail the sync of this mailbox could not file into a conversation, with the reason (no bodies). */
export async function setAsideMail(id: number): Promise<SetAsideView[]> {
  return invoke<SetAsideView[]>("set_aside_mail", { id });
}

/** Asks to read one set-aside mail again (after a fix); the list comes back with it marked `retrying`. */
export async function retrySetAsideMail(account: number, id: number): Promise<SetAsideView[]> {
  return invoke<SetAsideView[]>("retry_set_aside_mail", { account, id });
}

/** What WhatsApp or Messenger sent to this account that could not be stored as what it is: reason and raw item (admins). */
/** Admins: the sample conversations (and `extra` more customers), once per workspace. */
export async function addSampleData(extra: number): Promise<SampleSummary> {
  return invoke<SampleSummary>("add_sample_data", { extra });
}

export async function setAsideWebhooks(id: number): Promise<WebhookSetAsideView[]> {
  return invoke<WebhookSetAsideView[]>("set_aside_webhooks", { id });
}

/** Where the embedded webhook listener listens, or why it does not. */
export async function webhookListener(): Promise<WebhookListener> {
  return invoke<WebhookListener>("webhook_listener");
}

// ---- inbox ------------------------------------------------------------------

export async function listConversations(query: InboxQuery): Promise<InboxPage> {
  return invoke<InboxPage>("list_conversations", { query });
}

export async function search(text: string): Promise<SearchHit[]> {
  return invoke<SearchHit[]>("search", { text });
}

/** `before` = the oldest loaded message id, to load older messages; null for the latest. */
export async function openConversation(id: number, before: number | null): Promise<ConversationView> {
  return invoke<ConversationView>("open_conversation", { id, before });
}

export async function openAttachment(attachmentId: number): Promise<AttachmentContent> {
  return invoke<AttachmentContent>("open_attachment", { attachment_id: attachmentId });
}

export async function setDoNotContact(id: number, value: boolean): Promise<null> {
  return invoke<null>("set_do_not_contact", { id, value });
}

/** The customer beside the open conversation: identities, do-not-contact, their conversations. */
export async function contactPanel(contact: number): Promise<ContactPanel> {
  return invoke<ContactPanel>("contact_panel", { contact });
}

/** Say what this person does on a conversation (viewing, typing, left); answers who else is there. */
export async function setPresence(conversation: number, activity: Activity): Promise<PresenceEntry[]> {
  return invoke<PresenceEntry[]>("set_presence", { conversation, activity });
}

/** Other contacts that may be the same person (the same name), among those the caller sees. */
export async function mergeSuggestions(contact: number): Promise<MergeCandidate[]> {
  return invoke<MergeCandidate[]>("merge_suggestions", { contact });
}

/** Merge `merge` into `keep`: its addresses and conversations move; undone by `undoContactMerge`. */
export async function mergeContacts(keep: number, merge: number): Promise<ContactMerge> {
  return invoke<ContactMerge>("merge_contacts", { keep, merge });
}

/** Undo a merge (its author, within 8 hours, once). */
export async function undoContactMerge(merge: number): Promise<null> {
  return invoke<null>("undo_contact_merge", { merge });
}

/** Rename a contact (1 to 200 characters; refused with `invalid_input` on "name"). */
export async function renameContact(contact: number, name: string): Promise<null> {
  return invoke<null>("rename_contact", { contact, name });
}

/** `attachment` = one file sent with the reply (base64), or null. `guard` = what the agent saw when
 * they opened the conversation: the reply is stopped (`answered_meanwhile` / `taken_meanwhile`) if a
 * colleague took it or wrote to the customer since; null sends anyway. */
export async function reply(id: number, body: string, attachment: OutboundAttachment | null = null,
  guard: ReplyGuard | null = null): Promise<MessageView> {
  return invoke<MessageView>("reply", { id, body, attachment, guard });
}

/** The approved templates of the conversation's WhatsApp account (for use outside the 24-hour window). */
export async function listTemplates(conversation: number): Promise<TemplateView[]> {
  return invoke<TemplateView[]>("list_templates", { conversation });
}

/** `parameters` fill {{1}}, {{2}}, … of the template body, in order. */
export async function sendTemplate(conversation: number, name: string, language: string, parameters: string[]): Promise<MessageView> {
  return invoke<MessageView>("send_template", { conversation, name, language, parameters });
}

/** The folders of a mailbox's server, with the ones synced now. */
export async function mailFolders(id: number): Promise<MailFolderChoice[]> {
  return invoke<MailFolderChoice[]>("mail_folders", { id });
}

/** Syncs these folders (the server's names) besides the main one. */
export async function setMailFolders(id: number, folders: string[]): Promise<MailFolderChoice[]> {
  return invoke<MailFolderChoice[]>("set_mail_folders", { id, folders });
}

/** A template with its body's values, its title's value or file, and its buttons' values. */
export async function sendTemplateMessage(id: number, message: TemplateMessage): Promise<MessageView> {
  return invoke<MessageView>("send_template_message", { id, message });
}

/** A place or contact cards, sent on WhatsApp. */
export async function sendCard(id: number, card: RichContent, guard: ReplyGuard | null = null): Promise<MessageView> {
  return invoke<MessageView>("send_card", { id, card, guard });
}

/** Shows an e-mail's formatted (sanitised HTML) version in its own locked-down window; this window never gets the HTML. */
export async function openEmailWindow(message: number): Promise<null> {
  return invoke<null>("open_email_window", { message });
}

/** Puts a failed or unconfirmed outbound message back in the outbox. */
/** Who an e-mail reply goes to, who "Reply all" adds, and the signature added under it. */
export async function mailReplyContext(id: number): Promise<MailReplyContext> {
  return invoke<MailReplyContext>("mail_reply_context", { id });
}

/** An e-mail reply with copies; a wrong address is refused with `invalid_input` on "cc" or "bcc". */
export async function replyMail(id: number, reply: MailReply, guard: ReplyGuard | null = null): Promise<MessageView> {
  return invoke<MessageView>("reply_mail", { id, reply, guard });
}

/** Replaces the secrets pasted (each empty one stays) of a WhatsApp or Messenger account. */
export async function rotateChannelSecrets(account: number, rotation: SecretRotation): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("rotate_channel_secrets", { account, rotation });
}

/** Starts "Test connection"; the report arrives with the account (`channels_changed`). */
export async function testChannel(account: number): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("test_channel", { account });
}

/** Disables an account (nothing sent, polled or synced) or enables it again. */
export async function setChannelEnabled(account: number, enabled: boolean): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("set_channel_enabled", { account, enabled });
}

/** Removes an account, its history kept or (`erase_history`) erased. */
export async function removeChannelAccount(account: number, eraseHistory: boolean): Promise<AccountRemoval> {
  return invoke<AccountRemoval>("remove_channel_account", { account, erase_history: eraseHistory });
}

/** A mailbox's servers, login and folders (the password is never read back). */
export async function mailSettings(account: number): Promise<MailSettings> {
  return invoke<MailSettings>("mail_settings", { account });
}

/** Changes a mailbox's servers, login, folders and, when typed, its password; the sync restarts. */
export async function updateMailSettings(account: number, change: MailSettings): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("update_mail_settings", { account, change });
}

/** Forwards one message of an e-mail conversation, or all of it (`message` null), to an address
 * with a note: a new thread with the messages' files. */
export async function forwardMail(id: number, forward: MailForward): Promise<MessageView> {
  return invoke<MessageView>("forward_mail", { id, forward });
}

/** The signature under every reply from an e-mail account (`{agent}`, `{team}` filled in); "" removes it. */
export async function setMailSignature(id: number, signature: string): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("set_mail_signature", { id, signature });
}

/** The WhatsApp numbers this agent may write first from, with their approved templates. */
export async function startOptions(): Promise<StartAccount[]> {
  return invoke<StartAccount[]>("start_options");
}

/** Writes first to a WhatsApp number with an approved template; the conversation it went into. */
export async function startConversation(start: NewConversation): Promise<number> {
  return invoke<number>("start_conversation", { start });
}

/** A question with answers the customer taps (WhatsApp buttons or a list, Messenger quick replies). */
export async function replyChoices(id: number, reply: ChoicesReply, guard: ReplyGuard | null = null): Promise<MessageView> {
  return invoke<MessageView>("reply_choices", { id, reply, guard });
}

/** A text reply answering one of the customer's messages, which they see quoted. */
export async function replyQuoting(id: number, quoted: number, body: string, guard: ReplyGuard | null = null): Promise<MessageView> {
  return invoke<MessageView>("reply_quoting", { id, quoted, body, guard });
}

/** Reacts to a customer's message; an empty emoji takes ours back. */
export async function react(message: number, emoji: string): Promise<MessageView> {
  return invoke<MessageView>("react", { message, emoji });
}

export async function retryMessage(message: number): Promise<MessageView> {
  return invoke<MessageView>("retry_message", { message });
}

export async function addNote(id: number, body: string): Promise<NoteView> {
  return invoke<NoteView>("add_note", { id, body });
}

/** Keeps what is being written in the encrypted store, for this user only; an empty body forgets it. */
export async function saveDraft(id: number, mode: DraftMode, body: string): Promise<null> {
  return invoke<null>("save_draft", { id, mode, body });
}

export async function setStatus(conversation: Versioned, status: ConversationStatus, snoozedUntil: number | null): Promise<null> {
  return invoke<null>("set_status", { conversation, status, snoozed_until: snoozedUntil });
}

/** Sets one conversation's priority (versioned: a stale version is refused as a conflict). */
export async function setPriority(conversation: Versioned, priority: Priority): Promise<null> {
  return invoke<null>("set_priority", { conversation, priority });
}

/** One change for many conversations, all or none; returns each at its new version (for Undo). */
export async function updateMany(conversations: Versioned[], change: BulkChange): Promise<Versioned[]> {
  return invoke<Versioned[]>("update_many", { conversations, change });
}

export async function setLabels(id: number, labels: string[]): Promise<string[]> {
  return invoke<string[]>("set_labels", { id, labels });
}

export async function listCannedReplies(): Promise<CannedReply[]> {
  return invoke<CannedReply[]>("list_canned_replies");
}

export async function createCannedReply(title: string, body: string): Promise<CannedReply> {
  return invoke<CannedReply>("create_canned_reply", { title, body });
}

export async function renderCannedReply(id: number, cannedId: number): Promise<string> {
  return invoke<string>("render_canned_reply", { id, canned_id: cannedId });
}

export async function transfer(conversation: Versioned, target: TransferTarget, note: string): Promise<ConversationSummary> {
  return invoke<ConversationSummary>("transfer", { conversation, target, note });
}

export async function returnToQueue(conversation: Versioned, note: string): Promise<null> {
  return invoke<null>("return_to_queue", { conversation, note });
}

/** "Assign to me": the signed-in user takes the conversation. */
export async function take(conversation: Versioned): Promise<ConversationSummary> {
  return invoke<ConversationSummary>("take", { conversation });
}

/** `to` = null returns the conversations to the queue. Returns how many moved. */
export async function reassign(conversations: Versioned[], to: number | null, note: string): Promise<number> {
  return invoke<number>("reassign", { conversations, to, note });
}

/** A report of a range for one team or every team the caller sees (leads: their teams). */
export async function teamReport(query: ReportQuery): Promise<Report> {
  return invoke<Report>("team_report", { query });
}

/** The report's CSV (the core's, the same figures) written into Downloads; returns the file's path. */
export async function saveReportCsv(query: ReportQuery): Promise<string> {
  return invoke<string>("save_report_csv", { query });
}

/** A team's business hours, or null when it has none. */
export async function businessHours(team: number): Promise<BusinessHours | null> {
  return invoke<BusinessHours | null>("business_hours", { team });
}

/** Sets (null: removes) a team's business hours; a refusal names "time zone", "days" or "holidays". */
export async function setBusinessHours(team: number, hours: BusinessHours | null): Promise<BusinessHours | null> {
  return invoke<BusinessHours | null>("set_business_hours", { team, hours });
}

/** A team's SLA targets, if it has any (its leads and admins). */
export async function slaPolicy(team: number): Promise<SlaPolicy | null> {
  return invoke<SlaPolicy | null>("sla_policy", { team });
}

/** Sets a team's SLA targets (null removes them); every clock of the team is recomputed. */
export async function setSlaPolicy(team: number, policy: SlaPolicy | null): Promise<SlaPolicy | null> {
  return invoke<SlaPolicy | null>("set_sla_policy", { team, policy });
}

/** A team's SLA targets per channel and label. */
export async function slaOverrides(team: number): Promise<SlaOverride[]> {
  return invoke<SlaOverride[]>("sla_overrides", { team });
}

/** Sets a team's targets for one channel or label (null removes them); returns all of the team's. */
export async function setSlaOverride(team: number, scope: SlaScope, policy: SlaPolicy | null): Promise<SlaOverride[]> {
  return invoke<SlaOverride[]>("set_sla_override", { team, scope, policy });
}

/** What an account answers outside its team's business hours (once per conversation); "" turns it off. */
export async function setOutOfHoursReply(account: number, body: string): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("set_out_of_hours_reply", { account, body });
}

/** The question an account asks a short while after a resolution (a rating of 1 to 5); "" turns it off. */
export async function setSatisfactionSurvey(account: number, question: string): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("set_satisfaction_survey", { account, question });
}

export async function teamLoad(): Promise<TeamLoad> {
  return invoke<TeamLoad>("team_load");
}

export async function whatsappPricing(): Promise<PricingMonth[]> {
  return invoke<PricingMonth[]>("whatsapp_pricing");
}

/** Returns how many conversations went back to the queue. */
export async function setAvailability(available: boolean): Promise<number> {
  return invoke<number>("set_availability", { available });
}

export async function listColleagues(): Promise<Colleague[]> {
  return invoke<Colleague[]>("list_colleagues");
}

export async function inboxSettings(): Promise<InboxSettings> {
  return invoke<InboxSettings>("inbox_settings");
}

export async function setInboxSettings(settings: InboxSettings): Promise<InboxSettings> {
  return invoke<InboxSettings>("set_inbox_settings", { settings });
}

// ---- live events ----------------------------------------------------------------
// Events carry ids only; screens re-fetch through the commands above.

export async function onCoreEvent(handler: (event: CoreEvent) => void): Promise<UnlistenFn> {
  return listen<CoreEvent>("core-event", (e) => handler(e.payload));
}

export async function onHandoffNotice(handler: (notice: HandoffNotice) => void): Promise<UnlistenFn> {
  return listen<HandoffNotice>("handoff-notice", (e) => handler(e.payload));
}

/** The About page: version, build, and where this workspace keeps its data, log and settings. */
export async function about(): Promise<AboutInfo> {
  return invoke<AboutInfo>("about");
}

/** Opens the data or log folder in the file manager. */
export async function openFolder(which: "data" | "logs"): Promise<void> {
  return invoke<void>("open_folder", { which });
}

/** Opens a place a customer shared in the system's map (or a web map); nothing is fetched before. */
export async function openMap(latitude: string, longitude: string): Promise<void> {
  return invoke<void>("open_map", { latitude, longitude });
}

/** Records a customer's consent on a channel, as an agent heard it or read it on a form. */
export async function recordConsent(contact: number, channel: string, consent: ConsentState, source: ConsentSource): Promise<ConsentView[]> {
  return invoke<ConsentView[]>("record_consent", { contact, channel, consent, source });
}

export async function consentKeywords(): Promise<ConsentKeywords[]> {
  return invoke<ConsentKeywords[]>("consent_keywords");
}

export async function setConsentKeywords(keywords: ConsentKeywords[]): Promise<ConsentKeywords[]> {
  return invoke<ConsentKeywords[]>("set_consent_keywords", { keywords });
}

export async function setConsentSettings(account: number, change: ConsentSettings): Promise<ChannelAccountView> {
  return invoke<ChannelAccountView>("set_consent_settings", { account, change });
}

/** Takes a Messenger thread from a bot, or asks the bot for it (the channel runtime calls Meta). */
export async function threadControl(id: number, action: ThreadAction): Promise<void> {
  return invoke<void>("thread_control", { id, action });
}
