//! Sign-in, enrolment, lock and sign-out. The token they create stays in `AppState`.

use super::{blocking, status_now};
use crate::api_error::ApiError;
use crate::dto::{AppStatus, EnrolmentDone, RecoverySignIn};
use crate::state::AppState;
use appcare_core::service::login::Enrolment;
use appcare_core::{CoreError, Password, Timestamp};
use tauri::{AppHandle, State};

/// Off the IPC thread: in team mode the status asks the hub.
#[tauri::command(rename_all = "snake_case")]
pub async fn app_status(app: AppHandle) -> Result<AppStatus, ApiError> {
    status_now(&app).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn begin_sign_in(
    app: AppHandle,
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
    status_now(&app).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn submit_code(
    app: AppHandle,
    state: State<'_, AppState>,
    code: String,
) -> Result<AppStatus, ApiError> {
    let (workspace, token) = state.session()?;
    let user = blocking(move || workspace.submit_code(&token, &code, Timestamp::now())).await?;
    state.set_user(user);
    status_now(&app).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn submit_recovery_code(
    app: AppHandle,
    state: State<'_, AppState>,
    code: String,
) -> Result<RecoverySignIn, ApiError> {
    let (workspace, token) = state.session()?;
    let (user, remaining) =
        blocking(move || workspace.submit_recovery_code(&token, &code, Timestamp::now())).await?;
    state.set_user(user);
    Ok(RecoverySignIn {
        status: status_now(&app).await?,
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
    app: AppHandle,
    state: State<'_, AppState>,
    code: String,
) -> Result<EnrolmentDone, ApiError> {
    let (workspace, token) = state.session()?;
    let (user, codes) =
        blocking(move || workspace.confirm_enrolment(&token, &code, Timestamp::now())).await?;
    state.set_user(user);
    Ok(EnrolmentDone {
        status: status_now(&app).await?,
        recovery_codes: codes.codes,
    })
}

/// The new password of an account that must choose one during sign-in.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_new_password(
    app: AppHandle,
    state: State<'_, AppState>,
    new_password: String,
) -> Result<AppStatus, ApiError> {
    let (workspace, token) = state.session()?;
    blocking(move || {
        workspace.set_new_password(&token, &Password::new(new_password), Timestamp::now())
    })
    .await?;
    status_now(&app).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unlock(
    app: AppHandle,
    state: State<'_, AppState>,
    code: String,
) -> Result<AppStatus, ApiError> {
    let (workspace, token) = state.session()?;
    let user = blocking(move || workspace.unlock(&token, &code, Timestamp::now())).await?;
    state.set_user(user);
    status_now(&app).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn lock(app: AppHandle, state: State<'_, AppState>) -> Result<AppStatus, ApiError> {
    let (workspace, token) = state.session()?;
    blocking(move || workspace.lock(&token, Timestamp::now())).await?;
    status_now(&app).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_out(app: AppHandle, state: State<'_, AppState>) -> Result<AppStatus, ApiError> {
    let session = state.session();
    // The token is forgotten here whatever the answer: a hub that cannot be reached
    // ends the session itself when it expires.
    state.set_session(None, None);
    if let Ok((workspace, token)) = session {
        let signing_out = blocking(move || workspace.sign_out(&token, Timestamp::now()));
        if state.hub().is_some() {
            // In the background: a hub that hangs must not keep the window waiting.
            tauri::async_runtime::spawn(signing_out);
        } else {
            let _ = signing_out.await;
        }
    }
    status_now(&app).await
}
