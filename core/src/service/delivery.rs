//! The channel runtime's side of the workspace: webhook batches, the outbox, media
//! downloads and provider tasks. These calls take no session: only a process that holds
//! the workspace key (the desktop, the hub) runs a channel runtime.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::channel::account::AccountState;
use crate::channel::template::TemplateView;
use crate::channel::{Channel, ChannelEndpoint, LocalStorageView, OutboundJob, SendPayload};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, MessageId};
use crate::service::steps;
use crate::store::{channel_accounts, contacts, media, message_status, outbox, settings, tasks};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;

/// What the runtime tells an agent when the app stopped in the middle of a send.
pub const UNCONFIRMED_EXPLANATION: &str = "The app stopped while sending this message, so it \
    may or may not have reached the customer. Check before sending it again.";

/// Why a reply in an account without credentials (sample data) cannot be sent.
pub const NOT_CONNECTED: &str = "This account is not connected to Meta (it has no access \
    token), so nothing can be sent from it. An admin connects accounts under Channels.";

/// Counts of what one webhook batch changed. Every message-like event offered ends in
/// exactly one of `messages` (stored; a reaction, on its message), `set_aside` (kept for an admin with its reason)
/// or `duplicates` (stored before); `ignored` counts only statuses and watermarks about
/// messages this workspace does not hold (no customer content).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub messages: usize,
    pub duplicates: usize,
    pub statuses: usize,
    pub ignored: usize,
    pub set_aside: usize,
}

pub use crate::store::media::MediaJob;
pub use crate::store::tasks::ChannelTask;

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

impl Delivery<'_> {
    /// Connected accounts with their secrets.
    pub fn endpoints(&self) -> Result<Vec<ChannelEndpoint>> {
        self.ws.store.read(channel_accounts::endpoints)
    }

    /// Takes up to `limit` due messages from the outbox and marks them `sending`. A
    /// message in `sending` when the process stops becomes `unconfirmed` at the next start
    /// ([`Self::recover_interrupted_sends`]) and is never resent without a person.
    pub fn claim_outbox(&self, now: Timestamp, limit: i64) -> Result<Vec<OutboundJob>> {
        let (jobs, events) = self.ws.store.write(|tx| {
            // Replies in accounts that were never connected (sample data) fail with a
            // reason instead of waiting forever.
            let mut events = Vec::new();
            for (message, conversation) in outbox::orphans(tx)? {
                fail_in(tx, message, NOT_CONNECTED)?;
                events.push(steps::status_changed(conversation, message));
            }
            let mut jobs = Vec::new();
            for row in outbox::due(tx, now, limit)? {
                let outbox::DueRow {
                    message,
                    attempts,
                    payload,
                    conversation,
                    body,
                    account,
                    kind,
                    to,
                } = row;
                let channel = Channel::parse(&kind).ok_or(CoreError::NotFound {
                    what: "The channel",
                })?;
                let payload: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
                let tag = payload
                    .get("tag")
                    .and_then(|t| t.as_str())
                    .map(str::to_string);
                let send = send_payload(tx, message, &payload, body)?;
                // A forward goes to the address it names, not to the customer.
                let forward = payload.get("kind").and_then(|k| k.as_str()) == Some("forward");
                let to = if forward {
                    Some(json_str(&payload, "to"))
                } else {
                    to
                };
                let Some(to) = to else {
                    fail_in(tx, message, "The customer has no address on this channel.")?;
                    events.push(steps::status_changed(conversation, message));
                    continue;
                };
                let email = match channel {
                    // One mailbox with unreadable settings fails its own replies, not the claim.
                    Channel::Email => {
                        match steps::reply_headers(tx, account, conversation, message) {
                            Ok(mut headers) => {
                                headers.cc = json_list(&payload, "cc");
                                headers.bcc = json_list(&payload, "bcc");
                                if forward {
                                    forward_headers(&mut headers, &payload);
                                }
                                Some(headers)
                            }
                            Err(
                                e @ (CoreError::InvalidInput { .. } | CoreError::NotFound { .. }),
                            ) => {
                                fail_in(tx, message, &format!("The mailbox cannot send: {e}"))?;
                                events.push(steps::status_changed(conversation, message));
                                continue;
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    _ => None,
                };
                outbox::mark_sending(tx, message)?;
                message_status::mark_sending(tx, message)?;
                events.push(steps::status_changed(conversation, message));
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
                    reply_to: Some(json_str(&payload, "reply_to")).filter(|r| !r.is_empty()),
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
            outbox::mark_sent(tx, message)?;
            steps::set_external_id(tx, message, external_id)?;
            steps::raise_status(tx, message, "sent", None)?;
            message_status::conversation_of(tx, message)
        })?;
        self.ws
            .publish(steps::status_changed(conversation, message));
        Ok(())
    }

    /// A send failed in a way worth retrying (429, 5xx, timeout): try again at `at`.
    pub fn outbox_retry(&self, message: MessageId, at: Timestamp, reason: &str) -> Result<()> {
        let conversation = self.ws.store.write(|tx| {
            if outbox::retry(tx, message, at, reason)? > 0 {
                message_status::requeue_sending(tx, message)?;
            }
            message_status::conversation_of(tx, message)
        })?;
        self.ws
            .publish(steps::status_changed(conversation, message));
        Ok(())
    }

    /// A send failed for good; `explanation` is shown to the agent.
    pub fn outbox_failed(&self, message: MessageId, explanation: &str) -> Result<()> {
        let conversation = self.ws.store.write(|tx| {
            fail_in(tx, message, explanation)?;
            message_status::conversation_of(tx, message)
        })?;
        self.ws
            .publish(steps::status_changed(conversation, message));
        Ok(())
    }

    /// Meta's answer to a send was lost or unreadable: it may have the message. Shown
    /// to the agent as unconfirmed, never resent automatically.
    pub fn outbox_unconfirmed(&self, message: MessageId, reason: &str) -> Result<()> {
        let conversation = self.ws.store.write(|tx| {
            if outbox::mark_unconfirmed(tx, message, reason)? > 0 {
                message_status::mark_unconfirmed(
                    tx,
                    message,
                    &format!("{UNCONFIRMED_EXPLANATION} ({reason})"),
                )?;
            }
            message_status::conversation_of(tx, message)
        })?;
        self.ws
            .publish(steps::status_changed(conversation, message));
        Ok(())
    }

    /// Run once at start: sends left in `sending` by a stopped process become
    /// `unconfirmed`, shown to the agent, and are not sent again automatically.
    pub fn recover_interrupted_sends(&self) -> Result<usize> {
        self.ws.store.write(|tx| {
            message_status::mark_interrupted(tx, UNCONFIRMED_EXPLANATION)?;
            outbox::mark_interrupted(tx)
        })
    }

    /// Takes up to `limit` due media downloads, leased for ten minutes.
    pub fn claim_media(&self, now: Timestamp, limit: i64) -> Result<Vec<MediaJob>> {
        self.ws.store.write(|tx| media::claim(tx, now, limit))
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
            crate::store::messages::insert_attachment(
                tx,
                job.message,
                &job.media.file_name,
                mime_type,
                data,
                now,
            )?;
            media::mark_done(tx, job.id)
        })?;
        self.ws
            .publish(steps::status_changed(job.conversation, job.message));
        Ok(())
    }

    /// Try the download again at `at`.
    pub fn media_retry(&self, job: &MediaJob, at: Timestamp, reason: &str) -> Result<()> {
        self.ws
            .store
            .write(|tx| media::retry(tx, job.id, at, reason))
    }

    /// The file cannot be had; the message says so where the agent reads it.
    pub fn media_failed(&self, job: &MediaJob, reason: &str) -> Result<()> {
        self.ws.store.write(|tx| {
            media::mark_failed(tx, job.id, reason)?;
            message_status::set_failure(
                tx,
                job.message,
                &format!("The file could not be downloaded: {reason}"),
            )
        })?;
        self.ws
            .publish(steps::status_changed(job.conversation, job.message));
        Ok(())
    }

    /// Takes up to `limit` due provider tasks, leased for ten minutes.
    pub fn claim_tasks(&self, now: Timestamp, limit: i64) -> Result<Vec<ChannelTask>> {
        self.ws.store.write(|tx| tasks::claim(tx, now, limit))
    }

    /// Finishes a task: done, retried at `retry_at`, or failed for good with `error`.
    pub fn finish_task(&self, task: &ChannelTask, outcome: TaskOutcome<'_>) -> Result<()> {
        let now = Timestamp::now();
        let noted = self.ws.store.write(|tx| {
            let ended = match outcome {
                TaskOutcome::Done => {
                    tasks::mark_done(tx, task.id)?;
                    Some(None)
                }
                TaskOutcome::Retry { at, error } => {
                    tasks::retry(tx, task.id, at, error)?;
                    None
                }
                TaskOutcome::Failed { error } => {
                    tasks::mark_failed(tx, task.id, error)?;
                    // A refused take or request is Meta's answer about one conversation
                    // (noted there), not a broken account.
                    if !task.kind.ends_with("_thread_control") {
                        let mut state = channel_accounts::state_of(tx, task.account)?;
                        state.last_error = Some(error.to_string());
                        channel_accounts::set_state(tx, task.account, &state)?;
                    }
                    Some(Some(error))
                }
            };
            // An agent's take or request of a Messenger thread: the outcome in its conversation.
            match ended {
                Some(error)
                    if task.kind.ends_with("_thread_control")
                        && task.kind != "pass_thread_control" =>
                {
                    crate::service::thread_control::note_outcome(
                        tx,
                        &task.kind,
                        &task.payload,
                        error,
                        now,
                    )
                }
                _ => Ok(None),
            }
        })?;
        self.ws.publish(Event::ChannelsChanged);
        if let Some(conversation) = noted {
            self.ws.publish(Event::NoteAdded { conversation });
        }
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
            let Some(contact) = contacts::unnamed(tx, channel, address)? else {
                return Ok(None);
            };
            contacts::rename(tx, contact, &name)?;
            Ok(Some(contacts::conversations_of(tx, contact)?))
        })?;
        for conversation in changed.into_iter().flatten() {
            self.ws.publish(Event::ConversationUpdated { conversation });
        }
        Ok(())
    }

    /// The hosts this workspace may connect to.
    pub fn egress_policy(&self) -> Result<crate::privacy::egress::EgressPolicy> {
        self.ws.store.read(settings::egress_policy)
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
                "A connection to {host} was refused: it is not on this workspace's allowed hosts (Residency → Allowed outgoing connections)."
            ));
            channel_accounts::set_state(tx, account, &state)
        })?;
        self.ws.publish(Event::ChannelsChanged);
        Ok(())
    }

    /// Where the Messenger poller stopped last time (provider's `updated_time`).
    pub fn poll_cursor(&self, account: ChannelAccountId) -> Result<Option<String>> {
        self.ws.store.read(|c| settings::poll_cursor(c, account))
    }

    pub fn set_poll_cursor(&self, account: ChannelAccountId, cursor: &str) -> Result<()> {
        self.ws
            .store
            .write(|tx| settings::set_poll_cursor(tx, account, cursor))
    }
}

/// How a provider task ended.
#[derive(Clone, Copy, Debug)]
pub enum TaskOutcome<'a> {
    Done,
    Retry { at: Timestamp, error: &'a str },
    Failed { error: &'a str },
}

/// The strings of array `key` in an outbox payload (an e-mail reply's copies).
fn json_list(value: &serde_json::Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(|v| v.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn json_str(value: &serde_json::Value, key: &str) -> String {
    value
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

/// A forward starts a thread of its own: its subject, no In-Reply-To or References, and
/// answers go to the plain mailbox address (not the conversation's reply-to token).
fn forward_headers(headers: &mut crate::channel::mail::ReplyHeaders, payload: &serde_json::Value) {
    headers.subject = json_str(payload, "subject");
    headers.in_reply_to = None;
    headers.references.clear();
    headers.reply_to = headers.from_address.clone();
}

/// What the provider is asked to send for a due outbox row.
fn send_payload(
    conn: &Connection,
    message: MessageId,
    payload: &serde_json::Value,
    body: String,
) -> Result<SendPayload> {
    Ok(match payload.get("kind").and_then(|k| k.as_str()) {
        Some("template") => {
            let texts = |key: &str| -> Vec<String> {
                payload
                    .get(key)
                    .and_then(|p| p.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let header_format = json_str(payload, "header_format");
            let header_file = match header_format.as_str() {
                "" => None,
                _ => outbox::first_file(conn, message)?.map(|file| (header_format, file)),
            };
            SendPayload::Template {
                name: json_str(payload, "name"),
                language: json_str(payload, "language"),
                parameters: texts("parameters"),
                header: texts("header"),
                header_file,
                buttons: payload
                    .get("buttons")
                    .cloned()
                    .and_then(|b| serde_json::from_value(b).ok())
                    .unwrap_or_default(),
            }
        }
        // A place or contact cards: what was stored with the message is what goes.
        Some("card") => match crate::store::message_content::of(conn, &[message])?.pop() {
            Some((_, card)) => SendPayload::Card(card),
            None => SendPayload::Text { body },
        },
        Some("media") => match outbox::first_file(conn, message)? {
            Some(file) => SendPayload::Media {
                caption: body,
                file,
            },
            None => SendPayload::Text { body },
        },
        // An e-mail reply with files: its text and every file stored with it.
        Some("mail") => SendPayload::Mail {
            body,
            files: outbox::files_of(conn, message)?,
            html: crate::store::mail::html_of(conn, message)?,
        },
        Some("forward") => SendPayload::Mail {
            body: json_str(payload, "text"),
            files: crate::store::forwards::files(
                conn,
                &payload
                    .get("files")
                    .and_then(|f| f.as_array())
                    .map(|ids| ids.iter().filter_map(|i| i.as_i64()).collect::<Vec<_>>())
                    .unwrap_or_default(),
            )?,
            html: None,
        },
        Some("choices") => SendPayload::Choices {
            // An agent's question: its text alone (the message shows the options too).
            body: payload
                .get("text")
                .and_then(|t| t.as_str())
                .map(str::to_string)
                .unwrap_or(body),
            button: json_str(payload, "button"),
            choices: payload
                .get("choices")
                .cloned()
                .and_then(|c| serde_json::from_value(c).ok())
                .unwrap_or_default(),
        },
        _ => SendPayload::Text { body },
    })
}

/// Our own attempt failed for good. A message the provider already reported (sent,
/// delivered) keeps that state: only an outbox row still in our hands fails.
fn fail_in(conn: &Connection, message: MessageId, explanation: &str) -> Result<()> {
    if outbox::fail_ours(conn, message, explanation)? > 0 {
        steps::raise_status(conn, message, "failed", Some(explanation))?;
    }
    Ok(())
}
