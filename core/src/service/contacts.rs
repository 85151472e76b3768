//! The customer beside the chat: a contact's name, addresses on every channel, opt-out
//! state and their conversations the caller may see (the rest only counted), and
//! renaming a contact. Permission-checked like the inbox: a contact is reachable only
//! through a conversation the caller sees.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::ContactId;
use crate::secret::SessionToken;
use crate::service::inbox::ConversationSummary;
use crate::store::contacts as contact_store;
use crate::store::conversations as conv_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// The most conversations a panel lists (newest activity first); the rest are counted.
pub const PANEL_CONVERSATIONS: i64 = 200;
/// The longest contact name.
pub const NAME_MAX_CHARS: usize = 200;

/// One address of a contact: a phone number or WhatsApp id, a Messenger PSID, an e-mail
/// address.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactIdentity {
    pub channel: String,
    pub address: String,
}

/// What the panel beside a conversation shows about its customer. No `Debug`: it holds
/// the customer's name and addresses.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactPanel {
    pub id: ContactId,
    pub name: String,
    pub identities: Vec<ContactIdentity>,
    /// The customer asked not to be contacted.
    pub do_not_contact: bool,
    /// Their conversations the caller may see, newest activity first (at most 200).
    pub conversations: Vec<ConversationSummary>,
    /// Their conversations the caller may not see, or past the 200 shown: counted only.
    pub not_shown: i64,
    /// Whether the caller may rename them (they may act on one of the conversations).
    pub can_edit: bool,
    /// Their consent per channel (a channel not listed: unknown).
    #[serde(default)]
    pub consent: Vec<crate::service::consent::ConsentView>,
}

impl Workspace {
    /// The panel for `contact`, as far as the caller may see: refused as not found when
    /// none of the contact's conversations is visible to them (no hint it exists).
    pub fn contact_panel(
        &self,
        token: &SessionToken,
        contact: ContactId,
        now: Timestamp,
    ) -> Result<ContactPanel> {
        let caller = self.authorize(token, now, Role::Agent, "see a customer")?;
        self.store.read(|c| {
            let rows = conv_store::of_contact(c, caller.viewer(), contact, PANEL_CONVERSATIONS)?;
            if rows.is_empty() {
                return Err(not_found());
            }
            let (name, do_not_contact) =
                contact_store::name_and_opt_out(c, contact)?.ok_or_else(not_found)?;
            let total = conv_store::count_of_contact(c, contact)?;
            let can_edit = rows.iter().any(|r| caller.may_act_on(r));
            let identities = contact_store::identities(c, contact)?
                .into_iter()
                .map(|(channel, address)| ContactIdentity { channel, address })
                .collect();
            Ok(ContactPanel {
                id: contact,
                name,
                identities,
                do_not_contact,
                not_shown: total - rows.len() as i64,
                conversations: rows.into_iter().map(Into::into).collect(),
                can_edit,
                consent: crate::service::consent::views_of(c, contact)?,
            })
        })
    }

    /// Renames a contact, for a caller who may act on one of their conversations;
    /// audited (without the name: it is the customer's).
    pub fn rename_contact(
        &self,
        token: &SessionToken,
        contact: ContactId,
        name: &str,
        now: Timestamp,
    ) -> Result<()> {
        let caller = self.authorize(token, now, Role::Agent, "rename a customer")?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
            return Err(CoreError::invalid("name", "use 1 to 200 characters"));
        }
        if name.chars().any(hides_text) {
            return Err(CoreError::invalid(
                "name",
                "use letters, not control or invisible characters",
            ));
        }
        let conversations = self.store.write(|tx| {
            let rows = conv_store::of_contact(tx, caller.viewer(), contact, PANEL_CONVERSATIONS)?;
            if rows.is_empty() {
                return Err(not_found());
            }
            if !rows.iter().any(|r| caller.may_act_on(r)) {
                return Err(CoreError::Forbidden {
                    action: "rename a customer of conversations assigned to others",
                });
            }
            contact_store::rename(tx, contact, name)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ContactRenamed,
                    Some(caller.user),
                    format!("contact:{contact}"),
                    now,
                ),
            )?;
            // Everyone who shows one of this customer's conversations hears of it (each
            // stream passes on only the conversations its user may see).
            contact_store::conversations_of(tx, contact)
        })?;
        for conversation in conversations {
            self.publish(Event::ConversationUpdated { conversation });
        }
        Ok(())
    }
}

/// Control characters, and the invisible ones that reorder or hide text (bidirectional
/// overrides and isolates, zero-width characters, the byte-order mark).
fn hides_text(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn not_found() -> CoreError {
    CoreError::NotFound {
        what: "The customer",
    }
}
