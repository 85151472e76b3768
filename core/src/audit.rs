//! The audit trail: append-only events, each chained to the one before by SHA-256, so
//! that editing or removing history is detectable. Events name who and what, never a
//! secret, a code, a password or customer text.

use crate::error::Result;
use crate::ids::{AuditId, UserId};
use crate::store::audit_log::{self, AuditRow};
use crate::time::Timestamp;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// What happened. The string forms are stored and shown to admins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditKind {
    WorkspaceCreated,
    LoginSucceeded,
    LoginFailed,
    AccountLocked,
    CodeReplayed,
    RecoveryCodeUsed,
    Enrolled,
    SessionLocked,
    SessionUnlocked,
    Logout,
    UserCreated,
    RoleChanged,
    TeamsChanged,
    TeamCreated,
    UserDisabled,
    UserEnabled,
    TwoFactorReset,
    PasswordChanged,
    PasswordChangeRequired,
    SettingsChanged,
    ConversationOpened,
    AttachmentOpened,
    ContactOptedOut,
    ContactRenamed,
    ContactsMerged,
    ContactMergeUndone,
    ConversationAssigned,
    ConversationStatusChanged,
    ConversationPriorityChanged,
    ConversationsBulkChanged,
    AvailabilityChanged,
    ChannelAccountAdded,
    ChannelRefreshRequested,
    ChannelAccountUpdated,
    MessageSentAgain,
    ThreadHandedOver,
    ContactExported,
    ContactErased,
    RetentionPurged,
    EgressRefused,
    EgressAllowlistChanged,
    RetentionChanged,
    BackupMade,
    BackupRestored,
    WorkspaceMoved,
    MailFolderReset,
    BusinessHoursChanged,
    SlaPolicyChanged,
    SlaBreached,
    MailForwarded,
    ChannelTested,
    ChannelDisabled,
    ChannelEnabled,
    ChannelRemoved,
    MailSetAsideRetried,
    ConversationStarted,
    ConsentRecorded,
    ConsentKeywordsChanged,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WorkspaceCreated => "workspace_created",
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::AccountLocked => "account_locked",
            Self::CodeReplayed => "code_replayed",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::Enrolled => "enrolled",
            Self::SessionLocked => "session_locked",
            Self::SessionUnlocked => "session_unlocked",
            Self::Logout => "logout",
            Self::UserCreated => "user_created",
            Self::RoleChanged => "role_changed",
            Self::TeamsChanged => "teams_changed",
            Self::TeamCreated => "team_created",
            Self::UserDisabled => "user_disabled",
            Self::UserEnabled => "user_enabled",
            Self::TwoFactorReset => "two_factor_reset",
            Self::PasswordChanged => "password_changed",
            Self::PasswordChangeRequired => "password_change_required",
            Self::SettingsChanged => "settings_changed",
            Self::ConversationOpened => "conversation_opened",
            Self::AttachmentOpened => "attachment_opened",
            Self::ContactOptedOut => "contact_opt_out_changed",
            Self::ContactRenamed => "contact_renamed",
            Self::ContactsMerged => "contacts_merged",
            Self::ContactMergeUndone => "contact_merge_undone",
            Self::ConversationAssigned => "conversation_assigned",
            Self::ConversationStatusChanged => "conversation_status_changed",
            Self::ConversationPriorityChanged => "conversation_priority_changed",
            Self::ConversationsBulkChanged => "conversations_bulk_changed",
            Self::AvailabilityChanged => "availability_changed",
            Self::ChannelAccountAdded => "channel_account_added",
            Self::ChannelRefreshRequested => "channel_refresh_requested",
            Self::ChannelAccountUpdated => "channel_account_updated",
            Self::MessageSentAgain => "message_sent_again",
            Self::ThreadHandedOver => "thread_handed_over",
            Self::ContactExported => "contact_exported",
            Self::ContactErased => "contact_erased",
            Self::RetentionPurged => "retention_purged",
            Self::EgressRefused => "egress_refused",
            Self::EgressAllowlistChanged => "egress_allowlist_changed",
            Self::RetentionChanged => "retention_changed",
            Self::BackupMade => "backup_made",
            Self::BackupRestored => "backup_restored",
            Self::WorkspaceMoved => "workspace_moved",
            Self::MailFolderReset => "mail_folder_reset",
            Self::BusinessHoursChanged => "business_hours_changed",
            Self::SlaPolicyChanged => "sla_policy_changed",
            Self::SlaBreached => "sla_breached",
            Self::MailForwarded => "mail_forwarded",
            Self::ChannelTested => "channel_tested",
            Self::ChannelDisabled => "channel_disabled",
            Self::ChannelEnabled => "channel_enabled",
            Self::ChannelRemoved => "channel_removed",
            Self::MailSetAsideRetried => "mail_set_aside_retried",
            Self::ConversationStarted => "conversation_started",
            Self::ConsentRecorded => "consent_recorded",
            Self::ConsentKeywordsChanged => "consent_keywords_changed",
        }
    }
}

/// One event to append. `subject` names the thing acted on (`user:7`); `detail` is a
/// small JSON object of ids and counts.
pub struct AuditEvent {
    pub kind: AuditKind,
    pub actor: Option<UserId>,
    pub subject: String,
    pub detail: serde_json::Value,
    pub at: Timestamp,
}

impl AuditEvent {
    pub fn new(
        kind: AuditKind,
        actor: Option<UserId>,
        subject: impl Into<String>,
        at: Timestamp,
    ) -> Self {
        Self {
            kind,
            actor,
            subject: subject.into(),
            detail: serde_json::json!({}),
            at,
        }
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

const GENESIS: [u8; 32] = [0u8; 32];

fn field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

/// The chained hash of one row: every field length-prefixed, so no two rows collide by
/// moving bytes between fields.
pub fn row_hash(
    prev_hash: &[u8],
    id: AuditId,
    at: Timestamp,
    actor: Option<UserId>,
    kind: &str,
    subject: &str,
    detail: &str,
) -> Vec<u8> {
    let mut h = Sha256::new();
    field(&mut h, prev_hash);
    field(&mut h, &id.get().to_be_bytes());
    field(&mut h, &at.unix().to_be_bytes());
    field(&mut h, &actor.map_or(-1, UserId::get).to_be_bytes());
    field(&mut h, kind.as_bytes());
    field(&mut h, subject.as_bytes());
    field(&mut h, detail.as_bytes());
    h.finalize().to_vec()
}

/// Appends one event inside the caller's transaction.
pub fn append(conn: &Connection, event: AuditEvent) -> Result<AuditId> {
    let (id, prev_hash) = match audit_log::last(conn)? {
        Some((last_id, hash)) => (AuditId::new(last_id.get() + 1), hash),
        None => (AuditId::new(1), GENESIS.to_vec()),
    };
    let kind = event.kind.as_str();
    let detail = event.detail.to_string();
    let hash = row_hash(
        &prev_hash,
        id,
        event.at,
        event.actor,
        kind,
        &event.subject,
        &detail,
    );
    audit_log::insert(
        conn,
        &AuditRow {
            id,
            at: event.at,
            actor: event.actor,
            kind: kind.to_string(),
            subject: event.subject,
            detail,
            prev_hash,
            hash,
        },
    )?;
    Ok(id)
}

/// The result of checking the whole chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        rows: u64,
    },
    /// The first row whose link or content does not match.
    Broken {
        row: AuditId,
        reason: &'static str,
    },
}

pub fn verify(conn: &Connection) -> Result<ChainCheck> {
    let mut expected_prev = GENESIS.to_vec();
    let mut expected_id = 1i64;
    let mut rows = 0u64;
    let mut broken = None;
    audit_log::for_each(conn, |row| {
        let reason = if row.id.get() != expected_id {
            Some("a row is missing before this one")
        } else if row.prev_hash != expected_prev {
            Some("its link to the previous row does not match")
        } else if row.hash
            != row_hash(
                &row.prev_hash,
                row.id,
                row.at,
                row.actor,
                &row.kind,
                &row.subject,
                &row.detail,
            )
        {
            Some("its content was changed after it was written")
        } else {
            None
        };
        if let Some(reason) = reason {
            broken = Some(ChainCheck::Broken {
                row: row.id,
                reason,
            });
            return false;
        }
        expected_prev = row.hash;
        expected_id += 1;
        rows += 1;
        true
    })?;
    Ok(broken.unwrap_or(ChainCheck::Intact { rows }))
}
