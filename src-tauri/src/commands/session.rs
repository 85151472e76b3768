//! Sign-in, enrolment, lock and sign-out. The token they create stays in `AppState`.

use super::blocking;
use crate::api_error::ApiError;
use crate::dto::{AppStatus, EnrolmentDone, RecoverySignIn};
use crate::state::AppState;
use appcare_core::service::login::Enrolment;
use appcare_core::{CoreError, Password, Timestamp};
use tauri::State;

/// Off the IPC thread: in team mode the status asks the hub.
#[tauri::command(rename_all = "snake_case")]
pub async fn app_status(app: tauri::AppHandle) -> Result<AppStatus, ApiError> {
    use tauri::Manager;
    tauri::async_runtime::spawn_blocking(move || app.state::<AppState>().status(Timestamp::now()))
        .await
        .map_err(|_| ApiError::internal("The operation was interrupted."))?
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(
    state: State<'_, AppState>,
    username: String,
    password: String,
) -> Result<AppStatus, ApiError> {
    let workspace = state
        .api()
        .ok_or_else(|| ApiError::from(CoreError::NotSignedIn))?;
    let challenge = blocking(move || {
        workspace.begin_sign_in(&username, &Password::new(password), Timestamp::now())
    })
    .await?;
    state.set_session(Some(challenge.token.clone()), None);
    state.status(Timestamp::now())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn submit_code(state: State<'_, AppState>, code: String) -> Result<AppStatus, ApiError> {
    let (workspace, token) = state.session()?;
    let user = blocking(move || workspace.submit_code(&token, &code, Timestamp::now())).await?;
    state.set_user(user);
    state.status(Timestamp::now())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn submit_recovery_code(
    state: State<'_, AppState>,
    code: String,
) -> Result<RecoverySignIn, ApiError> {
    let (workspace, token) = state.session()?;
    let (user, remaining) =
        blocking(move || workspace.submit_recovery_code(&token, &code, Timestamp::now())).await?;
    state.set_user(user);
    Ok(RecoverySignIn {
        status: state.status(Timestamp::now())?,
        remaining: u32::try_from(remaining).unwrap_or(0),
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn start_enrolment(state: State<'_, AppState>) -> Result<Enrolment, ApiError> {
    let (workspace, token) = state.session()?;
    blocking(move || workspace.start_enrolment(&token, Timestamp::now())).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn confirm_enrolment(
    state: State<'_, AppState>,
    code: String,
) -> Result<EnrolmentDone, ApiError> {
    let (workspace, token) = state.session()?;
    let (user, codes) =
        blocking(move || workspace.confirm_enrolment(&token, &code, Timestamp::now())).await?;
    state.set_user(user);
    Ok(EnrolmentDone {
        status: state.status(Timestamp::now())?,
        recovery_codes: codes.codes,
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unlock(state: State<'_, AppState>, code: String) -> Result<AppStatus, ApiError> {
    let (workspace, token) = state.session()?;
    let user = blocking(move || workspace.unlock(&token, &code, Timestamp::now())).await?;
    state.set_user(user);
    state.status(Timestamp::now())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn lock(state: State<'_, AppState>) -> Result<AppStatus, ApiError> {
    let (workspace, token) = state.session()?;
    blocking(move || workspace.lock(&token, Timestamp::now())).await?;
    state.status(Timestamp::now())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_out(state: State<'_, AppState>) -> Result<AppStatus, ApiError> {
    if let Ok((workspace, token)) = state.session() {
        blocking(move || workspace.sign_out(&token, Timestamp::now())).await?;
    }
    state.set_session(None, None);
    state.status(Timestamp::now())
}
