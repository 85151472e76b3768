//! Tauri commands: each takes the state, calls one core function off the UI thread, and
//! maps the result. Commands that need a session go through [`with_session`].

pub mod about;
pub mod admin;
pub mod channels;
pub mod hub;
pub mod inbox;
pub mod mail;
pub mod map;
pub mod notifications;
pub mod privacy;
pub mod reports;
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
    let handle = app.clone();
    let status = tauri::async_runtime::spawn_blocking(move || {
        handle.state::<AppState>().status(Timestamp::now())
    })
    .await
    .map_err(|_| ApiError::internal("The operation was interrupted."))??;
    // Locked, signed out or ended (by a command, or seen by the window's poll): no
    // formatted mail stays open over the lock screen or into the next session.
    crate::mail_view::close_unless_signed_in(app, status.phase);
    Ok(status)
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

#[cfg(test)]
mod tests {
    use crate::{PRE_SESSION_COMMANDS, SESSION_COMMANDS};
    use appcare_core::api::{policy, Access, CALLS};
    use std::collections::BTreeSet;

    /// Commands of the desktop alone, with no call of the contract behind them: the
    /// window's status, first run, the hub connection, the e-mail window, the webhook
    /// receiver's address.
    const DESKTOP_COMMANDS: &[&str] = &[
        "app_status",
        "first_run_info",
        "create_workspace",
        "open_workspace",
        "probe_hub",
        "connect_hub",
        "leave_hub",
        "open_email_window",
        "webhook_listener",
        // The report's CSV written into Downloads (the core's `report_csv` makes it).
        "save_report_csv",
        // The About page: version, build, folders; the data or log folder opened.
        "about",
        "open_folder",
        // A shared place opened in the system's map (coordinates checked, nothing fetched).
        "open_map",
    ];

    /// Calls of the contract the window reaches another way: the status carries the
    /// session's stage and user; `reply` sends a file too when it has one;
    /// `open_email_window` shows the e-mail's HTML; channel accounts are made by
    /// `add_channel_account` and `add_email_account`.
    const CALLS_WITHOUT_COMMAND: &[&str] = &[
        "session_state",
        "session_info",
        "reply_with_attachment",
        "email_html",
        "create_channel_account",
        // The live forwarder's own question when it notifies (the window never needs it).
        "notice_subject",
    ];

    /// A command that stands for a call of the contract carries the call's name, and is
    /// listed with the commands that need a session exactly when the call needs one.
    #[test]
    fn commands_carry_the_core_calls_names() {
        for (list, session) in [(PRE_SESSION_COMMANDS, false), (SESSION_COMMANDS, true)] {
            for name in list {
                match policy(name) {
                    Some(call) => {
                        assert!(
                            !DESKTOP_COMMANDS.contains(name),
                            "{name} is a core call, not a desktop command"
                        );
                        assert_eq!(
                            matches!(call.access, Access::Session(_)),
                            session,
                            "{name}: listed with the wrong commands for its access"
                        );
                    }
                    None => assert!(
                        DESKTOP_COMMANDS.contains(name),
                        "{name} is neither a core call nor listed as a desktop command: \
                         name the command after the core call it makes"
                    ),
                }
            }
        }
        let commands: BTreeSet<&str> = PRE_SESSION_COMMANDS
            .iter()
            .chain(SESSION_COMMANDS)
            .copied()
            .collect();
        let uncovered: BTreeSet<&str> = CALLS
            .iter()
            .map(|call| call.name)
            .filter(|name| !commands.contains(name))
            .collect();
        assert_eq!(
            uncovered,
            CALLS_WITHOUT_COMMAND.iter().copied().collect(),
            "core calls without a command of the same name"
        );
    }
}
