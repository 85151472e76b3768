//! The workspace as one contract, [`WorkspaceApi`]: the in-process [`Workspace`] and the
//! team hub's remote client implement it, so the desktop works the same on either. The
//! calls are listed once, in [`workspace_calls!`], each with its policy (who may call it,
//! whether it checks a password or code, hashes a password, ends push streams, carries a
//! file, writes files); the trait, [`CALLS`], the hub's routes and limits, the remote
//! client and the OpenAPI document are all generated from that list, and the entry-point
//! tests and the desktop's command list are checked against it, so none of them can
//! forget a call or disagree about one.

pub mod arguments;

use crate::error::Result;
use crate::secret::SessionToken;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use std::path::Path;

/// Every type the calls take or return, for code that expands [`workspace_calls!`].
pub mod types {
    pub use crate::auth::Role;
    pub use crate::channel::account::{
        ChannelAccountChanges, ChannelAccountView, NewChannelAccount, SecretRotation,
    };
    pub use crate::channel::check::{AccountRemoval, CheckOutcome, CheckStep, ConnectionCheck};
    pub use crate::channel::choices::ChoicesReply;
    pub use crate::channel::email::{NewEmailAccount, SetAsideView};
    pub use crate::channel::mail_folders::MailFolderChoice;
    pub use crate::channel::outbound::OutboundAttachment;
    pub use crate::channel::pricing::PricingMonth;
    pub use crate::channel::rich::RichContent;
    pub use crate::channel::start::{NewConversation, StartAccount};
    pub use crate::channel::template::{TemplateExtras, TemplateMessage, TemplateView};
    pub use crate::channel::webhook_aside::WebhookSetAsideView;
    pub use crate::ids::{
        ChannelAccountId, ContactId, ContactMergeId, ConversationId, MessageId, TeamId, UserId,
    };
    pub use crate::privacy::consent::{ConsentKeywords, ConsentSource, ConsentState};
    pub use crate::privacy::egress::EgressPolicy;
    pub use crate::privacy::request::{ContactMatch, ErasureSummary};
    pub use crate::reports::{
        BusinessHours, Report, ReportQuery, SlaClock, SlaOverride, SlaPolicy, SlaScope, SlaTarget,
    };
    pub use crate::secret::{Password, SessionToken};
    pub use crate::service::admin::{
        AuditEntry, AuditExport, AuditFilter, AuditStatus, Colleague, InboxSettings, Overview,
    };
    pub use crate::service::backups::BackupSchedule;
    pub use crate::service::consent::{ConsentSettings, ConsentView};
    pub use crate::service::contacts::ContactPanel;
    pub use crate::service::conversation::CannedReply;
    pub use crate::service::drafts::{DraftMode, DraftView};
    pub use crate::service::handoff::{TeamLoad, TransferTarget, Versioned};
    pub use crate::service::inbox::{
        AttachmentContent, ConversationStatus, ConversationSummary, ConversationView, InboxPage,
        InboxQuery, MessageView, NoteView, QuoteView, ReactionView, SearchHit,
    };
    pub use crate::service::ingest::ChannelAccountSummary;
    pub use crate::service::login::{
        Enrolment, RecoveryCodes, SessionInfo, SessionStage, SignInChallenge,
    };
    pub use crate::service::mail_forward::MailForward;
    pub use crate::service::mail_recipients::{MailAddressesView, MailReply, MailReplyContext};
    pub use crate::service::mail_settings::MailSettings;
    pub use crate::service::merge::{ContactMerge, MergeCandidate};
    pub use crate::service::notifications::{NoticeSubject, NotificationSettings};
    pub use crate::service::outgoing::ReplyGuard;
    pub use crate::service::presence::{Activity, PresenceEntry};
    pub use crate::service::privacy::ExportSummary;
    pub use crate::service::residency::{ResidencyReport, RetentionPolicy};
    pub use crate::service::sample::SampleSummary;
    pub use crate::service::thread_control::ThreadAction;
    pub use crate::service::triage::{BulkChange, Priority};
    pub use crate::service::users::{NewUser, TeamSummary, UserSummary};
    pub use crate::service::SessionPolicy;
    pub use crate::time::Timestamp;
}

/// The list of calls, each with its policy. `$callback!` receives three groups: `open`
/// calls take no session token (only `begin_sign_in`), `session` calls take the caller's
/// token first, and `files` calls take the token first and, after their arguments, the
/// folder they write into on the caller's machine (`destination: &Path`). Every call also
/// takes `now` last. Type names are resolved where the callback expands, so expand it
/// next to `use appcare_core::api::types::*;`.
///
/// The brackets after each call hold its policy, read by [`call_policy!`] into
/// [`CALLS`]: first who may call it (`open`, `sign_in_step`, or the least role `agent`,
/// `lead`, `admin`), then, when they apply, `sign_in_limit(<argument>)` (a password or
/// code check counted against the account that argument names) or
/// `sign_in_limit(session)` (counted against the account the session was issued to),
/// `hashes_password`, `ends_push` (the session's push stream stops after it) and
/// `file_body` (its body may carry a file). The hub's routes, limits and OpenAPI document,
/// the remote client, the entry-point tests and the desktop's command list all follow
/// this table.
#[macro_export]
macro_rules! workspace_calls {
    ($callback:ident) => {
        $callback! {
            open {
                begin_sign_in(username: &str, password: &Password) -> SignInChallenge
                    [open, sign_in_limit(username), hashes_password];
            }
            session {
                submit_code(code: &str) -> SessionInfo [sign_in_step, sign_in_limit(session)];
                submit_recovery_code(code: &str) -> (SessionInfo, usize)
                    [sign_in_step, sign_in_limit(session)];
                start_enrolment() -> Enrolment [sign_in_step];
                confirm_enrolment(code: &str) -> (SessionInfo, RecoveryCodes)
                    [sign_in_step, sign_in_limit(session)];
                set_new_password(new_password: &Password) -> SessionStage
                    [sign_in_step, hashes_password];
                unlock(code: &str) -> SessionInfo [sign_in_step, sign_in_limit(session)];
                lock() -> () [sign_in_step, ends_push];
                sign_out() -> () [sign_in_step, ends_push];
                session_state() -> SessionStage [sign_in_step];
                session_info() -> SessionInfo [agent];
                change_password(old_password: &Password, code: &str, new_password: &Password) -> ()
                    [agent, hashes_password];
                overview() -> Overview [agent];
                list_users() -> Vec<UserSummary> [admin];
                create_user(new: NewUser) -> UserSummary [admin, hashes_password];
                set_role(user: UserId, role: Role) -> UserSummary [admin];
                set_teams(user: UserId, teams: Vec<TeamId>) -> UserSummary [admin];
                disable_user(user: UserId) -> UserSummary [admin];
                enable_user(user: UserId) -> UserSummary [admin];
                reset_authenticator(user: UserId, admin_code: &str) -> UserSummary [admin];
                require_password_change(user: UserId) -> UserSummary [admin];
                list_teams() -> Vec<TeamSummary> [agent];
                create_team(name: &str) -> TeamSummary [admin];
                session_policy() -> SessionPolicy [agent];
                set_session_policy(new: SessionPolicy) -> SessionPolicy [admin];
                verify_audit() -> AuditStatus [admin];
                recent_audit(kind: Option<&str>, limit: i64) -> Vec<AuditEntry> [admin];
                search_audit(filter: &AuditFilter) -> Vec<AuditEntry> [admin];
                inbox_settings() -> InboxSettings [agent];
                set_inbox_settings(new: InboxSettings) -> InboxSettings [admin];
                list_colleagues() -> Vec<Colleague> [agent];
                list_conversations(query: &InboxQuery) -> InboxPage [agent];
                search(text: &str) -> Vec<SearchHit> [agent];
                open_conversation(id: ConversationId, before: Option<MessageId>) -> ConversationView [agent];
                open_attachment(attachment: i64) -> AttachmentContent [agent];
                reply(id: ConversationId, body: &str, guard: Option<ReplyGuard>) -> MessageView [agent];
                reply_with_attachment(id: ConversationId, caption: &str, attachment: &OutboundAttachment, guard: Option<ReplyGuard>) -> MessageView
                    [agent, file_body];
                add_note(id: ConversationId, body: &str) -> NoteView [agent];
                save_draft(id: ConversationId, mode: DraftMode, body: &str) -> () [agent];
                set_status(conversation: Versioned, status: ConversationStatus, snoozed_until: Option<Timestamp>) -> () [agent];
                set_priority(conversation: Versioned, priority: Priority) -> () [agent];
                update_many(conversations: &[Versioned], change: &BulkChange) -> Vec<Versioned> [agent];
                set_labels(id: ConversationId, labels: &[String]) -> Vec<String> [agent];
                contact_panel(contact: ContactId) -> ContactPanel [agent];
                rename_contact(contact: ContactId, name: &str) -> () [agent];
                record_consent(contact: ContactId, channel: &str, state: ConsentState, source: ConsentSource) -> Vec<ConsentView> [agent];
                consent_keywords() -> Vec<ConsentKeywords> [admin];
                set_consent_keywords(keywords: &[ConsentKeywords]) -> Vec<ConsentKeywords> [admin];
                set_consent_settings(account: ChannelAccountId, change: &ConsentSettings) -> ChannelAccountView [admin];
                notification_settings() -> NotificationSettings [agent];
                set_notification_settings(new: NotificationSettings) -> NotificationSettings [agent];
                notice_subject(conversation: ConversationId) -> NoticeSubject [agent];
                set_presence(conversation: ConversationId, activity: Activity) -> Vec<PresenceEntry> [agent];
                merge_suggestions(contact: ContactId) -> Vec<MergeCandidate> [agent];
                merge_contacts(keep: ContactId, merge: ContactId) -> ContactMerge [agent];
                undo_contact_merge(merge: ContactMergeId) -> () [agent];
                set_do_not_contact(id: ConversationId, value: bool) -> () [agent];
                thread_control(id: ConversationId, action: ThreadAction) -> () [agent];
                list_canned_replies() -> Vec<CannedReply> [agent];
                create_canned_reply(title: &str, body: &str) -> CannedReply [lead];
                render_canned_reply(id: ConversationId, canned: i64) -> String [agent];
                transfer(conversation: Versioned, target: TransferTarget, note: &str) -> ConversationSummary [agent];
                return_to_queue(conversation: Versioned, note: &str) -> () [agent];
                take(conversation: Versioned) -> ConversationSummary [agent];
                reassign(conversations: &[Versioned], to: Option<UserId>, note: &str) -> usize [lead];
                team_load() -> TeamLoad [lead];
                whatsapp_pricing() -> Vec<PricingMonth> [lead];
                team_report(query: &ReportQuery) -> Report [lead];
                report_csv(query: &ReportQuery) -> String [lead];
                business_hours(team: TeamId) -> Option<BusinessHours> [lead];
                set_business_hours(team: TeamId, hours: Option<BusinessHours>) -> Option<BusinessHours> [lead];
                sla_policy(team: TeamId) -> Option<SlaPolicy> [lead];
                set_sla_policy(team: TeamId, policy: Option<SlaPolicy>) -> Option<SlaPolicy> [lead];
                sla_overrides(team: TeamId) -> Vec<SlaOverride> [lead];
                set_sla_override(team: TeamId, scope: &SlaScope, policy: Option<SlaPolicy>) -> Vec<SlaOverride> [lead];
                set_out_of_hours_reply(account: ChannelAccountId, body: &str) -> ChannelAccountView [admin];
                set_satisfaction_survey(account: ChannelAccountId, question: &str) -> ChannelAccountView [admin];
                set_availability(available: bool) -> usize [agent];
                create_channel_account(kind: &str, name: &str, external_id: &str, default_team: Option<TeamId>) -> ChannelAccountSummary [admin];
                add_channel_account(account: &NewChannelAccount) -> ChannelAccountView [admin];
                list_channels() -> Vec<ChannelAccountView> [admin];
                refresh_channel(id: ChannelAccountId) -> ChannelAccountView [admin];
                update_channel_account(id: ChannelAccountId, changes: &ChannelAccountChanges) -> ChannelAccountView [admin];
                rotate_channel_secrets(account: ChannelAccountId, rotation: &SecretRotation) -> ChannelAccountView [admin];
                test_channel(account: ChannelAccountId) -> ChannelAccountView [admin];
                set_channel_enabled(account: ChannelAccountId, enabled: bool) -> ChannelAccountView [admin];
                remove_channel_account(account: ChannelAccountId, erase_history: bool) -> AccountRemoval [admin];
                list_templates(id: ConversationId) -> Vec<TemplateView> [agent];
                send_template(id: ConversationId, name: &str, language: &str, parameters: &[String]) -> MessageView [agent];
                send_template_message(id: ConversationId, message: &TemplateMessage) -> MessageView
                    [agent, file_body];
                send_card(id: ConversationId, card: &RichContent, guard: Option<ReplyGuard>) -> MessageView [agent];
                start_options() -> Vec<StartAccount> [agent];
                start_conversation(start: &NewConversation) -> ConversationId [agent, file_body];
                retry_message(message: MessageId) -> MessageView [agent];
                react(message: MessageId, emoji: &str) -> MessageView [agent];
                reply_quoting(id: ConversationId, quoted: MessageId, body: &str, guard: Option<ReplyGuard>) -> MessageView [agent];
                reply_choices(id: ConversationId, reply: &ChoicesReply, guard: Option<ReplyGuard>) -> MessageView [agent];
                mail_reply_context(id: ConversationId) -> MailReplyContext [agent];
                reply_mail(id: ConversationId, reply: &MailReply, guard: Option<ReplyGuard>) -> MessageView
                    [agent, file_body];
                forward_mail(id: ConversationId, forward: &MailForward) -> MessageView [agent];
                set_mail_signature(id: ChannelAccountId, signature: &str) -> ChannelAccountView [admin];
                mail_folders(id: ChannelAccountId) -> Vec<MailFolderChoice> [admin];
                set_mail_folders(id: ChannelAccountId, folders: &[String]) -> Vec<MailFolderChoice> [admin];
                mail_settings(account: ChannelAccountId) -> MailSettings [admin];
                update_mail_settings(account: ChannelAccountId, change: &MailSettings) -> ChannelAccountView [admin];
                add_email_account(account: &NewEmailAccount) -> ChannelAccountView [admin];
                set_aside_mail(account: ChannelAccountId) -> Vec<SetAsideView> [admin];
                retry_set_aside_mail(account: ChannelAccountId, id: i64) -> Vec<SetAsideView> [admin];
                add_sample_data(extra: i64) -> SampleSummary [admin];
                set_aside_webhooks(account: ChannelAccountId) -> Vec<WebhookSetAsideView> [admin];
                email_html(message: MessageId) -> Option<String> [agent];
                find_contacts(query: &str) -> Vec<ContactMatch> [admin];
                erase_contact(contact: ContactId) -> ErasureSummary [admin];
                egress_allowlist() -> EgressPolicy [admin];
                set_egress_allowlist(hosts: &[String]) -> EgressPolicy [admin];
                retention_policy() -> RetentionPolicy [admin];
                set_retention_policy(policy: RetentionPolicy) -> RetentionPolicy [admin];
                residency_report() -> ResidencyReport [admin];
                backup_schedule() -> BackupSchedule [admin];
                set_backup_schedule(folder: Option<&str>, every_hours: i64, keep: i64, passphrase: Option<&Password>) -> BackupSchedule [admin];
            }
            files {
                export_contact(contact: ContactId, include_notes: bool) -> ExportSummary [admin];
                export_audit(filter: &AuditFilter) -> AuditExport [admin];
            }
        }
    };
}

/// One call's policy from its line in [`workspace_calls!`]: `call_policy!(<group> <name>
/// (<argument names>) [<policy>])`, a constant expression. A line that contradicts
/// itself (a call that takes a session but names no role, a limit on an argument the
/// call does not take) fails to compile.
#[doc(hidden)]
#[macro_export]
macro_rules! call_policy {
    (open $name:ident ( $( $arg:ident ),* ) [ $( $item:tt )* ]) => {
        $crate::call_policy!(@ $crate::api::CallPolicy::new(
            stringify!($name), &[$( stringify!($arg) ),*], false, false); $( $item )*)
    };
    (session $name:ident ( $( $arg:ident ),* ) [ $( $item:tt )* ]) => {
        $crate::call_policy!(@ $crate::api::CallPolicy::new(
            stringify!($name), &[$( stringify!($arg) ),*], true, false); $( $item )*)
    };
    (files $name:ident ( $( $arg:ident ),* ) [ $( $item:tt )* ]) => {
        $crate::call_policy!(@ $crate::api::CallPolicy::new(
            stringify!($name), &[$( stringify!($arg) ),*], true, true); $( $item )*)
    };
    (@ $p:expr ;) => { $p.checked() };
    (@ $p:expr ; , $( $rest:tt )*) => { $crate::call_policy!(@ $p; $( $rest )*) };
    (@ $p:expr ; open $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.access($crate::api::Access::Open); $( $rest )*)
    };
    (@ $p:expr ; sign_in_step $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.access($crate::api::Access::SignInStep); $( $rest )*)
    };
    (@ $p:expr ; agent $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.access($crate::api::Access::Session($crate::auth::Role::Agent)); $( $rest )*)
    };
    (@ $p:expr ; lead $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.access($crate::api::Access::Session($crate::auth::Role::Lead)); $( $rest )*)
    };
    (@ $p:expr ; admin $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.access($crate::api::Access::Session($crate::auth::Role::Admin)); $( $rest )*)
    };
    (@ $p:expr ; sign_in_limit(session) $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.sign_in_limit($crate::api::SignInLimit::SessionAccount); $( $rest )*)
    };
    (@ $p:expr ; sign_in_limit($arg:ident) $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.sign_in_limit($crate::api::SignInLimit::Argument(stringify!($arg))); $( $rest )*)
    };
    (@ $p:expr ; hashes_password $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.hashes_password(); $( $rest )*)
    };
    (@ $p:expr ; ends_push $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.ends_push(); $( $rest )*)
    };
    (@ $p:expr ; file_body $( $rest:tt )*) => {
        $crate::call_policy!(@ $p.body($crate::api::BodyLimit::File); $( $rest )*)
    };
}

/// Who may make a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No session: the first sign-in step.
    Open,
    /// A session at any stage of sign-in (code, enrolment, unlock, lock, sign-out).
    SignInStep,
    /// A full session (password and code given, not locked) whose role is at least this.
    Session(Role),
}

impl Access {
    /// The least role the call needs, for calls that need a full session.
    pub const fn role(self) -> Option<Role> {
        match self {
            Self::Session(role) => Some(role),
            Self::Open | Self::SignInStep => None,
        }
    }
}

/// A call that checks a password or a code, so the sign-in limits count its failures,
/// and whose account they are counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInLimit {
    /// The account this argument names (the first step, which is also counted per
    /// address because it hashes the password whatever the outcome).
    Argument(&'static str),
    /// The account the caller's session was issued to.
    SessionAccount,
}

/// How large a call's request body may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyLimit {
    /// Arguments only.
    Arguments,
    /// Arguments and one file (base64-encoded).
    File,
}

/// One call of the contract and its policy, as its line in [`workspace_calls!`] declares
/// it. [`CALLS`] lists them all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallPolicy {
    pub name: &'static str,
    /// The arguments' names, as they appear in a request body, in order.
    pub args: &'static [&'static str],
    pub access: Access,
    pub sign_in_limit: Option<SignInLimit>,
    /// Hashes a password (Argon2: memory and time a hub shares out).
    pub hashes_password: bool,
    /// The session's push stream must stop once the call has succeeded.
    pub ends_push: bool,
    pub body: BodyLimit,
    /// Writes files where the caller is, under a `destination` folder it gives (a hub
    /// sends the files over); the result says where they went.
    pub writes_files: bool,
    /// Takes the caller's session token.
    pub takes_token: bool,
}

impl CallPolicy {
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        args: &'static [&'static str],
        takes_token: bool,
        writes_files: bool,
    ) -> Self {
        Self {
            name,
            args,
            access: Access::Open,
            sign_in_limit: None,
            hashes_password: false,
            ends_push: false,
            body: BodyLimit::Arguments,
            writes_files,
            takes_token,
        }
    }

    #[doc(hidden)]
    pub const fn access(self, access: Access) -> Self {
        Self { access, ..self }
    }

    #[doc(hidden)]
    pub const fn sign_in_limit(self, limit: SignInLimit) -> Self {
        Self {
            sign_in_limit: Some(limit),
            ..self
        }
    }

    #[doc(hidden)]
    pub const fn hashes_password(self) -> Self {
        Self {
            hashes_password: true,
            ..self
        }
    }

    #[doc(hidden)]
    pub const fn ends_push(self) -> Self {
        Self {
            ends_push: true,
            ..self
        }
    }

    #[doc(hidden)]
    pub const fn body(self, body: BodyLimit) -> Self {
        Self { body, ..self }
    }

    /// Refuses (at compile time, in [`CALLS`]) a line that contradicts itself.
    #[doc(hidden)]
    pub const fn checked(self) -> Self {
        let open = matches!(self.access, Access::Open);
        if open == self.takes_token {
            panic!("a call takes a session token exactly when it is not open");
        }
        if self.writes_files && self.access.role().is_none() {
            panic!("a call that writes files needs a full session");
        }
        if let Some(SignInLimit::Argument(arg)) = self.sign_in_limit {
            let mut i = 0;
            let mut found = false;
            while i < self.args.len() {
                found |= str_eq(self.args[i], arg);
                i += 1;
            }
            if !found {
                panic!("sign_in_limit names an argument the call does not take");
            }
        }
        self
    }
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The policy of the call named `name`.
pub fn policy(name: &str) -> Option<&'static CallPolicy> {
    CALLS.iter().find(|call| call.name == name)
}

/// What a file-writing call returns: where it wrote. A remote client writes the files
/// the hub sent under its own destination and says so.
pub trait WrittenFiles {
    fn written(&self) -> &str;
    fn written_at(self, path: String) -> Self;
}

impl WrittenFiles for ExportSummary {
    fn written(&self) -> &str {
        &self.folder
    }
    fn written_at(self, folder: String) -> Self {
        Self { folder, ..self }
    }
}

impl WrittenFiles for AuditExport {
    fn written(&self) -> &str {
        &self.path
    }
    fn written_at(self, path: String) -> Self {
        Self { path, ..self }
    }
}

/// One argument as it crosses the hub's wire: `to_wire` on the client, and on the hub the
/// owned value it is decoded into and borrowed back from.
pub trait WireArg<'a>: Sized {
    type Owned: serde::de::DeserializeOwned;
    fn from_owned(owned: &'a Self::Owned) -> Self;
    fn to_wire(&self) -> serde_json::Result<serde_json::Value>;
}

macro_rules! wire_by_value {
    ($($ty:ty),* $(,)?) => {$(
        impl<'a> WireArg<'a> for $ty {
            type Owned = $ty;
            fn from_owned(owned: &'a $ty) -> $ty {
                owned.clone()
            }
            fn to_wire(&self) -> serde_json::Result<serde_json::Value> {
                serde_json::to_value(self)
            }
        }
    )*};
}

macro_rules! wire_by_ref {
    ($($ty:ty),* $(,)?) => {$(
        impl<'a> WireArg<'a> for &'a $ty {
            type Owned = $ty;
            fn from_owned(owned: &'a $ty) -> &'a $ty {
                owned
            }
            fn to_wire(&self) -> serde_json::Result<serde_json::Value> {
                serde_json::to_value(*self)
            }
        }
    )*};
}

macro_rules! wire_slice {
    ($($ty:ty),* $(,)?) => {$(
        impl<'a> WireArg<'a> for &'a [$ty] {
            type Owned = Vec<$ty>;
            fn from_owned(owned: &'a Vec<$ty>) -> &'a [$ty] {
                owned
            }
            fn to_wire(&self) -> serde_json::Result<serde_json::Value> {
                serde_json::to_value(*self)
            }
        }
    )*};
}

use types::*;

wire_by_value!(
    bool,
    i64,
    Option<Timestamp>,
    ConversationId,
    MessageId,
    Option<MessageId>,
    UserId,
    Option<UserId>,
    Option<TeamId>,
    Vec<TeamId>,
    ChannelAccountId,
    ContactId,
    ContactMergeId,
    Role,
    Versioned,
    Option<ReplyGuard>,
    Option<BusinessHours>,
    Option<SlaPolicy>,
    TeamId,
    ConversationStatus,
    Priority,
    Activity,
    NotificationSettings,
    DraftMode,
    TransferTarget,
    NewUser,
    SessionPolicy,
    InboxSettings,
    RetentionPolicy,
    ConsentState,
    ConsentSource,
    ThreadAction,
);
wire_by_ref!(
    InboxQuery,
    BulkChange,
    AuditFilter,
    NewChannelAccount,
    ChannelAccountChanges,
    SecretRotation,
    NewEmailAccount,
    OutboundAttachment,
    MailReply,
    MailForward,
    MailSettings,
    ChoicesReply,
    NewConversation,
    RichContent,
    TemplateMessage,
    ReportQuery,
    Password,
    SlaScope,
    ConsentSettings,
);
wire_slice!(String, Versioned, ConsentKeywords);

impl<'a> WireArg<'a> for &'a str {
    type Owned = String;
    fn from_owned(owned: &'a String) -> &'a str {
        owned
    }
    fn to_wire(&self) -> serde_json::Result<serde_json::Value> {
        Ok(serde_json::Value::String((*self).to_owned()))
    }
}

impl<'a> WireArg<'a> for Option<&'a str> {
    type Owned = Option<String>;
    fn from_owned(owned: &'a Option<String>) -> Option<&'a str> {
        owned.as_deref()
    }
    fn to_wire(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(self)
    }
}

impl<'a> WireArg<'a> for Option<&'a Password> {
    type Owned = Option<Password>;
    fn from_owned(owned: &'a Option<Password>) -> Option<&'a Password> {
        owned.as_ref()
    }
    fn to_wire(&self) -> serde_json::Result<serde_json::Value> {
        serde_json::to_value(self)
    }
}

macro_rules! declare_contract {
    (
        open { $( $oname:ident ( $( $oarg:ident : $oty:ty ),* ) -> $oret:ty [ $( $opol:tt )* ] ; )* }
        session { $( $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty [ $( $pol:tt )* ] ; )* }
        files { $( $fname:ident ( $( $farg:ident : $fty:ty ),* ) -> $fret:ty [ $( $fpol:tt )* ] ; )* }
    ) => {
        /// The workspace service as front ends see it. `now` is the caller's clock in
        /// process; a hub ignores the client's and uses its own. The file-writing calls
        /// write under `destination`, on this machine (a hub sends the files over).
        pub trait WorkspaceApi: Send + Sync {
            $(
                fn $oname(&self, $( $oarg: $oty, )* now: Timestamp) -> Result<$oret>;
            )*
            $(
                fn $name(&self, token: &SessionToken, $( $arg: $ty, )* now: Timestamp) -> Result<$ret>;
            )*
            $(
                fn $fname(&self, token: &SessionToken, $( $farg: $fty, )* destination: &Path, now: Timestamp) -> Result<$fret>;
            )*
        }

        impl WorkspaceApi for Workspace {
            $(
                fn $oname(&self, $( $oarg: $oty, )* now: Timestamp) -> Result<$oret> {
                    Workspace::$oname(self, $( $oarg, )* now)
                }
            )*
            $(
                fn $name(&self, token: &SessionToken, $( $arg: $ty, )* now: Timestamp) -> Result<$ret> {
                    Workspace::$name(self, token, $( $arg, )* now)
                }
            )*
            $(
                fn $fname(&self, token: &SessionToken, $( $farg: $fty, )* destination: &Path, now: Timestamp) -> Result<$fret> {
                    Workspace::$fname(self, token, $( $farg, )* destination, now)
                }
            )*
        }

        /// Every call of the contract with its policy, in the table's order (sign-in
        /// first, the file-writing calls last).
        pub const CALLS: &[CallPolicy] = &[
            $( crate::call_policy!(open $oname ( $( $oarg ),* ) [ $( $opol )* ]), )*
            $( crate::call_policy!(session $name ( $( $arg ),* ) [ $( $pol )* ]), )*
            $( crate::call_policy!(files $fname ( $( $farg ),* ) [ $( $fpol )* ]), )*
        ];
    };
}

workspace_calls!(declare_contract);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_says_what_each_group_means() {
        assert_eq!(CALLS[0].name, "begin_sign_in");
        assert_eq!(CALLS[0].access, Access::Open);
        assert_eq!(
            CALLS[0].sign_in_limit,
            Some(SignInLimit::Argument("username"))
        );
        let files: Vec<&str> = CALLS
            .iter()
            .filter(|c| c.writes_files)
            .map(|c| c.name)
            .collect();
        assert_eq!(files, ["export_contact", "export_audit"]);
        let names: std::collections::BTreeSet<&str> = CALLS.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), CALLS.len(), "a call is listed twice");
        assert_eq!(
            policy("reassign").map(|c| c.access),
            Some(Access::Session(Role::Lead))
        );
        assert_eq!(policy("no_such_call"), None);
    }
}
