//! Reports with a controlled clock: a first response across a weekend counts only the
//! team's business hours (and a holiday counts none), while calendar time counts it
//! all; a reopened conversation is counted as reopened and its second resolution is
//! timed from the reopening; a handoff is counted; a lead reads only their own teams'
//! report; the CSV carries the same figures; bad business hours and ranges are refused
//! at their field; an account's out-of-hours reply goes once per conversation, only
//! outside the team's hours, only to fresh messages, never to do-not-contact, and is not
//! counted as a first response.
//!
//! Real parts: SQLCipher. Times are UTC; the team works in Europe/Berlin (UTC+1 in
//! winter).

mod common;

use appcare_core::auth::Role;
use appcare_core::ids::{ChannelAccountId, ConversationId, TeamId};
use appcare_core::reports::{BusinessHours, Report, ReportBucket, ReportQuery};
use appcare_core::service::handoff::{TransferTarget, Versioned};
use appcare_core::service::inbox::ConversationStatus;
use appcare_core::{CoreError, SessionToken, Timestamp};
use common::mail;
use common::*;

/// Friday 2026-11-27 15:00 UTC (16:00 in Berlin, an hour before closing).
const FRIDAY_4PM: i64 = 1_795_791_600;
/// Monday 2026-11-30 09:00 UTC (10:00 in Berlin).
const MONDAY_10AM: i64 = 1_796_029_200;
/// Wednesday 2026-12-02 09:00 UTC.
const WEDNESDAY_9AM: i64 = 1_796_202_000;
const HOUR: i64 = 3600;
/// The report's range: Monday 2026-11-23 to Monday 2026-12-07.
const FROM: i64 = 1_795_392_000;
const TO: i64 = 1_796_601_600;

struct World {
    ctx: Ctx,
    app: Authenticator,
    lead_app: Authenticator,
    billing: TeamId,
    sales: TeamId,
    billing_mail: ChannelAccountId,
    sales_mail: ChannelAccountId,
}

impl World {
    /// The admin, signed in at `at` (a fresh sign-in: the clock jumps days).
    fn admin(&self, at: i64) -> SessionToken {
        sign_in(
            &self.ctx.ws,
            ADMIN,
            ADMIN_PASSWORD,
            &self.app,
            Timestamp::from_unix(at),
        )
    }

    fn lead(&self, at: i64) -> SessionToken {
        sign_in(
            &self.ctx.ws,
            "lena",
            &password_of("lena"),
            &self.lead_app,
            Timestamp::from_unix(at),
        )
    }

    fn writes(&self, account: ChannelAccountId, who: &str, id: &str, at: i64) -> ConversationId {
        customer_writes(
            &self.ctx.ws,
            account,
            who,
            id,
            "Hello",
            Timestamp::from_unix(at),
        )
    }

    /// The admin signed in at `at`, and the conversation as they see it then.
    fn open(&self, id: ConversationId, at: i64) -> (SessionToken, Versioned) {
        let token = self.admin(at);
        let version = self
            .ctx
            .ws
            .open_conversation(&token, id, None, Timestamp::from_unix(at))
            .expect("opened")
            .summary
            .version;
        (token, Versioned { id, version })
    }

    fn set(&self, id: ConversationId, status: ConversationStatus, at: i64) {
        let (token, seen) = self.open(id, at);
        self.ctx
            .ws
            .set_status(&token, seen, status, None, Timestamp::from_unix(at))
            .expect("status set");
    }

    fn report(
        &self,
        token: &SessionToken,
        team: Option<TeamId>,
        at: i64,
    ) -> Result<Report, CoreError> {
        self.ctx.ws.team_report(
            token,
            &ReportQuery {
                from: Timestamp::from_unix(FROM),
                to: Timestamp::from_unix(TO),
                team,
                bucket: ReportBucket::Day,
            },
            Timestamp::from_unix(at),
        )
    }
}

fn world() -> World {
    let ctx = workspace();
    let now = ctx.now;
    let (admin, app, _) = enrol(&ctx.ws, ADMIN, ADMIN_PASSWORD, now);
    let billing = ctx.ws.create_team(&admin, "Billing", now).expect("team").id;
    let sales = ctx.ws.create_team(&admin, "Sales", now).expect("team").id;
    let mut lena = new_user("lena", Role::Lead);
    lena.teams = vec![billing];
    ctx.ws.create_user(&admin, lena, now).expect("lead");
    let (_, lead_app, _) = enrol(&ctx.ws, "lena", &password_of("lena"), now);
    let mailbox = |name: &str, address: &str, team: TeamId| {
        ctx.ws
            .create_channel_account(&admin, "email", name, address, Some(team), now)
            .expect("account")
            .id
    };
    let billing_mail = mailbox("Billing", "billing@example.com", billing);
    let sales_mail = mailbox("Sales", "sales@example.com", sales);
    World {
        ctx,
        app,
        lead_app,
        billing,
        sales,
        billing_mail,
        sales_mail,
    }
}

#[test]
fn a_first_response_across_a_weekend_counts_business_hours_only() -> TestResult {
    let w = world();
    let ws = &w.ctx.ws;
    let admin = w.admin(FRIDAY_4PM - HOUR);
    ws.set_business_hours(
        &admin,
        w.billing,
        Some(BusinessHours::office("Europe/Berlin")),
        Timestamp::from_unix(FRIDAY_4PM - HOUR),
    )?;
    let id = w.writes(w.billing_mail, "ana@customer.test", "m1", FRIDAY_4PM);
    ws.reply(
        &w.admin(MONDAY_10AM),
        id,
        "Sorted.",
        None,
        Timestamp::from_unix(MONDAY_10AM),
    )?;

    let report = w.report(&w.admin(TO), None, TO)?;
    let first = &report.totals.first_response;
    assert_eq!(report.totals.opened, 1);
    assert_eq!(
        first.median,
        Some(66 * HOUR),
        "Friday 16:00 to Monday 10:00"
    );
    assert_eq!(
        report.totals.first_response_business.median,
        Some(2 * HOUR),
        "one hour on Friday, one on Monday"
    );
    let friday = report
        .series
        .iter()
        .find(|p| p.start.unix() == FRIDAY_4PM - 15 * HOUR)
        .ok_or("a point for Friday")?;
    assert_eq!(friday.figures.opened, 1);
    assert_eq!(
        report.series.len(),
        14,
        "every day of the range, empty ones too"
    );
    assert_eq!(report.by_team[0].name, "Billing");

    // Monday is a holiday: only Friday's hour counts.
    let mut holiday = BusinessHours::office("Europe/Berlin");
    holiday.holidays = vec!["2026-11-30".into()];
    ws.set_business_hours(
        &w.admin(TO + 60),
        w.billing,
        Some(holiday),
        Timestamp::from_unix(TO + 60),
    )?;
    let report = w.report(&w.admin(TO + 120), None, TO + 120)?;
    assert_eq!(report.totals.first_response_business.median, Some(HOUR));
    assert_eq!(report.totals.first_response.median, Some(66 * HOUR));
    Ok(())
}

#[test]
fn a_reopened_conversation_counts_once_reopened_and_is_timed_from_the_reopening() -> TestResult {
    let w = world();
    let ws = &w.ctx.ws;
    let mut account = mail::new_account(Some(w.billing));
    account.address = "help@example.com".into();
    let mailbox = ws
        .add_email_account(
            &w.admin(WEDNESDAY_9AM - HOUR),
            &account,
            Timestamp::from_unix(WEDNESDAY_9AM - HOUR),
        )?
        .id;
    let first = mail::mail(
        "r1@customer.test",
        "ana@customer.test",
        "Refund",
        WEDNESDAY_9AM,
    );
    ws.delivery().apply_mail(
        mailbox,
        mail::FOLDER,
        7,
        &[mail::item(1, first)],
        Timestamp::from_unix(WEDNESDAY_9AM),
    )?;
    let id = ws
        .search(
            &w.admin(WEDNESDAY_9AM + 60),
            &mail::word("r1@customer.test"),
            Timestamp::from_unix(WEDNESDAY_9AM + 60),
        )?
        .first()
        .ok_or("the mail's conversation")?
        .conversation_id;
    w.set(id, ConversationStatus::Resolved, WEDNESDAY_9AM + HOUR);
    // The customer answers at 14:00: the conversation opens again.
    let mut again = mail::mail(
        "r2@customer.test",
        "ana@customer.test",
        "Re: Refund",
        WEDNESDAY_9AM + 5 * HOUR,
    );
    again.in_reply_to = vec!["r1@customer.test".into()];
    ws.delivery().apply_mail(
        mailbox,
        mail::FOLDER,
        7,
        &[mail::item(2, again)],
        Timestamp::from_unix(WEDNESDAY_9AM + 5 * HOUR),
    )?;
    w.set(id, ConversationStatus::Resolved, WEDNESDAY_9AM + 7 * HOUR);
    let report = w.report(&w.admin(TO), None, TO)?;
    assert_eq!(report.totals.resolved, 2);
    assert_eq!(report.totals.reopened, 1);
    assert_eq!(report.totals.resolution.count, 2);
    assert_eq!(
        report.totals.resolution.median,
        Some(HOUR),
        "09:00 to 10:00"
    );
    assert_eq!(
        report.totals.resolution.p90,
        Some(2 * HOUR),
        "14:00 to 16:00"
    );
    assert_eq!(
        report.totals.resolution_business.count, 0,
        "no business hours set: calendar time only"
    );
    let agent = report
        .by_agent
        .iter()
        .find(|r| r.figures.resolved > 0)
        .ok_or("resolutions per agent")?;
    assert_eq!(agent.figures.resolved, 2);
    Ok(())
}

#[test]
fn a_lead_reads_only_their_teams_report_and_the_csv_has_the_same_figures() -> TestResult {
    let w = world();
    let ws = &w.ctx.ws;
    let billing_case = w.writes(w.billing_mail, "ana@customer.test", "b1", WEDNESDAY_9AM);
    w.writes(
        w.billing_mail,
        "lea@customer.test",
        "b2",
        WEDNESDAY_9AM + 60,
    );
    w.writes(w.sales_mail, "omar@customer.test", "s1", WEDNESDAY_9AM);
    w.writes(
        w.sales_mail,
        "jonas@customer.test",
        "s2",
        WEDNESDAY_9AM + HOUR,
    );
    let (token, seen) = w.open(billing_case, WEDNESDAY_9AM + 2 * HOUR);
    ws.transfer(
        &token,
        seen,
        TransferTarget::Team(w.sales),
        "Sales should answer this",
        Timestamp::from_unix(WEDNESDAY_9AM + 2 * HOUR),
    )?;

    let all = w.report(&w.admin(TO), None, TO)?;
    assert_eq!(all.totals.opened, 4);
    assert_eq!(all.totals.handoffs, 1);

    let lead = w.lead(TO + 30);
    assert!(matches!(
        w.report(&lead, Some(w.sales), TO + 30),
        Err(CoreError::Forbidden { .. })
    ));
    assert!(matches!(
        ws.set_business_hours(&lead, w.sales, None, Timestamp::from_unix(TO + 30)),
        Err(CoreError::Forbidden { .. })
    ));
    let mine = w.report(&lead, None, TO + 30)?;
    // The handed-off conversation now belongs to Sales: the lead of Billing sees Lea's only.
    assert_eq!(mine.totals.opened, 1);
    let teams: Vec<&str> = mine.by_team.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(teams, ["Billing"]);

    let csv = ws.report_csv(
        &w.admin(TO + 60),
        &ReportQuery {
            from: Timestamp::from_unix(FROM),
            to: Timestamp::from_unix(TO),
            team: None,
            bucket: ReportBucket::Week,
        },
        Timestamp::from_unix(TO + 60),
    )?;
    let total: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("total,"))
        .ok_or("a total line")?
        .split(',')
        .collect();
    assert_eq!(&total[2..6], ["4", "0", "0", "1"]);
    assert_eq!(csv.lines().filter(|l| l.starts_with("period,")).count(), 2);
    Ok(())
}

#[test]
fn bad_ranges_and_business_hours_are_refused_at_their_field() -> TestResult {
    let w = world();
    let ws = &w.ctx.ws;
    let admin = w.admin(TO);
    let field = |e: CoreError| match e {
        CoreError::InvalidInput { field, .. } => field.to_string(),
        other => panic!("expected a field error, got {other}"),
    };
    let backwards = ReportQuery {
        from: Timestamp::from_unix(TO),
        to: Timestamp::from_unix(FROM),
        team: None,
        bucket: ReportBucket::Day,
    };
    assert_eq!(
        field(
            ws.team_report(&admin, &backwards, Timestamp::from_unix(TO))
                .expect_err("backwards")
        ),
        "to"
    );
    assert_eq!(
        field(
            ws.set_business_hours(
                &admin,
                w.billing,
                Some(BusinessHours::office("Berlin")),
                Timestamp::from_unix(TO)
            )
            .expect_err("no such zone")
        ),
        "time zone"
    );
    assert_eq!(
        ws.business_hours(&admin, w.billing, Timestamp::from_unix(TO))?,
        None
    );
    Ok(())
}

/// Saturday 2026-11-28 10:00 UTC: the Berlin office is closed.
const SATURDAY: i64 = 1_795_860_000;
/// Tuesday 2026-12-01 09:00 UTC (10:00 in Berlin): open.
const TUESDAY_10AM: i64 = 1_796_115_600;

#[test]
fn the_out_of_hours_reply_goes_once_outside_hours_and_is_no_first_response() -> TestResult {
    let w = world();
    let ws = &w.ctx.ws;
    let admin = w.admin(SATURDAY - 2 * HOUR);
    let at = Timestamp::from_unix(SATURDAY - 2 * HOUR);
    ws.set_business_hours(
        &admin,
        w.billing,
        Some(BusinessHours::office("Europe/Berlin")),
        at,
    )?;
    assert!(matches!(
        ws.set_out_of_hours_reply(&w.lead(SATURDAY - HOUR), w.billing_mail, "Closed", at),
        Err(CoreError::Forbidden { .. })
    ));
    let view = ws.set_out_of_hours_reply(
        &admin,
        w.billing_mail,
        "  We are closed; we answer from Monday 09:00.  ",
        at,
    )?;
    assert_eq!(
        view.out_of_hours_reply.as_deref(),
        Some("We are closed; we answer from Monday 09:00.")
    );
    let messages = |id: ConversationId, t: i64| -> Result<Vec<(String, String)>, CoreError> {
        Ok(ws
            .open_conversation(&w.admin(t), id, None, Timestamp::from_unix(t))?
            .messages
            .into_iter()
            .map(|m| (m.direction, m.body))
            .collect())
    };

    // Saturday: the customer gets the reply once, however often they write.
    let weekend = w.writes(w.billing_mail, "ana@customer.test", "o1", SATURDAY);
    w.writes(w.billing_mail, "ana@customer.test", "o2", SATURDAY + 600);
    let seen = messages(weekend, SATURDAY + 1200)?;
    let out: Vec<_> = seen.iter().filter(|(d, _)| d == "out").collect();
    assert_eq!(out.len(), 1, "{seen:?}");
    assert_eq!(out[0].1, "We are closed; we answer from Monday 09:00.");
    assert_eq!(seen.len(), 3);

    // Someone who asked not to be contacted gets nothing.
    let stop = customer_writes(
        ws,
        w.billing_mail,
        "kim@customer.test",
        "o6",
        "STOP",
        Timestamp::from_unix(SATURDAY + 3600),
    );
    assert_eq!(messages(stop, SATURDAY + 3700)?.len(), 1);

    // Tuesday morning the team is in: nothing automatic. (Sign-ins go forward in time:
    // an authenticator code is never taken twice.)
    let weekday = w.writes(w.billing_mail, "omar@customer.test", "o3", TUESDAY_10AM);
    assert_eq!(messages(weekday, TUESDAY_10AM + 60)?.len(), 1);

    // An old message read late (a first mailbox sync) gets nothing.
    let stale = ws
        .ingest(
            appcare_core::service::ingest::InboundMessage {
                account: w.billing_mail,
                contact_external_id: "lea@customer.test",
                contact_name: "Lea",
                external_id: Some("o5"),
                subject: "",
                body: "Written on Saturday, read on Tuesday",
                sent_at: Timestamp::from_unix(SATURDAY),
                choice: None,
                has_media: false,
                attachments: vec![],
            },
            Timestamp::from_unix(TUESDAY_10AM),
        )?
        .conversation;
    assert_eq!(messages(stale, TUESDAY_10AM + 120)?.len(), 1);

    // The automatic reply is no agent's first response.
    let report = w.report(&w.admin(TO), None, TO)?;
    assert_eq!(report.totals.first_response.count, 0);
    Ok(())
}
