//! The shell's state: which data folder, the open workspace, and the session token. The
//! token is only ever here, in Rust; commands hand the window an `AppStatus` instead.

use crate::api_error::ApiError;
use crate::dto::{AppStatus, Phase};
use appcare_core::keys::KeyStoreKind;
use appcare_core::service::login::{SessionInfo, SessionStage};
use appcare_core::{CoreError, Password, SessionToken, Timestamp, Workspace, WorkspaceDir};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

const LOCATION_FILE: &str = "workspace-location.json";

#[derive(Default)]
struct Shell {
    data_dir: PathBuf,
    default_data_dir: PathBuf,
    location_file: Option<PathBuf>,
    workspace: Option<Arc<Workspace>>,
    channels: Option<crate::channels::Channels>,
    open_error: Option<ApiError>,
    token: Option<SessionToken>,
    user: Option<SessionInfo>,
    app: Option<tauri::AppHandle>,
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
        let remembered = location_file
            .as_deref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|v| v.get("data_dir")?.as_str().map(PathBuf::from));
        let data_dir = std::env::var_os("APPCARE_DATA_DIR")
            .map(PathBuf::from)
            .or(remembered)
            .unwrap_or_else(|| default_data_dir.clone());
        let state = Self::new(data_dir, default_data_dir, location_file);
        state.shell().app = Some(app.clone());
        state.try_open_without_asking();
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

    pub fn set_workspace(&self, workspace: Workspace) {
        let workspace = Arc::new(workspace);
        let app = {
            let mut shell = self.shell();
            shell.data_dir = workspace.dir().root().to_path_buf();
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
        let Some(file) = self.shell().location_file.clone() else {
            return;
        };
        if let Some(parent) = file.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let body = serde_json::json!({ "data_dir": dir.display().to_string() });
        let _ = std::fs::write(file, body.to_string());
    }

    pub fn token(&self) -> Option<SessionToken> {
        self.shell().token.clone()
    }

    pub fn set_session(&self, token: Option<SessionToken>, user: Option<SessionInfo>) {
        let mut shell = self.shell();
        shell.token = token;
        shell.user = user;
    }

    pub fn set_user(&self, user: SessionInfo) {
        self.shell().user = Some(user);
    }

    /// The open workspace and the session token, or the error a command should return.
    pub fn session(&self) -> Result<(Arc<Workspace>, SessionToken), ApiError> {
        let shell = self.shell();
        let workspace = shell
            .workspace
            .clone()
            .ok_or_else(|| ApiError::from(CoreError::NotSignedIn))?;
        let token = shell
            .token
            .clone()
            .ok_or_else(|| ApiError::from(CoreError::NotSignedIn))?;
        Ok((workspace, token))
    }

    /// Where the window stands. Reading it does not count as activity, but it applies
    /// the idle lock and the session limit, so a polling window sees them.
    pub fn status(&self, now: Timestamp) -> Result<AppStatus, ApiError> {
        let (workspace, token, data_dir, open_error) = {
            let shell = self.shell();
            (
                shell.workspace.clone(),
                shell.token.clone(),
                shell.data_dir.clone(),
                shell.open_error.clone(),
            )
        };
        let status = |phase, user| AppStatus {
            phase,
            data_dir: data_dir.display().to_string(),
            user,
        };
        let Some(workspace) = workspace else {
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
