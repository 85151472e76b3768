//! The shell's state: where the workspace is (a data folder opened in process, or a team
//! hub reached over pinned HTTPS), and the session token. The token is only ever here,
//! in Rust; commands hand the window an `AppStatus` instead.

use crate::api_error::ApiError;
use crate::dto::{AppStatus, HubConnection, Phase};
use appcare_client::{HubAddress, RemoteWorkspace};
use appcare_core::keys::KeyStoreKind;
use appcare_core::service::login::{SessionInfo, SessionStage};
use appcare_core::{
    CoreError, Password, SessionToken, Timestamp, Workspace, WorkspaceApi, WorkspaceDir,
};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

const LOCATION_FILE: &str = "workspace-location.json";

#[derive(Default)]
struct Shell {
    data_dir: PathBuf,
    default_data_dir: PathBuf,
    location_file: Option<PathBuf>,
    workspace: Option<Arc<Workspace>>,
    /// Team mode: the hub this desktop works through instead of a local workspace.
    hub: Option<(Arc<RemoteWorkspace>, HubConnection)>,
    channels: Option<crate::channels::Channels>,
    open_error: Option<ApiError>,
    token: Option<SessionToken>,
    user: Option<SessionInfo>,
    app: Option<tauri::AppHandle>,
    /// Bumped for each hub push-stream reader; an older reader stops at its next message.
    stream_generation: u64,
    /// The signed-in person's notification choices, once read (cleared with the session).
    notifications: Option<appcare_core::service::notifications::NotificationSettings>,
}

pub struct AppState {
    shell: Mutex<Shell>,
}

impl AppState {
    /// Picks the data folder and opens the workspace there if it can without asking.
    pub fn from_environment(app: &tauri::AppHandle) -> Result<Self, Box<dyn std::error::Error>> {
        use tauri::Manager;
        let default_data_dir = app.path().app_data_dir()?.join("workspace");
        let location_file = app
            .path()
            .app_config_dir()
            .ok()
            .map(|d| d.join(LOCATION_FILE));
        let location = location_file
            .as_deref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
        let remembered = location
            .as_ref()
            .and_then(|v| v.get("data_dir")?.as_str().map(PathBuf::from));
        let hub = hub_from_environment().or_else(|| {
            let hub = location.as_ref()?.get("hub")?;
            Some(HubConnection {
                url: hub.get("url")?.as_str()?.to_owned(),
                fingerprint: hub.get("fingerprint")?.as_str()?.to_owned(),
            })
        });
        let data_dir = std::env::var_os("APPCARE_DATA_DIR")
            .map(PathBuf::from)
            .or(remembered)
            .unwrap_or_else(|| default_data_dir.clone());
        let state = Self::new(data_dir, default_data_dir, location_file);
        state.shell().app = Some(app.clone());
        match hub.and_then(|h| Some((HubAddress::parse(&h.url).ok()?, h))) {
            Some((address, connection)) => state.set_hub(address, connection),
            None => state.try_open_without_asking(),
        }
        Ok(state)
    }

    pub fn new(
        data_dir: PathBuf,
        default_data_dir: PathBuf,
        location_file: Option<PathBuf>,
    ) -> Self {
        Self {
            shell: Mutex::new(Shell {
                data_dir,
                default_data_dir,
                location_file,
                ..Shell::default()
            }),
        }
    }

    fn shell(&self) -> MutexGuard<'_, Shell> {
        self.shell.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens a keyring workspace, or a passphrase one when `APPCARE_PASSPHRASE` is set.
    fn try_open_without_asking(&self) {
        let dir = WorkspaceDir::new(self.data_dir());
        let Ok(info) = dir.inspect() else { return };
        let passphrase = std::env::var("APPCARE_PASSPHRASE").ok().map(Password::new);
        if info.key_store == KeyStoreKind::Passphrase && passphrase.is_none() {
            return;
        }
        match Workspace::open(&dir, passphrase.as_ref()) {
            Ok(ws) => self.set_workspace(ws),
            Err(err) => self.shell().open_error = Some(err.into()),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.shell().data_dir.clone()
    }

    pub fn default_data_dir(&self) -> PathBuf {
        self.shell().default_data_dir.clone()
    }

    pub fn workspace(&self) -> Option<Arc<Workspace>> {
        self.shell().workspace.clone()
    }

    /// Team mode: works through the hub at `address`, pinned to `connection`'s
    /// fingerprint. The local workspace (and its channels) closes.
    pub fn set_hub(&self, address: HubAddress, connection: HubConnection) {
        let remote = Arc::new(RemoteWorkspace::new(address, &connection.fingerprint));
        let previous = {
            let mut shell = self.shell();
            shell.workspace = None;
            shell.hub = Some((remote, connection));
            shell.open_error = None;
            shell.token = None;
            shell.user = None;
            shell.channels.take()
        };
        if let Some(previous) = previous {
            previous.stop();
        }
    }

    /// Leaves team mode for the local workspace in the data folder.
    pub fn leave_hub(&self) {
        {
            let mut shell = self.shell();
            shell.hub = None;
            shell.token = None;
            shell.user = None;
        }
        self.try_open_without_asking();
    }

    /// The hub in use, in team mode.
    pub fn hub(&self) -> Option<HubConnection> {
        self.shell().hub.as_ref().map(|(_, c)| c.clone())
    }

    /// The hub's client, in team mode.
    pub fn remote(&self) -> Option<Arc<RemoteWorkspace>> {
        self.shell().hub.as_ref().map(|(r, _)| r.clone())
    }

    /// The workspace to call: the hub's client in team mode, else the local workspace.
    pub fn api(&self) -> Option<Arc<dyn WorkspaceApi>> {
        let shell = self.shell();
        match (&shell.hub, &shell.workspace) {
            (Some((remote, _)), _) => Some(remote.clone() as Arc<dyn WorkspaceApi>),
            (None, Some(local)) => Some(local.clone() as Arc<dyn WorkspaceApi>),
            (None, None) => None,
        }
    }

    pub fn set_workspace(&self, workspace: Workspace) {
        let workspace = Arc::new(workspace);
        let app = {
            let mut shell = self.shell();
            shell.data_dir = workspace.dir().root().to_path_buf();
            shell.hub = None;
            shell.workspace = Some(workspace.clone());
            shell.open_error = None;
            shell.token = None;
            shell.user = None;
            shell.app.clone()
        };
        if let Some(app) = app {
            crate::live::spawn_forwarder(app, workspace.clone());
            // The old workspace's receiver and runtime stop first, so the new receiver can
            // take the port. The runtime needs Tauri's async runtime (only in the app).
            let previous = self.shell().channels.take();
            if let Some(previous) = previous {
                previous.stop();
            }
            let started = crate::channels::start(workspace);
            self.shell().channels = Some(started);
        }
    }

    /// The embedded webhook receiver's address or error.
    pub fn webhook_listener(&self) -> crate::dto::WebhookListener {
        self.shell()
            .channels
            .as_ref()
            .map(crate::channels::Channels::listener)
            .unwrap_or_default()
    }

    /// The signed-in user's id while a full session is held.
    pub fn signed_in_user(&self) -> Option<appcare_core::ids::UserId> {
        let shell = self.shell();
        shell.token.as_ref()?;
        shell.user.as_ref().map(|u| u.user_id)
    }

    /// Remembers a chosen data folder for the next start.
    pub fn remember_location(&self, dir: &Path) {
        self.remember(serde_json::json!({ "data_dir": dir.display().to_string() }));
    }

    /// Remembers the hub and its pinned fingerprint for the next start (`None`: the
    /// local workspace again).
    pub fn remember_hub(&self, hub: Option<&HubConnection>) {
        let body = match hub {
            Some(hub) => serde_json::json!({
                "hub": { "url": hub.url, "fingerprint": hub.fingerprint },
            }),
            None => serde_json::json!({ "data_dir": self.data_dir().display().to_string() }),
        };
        self.remember(body);
    }

    fn remember(&self, body: serde_json::Value) {
        let Some(file) = self.shell().location_file.clone() else {
            return;
        };
        if let Some(parent) = file.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(file, body.to_string());
    }

    pub fn token(&self) -> Option<SessionToken> {
        self.shell().token.clone()
    }

    pub fn set_session(&self, token: Option<SessionToken>, user: Option<SessionInfo>) {
        let mut shell = self.shell();
        shell.token = token;
        shell.user = user;
        shell.notifications = None;
    }

    /// The signed-in person's notification choices: remembered, else read with `read`.
    pub fn notifications(
        &self,
        read: impl FnOnce() -> Option<appcare_core::service::notifications::NotificationSettings>,
    ) -> Option<appcare_core::service::notifications::NotificationSettings> {
        if let Some(known) = self.shell().notifications {
            return Some(known);
        }
        let read = read()?;
        self.shell().notifications = Some(read);
        Some(read)
    }

    pub fn remember_notifications(
        &self,
        settings: appcare_core::service::notifications::NotificationSettings,
    ) {
        self.shell().notifications = Some(settings);
    }

    /// A full session began (or was unlocked). In team mode this starts the hub's push
    /// stream for it.
    pub fn set_user(&self, user: SessionInfo) {
        let (app, remote, token, generation) = {
            let mut shell = self.shell();
            shell.user = Some(user);
            shell.stream_generation += 1;
            (
                shell.app.clone(),
                shell.hub.as_ref().map(|(r, _)| r.clone()),
                shell.token.clone(),
                shell.stream_generation,
            )
        };
        if let (Some(app), Some(remote), Some(token)) = (app, remote, token) {
            crate::live::spawn_hub_forwarder(app, remote, token, generation);
        }
    }

    /// Whether the hub push-stream reader `generation` for `token` is still the one wanted.
    pub fn stream_wanted(&self, token: &SessionToken, generation: u64) -> bool {
        let shell = self.shell();
        shell.stream_generation == generation && shell.token.as_ref() == Some(token)
    }

    /// The workspace to call and the session token, or the error a command should return.
    pub fn session(&self) -> Result<(Arc<dyn WorkspaceApi>, SessionToken), ApiError> {
        let workspace = self
            .api()
            .ok_or_else(|| ApiError::from(CoreError::NotSignedIn))?;
        let token = self
            .token()
            .ok_or_else(|| ApiError::from(CoreError::NotSignedIn))?;
        Ok((workspace, token))
    }

    /// Where the window stands. Reading it does not count as activity, but it applies
    /// the idle lock and the session limit, so a polling window sees them.
    pub fn status(&self, now: Timestamp) -> Result<AppStatus, ApiError> {
        let (token, data_dir, open_error, hub) = {
            let shell = self.shell();
            (
                shell.token.clone(),
                shell.data_dir.clone(),
                shell.open_error.clone(),
                shell.hub.as_ref().map(|(_, c)| c.clone()),
            )
        };
        let status = |phase, user| AppStatus {
            phase,
            data_dir: data_dir.display().to_string(),
            user,
            hub: hub.clone(),
        };
        let Some(workspace) = self.api() else {
            if let Some(err) = open_error {
                return Err(err);
            }
            return Ok(match WorkspaceDir::new(&data_dir).inspect() {
                Ok(info) if info.key_store == KeyStoreKind::Passphrase => {
                    status(Phase::NeedsPassphrase, None)
                }
                Ok(_) => status(Phase::SignedOut, None),
                Err(CoreError::NoWorkspace { .. }) => status(Phase::NoWorkspace, None),
                Err(err) => return Err(err.into()),
            });
        };
        let Some(token) = token else {
            return Ok(status(Phase::SignedOut, None));
        };
        let stage = workspace.session_state(&token, now)?;
        let phase = match stage {
            SessionStage::NeedsCode => Phase::NeedsCode,
            SessionStage::NeedsEnrolment => Phase::NeedsEnrolment,
            SessionStage::NeedsNewPassword => Phase::NeedsNewPassword,
            SessionStage::Active => Phase::SignedIn,
            SessionStage::Locked => Phase::Locked,
            SessionStage::Ended => {
                self.set_session(None, None);
                Phase::SignedOut
            }
        };
        let user = if phase == Phase::SignedIn {
            self.shell().user.clone()
        } else {
            None
        };
        Ok(status(phase, user))
    }
}

/// `APPCARE_HUB_URL` and `APPCARE_HUB_FINGERPRINT` together start the desktop in team
/// mode (unattended installs, tests); the fingerprint is what the admin's `appcare
/// serve` printed.
fn hub_from_environment() -> Option<HubConnection> {
    Some(HubConnection {
        url: std::env::var("APPCARE_HUB_URL").ok()?,
        fingerprint: std::env::var("APPCARE_HUB_FINGERPRINT").ok()?,
    })
}
