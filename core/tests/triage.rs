//! Triage (issue 19): priority shown, filtered and sorted page by page without gaps or
//! repeats in every view; setting it is versioned, audited, published and refused outside
//! the caller's reach; one change applied to many conversations (status, snooze, priority,
//! a label) is all or none, returns the new versions an Undo needs, and is audited.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::events::Event;
use appcare_core::ids::ConversationId;
use appcare_core::service::handoff::Versioned;
use appcare_core::service::inbox::{ConversationStatus, InboxQuery, InboxSort, InboxView};
use appcare_core::service::triage::{BulkChange, Priority};
use appcare_core::{ErrorCode, Timestamp};
use common::*;

const LEVELS: [Priority; 5] = [
    Priority::None,
    Priority::Low,
    Priority::Medium,
    Priority::High,
    Priority::Urgent,
];

/// How many audit rows of this kind there are.
fn count(t: &Team, kind: &str) -> usize {
    audit_kinds(t).iter().filter(|k| *k == kind).count()
}

fn audit_kinds(t: &Team) -> Vec<String> {
    t.ctx
        .ws
        .store()
        .read(|c| {
            let mut stmt = c.prepare("SELECT kind FROM audit_events ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("audit")
}

fn current(t: &Team, id: ConversationId, now: Timestamp) -> Versioned {
    let s = t
        .ctx
        .ws
        .open_conversation(&t.admin, id, None, now)
        .expect("open")
        .summary;
    Versioned {
        id,
        version: s.version,
    }
}

/// `n` customers write to support, one second apart.
fn conversations(t: &Team, n: i64, prefix: &str) -> Vec<ConversationId> {
    (0..n)
        .map(|i| {
            customer_writes(
                &t.ctx.ws,
                t.support_account,
                &format!("{prefix}{i}"),
                &format!("wamid.{prefix}.{i}"),
                "hello",
                t.ctx.now.plus_seconds(i / 3),
            )
        })
        .collect()
}

/// Every row of a query, following the cursor.
fn all_pages(
    t: &Team,
    token: &appcare_core::secret::SessionToken,
    mut query: InboxQuery,
    now: Timestamp,
) -> Vec<(Priority, Timestamp, ConversationId)> {
    let mut seen = Vec::new();
    loop {
        let page = t
            .ctx
            .ws
            .list_conversations(token, &query, now)
            .expect("list");
        seen.extend(
            page.rows
                .iter()
                .map(|r| (r.priority, r.last_activity_at, r.id)),
        );
        match page.next {
            Some(cursor) => query.after = Some(cursor),
            None => return seen,
        }
    }
}

#[test]
fn the_list_sorts_and_filters_by_priority_page_by_page_without_gaps_or_repeats() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let ids = conversations(&t, 130, "p");
    for (i, id) in ids.iter().enumerate() {
        let level = LEVELS[i % 5];
        if level != Priority::None {
            ws.set_priority(&t.alex.1, current(&t, *id, now), level, now)?;
        }
    }
    for (who, view) in [
        (&t.alex.1, InboxView::Unassigned),
        (&t.lena.1, InboxView::MyTeams),
        (&t.admin, InboxView::All),
    ] {
        let by_priority = InboxQuery {
            view: Some(view),
            sort: Some(InboxSort::Priority),
            ..InboxQuery::default()
        };
        let seen = all_pages(&t, who, by_priority, now);
        assert_eq!(seen.len(), 130, "{view:?}: every conversation once");
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(seen, sorted, "{view:?}: most urgent first, then newest");
        assert_eq!(seen[0].0, Priority::Urgent);
        let urgent_only = InboxQuery {
            view: Some(view),
            priority: Some(Priority::Urgent),
            ..InboxQuery::default()
        };
        let urgent = all_pages(&t, who, urgent_only, now);
        assert_eq!(urgent.len(), 26, "{view:?}: one level only");
        assert!(urgent.iter().all(|r| r.0 == Priority::Urgent));
        let mut newest_first = urgent.clone();
        newest_first.sort_by_key(|r| std::cmp::Reverse((r.1, r.2)));
        assert_eq!(
            urgent, newest_first,
            "{view:?}: a level keeps activity order"
        );
    }
    Ok(())
}

#[test]
fn setting_priority_is_versioned_audited_published_and_only_where_i_may_act() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = conversations(&t, 1, "s")[0];
    let mut events = ws.subscribe();
    let seen = current(&t, id, now);
    ws.set_priority(&t.alex.1, seen, Priority::High, now)?;
    let after = ws.open_conversation(&t.alex.1, id, None, now)?.summary;
    assert_eq!(after.priority, Priority::High);
    assert!(after.version > seen.version);
    assert_eq!(count(&t, "conversation_priority_changed"), 1);
    let mut published = false;
    while let Ok(e) = events.try_recv() {
        published |= matches!(e, Event::ConversationUpdated { conversation } if conversation == id);
    }
    assert!(published);
    // The version Alex saw is stale now.
    let stale = ws.set_priority(&t.alex.1, seen, Priority::Low, now);
    assert_eq!(stale.err().map(|e| e.code()), Some(ErrorCode::Conflict));
    // Carl (another team) cannot see it; Bea may not change what Alex took.
    let taken = ws.take(&t.alex.1, current(&t, id, now), now)?;
    let v = Versioned {
        id,
        version: taken.version,
    };
    let hidden = ws.set_priority(&t.carl.1, v, Priority::Low, now);
    assert_eq!(hidden.err().map(|e| e.code()), Some(ErrorCode::NotFound));
    let forbidden = ws.set_priority(&t.bea.1, v, Priority::Low, now);
    assert_eq!(
        forbidden.err().map(|e| e.code()),
        Some(ErrorCode::Forbidden)
    );
    let unchanged = ws.open_conversation(&t.alex.1, id, None, now)?.summary;
    assert_eq!(unchanged.priority, Priority::High);
    Ok(())
}

#[test]
fn a_bulk_change_is_all_or_none_audited_and_undone_with_the_versions_it_returns() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let ids = conversations(&t, 3, "b");
    let seen: Vec<Versioned> = ids.iter().map(|id| current(&t, *id, now)).collect();
    let status_of = |id| -> ConversationStatus {
        ws.open_conversation(&t.lena.1, id, None, now)
            .expect("open")
            .summary
            .status
    };

    // Resolve all three; Undo puts them back with the versions the change returned.
    let resolve = BulkChange::Status {
        status: ConversationStatus::Resolved,
        snoozed_until: None,
    };
    let resolved = ws.update_many(&t.alex.1, &seen, &resolve, now)?;
    assert_eq!(resolved.len(), 3);
    assert!(ids
        .iter()
        .all(|id| status_of(*id) == ConversationStatus::Resolved));
    assert_eq!(count(&t, "conversations_bulk_changed"), 1);
    let reopen = BulkChange::Status {
        status: ConversationStatus::Open,
        snoozed_until: None,
    };
    let reopened = ws.update_many(&t.alex.1, &resolved, &reopen, now)?;
    assert!(ids
        .iter()
        .all(|id| status_of(*id) == ConversationStatus::Open));

    // One stale version: nothing changes, and the reason says so.
    let mut mixed = reopened.clone();
    mixed[1] = resolved[1];
    let urgent = BulkChange::Priority {
        priority: Priority::Urgent,
    };
    let refused = ws.update_many(&t.alex.1, &mixed, &urgent, now);
    assert_eq!(refused.err().map(|e| e.code()), Some(ErrorCode::Conflict));
    assert_eq!(
        count(&t, "conversations_bulk_changed"),
        2,
        "a refused change is not audited"
    );
    for id in &ids {
        let s = ws.open_conversation(&t.alex.1, *id, None, now)?.summary;
        assert_eq!(s.priority, Priority::None, "all or none");
    }

    // A billing conversation mixed into a support agent's change: not found, and none of
    // the support ones changed either.
    let billing = customer_writes(
        ws,
        t.billing_account,
        "ana@example.com",
        "<m1@example.com>",
        "hi",
        now,
    );
    let mut reach = reopened.clone();
    reach.push(current(&t, billing, now));
    let outside = ws.update_many(&t.alex.1, &reach, &urgent, now);
    assert_eq!(outside.err().map(|e| e.code()), Some(ErrorCode::NotFound));
    for v in &reopened {
        let s = ws.open_conversation(&t.alex.1, v.id, None, now)?.summary;
        assert_eq!(
            (s.version, s.priority),
            (v.version, Priority::None),
            "none changed"
        );
    }
    // The same conversation twice is refused before anything is read.
    let twice = vec![reopened[0], reopened[0]];
    let refused = ws.update_many(&t.alex.1, &twice, &urgent, now);
    assert_eq!(
        refused.err().map(|e| e.code()),
        Some(ErrorCode::InvalidInput)
    );

    // Snooze needs a time in the future.
    let past = BulkChange::Status {
        status: ConversationStatus::Snoozed,
        snoozed_until: Some(now.plus_seconds(-60)),
    };
    let bad = ws.update_many(&t.alex.1, &reopened, &past, now);
    assert_eq!(bad.err().map(|e| e.code()), Some(ErrorCode::InvalidInput));
    let later = BulkChange::Status {
        status: ConversationStatus::Snoozed,
        snoozed_until: Some(now.plus_seconds(3600)),
    };
    let snoozed = ws.update_many(&t.alex.1, &reopened, &later, now)?;
    assert!(ids
        .iter()
        .all(|id| status_of(*id) == ConversationStatus::Snoozed));

    // Labels: added to all (lower case, trimmed); one had it already, so only two changed,
    // and taking it off those two (the Undo) leaves the first as it was.
    ws.set_labels(&t.alex.1, ids[0], &["refund".to_string()], now)?;
    let add = BulkChange::AddLabel {
        label: "  Refund ".into(),
    };
    let labelled = ws.update_many(&t.alex.1, &snoozed, &add, now)?;
    assert_eq!(
        labelled.iter().map(|v| v.id).collect::<Vec<_>>(),
        vec![ids[1], ids[2]],
        "only the conversations that changed"
    );
    for id in &ids {
        assert_eq!(
            ws.open_conversation(&t.alex.1, *id, None, now)?.labels,
            vec!["refund"]
        );
    }
    let remove = BulkChange::RemoveLabel {
        label: "refund".into(),
    };
    ws.update_many(&t.alex.1, &labelled, &remove, now)?;
    assert_eq!(
        ws.open_conversation(&t.alex.1, ids[0], None, now)?.labels,
        vec!["refund"]
    );
    for id in &ids[1..] {
        assert!(ws
            .open_conversation(&t.alex.1, *id, None, now)?
            .labels
            .is_empty());
    }

    // Bounds: none, or more than 500, refused before anything is read.
    let none = ws.update_many(&t.alex.1, &[], &urgent, now);
    assert_eq!(none.err().map(|e| e.code()), Some(ErrorCode::InvalidInput));
    let too_many: Vec<Versioned> = (0..501)
        .map(|i| Versioned {
            id: ConversationId::new(i + 1),
            version: 1,
        })
        .collect();
    let big = ws.update_many(&t.alex.1, &too_many, &urgent, now);
    assert_eq!(big.err().map(|e| e.code()), Some(ErrorCode::InvalidInput));
    let blank = BulkChange::AddLabel { label: "  ".into() };
    let blank = ws.update_many(&t.alex.1, &labelled, &blank, now);
    assert_eq!(blank.err().map(|e| e.code()), Some(ErrorCode::InvalidInput));
    Ok(())
}
