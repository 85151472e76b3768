//! Report commands for leads and admins: a team's report for a range, business hours,
//! the report saved as CSV into the user's Downloads folder, and an account's reply
//! outside business hours.

use super::with_session;
use crate::api_error::ApiError;
use crate::state::AppState;
use appcare_core::ids::TeamId;
use appcare_core::reports::{BusinessHours, Report, ReportQuery, SlaPolicy};
use tauri::{AppHandle, State};

#[tauri::command(rename_all = "snake_case")]
pub async fn team_report(
    state: State<'_, AppState>,
    query: ReportQuery,
) -> Result<Report, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.team_report(token, &query, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn report_csv(
    state: State<'_, AppState>,
    query: ReportQuery,
) -> Result<String, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.report_csv(token, &query, now)
    })
    .await
}

/// Writes the report's CSV (the core's, the same figures) into Downloads as a new file;
/// returns where.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_report_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    query: ReportQuery,
) -> Result<String, ApiError> {
    let folder = super::privacy::downloads(&app);
    with_session(&state, move |ws, token, now| {
        let csv = ws.report_csv(token, &query, now)?;
        let day = |t: appcare_core::Timestamp| t.to_rfc3339().chars().take(10).collect::<String>();
        let path = folder.join(format!(
            "appcare-report-{}-to-{}-{}.csv",
            day(query.from),
            day(query.to),
            now.unix()
        ));
        appcare_core::fs::write_new_file(&path, csv.as_bytes())?;
        tracing::info!("report saved as CSV");
        Ok(path.display().to_string())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn business_hours(
    state: State<'_, AppState>,
    team: TeamId,
) -> Result<Option<BusinessHours>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.business_hours(token, team, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sla_policy(
    state: State<'_, AppState>,
    team: TeamId,
) -> Result<Option<SlaPolicy>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.sla_policy(token, team, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_sla_policy(
    state: State<'_, AppState>,
    team: TeamId,
    policy: Option<SlaPolicy>,
) -> Result<Option<SlaPolicy>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_sla_policy(token, team, policy, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_business_hours(
    state: State<'_, AppState>,
    team: TeamId,
    hours: Option<BusinessHours>,
) -> Result<Option<BusinessHours>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_business_hours(token, team, hours, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sla_overrides(
    state: State<'_, AppState>,
    team: TeamId,
) -> Result<Vec<appcare_core::reports::SlaOverride>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.sla_overrides(token, team, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_sla_override(
    state: State<'_, AppState>,
    team: TeamId,
    scope: appcare_core::reports::SlaScope,
    policy: Option<appcare_core::reports::SlaPolicy>,
) -> Result<Vec<appcare_core::reports::SlaOverride>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_sla_override(token, team, &scope, policy, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_out_of_hours_reply(
    state: State<'_, AppState>,
    account: appcare_core::ids::ChannelAccountId,
    body: String,
) -> Result<appcare_core::channel::ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_out_of_hours_reply(token, account, &body, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_satisfaction_survey(
    state: State<'_, AppState>,
    account: appcare_core::ids::ChannelAccountId,
    question: String,
) -> Result<appcare_core::channel::ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_satisfaction_survey(token, account, &question, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_consent_settings(
    state: State<'_, AppState>,
    account: appcare_core::ids::ChannelAccountId,
    change: appcare_core::service::consent::ConsentSettings,
) -> Result<appcare_core::channel::ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_consent_settings(token, account, &change, now)
    })
    .await
}
