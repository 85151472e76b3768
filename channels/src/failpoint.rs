//! Crash points for the durability tests: when `APPCARE_FAILPOINT` names a point, the
//! process aborts there, as a power cut or a kill would stop it. Unset in normal use.

use std::sync::OnceLock;

/// The receiver has the events but has not committed them.
pub const WEBHOOK_BEFORE_COMMIT: &str = "webhook-before-commit";
/// The receiver committed the events but has not answered Meta.
pub const WEBHOOK_AFTER_COMMIT: &str = "webhook-after-commit";
/// Meta accepted a message but the outbox has not recorded it.
pub const OUTBOX_AFTER_SEND: &str = "outbox-after-send";

/// Aborts the process if `APPCARE_FAILPOINT` equals `name`.
pub fn hit(name: &str) {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    let armed = ARMED.get_or_init(|| {
        std::env::var("APPCARE_FAILPOINT")
            .ok()
            .filter(|v| !v.is_empty())
    });
    if armed.as_deref() == Some(name) {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
}
