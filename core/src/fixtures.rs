//! A generator of realistic inbox data, shared by tests and benchmarks: conversations
//! spread over teams, agents and channels, with customer and agent messages. It writes
//! through the store in large transactions (FTS triggers included), so it is fast.

use crate::channel::{Channel, Direction};
use crate::error::Result;
use crate::ids::{ChannelAccountId, ConversationId, TeamId, UserId};
use crate::store::messages::{self, NewMessage};
use crate::store::seed;
use crate::time::Timestamp;
use crate::workspace::Workspace;

const WORDS: &[&str] = &[
    "order",
    "delivery",
    "refund",
    "parcel",
    "tracking",
    "invoice",
    "account",
    "password",
    "thanks",
    "please",
    "help",
    "today",
    "tomorrow",
    "address",
    "payment",
    "card",
    "late",
    "missing",
    "broken",
    "replace",
    "colour",
    "size",
    "return",
    "label",
    "courier",
    "store",
    "weekend",
    "morning",
    "evening",
    "urgent",
    "question",
    "answer",
    "subscription",
    "cancel",
    "upgrade",
    "discount",
    "voucher",
    "gift",
    "warranty",
    "repair",
];
const NAMES: &[&str] = &[
    "Sheena", "Omar", "Li", "Maria", "Kwame", "Ana", "Jonas", "Priya", "Tom", "Fatima", "Yuki",
    "Lars",
];

/// How much to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    pub conversations: usize,
    pub messages: usize,
    /// Every conversation gets a team from this list and, unless unassigned, an agent.
    pub teams: Vec<TeamId>,
    pub agents: Vec<UserId>,
    pub accounts: Vec<ChannelAccountId>,
    /// One conversation (the first) gets this many extra messages.
    pub long_conversation: usize,
}

/// Deterministic pseudo-random numbers (no dependency, same data every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.next() as usize % items.len()]
    }
}

fn text(rng: &mut Lcg, len: usize) -> String {
    let mut s = String::with_capacity(len + 12);
    while s.len() < len {
        s.push_str(rng.pick(WORDS));
        s.push(' ');
    }
    s
}

/// About `len` bytes of support-like words, the same for the same `seed`.
pub fn sample_text(seed: u64, len: usize) -> String {
    text(
        &mut Lcg(seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1)),
        len,
    )
}

/// Fills the workspace; returns the conversation ids in creation order.
pub fn generate(ws: &Workspace, spec: &Spec, now: Timestamp) -> Result<Vec<ConversationId>> {
    let mut rng = Lcg(42);
    let mut ids = Vec::with_capacity(spec.conversations);
    let per_conversation = spec
        .messages
        .checked_div(spec.conversations)
        .unwrap_or(0)
        .max(1);
    let chunk = 2_000;
    let mut made = 0;
    while made < spec.conversations {
        let n = chunk.min(spec.conversations - made);
        ws.store().write(|tx| {
            for i in made..made + n {
                let account = spec.accounts[i % spec.accounts.len()];
                let channel = match i % 3 {
                    0 => Channel::WhatsApp,
                    1 => Channel::Email,
                    _ => Channel::Messenger,
                };
                let name = format!("{} {}", rng.pick(NAMES), i);
                let contact =
                    messages::insert_contact(tx, &name, channel, &format!("ext-{i}"), now)?;
                let started = now.plus_seconds(-(rng.next() as i64 % (90 * 86_400)));
                let conversation = messages::insert_conversation(tx, account, contact, started)?;
                let team = spec.teams.get(i % spec.teams.len().max(1)).copied();
                // About one in five is waiting unassigned.
                let assignee = (!rng.next().is_multiple_of(5) && !spec.agents.is_empty())
                    .then(|| spec.agents[rng.next() as usize % spec.agents.len()]);
                let status = match rng.next() % 10 {
                    0..=5 => "open",
                    6 => "pending",
                    7 => "snoozed",
                    _ => "resolved",
                };
                let count = if i == 0 {
                    spec.long_conversation.max(per_conversation)
                } else {
                    per_conversation
                };
                let mut at = started;
                for m in 0..count {
                    at = at.plus_seconds(30 + (rng.next() % 600) as i64);
                    let len = 150 + (rng.next() % 100) as usize;
                    let body = text(&mut rng, len);
                    let id = messages::insert_message(
                        tx,
                        &NewMessage {
                            conversation,
                            external_id: None,
                            direction: if m % 2 == 0 {
                                Direction::In
                            } else {
                                Direction::Out
                            },
                            body: &body,
                            created_at: at,
                        },
                    )?;
                    if m % 2 == 1 {
                        seed::set_author(tx, id, assignee)?;
                        if let (1, Some(agent)) = (m, assignee) {
                            crate::store::conversations::note_agent_reply(
                                tx,
                                conversation,
                                agent,
                                at,
                            )?;
                        }
                    }
                }
                seed::shape_conversation(
                    tx,
                    conversation,
                    team,
                    assignee,
                    status,
                    at,
                    (rng.next() % 3) as i64,
                )?;
                if status == "resolved" {
                    crate::store::conversations::record_status_change(
                        tx,
                        conversation,
                        "open",
                        "resolved",
                        assignee,
                        at,
                    )?;
                }
                // Half have no priority; the rest spread over low … urgent.
                let priority = (rng.next() % 8).saturating_sub(3) as i64;
                let snoozed_until = (status == "snoozed").then(|| at.plus_seconds(86_400));
                seed::set_triage(tx, conversation, priority, snoozed_until)?;
                ids.push(conversation);
            }
            Ok(())
        })?;
        made += n;
    }
    Ok(ids)
}
