//! The workspace as one contract, [`WorkspaceApi`]: the in-process [`Workspace`] and the
//! team hub's remote client implement it, so the desktop works the same on either. The
//! calls are listed once, in [`workspace_calls!`]; the trait, the hub's routes, the remote
//! client and the OpenAPI document are all generated from that list, so none of them can
//! forget a call.

use crate::error::Result;
use crate::secret::SessionToken;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use std::path::Path;

/// Every type the calls take or return, for code that expands [`workspace_calls!`].
pub mod types {
    pub use crate::auth::Role;
    pub use crate::channel::account::{ChannelAccountView, NewChannelAccount};
    pub use crate::channel::email::{NewEmailAccount, SetAsideView};
    pub use crate::channel::outbound::OutboundAttachment;
    pub use crate::channel::template::TemplateView;
    pub use crate::ids::{ChannelAccountId, ContactId, ConversationId, MessageId, TeamId, UserId};
    pub use crate::privacy::egress::EgressPolicy;
    pub use crate::privacy::request::{ContactMatch, ErasureSummary};
    pub use crate::secret::{Password, SessionToken};
    pub use crate::service::admin::{
        AuditEntry, AuditExport, AuditFilter, AuditStatus, Colleague, InboxSettings, Overview,
    };
    pub use crate::service::backups::BackupSchedule;
    pub use crate::service::conversation::CannedReply;
    pub use crate::service::handoff::{TeamLoad, TransferTarget, Versioned};
    pub use crate::service::inbox::{
        AttachmentContent, ConversationStatus, ConversationSummary, ConversationView, InboxPage,
        InboxQuery, MessageView, NoteView, SearchHit,
    };
    pub use crate::service::ingest::ChannelAccountSummary;
    pub use crate::service::login::{
        Enrolment, RecoveryCodes, SessionInfo, SessionStage, SignInChallenge,
    };
    pub use crate::service::privacy::ExportSummary;
    pub use crate::service::residency::{ResidencyReport, RetentionPolicy};
    pub use crate::service::users::{NewUser, TeamSummary, UserSummary};
    pub use crate::service::SessionPolicy;
    pub use crate::time::Timestamp;
}

/// The list of calls. `$callback!` receives two groups: `open` calls take no session
/// token (only `begin_sign_in`), `session` calls take the caller's token first. Every
/// call also takes `now` last. Type names are resolved where the callback expands, so
/// expand it next to `use appcare_core::api::types::*;`. The two exports, which write
/// files where the caller is, are declared by hand on the trait.
#[macro_export]
macro_rules! workspace_calls {
    ($callback:ident) => {
        $callback! {
            open {
                begin_sign_in(username: &str, password: &Password) -> SignInChallenge;
            }
            session {
                submit_code(code: &str) -> SessionInfo;
                submit_recovery_code(code: &str) -> (SessionInfo, usize);
                start_enrolment() -> Enrolment;
                confirm_enrolment(code: &str) -> (SessionInfo, RecoveryCodes);
                unlock(code: &str) -> SessionInfo;
                lock() -> ();
                sign_out() -> ();
                session_state() -> SessionStage;
                session_info() -> SessionInfo;
                overview() -> Overview;
                list_users() -> Vec<UserSummary>;
                create_user(new: NewUser) -> UserSummary;
                set_role(user: UserId, role: Role) -> UserSummary;
                set_teams(user: UserId, teams: Vec<TeamId>) -> UserSummary;
                disable_user(user: UserId) -> UserSummary;
                enable_user(user: UserId) -> UserSummary;
                reset_authenticator(user: UserId, admin_code: &str) -> UserSummary;
                list_teams() -> Vec<TeamSummary>;
                create_team(name: &str) -> TeamSummary;
                session_policy() -> SessionPolicy;
                set_session_policy(new: SessionPolicy) -> SessionPolicy;
                verify_audit() -> AuditStatus;
                recent_audit(kind: Option<&str>, limit: i64) -> Vec<AuditEntry>;
                search_audit(filter: &AuditFilter) -> Vec<AuditEntry>;
                inbox_settings() -> InboxSettings;
                set_inbox_settings(new: InboxSettings) -> InboxSettings;
                list_colleagues() -> Vec<Colleague>;
                list_conversations(query: &InboxQuery) -> InboxPage;
                search(text: &str) -> Vec<SearchHit>;
                open_conversation(id: ConversationId, before: Option<MessageId>) -> ConversationView;
                open_attachment(attachment: i64) -> AttachmentContent;
                reply(id: ConversationId, body: &str) -> MessageView;
                reply_with_attachment(id: ConversationId, caption: &str, attachment: &OutboundAttachment) -> MessageView;
                add_note(id: ConversationId, body: &str) -> NoteView;
                set_status(conversation: Versioned, status: ConversationStatus, snoozed_until: Option<Timestamp>) -> ();
                set_labels(id: ConversationId, labels: &[String]) -> Vec<String>;
                set_do_not_contact(id: ConversationId, value: bool) -> ();
                list_canned_replies() -> Vec<CannedReply>;
                create_canned_reply(title: &str, body: &str) -> CannedReply;
                render_canned_reply(id: ConversationId, canned: i64) -> String;
                transfer(conversation: Versioned, target: TransferTarget, note: &str) -> ConversationSummary;
                return_to_queue(conversation: Versioned, note: &str) -> ();
                reassign(conversations: &[Versioned], to: Option<UserId>, note: &str) -> usize;
                team_load() -> TeamLoad;
                set_availability(available: bool) -> usize;
                create_channel_account(kind: &str, name: &str, external_id: &str, default_team: Option<TeamId>) -> ChannelAccountSummary;
                add_channel_account(account: &NewChannelAccount) -> ChannelAccountView;
                list_channels() -> Vec<ChannelAccountView>;
                refresh_channel(id: ChannelAccountId) -> ChannelAccountView;
                list_templates(id: ConversationId) -> Vec<TemplateView>;
                send_template(id: ConversationId, name: &str, language: &str, parameters: &[String]) -> MessageView;
                retry_message(message: MessageId) -> MessageView;
                add_email_account(account: &NewEmailAccount) -> ChannelAccountView;
                set_aside_mail(account: ChannelAccountId) -> Vec<SetAsideView>;
                email_html(message: MessageId) -> Option<String>;
                find_contacts(query: &str) -> Vec<ContactMatch>;
                erase_contact(contact: ContactId) -> ErasureSummary;
                egress_allowlist() -> EgressPolicy;
                set_egress_allowlist(hosts: &[String]) -> EgressPolicy;
                retention_policy() -> RetentionPolicy;
                set_retention_policy(policy: RetentionPolicy) -> RetentionPolicy;
                residency_report() -> ResidencyReport;
                backup_schedule() -> BackupSchedule;
                set_backup_schedule(folder: Option<&str>, every_hours: i64, keep: i64, passphrase: Option<&Password>) -> BackupSchedule;
            }
        }
    };
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
    Role,
    Versioned,
    ConversationStatus,
    TransferTarget,
    NewUser,
    SessionPolicy,
    InboxSettings,
    RetentionPolicy,
);
wire_by_ref!(
    InboxQuery,
    AuditFilter,
    NewChannelAccount,
    NewEmailAccount,
    OutboundAttachment,
    Password,
);
wire_slice!(String, Versioned);

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
        open { $( $oname:ident ( $( $oarg:ident : $oty:ty ),* ) -> $oret:ty ; )* }
        session { $( $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )* }
    ) => {
        /// The workspace service as front ends see it. `now` is the caller's clock in
        /// process; a hub ignores the client's and uses its own.
        pub trait WorkspaceApi: Send + Sync {
            $(
                fn $oname(&self, $( $oarg: $oty, )* now: Timestamp) -> Result<$oret>;
            )*
            $(
                fn $name(&self, token: &SessionToken, $( $arg: $ty, )* now: Timestamp) -> Result<$ret>;
            )*

            /// Writes a customer's data into a new folder under `destination`, on this
            /// machine (a hub sends the files over).
            fn export_contact(
                &self,
                token: &SessionToken,
                contact: ContactId,
                include_notes: bool,
                destination: &Path,
                now: Timestamp,
            ) -> Result<ExportSummary>;

            /// Writes the matching audit rows into a new file under `destination`.
            fn export_audit(
                &self,
                token: &SessionToken,
                filter: &AuditFilter,
                destination: &Path,
                now: Timestamp,
            ) -> Result<AuditExport>;
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

            fn export_contact(
                &self,
                token: &SessionToken,
                contact: ContactId,
                include_notes: bool,
                destination: &Path,
                now: Timestamp,
            ) -> Result<ExportSummary> {
                Workspace::export_contact(self, token, contact, include_notes, destination, now)
            }

            fn export_audit(
                &self,
                token: &SessionToken,
                filter: &AuditFilter,
                destination: &Path,
                now: Timestamp,
            ) -> Result<AuditExport> {
                Workspace::export_audit(self, token, filter, destination, now)
            }
        }

        /// The name of every call in the contract, sign-in first.
        pub const CALL_NAMES: &[&str] = &[
            $( stringify!($oname), )*
            $( stringify!($name), )*
            "export_contact",
            "export_audit",
        ];
    };
}

workspace_calls!(declare_contract);
