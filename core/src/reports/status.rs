//! Time each person spent available, away and offline, per UTC day of a report's range,
//! from the changes of their status (the status before the range starts carries in; time
//! after `now` is not counted).

use crate::ids::UserId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Seconds in each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusTime {
    pub available: i64,
    pub away: i64,
    pub offline: i64,
}

impl StatusTime {
    fn add(&mut self, status: &str, seconds: i64) {
        match status {
            "available" => self.available += seconds,
            "away" => self.away += seconds,
            _ => self.offline += seconds,
        }
    }

    fn plus(mut self, other: &StatusTime) -> Self {
        self.available += other.available;
        self.away += other.away;
        self.offline += other.offline;
        self
    }
}

/// One person's time in each status over the range, and per day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgentStatusRow {
    pub name: String,
    pub total: StatusTime,
    /// Each UTC day of the range (its start) with the time in each status.
    pub days: Vec<(Timestamp, StatusTime)>,
}

/// Per user, per day start: the seconds in each status in `[from, min(to, now))`.
/// `changes` are ordered by time and hold, per user, at most one change before `from`.
pub fn time_in_status(
    changes: &[(UserId, String, Timestamp)],
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> BTreeMap<UserId, BTreeMap<Timestamp, StatusTime>> {
    let end = to.min(now);
    let mut by_user: BTreeMap<UserId, Vec<(&str, Timestamp)>> = BTreeMap::new();
    for (user, status, at) in changes {
        by_user.entry(*user).or_default().push((status, *at));
    }
    let mut out = BTreeMap::new();
    for (user, list) in by_user {
        let mut days: BTreeMap<Timestamp, StatusTime> = BTreeMap::new();
        let mut status = "offline";
        let mut since = from;
        for (next, at) in list {
            if at > since {
                spread(&mut days, status, since, at.min(end));
                since = at;
            }
            status = next;
        }
        spread(&mut days, status, since, end);
        out.insert(user, days);
    }
    out
}

/// Adds `[a, b)` in `status` to the UTC days it covers.
fn spread(days: &mut BTreeMap<Timestamp, StatusTime>, status: &str, a: Timestamp, b: Timestamp) {
    let mut at = a.unix();
    while at < b.unix() {
        let day = at.div_euclid(86_400) * 86_400;
        let until = (day + 86_400).min(b.unix());
        days.entry(Timestamp::from_unix(day))
            .or_default()
            .add(status, until - at);
        at = until;
    }
}

/// The rows of a report: one per user with a name, totals and days in order.
pub fn rows(
    times: BTreeMap<UserId, BTreeMap<Timestamp, StatusTime>>,
    names: &BTreeMap<UserId, String>,
) -> Vec<AgentStatusRow> {
    let mut rows: Vec<AgentStatusRow> = times
        .into_iter()
        .map(|(user, days)| AgentStatusRow {
            name: names
                .get(&user)
                .cloned()
                .unwrap_or_else(|| format!("User {user}")),
            total: days
                .values()
                .fold(StatusTime::default(), |sum, d| sum.plus(d)),
            days: days.into_iter().collect(),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn the_status_before_the_range_carries_in_and_days_split_at_midnight() {
        let (alex, sam) = (UserId::new(1), UserId::new(2));
        let from = Timestamp::from_unix(10 * DAY);
        let to = Timestamp::from_unix(12 * DAY);
        let at = |s: i64| Timestamp::from_unix(10 * DAY + s);
        let changes = vec![
            (alex, "available".to_string(), Timestamp::from_unix(9 * DAY)),
            (alex, "away".to_string(), at(3600)),
            (alex, "available".to_string(), at(5400)),
            (alex, "offline".to_string(), at(DAY + 7200)),
            (sam, "available".to_string(), at(DAY - 600)),
        ];
        let times = time_in_status(&changes, from, to, Timestamp::from_unix(20 * DAY));
        let first = times[&alex][&from];
        assert_eq!(
            (first.available, first.away, first.offline),
            (DAY - 1800, 1800, 0)
        );
        let second = times[&alex][&Timestamp::from_unix(11 * DAY)];
        assert_eq!((second.available, second.offline), (7200, DAY - 7200));
        // Sam was offline (no change before the range) until 23:50, then available across
        // midnight.
        assert_eq!(times[&sam][&from].offline, DAY - 600);
        assert_eq!(times[&sam][&from].available, 600);
        assert_eq!(times[&sam][&Timestamp::from_unix(11 * DAY)].available, DAY);
    }

    #[test]
    fn time_after_now_is_not_counted() {
        let alex = UserId::new(1);
        let from = Timestamp::from_unix(10 * DAY);
        let changes = vec![(alex, "available".to_string(), from)];
        let now = Timestamp::from_unix(10 * DAY + 600);
        let times = time_in_status(&changes, from, Timestamp::from_unix(12 * DAY), now);
        let rows = rows(times, &BTreeMap::from([(alex, "Alex".to_string())]));
        assert_eq!(
            rows[0].total,
            StatusTime {
                available: 600,
                away: 0,
                offline: 0
            }
        );
        assert_eq!(rows[0].days.len(), 1);
    }
}
