//! Team mode: find a hub, show its certificate's fingerprint, and work through it once
//! the user trusts that fingerprint. The pin is kept with the app's settings; a hub that
//! later shows another certificate is refused (`certificate_changed`) until the user
//! connects again and trusts the new one on purpose.

use super::{blocking, status_now};
use crate::api_error::ApiError;
use crate::dto::{AppStatus, HubConnection, HubProbe};
use crate::state::AppState;
use appcare_client::HubAddress;
use appcare_core::{CoreError, Timestamp};
use tauri::{AppHandle, Manager, State};

/// Connects once, without trusting anything yet, to show the hub's fingerprint.
#[tauri::command(rename_all = "snake_case")]
pub async fn probe_hub(url: String) -> Result<HubProbe, ApiError> {
    let address = HubAddress::parse(&url)?;
    let probe = blocking(move || appcare_client::probe_hub(&address)).await?;
    Ok(HubProbe {
        url: probe.url,
        fingerprint: probe.fingerprint,
        workspace: probe.workspace,
    })
}

/// Trusts `fingerprint` for the hub at `url` and works through it from now on.
#[tauri::command(rename_all = "snake_case")]
pub async fn connect_hub(
    app: AppHandle,
    state: State<'_, AppState>,
    url: String,
    fingerprint: String,
) -> Result<AppStatus, ApiError> {
    let address = HubAddress::parse(&url)?;
    let hex: String = fingerprint
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    if hex.len() != 64 {
        return Err(CoreError::InvalidInput {
            field: "fingerprint",
            reason: "a SHA-256 fingerprint has 64 hexadecimal digits".into(),
        }
        .into());
    }
    let connection = HubConnection {
        url: address.base().to_owned(),
        fingerprint: fingerprint.trim().to_owned(),
    };
    state.set_hub(address, connection.clone());
    state.remember_hub(Some(&connection));
    status_now(&app).await
}

/// Back to the local workspace in the data folder (the hub's pin is forgotten).
#[tauri::command(rename_all = "snake_case")]
pub async fn leave_hub(app: AppHandle, state: State<'_, AppState>) -> Result<AppStatus, ApiError> {
    if let Ok((workspace, token)) = state.session() {
        // Ends the session on the hub; if the hub is unreachable it expires there.
        let _ = blocking(move || workspace.sign_out(&token, Timestamp::now())).await;
    }
    state.remember_hub(None);
    // Opening the local workspace may read the keyring: off the IPC thread.
    let leaving = app.clone();
    blocking(move || {
        leaving.state::<AppState>().leave_hub();
        Ok(())
    })
    .await?;
    status_now(&app).await
}
