//! Time in status for reports, with a controlled clock: an agent signed in is available,
//! away while they say so, offline once their session is locked or ended; the report
//! counts each per day up to now; a lead sees their team's people only, an admin
//! everyone; the CSV has a line per person and day.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::auth::Role;
use appcare_core::reports::{ReportBucket, ReportQuery, StatusTime};
use appcare_core::{SessionToken, Timestamp};
use common::*;

/// Monday 2026-11-30 00:00 UTC.
const MONDAY: i64 = 1_795_996_800;
const HOUR: i64 = 3600;

fn report_for(
    ws: &appcare_core::Workspace,
    token: &SessionToken,
    now: i64,
) -> Result<appcare_core::reports::Report, appcare_core::CoreError> {
    ws.team_report(
        token,
        &ReportQuery {
            from: Timestamp::from_unix(MONDAY),
            to: Timestamp::from_unix(MONDAY + 2 * 24 * HOUR),
            team: None,
            bucket: ReportBucket::Day,
        },
        Timestamp::from_unix(now),
    )
}

#[test]
fn available_away_and_offline_are_counted_per_day_and_leads_see_their_team() -> TestResult {
    let ctx = workspace();
    let start = Timestamp::from_unix(MONDAY + 8 * HOUR);
    let (admin, admin_app, _) = enrol(&ctx.ws, ADMIN, ADMIN_PASSWORD, start);
    let ws = &ctx.ws;
    let billing = ws.create_team(&admin, "Billing", start)?.id;
    let mut alex = new_user("alex", Role::Agent);
    alex.teams = vec![billing];
    ws.create_user(&admin, alex, start)?;
    let mut lena = new_user("lena", Role::Lead);
    lena.teams = vec![billing];
    ws.create_user(&admin, lena, start)?;
    ws.create_user(&admin, new_user("sam", Role::Agent), start)?;
    ws.sign_out(&admin, start)?;

    // Alex signs in at 09:00, is away 09:10–09:20, locks the session at 09:30.
    let at = |h: i64, m: i64| Timestamp::from_unix(MONDAY + h * HOUR + m * 60);
    let (alex, _, _) = enrol(ws, "alex", &password_of("alex"), at(9, 0));
    ws.set_availability(&alex, false, at(9, 10))?;
    ws.set_availability(&alex, true, at(9, 20))?;
    ws.lock(&alex, at(9, 30))?;
    let (_, lena_app, _) = enrol(ws, "lena", &password_of("lena"), at(12, 30));
    enrol(ws, "sam", &password_of("sam"), at(12, 45));

    // Tuesday 06:00: Monday is whole, Tuesday counts six hours.
    let now = MONDAY + 30 * HOUR;
    let lead = sign_in(
        ws,
        "lena",
        &password_of("lena"),
        &lena_app,
        Timestamp::from_unix(now),
    );
    let report = report_for(ws, &lead, now)?;
    let names: Vec<&str> = report
        .agent_status
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["alex display", "lena display"],
        "the lead's team only"
    );
    let alex_row = &report.agent_status[0];
    let monday = alex_row.days[0].1;
    assert_eq!(
        monday,
        StatusTime {
            available: 20 * 60,
            away: 10 * 60,
            offline: 24 * HOUR - 30 * 60,
        }
    );
    assert_eq!(alex_row.days.len(), 2);
    assert_eq!(alex_row.days[1].1.offline, 6 * HOUR, "up to now only");

    let admin = sign_in(
        ws,
        ADMIN,
        ADMIN_PASSWORD,
        &admin_app,
        Timestamp::from_unix(now + 60),
    );
    let all = report_for(ws, &admin, now + 60)?;
    assert!(all.agent_status.iter().any(|r| r.name == "sam display"));
    let csv = ws.report_csv(
        &admin,
        &ReportQuery {
            from: Timestamp::from_unix(MONDAY),
            to: Timestamp::from_unix(MONDAY + 2 * 24 * HOUR),
            team: None,
            bucket: ReportBucket::Day,
        },
        Timestamp::from_unix(now + 60),
    )?;
    let line = csv
        .lines()
        .find(|l| l.starts_with("agent_status,alex display,") && l.contains(",2026-11-30,"))
        .ok_or("a status line for Alex's Monday")?;
    // Day and the three statuses, then the empty satisfaction columns.
    assert!(line.ends_with(",2026-11-30,1200,600,84600,,,"), "{line}");
    let header = csv.lines().next().ok_or("a header")?;
    assert_eq!(line.split(',').count(), header.split(',').count());
    Ok(())
}

/// A person's status history is kept as long as a report can look back (400 days): the
/// retention run drops older changes but keeps the last one before, so the status when
/// the kept history starts is still known.
#[test]
fn status_history_older_than_a_reports_reach_is_purged_but_the_status_then_is_kept() -> TestResult {
    let ctx = workspace();
    let ws = &ctx.ws;
    let start = Timestamp::from_unix(MONDAY);
    let (admin, _, _) = enrol(ws, ADMIN, ADMIN_PASSWORD, start);
    ws.set_availability(&admin, false, start.plus_seconds(60))?;
    ws.set_availability(&admin, true, start.plus_seconds(120))?;
    let rows =
        |ws: &appcare_core::Workspace| -> Result<Vec<(String, i64)>, appcare_core::CoreError> {
            ws.store().read(|c| {
                let mut stmt =
                    c.prepare("SELECT status, at FROM agent_status_changes ORDER BY id")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
        };
    assert_eq!(rows(ws)?.len(), 3, "available, away, available");
    ws.maintenance()
        .purge_expired(start.plus_seconds(401 * 86_400))?;
    assert_eq!(
        rows(ws)?,
        [("available".to_string(), MONDAY + 120)],
        "only the status in force when the kept history starts"
    );
    Ok(())
}

/// The app closed without signing out leaves a session open: when the person signs in
/// again, it is locked, and they count as offline from when it went idle (15 minutes
/// after its last use), not available all along.
#[test]
fn a_session_left_open_counts_offline_from_when_it_went_idle() -> TestResult {
    let ctx = workspace();
    let ws = &ctx.ws;
    let at = |h: i64, m: i64| Timestamp::from_unix(MONDAY + h * HOUR + m * 60);
    let (admin, admin_app, _) = enrol(ws, ADMIN, ADMIN_PASSWORD, at(8, 0));
    ws.create_user(&admin, new_user("alex", Role::Agent), at(8, 0))?;
    let (_, app, _) = enrol(ws, "alex", &password_of("alex"), at(9, 0));
    // Alex quits the app without signing out; at 14:00 Alex signs in again.
    let again = sign_in(ws, "alex", &password_of("alex"), &app, at(14, 0));
    ws.lock(&again, at(14, 10))?;
    let admin = sign_in(ws, ADMIN, ADMIN_PASSWORD, &admin_app, at(15, 0));
    let report = report_for(ws, &admin, MONDAY + 15 * HOUR)?;
    let alex = report
        .agent_status
        .iter()
        .find(|r| r.name == "alex display")
        .ok_or("Alex's row")?;
    assert_eq!(alex.total.available, 25 * 60, "09:00–09:15 and 14:00–14:10");
    Ok(())
}
