//! First run: create a workspace in a chosen folder, or open one kept under a passphrase.

use super::blocking;
use crate::api_error::ApiError;
use crate::dto::{AppStatus, CreateWorkspaceRequest, FirstRunInfo, KeyStoreChoice, RegionOption};
use crate::state::AppState;
use appcare_core::workspace::region::REGIONS;
use appcare_core::workspace::Region;
use appcare_core::{CreateOptions, KeySource, Password, Timestamp, Workspace, WorkspaceDir};
use std::path::PathBuf;
use tauri::State;

#[tauri::command(rename_all = "snake_case")]
pub fn first_run_info(state: State<'_, AppState>) -> FirstRunInfo {
    let dir = state.data_dir();
    FirstRunInfo {
        default_data_dir: dir.display().to_string(),
        regions: REGIONS
            .iter()
            .map(|(code, name, _)| RegionOption {
                code: (*code).to_string(),
                name: (*name).to_string(),
            })
            .collect(),
    }
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_workspace(
    state: State<'_, AppState>,
    request: CreateWorkspaceRequest,
) -> Result<AppStatus, ApiError> {
    let dir = WorkspaceDir::new(PathBuf::from(request.data_dir.trim()));
    let key_source = match request.key_store {
        KeyStoreChoice::Keyring => KeySource::Keyring,
        KeyStoreChoice::Passphrase => KeySource::Passphrase(Password::new(
            request.passphrase.clone().unwrap_or_default(),
        )),
    };
    let create_dir = dir.clone();
    let workspace = blocking(move || {
        let options = CreateOptions {
            region: Region::parse(&request.region)?,
            admin_username: request.admin_username.trim().to_string(),
            admin_display_name: request.admin_display_name.trim().to_string(),
            admin_password: Password::new(request.admin_password),
            key_source,
        };
        Workspace::create(&create_dir, options, Timestamp::now()).map(|(ws, _admin)| ws)
    })
    .await?;
    state.set_workspace(workspace);
    if dir.root() != state.default_data_dir() {
        state.remember_location(dir.root());
    }
    state.status(Timestamp::now())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn open_workspace(
    state: State<'_, AppState>,
    passphrase: String,
) -> Result<AppStatus, ApiError> {
    let dir = WorkspaceDir::new(state.data_dir());
    let workspace =
        blocking(move || Workspace::open(&dir, Some(&Password::new(passphrase)))).await?;
    state.set_workspace(workspace);
    state.status(Timestamp::now())
}
