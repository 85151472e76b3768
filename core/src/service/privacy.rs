//! Admins answer customers' privacy requests: find the contact, export everything about
//! them as JSON plus files, or erase everything, leaving a content-free audit record.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::ids::ContactId;
use crate::privacy::request::{self, ContactMatch, ErasureSummary};
use crate::secret::SessionToken;
use crate::time::Timestamp;
use crate::workspace::Workspace;
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

fn write_private(path: &Path, data: &[u8]) -> Result<()> {
    crate::workspace::write_new_file(path, data)
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
        self.store.read(|c| request::find(c, query))
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
            .read(|c| request::gather(c, contact, include_notes, now))?;
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
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&folder).map_err(io)?;
        builder.create(folder.join("files")).map_err(io)?;
        let json =
            serde_json::to_vec_pretty(&document).map_err(|e| CoreError::Storage(e.to_string()))?;
        write_private(&folder.join("contact.json"), &json)?;
        for file in &files {
            write_private(&folder.join(&file.path), &file.data)?;
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
            let summary = request::erase(tx, contact)?;
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
