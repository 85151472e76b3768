//! Admins answer customers' privacy requests: find the contact, export everything about
//! them as JSON plus files, or erase everything, leaving a content-free audit record.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::fs::{create_private_dir, write_new_file};
use crate::ids::{ContactId, ConversationId};
use crate::privacy::request::{
    address_digits, safe_file_name, ContactMatch, ErasureSummary, ExportFile,
};
use crate::secret::SessionToken;
use crate::store::mail_addresses;
use crate::store::privacy::{
    self as privacy_store, ExportAttachment, ExportConversation, ExportMessage,
};
use crate::store::search::fts_query;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where an export was written and what it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportSummary {
    pub folder: String,
    pub conversations: i64,
    pub messages: i64,
    pub files: i64,
}

/// Contacts whose address equals `query` (phone digits compared without `+` and spaces)
/// or whose name or address matches it as words.
fn find(conn: &Connection, query: &str) -> Result<Vec<ContactMatch>> {
    let query = query.trim();
    if query.chars().count() < 2 {
        return Err(CoreError::invalid("search", "type at least two characters"));
    }
    let digits = address_digits(query);
    let mut ids = privacy_store::ids_by_address(conn, query, &digits)?;
    if let Ok(fts) = fts_query(query) {
        for id in privacy_store::ids_by_words(conn, &fts)? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids.into_iter()
        .map(|id| privacy_store::describe(conn, id))
        .collect()
}

/// One conversation of an export: its messages (only those in `only`, when given),
/// their files added to `files`, and its internal notes when asked for.
fn conversation_entry(
    conn: &Connection,
    conversation: ConversationId,
    only: Option<&[crate::ids::MessageId]>,
    include_notes: bool,
    files: &mut Vec<ExportFile>,
    message_count: &mut i64,
) -> Result<serde_json::Value> {
    let ExportConversation {
        channel,
        account,
        subject,
        status,
        started,
    } = privacy_store::export_conversation(conn, conversation)?;
    let mut messages = Vec::new();
    for row in privacy_store::export_messages(conn, conversation)? {
        if only.is_some_and(|ids| !ids.contains(&crate::ids::MessageId::new(row.id))) {
            continue;
        }
        let ExportMessage {
            id: message,
            direction,
            author,
            body,
            status,
            at,
            external_id,
        } = row;
        *message_count += 1;
        let mut attachments = Vec::new();
        for found in privacy_store::export_attachments(conn, message)? {
            let ExportAttachment {
                id: attachment,
                file_name,
                mime_type,
                size,
                sha256,
                data,
            } = found;
            let safe = safe_file_name(&file_name);
            let path = format!("files/{attachment}-{safe}");
            attachments.push(serde_json::json!({
                "file_name": file_name, "mime_type": mime_type, "size": size,
                "sha256": sha256.to_ascii_lowercase(), "path": path
            }));
            files.push(ExportFile { path, data });
        }
        let reactions: Vec<serde_json::Value> =
            crate::store::reactions::of(conn, &[crate::ids::MessageId::new(message)])?
                .into_iter()
                .map(|r| {
                    serde_json::json!({
                        "emoji": r.emoji, "by": if r.by_customer { "customer" } else { "us" }
                    })
                })
                .collect();
        // What it held besides text (a place, contact cards, an order…), as shown.
        let content =
            crate::store::message_content::of(conn, &[crate::ids::MessageId::new(message)])?
                .pop()
                .map(|(_, c)| c);
        messages.push(serde_json::json!({
            "id": message, "direction": direction, "author": author, "text": body, "status": status,
            "at": at.to_rfc3339(), "channel_message_id": external_id, "attachments": attachments,
            "reactions": reactions, "content": content
        }));
    }
    let mut entry = serde_json::json!({
        "id": conversation, "channel": channel, "account": account, "subject": subject,
        "status": status, "started_at": started.to_rfc3339(), "messages": messages
    });
    if include_notes {
        let notes: Vec<serde_json::Value> = crate::store::conversations::notes_of(conn, conversation)?
            .into_iter()
            .map(|n| serde_json::json!({ "author": n.author, "text": n.body, "handoff": n.is_handoff, "at": n.at.to_rfc3339() }))
            .collect();
        entry["internal_notes"] = serde_json::Value::Array(notes);
    }
    Ok(entry)
}

/// Everything about a contact: the JSON document, the attachment files and the number
/// of messages.
fn gather(
    conn: &Connection,
    id: ContactId,
    include_notes: bool,
    now: Timestamp,
) -> Result<(serde_json::Value, Vec<ExportFile>, i64)> {
    let contact = privacy_store::describe(conn, id)?;
    let (do_not_contact, created_at) = privacy_store::flags_of(conn, id)?;
    let mut files = Vec::new();
    let mut conversations = Vec::new();
    let mut message_count = 0;
    for conversation in privacy_store::conversations_of(conn, id)? {
        conversations.push(conversation_entry(
            conn,
            conversation,
            None,
            include_notes,
            &mut files,
            &mut message_count,
        )?);
    }
    // Threads of other customers this person was copied in on (or wrote into): only
    // the mails that name them, and no internal notes (those are about the other customer).
    for (channel, address) in crate::store::contacts::identities(conn, id)? {
        if channel != "email" {
            continue;
        }
        for conversation in mail_addresses::conversations_copied(conn, &address, id)? {
            let only = mail_addresses::messages_naming(conn, conversation, &address)?;
            let mut entry = conversation_entry(
                conn,
                conversation,
                Some(&only),
                false,
                &mut files,
                &mut message_count,
            )?;
            entry["copied_in_as"] = serde_json::json!(address);
            conversations.push(entry);
        }
    }
    let document = serde_json::json!({
        "format": "appcare-contact-export/1",
        "exported_at": now.to_rfc3339(),
        "contact": {
            "id": id, "name": contact.name, "identities": contact.identities,
            "do_not_contact": do_not_contact, "first_seen": created_at.to_rfc3339()
        },
        "conversations": conversations,
        "consent": crate::service::consent::views_of(conn, id)?,
        "internal_notes_included": include_notes,
    });
    Ok((document, files, message_count))
}

impl Workspace {
    /// Contacts matching a name, phone number, PSID or e-mail address.
    pub fn find_contacts(
        &self,
        token: &SessionToken,
        query: &str,
        now: Timestamp,
    ) -> Result<Vec<ContactMatch>> {
        self.authorize(token, now, Role::Admin, "answer privacy requests")?;
        self.store.read(|c| find(c, query))
    }

    /// Writes everything about a contact into a new folder under `destination`:
    /// `contact.json` and `files/`. Internal notes only when asked for.
    pub fn export_contact(
        &self,
        token: &SessionToken,
        contact: ContactId,
        include_notes: bool,
        destination: &Path,
        now: Timestamp,
    ) -> Result<ExportSummary> {
        let caller = self.authorize(token, now, Role::Admin, "answer privacy requests")?;
        let (document, files, messages) = self
            .store
            .read(|c| gather(c, contact, include_notes, now))?;
        let conversations = document["conversations"]
            .as_array()
            .map_or(0, |a| a.len() as i64);
        let day = now.to_rfc3339().chars().take(10).collect::<String>();
        let folder: PathBuf = destination.join(format!(
            "appcare-export-contact-{contact}-{day}-{}",
            now.unix()
        ));
        if folder.exists() {
            return Err(CoreError::Conflict(format!(
                "{} already exists.",
                folder.display()
            )));
        }
        let io = |e: std::io::Error| {
            CoreError::invalid(
                "export folder",
                format!("cannot write {}: {e}", folder.display()),
            )
        };
        std::fs::create_dir_all(destination).map_err(io)?;
        create_private_dir(&folder).map_err(io)?;
        create_private_dir(&folder.join("files")).map_err(io)?;
        let json =
            serde_json::to_vec_pretty(&document).map_err(|e| CoreError::Storage(e.to_string()))?;
        write_new_file(&folder.join("contact.json"), &json)?;
        for file in &files {
            write_new_file(&folder.join(&file.path), &file.data)?;
        }
        self.store.write(|tx| {
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ContactExported,
                    Some(caller.user),
                    format!("contact:{contact}"),
                    now,
                )
                .detail(serde_json::json!({
                    "conversations": conversations, "messages": messages,
                    "files": files.len(), "internal_notes": include_notes
                })),
            )
        })?;
        Ok(ExportSummary {
            folder: folder.display().to_string(),
            conversations,
            messages,
            files: files.len() as i64,
        })
    }

    /// Erases everything about a contact (messages, attachments, search entries, queued
    /// downloads and sends, notes, the contact) and squeezes the deleted pages out of the
    /// write-ahead log. Only a content-free audit record remains.
    pub fn erase_contact(
        &self,
        token: &SessionToken,
        contact: ContactId,
        now: Timestamp,
    ) -> Result<ErasureSummary> {
        let caller = self.authorize(token, now, Role::Admin, "answer privacy requests")?;
        let summary = self.store.write(|tx| {
            let summary = privacy_store::erase(tx, contact)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ContactErased,
                    Some(caller.user),
                    format!("contact:{contact}"),
                    now,
                )
                .detail(serde_json::json!({
                    "conversations": summary.conversations,
                    "messages": summary.messages,
                    "attachments": summary.attachments
                })),
            )?;
            Ok(summary)
        })?;
        // secure_delete zeroed the freed pages in the database; the WAL still holds the
        // old page images until it is checkpointed and truncated.
        if self.store.checkpoint().is_err() {
            self.publish(crate::events::Event::SettingsChanged);
            return Err(CoreError::Conflict(format!(
                "The customer was erased ({} messages), but another program is reading this \
                 workspace (the app on another account, or `appcare serve`), so old copies stay \
                 in the write-ahead log until it closes. Close it to finish the erasure.",
                summary.messages
            )));
        }
        self.publish(crate::events::Event::SettingsChanged);
        Ok(summary)
    }
}
