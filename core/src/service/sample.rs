//! Sample data for a new workspace (`appcare sample-data`): readable conversations on
//! three sample channel accounts, written the way the channels write (ingest), with
//! answers, a private note and a handoff, and one customer known on two channels. The
//! sample accounts send nothing: a reply there is refused with the reason, which the
//! window shows before anyone types.

mod script;

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::{Channel, Direction};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, ConversationId, TeamId, UserId};
use crate::secret::SessionToken;
use crate::service::steps::{self, InboundMessage, Thread};
use crate::store::messages::{self, NewMessage};
use crate::store::users as user_store;
use crate::store::{channel_accounts, contacts, conversations as conv_store, seed};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;
use script::{Script, Who, FIRST_NAMES, LAST_NAMES, QUESTIONS, SCRIPTS};

/// Why a reply in a sample conversation is refused (shown before sending, too).
pub const SAMPLE_REPLY: &str = "This is a sample conversation: nothing is sent from here. \
     Connect a WhatsApp number, a Messenger page or a mailbox under Channels to answer real customers.";

/// The most extra customers one call adds.
pub const MAX_EXTRA: i64 = 10_000;

/// What was added.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SampleSummary {
    pub conversations: usize,
    pub accounts: Vec<ChannelAccountId>,
}

struct Ctx {
    by: UserId,
    team: TeamId,
    whatsapp: ChannelAccountId,
    messenger: ChannelAccountId,
    email: ChannelAccountId,
    now: Timestamp,
}

impl Ctx {
    fn account(&self, channel: &str) -> ChannelAccountId {
        match channel {
            "whatsapp" => self.whatsapp,
            "messenger" => self.messenger,
            _ => self.email,
        }
    }
}

impl Workspace {
    /// Admins: adds the sample conversations, and `extra` more customers with one question
    /// each (every one with a name of their own), once per workspace. Audited.
    pub fn add_sample_data(
        &self,
        token: &SessionToken,
        extra: i64,
        now: Timestamp,
    ) -> Result<SampleSummary> {
        let caller = self.authorize(token, now, Role::Admin, "add sample data")?;
        if !(0..=MAX_EXTRA).contains(&extra) {
            return Err(CoreError::invalid(
                "conversations",
                "choose from 0 to 10,000 more sample customers",
            ));
        }
        let (summary, events) = self.store.write(|tx| {
            if channel_accounts::has_sample(tx)? {
                return Err(CoreError::Conflict(
                    "This workspace already has the sample data.".into(),
                ));
            }
            let ctx = prepare(tx, caller.user, now)?;
            let mut events = Vec::new();
            let mut conversations = 0;
            for script in SCRIPTS {
                play(tx, &ctx, script, &mut events)?;
                conversations += 1;
            }
            for i in 0..extra as usize {
                ask(tx, &ctx, i, &mut events)?;
                conversations += 1;
            }
            Ok((
                SampleSummary {
                    conversations,
                    accounts: vec![ctx.whatsapp, ctx.messenger, ctx.email],
                },
                events,
            ))
        })?;
        tracing::info!(conversations = summary.conversations, "sample data added");
        for e in events {
            self.publish(e);
        }
        self.publish(Event::ChannelsChanged);
        Ok(summary)
    }
}

/// The team (the first, or a new "Support") and the three sample accounts.
fn prepare(tx: &Connection, by: UserId, now: Timestamp) -> Result<Ctx> {
    let team = match user_store::list_teams(tx)?.first() {
        Some(team) => team.id,
        None => {
            let id = user_store::insert_team(tx, "Support", now)?;
            audit::append(
                tx,
                AuditEvent::new(AuditKind::TeamCreated, Some(by), format!("team:{id}"), now),
            )?;
            id
        }
    };
    let account = |channel: Channel, name: &str| -> Result<ChannelAccountId> {
        let id = messages::insert_channel_account(
            tx,
            channel,
            name,
            &format!("sample-{}-{}", channel.as_str(), now.unix()),
            now,
        )?;
        channel_accounts::set_default_team(tx, id, Some(team))?;
        channel_accounts::mark_sample(tx, id)?;
        audit::append(
            tx,
            AuditEvent::new(
                AuditKind::ChannelAccountAdded,
                Some(by),
                format!("channel_account:{id}"),
                now,
            )
            .detail(serde_json::json!({ "kind": channel.as_str(), "sample": true })),
        )?;
        Ok(id)
    };
    Ok(Ctx {
        by,
        team,
        whatsapp: account(Channel::WhatsApp, "Sample WhatsApp line")?,
        messenger: account(Channel::Messenger, "Sample Messenger page")?,
        email: account(Channel::Email, "Sample support mailbox")?,
        now,
    })
}

/// One scripted conversation, line by line, then its assignee and status.
fn play(tx: &Connection, ctx: &Ctx, script: &Script, events: &mut Vec<Event>) -> Result<()> {
    let account = ctx.account(script.channel);
    let channel = Channel::parse(script.channel).unwrap_or(Channel::Email);
    // A customer known elsewhere (Ana on WhatsApp, then by e-mail) stays one contact.
    if let Some(known) = SCRIPTS
        .iter()
        .find(|s| s.customer == script.customer && s.address != script.address)
    {
        let elsewhere = Channel::parse(known.channel).unwrap_or(Channel::Email);
        if let Some(contact) = contacts::find(tx, elsewhere, known.address)? {
            contacts::link(tx, contact, channel, script.address)?;
        }
    }
    let mut conversation: Option<ConversationId> = None;
    let mut answered = false;
    let mut last_at = ctx.now;
    let mut unread = 0;
    for &(who, minutes_ago, text) in script.lines {
        let at = ctx.now.plus_seconds(-i64::from(minutes_ago) * 60);
        last_at = at;
        match (who, conversation) {
            (Who::Customer, _) => {
                let (ingested, published) = steps::ingest_into(
                    tx,
                    &InboundMessage {
                        account,
                        contact_external_id: script.address,
                        contact_name: script.customer,
                        external_id: None,
                        subject: script.subject,
                        body: text,
                        sent_at: at,
                        choice: None,
                        has_media: false,
                        attachments: vec![],
                    },
                    match conversation {
                        Some(id) => Thread::Existing(id),
                        None if channel == Channel::Email => Thread::New,
                        None => Thread::OpenForContact,
                    },
                    at,
                )?;
                conversation = Some(ingested.conversation);
                events.extend(published);
                unread += 1;
            }
            (Who::Agent, Some(id)) => {
                let message = messages::insert_message(
                    tx,
                    &NewMessage {
                        conversation: id,
                        external_id: None,
                        direction: Direction::Out,
                        body: text,
                        created_at: at,
                    },
                )?;
                seed::set_author(tx, message, Some(ctx.by))?;
                seed::mark_sent(tx, message)?;
                conv_store::note_agent_reply(tx, id, ctx.by, at)?;
                answered = true;
                unread = 0;
            }
            (Who::Note, Some(id)) => {
                conv_store::insert_note(tx, id, ctx.by, text, false, at)?;
            }
            (Who::Handoff, Some(id)) => {
                conv_store::insert_note(tx, id, ctx.by, text, true, at)?;
                answered = true;
            }
            // A script starts with the customer.
            (_, None) => {}
        }
    }
    if let Some(id) = conversation {
        let assignee = answered.then_some(ctx.by);
        seed::shape_conversation(
            tx,
            id,
            Some(ctx.team),
            assignee,
            script.status,
            last_at,
            unread,
        )?;
    }
    Ok(())
}

/// The `i`-th extra customer: a name no other sample customer has, and one question.
fn ask(tx: &Connection, ctx: &Ctx, i: usize, events: &mut Vec<Event>) -> Result<()> {
    let first = FIRST_NAMES[i % FIRST_NAMES.len()];
    let last = LAST_NAMES[(i / FIRST_NAMES.len()) % LAST_NAMES.len()];
    let round = i / (FIRST_NAMES.len() * LAST_NAMES.len());
    let name = if round == 0 {
        format!("{first} {last}")
    } else {
        format!("{first} {last} ({})", round + 1)
    };
    let channel = ["whatsapp", "messenger", "email"][i % 3];
    let address = match channel {
        "whatsapp" => format!("4915100{i:06}"),
        "messenger" => format!("7711{i:012}"),
        _ => format!(
            "{}.{}{i}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        ),
    };
    let at = ctx.now.plus_seconds(-((i as i64) + 1) * 600);
    let (_, published) = steps::ingest_into(
        tx,
        &InboundMessage {
            account: ctx.account(channel),
            contact_external_id: &address,
            contact_name: &name,
            external_id: None,
            subject: if channel == "email" { "A question" } else { "" },
            body: QUESTIONS[i % QUESTIONS.len()],
            sent_at: at,
            choice: None,
            has_media: false,
            attachments: vec![],
        },
        if channel == "email" {
            Thread::New
        } else {
            Thread::OpenForContact
        },
        at,
    )?;
    events.extend(published);
    Ok(())
}
