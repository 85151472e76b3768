//! What crosses between Rust and the window, beyond the core's own view types. TypeScript
//! versions are generated into `ui/src/bindings/` (see `bindings.rs`).

use appcare_core::auth::Role;
use appcare_core::ids::TeamId;
use appcare_core::service::login::SessionInfo;
use serde::{Deserialize, Serialize};

/// Which screen the window should show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    NoWorkspace,
    NeedsPassphrase,
    SignedOut,
    NeedsCode,
    NeedsEnrolment,
    NeedsNewPassword,
    Locked,
    SignedIn,
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct AppStatus {
    pub phase: Phase,
    pub data_dir: String,
    pub user: Option<SessionInfo>,
    /// Team mode: the hub this desktop works through (`None`: the local workspace).
    pub hub: Option<HubConnection>,
}

/// A team hub and the certificate fingerprint the user trusted on first connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct HubConnection {
    pub url: String,
    pub fingerprint: String,
}

/// What a first connection to a hub shows before the user trusts it.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct HubProbe {
    pub url: String,
    pub fingerprint: String,
    /// The hub's workspace folder name, to recognise it.
    pub workspace: String,
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct RegionOption {
    pub code: String,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct FirstRunInfo {
    pub default_data_dir: String,
    pub regions: Vec<RegionOption>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyStoreChoice {
    Keyring,
    Passphrase,
}

/// The first-run form. Its `Debug` leaves out the password and passphrase.
#[derive(Clone, Deserialize, ts_rs::TS)]
pub struct CreateWorkspaceRequest {
    pub data_dir: String,
    pub region: String,
    pub admin_username: String,
    pub admin_display_name: String,
    pub admin_password: String,
    pub key_store: KeyStoreChoice,
    pub passphrase: Option<String>,
}

impl std::fmt::Debug for CreateWorkspaceRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateWorkspaceRequest")
            .field("data_dir", &self.data_dir)
            .field("region", &self.region)
            .field("admin_username", &self.admin_username)
            .field("key_store", &self.key_store)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Serialize, ts_rs::TS)]
pub struct EnrolmentDone {
    pub status: AppStatus,
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for EnrolmentDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentDone(<redacted>)")
    }
}

#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct RecoverySignIn {
    pub status: AppStatus,
    pub remaining: u32,
}

/// The admin's "add user" form. Its `Debug` leaves out the password.
#[derive(Clone, Deserialize, ts_rs::TS)]
pub struct NewUserRequest {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
    pub teams: Vec<TeamId>,
}

impl std::fmt::Debug for NewUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUserRequest")
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// Sent to the window when a colleague hands the signed-in user a conversation.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct HandoffNotice {
    pub conversation: appcare_core::ids::ConversationId,
    pub from_name: String,
}

/// Where the embedded webhook receiver listens, or why it does not.
#[derive(Clone, Debug, Default, Serialize, ts_rs::TS)]
pub struct WebhookListener {
    pub address: Option<String>,
    pub error: Option<String>,
}

/// What the About page shows: version, build, and where this workspace keeps things.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
pub struct AboutInfo {
    pub version: String,
    /// The commit the app was built from (`unknown` outside a Git checkout).
    pub build: String,
    pub data_dir: String,
    pub log_dir: Option<String>,
    pub config_dir: Option<String>,
    /// The team hub's address, in team mode.
    pub hub: Option<String>,
}
