//! `appcare doctor`: checks a data folder step by step and says what is wrong and what to
//! do. Reads only; never repairs.

use super::{open_workspace, CliError, CliResult};
use appcare_core::audit::ChainCheck;
use appcare_core::keys::{os_keyring, KeyStoreKind};
use appcare_core::service::admin::verify_audit_offline;
use appcare_core::WorkspaceDir;
use std::path::Path;

fn report(ok: bool, what: &str, detail: &str) -> bool {
    println!(
        "{} {what}{}{detail}",
        if ok { "ok  " } else { "FAIL" },
        if detail.is_empty() { "" } else { ": " }
    );
    ok
}

pub fn run(data_dir: &Path) -> CliResult {
    let dir = WorkspaceDir::new(data_dir);
    let mut healthy = report(
        data_dir.is_dir(),
        "data folder exists",
        &data_dir.display().to_string(),
    );
    let info = match dir.inspect() {
        Ok(info) => {
            report(
                true,
                "workspace file",
                &format!("workspace {}", info.workspace_id),
            );
            info
        }
        Err(e) => {
            report(false, "workspace file", &e.to_string());
            return Err(CliError::CheckFailed("doctor found problems".into()));
        }
    };
    match info.key_store {
        KeyStoreKind::Keyring => {
            healthy &= match os_keyring::probe() {
                Ok(()) => report(true, "system keyring reachable", ""),
                Err(e) => report(false, "system keyring reachable", &e.to_string()),
            }
        }
        KeyStoreKind::Passphrase => {
            healthy &= report(
                dir.key_file().is_file(),
                "key file present",
                &dir.key_file().display().to_string(),
            );
        }
    }
    match open_workspace(data_dir) {
        Ok(ws) => {
            report(true, "key opens the database", "");
            healthy &= match ws.store().verify_integrity() {
                Ok(()) => report(true, "every page passes the cipher integrity check", ""),
                Err(e) => report(false, "integrity", &e.to_string()),
            };
            healthy &= match verify_audit_offline(&ws) {
                Ok(ChainCheck::Intact { rows }) => {
                    report(true, "audit chain intact", &format!("{rows} events"))
                }
                Ok(ChainCheck::Broken { row, reason }) => {
                    report(false, "audit chain", &format!("row {row}: {reason}"))
                }
                Err(e) => report(false, "audit chain", &e.to_string()),
            };
        }
        Err(e) => healthy &= report(false, "key opens the database", &e.to_string()),
    }
    if healthy {
        Ok(())
    } else {
        Err(CliError::CheckFailed(
            "doctor found problems (see above)".into(),
        ))
    }
}
