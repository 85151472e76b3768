//! An agent writes first to a WhatsApp number: the numbers and approved templates they may
//! use, and the start itself: the number checked (E.164), refused for a customer who asked
//! not to be contacted, the contact found or made, their open conversation on that number
//! reused (taken when unassigned) or a new one made (in the account's team when the agent
//! is in it, else in the agent's own) and given to the agent, and the template queued; a
//! start that could not be queued leaves nothing behind. Audited without the number.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::start::{whatsapp_number, NewConversation, StartAccount};
use crate::channel::Channel;
use crate::error::{CoreError, Result};
use crate::ids::ConversationId;
use crate::secret::SessionToken;
use crate::store::conversations as conv_store;
use crate::store::{account_lifecycle, channel_accounts, contacts, messages};
use crate::time::Timestamp;
use crate::workspace::Workspace;

impl Workspace {
    /// The WhatsApp numbers (connected, in use) an agent may write first from, each with
    /// its approved templates.
    pub fn start_options(&self, token: &SessionToken, now: Timestamp) -> Result<Vec<StartAccount>> {
        self.authorize(token, now, Role::Agent, "start conversations")?;
        self.store.read(|c| {
            let mut out = Vec::new();
            for endpoint in channel_accounts::endpoints(c)? {
                if endpoint.channel != Channel::WhatsApp
                    || endpoint.disabled
                    || endpoint.config.sample
                {
                    continue;
                }
                out.push(StartAccount {
                    id: endpoint.id,
                    name: channel_accounts::view(c, endpoint.id)?.name,
                    templates: channel_accounts::templates_of(c, endpoint.id)?,
                });
            }
            Ok(out)
        })
    }

    /// Writes first to `start.phone` with an approved template (see the module). Returns
    /// the conversation: a new one given to the caller, or the customer's open one (taken
    /// when unassigned; refused when a colleague has it, unless the caller is a lead).
    pub fn start_conversation(
        &self,
        token: &SessionToken,
        start: &NewConversation,
        now: Timestamp,
    ) -> Result<ConversationId> {
        let caller = self.authorize(token, now, Role::Agent, "start conversations")?;
        let wa_id = whatsapp_number(&start.phone)?;
        let (template, conversation, created, new_contact) = self.store.write(|tx| {
            let (channel, config) = channel_accounts::config_of(tx, start.account)?;
            let (disabled, removed) = account_lifecycle::state(tx, start.account)?;
            if channel != Channel::WhatsApp || removed.is_some() || config.sample {
                return Err(CoreError::invalid("account", "choose one of the WhatsApp numbers offered"));
            }
            if disabled.is_some() {
                return Err(CoreError::Conflict(crate::service::channel_lifecycle::DISABLED.into()));
            }
            let template = channel_accounts::templates_of(tx, start.account)?
                .into_iter()
                .find(|t| t.name == start.template && t.language == start.language)
                .ok_or_else(|| {
                    CoreError::invalid("template", "choose one of the approved templates of this number")
                })?;
            crate::channel::template::fill(&template.body, &start.parameters)?;
            let found = contacts::find(tx, Channel::WhatsApp, &wa_id)?;
            crate::service::consent::check_opt_in(tx, start.account, found)?;
            let new_contact = found.is_none();
            let contact = match found {
                Some(contact) => {
                    let (name, opted_out) = contacts::name_and_opt_out(tx, contact)?
                        .ok_or(CoreError::NotFound { what: "The customer" })?;
                    if opted_out {
                        return Err(CoreError::Conflict(format!(
                            "{name} asked not to be contacted, so nothing may be sent to this number."
                        )));
                    }
                    contact
                }
                None => {
                    let name = start.name.trim();
                    let name = if name.is_empty() { start.phone.trim() } else { name };
                    let name: String = name.chars().take(200).collect();
                    messages::insert_contact(tx, &name, Channel::WhatsApp, &wa_id, now)?
                }
            };
            if let Some(open) = conv_store::open_for_contact(tx, start.account, contact)? {
                return Ok((template, open, false, false));
            }
            let (_, account_team) = channel_accounts::kind_and_team(tx, start.account)?
                .ok_or(CoreError::NotFound { what: "The channel account" })?;
            let team = match account_team {
                Some(team) if caller.teams.contains(&team) || caller.role == Role::Admin => Some(team),
                _ => caller.teams.first().copied(),
            };
            let id = messages::insert_conversation(tx, start.account, contact, now)?;
            conv_store::set_team_and_subject(tx, id, team, "")?;
            conv_store::auto_assign(tx, id, caller.user)?;
            Ok((template, id, true, new_contact))
        })?;
        let template_name = template.name.clone();
        let queued = self.queue_template(
            &caller,
            conversation,
            template,
            &start.parameters,
            &start.extras,
            now,
        );
        if let Err(e) = queued {
            // Nothing went out: what was made for it (the conversation, a new customer)
            // does not stay behind.
            self.store.write(|tx| {
                if created && conv_store::delete_if_empty(tx, conversation)? && new_contact {
                    if let Some(contact) = contacts::find(tx, Channel::WhatsApp, &wa_id)? {
                        contacts::delete_if_unused(tx, contact)?;
                    }
                }
                Ok(())
            })?;
            return Err(e);
        }
        self.store.write(|tx| {
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ConversationStarted,
                    Some(caller.user),
                    format!("conversation:{conversation}"),
                    now,
                )
                .detail(serde_json::json!({
                    "account": start.account, "template": template_name, "new": created
                })),
            )
        })?;
        tracing::info!(
            conversation = conversation.get(),
            account = start.account.get(),
            new = created,
            "conversation started with a template"
        );
        Ok(conversation)
    }
}
