//! Reports for leads (their teams) and admins (every team): made from the store when
//! asked, with each team's business hours, and as CSV; setting a team's business hours
//! (admins, or the team's leads) and an account's reply outside them (admins).

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::ChannelAccountView;
use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, TeamId};
use crate::reports::figures::{build, to_csv, Names};
use crate::reports::{BusinessHours, Report, ReportQuery};
use crate::secret::SessionToken;
use crate::service::{steps, Caller};
use crate::store::channel_accounts;
use crate::store::reports as report_store;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use std::collections::BTreeMap;

/// The longest automatic reply outside business hours, in characters.
pub const OUT_OF_HOURS_MAX_CHARS: usize = 1000;

/// The teams `caller` may see in a report for `team` (`None`: every team).
pub(crate) fn visible_teams(caller: &Caller, team: Option<TeamId>) -> Result<Option<Vec<TeamId>>> {
    match (caller.role, team) {
        (Role::Admin, Some(t)) => Ok(Some(vec![t])),
        (Role::Admin, None) => Ok(None),
        (_, Some(t)) if caller.teams.contains(&t) => Ok(Some(vec![t])),
        (_, Some(_)) => Err(CoreError::Forbidden {
            action: "see the report of a team you do not lead",
        }),
        (_, None) => Ok(Some(caller.teams.clone())),
    }
}

impl Workspace {
    /// The report of `query`'s range for one team or every team the caller may see.
    pub fn team_report(
        &self,
        token: &SessionToken,
        query: &ReportQuery,
        now: Timestamp,
    ) -> Result<Report> {
        let caller = self.authorize(token, now, Role::Lead, "see reports")?;
        query.checked()?;
        let teams = visible_teams(&caller, query.team)?;
        let started = std::time::Instant::now();
        let report = self.store.read(|c| {
            let facts = report_store::facts(c, query.from, query.to, teams.as_deref())?;
            let hours: BTreeMap<TeamId, _> = report_store::all_hours(c)?
                .into_iter()
                .filter_map(|(team, h)| h.checked().ok().map(|checked| (team, checked)))
                .collect();
            let (agents, team_names) = report_store::names(c)?;
            let policies = crate::reports::SlaPolicies {
                teams: crate::store::sla::all_policies(c)?,
                overrides: crate::store::sla::all_overrides(c)?,
            };
            let mut report = build(
                query,
                &facts,
                &hours,
                &policies,
                &Names {
                    agents: &agents,
                    teams: &team_names,
                },
            );
            let people = match &teams {
                Some(teams) => Some(crate::store::agent_status::members_of(c, teams)?),
                None => None,
            };
            let changes =
                crate::store::agent_status::changes(c, query.from, query.to, people.as_deref())?;
            report.agent_status = crate::reports::status::rows(
                crate::reports::status::time_in_status(&changes, query.from, query.to, now),
                &agents,
            );
            Ok(report)
        })?;
        tracing::debug!(
            user = caller.user.get(),
            days = query.to.seconds_since(query.from) / 86_400,
            millis = started.elapsed().as_millis() as u64,
            "report made"
        );
        Ok(report)
    }

    /// [`Workspace::team_report`] as CSV (the same figures).
    pub fn report_csv(
        &self,
        token: &SessionToken,
        query: &ReportQuery,
        now: Timestamp,
    ) -> Result<String> {
        Ok(to_csv(&self.team_report(token, query, now)?))
    }

    /// Sets what channel account `account` answers when a customer writes outside its
    /// conversation's team's business hours (once per conversation); empty turns it off.
    /// Admins; audited.
    pub fn set_out_of_hours_reply(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        body: &str,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "change channel accounts")?;
        let body = body.trim();
        if body.chars().count() > OUT_OF_HOURS_MAX_CHARS {
            return Err(CoreError::invalid(
                "out of hours reply",
                "keep the reply under 1000 characters",
            ));
        }
        let view = self.store.write(|tx| {
            channel_accounts::config_of(tx, account)?;
            report_store::set_out_of_hours_reply(tx, account, (!body.is_empty()).then_some(body))?;
            steps::audit_account_changed(tx, caller.user, account, &["out_of_hours_reply"], now)?;
            channel_accounts::view(tx, account)
        })?;
        tracing::info!(account = account.get(), "out-of-hours reply changed");
        self.publish(crate::events::Event::ChannelsChanged);
        Ok(view)
    }

    /// A team's business hours, if it has any (its leads and admins).
    pub fn business_hours(
        &self,
        token: &SessionToken,
        team: TeamId,
        now: Timestamp,
    ) -> Result<Option<BusinessHours>> {
        let caller = self.authorize(token, now, Role::Lead, "see business hours")?;
        visible_teams(&caller, Some(team))?;
        self.store.read(|c| report_store::hours_of(c, team))
    }

    /// Sets a team's business hours (`None` removes them: reports count calendar time
    /// only). Admins, or a lead of the team. Audited.
    pub fn set_business_hours(
        &self,
        token: &SessionToken,
        team: TeamId,
        hours: Option<BusinessHours>,
        now: Timestamp,
    ) -> Result<Option<BusinessHours>> {
        let caller = self.authorize(token, now, Role::Lead, "set business hours")?;
        visible_teams(&caller, Some(team))?;
        let checked = match &hours {
            Some(h) => Some(h.checked()?.text),
            None => None,
        };
        self.store.write(|tx| {
            if !crate::store::users::team_exists(tx, team)? {
                return Err(CoreError::NotFound { what: "The team" });
            }
            report_store::set_hours(tx, team, checked.as_ref())?;
            crate::store::sla::refresh_team(tx, team)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::BusinessHoursChanged,
                    Some(caller.user),
                    format!("team:{team}"),
                    now,
                )
                .detail(serde_json::json!({ "removed": checked.is_none() })),
            )
        })?;
        tracing::info!(team = team.get(), "business hours changed");
        Ok(checked)
    }
}
