//! Triage: a conversation's priority, and one change (status or snooze, priority, a label)
//! applied to many conversations at once, all or none, each checked, versioned and audited.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::secret::SessionToken;
use crate::service::conversation::{actionable, apply_status, changed_meanwhile, check_snooze};
use crate::service::handoff::Versioned;
use crate::service::inbox::ConversationStatus;
use crate::service::Caller;
use crate::store::conversations as conv_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// The most conversations one bulk change may touch.
pub const BULK_MAX: usize = 500;
/// The longest label, in characters (after trimming, lower case).
pub const LABEL_MAX_CHARS: usize = 40;

/// How urgent a conversation is; the list can sort by it, highest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    #[default]
    None,
    Low,
    Medium,
    High,
    Urgent,
}

impl Priority {
    /// As stored: 0 none … 4 urgent.
    pub fn level(self) -> i64 {
        self as i64
    }

    pub fn from_level(level: i64) -> Self {
        match level {
            1 => Self::Low,
            2 => Self::Medium,
            3 => Self::High,
            4 => Self::Urgent,
            _ => Self::None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }
}

/// One change for many conversations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BulkChange {
    /// Resolve, reopen, mark pending, or snooze until a time.
    Status {
        status: ConversationStatus,
        snoozed_until: Option<Timestamp>,
    },
    Priority {
        priority: Priority,
    },
    AddLabel {
        label: String,
    },
    RemoveLabel {
        label: String,
    },
}

impl BulkChange {
    fn audit_detail(&self) -> serde_json::Value {
        match self {
            Self::Status { status, .. } => serde_json::json!({ "status": status.as_str() }),
            Self::Priority { priority } => serde_json::json!({ "priority": priority.as_str() }),
            // A label is the team's own word, not customer text.
            Self::AddLabel { label } => serde_json::json!({ "add_label": label }),
            Self::RemoveLabel { label } => serde_json::json!({ "remove_label": label }),
        }
    }
}

/// A label as stored: trimmed, lower case, 1 to 40 characters.
pub(crate) fn clean_label(label: &str) -> Result<String> {
    // Counted as written (lower case can lengthen a few letters, e.g. "İ").
    let written = label.trim();
    if written.is_empty() || written.chars().count() > LABEL_MAX_CHARS {
        return Err(CoreError::invalid("label", "use 1 to 40 characters"));
    }
    Ok(written.to_lowercase())
}

impl Workspace {
    /// Sets one conversation's priority, if nobody changed it since the caller saw it.
    pub fn set_priority(
        &self,
        token: &SessionToken,
        conversation: Versioned,
        priority: Priority,
        now: Timestamp,
    ) -> Result<()> {
        let caller = self.authorize(token, now, Role::Agent, "set a conversation's priority")?;
        self.store
            .write(|tx| apply_priority(tx, &caller, conversation, priority, now))?;
        self.publish(Event::ConversationUpdated {
            conversation: conversation.id,
        });
        Ok(())
    }

    /// Applies one change to 1 to [`BULK_MAX`] conversations in one transaction: if any is
    /// out of the caller's reach or was changed meanwhile, nothing changes. Returns the
    /// conversations it changed, each at its new version (what an Undo needs); a label that
    /// is already there, or not there to take off, is no change.
    pub fn update_many(
        &self,
        token: &SessionToken,
        conversations: &[Versioned],
        change: &BulkChange,
        now: Timestamp,
    ) -> Result<Vec<Versioned>> {
        let caller = self.authorize(token, now, Role::Agent, "change conversations")?;
        if conversations.is_empty() || conversations.len() > BULK_MAX {
            return Err(CoreError::invalid(
                "conversations",
                "choose 1 to 500 conversations",
            ));
        }
        let mut ids: Vec<_> = conversations.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != conversations.len() {
            return Err(CoreError::invalid(
                "conversations",
                "name each conversation once",
            ));
        }
        let snooze = match change {
            BulkChange::Status {
                status,
                snoozed_until,
            } => check_snooze(*status, *snoozed_until, now)?,
            _ => None,
        };
        let label = match change {
            BulkChange::AddLabel { label } | BulkChange::RemoveLabel { label } => {
                Some(clean_label(label)?)
            }
            _ => None,
        };
        let changed = self.store.write(|tx| {
            let mut changed = Vec::with_capacity(conversations.len());
            for c in conversations {
                let did = match change {
                    BulkChange::Status { status, .. } => {
                        apply_status(tx, &caller, *c, *status, snooze, now).map(|()| true)?
                    }
                    BulkChange::Priority { priority } => {
                        apply_priority(tx, &caller, *c, *priority, now).map(|()| true)?
                    }
                    BulkChange::AddLabel { .. } | BulkChange::RemoveLabel { .. } => {
                        let name = label.as_deref().unwrap_or_default();
                        apply_label(tx, &caller, *c, change, name)?
                    }
                };
                if !did {
                    continue;
                }
                changed.push(Versioned {
                    id: c.id,
                    version: conv_store::version_of(tx, c.id)?,
                });
            }
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ConversationsBulkChanged,
                    Some(caller.user),
                    format!("conversations:{}", changed.len()),
                    now,
                )
                .detail(serde_json::json!({
                    "change": change.audit_detail(),
                    "conversations": changed.iter().map(|v| v.id).collect::<Vec<_>>(),
                })),
            )?;
            Ok(changed)
        })?;
        for c in &changed {
            self.publish(Event::ConversationUpdated { conversation: c.id });
        }
        Ok(changed)
    }
}

fn apply_priority(
    tx: &rusqlite::Transaction<'_>,
    caller: &Caller,
    conversation: Versioned,
    priority: Priority,
    now: Timestamp,
) -> Result<()> {
    let row = actionable(tx, caller, conversation.id)?;
    if !conv_store::set_priority(tx, conversation.id, conversation.version, priority.level())? {
        return Err(changed_meanwhile(tx, conversation.id));
    }
    audit::append(
        tx,
        AuditEvent::new(
            AuditKind::ConversationPriorityChanged,
            Some(caller.user),
            format!("conversation:{}", conversation.id),
            now,
        )
        .detail(serde_json::json!({
            "from": Priority::from_level(row.priority).as_str(),
            "to": priority.as_str(),
        })),
    )?;
    Ok(())
}

/// Adds or removes a label, versioned like any other change of the conversation; `false`
/// when there was nothing to do (the label was already there, or not there to remove).
fn apply_label(
    tx: &rusqlite::Transaction<'_>,
    caller: &Caller,
    conversation: Versioned,
    change: &BulkChange,
    name: &str,
) -> Result<bool> {
    actionable(tx, caller, conversation.id)?;
    let adding = !matches!(change, BulkChange::RemoveLabel { .. });
    let has = conv_store::labels_of(tx, conversation.id)?
        .iter()
        .any(|l| l == name);
    if has == adding {
        return Ok(false);
    }
    if !conv_store::bump_version(tx, conversation.id, conversation.version)? {
        return Err(changed_meanwhile(tx, conversation.id));
    }
    if adding {
        conv_store::add_label(tx, conversation.id, name)?;
    } else {
        conv_store::remove_label(tx, conversation.id, name)?;
    }
    Ok(true)
}
