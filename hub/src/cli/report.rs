//! `appcare report`: a team's (or every team's) report for a range of days, as CSV or
//! JSON on standard output, with the same figures the window shows (the core makes
//! both). Signs in as an admin or lead first.

use super::users::{sign_in_admin, AdminArgs};
use super::{CliError, CliResult};
use appcare_core::reports::{day_start, ReportBucket, ReportQuery};
use appcare_core::Timestamp;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    admin: AdminArgs,
    /// First day of the range (YYYY-MM-DD, UTC).
    #[arg(long)]
    from: String,
    /// Day after the last one (YYYY-MM-DD, UTC): `--from 2026-11-01 --to 2026-12-01` is November.
    #[arg(long)]
    to: String,
    /// One team by name; every team you may see when left out.
    #[arg(long)]
    team: Option<String>,
    /// The series per day or per week.
    #[arg(long, value_parser = ["day", "week"], default_value = "day")]
    by: String,
    #[arg(long, value_parser = ["csv", "json"], default_value = "csv")]
    format: String,
}

fn day(text: &str, flag: &str) -> CliResult<Timestamp> {
    day_start(text).ok_or_else(|| {
        CliError::Usage(format!(
            "--{flag} {text}: write the day as YYYY-MM-DD, e.g. 2026-12-01"
        ))
    })
}

pub fn run(args: ReportArgs) -> CliResult {
    let from = day(&args.from, "from")?;
    let to = day(&args.to, "to")?;
    let (ws, token) = sign_in_admin(&args.admin)?;
    let team = match &args.team {
        None => None,
        Some(name) => Some(
            ws.list_teams(&token, Timestamp::now())?
                .into_iter()
                .find(|t| t.name.eq_ignore_ascii_case(name))
                .map(|t| t.id)
                .ok_or_else(|| CliError::Usage(format!("no team named {name}")))?,
        ),
    };
    let query = ReportQuery {
        from,
        to,
        team,
        bucket: if args.by == "week" {
            ReportBucket::Week
        } else {
            ReportBucket::Day
        },
    };
    let now = Timestamp::now();
    if args.format == "json" {
        let report = ws.team_report(&token, &query, now)?;
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| CliError::Usage(format!("the report could not be written: {e}")))?;
        println!("{text}");
    } else {
        print!("{}", ws.report_csv(&token, &query, now)?);
    }
    ws.sign_out(&token, Timestamp::now())?;
    Ok(())
}
