//! Working one conversation: reply (into the outbox of its channel), private notes,
//! status (open, pending, snoozed, resolved), labels, and canned replies with placeholders.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ConversationId, MessageId, UserId};
use crate::secret::SessionToken;
use crate::service::drafts::DraftMode;
use crate::service::handoff::Versioned;
use crate::service::inbox::{ConversationStatus, NoteView};
use crate::service::steps::check_text;
use crate::service::Caller;
use crate::store::conversations as conv_store;
use crate::store::{canned_replies, users as user_store};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use serde::Serialize;

/// The longest internal note, in characters.
pub const NOTE_BODY_MAX_CHARS: usize = 4000;
/// The longest canned reply title, in characters.
pub const CANNED_TITLE_MAX_CHARS: usize = 80;

pub use crate::service::outgoing::REPLY_MAX_CHARS;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CannedReply {
    pub id: i64,
    pub title: String,
    pub body: String,
}

impl Workspace {
    /// Adds a private note, seen by colleagues only. Colleagues it names (`@username`)
    /// must be able to see the conversation; each is told (an event) and finds it under
    /// Mentions.
    pub fn add_note(
        &self,
        token: &SessionToken,
        id: ConversationId,
        body: &str,
        now: Timestamp,
    ) -> Result<NoteView> {
        let caller = self.authorize(token, now, Role::Agent, "add notes")?;
        let body = check_text("note", body, NOTE_BODY_MAX_CHARS)?;
        let (note, mentioned) = self.store.write(|tx| {
            conv_store::visible(tx, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            let mentioned = crate::service::mentions::resolve(tx, &caller, id, &body)?;
            let note = conv_store::insert_note(tx, id, caller.user, &body, false, now)?;
            for user in &mentioned {
                crate::store::mentions::insert(tx, note, id, *user, now)?;
            }
            // The note is written: the caller's note draft goes in the same transaction.
            crate::store::drafts::delete(tx, caller.user, id, DraftMode::Note.as_str())?;
            let author = user_store::require(tx, caller.user)?.display_name;
            let view = NoteView {
                id: note,
                author,
                body,
                is_handoff: false,
                at: now,
            };
            Ok((view, mentioned))
        })?;
        self.publish(Event::NoteAdded { conversation: id });
        for user in mentioned {
            self.publish(Event::Mentioned {
                conversation: id,
                user,
                by: caller.user,
            });
        }
        Ok(note)
    }

    /// Resolves, reopens, marks pending or snoozes a conversation.
    pub fn set_status(
        &self,
        token: &SessionToken,
        conversation: Versioned,
        status: ConversationStatus,
        snoozed_until: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<()> {
        let caller = self.authorize(token, now, Role::Agent, "change a conversation's status")?;
        let snooze = check_snooze(status, snoozed_until, now)?;
        self.store
            .write(|tx| apply_status(tx, &caller, conversation, status, snooze, now))?;
        self.publish(Event::ConversationUpdated {
            conversation: conversation.id,
        });
        Ok(())
    }

    /// Marks the conversation's customer do-not-contact (or lifts it). Agents may set it;
    /// only leads and admins may lift it.
    pub fn set_do_not_contact(
        &self,
        token: &SessionToken,
        id: ConversationId,
        value: bool,
        now: Timestamp,
    ) -> Result<()> {
        let caller = self.authorize(token, now, Role::Agent, "change do-not-contact")?;
        if !value {
            caller.require(Role::Lead, "lift do-not-contact")?;
        }
        self.store.write(|tx| {
            let row = conv_store::visible(tx, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            conv_store::set_do_not_contact(tx, row.contact_id, value)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ContactOptedOut,
                    Some(caller.user),
                    format!("contact:{}", row.contact_id),
                    now,
                )
                .detail(serde_json::json!({ "do_not_contact": value, "conversation": id })),
            )?;
            Ok(())
        })?;
        self.publish(Event::ConversationUpdated { conversation: id });
        Ok(())
    }

    pub fn set_labels(
        &self,
        token: &SessionToken,
        id: ConversationId,
        labels: &[String],
        now: Timestamp,
    ) -> Result<Vec<String>> {
        let caller = self.authorize(token, now, Role::Agent, "label conversations")?;
        // A label too long or blank is refused in words, never dropped unseen.
        let mut clean = labels
            .iter()
            .map(|l| crate::service::triage::clean_label(l))
            .collect::<Result<Vec<String>>>()?;
        clean.sort();
        clean.dedup();
        self.store.write(|tx| {
            conv_store::visible(tx, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            conv_store::set_labels(tx, id, &clean)
        })?;
        self.publish(Event::ConversationUpdated { conversation: id });
        Ok(clean)
    }

    pub fn list_canned_replies(
        &self,
        token: &SessionToken,
        now: Timestamp,
    ) -> Result<Vec<CannedReply>> {
        self.authorize(token, now, Role::Agent, "use canned replies")?;
        self.store.read(|c| {
            Ok(canned_replies::list(c)?
                .into_iter()
                .map(|(id, title, body)| CannedReply { id, title, body })
                .collect())
        })
    }

    /// Leads and admins write canned replies. Placeholders: `{{contact.name}}`,
    /// `{{contact.first_name}}`, `{{agent.name}}`, `{{agent.first_name}}`.
    pub fn create_canned_reply(
        &self,
        token: &SessionToken,
        title: &str,
        body: &str,
        now: Timestamp,
    ) -> Result<CannedReply> {
        let caller = self.authorize(token, now, Role::Lead, "write canned replies")?;
        let title = check_text("title", title, CANNED_TITLE_MAX_CHARS)?;
        let body = check_text("canned reply", body, REPLY_MAX_CHARS)?;
        self.store.write(|tx| {
            let id = canned_replies::insert(tx, &title, &body, caller.user, now)?;
            Ok(CannedReply { id, title, body })
        })
    }

    /// A canned reply with its placeholders filled for this conversation and agent.
    pub fn render_canned_reply(
        &self,
        token: &SessionToken,
        id: ConversationId,
        canned: i64,
        now: Timestamp,
    ) -> Result<String> {
        let caller = self.authorize(token, now, Role::Agent, "use canned replies")?;
        self.store.read(|c| {
            let row = conv_store::visible(c, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            let body = canned_replies::body_of(c, canned).map_err(|_| CoreError::NotFound {
                what: "The canned reply",
            })?;
            let agent = user_store::require(c, caller.user)?.display_name;
            Ok(fill_placeholders(&body, &row.contact_name, &agent))
        })
    }
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or(s)
}

/// Replaces the known placeholders; unknown `{{…}}` stay as typed so the agent sees them.
/// The snooze time to store: required and in the future for `Snoozed`, none otherwise.
pub(crate) fn check_snooze(
    status: ConversationStatus,
    snoozed_until: Option<Timestamp>,
    now: Timestamp,
) -> Result<Option<Timestamp>> {
    match (status, snoozed_until) {
        (ConversationStatus::Snoozed, Some(until)) if until > now => Ok(Some(until)),
        (ConversationStatus::Snoozed, _) => {
            Err(CoreError::invalid("snooze", "choose a time in the future"))
        }
        _ => Ok(None),
    }
}

/// A conversation the caller sees and may act on, at the version they saw.
pub(crate) fn actionable(
    tx: &rusqlite::Transaction<'_>,
    caller: &Caller,
    id: ConversationId,
) -> Result<conv_store::ConversationRowData> {
    let row = conv_store::visible(tx, caller.viewer(), id)?.ok_or(CoreError::NotFound {
        what: "The conversation",
    })?;
    if !caller.may_act_on(&row) {
        return Err(CoreError::Forbidden {
            action: "change a conversation assigned to someone else",
        });
    }
    Ok(row)
}

/// The refusal when someone changed the conversation after the caller loaded it.
pub(crate) fn changed_meanwhile(tx: &rusqlite::Transaction<'_>, id: ConversationId) -> CoreError {
    let who = conv_store::last_changed_by(tx, id)
        .ok()
        .flatten()
        .unwrap_or_else(|| "someone".into());
    CoreError::Conflict(format!(
        "{who} changed this conversation meanwhile; reload it and try again."
    ))
}

/// One status change inside a write: checks, versioned update, audit, and the thread
/// handed back to the bot when resolved.
pub(crate) fn apply_status(
    tx: &rusqlite::Transaction<'_>,
    caller: &Caller,
    conversation: Versioned,
    status: ConversationStatus,
    snooze: Option<Timestamp>,
    now: Timestamp,
) -> Result<()> {
    let row = actionable(tx, caller, conversation.id)?;
    if !conv_store::set_status(
        tx,
        conversation.id,
        conversation.version,
        status.as_str(),
        snooze,
    )? {
        return Err(changed_meanwhile(tx, conversation.id));
    }
    if row.status != status.as_str() {
        conv_store::record_status_change(
            tx,
            conversation.id,
            &row.status,
            status.as_str(),
            Some(caller.user),
            now,
        )?;
    }
    audit::append(
        tx,
        AuditEvent::new(
            AuditKind::ConversationStatusChanged,
            Some(caller.user),
            format!("conversation:{}", conversation.id),
            now,
        )
        .detail(serde_json::json!({ "from": row.status, "to": status.as_str() })),
    )?;
    if status == ConversationStatus::Resolved {
        hand_thread_back(tx, conversation.id, now)?;
        crate::service::steps::satisfaction::schedule(tx, conversation.id, now)?;
    }
    Ok(())
}

pub fn fill_placeholders(body: &str, contact: &str, agent: &str) -> String {
    body.replace("{{contact.name}}", contact)
        .replace("{{contact.first_name}}", first_word(contact))
        .replace("{{agent.name}}", agent)
        .replace("{{agent.first_name}}", first_word(agent))
}

/// The author of a message, for tests and the channel adapters.
pub fn message_author(ws: &Workspace, id: MessageId) -> Result<Option<UserId>> {
    ws.store
        .read(|c| crate::store::message_status::author_of(c, id))
}

/// Resolving a Messenger conversation a bot handed over passes thread control back to it
/// (the channel runtime makes the call).
fn hand_thread_back(tx: &rusqlite::Connection, id: ConversationId, now: Timestamp) -> Result<()> {
    if let Some((account, app, psid)) = conv_store::handed_over_by(tx, id)? {
        crate::store::tasks::insert(
            tx,
            account,
            "pass_thread_control",
            &serde_json::json!({ "psid": psid, "target_app_id": app }),
            now,
        )?;
        conv_store::clear_handover(tx, id)?;
    }
    Ok(())
}

impl crate::service::residency::Maintenance<'_> {
    /// Opens every snoozed conversation whose time has come (`now` passed in), audited
    /// and published; returns how many. The channel runtime calls it every half minute.
    pub fn wake_snoozed(&self, now: Timestamp) -> Result<usize> {
        let ws = self.workspace();
        let woken = ws.store.write(|tx| {
            let woken = conv_store::wake_snoozed(tx, now)?;
            for id in &woken {
                audit::append(
                    tx,
                    AuditEvent::new(
                        AuditKind::ConversationStatusChanged,
                        None,
                        format!("conversation:{id}"),
                        now,
                    )
                    .detail(serde_json::json!({
                        "from": "snoozed", "to": "open", "why": "snooze ended",
                    })),
                )?;
            }
            Ok(woken)
        })?;
        for &conversation in &woken {
            ws.publish(Event::ConversationUpdated { conversation });
        }
        if !woken.is_empty() {
            tracing::info!(count = woken.len(), "snoozed conversations woke");
        }
        Ok(woken.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let out = fill_placeholders(
            "Hi {{contact.first_name}}, {{agent.name}} here ({{agent.first_name}}). {{order.id}}",
            "Sheena Nelson",
            "Alex Agent",
        );
        assert_eq!(out, "Hi Sheena, Alex Agent here (Alex). {{order.id}}");
    }
}
