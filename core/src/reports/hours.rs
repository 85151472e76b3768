//! A team's business hours: for each weekday the hours it answers (or none), in an IANA
//! time zone, with holidays; and how many seconds of them lie between two moments, so a
//! first response across a weekend counts only the hours the team works.

use crate::error::{CoreError, Result};
use crate::time::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// One day's opening, in minutes after local midnight (`end` after `start`, at most 1440).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpenHours {
    pub start_minute: u16,
    pub end_minute: u16,
}

/// When a team works: `days[0]` is Monday … `days[6]` Sunday (`None`: closed), in
/// `time_zone`, except on `holidays` (`YYYY-MM-DD`, local dates).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BusinessHours {
    pub time_zone: String,
    pub days: Vec<Option<OpenHours>>,
    pub holidays: Vec<String>,
}

/// At most this many holidays per team.
pub const MAX_HOLIDAYS: usize = 200;
/// Durations longer than this are counted in business hours up to this far only (a
/// conversation open for years does not cost a report years of days).
const MAX_DAYS: i64 = 3 * 366;

impl BusinessHours {
    /// Monday to Friday, 09:00 to 17:00, in `time_zone`.
    pub fn office(time_zone: &str) -> Self {
        let day = Some(OpenHours {
            start_minute: 9 * 60,
            end_minute: 17 * 60,
        });
        Self {
            time_zone: time_zone.into(),
            days: vec![day, day, day, day, day, None, None],
            holidays: Vec::new(),
        }
    }

    /// The schedule checked: a known time zone, seven days, sensible hours, real dates.
    pub fn checked(&self) -> Result<Checked> {
        let zone = TimeZone::get(self.time_zone.trim()).map_err(|_| {
            CoreError::invalid(
                "time zone",
                format!(
                    "“{}” is not a time zone; use a name such as Europe/Berlin",
                    self.time_zone.chars().take(60).collect::<String>()
                ),
            )
        })?;
        if self.days.len() != 7 {
            return Err(CoreError::invalid(
                "days",
                "give hours for each of the 7 weekdays",
            ));
        }
        for hours in self.days.iter().flatten() {
            if hours.end_minute <= hours.start_minute || hours.end_minute > 24 * 60 {
                return Err(CoreError::invalid(
                    "days",
                    "each day's hours must end after they start, by midnight",
                ));
            }
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            return Err(CoreError::invalid(
                "holidays",
                format!("list at most {MAX_HOLIDAYS} holidays"),
            ));
        }
        let mut holidays = Vec::new();
        for h in &self.holidays {
            let date: Date = h.trim().parse().map_err(|_| {
                CoreError::invalid(
                    "holidays",
                    format!(
                        "“{}” is not a date; write it as 2026-12-25",
                        h.chars().take(20).collect::<String>()
                    ),
                )
            })?;
            holidays.push(date);
        }
        holidays.sort();
        holidays.dedup();
        let text = Self {
            time_zone: self.time_zone.trim().to_string(),
            days: self.days.clone(),
            holidays: holidays.iter().map(ToString::to_string).collect(),
        };
        Ok(Checked {
            zone,
            days: self.days.clone(),
            holidays,
            text,
        })
    }
}

/// Business hours ready to count with.
#[derive(Clone, Debug)]
pub struct Checked {
    zone: TimeZone,
    days: Vec<Option<OpenHours>>,
    holidays: Vec<Date>,
    /// The schedule as stored (trimmed, holidays sorted).
    pub text: BusinessHours,
}

impl Checked {
    /// Seconds of business hours between `from` and `to` (0 when `to` is not later).
    pub fn seconds_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        let Ok(start) = jiff::Timestamp::from_second(from.unix()) else {
            return 0;
        };
        let mut date = start.to_zoned(self.zone.clone()).date();
        let mut total = 0;
        for _ in 0..MAX_DAYS {
            let Some(open) = self.open_on(date) else {
                match date.tomorrow() {
                    Ok(next) => date = next,
                    Err(_) => break,
                }
                if self.local_midnight(date).is_some_and(|m| m >= to.unix()) {
                    break;
                }
                continue;
            };
            if let (Some(a), Some(b)) = (
                self.at_minute(date, open.start_minute),
                self.at_minute(date, open.end_minute),
            ) {
                let lo = a.max(from.unix());
                let hi = b.min(to.unix());
                if hi > lo {
                    total += hi - lo;
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
            if self.local_midnight(date).is_some_and(|m| m >= to.unix()) {
                break;
            }
        }
        total
    }

    /// The moment `seconds` of business hours after `from` (`from` itself for 0), or
    /// `None` when the schedule has no such moment within its horizon (a team that never
    /// works): an SLA due time counted in the team's hours.
    pub fn add_seconds(&self, from: Timestamp, seconds: i64) -> Option<Timestamp> {
        if seconds <= 0 {
            return Some(from);
        }
        let start = jiff::Timestamp::from_second(from.unix()).ok()?;
        let mut date = start.to_zoned(self.zone.clone()).date();
        let mut left = seconds;
        for _ in 0..MAX_DAYS {
            if let Some(open) = self.open_on(date) {
                if let (Some(a), Some(b)) = (
                    self.at_minute(date, open.start_minute),
                    self.at_minute(date, open.end_minute),
                ) {
                    let lo = a.max(from.unix());
                    if b > lo {
                        if b - lo >= left {
                            return Some(Timestamp::from_unix(lo + left));
                        }
                        left -= b - lo;
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// Whether the team works at `at`.
    pub fn is_open_at(&self, at: Timestamp) -> bool {
        self.seconds_between(at, at.plus_seconds(1)) > 0
    }

    fn open_on(&self, date: Date) -> Option<OpenHours> {
        if self.holidays.binary_search(&date).is_ok() {
            return None;
        }
        let index = date.weekday().to_monday_zero_offset() as usize;
        self.days.get(index).copied().flatten()
    }

    fn local_midnight(&self, date: Date) -> Option<i64> {
        self.at_minute(date, 0)
    }

    /// The moment `minute` minutes after local midnight of `date` (1440: the next midnight).
    fn at_minute(&self, date: Date, minute: u16) -> Option<i64> {
        let (date, minute) = if minute >= 24 * 60 {
            (date.tomorrow().ok()?, minute - 24 * 60)
        } else {
            (date, minute)
        };
        let time = jiff::civil::Time::new((minute / 60) as i8, (minute % 60) as i8, 0, 0).ok()?;
        let zoned = date.to_datetime(time).to_zoned(self.zone.clone()).ok()?;
        Some(zoned.timestamp().as_second())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        let t: jiff::Timestamp = text.parse().expect("timestamp");
        Timestamp::from_unix(t.as_second())
    }

    #[test]
    fn a_weekend_counts_nothing_and_working_hours_count_in_the_teams_zone() {
        let hours = BusinessHours::office("Europe/Berlin")
            .checked()
            .expect("valid");
        // Friday 16:00 Berlin (15:00 UTC in winter) to Monday 10:00 Berlin: 1 h + 1 h.
        let seconds = hours.seconds_between(at("2026-12-04T15:00:00Z"), at("2026-12-07T09:00:00Z"));
        assert_eq!(seconds, 2 * 3600);
        // Saturday to Sunday: nothing.
        assert_eq!(
            hours.seconds_between(at("2026-12-05T08:00:00Z"), at("2026-12-06T20:00:00Z")),
            0
        );
        // Before opening to after closing on a Tuesday: the 8 hours.
        assert_eq!(
            hours.seconds_between(at("2026-12-08T05:00:00Z"), at("2026-12-08T20:00:00Z")),
            8 * 3600
        );
    }

    #[test]
    fn adding_business_time_skips_closed_hours_and_agrees_with_counting_it() {
        let mut plan = BusinessHours::office("Europe/Berlin");
        plan.holidays = vec!["2026-12-07".into()];
        let hours = plan.checked().expect("valid");
        // Friday 16:00 Berlin plus 2 hours: 1 h on Friday, Monday is a holiday, so
        // Tuesday 10:00 Berlin.
        let friday = at("2026-12-04T15:00:00Z");
        let due = hours.add_seconds(friday, 2 * 3600).expect("due");
        assert_eq!(due, at("2026-12-08T09:00:00Z"));
        assert_eq!(hours.seconds_between(friday, due), 2 * 3600);
        // From a Saturday, the clock starts when the team opens.
        assert_eq!(
            hours.add_seconds(at("2026-12-05T10:00:00Z"), 60),
            Some(at("2026-12-08T08:01:00Z"))
        );
        assert_eq!(hours.add_seconds(friday, 0), Some(friday));
        let never = BusinessHours {
            time_zone: "UTC".into(),
            days: vec![None; 7],
            holidays: Vec::new(),
        };
        assert_eq!(never.checked().expect("valid").add_seconds(friday, 1), None);
    }

    #[test]
    fn a_holiday_is_closed_and_summer_time_moves_the_hours() {
        let mut plan = BusinessHours::office("Europe/Berlin");
        plan.holidays = vec!["2026-12-25".into()];
        let hours = plan.checked().expect("valid");
        // Thursday 24th 16:00 to Monday 28th 10:00 Berlin: 1 h + (25th closed) + 1 h.
        assert_eq!(
            hours.seconds_between(at("2026-12-24T15:00:00Z"), at("2026-12-28T09:00:00Z")),
            2 * 3600
        );
        // In July Berlin is UTC+2: 09:00 local is 07:00 UTC.
        assert_eq!(
            hours.seconds_between(at("2026-07-01T07:00:00Z"), at("2026-07-01T08:00:00Z")),
            3600
        );
        assert_eq!(
            hours.seconds_between(at("2026-07-01T06:00:00Z"), at("2026-07-01T07:00:00Z")),
            0
        );
    }

    #[test]
    fn the_day_summer_time_starts_still_has_its_eight_hours() {
        let hours = BusinessHours::office("Europe/Berlin")
            .checked()
            .expect("valid");
        // Monday 2026-03-30 (the day after the change) and Friday 2026-03-27 (before):
        // 09:00 local is 07:00 and 08:00 UTC.
        assert_eq!(
            hours.seconds_between(at("2026-03-27T00:00:00Z"), at("2026-03-31T00:00:00Z")),
            16 * 3600
        );
        assert!(hours.is_open_at(at("2026-03-30T07:30:00Z")));
        assert!(!hours.is_open_at(at("2026-03-27T07:30:00Z")));
    }

    #[test]
    fn bad_schedules_are_refused_at_their_field() {
        let field = |plan: BusinessHours| match plan.checked() {
            Err(CoreError::InvalidInput { field, .. }) => field.to_string(),
            other => panic!("expected a field error, got {other:?}"),
        };
        assert_eq!(field(BusinessHours::office("Mars/Olympus")), "time zone");
        let mut plan = BusinessHours::office("UTC");
        plan.days[0] = Some(OpenHours {
            start_minute: 600,
            end_minute: 540,
        });
        assert_eq!(field(plan), "days");
        let mut plan = BusinessHours::office("UTC");
        plan.days.pop();
        assert_eq!(field(plan), "days");
        let mut plan = BusinessHours::office("UTC");
        plan.holidays = vec!["25/12/2026".into()];
        assert_eq!(field(plan), "holidays");
    }
}
