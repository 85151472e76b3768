//! Two contacts that are one person: suggestions (the same name, phone number or e-mail
//! address), the merge (every address
//! and conversation moves to the kept contact; an opt-out carries over; audited) and its
//! undo by the same person for a while afterwards. Export and erasure then reach the
//! whole person, and the privacy search finds them once.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ContactId, ContactMergeId, ConversationId};
use crate::secret::SessionToken;
use crate::service::contacts::{ContactIdentity, PANEL_CONVERSATIONS};
use crate::service::Caller;
use crate::store::conversations as conv_store;
use crate::store::{contacts as contact_store, merges};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// How long after a merge its author may undo it (about a working session).
pub const UNDO_MERGE_SECONDS: i64 = 8 * 60 * 60;
/// The most suggestions shown for one contact.
pub const MAX_SUGGESTIONS: i64 = 10;

/// Another contact that may be the same person. No `Debug`: it holds a customer's name.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MergeCandidate {
    pub id: ContactId,
    pub name: String,
    pub identities: Vec<ContactIdentity>,
    /// Their conversations the caller may see.
    pub conversations: i64,
    /// Why it is suggested, in plain words ("Same name").
    pub reason: String,
}

/// A merge done: what moved, and the id its Undo needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactMerge {
    pub id: ContactMergeId,
    pub kept: ContactId,
    pub merged: ContactId,
    pub identities: i64,
    pub conversations: i64,
}

/// A phone number written any way (`+49 151 2345678`): its digits, when there are 7 to 15
/// and nothing else but spaces, `+`, `-`, `.` and brackets.
pub(crate) fn phone_digits(text: &str) -> Option<String> {
    let t = text.trim();
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
    {
        return None;
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    (7..=15).contains(&digits.len()).then_some(digits)
}

/// Contacts that may be `contact` (named `name`), each with why, best reason first: the
/// same name; the same phone number (one named with a number another is known by on
/// WhatsApp, or named with the same number); the same e-mail address (likewise).
fn candidates(
    c: &Connection,
    contact: ContactId,
    name: &str,
) -> Result<Vec<(ContactId, &'static str)>> {
    let limit = MAX_SUGGESTIONS * 5;
    let mut out: Vec<(ContactId, &'static str)> = merges::same_name(c, contact, name, limit)?
        .into_iter()
        .map(|id| (id, "Same name"))
        .collect();
    // Named with an address: whoever is known by it.
    if let Some(digits) = phone_digits(name) {
        for id in merges::with_identity(c, contact, "whatsapp", &digits)? {
            out.push((id, "Same phone number"));
        }
    }
    if let Some(address) = crate::channel::email::normalize_address(name) {
        for id in merges::with_identity(c, contact, "email", &address)? {
            out.push((id, "Same e-mail address"));
        }
    }
    // Known by an address: whoever is named with it.
    for (channel, address) in contact_store::identities(c, contact)? {
        let (reason, spellings) = match channel.as_str() {
            "whatsapp" if phone_digits(&address).is_some() => (
                "Same phone number",
                vec![address.clone(), format!("+{address}")],
            ),
            "email" => ("Same e-mail address", vec![address.clone()]),
            _ => continue,
        };
        for spelling in spellings {
            for id in merges::same_name(c, contact, &spelling, limit)? {
                out.push((id, reason));
            }
        }
    }
    Ok(out)
}

/// The contact's conversations the caller sees, refused as not found when none (no hint
/// the contact exists), and whether the caller may act on one of them.
fn reach(conn: &Connection, caller: &Caller, contact: ContactId) -> Result<(i64, bool)> {
    let rows = conv_store::of_contact(conn, caller.viewer(), contact, PANEL_CONVERSATIONS)?;
    if rows.is_empty() {
        return Err(CoreError::NotFound {
            what: "The customer",
        });
    }
    Ok((rows.len() as i64, rows.iter().any(|r| caller.may_act_on(r))))
}

impl Workspace {
    /// Contacts that may be the same person as `contact`, among those the caller sees.
    pub fn merge_suggestions(
        &self,
        token: &SessionToken,
        contact: ContactId,
        now: Timestamp,
    ) -> Result<Vec<MergeCandidate>> {
        let caller = self.authorize(token, now, Role::Agent, "see a customer")?;
        self.store.read(|c| {
            reach(c, &caller, contact)?;
            let (name, _) =
                contact_store::name_and_opt_out(c, contact)?.ok_or(CoreError::NotFound {
                    what: "The customer",
                })?;
            let mut out: Vec<MergeCandidate> = Vec::new();
            for (other, reason) in candidates(c, contact, &name)? {
                if out.iter().any(|o| o.id == other) {
                    continue;
                }
                let Ok((conversations, _)) = reach(c, &caller, other) else {
                    continue; // not theirs to see
                };
                let Some((other_name, _)) = contact_store::name_and_opt_out(c, other)? else {
                    continue;
                };
                out.push(MergeCandidate {
                    id: other,
                    name: other_name,
                    identities: contact_store::identities(c, other)?
                        .into_iter()
                        .map(|(channel, address)| ContactIdentity { channel, address })
                        .collect(),
                    conversations,
                    reason: reason.into(),
                });
                if out.len() as i64 >= MAX_SUGGESTIONS {
                    break;
                }
            }
            Ok(out)
        })
    }

    /// Merges `merge` into `keep`: their addresses and conversations move, an opt-out
    /// carries over. The caller must be able to act on a conversation of each. Audited
    /// with ids and counts only.
    pub fn merge_contacts(
        &self,
        token: &SessionToken,
        keep: ContactId,
        merge: ContactId,
        now: Timestamp,
    ) -> Result<ContactMerge> {
        let caller = self.authorize(token, now, Role::Agent, "merge customers")?;
        if keep == merge {
            return Err(CoreError::invalid(
                "contact",
                "choose two different customers",
            ));
        }
        let (done, moved) = self.store.write(|tx| {
            for contact in [keep, merge] {
                if !reach(tx, &caller, contact)?.1 {
                    return Err(CoreError::Forbidden {
                        action: "merge a customer whose conversations are all assigned to others",
                    });
                }
            }
            let (id, identities, conversations) = merges::merge(tx, keep, merge, caller.user, now)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ContactsMerged,
                    Some(caller.user),
                    format!("contact:{keep}"),
                    now,
                )
                .detail(serde_json::json!({
                    "merged": merge, "merge": id,
                    "identities": identities, "conversations": conversations
                })),
            )?;
            let done = ContactMerge {
                id,
                kept: keep,
                merged: merge,
                identities: identities as i64,
                conversations: conversations as i64,
            };
            Ok((done, contact_store::conversations_of(tx, keep)?))
        })?;
        self.publish_all(moved);
        Ok(done)
    }

    /// Undoes a merge: by the person who made it, within [`UNDO_MERGE_SECONDS`], while
    /// the kept contact has not been merged on; what arrived since stays with the kept one.
    pub fn undo_contact_merge(
        &self,
        token: &SessionToken,
        merge: ContactMergeId,
        now: Timestamp,
    ) -> Result<()> {
        let caller = self.authorize(token, now, Role::Agent, "merge customers")?;
        let moved = self.store.write(|tx| {
            let record = merges::record(tx, merge)?
                .filter(|r| r.merged_by == caller.user)
                .ok_or(CoreError::NotFound { what: "The merge" })?;
            if record.undone {
                return Err(CoreError::Conflict("This merge was already undone.".into()));
            }
            if now.seconds_since(record.merged_at) > UNDO_MERGE_SECONDS {
                return Err(CoreError::Conflict(
                    "This merge is too old to undo; an admin can erase or export either \
                     customer as they are now."
                        .into(),
                ));
            }
            if merges::merged_into(tx, record.kept)?.is_some() {
                return Err(CoreError::Conflict(
                    "The customer this one was merged into has since been merged again; \
                     undo that merge first."
                        .into(),
                ));
            }
            merges::undo(tx, merge, &record, now)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ContactMergeUndone,
                    Some(caller.user),
                    format!("contact:{}", record.kept),
                    now,
                )
                .detail(serde_json::json!({ "merged": record.merged, "merge": merge })),
            )?;
            Ok(record.conversations)
        })?;
        self.publish_all(moved);
        Ok(())
    }

    fn publish_all(&self, conversations: Vec<ConversationId>) {
        for conversation in conversations {
            self.publish(Event::ConversationUpdated { conversation });
        }
    }
}
