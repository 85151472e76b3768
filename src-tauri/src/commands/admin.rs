//! Signed-in calls: overview, users and teams, session policy, audit. The core decides
//! who may do what; these only convert and call.

use super::with_session;
use crate::api_error::ApiError;
use crate::dto::NewUserRequest;
use crate::state::AppState;
use appcare_core::auth::Role;
use appcare_core::ids::{TeamId, UserId};
use appcare_core::service::admin::{AuditEntry, AuditStatus, Overview};
use appcare_core::service::users::{NewUser, TeamSummary, UserSummary};
use appcare_core::service::SessionPolicy;
use appcare_core::Password;
use tauri::State;

#[tauri::command(rename_all = "snake_case")]
pub async fn overview(state: State<'_, AppState>) -> Result<Overview, ApiError> {
    with_session(&state, |ws, token, now| ws.overview(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_users(state: State<'_, AppState>) -> Result<Vec<UserSummary>, ApiError> {
    with_session(&state, |ws, token, now| ws.list_users(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_user(
    state: State<'_, AppState>,
    request: NewUserRequest,
) -> Result<UserSummary, ApiError> {
    let new = NewUser {
        username: request.username,
        display_name: request.display_name,
        role: request.role,
        password: Password::new(request.password),
        teams: request.teams,
    };
    with_session(&state, move |ws, token, now| {
        ws.create_user(token, new, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_role(
    state: State<'_, AppState>,
    user_id: UserId,
    role: Role,
) -> Result<UserSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_role(token, user_id, role, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_teams(
    state: State<'_, AppState>,
    user_id: UserId,
    team_ids: Vec<TeamId>,
) -> Result<UserSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_teams(token, user_id, team_ids, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn disable_user(
    state: State<'_, AppState>,
    user_id: UserId,
) -> Result<UserSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.disable_user(token, user_id, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn enable_user(
    state: State<'_, AppState>,
    user_id: UserId,
) -> Result<UserSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.enable_user(token, user_id, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reset_authenticator(
    state: State<'_, AppState>,
    user_id: UserId,
    admin_code: String,
) -> Result<UserSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.reset_authenticator(token, user_id, &admin_code, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn require_password_change(
    state: State<'_, AppState>,
    user_id: UserId,
) -> Result<UserSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.require_password_change(token, user_id, now)
    })
    .await
}

/// The signed-in user's own password: the current one, a current code, the new one.
#[tauri::command(rename_all = "snake_case")]
pub async fn change_password(
    state: State<'_, AppState>,
    old_password: String,
    code: String,
    new_password: String,
) -> Result<(), ApiError> {
    let (old, new) = (Password::new(old_password), Password::new(new_password));
    with_session(&state, move |ws, token, now| {
        ws.change_password(token, &old, &code, &new, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_teams(state: State<'_, AppState>) -> Result<Vec<TeamSummary>, ApiError> {
    with_session(&state, |ws, token, now| ws.list_teams(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_team(
    state: State<'_, AppState>,
    name: String,
) -> Result<TeamSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.create_team(token, &name, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn session_policy(state: State<'_, AppState>) -> Result<SessionPolicy, ApiError> {
    with_session(&state, |ws, token, now| ws.session_policy(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_session_policy(
    state: State<'_, AppState>,
    policy: SessionPolicy,
) -> Result<SessionPolicy, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_session_policy(token, policy, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn verify_audit(state: State<'_, AppState>) -> Result<AuditStatus, ApiError> {
    with_session(&state, |ws, token, now| ws.verify_audit(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn recent_audit(
    state: State<'_, AppState>,
    limit: i64,
) -> Result<Vec<AuditEntry>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.recent_audit(token, None, limit, now)
    })
    .await
}
