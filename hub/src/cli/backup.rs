//! `appcare backup`, `appcare backup verify` and `appcare restore`: operator tools that
//! need the workspace key (keyring or `APPCARE_PASSPHRASE`) but no session. The backup's
//! own passphrase comes from `APPCARE_BACKUP_PASSPHRASE` or a prompt, never an argument.

use super::{input, open_workspace, CliError, CliResult};
use appcare_core::keys::KeyStoreKind;
use appcare_core::workspace::backup::{verify_backup, BackupReport};
use appcare_core::{KeySource, Password, Timestamp, Workspace, WorkspaceDir};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    check: Option<BackupCheck>,
    /// The workspace to back up.
    #[arg(long, env = "APPCARE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The backup file to write (must not exist).
    #[arg(long)]
    to: Option<PathBuf>,
}

#[derive(clap::Subcommand, Debug)]
pub enum BackupCheck {
    /// Check a backup: passphrase, checksum, every page, structure and the audit chain.
    Verify { file: PathBuf },
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// The backup file.
    file: PathBuf,
    /// A new, empty folder for the restored workspace.
    #[arg(long)]
    data_dir: PathBuf,
    /// Where the restored workspace's new key is kept.
    #[arg(long, default_value = "keyring", value_parser = ["keyring", "passphrase"])]
    key_store: String,
}

fn backup_passphrase(prompt: &str) -> CliResult<Password> {
    match std::env::var("APPCARE_BACKUP_PASSPHRASE") {
        Ok(p) if !p.is_empty() => Ok(Password::new(p)),
        _ => input::secret(prompt),
    }
}

fn print(report: &BackupReport) {
    println!(
        "{}: workspace {}, made {}, schema {}, {} bytes, {} conversations, {} messages, audit chain {} ({} rows)",
        report.file,
        report.workspace_id,
        report.created_at.to_rfc3339(),
        report.schema,
        report.bytes,
        report.conversations,
        report.messages,
        if report.audit_intact { "intact" } else { "BROKEN" },
        report.audit_rows
    );
}

pub fn run_backup(args: BackupArgs) -> CliResult {
    if let Some(BackupCheck::Verify { file }) = args.check {
        let report = verify_backup(&file, &backup_passphrase("Backup passphrase")?)?;
        print(&report);
        return if report.audit_intact {
            Ok(())
        } else {
            Err(CliError::CheckFailed(
                "the backup's audit chain is broken".into(),
            ))
        };
    }
    let (Some(data_dir), Some(to)) = (args.data_dir, args.to) else {
        return Err(CliError::Usage(
            "give --data-dir DIR and --to FILE, or `backup verify FILE`".into(),
        ));
    };
    let ws = open_workspace(&data_dir)?;
    let passphrase = backup_passphrase("Backup passphrase (12 or more characters)")?;
    if passphrase.expose().chars().count() < 12 {
        return Err(CliError::Usage(
            "use a backup passphrase of at least 12 characters".into(),
        ));
    }
    let report = ws.backup_to(&to, &passphrase, Timestamp::now())?;
    print(&report);
    Ok(())
}

pub fn run_restore(args: RestoreArgs) -> CliResult {
    let passphrase = backup_passphrase("Backup passphrase")?;
    let key_source = match KeyStoreKind::parse(&args.key_store) {
        Some(KeyStoreKind::Passphrase) => KeySource::Passphrase(input::passphrase(
            "New workspace passphrase (12 or more characters)",
        )?),
        _ => KeySource::Keyring,
    };
    let dir = WorkspaceDir::new(&args.data_dir);
    let ws =
        Workspace::restore_backup(&args.file, &passphrase, &dir, key_source, Timestamp::now())?;
    println!(
        "Restored into {} (new workspace id {}, key in the {}). Sign in with the accounts of the backup.",
        args.data_dir.display(),
        ws.info().workspace_id,
        ws.info().key_store.as_str()
    );
    Ok(())
}
