//! `appcare doctor`: checks a data folder step by step (workspace file, key access, the
//! database, the audit chain, the hub's certificate, the port) and says what is wrong and
//! what to do. Reads only; never repairs.

use super::{open_workspace, CliError, CliResult};
use appcare_core::audit::ChainCheck;
use appcare_core::keys::{os_keyring, KeyStoreKind};
use appcare_core::service::admin::verify_audit_offline;
use appcare_core::WorkspaceDir;

fn report(ok: bool, what: &str, detail: &str) -> bool {
    println!(
        "{} {what}{}{detail}",
        if ok { "ok  " } else { "FAIL" },
        if detail.is_empty() { "" } else { ": " }
    );
    ok
}

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    #[arg(long, env = "APPCARE_DATA_DIR")]
    pub data_dir: std::path::PathBuf,
    /// The address `appcare serve` listens on (checked: free, or already served).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: std::net::SocketAddr,
    /// The admin's certificate and key `serve` uses (default: the generated pair).
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}

/// The hub's certificate: readable, matching its key, the key private; its fingerprint.
fn check_certificate(args: &DoctorArgs) -> bool {
    let (cert, key) = match args.tls_cert.as_deref().zip(args.tls_key.as_deref()) {
        Some((c, k)) => (c.to_path_buf(), k.to_path_buf()),
        None => crate::tls::generated_paths(&args.data_dir),
    };
    if args.tls_cert.is_none() && !cert.is_file() {
        return report(
            true,
            "hub certificate",
            "none yet (`appcare serve` makes one on first start, or pass --tls-cert/--tls-key)",
        );
    }
    let mut ok = match crate::tls::load_or_generate(&args.data_dir, Some((&cert, &key)), &[]) {
        Ok(c) => report(
            true,
            "hub certificate and key go together",
            &format!("{}, SHA-256 fingerprint {}", cert.display(), c.fingerprint),
        ),
        Err(e) => report(false, "hub certificate", &e),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(&key) {
            let mode = meta.permissions().mode() & 0o077;
            ok &= report(
                mode == 0,
                "hub key readable by its owner only",
                &if mode == 0 {
                    key.display().to_string()
                } else {
                    format!("{}: run chmod 600 on it", key.display())
                },
            );
        }
    }
    ok
}

/// The port: free to serve on, or answered by something (a running `appcare serve`).
fn check_port(listen: std::net::SocketAddr) -> bool {
    match std::net::TcpListener::bind(listen) {
        Ok(_) => report(true, "port free for `appcare serve`", &listen.to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => report(
            true,
            "port in use",
            &format!("{listen}: something listens there already (a running `appcare serve`?)"),
        ),
        Err(e) => report(false, "port", &format!("{listen}: {e}")),
    }
}

pub fn run(args: &DoctorArgs) -> CliResult {
    let data_dir = args.data_dir.as_path();
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
    healthy &= check_certificate(args);
    healthy &= check_port(args.listen);
    if healthy {
        Ok(())
    } else {
        Err(CliError::CheckFailed(
            "doctor found problems (see above)".into(),
        ))
    }
}
