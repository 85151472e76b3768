//! Presence (issue 20 item 3): who is viewing a conversation or typing a reply or a note,
//! published as an event with ids only and answered to the caller; typing lapses to viewing
//! and viewing to gone when a window stops saying so; someone who may not see the
//! conversation can neither announce nor learn anything there; saying it is not activity,
//! so an open conversation does not keep the idle lock away; nothing is stored.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::events::Event;
use appcare_core::service::presence::{Activity, TYPING_SECONDS, VIEWING_SECONDS};
use appcare_core::ErrorCode;
use common::*;

#[test]
fn viewing_and_typing_are_told_to_colleagues_and_lapse_when_no_longer_said() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(
        ws,
        t.support_account,
        "4915200000100",
        "wamid.p1",
        "Hi",
        now,
    );
    let before = row_counts(ws);
    let mut events = ws.subscribe();
    assert!(ws
        .set_presence(&t.alex.1, id, Activity::Viewing, now)
        .expect("alex opens")
        .is_empty());
    assert_eq!(
        events.try_recv().expect("published"),
        Event::Presence {
            conversation: id,
            user: t.alex.0,
            activity: Activity::Viewing
        }
    );
    ws.set_presence(&t.alex.1, id, Activity::TypingReply, now)
        .expect("alex types");
    let seen = ws
        .set_presence(&t.lena.1, id, Activity::Viewing, now)
        .expect("lena opens");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].user, t.alex.0);
    assert_eq!(seen[0].name, "alex display");
    assert_eq!(seen[0].activity, Activity::TypingReply);
    // Alex stops typing without saying so: viewing; then his window goes quiet: gone.
    let later = now.plus_seconds(TYPING_SECONDS + 1);
    let seen = ws
        .set_presence(&t.lena.1, id, Activity::Viewing, later)
        .expect("lena again");
    assert_eq!(seen[0].activity, Activity::Viewing);
    let gone = now.plus_seconds(VIEWING_SECONDS + 1);
    assert!(ws
        .set_presence(&t.lena.1, id, Activity::Viewing, gone)
        .expect("lena again")
        .is_empty());
    // Leaving says so at once.
    ws.set_presence(&t.alex.1, id, Activity::Viewing, gone)
        .expect("alex back");
    ws.set_presence(&t.alex.1, id, Activity::Left, gone)
        .expect("alex leaves");
    assert!(ws
        .set_presence(&t.lena.1, id, Activity::TypingNote, gone)
        .expect("lena")
        .is_empty());
    // Nothing of it is stored.
    let tables: i64 = ws
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%presence%'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("schema");
    assert_eq!(tables, 0);
    // And no row anywhere was added or taken away by it.
    assert_eq!(row_counts(ws), before);
}

/// The number of rows of every table of the store, by name.
fn row_counts(ws: &appcare_core::Workspace) -> Vec<(String, i64)> {
    ws.store()
        .read(|c| {
            let names: Vec<String> = c
                .prepare(
                    "SELECT name FROM sqlite_schema WHERE type = 'table'
                     AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::new();
            for name in names {
                let n: i64 = c.query_row(&format!("SELECT count(*) FROM \"{name}\""), [], |r| {
                    r.get(0)
                })?;
                out.push((name, n));
            }
            Ok(out)
        })
        .expect("row counts")
}

#[test]
fn someone_who_may_not_see_the_conversation_neither_announces_nor_learns() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(
        ws,
        t.support_account,
        "4915200000101",
        "wamid.p2",
        "Hi",
        now,
    );
    ws.set_presence(&t.alex.1, id, Activity::TypingReply, now)
        .expect("alex types");
    let mut events = ws.subscribe();
    // Carl is in Billing: the Support conversation does not exist for him.
    let refused = ws.set_presence(&t.carl.1, id, Activity::Viewing, now);
    assert_eq!(refused.err().map(|e| e.code()), Some(ErrorCode::NotFound));
    assert!(events.try_recv().is_err(), "nothing published for Carl");
}

#[test]
fn an_open_conversation_does_not_keep_the_idle_lock_away() {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(
        ws,
        t.support_account,
        "4915200000102",
        "wamid.p3",
        "Hi",
        now,
    );
    ws.list_conversations(&t.alex.1, &Default::default(), now)
        .expect("active now");
    // The window repeats its presence every 15 s for 16 minutes; the person does nothing.
    let mut at = now;
    for _ in 0..(14 * 4) {
        at = at.plus_seconds(15);
        ws.set_presence(&t.alex.1, id, Activity::Viewing, at)
            .expect("heartbeat");
    }
    let after = now.plus_seconds(16 * 60);
    let locked = ws.list_conversations(&t.alex.1, &Default::default(), after);
    assert_eq!(
        locked.err().map(|e| e.code()),
        Some(ErrorCode::SessionLocked)
    );
    let heartbeat = ws.set_presence(&t.alex.1, id, Activity::Viewing, after);
    assert_eq!(
        heartbeat.err().map(|e| e.code()),
        Some(ErrorCode::SessionLocked)
    );
}
