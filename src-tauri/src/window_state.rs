//! The main window opens where it was left: its size, position and maximised state are
//! written to `window.json` in the app's config folder when it closes, and applied when
//! it opens. A file that is unreadable, or holds a size below the window's minimum or
//! absurdly large, is ignored (the window opens at its default size). (The place is not
//! checked against the screens connected now.)

use serde::{Deserialize, Serialize};
use std::path::Path;

/// The window's minimum size (as in `tauri.conf.json`) and the largest place believed.
const MIN_WIDTH: u32 = 900;
const MIN_HEIGHT: u32 = 600;
const MAX_EXTENT: u32 = 16_384;
const MAX_OFFSET: i32 = 32_768;

/// Where the window was, in physical pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowPlace {
    pub width: u32,
    pub height: u32,
    pub x: i32,
    pub y: i32,
    pub maximized: bool,
}

impl WindowPlace {
    /// Whether the place could be a real window on a real screen.
    fn believable(&self) -> bool {
        (MIN_WIDTH..=MAX_EXTENT).contains(&self.width)
            && (MIN_HEIGHT..=MAX_EXTENT).contains(&self.height)
            && (-MAX_OFFSET..=MAX_OFFSET).contains(&self.x)
            && (-MAX_OFFSET..=MAX_OFFSET).contains(&self.y)
    }
}

/// The remembered place, if there is a believable one.
pub fn load(file: &Path) -> Option<WindowPlace> {
    let bytes = std::fs::read(file).ok()?;
    if bytes.len() > 4096 {
        return None;
    }
    serde_json::from_slice::<WindowPlace>(&bytes)
        .ok()
        .filter(WindowPlace::believable)
}

/// Remembers `place` (a minimised or odd one is not kept).
pub fn save(file: &Path, place: &WindowPlace) -> std::io::Result<()> {
    if !place.believable() {
        return Ok(());
    }
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let text = serde_json::to_vec(place).map_err(std::io::Error::other)?;
    let partial = file.with_extension("json.partial");
    std::fs::write(&partial, text)?;
    std::fs::rename(partial, file)
}

/// Applies the remembered place to the main window, if there is one.
pub fn restore(window: &tauri::WebviewWindow, file: &Path) {
    let Some(place) = load(file) else { return };
    let _ = window.set_size(tauri::PhysicalSize::new(place.width, place.height));
    let _ = window.set_position(tauri::PhysicalPosition::new(place.x, place.y));
    if place.maximized {
        let _ = window.maximize();
    }
    tracing::info!("window size and position restored");
}

/// Writes where the window is now.
pub fn remember(window: &tauri::Window, file: &Path) {
    let (Ok(size), Ok(position)) = (window.inner_size(), window.outer_position()) else {
        return;
    };
    let place = WindowPlace {
        width: size.width,
        height: size.height,
        x: position.x,
        y: position.y,
        maximized: window.is_maximized().unwrap_or(false),
    };
    if let Err(e) = save(file, &place) {
        tracing::warn!(error = %e, "window size and position not saved");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_kept_and_read_back_and_nonsense_is_ignored() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("config").join("window.json");
        assert_eq!(load(&file), None, "nothing remembered yet");
        let place = WindowPlace {
            width: 1600,
            height: 1000,
            x: 40,
            y: -20,
            maximized: false,
        };
        save(&file, &place).expect("saved");
        assert_eq!(load(&file), Some(place));

        // Below the minimum (a minimised window) is not kept; the last good place stays.
        save(
            &file,
            &WindowPlace {
                width: 0,
                height: 0,
                ..place
            },
        )
        .expect("skipped");
        assert_eq!(load(&file), Some(place));
        // A file with absurd values or garbage opens the window at its default.
        std::fs::write(
            &file,
            br#"{"width":99999,"height":800,"x":0,"y":0,"maximized":false}"#,
        )
        .expect("write");
        assert_eq!(load(&file), None);
        std::fs::write(&file, b"not json").expect("write");
        assert_eq!(load(&file), None);
    }
}
