//! What team leads measure: a team's business hours (a weekly schedule in its own time
//! zone, with holidays) and the time between two moments counted in them, and the
//! figures of a report (counts, and median and 90th percentile of durations).

pub mod figures;
pub mod hours;

pub use figures::{
    Durations, Report, ReportBucket, ReportFigures, ReportPoint, ReportQuery, ReportRow,
};
pub use hours::{BusinessHours, OpenHours};
