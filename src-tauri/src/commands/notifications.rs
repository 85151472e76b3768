//! The person's desktop notification choices, read and saved through the core and
//! remembered here, where the live forwarder decides what to notify.

use super::with_session;
use crate::api_error::ApiError;
use crate::state::AppState;
use appcare_core::service::notifications::NotificationSettings;
use tauri::State;

#[tauri::command(rename_all = "snake_case")]
pub async fn notification_settings(
    state: State<'_, AppState>,
) -> Result<NotificationSettings, ApiError> {
    let settings = with_session(&state, |ws, token, now| {
        ws.notification_settings(token, now)
    })
    .await?;
    state.remember_notifications(settings);
    Ok(settings)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_notification_settings(
    state: State<'_, AppState>,
    new: NotificationSettings,
) -> Result<NotificationSettings, ApiError> {
    let settings = with_session(&state, move |ws, token, now| {
        ws.set_notification_settings(token, new, now)
    })
    .await?;
    state.remember_notifications(settings);
    Ok(settings)
}
