//! `appcare move --data-dir OLD --to NEW`: moves a workspace folder safely (copy, verify,
//! then wipe the old files). Close the app and stop `appcare serve` first.

use super::{input, CliResult};
use appcare_core::keys::KeyStoreKind;
use appcare_core::{Timestamp, Workspace, WorkspaceDir};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct MoveArgs {
    #[arg(long, env = "APPCARE_DATA_DIR")]
    data_dir: PathBuf,
    /// The new folder (must not exist yet).
    #[arg(long)]
    to: PathBuf,
}

pub fn run(args: MoveArgs) -> CliResult {
    let from = WorkspaceDir::new(&args.data_dir);
    let passphrase = match from.inspect()?.key_store {
        KeyStoreKind::Passphrase => Some(input::passphrase("Workspace passphrase")?),
        KeyStoreKind::Keyring => None,
    };
    let to = WorkspaceDir::new(&args.to);
    let old_root = std::fs::canonicalize(&args.data_dir).unwrap_or_else(|_| args.data_dir.clone());
    Workspace::relocate(&from, &to, passphrase.as_ref(), Timestamp::now())?;
    let new_root = std::fs::canonicalize(&args.to).unwrap_or_else(|_| args.to.clone());
    println!(
        "Moved to {}; the copy was checked and the old files were overwritten and removed.",
        new_root.display()
    );
    if switch_desktop(&old_root, &new_root) {
        println!("The desktop app on this computer will open it from the new folder.");
    } else {
        println!("Point the app there (APPCARE_DATA_DIR, or open it from the first-run screen).");
    }
    Ok(())
}

/// The desktop remembers its workspace folder in
/// `$XDG_CONFIG_HOME/com.appcare.inbox/workspace-location.json`: when it names the old
/// folder, it now names the new one (the "switch").
fn switch_desktop(old: &Path, new: &Path) -> bool {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    let Some(file) = config.map(|c| c.join("com.appcare.inbox").join("workspace-location.json"))
    else {
        return false;
    };
    let Ok(text) = std::fs::read_to_string(&file) else {
        return false;
    };
    let remembered = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("data_dir")?.as_str().map(PathBuf::from));
    let Some(remembered) = remembered else {
        return false;
    };
    let remembered = std::fs::canonicalize(&remembered).unwrap_or(remembered);
    if remembered != old {
        return false;
    }
    let body = serde_json::json!({ "data_dir": new.display().to_string() });
    std::fs::write(&file, body.to_string()).is_ok()
}
