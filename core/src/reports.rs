//! What team leads measure: a team's business hours (a weekly schedule in its own time
//! zone, with holidays) and the time between two moments counted in them, and the
//! figures of a report (counts, and median and 90th percentile of durations); SLA
//! policies (per team, refined per channel or label) and each conversation's clock; time
//! each person spent available, away and offline; customer satisfaction surveys and
//! their answers.

pub mod figures;
pub mod hours;
pub mod satisfaction;
pub mod sla;
pub mod sla_scope;
pub mod status;

pub use figures::{
    Durations, Report, ReportBucket, ReportFigures, ReportPoint, ReportQuery, ReportRow,
};
pub use hours::{BusinessHours, OpenHours};
pub use satisfaction::SatisfactionView;
pub use sla::{SlaClock, SlaPolicy, SlaTarget};
pub use sla_scope::{SlaOverride, SlaPolicies, SlaScope};
pub use status::{AgentStatusRow, StatusTime};

/// The start (00:00 UTC) of a day written `YYYY-MM-DD`; `None` when it is not a date.
pub fn day_start(text: &str) -> Option<crate::time::Timestamp> {
    let date: jiff::civil::Date = text.trim().parse().ok()?;
    let zoned = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(crate::time::Timestamp::from_unix(
        zoned.timestamp().as_second(),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_day_starts_at_midnight_utc() {
        assert_eq!(
            super::day_start("2026-12-07").map(|t| t.unix()),
            Some(1_796_601_600)
        );
        assert_eq!(super::day_start("7.12.2026"), None);
    }
}
