//! The errors a caller of the core can branch on. Every message is plain words for the
//! person at the keyboard and never contains a secret, a code or customer text.

use serde::Serialize;
use std::path::PathBuf;

/// A stable, machine-readable code for each error, so front ends switch on the code and
/// never on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    KeyringUnavailable,
    KeyMissing,
    WrongKey,
    PassphraseRequired,
    NoWorkspace,
    WorkspaceExists,
    Tampered,
    NewerVersion,
    SignInFailed,
    NotSignedIn,
    SessionLocked,
    SessionExpired,
    Forbidden,
    NotFound,
    InvalidInput,
    WeakPassword,
    Conflict,
    Storage,
    /// Team mode: the hub could not be reached or answered something unexpected.
    HubUnreachable,
    /// Team mode: the hub's certificate is not the one pinned on first connection.
    CertificateChanged,
    /// Team mode: too many failed sign-ins from this account or address; wait.
    RateLimited,
    /// A colleague answered or took the conversation after the caller opened it; the
    /// reply was not sent, and the caller may still send it anyway.
    AnsweredMeanwhile,
    /// A colleague took the conversation after the caller opened it and the caller may no
    /// longer answer in it; the reply was not sent.
    TakenMeanwhile,
}

/// Errors from the core's service calls and from opening a workspace.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(
        "The system keyring is not reachable ({detail}). Unlock or start your keyring \
         (on Linux: a Secret Service such as gnome-keyring), or create the workspace with \
         `--key-store passphrase` and give the passphrase in APPCARE_PASSPHRASE."
    )]
    KeyringUnavailable { detail: String },

    #[error(
        "The keyring holds no key for this workspace. It may have been created on another \
         computer or under another user account; restore the key or open a backup."
    )]
    KeyMissing,

    #[error(
        "The key does not open this workspace: the passphrase is wrong, or the keyring entry \
         belongs to another workspace. Nothing was changed."
    )]
    WrongKey,

    #[error(
        "This workspace keeps its key under a passphrase. Enter the passphrase, or set \
         APPCARE_PASSPHRASE for unattended use."
    )]
    PassphraseRequired,

    #[error(
        "No Appcare workspace in {path}. Choose the folder that holds workspace.json and \
         appcare.db, or create a workspace with `appcare init`."
    )]
    NoWorkspace { path: PathBuf },

    #[error("{path} already holds a workspace. Choose an empty folder.")]
    WorkspaceExists { path: PathBuf },

    #[error(
        "The workspace file is damaged or has been tampered with ({detail}). Nothing was \
         changed; restore the workspace from a backup."
    )]
    Tampered { detail: String },

    #[error(
        "This workspace was made by a newer Appcare Inbox (schema {found}, this version knows \
         up to {supported}). Update Appcare Inbox to open it; nothing was changed."
    )]
    NewerVersion { found: i64, supported: i64 },

    #[error(
        "Sign-in failed: the username, password or code is not right, or the account is \
         temporarily locked after repeated failures. Wait a few minutes and try again."
    )]
    SignInFailed,

    /// The password step's refusal, the same for a wrong password, an unknown username, a
    /// disabled or locked account, enrolled or not (code `sign_in_failed`).
    #[error(
        "Sign-in failed: the username or password is not right, or the account is \
         temporarily locked after repeated failures. Check them and try again."
    )]
    PasswordRefused,

    #[error("You are not signed in. Sign in with your password and authenticator code.")]
    NotSignedIn,

    #[error("The session is locked after inactivity. Enter your authenticator code to unlock.")]
    SessionLocked,

    #[error("The session has ended. Sign in again.")]
    SessionExpired,

    #[error("Your role does not allow this: {action}.")]
    Forbidden { action: &'static str },

    #[error("{what} was not found.")]
    NotFound { what: &'static str },

    #[error("{field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },

    #[error("This password is too weak: {reason}")]
    WeakPassword { reason: &'static str },

    #[error("{0}")]
    Conflict(String),

    #[error("Storage error: {0}")]
    Storage(String),

    #[error("The team hub could not be reached: {0}")]
    HubUnreachable(String),

    #[error(
        "The team hub's certificate has changed since you first connected (pinned \
         {pinned}, now {found}). Someone may be intercepting the connection. Nothing was \
         sent. Ask your admin whether the hub's certificate was replaced; only then \
         connect to the hub again and trust the new fingerprint."
    )]
    CertificateChanged { pinned: String, found: String },

    #[error("Too many failed sign-ins. Wait {retry_after_seconds} seconds and try again.")]
    RateLimited { retry_after_seconds: u64 },

    /// A reply stopped because a colleague answered or took the conversation after the
    /// caller opened it. `who` is the colleague's display name, never customer text.
    #[error(
        "{who} {what} after you opened this conversation, so your reply was not sent. \
         Send it anyway, keep it as a draft, or discard it."
    )]
    AnsweredMeanwhile { who: String, what: &'static str },

    #[error(
        "{who} took this conversation after you opened it, so your reply was not sent. Keep \
         it as a draft or discard it; a lead can hand the conversation back to you."
    )]
    TakenMeanwhile { who: String },

    /// An error the hub returned: its code and its plain-words message, passed through.
    #[error("{message}")]
    Remote { code: ErrorCode, message: String },
}

impl CoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::KeyringUnavailable { .. } => ErrorCode::KeyringUnavailable,
            Self::KeyMissing => ErrorCode::KeyMissing,
            Self::WrongKey => ErrorCode::WrongKey,
            Self::PassphraseRequired => ErrorCode::PassphraseRequired,
            Self::NoWorkspace { .. } => ErrorCode::NoWorkspace,
            Self::WorkspaceExists { .. } => ErrorCode::WorkspaceExists,
            Self::Tampered { .. } => ErrorCode::Tampered,
            Self::NewerVersion { .. } => ErrorCode::NewerVersion,
            Self::SignInFailed | Self::PasswordRefused => ErrorCode::SignInFailed,
            Self::NotSignedIn => ErrorCode::NotSignedIn,
            Self::SessionLocked => ErrorCode::SessionLocked,
            Self::SessionExpired => ErrorCode::SessionExpired,
            Self::Forbidden { .. } => ErrorCode::Forbidden,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::InvalidInput { .. } => ErrorCode::InvalidInput,
            Self::WeakPassword { .. } => ErrorCode::WeakPassword,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Storage(_) => ErrorCode::Storage,
            Self::HubUnreachable(_) => ErrorCode::HubUnreachable,
            Self::CertificateChanged { .. } => ErrorCode::CertificateChanged,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::AnsweredMeanwhile { .. } => ErrorCode::AnsweredMeanwhile,
            Self::TakenMeanwhile { .. } => ErrorCode::TakenMeanwhile,
            Self::Remote { code, .. } => *code,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

/// SQLite errors become `Tampered` when SQLCipher's page check fails, `Storage` otherwise.
/// SQLite messages name tables and constraints, never row contents.
impl From<rusqlite::Error> for CoreError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as Sql;
        match err.sqlite_error_code() {
            Some(Sql::DatabaseCorrupt) | Some(Sql::NotADatabase) => Self::Tampered {
                detail: "a page failed its integrity check while reading".into(),
            },
            _ => Self::Storage(err.to_string()),
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
