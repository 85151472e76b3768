//! The About page: the app's version and build, where this workspace keeps its data, its
//! log and its settings, and whether it works on a team hub; and opening the data or log
//! folder in the file manager (only those two folders, named by a word, never a path the
//! window sends).

use crate::api_error::ApiError;
use crate::dto::AboutInfo;
use crate::state::AppState;
use appcare_core::CoreError;
use tauri::State;

fn config_dir(app: &tauri::AppHandle) -> Option<std::path::PathBuf> {
    use tauri::Manager;
    app.path().app_config_dir().ok()
}

/// The About page's facts (no session needed: no customer data).
#[tauri::command(rename_all = "snake_case")]
pub fn about(app: tauri::AppHandle, state: State<'_, AppState>) -> AboutInfo {
    AboutInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        build: env!("APPCARE_BUILD").to_string(),
        data_dir: state.data_dir().display().to_string(),
        log_dir: crate::logging::log_dir().map(|d| d.display().to_string()),
        config_dir: config_dir(&app).map(|d| d.display().to_string()),
        hub: state.hub().map(|h| h.url),
    }
}

/// Opens the data (`data`) or log (`logs`) folder in the file manager.
#[tauri::command(rename_all = "snake_case")]
pub fn open_folder(state: State<'_, AppState>, which: String) -> Result<(), ApiError> {
    let folder = match which.as_str() {
        "data" => state.data_dir(),
        "logs" => crate::logging::log_dir()
            .ok_or_else(|| bad("which", "this app logs to its terminal, not to a folder"))?,
        _ => return Err(bad("which", "open the data or the log folder")),
    };
    if !folder.is_dir() {
        return Err(bad("which", "that folder does not exist yet"));
    }
    system_open(folder.as_os_str())
        .map_err(|_| bad("which", "no file manager could be started (xdg-open)"))?;
    tracing::info!(which = %which, "folder opened in the file manager");
    Ok(())
}

/// Hands `target` (a folder or a link) to the desktop's opener, `xdg-open`, without
/// waiting; the child is reaped when it ends, so no finished process is left behind.
pub(crate) fn system_open(target: &std::ffi::OsStr) -> std::io::Result<()> {
    let mut child = std::process::Command::new("xdg-open")
        .arg(target)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

pub(crate) fn bad(field: &'static str, why: &str) -> ApiError {
    ApiError::from(CoreError::InvalidInput {
        field,
        reason: why.to_string(),
    })
}
