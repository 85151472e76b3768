//! A report's figures, made from facts the store reads (conversations opened, resolved,
//! reopened, handed off, with their team, channel and agent): counts and the median and
//! 90th percentile of first-response and resolution times, in calendar time and in the
//! team's business hours, over the whole range, per day or week, per agent, team,
//! channel and label; how many first replies and resolutions met or missed the team's SLA
//! target; and the customers' satisfaction ratings.

use super::hours::Checked;
use super::sla::SlaPolicy;
use super::sla_scope::SlaPolicies;
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
    /// Satisfaction surveys answered in the range (by the answer's time).
    #[serde(default)]
    pub csat_answers: i64,
    /// Answers of 4 or 5 (satisfied).
    #[serde(default)]
    pub csat_satisfied: i64,
    /// The ratings added up (the average is this over `csat_answers`).
    #[serde(default)]
    pub csat_points: i64,
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
    /// Per label of the conversation (one with several labels counts in each).
    #[serde(default)]
    pub by_label: Vec<ReportRow>,
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
    /// A customer rated the help with a survey answer (1 to 5).
    Rated {
        rating: u8,
    },
}

/// A fact with where it belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub fact: Fact,
    pub at: Timestamp,
    pub team: Option<TeamId>,
    pub channel: String,
    pub agent: Option<UserId>,
    /// The conversation's labels today.
    pub labels: Vec<String>,
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
    csat_answers: i64,
    csat_satisfied: i64,
    csat_points: i64,
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
            Fact::Rated { rating } => {
                self.csat_answers += 1;
                self.csat_satisfied += i64::from(*rating >= 4);
                self.csat_points += i64::from(*rating);
            }
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
            csat_answers: self.csat_answers,
            csat_satisfied: self.csat_satisfied,
            csat_points: self.csat_points,
        }
    }
}

/// Names for the rows: agents and teams by id.
pub struct Names<'a> {
    pub agents: &'a BTreeMap<UserId, String>,
    pub teams: &'a BTreeMap<TeamId, String>,
}

/// The report of `facts` (already limited to the range and the teams the caller sees),
/// with each team's business hours and SLA targets (refined per channel and label) where
/// it has them.
pub fn build(
    query: &ReportQuery,
    facts: &[Placed],
    hours: &BTreeMap<TeamId, Checked>,
    policies: &SlaPolicies,
    names: &Names<'_>,
) -> Report {
    let mut totals = Tally::default();
    let mut series: BTreeMap<Timestamp, Tally> = BTreeMap::new();
    let mut agents: BTreeMap<String, Tally> = BTreeMap::new();
    let mut teams: BTreeMap<String, Tally> = BTreeMap::new();
    let mut channels: BTreeMap<String, Tally> = BTreeMap::new();
    let mut labels: BTreeMap<String, Tally> = BTreeMap::new();
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
        let targets = p
            .team
            .and_then(|t| policies.for_conversation(t, &p.channel, &p.labels));
        let h = &Timed::of(p, p.team.and_then(|t| hours.get(&t)), targets.as_ref());
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
        for label in &p.labels {
            labels.entry(label.clone()).or_default().add(p, h);
        }
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
        by_label: rows(labels),
        agent_status: Vec::new(),
    }
}

/// The report as CSV: one line per bucket, then per agent, team, channel and label, each with
/// every figure (durations in seconds; empty when there were none).
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from(
        "section,name,opened,resolved,reopened,handoffs,first_response_count,first_response_median_s,first_response_p90_s,first_response_business_median_s,first_response_business_p90_s,resolution_count,resolution_median_s,resolution_p90_s,resolution_business_median_s,resolution_business_p90_s,sla_met,sla_missed,day,available_s,away_s,offline_s,csat_answers,csat_satisfied,csat_average\n",
    );
    let opt = |v: Option<i64>| v.map(|s| s.to_string()).unwrap_or_default();
    let mut line = |section: &str, name: &str, f: &ReportFigures| {
        out.push_str(&format!(
            "{section},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},,,,,{},{},{}\n",
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
            f.csat_answers,
            f.csat_satisfied,
            csat_average(f).unwrap_or_default(),
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
        ("label", &report.by_label),
    ] {
        for r in rows {
            line(section, &r.name, &r.figures);
        }
    }
    // Time in each status: one line per person and day, only the last four columns.
    for r in &report.agent_status {
        for (day, t) in &r.days {
            out.push_str(&format!(
                "agent_status,{},,,,,,,,,,,,,,,,,{},{},{},{},,,\n",
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

/// The average rating with two decimals (`4.25`); `None` without answers.
pub fn csat_average(f: &ReportFigures) -> Option<String> {
    (f.csat_answers > 0).then(|| {
        let hundredths = (f.csat_points * 100 + f.csat_answers / 2) / f.csat_answers;
        format!("{}.{:02}", hundredths / 100, hundredths % 100)
    })
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
    fn ratings_count_satisfied_answers_and_average_in_csv() {
        let q = ReportQuery {
            from: Timestamp::from_unix(0),
            to: Timestamp::from_unix(86_400),
            team: None,
            bucket: ReportBucket::Day,
        };
        let rated = |rating| Placed {
            fact: Fact::Rated { rating },
            at: Timestamp::from_unix(100),
            team: None,
            channel: "whatsapp".into(),
            agent: None,
            labels: vec!["vip".into(), "refund".into()],
        };
        let names = Names {
            agents: &BTreeMap::new(),
            teams: &BTreeMap::new(),
        };
        let facts = [rated(5), rated(4), rated(2)];
        let report = build(
            &q,
            &facts,
            &BTreeMap::new(),
            &SlaPolicies::default(),
            &names,
        );
        let t = &report.totals;
        assert_eq!(
            (t.csat_answers, t.csat_satisfied, t.csat_points),
            (3, 2, 11)
        );
        assert_eq!(report.by_channel[0].figures.csat_answers, 3);
        let names: Vec<&str> = report.by_label.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["refund", "vip"],
            "each label of a conversation counts"
        );
        assert_eq!(report.by_label[1].figures.csat_points, 11);
        let csv = to_csv(&report);
        assert!(csv.lines().any(|l| l.starts_with("label,vip,")));
        let header: Vec<&str> = csv.lines().next().expect("a header").split(',').collect();
        let total: Vec<&str> = csv.lines().nth(1).expect("the total").split(',').collect();
        assert_eq!(header.len(), total.len());
        let at = |name| header.iter().position(|h| *h == name).expect("a column");
        assert_eq!(total[at("csat_answers")], "3");
        assert_eq!(total[at("csat_average")], "3.67");
        assert_eq!(csat_average(&ReportFigures::default()), None);
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
