//! Handing conversations over: transfer to an agent or a team with a note, return to the
//! queue, leads' bulk reassignment, each agent's load, and availability. Every change is
//! one transaction with an optimistic version check, audited.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::ids::{ConversationId, TeamId, UserId};
use crate::secret::SessionToken;
use crate::service::inbox::ConversationSummary;
use crate::service::steps;
use crate::service::Caller;
use crate::store::conversations::{self as conv_store, ConversationRowData};
use crate::store::users as user_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

pub const NOTE_MAX_CHARS: usize = 2000;

/// Who gets the conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum TransferTarget {
    Agent(UserId),
    Team(TeamId),
}

/// A conversation and the version the caller saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Versioned {
    pub id: ConversationId,
    pub version: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgentLoad {
    pub user_id: UserId,
    pub display_name: String,
    pub role: Role,
    pub available: bool,
    pub open: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamLoad {
    pub agents: Vec<AgentLoad>,
    pub unassigned: i64,
    pub oldest_unassigned_since: Option<Timestamp>,
}

fn check_note(note: &str, required: bool) -> Result<Option<String>> {
    let note = note.trim();
    if note.is_empty() {
        return if required {
            Err(CoreError::invalid(
                "handoff note",
                "write a note for the colleague who takes over",
            ))
        } else {
            Ok(None)
        };
    }
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(CoreError::invalid(
            "handoff note",
            "keep the note under 2000 characters",
        ));
    }
    Ok(Some(note.to_string()))
}

fn require_visible(
    tx: &Connection,
    caller: &Caller,
    id: ConversationId,
) -> Result<ConversationRowData> {
    conv_store::visible(tx, caller.viewer(), id)?.ok_or(CoreError::NotFound {
        what: "The conversation",
    })
}

fn check_target(tx: &Connection, target: TransferTarget) -> Result<()> {
    match target {
        TransferTarget::Agent(user) => {
            let row = user_store::by_id(tx, user)?.ok_or(CoreError::NotFound {
                what: "The colleague",
            })?;
            if row.disabled {
                return Err(CoreError::Conflict(format!(
                    "{} is disabled and cannot take conversations.",
                    row.display_name
                )));
            }
        }
        TransferTarget::Team(team) => {
            if !user_store::team_exists(tx, team)? {
                return Err(CoreError::NotFound { what: "The team" });
            }
        }
    }
    Ok(())
}

impl Workspace {
    /// Hands a conversation to a colleague or a team with a note they see at the top.
    pub fn transfer(
        &self,
        token: &SessionToken,
        conversation: Versioned,
        target: TransferTarget,
        note: &str,
        now: Timestamp,
    ) -> Result<ConversationSummary> {
        let caller = self.authorize(token, now, Role::Agent, "transfer conversations")?;
        let note = check_note(note, true)?;
        let (event, summary) = self.store.write(|tx| {
            let row = require_visible(tx, &caller, conversation.id)?;
            if !caller.may_act_on(&row) {
                return Err(CoreError::Forbidden {
                    action: "transfer a conversation assigned to someone else",
                });
            }
            check_target(tx, target)?;
            let (to_user, to_team) = match target {
                TransferTarget::Agent(user) => (Some(user), row.team_id),
                TransferTarget::Team(team) => (None, Some(team)),
            };
            let event = steps::apply_move(
                tx,
                caller.user,
                conversation.version,
                &steps::Move {
                    row,
                    to_user,
                    to_team,
                    note: note.clone(),
                },
                now,
            )?;
            let summary = conv_store::visible(
                tx,
                crate::store::conversations::Viewer {
                    user: caller.user,
                    sees_everything: true,
                },
                conversation.id,
            )?
            .ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            Ok((event, summary.into()))
        })?;
        self.publish(event);
        Ok(summary)
    }

    /// "Assign to me": the caller takes a conversation they may act on (unassigned in
    /// their team, already theirs, or, for a lead or admin, anyone's in their teams),
    /// without replying first. Versioned and audited like a transfer, with no note.
    pub fn take(
        &self,
        token: &SessionToken,
        conversation: Versioned,
        now: Timestamp,
    ) -> Result<ConversationSummary> {
        let caller = self.authorize(token, now, Role::Agent, "take conversations")?;
        let (event, summary) = self.store.write(|tx| {
            let row = require_visible(tx, &caller, conversation.id)?;
            if !caller.may_act_on(&row) {
                return Err(CoreError::Forbidden {
                    action: "take a conversation assigned to someone else",
                });
            }
            let team = row.team_id;
            let event = steps::apply_move(
                tx,
                caller.user,
                conversation.version,
                &steps::Move {
                    row,
                    to_user: Some(caller.user),
                    to_team: team,
                    note: None,
                },
                now,
            )?;
            let summary = require_visible(tx, &caller, conversation.id)?;
            Ok((event, summary.into()))
        })?;
        self.publish(event);
        Ok(summary)
    }

    /// Puts a conversation back in its team's unassigned queue.
    pub fn return_to_queue(
        &self,
        token: &SessionToken,
        conversation: Versioned,
        note: &str,
        now: Timestamp,
    ) -> Result<()> {
        let caller =
            self.authorize(token, now, Role::Agent, "return conversations to the queue")?;
        let note = check_note(note, false)?;
        let event = self.store.write(|tx| {
            let row = require_visible(tx, &caller, conversation.id)?;
            if !caller.may_act_on(&row) {
                return Err(CoreError::Forbidden {
                    action: "return a conversation assigned to someone else",
                });
            }
            let team = row.team_id;
            steps::apply_move(
                tx,
                caller.user,
                conversation.version,
                &steps::Move {
                    row,
                    to_user: None,
                    to_team: team,
                    note,
                },
                now,
            )
        })?;
        self.publish(event);
        Ok(())
    }

    /// Leads and admins: moves one or many conversations at once, all or none. `to` of
    /// `None` returns them to the queue.
    pub fn reassign(
        &self,
        token: &SessionToken,
        conversations: &[Versioned],
        to: Option<UserId>,
        note: &str,
        now: Timestamp,
    ) -> Result<usize> {
        let caller = self.authorize(token, now, Role::Lead, "reassign conversations")?;
        let note = check_note(note, false)?;
        if conversations.is_empty() || conversations.len() > crate::service::triage::BULK_MAX {
            return Err(CoreError::invalid(
                "conversations",
                "choose 1 to 500 conversations",
            ));
        }
        let events = self.store.write(|tx| {
            if let Some(user) = to {
                check_target(tx, TransferTarget::Agent(user))?;
            }
            let mut events = Vec::with_capacity(conversations.len());
            for c in conversations {
                let row = require_visible(tx, &caller, c.id)?;
                let leads_it = caller.role == Role::Admin
                    || row.team_id.is_some_and(|t| caller.teams.contains(&t));
                if !leads_it {
                    return Err(CoreError::Forbidden {
                        action: "reassign conversations outside your teams",
                    });
                }
                let team = row.team_id;
                events.push(steps::apply_move(
                    tx,
                    caller.user,
                    c.version,
                    &steps::Move {
                        row,
                        to_user: to,
                        to_team: team,
                        note: note.clone(),
                    },
                    now,
                )?);
            }
            Ok(events)
        })?;
        let n = events.len();
        for e in events {
            self.publish(e);
        }
        Ok(n)
    }

    /// Leads: each agent's open conversations and the unassigned queue of their teams.
    /// Admins: the whole workspace.
    pub fn team_load(&self, token: &SessionToken, now: Timestamp) -> Result<TeamLoad> {
        let caller = self.authorize(token, now, Role::Lead, "see the team load")?;
        self.store.read(|c| {
            let load = conv_store::open_load(c)?;
            let users = user_store::list(c)?;
            let mut agents = Vec::new();
            for u in users.iter().filter(|u| !u.disabled) {
                let shares_team = caller.role == Role::Admin
                    || user_store::team_ids_of(c, u.id)?
                        .iter()
                        .any(|t| caller.teams.contains(t));
                if shares_team {
                    agents.push(AgentLoad {
                        user_id: u.id,
                        display_name: u.display_name.clone(),
                        role: u.role,
                        available: u.available,
                        open: load
                            .iter()
                            .find(|(id, _)| *id == u.id)
                            .map_or(0, |(_, n)| *n),
                    });
                }
            }
            let teams = (caller.role != Role::Admin).then_some(caller.teams.as_slice());
            let (unassigned, oldest) = conv_store::unassigned_queue(c, teams)?;
            Ok(TeamLoad {
                agents,
                unassigned,
                oldest_unassigned_since: oldest,
            })
        })
    }

    /// Sets the caller available or away. Going away returns their open conversations to
    /// their teams' queues when the workspace says so (the default).
    pub fn set_availability(
        &self,
        token: &SessionToken,
        available: bool,
        now: Timestamp,
    ) -> Result<usize> {
        let caller = self.authorize(token, now, Role::Agent, "set your availability")?;
        let events = self.store.write(|tx| {
            user_store::set_availability(tx, caller.user, available)?;
            crate::store::agent_status::sync(tx, caller.user, now)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::AvailabilityChanged,
                    Some(caller.user),
                    format!("user:{}", caller.user),
                    now,
                )
                .detail(serde_json::json!({ "available": available })),
            )?;
            if available {
                return Ok(Vec::new());
            }
            steps::return_all_to_queue(tx, caller.user, caller.user, now)
        })?;
        let n = events.len();
        for e in events {
            self.publish(e);
        }
        Ok(n)
    }
}
