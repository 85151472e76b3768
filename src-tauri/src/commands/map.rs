//! A place a customer shared, opened in a map on click: the system's map application
//! when one handles `geo:` links, else a web map in the browser. The link is built here
//! from checked coordinates only (never a text the window sends), and nothing is fetched
//! until the agent asks.

use super::about::{bad, system_open};
use crate::api_error::ApiError;

/// Whether the desktop has an application for `geo:` links (GNOME Maps, Marble…).
fn has_map_application() -> bool {
    std::process::Command::new("xdg-mime")
        .args(["query", "default", "x-scheme-handler/geo"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
        .unwrap_or(false)
}

/// Opens the place at `latitude`, `longitude` (decimal degrees as the channel sent them).
#[tauri::command(rename_all = "snake_case")]
pub fn open_map(latitude: String, longitude: String) -> Result<(), ApiError> {
    let (geo, web) = appcare_core::channel::rich::map_links(&latitude, &longitude)
        .ok_or_else(|| bad("place", "these are not the coordinates of a place"))?;
    let link = if has_map_application() { geo } else { web };
    system_open(std::ffi::OsStr::new(&link))
        .map_err(|_| bad("place", "no map or browser could be started (xdg-open)"))?;
    tracing::info!("a shared place was opened in a map");
    Ok(())
}
