//! SLA policies with a controlled clock: a first-response clock counts the team's
//! business hours across a weekend and a holiday moves its breach; a warning and a
//! breach are each recorded, audited (the breach) and published once, the breach naming
//! the assignee and the team's leads; a reply stops the clock and the customer writing
//! again starts the next-response clock; the list sorts by time left; a lead sets only
//! their own team's targets, and a target out of range is refused at its field;
//! targets for a channel or a label refine the team's in clocks and in reports.
//!
//! Real parts: SQLCipher. Times are UTC; the team works in Europe/Berlin (UTC+1 in
//! winter).

mod common;

use appcare_core::auth::Role;
use appcare_core::events::Event;
use appcare_core::ids::{ChannelAccountId, ConversationId, TeamId, UserId};
use appcare_core::reports::{
    BusinessHours, ReportBucket, ReportQuery, SlaClock, SlaPolicy, SlaScope, SlaTarget,
};
use appcare_core::service::handoff::Versioned;
use appcare_core::service::inbox::ConversationStatus;
use appcare_core::service::inbox::{InboxQuery, InboxSort, InboxView};
use appcare_core::{CoreError, SessionToken, Timestamp};
use common::*;

/// Friday 2026-11-27 15:00 UTC (16:00 in Berlin, an hour before closing).
const FRIDAY_4PM: i64 = 1_795_791_600;
/// Monday 2026-11-30 09:00 UTC (10:00 in Berlin).
const MONDAY_10AM: i64 = 1_796_029_200;
const HOUR: i64 = 3600;
const MINUTE: i64 = 60;

struct World {
    ctx: Ctx,
    app: Authenticator,
    lead_app: Authenticator,
    billing: TeamId,
    sales: TeamId,
    billing_mail: ChannelAccountId,
    lena: UserId,
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

    fn writes(&self, who: &str, id: &str, at: i64) -> ConversationId {
        customer_writes(
            &self.ctx.ws,
            self.billing_mail,
            who,
            id,
            "Hello",
            Timestamp::from_unix(at),
        )
    }

    fn clock(&self, token: &SessionToken, id: ConversationId, at: i64) -> Option<SlaClock> {
        self.ctx
            .ws
            .open_conversation(token, id, None, Timestamp::from_unix(at))
            .expect("opened")
            .summary
            .sla
    }

    /// The admin, signed in at `at`, sets the conversation's status as they see it then.
    fn set_status(&self, id: ConversationId, status: ConversationStatus, at: i64) -> TestResult {
        let admin = self.admin(at);
        let ws = &self.ctx.ws;
        let version = ws
            .open_conversation(&admin, id, None, Timestamp::from_unix(at))?
            .summary
            .version;
        ws.set_status(
            &admin,
            Versioned { id, version },
            status,
            None,
            Timestamp::from_unix(at),
        )?;
        Ok(())
    }

    fn check(&self, at: i64) -> usize {
        self.ctx
            .ws
            .maintenance()
            .check_sla(Timestamp::from_unix(at))
            .expect("checked")
    }
}

fn world(at: i64) -> World {
    let ctx = workspace();
    let now = Timestamp::from_unix(at);
    let (admin, app, _) = enrol(&ctx.ws, ADMIN, ADMIN_PASSWORD, now);
    let billing = ctx.ws.create_team(&admin, "Billing", now).expect("team").id;
    let sales = ctx.ws.create_team(&admin, "Sales", now).expect("team").id;
    let mut lena = new_user("lena", Role::Lead);
    lena.teams = vec![billing];
    let lena_id = ctx.ws.create_user(&admin, lena, now).expect("lead").id;
    let (_, lead_app, _) = enrol(&ctx.ws, "lena", &password_of("lena"), now);
    let billing_mail = ctx
        .ws
        .create_channel_account(
            &admin,
            "email",
            "Billing",
            "billing@example.com",
            Some(billing),
            now,
        )
        .expect("account")
        .id;
    ctx.ws
        .set_business_hours(
            &admin,
            billing,
            Some(BusinessHours::office("Europe/Berlin")),
            now,
        )
        .expect("hours");
    World {
        ctx,
        app,
        lead_app,
        billing,
        sales,
        billing_mail,
        lena: lena_id,
    }
}

fn first_response(minutes: u32) -> SlaPolicy {
    SlaPolicy {
        first_response_minutes: Some(minutes),
        ..SlaPolicy::default()
    }
}

#[test]
fn a_first_response_clock_counts_business_hours_and_a_holiday_moves_its_breach() -> TestResult {
    let w = world(FRIDAY_4PM - 2 * HOUR);
    let ws = &w.ctx.ws;
    let lead = w.lead(FRIDAY_4PM - HOUR);
    ws.set_sla_policy(
        &lead,
        w.billing,
        Some(first_response(120)),
        Timestamp::from_unix(FRIDAY_4PM - HOUR),
    )?;
    let id = w.writes("ana@customer.test", "m1", FRIDAY_4PM);
    let clock = w
        .clock(&w.admin(FRIDAY_4PM + MINUTE), id, FRIDAY_4PM + MINUTE)
        .ok_or("a clock")?;
    // One hour on Friday, the second on Monday from 09:00 Berlin.
    assert_eq!(clock.target, SlaTarget::FirstResponse);
    assert_eq!(clock.due_at.unix(), MONDAY_10AM);
    assert_eq!(clock.warn_at.unix(), MONDAY_10AM - 30 * MINUTE);

    // Monday becomes a holiday: the breach moves to Tuesday 10:00 Berlin.
    let mut holiday = BusinessHours::office("Europe/Berlin");
    holiday.holidays = vec!["2026-11-30".into()];
    ws.set_business_hours(
        &w.lead(FRIDAY_4PM + 2 * MINUTE),
        w.billing,
        Some(holiday),
        Timestamp::from_unix(FRIDAY_4PM + 2 * MINUTE),
    )?;
    let clock = w
        .clock(
            &w.admin(FRIDAY_4PM + 3 * MINUTE),
            id,
            FRIDAY_4PM + 3 * MINUTE,
        )
        .ok_or("a clock")?;
    assert_eq!(clock.due_at.unix(), MONDAY_10AM + 24 * HOUR);
    assert_eq!(w.check(MONDAY_10AM + HOUR), 0, "not due on the holiday");

    // Without a policy there is no clock.
    ws.set_sla_policy(
        &w.lead(FRIDAY_4PM + 4 * MINUTE),
        w.billing,
        None,
        Timestamp::from_unix(FRIDAY_4PM + 4 * MINUTE),
    )?;
    assert_eq!(
        w.clock(
            &w.admin(FRIDAY_4PM + 5 * MINUTE),
            id,
            FRIDAY_4PM + 5 * MINUTE
        ),
        None
    );
    Ok(())
}

#[test]
fn a_warning_and_a_breach_fire_once_each_and_a_reply_moves_the_clock_on() -> TestResult {
    let start = MONDAY_10AM;
    let w = world(start - HOUR);
    let ws = &w.ctx.ws;
    ws.set_sla_policy(
        &w.admin(start - 30 * MINUTE),
        w.billing,
        Some(SlaPolicy {
            first_response_minutes: Some(60),
            next_response_minutes: Some(40),
            resolution_minutes: Some(24 * 60),
        }),
        Timestamp::from_unix(start - 30 * MINUTE),
    )?;
    let mut events = ws.subscribe();
    let id = w.writes("ana@customer.test", "m1", start);

    assert_eq!(w.check(start + 44 * MINUTE), 0, "before the warning");
    assert_eq!(w.check(start + 45 * MINUTE), 1, "the warning");
    assert_eq!(w.check(start + 50 * MINUTE), 0, "the warning only once");
    assert_eq!(w.check(start + 60 * MINUTE), 1, "the breach");
    assert_eq!(w.check(start + 70 * MINUTE), 0, "the breach only once");

    let mut alerts = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let Event::SlaAlert {
            conversation,
            target,
            breach,
            notify,
        } = event
        {
            alerts.push((conversation, target, breach, notify));
        }
    }
    let lena = w.lena;
    assert_eq!(
        alerts,
        vec![
            (id, SlaTarget::FirstResponse, false, vec![]),
            (id, SlaTarget::FirstResponse, true, vec![lena]),
        ]
    );
    let admin = w.admin(start + 71 * MINUTE);
    let breaches = ws.search_audit(
        &admin,
        &appcare_core::service::admin::AuditFilter {
            kind: Some("sla_breached".into()),
            limit: 10,
            ..Default::default()
        },
        Timestamp::from_unix(start + 71 * MINUTE),
    )?;
    assert_eq!(breaches.len(), 1);

    // The admin answers (and takes it): the resolution clock is what runs now.
    ws.reply(
        &admin,
        id,
        "Looking into it.",
        None,
        Timestamp::from_unix(start + 72 * MINUTE),
    )?;
    let clock = w.clock(&admin, id, start + 73 * MINUTE).ok_or("a clock")?;
    assert_eq!(clock.target, SlaTarget::Resolution);
    // The customer writes again: the next reply is due 40 business minutes later, and
    // writing a second time does not move it.
    let again = start + 2 * HOUR;
    w.writes("ana@customer.test", "m2", again);
    w.writes("ana@customer.test", "m3", again + 10 * MINUTE);
    let admin = w.admin(again + 11 * MINUTE);
    let clock = w.clock(&admin, id, again + 11 * MINUTE).ok_or("a clock")?;
    assert_eq!(
        (clock.target, clock.due_at.unix()),
        (SlaTarget::NextResponse, again + 40 * MINUTE)
    );
    // Answered in time: the next-response clock never breaches.
    ws.reply(
        &admin,
        id,
        "Done.",
        None,
        Timestamp::from_unix(again + 20 * MINUTE),
    )?;
    assert_eq!(w.check(again + HOUR), 0);

    // Resolved within its day: the report counts the late first reply as missed and the
    // resolution as met.
    w.set_status(id, ConversationStatus::Resolved, again + 2 * HOUR)?;
    let admin = w.admin(again + 2 * HOUR + MINUTE);
    assert_eq!(
        w.clock(&admin, id, again + 2 * HOUR + MINUTE),
        None,
        "resolved: no clock"
    );
    let query = ReportQuery {
        from: Timestamp::from_unix(start - 24 * HOUR),
        to: Timestamp::from_unix(start + 24 * HOUR),
        team: Some(w.billing),
        bucket: ReportBucket::Day,
    };
    let at = Timestamp::from_unix(again + 2 * HOUR + MINUTE);
    let report = ws.team_report(&admin, &query, at)?;
    assert_eq!((report.totals.sla_met, report.totals.sla_missed), (1, 1));
    let csv = ws.report_csv(&admin, &query, at)?;
    let total = csv.lines().nth(1).ok_or("a total line")?;
    let fields: Vec<&str> = total.split(',').collect();
    assert_eq!(
        (fields[0], fields[16], fields[17]),
        ("total", "1", "1"),
        "{total}"
    );
    Ok(())
}

#[test]
fn the_list_sorts_by_time_left_and_a_lead_sets_only_their_teams_targets() -> TestResult {
    let start = MONDAY_10AM;
    let w = world(start - HOUR);
    let ws = &w.ctx.ws;
    let lead = w.lead(start - 50 * MINUTE);
    let refused = ws.set_sla_policy(
        &lead,
        w.sales,
        Some(first_response(60)),
        Timestamp::from_unix(start - 50 * MINUTE),
    );
    assert!(
        matches!(refused, Err(CoreError::Forbidden { .. })),
        "{refused:?}"
    );
    let refused = ws.set_sla_policy(
        &lead,
        w.billing,
        Some(SlaPolicy {
            next_response_minutes: Some(0),
            ..first_response(60)
        }),
        Timestamp::from_unix(start - 50 * MINUTE),
    );
    match refused {
        Err(CoreError::InvalidInput { field, .. }) => assert_eq!(field, "next response"),
        other => return Err(format!("{other:?}").into()),
    }
    ws.set_sla_policy(
        &lead,
        w.billing,
        Some(SlaPolicy {
            first_response_minutes: Some(60),
            resolution_minutes: Some(30),
            ..SlaPolicy::default()
        }),
        Timestamp::from_unix(start - 50 * MINUTE),
    )?;
    assert_eq!(
        ws.sla_policy(&lead, w.billing, Timestamp::from_unix(start - 50 * MINUTE))?
            .and_then(|p| p.resolution_minutes),
        Some(30)
    );
    // Two conversations: the one written first is due first. While the customer waits
    // for a first reply, that is the clock shown, though the resolution (30 minutes)
    // would run out before it (60).
    let later = w.writes("bo@customer.test", "b1", start + 10 * MINUTE);
    let first = w.writes("ana@customer.test", "a1", start);
    let admin = w.admin(start + 20 * MINUTE);
    let query = InboxQuery {
        view: Some(InboxView::All),
        sort: Some(InboxSort::SlaDue),
        ..InboxQuery::default()
    };
    let page = ws.list_conversations(&admin, &query, Timestamp::from_unix(start + 20 * MINUTE))?;
    let order: Vec<_> = page
        .rows
        .iter()
        .map(|r| (r.id, r.sla.map(|c| (c.target, c.due_at.unix()))))
        .collect();
    assert_eq!(
        order,
        vec![
            (first, Some((SlaTarget::FirstResponse, start + 60 * MINUTE))),
            (later, Some((SlaTarget::FirstResponse, start + 70 * MINUTE))),
        ]
    );
    // A page that starts after the first row holds the second only.
    let page = ws.list_conversations(
        &admin,
        &InboxQuery {
            after: Some(appcare_core::service::inbox::PageCursor {
                last_activity_at: Timestamp::from_unix(start),
                id: first,
                priority: Default::default(),
                sla_due_at: Some(Timestamp::from_unix(start + 60 * MINUTE)),
            }),
            ..query.clone()
        },
        Timestamp::from_unix(start + 20 * MINUTE),
    )?;
    assert_eq!(
        page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![later]
    );
    Ok(())
}

/// An agent reopening a resolved conversation restarts its resolution clock from the
/// reopening; tightening the policy afterwards recomputes the due time but a missed
/// target is still recorded (and notified) once.
#[test]
fn a_reopening_restarts_the_clock_and_a_policy_change_does_not_alert_again() -> TestResult {
    let start = MONDAY_10AM;
    let w = world(start - HOUR);
    let ws = &w.ctx.ws;
    let policy = |minutes: u32| SlaPolicy {
        resolution_minutes: Some(minutes),
        ..SlaPolicy::default()
    };
    ws.set_sla_policy(
        &w.admin(start - 30 * MINUTE),
        w.billing,
        Some(policy(120)),
        Timestamp::from_unix(start - 30 * MINUTE),
    )?;
    let id = w.writes("ana@customer.test", "m1", start);
    w.set_status(id, ConversationStatus::Resolved, start + 10 * MINUTE)?;
    let reopened = start + 3 * HOUR;
    w.set_status(id, ConversationStatus::Open, reopened)?;
    let clock = w
        .clock(&w.admin(reopened + MINUTE), id, reopened + MINUTE)
        .ok_or("a clock")?;
    assert_eq!(
        (clock.target, clock.started_at.unix(), clock.due_at.unix()),
        (SlaTarget::Resolution, reopened, reopened + 2 * HOUR),
        "from the reopening, not from the first message"
    );
    assert_eq!(w.check(reopened + 2 * MINUTE), 0, "nothing due yet");
    assert_eq!(w.check(reopened + 2 * HOUR), 1, "the breach");
    // A lead tightens the target: the due time moves, the same missed clock is not
    // recorded again.
    ws.set_sla_policy(
        &w.admin(reopened + 2 * HOUR + MINUTE),
        w.billing,
        Some(policy(90)),
        Timestamp::from_unix(reopened + 2 * HOUR + MINUTE),
    )?;
    let clock = w
        .clock(
            &w.admin(reopened + 2 * HOUR + 2 * MINUTE),
            id,
            reopened + 2 * HOUR + 2 * MINUTE,
        )
        .ok_or("a clock")?;
    assert_eq!(clock.due_at.unix(), reopened + 90 * MINUTE);
    assert_eq!(w.check(reopened + 2 * HOUR + 3 * MINUTE), 0, "not again");
    Ok(())
}

/// A breach found long after its due time (old mail of a first sync, the app closed
/// overnight) is recorded, audited and shown, but notifies no one.
#[test]
fn a_breach_found_hours_late_is_recorded_but_notifies_no_one() -> TestResult {
    let start = MONDAY_10AM;
    let w = world(start - HOUR);
    let ws = &w.ctx.ws;
    ws.set_sla_policy(
        &w.admin(start - 30 * MINUTE),
        w.billing,
        Some(first_response(30)),
        Timestamp::from_unix(start - 30 * MINUTE),
    )?;
    let mut events = ws.subscribe();
    let id = w.writes("ana@customer.test", "m1", start);
    assert_eq!(w.check(start + 5 * HOUR), 1, "recorded");
    let mut notified = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let Event::SlaAlert {
            conversation,
            breach: true,
            notify,
            ..
        } = event
        {
            notified.push((conversation, notify));
        }
    }
    assert_eq!(notified, vec![(id, vec![])]);
    Ok(())
}

#[test]
fn targets_for_a_channel_or_a_label_refine_the_teams_in_clocks_and_reports() -> TestResult {
    let w = world(MONDAY_10AM - HOUR);
    let ws = &w.ctx.ws;
    let at = |minutes: i64| Timestamp::from_unix(MONDAY_10AM + minutes * MINUTE);
    let lead = w.lead(MONDAY_10AM - 50 * MINUTE);
    let before = Timestamp::from_unix(MONDAY_10AM - 50 * MINUTE);
    ws.set_sla_policy(&lead, w.billing, Some(first_response(120)), before)?;
    let email = SlaScope::Channel("email".into());
    ws.set_sla_override(&lead, w.billing, &email, Some(first_response(60)), before)?;
    let vip = SlaScope::Label("vip".into());
    let refined = ws.set_sla_override(&lead, w.billing, &vip, Some(first_response(15)), before)?;
    assert_eq!(
        refined.iter().map(|o| o.scope.clone()).collect::<Vec<_>>(),
        [email.clone(), vip.clone()]
    );
    // A lead refines only their own team's targets; scopes are checked at their field.
    let refused = ws.set_sla_override(&lead, w.sales, &vip, Some(first_response(5)), before);
    assert!(
        matches!(refused, Err(CoreError::Forbidden { .. })),
        "{refused:?}"
    );
    match ws.set_sla_override(
        &lead,
        w.billing,
        &SlaScope::Channel("sms".into()),
        None,
        before,
    ) {
        Err(CoreError::InvalidInput { field, .. }) => assert_eq!(field, "channel"),
        other => panic!("expected a field error, got {other:?}"),
    }

    let id = w.writes("ana@customer.test", "m1", MONDAY_10AM);
    let admin = w.admin(MONDAY_10AM + MINUTE);
    let due = |token: &SessionToken, minute: i64| {
        w.clock(token, id, MONDAY_10AM + minute * MINUTE)
            .map(|c| (c.due_at.unix() - MONDAY_10AM) / MINUTE)
    };
    assert_eq!(due(&admin, 1), Some(60), "e-mail's target over the team's");
    // Labelled VIP (in any case): the label's target, at once.
    ws.set_labels(&admin, id, &["VIP".to_string()], at(2))?;
    assert_eq!(due(&admin, 2), Some(15));
    // Labelled in bulk, another conversation gets the label's target too.
    let other = w.writes("bo@customer.test", "m2", MONDAY_10AM);
    let version = ws
        .open_conversation(&admin, other, None, at(3))?
        .summary
        .version;
    ws.update_many(
        &admin,
        &[Versioned { id: other, version }],
        &appcare_core::service::triage::BulkChange::AddLabel {
            label: "vip".into(),
        },
        at(3),
    )?;
    let bulk_due = w
        .clock(&admin, other, MONDAY_10AM + 3 * MINUTE)
        .map(|c| (c.due_at.unix() - MONDAY_10AM) / MINUTE);
    assert_eq!(bulk_due, Some(15));
    let admin = w.admin(MONDAY_10AM + 29 * MINUTE);
    ws.reply(&admin, id, "On it.", None, at(30))?;
    let query = ReportQuery {
        from: Timestamp::from_unix(MONDAY_10AM - HOUR),
        to: Timestamp::from_unix(MONDAY_10AM + 2 * HOUR),
        team: Some(w.billing),
        bucket: ReportBucket::Day,
    };
    let report = ws.team_report(&admin, &query, at(31))?;
    assert_eq!(
        (report.totals.sla_met, report.totals.sla_missed),
        (0, 1),
        "30 min > 15"
    );
    // Without the label's targets the e-mail target (60 min) was met.
    let lead = w.lead(MONDAY_10AM + 32 * MINUTE);
    let left = ws.set_sla_override(&lead, w.billing, &vip, None, at(32))?;
    assert_eq!(left.len(), 1);
    let report = ws.team_report(&lead, &query, at(33))?;
    assert_eq!((report.totals.sla_met, report.totals.sla_missed), (1, 0));
    Ok(())
}
