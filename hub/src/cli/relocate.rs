//! `appcare move --data-dir OLD --to NEW`: moves a workspace folder safely (copy, verify,
//! then wipe the old files). Close the app and stop `appcare serve` first.

use super::{input, CliResult};
use appcare_core::keys::KeyStoreKind;
use appcare_core::{Timestamp, Workspace, WorkspaceDir};
use std::path::PathBuf;

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
    Workspace::relocate(&from, &to, passphrase.as_ref(), Timestamp::now())?;
    println!(
        "Moved to {}; the copy was checked and the old files were overwritten and removed. Point the app there (APPCARE_DATA_DIR or the folder chooser).",
        args.to.display()
    );
    Ok(())
}
