//! Inbox benchmark program on a generated workspace of 100k conversations and 2M
//! messages (`appcare_core::fixtures`, shared with the tests): p50/p95/p99 of the first
//! page of each view (and beside it the same page sorted by priority, one priority level
//! and the snoozed ones), a one-word search, a transfer, the customer panel of a contact
//! with 200 conversations, and opening a 10k-message conversation, plus the query plans.
//! Results in BENCHMARKS.md.
//! Run: `cargo bench -p appcare-core --bench inbox` (APPCARE_BENCH_SCALE=0.1 for a quick run).
//!
//! Real parts: SQLCipher.

use appcare_core::auth::{totp, Role};
use appcare_core::fixtures::{self, Spec};
use appcare_core::reports::{BusinessHours, ReportBucket, ReportQuery};
use appcare_core::service::handoff::{TransferTarget, Versioned};
use appcare_core::service::inbox::{ConversationStatus, InboxQuery, InboxSort, InboxView};
use appcare_core::service::triage::Priority;
use appcare_core::service::users::NewUser;
use appcare_core::store::conversations::{self as conv_store, ListFilter, Viewer};
use appcare_core::workspace::Region;
use appcare_core::{
    CreateOptions, KeySource, Password, SessionToken, Timestamp, Workspace, WorkspaceDir,
};
use std::time::{Duration, Instant};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const RUNS: usize = 200;

fn enrol(ws: &Workspace, name: &str, password: &str, now: Timestamp) -> Result<SessionToken> {
    let c = ws.begin_sign_in(name, &Password::new(password), now)?;
    if c.next == appcare_core::service::login::NextStep::NewPassword {
        // A user the admin made chooses her own password first.
        ws.set_new_password(&c.token, &Password::new(format!("{password} mine")), now)?;
    }
    let e = ws.start_enrolment(&c.token, now)?;
    let secret = totp::secret_from_manual_key(&e.manual_key).ok_or("bad key")?;
    ws.confirm_enrolment(&c.token, &totp::code_at(&secret, totp::step_of(now))?, now)?;
    Ok(c.token)
}

fn report(label: &str, mut samples: Vec<Duration>, goal_ms: f64) {
    samples.sort();
    let pct = |p: f64| {
        samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)].as_secs_f64() * 1e3
    };
    println!(
        "{label:<52} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  (goal p95 ≤ {goal_ms} ms)",
        pct(0.50),
        pct(0.95),
        pct(0.99)
    );
}

fn p95(samples: &[Duration]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[((sorted.len() as f64 * 0.95) as usize).min(sorted.len() - 1)].as_secs_f64()
}

fn benching() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn time<T>(runs: usize, mut f: impl FnMut(usize) -> Result<T>) -> Result<Vec<Duration>> {
    let runs = if benching() { runs } else { 5 };
    let mut out = Vec::with_capacity(runs);
    for i in 0..runs {
        let start = Instant::now();
        f(i)?;
        out.push(start.elapsed());
    }
    Ok(out)
}

fn main() -> Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    // `cargo bench` passes `--bench`; under `cargo test` this runs as a small smoke test.
    let default_scale = if benching() { 1.0 } else { 0.005 };
    let scale: f64 = std::env::var("APPCARE_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_scale);
    let conversations = (100_000.0 * scale) as usize;
    let messages = (2_000_000.0 * scale) as usize;
    let dir = tempfile::tempdir()?;
    let now = Timestamp::from_unix(1_795_550_105);
    let admin_pw = "plum tractor window 42";
    let (ws, _) = Workspace::create(
        &WorkspaceDir::new(dir.path().join("ws")),
        CreateOptions {
            region: Region::parse("DE")?,
            admin_username: "admin".into(),
            admin_display_name: "Admin".into(),
            admin_password: Password::new(admin_pw),
            key_source: KeySource::Passphrase(Password::new("benchmark passphrase")),
        },
        now,
    )?;
    let admin = enrol(&ws, "admin", admin_pw, now)?;
    let mut teams = Vec::new();
    let mut agents = Vec::new();
    let mut accounts = Vec::new();
    let pw = "orange bicycle seven 7";
    for t in 0..3 {
        let team = ws.create_team(&admin, &format!("Team {t}"), now)?.id;
        teams.push(team);
        accounts.push(
            ws.create_channel_account(
                &admin,
                ["whatsapp", "email", "messenger"][t],
                "Line",
                &format!("acct{t}"),
                Some(team),
                now,
            )?
            .id,
        );
        for a in 0..10 {
            let role = if a == 0 { Role::Lead } else { Role::Agent };
            let user = ws.create_user(
                &admin,
                NewUser {
                    username: format!("u{t}x{a}"),
                    display_name: format!("User {t}/{a}"),
                    role,
                    password: Password::new(pw),
                    teams: vec![team],
                },
                now,
            )?;
            if role == Role::Agent {
                agents.push(user.id);
            }
        }
    }
    let lead = enrol(&ws, "u0x0", pw, now)?;
    let agent = enrol(&ws, "u0x1", pw, now)?;
    let start = Instant::now();
    let ids = fixtures::generate(
        &ws,
        &Spec {
            conversations,
            messages,
            teams: teams.clone(),
            agents: agents.clone(),
            accounts,
            long_conversation: 10_000,
        },
        now,
    )?;
    println!(
        "generated {} conversations, {} messages in {:.1} s (database {:.0} MiB)",
        ids.len(),
        messages + 10_000,
        start.elapsed().as_secs_f64(),
        std::fs::metadata(dir.path().join("ws/appcare.db"))?.len() as f64 / 1_048_576.0
    );
    ws.store().checkpoint()?;

    let view = |v| InboxQuery {
        view: Some(v),
        ..InboxQuery::default()
    };
    for (label, token, v) in [
        ("first page: Mine (agent)", &agent, InboxView::Mine),
        (
            "first page: Unassigned (agent)",
            &agent,
            InboxView::Unassigned,
        ),
        ("first page: My teams (lead)", &lead, InboxView::MyTeams),
        ("first page: All (admin)", &admin, InboxView::All),
    ] {
        let q = view(v);
        let samples = time(RUNS, |_| Ok(ws.list_conversations(token, &q, now)?))?;
        let base = p95(&samples);
        report(label, samples, 5.0);
        // Issue 19: the same view sorted by priority, one priority level, and the snoozed
        // ones, each within 1.5× of the plain first page measured just before.
        for (variant, q) in [
            (
                "sorted by priority",
                InboxQuery {
                    sort: Some(InboxSort::Priority),
                    ..view(v)
                },
            ),
            (
                "only urgent",
                InboxQuery {
                    priority: Some(Priority::Urgent),
                    ..view(v)
                },
            ),
            (
                "only snoozed",
                InboxQuery {
                    status: Some(ConversationStatus::Snoozed),
                    ..view(v)
                },
            ),
        ] {
            let samples = time(RUNS, |_| Ok(ws.list_conversations(token, &q, now)?))?;
            let ratio = p95(&samples) / base.max(1e-9);
            report(&format!("  … {variant} ({ratio:.2}× plain)"), samples, 5.0);
        }
    }
    for (label, token) in [
        ("search 'refund', top 50 + snippets (agent)", &agent),
        ("search 'refund', top 50 + snippets (admin)", &admin),
    ] {
        let samples = time(RUNS, |_| Ok(ws.search(token, "refund", now)?))?;
        report(label, samples, 30.0);
    }
    // Issue 20: the customer panel of a contact with 200 conversations.
    let busy = ws
        .open_conversation(&admin, ids[1], None, now)?
        .summary
        .contact_id;
    let shared: Vec<_> = ids.iter().skip(1).take(200).copied().collect();
    ws.store().write(|tx| {
        for id in &shared {
            appcare_core::store::seed::give_contact(tx, *id, busy)?;
        }
        Ok(())
    })?;
    for (label, token) in [
        ("contact panel, 200 conversations (admin)", &admin),
        ("contact panel, 200 conversations (lead)", &lead),
    ] {
        let samples = time(RUNS, |_| Ok(ws.contact_panel(token, busy, now)?))?;
        report(label, samples, 5.0);
    }

    // Issue 23: reports from the store, a team with business hours.
    ws.set_business_hours(
        &admin,
        teams[0],
        Some(BusinessHours::office("Europe/Berlin")),
        now,
    )?;
    let month = ReportQuery {
        from: now.plus_seconds(-30 * 86_400),
        to: now,
        team: Some(teams[0]),
        bucket: ReportBucket::Day,
    };
    let samples = time(20, |_| Ok(ws.team_report(&lead, &month, now)?))?;
    let opened = ws.team_report(&lead, &month, now)?.totals.opened;
    report(
        &format!("report: 30 days, one team with business hours (lead; {opened} opened)"),
        samples,
        200.0,
    );
    let year = ReportQuery {
        from: now.plus_seconds(-365 * 86_400),
        to: now,
        team: None,
        bucket: ReportBucket::Week,
    };
    let samples = time(5, |_| Ok(ws.team_report(&admin, &year, now)?))?;
    let opened = ws.team_report(&admin, &year, now)?.totals.opened;
    report(
        &format!("report: 365 days, all teams (admin; {opened} opened)"),
        samples,
        2000.0,
    );

    let long = ids[0];
    let samples = time(RUNS, |_| Ok(ws.open_conversation(&admin, long, None, now)?))?;
    report("open 10k-message conversation (first 100)", samples, 20.0);

    // Transfers by the lead inside their team, each with a note.
    let page = ws.list_conversations(&lead, &view(InboxView::MyTeams), now)?;
    let targets: Vec<_> = page.rows.iter().map(|r| (r.id, r.version)).collect();
    let mut versions: std::collections::HashMap<_, _> = targets.iter().copied().collect();
    let samples = time(RUNS, |i| {
        let (id, _) = targets[i % targets.len()];
        let version = versions[&id];
        let to = agents[i % 9];
        ws.transfer(
            &lead,
            Versioned { id, version },
            TransferTarget::Agent(to),
            "handing over: customer waits for refund",
            now,
        )?;
        versions.insert(id, version + 1);
        Ok(())
    })?;
    report("transfer with a note (lead)", samples, 5.0);

    // Query plans.
    let me = ws.session_info(&agent, now)?.user_id;
    let viewer = Viewer {
        user: me,
        sees_everything: false,
    };
    println!("\nquery plan: first page of Mine (agent)");
    let (sql, args) = conv_store::list_query(
        viewer,
        &ListFilter {
            assignee: Some(Some(me)),
            limit: 51,
            ..ListFilter::default()
        },
    );
    for line in ws.store().read(|c| conv_store::explain(c, &sql, args))? {
        println!("  {line}");
    }
    println!("query plan: first page of Mine sorted by priority (agent)");
    let (sql, args) = conv_store::list_query(
        viewer,
        &ListFilter {
            assignee: Some(Some(me)),
            by_priority: true,
            limit: 51,
            ..ListFilter::default()
        },
    );
    for line in ws.store().read(|c| conv_store::explain(c, &sql, args))? {
        println!("  {line}");
    }
    println!("query plan: first page of All (admin)");
    let (sql, args) = conv_store::list_query(
        Viewer {
            user: me,
            sees_everything: true,
        },
        &ListFilter {
            limit: 51,
            ..ListFilter::default()
        },
    );
    for line in ws.store().read(|c| conv_store::explain(c, &sql, args))? {
        println!("  {line}");
    }
    println!("query plan: customer panel (admin)");
    let (sql, args) = conv_store::of_contact_query(
        Viewer {
            user: me,
            sees_everything: true,
        },
        busy,
        200,
    );
    for line in ws.store().read(|c| conv_store::explain(c, &sql, args))? {
        println!("  {line}");
    }
    for (label, sql) in [
        (
            "report: conversations started",
            appcare_core::store::reports::opened_sql("AND c.team_id IN (1)"),
        ),
        (
            "report: resolutions and reopenings",
            appcare_core::store::reports::changes_sql("AND c.team_id IN (1)"),
        ),
        (
            "report: handoffs",
            appcare_core::store::reports::handoffs_sql("AND c.team_id IN (1)"),
        ),
    ] {
        println!("query plan: {label} (one team)");
        let args = vec![now.unix().into(), (now.unix() - 30 * 86_400).into()];
        for line in ws.store().read(|c| conv_store::explain(c, &sql, args))? {
            println!("  {line}");
        }
    }
    println!("query plan: message search (agent)");
    let (sql, args) = conv_store::message_search_query(viewer, "\"refund\"", 50);
    for line in ws.store().read(|c| conv_store::explain(c, &sql, args))? {
        println!("  {line}");
    }
    Ok(())
}
