//! `appcare audit verify`: checks the hash chain of the audit trail and names the first
//! broken row. Runs with the workspace key (keyring or passphrase), as an operator tool.

use super::{open_workspace, CliError, CliResult, DataDirArg};
use appcare_core::audit::ChainCheck;
use appcare_core::service::admin::verify_audit_offline;

#[derive(clap::Subcommand, Debug)]
pub enum AuditCommand {
    /// Verify the audit trail's hash chain.
    Verify(DataDirArg),
}

pub fn run(cmd: AuditCommand) -> CliResult {
    match cmd {
        AuditCommand::Verify(args) => {
            let workspace = open_workspace(&args.data_dir)?;
            match verify_audit_offline(&workspace)? {
                ChainCheck::Intact { rows } => {
                    println!("The audit trail is intact ({rows} events).");
                    Ok(())
                }
                ChainCheck::Broken { row, reason } => Err(CliError::CheckFailed(format!(
                    "The audit trail was altered: row {row}: {reason}."
                ))),
            }
        }
    }
}
