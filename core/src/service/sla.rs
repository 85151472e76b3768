//! SLA policies and their alerts: a team's targets, refined per channel or label (set by
//! its leads or an admin, audited, every clock of the team recomputed at once), and the
//! runtime's check that
//! records each warning and breach once, audits breaches and tells the assignee and the
//! team's leads.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::TeamId;
use crate::reports::{SlaOverride, SlaPolicy, SlaScope};
use crate::secret::SessionToken;
use crate::service::reports::visible_teams;
use crate::store::sla as sla_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;

/// At most this many alerts are recorded per check; the rest wait for the next one.
const ALERTS_PER_CHECK: i64 = 500;
/// A breach found later than this after its due time (a first mailbox sync's old mail,
/// the app closed overnight) is recorded and shown, but notifies no one: no storm of
/// notifications about the past.
const NOTIFY_WITHIN_SECONDS: i64 = 3600;

impl Workspace {
    /// A team's SLA policy, if it has one (its leads and admins).
    pub fn sla_policy(
        &self,
        token: &SessionToken,
        team: TeamId,
        now: Timestamp,
    ) -> Result<Option<SlaPolicy>> {
        let caller = self.authorize(token, now, Role::Lead, "see SLA policies")?;
        visible_teams(&caller, Some(team))?;
        self.store.read(|c| sla_store::policy(c, team))
    }

    /// Sets a team's SLA targets (`None`, or no target at all, removes the policy) and
    /// recomputes the clocks of its conversations. Admins, or a lead of the team. Audited.
    pub fn set_sla_policy(
        &self,
        token: &SessionToken,
        team: TeamId,
        policy: Option<SlaPolicy>,
        now: Timestamp,
    ) -> Result<Option<SlaPolicy>> {
        let (policy, ()) = self.change_targets(token, team, None, policy, now, |tx, p| {
            sla_store::set_policy(tx, team, p, now)
        })?;
        Ok(policy)
    }

    /// A team's targets per channel and label (its leads and admins).
    pub fn sla_overrides(
        &self,
        token: &SessionToken,
        team: TeamId,
        now: Timestamp,
    ) -> Result<Vec<SlaOverride>> {
        let caller = self.authorize(token, now, Role::Lead, "see SLA policies")?;
        visible_teams(&caller, Some(team))?;
        self.store.read(|c| sla_store::overrides_of(c, team))
    }

    /// Sets a team's targets for one channel or label (`None`, or no target, removes
    /// them; an empty target keeps the team's), recomputes the team's clocks and returns
    /// the team's refinements. Admins, or a lead of the team. Audited.
    pub fn set_sla_override(
        &self,
        token: &SessionToken,
        team: TeamId,
        scope: &SlaScope,
        policy: Option<SlaPolicy>,
        now: Timestamp,
    ) -> Result<Vec<SlaOverride>> {
        let scope = scope.checked()?;
        let (_, overrides) =
            self.change_targets(token, team, Some(&scope), policy, now, |tx, p| {
                sla_store::set_override(tx, team, &scope, p, now)?;
                sla_store::overrides_of(tx, team)
            })?;
        Ok(overrides)
    }

    /// What setting a team's targets (`scope`: for one channel or label) always does:
    /// the caller leads the team or is an admin, the targets are checked, `set` stores
    /// them, the team's clocks are recomputed and the change is audited. Returns the
    /// checked targets and what `set` returned.
    fn change_targets<T>(
        &self,
        token: &SessionToken,
        team: TeamId,
        scope: Option<&SlaScope>,
        policy: Option<SlaPolicy>,
        now: Timestamp,
        set: impl FnOnce(&rusqlite::Connection, Option<&SlaPolicy>) -> Result<T>,
    ) -> Result<(Option<SlaPolicy>, T)> {
        let caller = self.authorize(token, now, Role::Lead, "set SLA targets")?;
        visible_teams(&caller, Some(team))?;
        let policy = match policy {
            Some(p) => Some(p.checked()?).filter(|p| !p.is_empty()),
            None => None,
        };
        let (out, recomputed) = self.store.write(|tx| {
            if !crate::store::users::team_exists(tx, team)? {
                return Err(CoreError::NotFound { what: "The team" });
            }
            let out = set(tx, policy.as_ref())?;
            let recomputed = sla_store::refresh_team(tx, team)?;
            let mut detail = serde_json::json!({
                "first_response_minutes": policy.and_then(|p| p.first_response_minutes),
                "next_response_minutes": policy.and_then(|p| p.next_response_minutes),
                "resolution_minutes": policy.and_then(|p| p.resolution_minutes),
            });
            if let Some(scope) = scope {
                detail["scope"] = serde_json::json!(scope);
            }
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::SlaPolicyChanged,
                    Some(caller.user),
                    format!("team:{team}"),
                    now,
                )
                .detail(detail),
            )?;
            Ok((out, recomputed))
        })?;
        tracing::info!(
            team = team.get(),
            recomputed,
            per_channel_or_label = scope.is_some(),
            "SLA targets changed"
        );
        Ok((policy, out))
    }
}

impl crate::service::residency::Maintenance<'_> {
    /// Records every SLA warning and breach due at `now` once, audits the breaches and
    /// publishes each (a breach names the assignee and the team's leads to notify);
    /// returns how many. The channel runtime calls it every half minute.
    pub fn check_sla(&self, now: Timestamp) -> Result<usize> {
        let ws = self.workspace();
        let alerts = ws.store.write(|tx| {
            let mut recorded = Vec::new();
            for alert in sla_store::due_alerts(tx, now, ALERTS_PER_CHECK)? {
                if !sla_store::record_alert(tx, &alert, now)? {
                    continue;
                }
                let mut notify = Vec::new();
                let fresh = now.seconds_since(alert.due_at) <= NOTIFY_WITHIN_SECONDS;
                if alert.breach {
                    if fresh {
                        notify.extend(alert.assignee);
                        if let Some(team) = alert.team {
                            for lead in sla_store::leads_of(tx, team)? {
                                if !notify.contains(&lead) {
                                    notify.push(lead);
                                }
                            }
                        }
                    }
                    audit::append(
                        tx,
                        AuditEvent::new(
                            AuditKind::SlaBreached,
                            None,
                            format!("conversation:{}", alert.conversation),
                            now,
                        )
                        .detail(serde_json::json!({
                            "target": alert.target.as_str(),
                            "due_at": alert.due_at,
                        })),
                    )?;
                }
                recorded.push((alert, notify));
            }
            Ok(recorded)
        })?;
        let count = alerts.len();
        for (alert, notify) in alerts {
            tracing::info!(
                conversation = %alert.conversation,
                target = alert.target.as_str(),
                breach = alert.breach,
                "SLA alert"
            );
            ws.publish(Event::SlaAlert {
                conversation: alert.conversation,
                target: alert.target,
                breach: alert.breach,
                notify,
            });
        }
        Ok(count)
    }
}
