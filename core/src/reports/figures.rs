//! A report's figures, made from facts the store reads (conversations opened, resolved,
//! reopened, handed off, with their team, channel and agent): counts and the median and
//! 90th percentile of first-response and resolution times, in calendar time and in the
//! team's business hours, over the whole range, per day or week, per agent, team and
//! channel; and how many first replies and resolutions met or missed the team's SLA
//! target.

use super::hours::Checked;
use super::sla::SlaPolicy;
use crate::error::{CoreError, Result};
use crate::ids::{TeamId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest range one report covers.
pub const MAX_RANGE_DAYS: i64 = 400;

/// Per day or per week (weeks start on Monday, UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReportBucket {
    Day,
    Week,
}

/// What a report covers: `[from, to)`, one team or every team the caller may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportQuery {
    pub from: Timestamp,
    pub to: Timestamp,
    pub team: Option<TeamId>,
    pub bucket: ReportBucket,
}

impl ReportQuery {
    pub fn checked(&self) -> Result<()> {
        if self.to <= self.from {
            return Err(CoreError::invalid(
                "to",
                "the range must end after it starts",
            ));
        }
        if self.to.seconds_since(self.from) > MAX_RANGE_DAYS * 86_400 {
            return Err(CoreError::invalid(
                "to",
                format!("a report covers at most {MAX_RANGE_DAYS} days"),
            ));
        }
        Ok(())
    }

    /// The start of the bucket `at` falls in.
    fn bucket_of(&self, at: Timestamp) -> Timestamp {
        let day = at.unix().div_euclid(86_400) * 86_400;
        match self.bucket {
            ReportBucket::Day => Timestamp::from_unix(day),
            // 1970-01-01 was a Thursday: Monday is 3 days earlier.
            ReportBucket::Week => {
                let monday = (day / 86_400 + 3).div_euclid(7) * 7 - 3;
                Timestamp::from_unix(monday * 86_400)
            }
        }
    }
}

/// How long something took, over `count` cases, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Durations {
    pub count: i64,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl Durations {
    /// Nearest-rank median and 90th percentile.
    pub fn of(mut seconds: Vec<i64>) -> Self {
        if seconds.is_empty() {
            return Self::default();
        }
        seconds.sort_unstable();
        let rank = |p: f64| -> i64 {
            let n = seconds.len();
            let index = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
            seconds[index]
        };
        Self {
            count: seconds.len() as i64,
            median: Some(rank(0.5)),
            p90: Some(rank(0.9)),
        }
    }
}

/// The figures of one slice of a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportFigures {
    /// Conversations that started in the range.
    pub opened: i64,
    pub resolved: i64,
    /// Resolved conversations that came back (the customer wrote again, or an agent
    /// reopened them).
    pub reopened: i64,
    /// Conversations handed to someone else with a note.
    pub handoffs: i64,
    /// From the customer's first message to the first agent reply.
    pub first_response: Durations,
    /// The same in the team's business hours (teams with business hours only).
    pub first_response_business: Durations,
    /// From the start (or the last reopening) to the resolution.
    pub resolution: Durations,
    pub resolution_business: Durations,
    /// First replies and resolutions within their team's SLA target (teams with a
    /// policy only; measured in business hours where the team has them).
    #[serde(default)]
    pub sla_met: i64,
    /// First replies and resolutions later than the target.
    #[serde(default)]
    pub sla_missed: i64,
}

/// One bucket of the series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportPoint {
    pub start: Timestamp,
    pub figures: ReportFigures,
}

/// One agent, team or channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportRow {
    pub name: String,
    pub figures: ReportFigures,
}

/// A report for a range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    pub query: ReportQuery,
    pub totals: ReportFigures,
    pub series: Vec<ReportPoint>,
    pub by_agent: Vec<ReportRow>,
    pub by_team: Vec<ReportRow>,
    pub by_channel: Vec<ReportRow>,
    /// Each person's time available, away and offline (the caller's teams' members; an
    /// admin: everyone who was ever signed in).
    #[serde(default)]
    pub agent_status: Vec<super::status::AgentStatusRow>,
}

/// What a report counts, one row per happening, as the store reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// A conversation started at `at`; answered first at `first_response` (if yet).
    Opened {
        first_response: Option<Timestamp>,
    },
    /// Resolved at `at`, having been open since `since`.
    Resolved {
        since: Timestamp,
    },
    Reopened,
    HandedOff,
}

/// A fact with where it belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub fact: Fact,
    pub at: Timestamp,
    pub team: Option<TeamId>,
    pub channel: String,
    pub agent: Option<UserId>,
}

/// Durations gathered before they are summarised.
#[derive(Default)]
struct Tally {
    opened: i64,
    resolved: i64,
    reopened: i64,
    handoffs: i64,
    first: Vec<i64>,
    first_business: Vec<i64>,
    resolution: Vec<i64>,
    resolution_business: Vec<i64>,
    sla_met: i64,
    sla_missed: i64,
}

/// One fact's durations, worked out once and added to every slice it belongs to.
struct Timed {
    /// Calendar and business seconds (business: `None` without business hours).
    took: Option<(i64, Option<i64>)>,
    /// Whether it met its team's SLA target (`None`: no target for it).
    met: Option<bool>,
}

impl Timed {
    fn of(p: &Placed, hours: Option<&Checked>, policy: Option<&SlaPolicy>) -> Self {
        let (span, target) = match &p.fact {
            Fact::Opened {
                first_response: Some(answered),
            } => (
                Some((p.at, *answered)),
                policy.and_then(|p| p.first_response_minutes),
            ),
            Fact::Resolved { since } => (
                Some((*since, p.at)),
                policy.and_then(|p| p.resolution_minutes),
            ),
            _ => (None, None),
        };
        let took = span.map(|(from, to)| {
            (
                to.seconds_since(from).max(0),
                hours.map(|h| h.seconds_between(from, to)),
            )
        });
        let met = match (took, target) {
            (Some((calendar, business)), Some(minutes)) => {
                Some(business.unwrap_or(calendar) <= i64::from(minutes) * 60)
            }
            _ => None,
        };
        Self { took, met }
    }
}

impl Tally {
    fn add(&mut self, p: &Placed, timed: &Timed) {
        match &p.fact {
            Fact::Opened { .. } => {
                self.opened += 1;
                if let Some((calendar, business)) = timed.took {
                    self.first.push(calendar);
                    self.first_business.extend(business);
                }
            }
            Fact::Resolved { .. } => {
                self.resolved += 1;
                if let Some((calendar, business)) = timed.took {
                    self.resolution.push(calendar);
                    self.resolution_business.extend(business);
                }
            }
            Fact::Reopened => self.reopened += 1,
            Fact::HandedOff => self.handoffs += 1,
        }
        match timed.met {
            Some(true) => self.sla_met += 1,
            Some(false) => self.sla_missed += 1,
            None => {}
        }
    }

    fn figures(self) -> ReportFigures {
        ReportFigures {
            opened: self.opened,
            resolved: self.resolved,
            reopened: self.reopened,
            handoffs: self.handoffs,
            first_response: Durations::of(self.first),
            first_response_business: Durations::of(self.first_business),
            resolution: Durations::of(self.resolution),
            resolution_business: Durations::of(self.resolution_business),
            sla_met: self.sla_met,
            sla_missed: self.sla_missed,
        }
    }
}

/// Names for the rows: agents and teams by id.
pub struct Names<'a> {
    pub agents: &'a BTreeMap<UserId, String>,
    pub teams: &'a BTreeMap<TeamId, String>,
}

/// The report of `facts` (already limited to the range and the teams the caller sees),
/// with each team's business hours and SLA policy where it has them.
pub fn build(
    query: &ReportQuery,
    facts: &[Placed],
    hours: &BTreeMap<TeamId, Checked>,
    policies: &BTreeMap<TeamId, SlaPolicy>,
    names: &Names<'_>,
) -> Report {
    let mut totals = Tally::default();
    let mut series: BTreeMap<Timestamp, Tally> = BTreeMap::new();
    let mut agents: BTreeMap<String, Tally> = BTreeMap::new();
    let mut teams: BTreeMap<String, Tally> = BTreeMap::new();
    let mut channels: BTreeMap<String, Tally> = BTreeMap::new();
    // Every bucket of the range is shown, empty ones too.
    let mut start = query.bucket_of(query.from);
    while start < query.to {
        series.entry(start).or_default();
        let step = match query.bucket {
            ReportBucket::Day => 86_400,
            ReportBucket::Week => 7 * 86_400,
        };
        start = start.plus_seconds(step);
    }
    for p in facts {
        let h = &Timed::of(
            p,
            p.team.and_then(|t| hours.get(&t)),
            p.team.and_then(|t| policies.get(&t)),
        );
        totals.add(p, h);
        series.entry(query.bucket_of(p.at)).or_default().add(p, h);
        let agent = match p.agent {
            Some(id) => names
                .agents
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("User {id}")),
            None => "Unassigned".to_string(),
        };
        agents.entry(agent).or_default().add(p, h);
        let team = match p.team {
            Some(id) => names
                .teams
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("Team {id}")),
            None => "No team".to_string(),
        };
        teams.entry(team).or_default().add(p, h);
        channels.entry(p.channel.clone()).or_default().add(p, h);
    }
    let rows = |map: BTreeMap<String, Tally>| -> Vec<ReportRow> {
        map.into_iter()
            .map(|(name, t)| ReportRow {
                name,
                figures: t.figures(),
            })
            .collect()
    };
    Report {
        query: query.clone(),
        totals: totals.figures(),
        series: series
            .into_iter()
            .map(|(start, t)| ReportPoint {
                start,
                figures: t.figures(),
            })
            .collect(),
        by_agent: rows(agents),
        by_team: rows(teams),
        by_channel: rows(channels),
        agent_status: Vec::new(),
    }
}

/// The report as CSV: one line per bucket, then per agent, team and channel, each with
/// every figure (durations in seconds; empty when there were none).
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from(
        "section,name,opened,resolved,reopened,handoffs,first_response_count,first_response_median_s,first_response_p90_s,first_response_business_median_s,first_response_business_p90_s,resolution_count,resolution_median_s,resolution_p90_s,resolution_business_median_s,resolution_business_p90_s,sla_met,sla_missed,day,available_s,away_s,offline_s\n",
    );
    let opt = |v: Option<i64>| v.map(|s| s.to_string()).unwrap_or_default();
    let mut line = |section: &str, name: &str, f: &ReportFigures| {
        out.push_str(&format!(
            "{section},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},,,,\n",
            csv_field(name),
            f.opened,
            f.resolved,
            f.reopened,
            f.handoffs,
            f.first_response.count,
            opt(f.first_response.median),
            opt(f.first_response.p90),
            opt(f.first_response_business.median),
            opt(f.first_response_business.p90),
            f.resolution.count,
            opt(f.resolution.median),
            opt(f.resolution.p90),
            opt(f.resolution_business.median),
            opt(f.resolution_business.p90),
            f.sla_met,
            f.sla_missed,
        ));
    };
    line("total", "all", &report.totals);
    for p in &report.series {
        let day = p.start.to_rfc3339().chars().take(10).collect::<String>();
        line("period", &day, &p.figures);
    }
    for (section, rows) in [
        ("agent", &report.by_agent),
        ("team", &report.by_team),
        ("channel", &report.by_channel),
    ] {
        for r in rows {
            line(section, &r.name, &r.figures);
        }
    }
    // Time in each status: one line per person and day, only the last four columns.
    for r in &report.agent_status {
        for (day, t) in &r.days {
            out.push_str(&format!(
                "agent_status,{},,,,,,,,,,,,,,,,,{},{},{},{}\n",
                csv_field(&r.name),
                day.to_rfc3339().chars().take(10).collect::<String>(),
                t.available,
                t.away,
                t.offline
            ));
        }
    }
    out
}

/// A CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`,
/// `-` or `@` is escaped so a spreadsheet does not run it as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90_by_nearest_rank() {
        let d = Durations::of(vec![50, 10, 40, 30, 20, 100, 90, 80, 70, 60]);
        assert_eq!((d.count, d.median, d.p90), (10, Some(50), Some(90)));
        assert_eq!(Durations::of(vec![]), Durations::default());
        assert_eq!(Durations::of(vec![7]).p90, Some(7));
    }

    #[test]
    fn weeks_start_on_monday_and_csv_cannot_smuggle_formulas() {
        let q = ReportQuery {
            from: Timestamp::from_unix(0),
            to: Timestamp::from_unix(86_400),
            team: None,
            bucket: ReportBucket::Week,
        };
        // 2026-12-09 (a Wednesday) 13:00 UTC is in the week of Monday 2026-12-07.
        assert_eq!(
            q.bucket_of(Timestamp::from_unix(1_796_821_200))
                .to_rfc3339(),
            "2026-12-07T00:00:00Z"
        );
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("Lima, Ana"), "\"Lima, Ana\"");
    }
}
