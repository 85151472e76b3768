//! The channel runtime's side of the workspace: webhook batches, the outbox, media
//! downloads and provider tasks. These calls take no session: only a process that holds
//! the workspace key (the desktop, the hub) runs a channel runtime.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::channel::account::AccountState;
use crate::channel::event::status_rank;
use crate::channel::template::TemplateView;
use crate::channel::{
    Channel, ChannelEndpoint, ChannelEvent, DeliveryStatus, EchoEvent, HandoverEvent,
    LocalStorageView, MediaRef, OutboundFile, OutboundJob, SendPayload, StatusEvent,
    WatermarkEvent,
};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, ConversationId, MessageId};
use crate::service::ingest::{ingest_in, InboundMessage};
use crate::store::{channel_accounts, conversations as conv_store, messages, settings};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::{params, Connection, OptionalExtension};

/// What the runtime tells an agent when the app stopped in the middle of a send.
pub const UNCONFIRMED_EXPLANATION: &str = "The app stopped while sending this message, so it \
    may or may not have reached the customer. Check before sending it again.";

/// Why a reply in an account without credentials (sample data) cannot be sent.
pub const NOT_CONNECTED: &str = "This account is not connected to Meta (it has no access \
    token), so nothing can be sent from it. An admin connects accounts under Channels.";

/// Counts of what one webhook batch changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub messages: usize,
    pub duplicates: usize,
    pub statuses: usize,
    pub ignored: usize,
}

/// A file announced by a webhook, to download.
#[derive(Clone, Debug)]
pub struct MediaJob {
    pub id: i64,
    pub message: MessageId,
    pub conversation: ConversationId,
    pub account: ChannelAccountId,
    pub media: MediaRef,
    pub attempt: i64,
}

/// A provider call that is not a message.
#[derive(Clone, Debug)]
pub struct ChannelTask {
    pub id: i64,
    pub account: ChannelAccountId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempt: i64,
}

/// The system entry for channel adapters. See [`Workspace::delivery`].
pub struct Delivery<'a> {
    pub(super) ws: &'a Workspace,
}

impl Workspace {
    /// The channel runtime's calls (no session: see the module docs).
    pub fn delivery(&self) -> Delivery<'_> {
        Delivery { ws: self }
    }
}

fn status_changed(conversation: ConversationId, message: MessageId) -> Event {
    Event::MessageStatusChanged {
        conversation,
        message,
    }
}

impl Delivery<'_> {
    /// Connected accounts with their secrets.
    pub fn endpoints(&self) -> Result<Vec<ChannelEndpoint>> {
        self.ws.store.read(channel_accounts::endpoints)
    }

    /// Stores one parsed webhook batch in a single transaction. An event that names an
    /// unknown account or message is skipped (and counted); a storage error rolls the
    /// whole batch back so the provider delivers it again.
    pub fn apply(&self, events: &[ChannelEvent], now: Timestamp) -> Result<Applied> {
        let (applied, published) = self.ws.store.write(|tx| {
            let mut applied = Applied::default();
            let mut published = Vec::new();
            for event in events {
                tx.execute_batch("SAVEPOINT channel_event")?;
                match apply_one(tx, event, now, &mut applied, &mut published) {
                    Ok(()) => tx.execute_batch("RELEASE channel_event")?,
                    Err(e @ (CoreError::NotFound { .. } | CoreError::InvalidInput { .. })) => {
                        tx.execute_batch("ROLLBACK TO channel_event; RELEASE channel_event")?;
                        tracing::warn!(error = %e, "channel event skipped");
                        applied.ignored += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok((applied, published))
        })?;
        for e in published {
            self.ws.publish(e);
        }
        Ok(applied)
    }

    /// Takes up to `limit` due messages from the outbox and marks them `sending`. A
    /// message in `sending` when the process stops becomes `unconfirmed` at the next start
    /// ([`Self::recover_interrupted_sends`]) and is never resent without a person.
    pub fn claim_outbox(&self, now: Timestamp, limit: i64) -> Result<Vec<OutboundJob>> {
        let (jobs, events) = self.ws.store.write(|tx| {
            // Replies in accounts that were never connected (sample data) fail with a
            // reason instead of waiting forever.
            let mut events = Vec::new();
            let orphans: Vec<(MessageId, ConversationId)> = tx
                .prepare_cached(
                    "SELECT m.id, m.conversation_id FROM outbox o
                     JOIN messages m ON m.id = o.message_id
                     JOIN conversations c ON c.id = m.conversation_id
                     JOIN channel_accounts a ON a.id = c.channel_account_id
                     WHERE o.state = 'pending' AND a.kind IN ('whatsapp', 'messenger', 'email')
                       AND length(a.credentials) = 0",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (message, conversation) in orphans {
                fail_in(tx, message, NOT_CONNECTED)?;
                events.push(status_changed(conversation, message));
            }
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT o.message_id, o.attempts, o.payload, m.conversation_id, m.body,
                        c.channel_account_id, a.kind,
                        (SELECT min(ci.external_id) FROM contact_identities ci
                          WHERE ci.contact_id = c.contact_id AND ci.channel = a.kind)
                 FROM outbox o
                 JOIN messages m ON m.id = o.message_id
                 JOIN conversations c ON c.id = m.conversation_id
                 JOIN channel_accounts a ON a.id = c.channel_account_id
                 WHERE o.state = 'pending' AND o.next_attempt_at <= ?1
                   AND m.status IN ('queued', 'sending', 'unconfirmed', 'failed')
                   AND a.kind IN ('whatsapp', 'messenger', 'email') AND length(a.credentials) > 0
                 ORDER BY o.next_attempt_at, o.message_id {}",
                crate::store::limit(limit)
            ))?;
            let rows: Vec<OutboxRow> = stmt
                .query_map(params![now], |r| {
                    Ok(OutboxRow {
                        message: r.get(0)?,
                        attempts: r.get(1)?,
                        payload: r.get(2)?,
                        conversation: r.get(3)?,
                        body: r.get(4)?,
                        account: r.get(5)?,
                        kind: r.get(6)?,
                        to: r.get(7)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut jobs = Vec::new();
            for row in rows {
                let OutboxRow { message, attempts, payload, conversation, body, account, kind, to } = row;
                let channel = match kind.as_str() {
                    "whatsapp" => Channel::WhatsApp,
                    "email" => Channel::Email,
                    _ => Channel::Messenger,
                };
                let payload: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
                let tag = payload.get("tag").and_then(|t| t.as_str()).map(str::to_string);
                let send = match payload.get("kind").and_then(|k| k.as_str()) {
                    Some("template") => SendPayload::Template {
                        name: json_str(&payload, "name"),
                        language: json_str(&payload, "language"),
                        parameters: payload
                            .get("parameters")
                            .and_then(|p| p.as_array())
                            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                            .unwrap_or_default(),
                    },
                    Some("media") => {
                        let file: Option<OutboundFile> = tx
                            .query_row(
                                "SELECT file_name, mime_type, data FROM attachments WHERE message_id = ?1 ORDER BY id LIMIT 1",
                                [message],
                                |r| Ok(OutboundFile { file_name: r.get(0)?, mime_type: r.get(1)?, data: r.get(2)? }),
                            )
                            .optional()?;
                        match file {
                            Some(file) => SendPayload::Media { caption: body, file },
                            None => SendPayload::Text { body },
                        }
                    }
                    _ => SendPayload::Text { body },
                };
                let Some(to) = to else {
                    fail_in(tx, message, "The customer has no address on this channel.")?;
                    events.push(status_changed(conversation, message));
                    continue;
                };
                let email = match channel {
                    // One mailbox with unreadable settings fails its own replies, not the claim.
                    Channel::Email => match crate::service::mail::reply_headers_in(tx, account, conversation, message) {
                        Ok(headers) => Some(headers),
                        Err(e @ (CoreError::InvalidInput { .. } | CoreError::NotFound { .. })) => {
                            fail_in(tx, message, &format!("The mailbox cannot send: {e}"))?;
                            events.push(status_changed(conversation, message));
                            continue;
                        }
                        Err(e) => return Err(e),
                    },
                    _ => None,
                };
                tx.execute(
                    "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE message_id = ?1",
                    [message],
                )?;
                tx.execute("UPDATE messages SET status = 'sending' WHERE id = ?1", [message])?;
                events.push(status_changed(conversation, message));
                jobs.push(OutboundJob {
                    message,
                    conversation,
                    account,
                    channel,
                    to,
                    payload: send,
                    tag,
                    attempt: attempts + 1,
                    email,
                });
            }
            Ok((jobs, events))
        })?;
        for e in events {
            self.ws.publish(e);
        }
        Ok(jobs)
    }

    /// The provider accepted the message and gave it `external_id`.
    pub fn outbox_sent(&self, message: MessageId, external_id: &str) -> Result<()> {
        let conversation = self.ws.store.write(|tx| {
            tx.execute(
                "UPDATE outbox SET state = 'sent', last_error = '' WHERE message_id = ?1
                 AND state IN ('sending', 'unconfirmed')",
                [message],
            )?;
            set_external_id(tx, message, external_id)?;
            raise_status(tx, message, "sent", None)?;
            conversation_of(tx, message)
        })?;
        self.ws.publish(status_changed(conversation, message));
        Ok(())
    }

    /// A send failed in a way worth retrying (429, 5xx, timeout): try again at `at`.
    pub fn outbox_retry(&self, message: MessageId, at: Timestamp, reason: &str) -> Result<()> {
        let conversation = self.ws.store.write(|tx| {
            let changed = tx.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?2, last_error = ?3
                 WHERE message_id = ?1 AND state = 'sending'",
                params![message, at, reason],
            )?;
            if changed > 0 {
                tx.execute(
                    "UPDATE messages SET status = 'queued' WHERE id = ?1 AND status = 'sending'",
                    [message],
                )?;
            }
            conversation_of(tx, message)
        })?;
        self.ws.publish(status_changed(conversation, message));
        Ok(())
    }

    /// A send failed for good; `explanation` is shown to the agent.
    pub fn outbox_failed(&self, message: MessageId, explanation: &str) -> Result<()> {
        let conversation = self.ws.store.write(|tx| {
            fail_in(tx, message, explanation)?;
            conversation_of(tx, message)
        })?;
        self.ws.publish(status_changed(conversation, message));
        Ok(())
    }

    /// Meta's answer to a send was lost or unreadable: it may have the message. Shown
    /// to the agent as unconfirmed, never resent automatically.
    pub fn outbox_unconfirmed(&self, message: MessageId, reason: &str) -> Result<()> {
        let conversation = self.ws.store.write(|tx| {
            let changed = tx.execute(
                "UPDATE outbox SET state = 'unconfirmed', last_error = ?2 WHERE message_id = ?1 AND state = 'sending'",
                params![message, reason],
            )?;
            if changed > 0 {
                tx.execute(
                    "UPDATE messages SET status = 'unconfirmed', failure = ?2 WHERE id = ?1 AND status IN ('queued', 'sending')",
                    params![message, format!("{UNCONFIRMED_EXPLANATION} ({reason})")],
                )?;
            }
            conversation_of(tx, message)
        })?;
        self.ws.publish(status_changed(conversation, message));
        Ok(())
    }

    /// Run once at start: sends left in `sending` by a stopped process become
    /// `unconfirmed`, shown to the agent, and are not sent again automatically.
    pub fn recover_interrupted_sends(&self) -> Result<usize> {
        self.ws.store.write(|tx| {
            tx.execute(
                "UPDATE messages SET status = 'unconfirmed', failure = ?1
                 WHERE id IN (SELECT message_id FROM outbox WHERE state = 'sending')
                   AND status IN ('queued', 'sending')",
                [UNCONFIRMED_EXPLANATION],
            )?;
            Ok(tx.execute(
                "UPDATE outbox SET state = 'unconfirmed', last_error = 'interrupted' WHERE state = 'sending'",
                [],
            )?)
        })
    }

    /// Takes up to `limit` due media downloads, leased for ten minutes.
    pub fn claim_media(&self, now: Timestamp, limit: i64) -> Result<Vec<MediaJob>> {
        self.ws.store.write(|tx| {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT d.id, d.message_id, m.conversation_id, c.channel_account_id, d.media_id,
                        d.file_name, d.mime_type, d.sha256, d.attempts
                 FROM media_downloads d JOIN messages m ON m.id = d.message_id
                 JOIN conversations c ON c.id = m.conversation_id
                 WHERE d.state = 'pending' AND d.next_attempt_at <= ?1
                 ORDER BY d.next_attempt_at, d.id {}",
                crate::store::limit(limit)
            ))?;
            let jobs: Vec<MediaJob> = stmt
                .query_map(params![now], |r| {
                    Ok(MediaJob {
                        id: r.get(0)?,
                        message: r.get(1)?,
                        conversation: r.get(2)?,
                        account: r.get(3)?,
                        media: MediaRef {
                            media_id: r.get(4)?,
                            file_name: r.get(5)?,
                            mime_type: r.get(6)?,
                            sha256: r.get(7)?,
                        },
                        attempt: r.get::<_, i64>(8)? + 1,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            for job in &jobs {
                tx.execute(
                    "UPDATE media_downloads SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1",
                    params![job.id, now.plus_seconds(600)],
                )?;
            }
            Ok(jobs)
        })
    }

    /// The file arrived and matched its checksum: stored inside the encrypted database.
    pub fn media_stored(
        &self,
        job: &MediaJob,
        mime_type: &str,
        data: &[u8],
        now: Timestamp,
    ) -> Result<()> {
        self.ws.store.write(|tx| {
            messages::insert_attachment(
                tx,
                job.message,
                &job.media.file_name,
                mime_type,
                data,
                now,
            )?;
            tx.execute(
                "UPDATE media_downloads SET state = 'done', last_error = '' WHERE id = ?1",
                [job.id],
            )?;
            Ok(())
        })?;
        self.ws
            .publish(status_changed(job.conversation, job.message));
        Ok(())
    }

    /// Try the download again at `at`.
    pub fn media_retry(&self, job: &MediaJob, at: Timestamp, reason: &str) -> Result<()> {
        self.ws.store.write(|tx| {
            tx.execute(
                "UPDATE media_downloads SET next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
                params![job.id, at, reason],
            )?;
            Ok(())
        })
    }

    /// The file cannot be had; the message says so where the agent reads it.
    pub fn media_failed(&self, job: &MediaJob, reason: &str) -> Result<()> {
        self.ws.store.write(|tx| {
            tx.execute(
                "UPDATE media_downloads SET state = 'failed', last_error = ?2 WHERE id = ?1",
                params![job.id, reason],
            )?;
            tx.execute(
                "UPDATE messages SET failure = ?2 WHERE id = ?1",
                params![
                    job.message,
                    format!("The file could not be downloaded: {reason}")
                ],
            )?;
            Ok(())
        })?;
        self.ws
            .publish(status_changed(job.conversation, job.message));
        Ok(())
    }

    /// Takes up to `limit` due provider tasks, leased for ten minutes.
    pub fn claim_tasks(&self, now: Timestamp, limit: i64) -> Result<Vec<ChannelTask>> {
        self.ws.store.write(|tx| {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT id, account_id, kind, payload, attempts FROM channel_tasks
                 WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id {}",
                crate::store::limit(limit)
            ))?;
            let tasks: Vec<ChannelTask> = stmt
                .query_map(params![now], |r| {
                    let payload: String = r.get(3)?;
                    Ok(ChannelTask {
                        id: r.get(0)?,
                        account: r.get(1)?,
                        kind: r.get(2)?,
                        payload: serde_json::from_str(&payload).unwrap_or_default(),
                        attempt: r.get::<_, i64>(4)? + 1,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            for t in &tasks {
                tx.execute(
                    "UPDATE channel_tasks SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1",
                    params![t.id, now.plus_seconds(600)],
                )?;
            }
            Ok(tasks)
        })
    }

    /// Finishes a task: done, retried at `retry_at`, or failed for good with `error`.
    pub fn finish_task(&self, task: &ChannelTask, outcome: TaskOutcome<'_>) -> Result<()> {
        self.ws.store.write(|tx| {
            match outcome {
                TaskOutcome::Done => {
                    tx.execute("UPDATE channel_tasks SET state = 'done', last_error = '' WHERE id = ?1", [task.id])?;
                }
                TaskOutcome::Retry { at, error } => {
                    tx.execute(
                        "UPDATE channel_tasks SET next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
                        params![task.id, at, error],
                    )?;
                }
                TaskOutcome::Failed { error } => {
                    tx.execute(
                        "UPDATE channel_tasks SET state = 'failed', last_error = ?2 WHERE id = ?1",
                        params![task.id, error],
                    )?;
                    let mut state = channel_accounts::state_of(tx, task.account)?;
                    state.last_error = Some(error.to_string());
                    channel_accounts::set_state(tx, task.account, &state)?;
                }
            }
            Ok(())
        })?;
        self.ws.publish(Event::ChannelsChanged);
        Ok(())
    }

    /// Replaces the approved templates of a WhatsApp account.
    pub fn set_templates(
        &self,
        account: ChannelAccountId,
        templates: &[TemplateView],
    ) -> Result<()> {
        self.ws
            .store
            .write(|tx| channel_accounts::replace_templates(tx, account, templates))?;
        self.ws.publish(Event::ChannelsChanged);
        Ok(())
    }

    /// Records provider-side state: in-country storage as read back, the last error.
    pub fn update_account_state(
        &self,
        account: ChannelAccountId,
        local_storage: Option<LocalStorageView>,
        last_error: Option<String>,
    ) -> Result<()> {
        self.ws.store.write(|tx| {
            let mut state: AccountState = channel_accounts::state_of(tx, account)?;
            if local_storage.is_some() {
                state.local_storage = local_storage;
            }
            state.last_error = last_error;
            channel_accounts::set_state(tx, account, &state)
        })?;
        self.ws.publish(Event::ChannelsChanged);
        Ok(())
    }

    /// Names a contact known only by its channel address (a Messenger PSID), as Meta
    /// reports the profile. A name someone already gave is kept.
    pub fn name_contact(&self, account: ChannelAccountId, address: &str, name: &str) -> Result<()> {
        let name: String = name
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        if name.is_empty() {
            return Ok(());
        }
        let changed = self.ws.store.write(|tx| {
            let (channel, _) = channel_accounts::config_of(tx, account)?;
            let contact: Option<crate::ids::ContactId> = tx
                .query_row(
                    "SELECT c.id FROM contacts c JOIN contact_identities ci ON ci.contact_id = c.id
                     WHERE ci.channel = ?1 AND ci.external_id = ?2 AND c.display_name = ?2",
                    params![channel.as_str(), address],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(contact) = contact else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE contacts SET display_name = ?2 WHERE id = ?1",
                params![contact, name],
            )?;
            tx.execute(
                "UPDATE contacts_fts SET display_name = ?2 WHERE rowid = ?1",
                params![contact, name],
            )?;
            let conversations: Vec<ConversationId> = tx
                .prepare("SELECT id FROM conversations WHERE contact_id = ?1")?
                .query_map([contact], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(conversations))
        })?;
        for conversation in changed.into_iter().flatten() {
            self.ws.publish(Event::ConversationUpdated { conversation });
        }
        Ok(())
    }

    /// The hosts this workspace may connect to.
    pub fn egress_policy(&self) -> Result<crate::privacy::egress::EgressPolicy> {
        self.ws.store.read(crate::service::residency::egress_policy)
    }

    /// A connection to `host` was refused by the allowlist: audited (the host, never a
    /// path or query), shown on the account.
    pub fn egress_refused(
        &self,
        account: ChannelAccountId,
        host: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.ws.store.write(|tx| {
            audit::append(
                tx,
                AuditEvent::new(AuditKind::EgressRefused, None, format!("channel_account:{account}"), now)
                    .detail(serde_json::json!({ "host": host })),
            )?;
            let mut state = channel_accounts::state_of(tx, account)?;
            state.last_error = Some(format!(
                "A connection to {host} was refused: it is not on this workspace's allowed hosts (Settings)."
            ));
            channel_accounts::set_state(tx, account, &state)
        })?;
        self.ws.publish(Event::ChannelsChanged);
        Ok(())
    }

    /// Where the Messenger poller stopped last time (provider's `updated_time`).
    pub fn poll_cursor(&self, account: ChannelAccountId) -> Result<Option<String>> {
        self.ws
            .store
            .read(|c| settings::get(c, &format!("messenger_poll:{account}")))
    }

    pub fn set_poll_cursor(&self, account: ChannelAccountId, cursor: &str) -> Result<()> {
        self.ws
            .store
            .write(|tx| settings::set(tx, &format!("messenger_poll:{account}"), cursor))
    }
}

/// A due outbox row with what sending it needs.
struct OutboxRow {
    message: MessageId,
    attempts: i64,
    payload: String,
    conversation: ConversationId,
    body: String,
    account: ChannelAccountId,
    kind: String,
    to: Option<String>,
}

/// How a provider task ended.
#[derive(Clone, Copy, Debug)]
pub enum TaskOutcome<'a> {
    Done,
    Retry { at: Timestamp, error: &'a str },
    Failed { error: &'a str },
}

fn json_str(value: &serde_json::Value, key: &str) -> String {
    value
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

pub(super) fn conversation_of(conn: &Connection, message: MessageId) -> Result<ConversationId> {
    conn.query_row(
        "SELECT conversation_id FROM messages WHERE id = ?1",
        [message],
        |r| r.get(0),
    )
    .optional()?
    .ok_or(CoreError::NotFound {
        what: "The message",
    })
}

/// Our own attempt failed for good. A message the provider already reported (sent,
/// delivered) keeps that state: only an outbox row still in our hands fails.
fn fail_in(conn: &Connection, message: MessageId, explanation: &str) -> Result<()> {
    let changed = conn.execute(
        "UPDATE outbox SET state = 'failed', last_error = ?2
         WHERE message_id = ?1 AND state IN ('pending', 'sending', 'unconfirmed')",
        params![message, explanation],
    )?;
    if changed > 0 {
        raise_status(conn, message, "failed", Some(explanation))?;
    }
    Ok(())
}

/// The provider has the message: whatever our outbox thought, it is sent.
fn settle_outbox(conn: &Connection, message: MessageId) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'sent', last_error = '' WHERE message_id = ?1
           AND state IN ('pending', 'sending', 'unconfirmed', 'failed')",
        [message],
    )?;
    Ok(())
}

/// A status reported by the provider. Statuses only move forward, with one exception:
/// a failure we recorded ourselves before the provider gave the message an id (a lost
/// answer, a give-up) is overridden when the provider says it has the message.
fn provider_status(
    conn: &Connection,
    message: MessageId,
    status: DeliveryStatus,
    failure: Option<&str>,
    had_provider_id: bool,
) -> Result<bool> {
    let current: String = conn
        .query_row(
            "SELECT status FROM messages WHERE id = ?1",
            [message],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(CoreError::NotFound {
            what: "The message",
        })?;
    let local_failure = current == "failed" && !had_provider_id;
    let allowed = match status {
        DeliveryStatus::Sent => {
            matches!(current.as_str(), "queued" | "sending" | "unconfirmed") || local_failure
        }
        DeliveryStatus::Failed => matches!(
            current.as_str(),
            "queued" | "sending" | "unconfirmed" | "sent"
        ),
        DeliveryStatus::Delivered => {
            matches!(
                current.as_str(),
                "queued" | "sending" | "unconfirmed" | "sent"
            ) || local_failure
        }
        DeliveryStatus::Read => {
            matches!(
                current.as_str(),
                "queued" | "sending" | "unconfirmed" | "sent" | "delivered"
            ) || local_failure
        }
    };
    if !allowed {
        return Ok(false);
    }
    conn.execute(
        "UPDATE messages SET status = ?2, failure = ?3 WHERE id = ?1",
        params![
            message,
            status.as_str(),
            failure.filter(|_| status == DeliveryStatus::Failed)
        ],
    )?;
    Ok(true)
}

/// Sets `status` when it ranks above the stored one; returns whether it changed.
pub(super) fn raise_status(
    conn: &Connection,
    message: MessageId,
    status: &str,
    failure: Option<&str>,
) -> Result<bool> {
    let current: String = conn
        .query_row(
            "SELECT status FROM messages WHERE id = ?1",
            [message],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(CoreError::NotFound {
            what: "The message",
        })?;
    if status_rank(status) <= status_rank(&current) {
        return Ok(false);
    }
    conn.execute(
        "UPDATE messages SET status = ?2, failure = CASE WHEN ?2 = 'failed' THEN ?3 ELSE NULL END WHERE id = ?1",
        params![message, status, failure],
    )?;
    Ok(true)
}

/// Records the provider's id unless the message has one or another message holds it.
fn set_external_id(conn: &Connection, message: MessageId, external_id: &str) -> Result<()> {
    if external_id.is_empty() {
        return Ok(());
    }
    conn.execute(
        "UPDATE messages SET external_id = ?2 WHERE id = ?1 AND external_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM messages WHERE external_id = ?2)",
        params![message, external_id],
    )?;
    Ok(())
}

/// Our outbound message with this provider id, or with our reference in this account.
fn find_ours(
    conn: &Connection,
    account: ChannelAccountId,
    external_id: &str,
    our_message: Option<MessageId>,
) -> Result<Option<(MessageId, ConversationId)>> {
    let by_external = conn
        .query_row(
            "SELECT m.id, m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.external_id = ?1 AND m.direction = 'out' AND c.channel_account_id = ?2",
            params![external_id, account],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if by_external.is_some() {
        return Ok(by_external);
    }
    let Some(ours) = our_message else {
        return Ok(None);
    };
    Ok(conn
        .query_row(
            "SELECT m.id, m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.id = ?1 AND m.direction = 'out' AND c.channel_account_id = ?2",
            params![ours, account],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn apply_one(
    tx: &Connection,
    event: &ChannelEvent,
    now: Timestamp,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    match event {
        ChannelEvent::Message(m) => {
            let message = InboundMessage {
                account: m.account,
                contact_external_id: &m.contact_external_id,
                contact_name: &m.contact_name,
                external_id: Some(&m.external_id),
                subject: "",
                body: &m.body,
                sent_at: m.sent_at,
                attachments: Vec::new(),
            };
            let (ingested, events) = ingest_in(tx, &message, now)?;
            if ingested.duplicate {
                applied.duplicates += 1;
                return Ok(());
            }
            for media in &m.media {
                tx.execute(
                    "INSERT OR IGNORE INTO media_downloads (message_id, media_id, file_name, mime_type, sha256, next_attempt_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![ingested.message, media.media_id, media.file_name, media.mime_type, media.sha256, now],
                )?;
            }
            // Messenger webhooks carry only the PSID: ask Meta for the name once.
            if ingested.new_conversation && m.contact_name == m.contact_external_id {
                let (channel, _) = channel_accounts::config_of(tx, m.account)?;
                if channel == Channel::Messenger {
                    channel_accounts::insert_task(
                        tx,
                        m.account,
                        "profile",
                        &serde_json::json!({ "psid": m.contact_external_id }),
                        now,
                    )?;
                }
            }
            applied.messages += 1;
            published.extend(events);
        }
        ChannelEvent::Status(s) => apply_status(tx, s, applied, published)?,
        ChannelEvent::Watermark(w) => apply_watermark(tx, w, applied, published)?,
        ChannelEvent::Echo(e) => apply_echo(tx, e, applied, published)?,
        ChannelEvent::Handover(h) => apply_handover(tx, h, now, applied, published)?,
    }
    Ok(())
}

fn apply_status(
    tx: &Connection,
    s: &StatusEvent,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    let Some((message, conversation)) = find_ours(tx, s.account, &s.external_id, s.our_message)?
    else {
        applied.ignored += 1;
        return Ok(());
    };
    let had_provider_id = has_external_id(tx, message)?;
    set_external_id(tx, message, &s.external_id)?;
    let failure = s.error.as_ref().map(|e| e.explanation());
    let changed = provider_status(tx, message, s.status, failure.as_deref(), had_provider_id)?;
    match s.status {
        DeliveryStatus::Failed if changed => {
            tx.execute(
                "UPDATE outbox SET state = 'failed', last_error = ?2 WHERE message_id = ?1",
                params![message, failure.unwrap_or_default()],
            )?;
        }
        DeliveryStatus::Failed => {}
        // The provider has it: a pending retry, an in-flight or unconfirmed send, or a
        // failure we recorded ourselves is settled, so nothing sends it again.
        _ => settle_outbox(tx, message)?,
    }
    applied.statuses += 1;
    if changed {
        published.push(status_changed(conversation, message));
    } else {
        applied.duplicates += 1;
    }
    Ok(())
}

fn has_external_id(conn: &Connection, message: MessageId) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT external_id IS NOT NULL FROM messages WHERE id = ?1",
        [message],
        |r| r.get(0),
    )?)
}

fn apply_watermark(
    tx: &Connection,
    w: &WatermarkEvent,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    // Only messages Meta gave an id (so they surely reached it) are moved by a watermark.
    let below: &[&str] = match w.status {
        DeliveryStatus::Read => &["sent", "delivered"],
        _ => &["sent"],
    };
    let mut stmt = tx.prepare_cached(
        "UPDATE messages SET status = ?1, failure = NULL
         WHERE direction = 'out' AND created_at <= ?2 AND status IN (?3, ?4, ?5)
           AND external_id IS NOT NULL
           AND conversation_id IN (
             SELECT c.id FROM conversations c
             JOIN contact_identities ci ON ci.contact_id = c.contact_id AND ci.channel = 'messenger'
             WHERE c.channel_account_id = ?6 AND ci.external_id = ?7)
         RETURNING id, conversation_id",
    )?;
    let changed: Vec<(MessageId, ConversationId)> = stmt
        .query_map(
            params![
                w.status.as_str(),
                w.up_to,
                below[0],
                below.get(1).copied().unwrap_or(below[0]),
                below.get(2).copied().unwrap_or(below[0]),
                w.account,
                w.contact_external_id
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    for (message, conversation) in changed {
        settle_outbox(tx, message)?;
        published.push(status_changed(conversation, message));
    }
    applied.statuses += 1;
    Ok(())
}

fn apply_echo(
    tx: &Connection,
    e: &EchoEvent,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    if let Some((message, conversation)) = find_ours(tx, e.account, &e.external_id, e.our_message)?
    {
        let had_provider_id = has_external_id(tx, message)?;
        set_external_id(tx, message, &e.external_id)?;
        settle_outbox(tx, message)?;
        if provider_status(tx, message, DeliveryStatus::Sent, None, had_provider_id)? {
            published.push(status_changed(conversation, message));
        } else {
            applied.duplicates += 1;
        }
        return Ok(());
    }
    let exists: bool = tx.query_row(
        "SELECT count(*) > 0 FROM messages WHERE external_id = ?1",
        [&e.external_id],
        |r| r.get(0),
    )?;
    if exists {
        applied.duplicates += 1;
        return Ok(());
    }
    // Sent from elsewhere (Page Inbox, a phone): shown in the conversation if we know it.
    let conversation: Option<ConversationId> = tx
        .query_row(
            "SELECT c.id FROM conversations c
             JOIN contact_identities ci ON ci.contact_id = c.contact_id AND ci.channel = 'messenger'
             WHERE c.channel_account_id = ?1 AND ci.external_id = ?2
             ORDER BY (c.status != 'resolved') DESC, c.id DESC LIMIT 1",
            params![e.account, e.contact_external_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(conversation) = conversation else {
        applied.ignored += 1;
        return Ok(());
    };
    let message = messages::insert_message(
        tx,
        &messages::NewMessage {
            conversation,
            external_id: Some(&e.external_id),
            direction: crate::channel::Direction::Out,
            body: &e.body,
            created_at: e.sent_at,
        },
    )?;
    tx.execute(
        "UPDATE messages SET status = 'sent' WHERE id = ?1",
        [message],
    )?;
    conv_store::touch_activity(tx, conversation, e.sent_at, false)?;
    applied.messages += 1;
    published.push(status_changed(conversation, message));
    Ok(())
}

fn apply_handover(
    tx: &Connection,
    h: &HandoverEvent,
    now: Timestamp,
    applied: &mut Applied,
    published: &mut Vec<Event>,
) -> Result<()> {
    let key = format!(
        "handover:{}:{}:{}",
        h.account,
        h.contact_external_id,
        h.at.unix()
    );
    let fresh = tx.execute(
        "INSERT OR IGNORE INTO webhook_receipts (key, received_at) VALUES (?1, ?2)",
        params![key, now],
    )?;
    if fresh == 0 {
        applied.duplicates += 1;
        return Ok(());
    }
    let (channel, _) = channel_accounts::config_of(tx, h.account)?;
    if channel != Channel::Messenger {
        return Err(CoreError::invalid(
            "handover",
            "only Messenger threads are handed over",
        ));
    }
    let contact = match tx
        .query_row(
            "SELECT contact_id FROM contact_identities WHERE channel = 'messenger' AND external_id = ?1",
            [&h.contact_external_id],
            |r| r.get(0),
        )
        .optional()?
    {
        Some(c) => c,
        None => messages::insert_contact(tx, &h.contact_external_id, Channel::Messenger, &h.contact_external_id, h.at)?,
    };
    let open: Option<ConversationId> = tx
        .query_row(
            "SELECT id FROM conversations WHERE channel_account_id = ?1 AND contact_id = ?2 AND status != 'resolved'
             ORDER BY id DESC LIMIT 1",
            params![h.account, contact],
            |r| r.get(0),
        )
        .optional()?;
    let conversation = match open {
        Some(id) => id,
        None => {
            let id = messages::insert_conversation(tx, h.account, contact, h.at)?;
            tx.execute(
                "UPDATE conversations SET team_id = (SELECT default_team_id FROM channel_accounts WHERE id = ?2) WHERE id = ?1",
                params![id, h.account],
            )?;
            id
        }
    };
    // Into the queue: unassigned and open, remembering which app to hand back to.
    tx.execute(
        "UPDATE conversations SET assignee_id = NULL, status = 'open', snoozed_until = NULL,
             handover_app_id = ?2, version = version + 1, last_activity_at = max(last_activity_at, ?3)
         WHERE id = ?1",
        params![conversation, h.previous_app_id, h.at],
    )?;
    let from = h
        .previous_app_id
        .as_deref()
        .map(|a| format!(" (app {a})"))
        .unwrap_or_default();
    let metadata = h.metadata.trim();
    let body = if metadata.is_empty() {
        format!("The bot{from} handed this conversation to the team.")
    } else {
        format!("The bot{from} handed this conversation to the team. Bot's note: {metadata}")
    };
    tx.execute(
        "INSERT INTO notes (conversation_id, author_user_id, body, is_handoff, created_at) VALUES (?1, NULL, ?2, 1, ?3)",
        params![conversation, body, h.at],
    )?;
    audit::append(
        tx,
        AuditEvent::new(
            AuditKind::ThreadHandedOver,
            None,
            format!("conversation:{conversation}"),
            now,
        )
        .detail(serde_json::json!({ "from_app": h.previous_app_id })),
    )?;
    applied.messages += 1;
    published.push(Event::ConversationUpdated { conversation });
    published.push(Event::NoteAdded { conversation });
    Ok(())
}
