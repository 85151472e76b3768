//! Tauri commands: each takes the state, calls one core function off the UI thread, and
//! maps the result. Commands that need a session go through [`with_session`].

pub mod admin;
pub mod channels;
pub mod hub;
pub mod inbox;
pub mod privacy;
pub mod session;
pub mod workspace;

use crate::api_error::ApiError;
use crate::state::AppState;
use appcare_core::{CoreError, SessionToken, Timestamp, WorkspaceApi};

/// Runs blocking core work (Argon2, SQLCipher) on the blocking pool.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, CoreError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|_| ApiError::internal("The operation was interrupted."))?
        .map_err(ApiError::from)
}

/// The window's status, off the IPC thread: in team mode it asks the hub.
pub(crate) async fn status_now(app: &tauri::AppHandle) -> Result<crate::dto::AppStatus, ApiError> {
    use tauri::Manager;
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || app.state::<AppState>().status(Timestamp::now()))
        .await
        .map_err(|_| ApiError::internal("The operation was interrupted."))?
}

/// Runs a core call with the open workspace and this window's session token. The core
/// checks the session and role; without a token the call is refused here too.
pub(crate) async fn with_session<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn WorkspaceApi, &SessionToken, Timestamp) -> Result<T, CoreError> + Send + 'static,
{
    let (workspace, token) = state.session()?;
    blocking(move || f(workspace.as_ref(), &token, Timestamp::now())).await
}
