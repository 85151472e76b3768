//! A workspace on disk: `workspace.json` (no secrets), `appcare.db` (SQLCipher) and, in
//! passphrase mode, `appcare.key`. Creating one is all-or-nothing; opening one never
//! writes until the key has been proven.

pub mod backup;
pub mod region;
pub mod relocate;

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::{password, Role};
use crate::error::{CoreError, Result};
use crate::events::{Event, EventReceiver, EventSender};
use crate::fs::{remove_files_quietly, write_new_file};
use crate::ids::UserId;
use crate::keys::{key_file, os_keyring, KeyStoreKind};
use crate::secret::{DbKey, Password};
use crate::store::{self, settings, Store};
use crate::time::Timestamp;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use region::Region;

const MARKER: &str = "workspace.json";
const DATABASE: &str = "appcare.db";
const KEY_FILE: &str = "appcare.key";
const MARKER_FORMAT: u32 = 1;

/// What `workspace.json` says: enough to find the key, nothing secret.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WorkspaceInfo {
    pub format: u32,
    pub workspace_id: String,
    pub key_store: KeyStoreKind,
    pub created_at: Timestamp,
}

/// A folder that holds (or will hold) a workspace.
#[derive(Clone, Debug)]
pub struct WorkspaceDir {
    root: PathBuf,
}

impl WorkspaceDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn database(&self) -> PathBuf {
        self.root.join(DATABASE)
    }

    pub fn key_file(&self) -> PathBuf {
        self.root.join(KEY_FILE)
    }

    fn marker(&self) -> PathBuf {
        self.root.join(MARKER)
    }

    /// Reads `workspace.json`; `NoWorkspace` when the folder holds none.
    pub fn inspect(&self) -> Result<WorkspaceInfo> {
        let no_workspace = || CoreError::NoWorkspace {
            path: self.root.clone(),
        };
        let bytes = std::fs::read(self.marker()).map_err(|_| no_workspace())?;
        let info: WorkspaceInfo =
            serde_json::from_slice(&bytes).map_err(|_| CoreError::Tampered {
                detail: "workspace.json is not readable".into(),
            })?;
        if info.format > MARKER_FORMAT {
            return Err(CoreError::NewerVersion {
                found: i64::from(info.format),
                supported: i64::from(MARKER_FORMAT),
            });
        }
        if !self.database().is_file() {
            return Err(no_workspace());
        }
        Ok(info)
    }

    pub fn exists(&self) -> bool {
        self.marker().exists() || self.database().exists()
    }

    /// Removes, quietly, every file a workspace keeps in this folder (the undo of a
    /// create, restore or move that failed half-way); the folder itself stays.
    pub(crate) fn remove_workspace_files(&self) {
        remove_files_quietly([self.marker(), self.database(), self.key_file()]);
        remove_files_quietly(
            ["-wal", "-shm"].map(|suffix| self.root.join(format!("{DATABASE}{suffix}"))),
        );
    }
}

/// Where the new workspace's key goes.
#[derive(Debug)]
pub enum KeySource {
    Keyring,
    Passphrase(Password),
}

/// The admin's choices at creation.
#[derive(Debug)]
pub struct CreateOptions {
    pub region: Region,
    pub admin_username: String,
    pub admin_display_name: String,
    pub admin_password: Password,
    pub key_source: KeySource,
}

/// An open workspace: the service the desktop, the hub and the CLI call.
pub struct Workspace {
    pub(crate) store: Store,
    pub(crate) dir: WorkspaceDir,
    pub(crate) info: WorkspaceInfo,
    pub(crate) events: EventSender,
    /// Who is on which conversation now (memory only).
    pub(crate) presence: std::sync::Mutex<crate::presence::PresenceBoard>,
    /// When a typing indicator was last queued per conversation (memory only).
    pub(crate) typing_sent: std::sync::Mutex<
        std::collections::HashMap<crate::ids::ConversationId, crate::time::Timestamp>,
    >,
    /// Bumped whenever channel accounts change, before the event goes out: a cache of
    /// accounts (the webhook receiver's) sees the change on its next read.
    pub(crate) channels_generation: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("dir", &self.dir.root)
            .field("workspace_id", &self.info.workspace_id)
            .finish_non_exhaustive()
    }
}

impl Workspace {
    /// Creates a workspace in `dir` (created if missing, must hold no workspace) with its
    /// first admin, who must enrol an authenticator at first sign-in.
    pub fn create(
        dir: &WorkspaceDir,
        options: CreateOptions,
        now: Timestamp,
    ) -> Result<(Self, UserId)> {
        if dir.exists() {
            return Err(CoreError::WorkspaceExists {
                path: dir.root.clone(),
            });
        }
        crate::auth::validate_username(&options.admin_username)?;
        password::check_policy(&options.admin_password, &options.admin_username)?;
        let password_hash = password::hash(&options.admin_password)?;
        std::fs::create_dir_all(&dir.root).map_err(|e| {
            CoreError::invalid(
                "data folder",
                format!("cannot create {}: {e}", dir.root.display()),
            )
        })?;
        let info = WorkspaceInfo {
            format: MARKER_FORMAT,
            workspace_id: new_workspace_id(),
            key_store: match options.key_source {
                KeySource::Keyring => KeyStoreKind::Keyring,
                KeySource::Passphrase(_) => KeyStoreKind::Passphrase,
            },
            created_at: now,
        };
        let result = Self::create_files(dir, &info, &options, &password_hash, now);
        if result.is_err() {
            // Leave the folder as we found it: no half-made workspace, no orphaned key.
            dir.remove_workspace_files();
            if info.key_store == KeyStoreKind::Keyring {
                let _ = os_keyring::delete(&info.workspace_id);
            }
        }
        result.map(|(store, admin)| (Self::assemble(store, dir, info), admin))
    }

    fn create_files(
        dir: &WorkspaceDir,
        info: &WorkspaceInfo,
        options: &CreateOptions,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<(Store, UserId)> {
        let key = DbKey::generate();
        match &options.key_source {
            KeySource::Keyring => {
                os_keyring::probe()?;
                os_keyring::store(&info.workspace_id, &key)?;
            }
            KeySource::Passphrase(passphrase) => {
                key_file::write(&dir.key_file(), &key, passphrase, &info.workspace_id)?;
            }
        }
        let store = Store::create(&dir.database(), &key)?;
        let admin = store.write(|tx| {
            settings::set(tx, settings::REGION, options.region.code())?;
            let admin = store::users::insert(
                tx,
                &options.admin_username,
                &options.admin_display_name,
                Role::Admin,
                password_hash,
                now,
            )?;
            audit::append(
                tx,
                AuditEvent::new(AuditKind::WorkspaceCreated, Some(admin), "workspace", now)
                    .detail(serde_json::json!({ "region": options.region.code(), "key_store": info.key_store.as_str() })),
            )?;
            audit::append(
                tx,
                AuditEvent::new(AuditKind::UserCreated, Some(admin), format!("user:{admin}"), now)
                    .detail(serde_json::json!({ "role": "admin" })),
            )?;
            Ok(admin)
        })?;
        let marker = serde_json::to_vec_pretty(info)
            .map_err(|e| CoreError::Storage(format!("could not encode workspace.json: {e}")))?;
        write_new_file(&dir.marker(), &marker)?;
        Ok((store, admin))
    }

    /// Opens the workspace in `dir`. `passphrase` is needed in passphrase mode only.
    pub fn open(dir: &WorkspaceDir, passphrase: Option<&Password>) -> Result<Self> {
        let info = dir.inspect()?;
        let key = match info.key_store {
            KeyStoreKind::Keyring => os_keyring::load(&info.workspace_id)?,
            KeyStoreKind::Passphrase => {
                let passphrase = passphrase.ok_or(CoreError::PassphraseRequired)?;
                key_file::read(&dir.key_file(), passphrase, &info.workspace_id)?
            }
        };
        let store = Store::open(&dir.database(), &key)?;
        Ok(Self::assemble(store, dir, info))
    }

    /// Opens with an explicit key (backups, tests of the key paths).
    pub fn open_with_key(dir: &WorkspaceDir, key: &DbKey) -> Result<Self> {
        let info = dir.inspect()?;
        let store = Store::open(&dir.database(), key)?;
        Ok(Self::assemble(store, dir, info))
    }

    fn assemble(store: Store, dir: &WorkspaceDir, info: WorkspaceInfo) -> Self {
        let (events, _) = tokio::sync::broadcast::channel(1024);
        Self {
            store,
            dir: dir.clone(),
            info,
            events,
            presence: Default::default(),
            typing_sent: Default::default(),
            channels_generation: Default::default(),
        }
    }

    pub fn info(&self) -> &WorkspaceInfo {
        &self.info
    }

    pub fn dir(&self) -> &WorkspaceDir {
        &self.dir
    }

    /// The raw store, for tests, benchmarks and the ingest path of later channels.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn subscribe(&self) -> EventReceiver {
        self.events.subscribe()
    }

    /// A user's display name, for the shell's own notices ("Alex handed you …"). Holds no
    /// customer data; returns `None` for an unknown id.
    pub fn display_name_of(&self, user: UserId) -> Option<String> {
        self.store
            .read(|c| crate::store::users::by_id(c, user))
            .ok()
            .flatten()
            .map(|u| u.display_name)
    }

    /// How many times channel accounts have changed since the workspace opened.
    pub fn channels_generation(&self) -> u64 {
        self.channels_generation
            .load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn publish(&self, event: Event) {
        if matches!(event, Event::ChannelsChanged) {
            self.channels_generation
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        // No listener is fine: the core never assumes a UI.
        let _ = self.events.send(event);
    }
}

pub(crate) fn new_workspace_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
