//! Numbered schema migrations. Each runs in its own transaction that also bumps
//! `user_version`. Append only: a shipped migration is never edited.

use crate::error::{CoreError, Result};
use rusqlite::Connection;

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_inbox.sql"),
    include_str!("migrations/0003_privacy.sql"),
    include_str!("migrations/0004_channels.sql"),
    include_str!("migrations/0005_email.sql"),
    include_str!("migrations/0006_preview.sql"),
    include_str!("migrations/0007_preview_lookup.sql"),
    include_str!("migrations/0008_sign_in_sources.sql"),
    include_str!("migrations/0009_webhook_set_aside.sql"),
    include_str!("migrations/0010_data_lifecycle.sql"),
    include_str!("migrations/0011_password_change.sql"),
    include_str!("migrations/0012_snooze_wake.sql"),
    include_str!("migrations/0013_drafts.sql"),
    include_str!("migrations/0014_priority.sql"),
    include_str!("migrations/0015_contact_merges.sql"),
    include_str!("migrations/0016_mentions.sql"),
    include_str!("migrations/0017_notifications.sql"),
    include_str!("migrations/0018_reactions_quotes.sql"),
    include_str!("migrations/0019_read_typing_pricing.sql"),
    include_str!("migrations/0020_mail_addresses.sql"),
    include_str!("migrations/0021_reports.sql"),
    include_str!("migrations/0022_sla.sql"),
    include_str!("migrations/0023_satisfaction_sla_scopes.sql"),
    include_str!("migrations/0024_account_lifecycle.sql"),
    include_str!("migrations/0025_message_content.sql"),
    include_str!("migrations/0026_consent.sql"),
    include_str!("migrations/0027_thread_control.sql"),
    include_str!("migrations/0028_template_parts.sql"),
    include_str!("migrations/0029_mail_folder_list.sql"),
    include_str!("migrations/0030_mail_uids.sql"),
];

/// The schema version this build writes and understands.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn current_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database up to [`LATEST`]; refuses, without writing, one that is newer.
pub fn run(conn: &mut Connection) -> Result<()> {
    run_up_to(conn, LATEST)
}

/// Migrates up to `target` only. Tests use it to stop at an old version.
pub fn run_up_to(conn: &mut Connection, target: i64) -> Result<()> {
    let found = current_version(conn)?;
    if found > LATEST {
        return Err(CoreError::NewerVersion {
            found,
            supported: LATEST,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        if version <= found || version > target {
            continue;
        }
        // A migration may rebuild a table (SQLite's 12-step recipe): foreign keys are off
        // while it runs (the pragma is ignored inside a transaction), and checked before
        // the commit, so a migration cannot leave a dangling reference behind.
        conn.execute_batch("PRAGMA foreign_keys = OFF;")?;
        let applied = (|| -> Result<()> {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            let dangling: i64 =
                tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
            if dangling > 0 {
                return Err(CoreError::Storage(format!(
                    "migration {version} would leave {dangling} broken references; nothing was changed"
                )));
            }
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
            Ok(())
        })();
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        applied?;
        tracing::info!(version, "applied schema migration");
    }
    Ok(())
}
