//! What an operator watches on a running hub: whether the store answers and the audit
//! chain's head is readable, and counts and ages of the work in hand. No session: the
//! hub guards these behind its own token. Nothing here names a customer, a message, a
//! user or an account.

use crate::error::Result;
use crate::store::health;
use crate::time::Timestamp;
use crate::workspace::Workspace;

/// Whether the workspace can serve: the store answers a read, and the newest audit
/// event (the head every new event is chained to) can be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readiness {
    pub store: bool,
    pub audit_head: bool,
}

impl Readiness {
    pub fn ready(self) -> bool {
        self.store && self.audit_head
    }
}

/// Counts and ages for `/metrics`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperatorFigures {
    pub outbox_pending: i64,
    pub outbox_failed: i64,
    pub webhook_events_set_aside: i64,
    pub mails_set_aside: i64,
    /// Seconds since the mailbox folder that synced longest ago last finished a pass.
    pub oldest_mail_sync_seconds: Option<i64>,
    /// The encrypted database file and its write-ahead log, in bytes.
    pub store_bytes: u64,
}

impl Workspace {
    pub fn readiness(&self) -> Readiness {
        match self.store().read(health::audit_head) {
            // A workspace is created with its first audit event, so an empty log means
            // the chain's head is gone.
            Ok(head) => Readiness {
                store: true,
                audit_head: head.is_some(),
            },
            Err(err) => {
                tracing::warn!(code = ?err.code(), "the store did not answer a readiness check");
                Readiness {
                    store: false,
                    audit_head: false,
                }
            }
        }
    }

    pub fn operator_figures(&self, now: Timestamp) -> Result<OperatorFigures> {
        let (outbox, aside, mail_age) = self.store().read(|conn| {
            Ok((
                health::outbox_counts(conn)?,
                health::set_aside_counts(conn)?,
                health::oldest_mail_sync_age(conn, now)?,
            ))
        })?;
        let database = self.dir().database();
        let mut wal = database.clone().into_os_string();
        wal.push("-wal");
        let size = |path: &std::path::Path| std::fs::metadata(path).map_or(0, |m| m.len());
        Ok(OperatorFigures {
            outbox_pending: outbox.0,
            outbox_failed: outbox.1,
            webhook_events_set_aside: aside.0,
            mails_set_aside: aside.1,
            oldest_mail_sync_seconds: mail_age,
            store_bytes: size(&database) + size(std::path::Path::new(&wal)),
        })
    }
}
