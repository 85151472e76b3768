//! Residency and privacy commands for admins: privacy requests (find, export, erase),
//! the residency report, allowed hosts, retention, scheduled backups, and the audit
//! trail's filters and export. Exports are written into the user's Downloads folder.

use super::with_session;
use crate::api_error::ApiError;
use crate::state::AppState;
use appcare_core::ids::ContactId;
use appcare_core::privacy::egress::EgressPolicy;
use appcare_core::privacy::request::{ContactMatch, ErasureSummary};
use appcare_core::service::admin::{AuditEntry, AuditExport, AuditFilter};
use appcare_core::service::backups::BackupSchedule;
use appcare_core::service::privacy::ExportSummary;
use appcare_core::service::residency::{ResidencyReport, RetentionPolicy};
use appcare_core::Password;
use std::path::PathBuf;
use tauri::{AppHandle, Manager, State};

/// The user's Downloads folder, else their home folder.
pub(crate) fn downloads(app: &AppHandle) -> PathBuf {
    app.path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .unwrap_or_else(|_| std::env::temp_dir())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn find_contacts(
    state: State<'_, AppState>,
    query: String,
) -> Result<Vec<ContactMatch>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.find_contacts(token, &query, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_contact(
    app: AppHandle,
    state: State<'_, AppState>,
    contact: ContactId,
    include_notes: bool,
) -> Result<ExportSummary, ApiError> {
    let folder = downloads(&app);
    with_session(&state, move |ws, token, now| {
        ws.export_contact(token, contact, include_notes, &folder, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn erase_contact(
    state: State<'_, AppState>,
    contact: ContactId,
) -> Result<ErasureSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.erase_contact(token, contact, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn residency_report(state: State<'_, AppState>) -> Result<ResidencyReport, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.residency_report(token, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn egress_allowlist(state: State<'_, AppState>) -> Result<EgressPolicy, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.egress_allowlist(token, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_egress_allowlist(
    state: State<'_, AppState>,
    hosts: Vec<String>,
) -> Result<EgressPolicy, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_egress_allowlist(token, &hosts, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn retention_policy(state: State<'_, AppState>) -> Result<RetentionPolicy, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.retention_policy(token, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_retention_policy(
    state: State<'_, AppState>,
    policy: RetentionPolicy,
) -> Result<RetentionPolicy, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_retention_policy(token, policy, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn search_audit(
    state: State<'_, AppState>,
    filter: AuditFilter,
) -> Result<Vec<AuditEntry>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.search_audit(token, &filter, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn export_audit(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: AuditFilter,
) -> Result<AuditExport, ApiError> {
    let folder = downloads(&app);
    with_session(&state, move |ws, token, now| {
        ws.export_audit(token, &filter, &folder, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn backup_schedule(state: State<'_, AppState>) -> Result<BackupSchedule, ApiError> {
    with_session(&state, move |ws, token, now| ws.backup_schedule(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_backup_schedule(
    state: State<'_, AppState>,
    folder: Option<String>,
    every_hours: i64,
    keep: i64,
    passphrase: Option<String>,
) -> Result<BackupSchedule, ApiError> {
    let passphrase = passphrase.filter(|p| !p.is_empty()).map(Password::new);
    with_session(&state, move |ws, token, now| {
        ws.set_backup_schedule(
            token,
            folder.as_deref(),
            every_hours,
            keep,
            passphrase.as_ref(),
            now,
        )
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn consent_keywords(
    state: State<'_, AppState>,
) -> Result<Vec<appcare_core::privacy::consent::ConsentKeywords>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.consent_keywords(token, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_consent_keywords(
    state: State<'_, AppState>,
    keywords: Vec<appcare_core::privacy::consent::ConsentKeywords>,
) -> Result<Vec<appcare_core::privacy::consent::ConsentKeywords>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_consent_keywords(token, &keywords, now)
    })
    .await
}
