//! The agent's day as scenarios: a customer message delivered three times is stored
//! once, in the team queue with its reply window; a transfer needs a note, lands in the
//! recipient's Mine with the handoff banner, and leaves the sender unable to reply (a
//! lead still can), audited and published; another team's conversation is unreachable
//! by id, list, search, reply, note, transfer and attachment; opening is audited and
//! clears unread; rounds of two concurrent reassignments have one winner, the loser is
//! told who changed it and the final state matches the last audit row; leads
//! bulk-reassign and see load and the oldest wait, agents and outsiders are refused;
//! going away or being disabled returns open conversations to the queue; round-robin
//! auto-assignment under the cap; status, labels, notes and canned-reply placeholders,
//! and a new conversation after resolution; paging by last activity without gaps or
//! repeats; card numbers and IBANs masked before storage and search; a STOP message
//! makes the contact do-not-contact and replies are refused; what Meta charged, summed
//! per account, month and category: all for admins, their teams' for a lead.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::channel::InboundAttachment;
use appcare_core::events::Event;
use appcare_core::service::handoff::{TransferTarget, Versioned};
use appcare_core::service::inbox::{ConversationStatus, InboxQuery, InboxView};
use appcare_core::service::ingest::InboundMessage;
use appcare_core::{CoreError, ErrorCode};
use common::*;

fn view(v: InboxView) -> InboxQuery {
    InboxQuery {
        view: Some(v),
        ..InboxQuery::default()
    }
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

#[test]
fn a_customer_message_lands_in_the_team_queue_once_however_often_it_is_delivered() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let first = customer_writes(
        &t.ctx.ws,
        t.support_account,
        "16505551234",
        "wamid.1",
        "Does it come in another color?",
        now,
    );
    let again = customer_writes(
        &t.ctx.ws,
        t.support_account,
        "16505551234",
        "wamid.1",
        "Does it come in another color?",
        now,
    );
    assert_eq!(first, again);
    let queue = t
        .ctx
        .ws
        .list_conversations(&t.alex.1, &view(InboxView::Unassigned), now)?;
    assert_eq!(queue.rows.len(), 1);
    let row = &queue.rows[0];
    assert_eq!(row.channel, "whatsapp");
    assert_eq!(row.unread, 1);
    assert_eq!(row.team_id, Some(t.support));
    assert_eq!(row.reply_window_ends_at, Some(now.plus_seconds(24 * 3600)));
    let count: i64 = t
        .ctx
        .ws
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?))?;
    assert_eq!(count, 1);
    Ok(())
}

#[test]
fn agent_transfers_to_a_colleague_with_a_note_and_loses_the_right_to_reply() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let mut events = ws.subscribe();
    let id = customer_writes(
        ws,
        t.support_account,
        "16505551234",
        "wamid.1",
        "My parcel is late",
        now,
    );
    // Alex replies, which takes the conversation.
    ws.reply(
        &t.alex.1,
        id,
        "Sorry to hear that, checking now.",
        None,
        now,
    )?;
    let mine = ws.list_conversations(&t.alex.1, &view(InboxView::Mine), now)?;
    assert_eq!(mine.rows.len(), 1);
    let version = mine.rows[0].version;

    // The note is required.
    let no_note = ws.transfer(
        &t.alex.1,
        Versioned { id, version },
        TransferTarget::Agent(t.bea.0),
        "  ",
        now,
    );
    assert_eq!(
        no_note.err().map(|e| e.code()),
        Some(ErrorCode::InvalidInput)
    );

    ws.transfer(
        &t.alex.1,
        Versioned { id, version },
        TransferTarget::Agent(t.bea.0),
        "Customer wants express shipping; order 4411",
        now,
    )?;

    // Bea sees it in Mine, with the note at the top.
    let bea_mine = ws.list_conversations(&t.bea.1, &view(InboxView::Mine), now)?;
    assert_eq!(
        bea_mine.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![id]
    );
    let opened = ws.open_conversation(&t.bea.1, id, None, now)?;
    assert_eq!(
        opened.handoff.as_ref().map(|n| n.body.as_str()),
        Some("Customer wants express shipping; order 4411")
    );
    assert_eq!(opened.messages.len(), 2);
    assert!(opened.can_act);

    // Alex no longer may reply; a lead of the team still may.
    let alex_reply = ws.reply(&t.alex.1, id, "One more thing", None, now);
    assert_eq!(
        alex_reply.err().map(|e| e.code()),
        Some(ErrorCode::Forbidden)
    );
    ws.reply(&t.lena.1, id, "Lead here, all good", None, now)?;
    assert!(ws
        .list_conversations(&t.alex.1, &view(InboxView::Mine), now)?
        .rows
        .is_empty());

    // The handoff is audited and announced for Bea's desktop.
    assert!(audit_kinds(&t).iter().any(|k| k == "conversation_assigned"));
    let mut saw_handoff = false;
    while let Ok(e) = events.try_recv() {
        if let Event::Assigned {
            to_user,
            handoff: true,
            ..
        } = e
        {
            saw_handoff |= to_user == Some(t.bea.0);
        }
    }
    assert!(saw_handoff);
    Ok(())
}

#[test]
fn an_agent_cannot_reach_another_teams_conversation_by_id_list_or_search() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let billing = customer_writes(
        ws,
        t.billing_account,
        "payer@example.com",
        "<m1@example.com>",
        "Invoice zebracorn 991 is wrong",
        now,
    );
    // Alex (Support) sees nothing of Billing.
    let opened = ws.open_conversation(&t.alex.1, billing, None, now);
    assert!(matches!(opened, Err(CoreError::NotFound { .. })));
    for v in [
        InboxView::Mine,
        InboxView::Unassigned,
        InboxView::MyTeams,
        InboxView::All,
    ] {
        assert!(
            ws.list_conversations(&t.alex.1, &view(v), now)?
                .rows
                .is_empty(),
            "{v:?}"
        );
    }
    assert!(ws.search(&t.alex.1, "zebracorn", now)?.is_empty());
    assert!(ws.search(&t.alex.1, "payer", now)?.is_empty());
    assert!(ws.reply(&t.alex.1, billing, "hi", None, now).is_err());
    assert!(ws.add_note(&t.alex.1, billing, "hi", now).is_err());
    assert!(ws
        .transfer(
            &t.alex.1,
            Versioned {
                id: billing,
                version: 0
            },
            TransferTarget::Agent(t.alex.0),
            "mine now",
            now
        )
        .is_err());
    // Carl (Billing) and the admin do see it.
    let hits = ws.search(&t.carl.1, "zebracorn", now)?;
    assert_eq!(hits.len(), 1);
    assert!(
        hits[0].snippet.contains("\u{2}zebracorn\u{3}"),
        "{:?}",
        hits[0].snippet
    );
    assert_eq!(ws.search(&t.admin, "payer", now)?.len(), 1);
    Ok(())
}

#[test]
fn opening_a_conversation_is_audited_and_clears_unread() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(ws, t.support_account, "1", "w1", "hello", now);
    ws.ingest(
        InboundMessage {
            account: t.support_account,
            contact_external_id: "1",
            contact_name: "Customer 1",
            external_id: Some("w2"),
            subject: "",
            body: "here is the photo",
            sent_at: now.plus_seconds(5),
            choice: None,
            has_media: false,
            attachments: vec![InboundAttachment {
                file_name: "photo.jpg".into(),
                mime_type: "image/jpeg".into(),
                data: vec![0xff, 0xd8, 1, 2, 3],
            }],
        },
        now,
    )?;
    let before = ws.list_conversations(&t.bea.1, &view(InboxView::Unassigned), now)?;
    assert_eq!(before.rows[0].unread, 2);
    let opened = ws.open_conversation(&t.bea.1, id, None, now)?;
    let printed = format!("{opened:?} {:?}", ws.search(&t.bea.1, "photo", now)?);
    assert!(
        !printed.contains("photo") && !printed.contains("Customer 1"),
        "no customer text in Debug: {printed}"
    );
    let photo = &opened.messages[1].attachments[0];
    assert_eq!(photo.file_name, "photo.jpg");
    let content = ws.open_attachment(&t.bea.1, photo.id, now)?;
    assert_eq!(content.data_base64, "/9gBAgM=");
    // Another team's agent cannot open it by id.
    assert!(matches!(
        ws.open_attachment(&t.carl.1, photo.id, now),
        Err(CoreError::NotFound { .. })
    ));
    let after = ws.list_conversations(&t.bea.1, &view(InboxView::Unassigned), now)?;
    assert_eq!(after.rows[0].unread, 0);
    assert!(audit_kinds(&t).iter().any(|k| k == "conversation_opened"));
    assert!(audit_kinds(&t).iter().any(|k| k == "attachment_opened"));
    Ok(())
}

#[test]
fn concurrent_reassignments_have_one_winner_and_no_lost_update() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(ws, t.support_account, "1", "w1", "hello", now);
    let mut winners = 0;
    for round in 0..30 {
        let row = ws
            .list_conversations(&t.lena.1, &view(InboxView::MyTeams), now)?
            .rows[0]
            .clone();
        let seen = Versioned {
            id,
            version: row.version,
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| {
                ws.reassign(
                    &t.lena.1,
                    &[seen],
                    Some(t.alex.0),
                    &format!("round {round} to alex"),
                    now,
                )
            });
            let b = s.spawn(|| {
                ws.reassign(
                    &t.admin,
                    &[seen],
                    Some(t.bea.0),
                    &format!("round {round} to bea"),
                    now,
                )
            });
            (a.join(), b.join())
        });
        let (a, b) = (a.map_err(|_| "panicked")?, b.map_err(|_| "panicked")?);
        assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
        let loser = if a.is_ok() { b } else { a };
        let message = loser.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("changed this conversation meanwhile"),
            "{message}"
        );
        winners += 1;
        // The final state matches the last audit row.
        let last_detail: String = ws.store().read(|c| {
            Ok(c.query_row(
                "SELECT detail FROM audit_events WHERE kind = 'conversation_assigned' ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )?)
        })?;
        let final_row = ws
            .list_conversations(&t.admin, &view(InboxView::All), now)?
            .rows[0]
            .clone();
        let detail: serde_json::Value = serde_json::from_str(&last_detail)?;
        assert_eq!(
            detail["to_user"].as_i64(),
            final_row.assignee_id.map(|u| u.get())
        );
        assert_eq!(final_row.version, row.version + 1);
    }
    assert_eq!(winners, 30);
    Ok(())
}

#[test]
fn leads_reassign_many_see_load_and_the_queue() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let ids: Vec<_> = (0..5)
        .map(|i| {
            customer_writes(
                ws,
                t.support_account,
                &format!("c{i}"),
                &format!("w{i}"),
                "help",
                now.plus_seconds(i),
            )
        })
        .collect();
    let load = ws.team_load(&t.lena.1, now)?;
    assert_eq!(load.unassigned, 5);
    assert_eq!(load.oldest_unassigned_since, Some(now));
    let rows = ws
        .list_conversations(&t.lena.1, &view(InboxView::Unassigned), now)?
        .rows;
    let chosen: Vec<Versioned> = rows
        .iter()
        .take(3)
        .map(|r| Versioned {
            id: r.id,
            version: r.version,
        })
        .collect();
    assert_eq!(ws.reassign(&t.lena.1, &chosen, Some(t.alex.0), "", now)?, 3);
    let load = ws.team_load(&t.lena.1, now)?;
    assert_eq!(load.unassigned, 2);
    assert_eq!(
        load.agents
            .iter()
            .find(|a| a.user_id == t.alex.0)
            .map(|a| a.open),
        Some(3)
    );
    // Agents may not reassign, and a lead not outside their teams.
    assert_eq!(
        ws.reassign(&t.alex.1, &chosen, Some(t.bea.0), "", now)
            .err()
            .map(|e| e.code()),
        Some(ErrorCode::Forbidden)
    );
    let billing = customer_writes(ws, t.billing_account, "x@example.com", "<b@x>", "bill", now);
    let outside = ws.reassign(
        &t.lena.1,
        &[Versioned {
            id: billing,
            version: 0,
        }],
        Some(t.alex.0),
        "",
        now,
    );
    assert!(outside.is_err());
    assert_eq!(ids.len(), 5);
    Ok(())
}

#[test]
fn going_away_or_being_disabled_returns_open_conversations_to_the_queue() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let a = customer_writes(ws, t.support_account, "1", "w1", "one", now);
    let b = customer_writes(ws, t.support_account, "2", "w2", "two", now);
    ws.reply(&t.alex.1, a, "on it", None, now)?;
    ws.reply(&t.bea.1, b, "on it", None, now)?;
    assert_eq!(ws.set_availability(&t.alex.1, false, now)?, 1);
    ws.disable_user(&t.admin, t.bea.0, now)?;
    let queue = ws.list_conversations(&t.lena.1, &view(InboxView::Unassigned), now)?;
    assert_eq!(queue.rows.len(), 2);
    Ok(())
}

#[test]
fn auto_assignment_is_round_robin_among_available_agents_under_the_cap() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    ws.set_inbox_settings(
        &t.admin,
        appcare_core::service::admin::InboxSettings {
            auto_assign_cap: 1,
            return_on_away: true,
            mask_sensitive_data: true,
        },
        now,
    )?;
    ws.set_availability(&t.lena.1, false, now)?;
    let mut assigned = Vec::new();
    for i in 0..3 {
        let r = ws.ingest(
            InboundMessage {
                account: t.support_account,
                contact_external_id: &format!("c{i}"),
                contact_name: "C",
                external_id: Some(&format!("w{i}")),
                subject: "",
                body: "hi",
                sent_at: now,
                choice: None,
                has_media: false,
                attachments: vec![],
            },
            now,
        )?;
        assigned.push(r.assigned_to);
    }
    // Alex and Bea take one each (cap 1); the third waits in the queue.
    assert_eq!(assigned, vec![Some(t.alex.0), Some(t.bea.0), None]);
    Ok(())
}

#[test]
fn status_labels_notes_and_canned_replies() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(ws, t.support_account, "1", "w1", "hi", now);
    ws.add_note(&t.bea.1, id, "VIP customer", now)?;
    ws.set_labels(
        &t.bea.1,
        id,
        &["VIP".into(), "vip".into(), "shipping".into()],
        now,
    )?;
    // A label too long or blank is refused in words, not dropped unseen (the labels
    // stay as they were).
    for wrong in ["x".repeat(41), "  ".to_string()] {
        let refused = ws.set_labels(&t.bea.1, id, &["refund".into(), wrong], now);
        assert_eq!(
            refused.err().map(|e| e.code()),
            Some(appcare_core::ErrorCode::InvalidInput)
        );
    }
    let kept = ws.open_conversation(&t.bea.1, id, None, now)?.labels;
    assert_eq!(kept, ["shipping", "vip"]);
    let filtered = ws.list_conversations(
        &t.bea.1,
        &InboxQuery {
            view: Some(InboxView::MyTeams),
            label: Some("vip".into()),
            ..InboxQuery::default()
        },
        now,
    )?;
    assert_eq!(filtered.rows.len(), 1);
    let canned = ws.create_canned_reply(
        &t.lena.1,
        "Greeting",
        "Hi {{contact.first_name}}, {{agent.first_name}} here.",
        now,
    )?;
    assert!(ws.create_canned_reply(&t.bea.1, "x", "y", now).is_err());
    assert_eq!(
        ws.render_canned_reply(&t.bea.1, id, canned.id, now)?,
        "Hi Customer, bea here."
    );
    let row = ws
        .list_conversations(&t.bea.1, &view(InboxView::MyTeams), now)?
        .rows[0]
        .clone();
    ws.set_status(
        &t.bea.1,
        Versioned {
            id,
            version: row.version,
        },
        ConversationStatus::Resolved,
        None,
        now,
    )?;
    let resolved = ws.list_conversations(
        &t.bea.1,
        &InboxQuery {
            view: Some(InboxView::MyTeams),
            status: Some(ConversationStatus::Resolved),
            ..InboxQuery::default()
        },
        now,
    )?;
    assert_eq!(resolved.rows.len(), 1);
    let opened = ws.open_conversation(&t.bea.1, id, None, now)?;
    assert_eq!(opened.notes.len(), 1);
    assert_eq!(
        opened.labels,
        vec!["shipping".to_string(), "vip".to_string()]
    );
    // A customer writing again after resolution starts a new conversation.
    let again = customer_writes(
        ws,
        t.support_account,
        "1",
        "w2",
        "one more question",
        now.plus_seconds(60),
    );
    assert_ne!(again, id);
    Ok(())
}

#[test]
fn the_list_pages_by_last_activity_without_gaps_or_repeats() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    for i in 0..120 {
        customer_writes(
            ws,
            t.support_account,
            &format!("c{i}"),
            &format!("w{i}"),
            "hi",
            now.plus_seconds(i / 3),
        );
    }
    let mut seen = Vec::new();
    let mut query = view(InboxView::Unassigned);
    loop {
        let page = ws.list_conversations(&t.alex.1, &query, now)?;
        seen.extend(page.rows.iter().map(|r| (r.last_activity_at, r.id)));
        match page.next {
            Some(cursor) => query.after = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen.len(), 120);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted);
    Ok(())
}

#[test]
fn card_numbers_and_ibans_are_masked_before_storage_and_search() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(
        ws,
        t.support_account,
        "1",
        "w1",
        "My card 4111 1111 1111 1111 was charged twice, refund to DE89 3704 0044 0532 0130 00",
        now,
    );
    let opened = ws.open_conversation(&t.bea.1, id, None, now)?;
    let m = &opened.messages[0];
    assert!(m.masked);
    assert_eq!(
        m.body,
        "My card [card •••• 1111] was charged twice, refund to [IBAN DE•• •••• 3000]"
    );
    assert!(
        ws.search(&t.bea.1, "4111", now)?.is_empty(),
        "the full number is not in the search index"
    );
    let stored: String = ws
        .store()
        .read(|c| Ok(c.query_row("SELECT body FROM messages", [], |r| r.get(0))?))?;
    assert!(!stored.contains("4111 1111"), "{stored}");

    // Our own replies are masked too.
    let reply = ws.reply(
        &t.bea.1,
        id,
        "We refunded card 4111-1111-1111-1111.",
        None,
        now,
    )?;
    assert!(reply.masked);
    assert_eq!(reply.body, "We refunded card [card •••• 1111].");

    // What a message holds besides its text (an order's note) is masked too.
    use appcare_core::channel::rich::{OrderItem, RichContent};
    let order = appcare_core::channel::ChannelEvent::Message(appcare_core::channel::InboundEvent {
        account: t.support_account,
        contact_external_id: "1".into(),
        contact_name: "Customer 1".into(),
        external_id: "w-order".into(),
        body: "Placed an order".into(),
        sent_at: now,
        media: vec![],
        contact_aliases: vec![],
        reply_to: None,
        choice: None,
        content: Some(RichContent::Order {
            catalog_id: "c1".into(),
            note: "pay with 4111 1111 1111 1111".into(),
            items: vec![OrderItem {
                product: "SKU-1".into(),
                quantity: 1,
                price: "9.99".into(),
                currency: "EUR".into(),
            }],
        }),
    });
    ws.delivery().apply(&[order], now)?;
    let opened = ws.open_conversation(&t.bea.1, id, None, now)?;
    let shared = opened
        .messages
        .iter()
        .find(|m| m.body == "Placed an order")
        .ok_or("the order")?;
    assert!(shared.masked);
    match &shared.content {
        Some(RichContent::Order { note, items, .. }) => {
            assert_eq!(note, "pay with [card •••• 1111]");
            assert_eq!(items[0].price, "9.99", "figures are not customer text");
        }
        _ => return Err("no order content".into()),
    }
    let stored: String = ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT group_concat(content) FROM message_content",
            [],
            |r| r.get(0),
        )?)
    })?;
    assert!(!stored.contains("4111 1111"), "{stored}");

    // The workspace switch turns masking off.
    ws.set_inbox_settings(
        &t.admin,
        appcare_core::service::admin::InboxSettings {
            auto_assign_cap: 0,
            return_on_away: true,
            mask_sensitive_data: false,
        },
        now,
    )?;
    let raw = customer_writes(
        ws,
        t.support_account,
        "2",
        "w2",
        "card 5500 0000 0000 0004",
        now,
    );
    let opened = ws.open_conversation(&t.bea.1, raw, None, now)?;
    assert_eq!(opened.messages[0].body, "card 5500 0000 0000 0004");
    assert!(!opened.messages[0].masked);
    Ok(())
}

#[test]
fn a_stop_message_makes_the_contact_do_not_contact_and_replies_are_refused() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(ws, t.support_account, "1", "w1", "Where is my parcel?", now);
    ws.reply(&t.bea.1, id, "Checking!", None, now)?;
    customer_writes(
        ws,
        t.support_account,
        "1",
        "w2",
        "STOP",
        now.plus_seconds(10),
    );
    let opened = ws.open_conversation(&t.bea.1, id, None, now)?;
    assert!(opened.summary.do_not_contact);
    let refused = ws.reply(&t.bea.1, id, "One more thing", None, now);
    assert_eq!(
        refused.as_ref().err().map(|e| e.code()),
        Some(ErrorCode::Conflict)
    );
    assert!(refused
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
        .contains("asked not to be contacted"));
    assert!(audit_kinds(&t)
        .iter()
        .any(|k| k == "contact_opt_out_changed"));
    // Agents may not lift it; a lead may.
    assert_eq!(
        ws.set_do_not_contact(&t.bea.1, id, false, now)
            .err()
            .map(|e| e.code()),
        Some(ErrorCode::Forbidden)
    );
    ws.set_do_not_contact(&t.lena.1, id, false, now)?;
    ws.reply(&t.bea.1, id, "Thanks for writing again", None, now)?;
    Ok(())
}

/// Issue 18, finding 14: the embedded desktop's window is told only of what its user
/// may see, by the rule a hub's push stream follows: Billing's message reaches Carl's
/// window and not Alex's; nothing reaches a locked or signed-out session's window.
#[test]
fn the_window_is_told_only_of_events_its_user_may_see() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let mut events = ws.subscribe();
    let billing = customer_writes(
        ws,
        t.billing_account,
        "payer@example.com",
        "<m2@example.com>",
        "Where is my refund",
        now,
    );
    let event = std::iter::from_fn(|| events.try_recv().ok())
        .find(|e| matches!(e, Event::MessageReceived { conversation, .. } if *conversation == billing))
        .ok_or("no event for Billing's message")?;
    assert!(
        !ws.window_may_see(&t.alex.1, &event)?,
        "Support's Alex saw Billing's event"
    );
    assert!(ws.window_may_see(&t.carl.1, &event)?);
    assert!(ws.window_may_see(&t.admin, &event)?);
    // Settings changes go to everyone signed in.
    assert!(ws.window_may_see(&t.alex.1, &Event::SettingsChanged)?);
    // Locked or signed out: nothing.
    ws.lock(&t.carl.1, now)?;
    assert!(
        !ws.window_may_see(&t.carl.1, &event)?,
        "a locked session's window was told"
    );
    ws.sign_out(&t.admin, now)?;
    assert!(!ws.window_may_see(&t.admin, &Event::SettingsChanged)?);
    Ok(())
}

/// Issue 19: "Assign to me". An agent takes an unassigned conversation of their team (no
/// reply needed), versioned and audited; a stale version is a conflict naming who changed
/// it; a colleague's conversation is refused to an agent and taken by their lead; another
/// team's is not found.
#[test]
fn take_assigns_to_me_versioned_audited_and_only_what_i_may_take() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let mut events = ws.subscribe();
    let id = customer_writes(
        ws,
        t.support_account,
        "16505550001",
        "wamid.take.1",
        "hello",
        now,
    );
    let row = ws
        .list_conversations(&t.alex.1, &view(InboxView::Unassigned), now)?
        .rows[0]
        .clone();
    let taken = ws.take(
        &t.alex.1,
        Versioned {
            id,
            version: row.version,
        },
        now,
    )?;
    assert_eq!(taken.assignee_id, Some(t.alex.0));
    assert!(taken.version > row.version);
    let mine = ws.list_conversations(&t.alex.1, &view(InboxView::Mine), now)?;
    assert_eq!(mine.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    assert_eq!(
        audit_kinds(&t).last().map(String::as_str),
        Some("conversation_assigned")
    );
    let mut assigned = false;
    while let Ok(e) = events.try_recv() {
        assigned |= matches!(e, Event::Assigned { conversation, to_user, .. } if conversation == id && to_user == Some(t.alex.0));
    }
    assert!(assigned, "the take was published");
    let current = Versioned {
        id,
        version: taken.version,
    };
    // Bea, an agent, may not take Alex's conversation; Lena, their lead, may.
    let refused = ws.take(&t.bea.1, current, now);
    assert_eq!(refused.err().map(|e| e.code()), Some(ErrorCode::Forbidden));
    // Carl is in another team: he does not see it at all.
    let hidden = ws.take(&t.carl.1, current, now);
    assert_eq!(hidden.err().map(|e| e.code()), Some(ErrorCode::NotFound));
    let by_lead = ws.take(&t.lena.1, current, now)?;
    assert_eq!(by_lead.assignee_id, Some(t.lena.0));
    // A stale version loses, with the reason.
    let conflict = ws.take(&t.lena.1, current, now);
    assert_eq!(conflict.err().map(|e| e.code()), Some(ErrorCode::Conflict));
    Ok(())
}

/// Issue 19: snooze. A snoozed conversation wakes (open again, audited, published) when
/// its time comes, by the maintenance step with the clock passed in, not before; a
/// customer message wakes it earlier and clears the time.
#[test]
fn a_snoozed_conversation_wakes_at_its_time_or_earlier_on_a_customer_message() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let snooze = |id, at| -> TestResult {
        let v = ws
            .open_conversation(&t.alex.1, id, None, now)?
            .summary
            .version;
        ws.set_status(
            &t.alex.1,
            Versioned { id, version: v },
            ConversationStatus::Snoozed,
            Some(at),
            now,
        )?;
        Ok(())
    };
    let status = |id| -> Result<(ConversationStatus, Option<appcare_core::Timestamp>), CoreError> {
        let s = ws.open_conversation(&t.alex.1, id, None, now)?.summary;
        Ok((s.status, s.snoozed_until))
    };
    let quiet = customer_writes(
        ws,
        t.support_account,
        "16505550002",
        "wamid.snz.1",
        "thanks",
        now,
    );
    let chatty = customer_writes(
        ws,
        t.support_account,
        "16505550003",
        "wamid.snz.2",
        "thanks",
        now,
    );
    let hour = now.plus_seconds(3600);
    snooze(quiet, hour)?;
    snooze(chatty, hour)?;
    assert_eq!(status(quiet)?, (ConversationStatus::Snoozed, Some(hour)));
    // A snooze into the past is refused.
    let v = ws
        .open_conversation(&t.alex.1, quiet, None, now)?
        .summary
        .version;
    let past = ws.set_status(
        &t.alex.1,
        Versioned {
            id: quiet,
            version: v,
        },
        ConversationStatus::Snoozed,
        Some(now.plus_seconds(-1)),
        now,
    );
    assert_eq!(past.err().map(|e| e.code()), Some(ErrorCode::InvalidInput));
    // The customer writes: open again at once, the snooze time gone.
    customer_writes(
        ws,
        t.support_account,
        "16505550003",
        "wamid.snz.3",
        "one more thing",
        now.plus_seconds(60),
    );
    assert_eq!(status(chatty)?, (ConversationStatus::Open, None));
    // Not yet.
    assert_eq!(ws.maintenance().wake_snoozed(now.plus_seconds(3599))?, 0);
    assert_eq!(status(quiet)?.0, ConversationStatus::Snoozed);
    let changes = || {
        audit_kinds(&t)
            .iter()
            .filter(|k| *k == "conversation_status_changed")
            .count()
    };
    let before = changes();
    let mut events = ws.subscribe();
    assert_eq!(ws.maintenance().wake_snoozed(hour)?, 1);
    assert_eq!(changes(), before + 1, "the wake was audited");
    assert_eq!(status(quiet)?, (ConversationStatus::Open, None));
    assert!(
        std::iter::from_fn(|| events.try_recv().ok()).any(
            |e| matches!(e, Event::ConversationUpdated { conversation } if conversation == quiet)
        ),
        "the wake was published"
    );
    // Once only.
    assert_eq!(ws.maintenance().wake_snoozed(hour.plus_seconds(60))?, 0);
    Ok(())
}

/// Issue 19: sample data worth looking at. Readable scripted conversations (answers, a
/// note, a handoff), one customer reached on two channels as one contact, every sample
/// customer a name of their own, and a reply in a sample conversation refused with the
/// reason (the view says so before anyone types) instead of queued to fail. Admins only,
/// once per workspace, bounded.
#[test]
fn sample_data_reads_like_real_work_and_explains_instead_of_failing_replies() -> TestResult {
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let refused = ws.add_sample_data(&t.alex.1, 3, now);
    assert_eq!(refused.err().map(|e| e.code()), Some(ErrorCode::Forbidden));
    let too_many = ws.add_sample_data(&t.admin, 10_001, now);
    assert_eq!(
        too_many.err().map(|e| e.code()),
        Some(ErrorCode::InvalidInput)
    );
    let added = ws.add_sample_data(&t.admin, 25, now)?;
    assert!(added.conversations >= 25 + 8, "{added:?}");
    let count = |sql: &str| -> i64 {
        ws.store()
            .read(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .expect("read")
    };
    assert_eq!(
        count("SELECT count(*) - count(DISTINCT display_name) FROM contacts"),
        0,
        "two sample customers share a name"
    );
    // Ana writes on WhatsApp and by e-mail: one contact, two conversations.
    let ana = ws.find_contacts(&t.admin, "Ana Souza", now)?;
    assert_eq!(ana.len(), 1, "{ana:?}");
    assert_eq!(ana[0].conversations, 2);
    assert_eq!(ana[0].identities.len(), 2, "{:?}", ana[0].identities);
    // Jonas wrote twice under his name spelt two ways: two contacts, suggested as one.
    let jonas = ws.find_contacts(&t.admin, "Jonas Berg", now)?;
    assert_eq!(jonas.len(), 2, "{jonas:?}");
    let suggested = ws.merge_suggestions(&t.admin, jonas[0].id, now)?;
    assert_eq!(
        suggested.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![jonas[1].id]
    );
    // Omar's conversation has an answer and a handoff note.
    let all = ws.list_conversations(&t.admin, &view(InboxView::All), now)?;
    let omar = all
        .rows
        .iter()
        .find(|r| r.contact_name == "Omar Haddad")
        .ok_or("no Omar")?;
    let opened = ws.open_conversation(&t.admin, omar.id, None, now)?;
    assert!(opened.sample);
    assert!(opened.handoff.is_some());
    assert!(opened.messages.len() >= 2);
    assert!(opened.messages.iter().any(|m| m.direction == "out"));
    // A reply there is refused with the reason, and nothing is queued.
    let queued = count("SELECT count(*) FROM outbox");
    let reply = ws.reply(&t.admin, omar.id, "Refund done.", None, now);
    let err = reply.err().ok_or("a sample reply was accepted")?;
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("sample conversation"), "{err}");
    assert_eq!(count("SELECT count(*) FROM outbox"), queued);
    // Once per workspace.
    let again = ws.add_sample_data(&t.admin, 0, now);
    assert_eq!(again.err().map(|e| e.code()), Some(ErrorCode::Conflict));
    Ok(())
}

/// Issue 19: drafts that survive. A draft per conversation and mode is kept in the
/// (encrypted) store for its writer only: read back with the conversation, not shown to a
/// colleague on the same conversation, refused (not found) for a conversation the caller
/// cannot see, deleted by an empty body, refused past the reply limit with a plain
/// message, not audited (a keystroke is not a state change), and gone with the
/// conversation when its contact is erased.
#[test]
fn drafts_are_kept_per_user_conversation_and_mode_and_go_with_an_erased_contact() -> TestResult {
    use appcare_core::service::drafts::DraftMode;
    let t = team();
    let now = t.ctx.now;
    let ws = &t.ctx.ws;
    let id = customer_writes(
        ws,
        t.support_account,
        "16505550077",
        "wamid.draft.1",
        "where is my parcel?",
        now,
    );
    let audited = audit_kinds(&t).len();
    ws.save_draft(&t.alex.1, id, DraftMode::Reply, "Hello, your parcel ", now)?;
    ws.save_draft(&t.alex.1, id, DraftMode::Note, "check the courier", now)?;
    ws.save_draft(
        &t.alex.1,
        id,
        DraftMode::Reply,
        "Hello, your parcel left today ",
        now.plus_seconds(5),
    )?;
    ws.save_draft(&t.bea.1, id, DraftMode::Reply, "Bea's own words", now)?;
    assert_eq!(audit_kinds(&t).len(), audited, "a draft save was audited");

    let mine = ws.open_conversation(&t.alex.1, id, None, now)?.drafts;
    let got: Vec<(DraftMode, &str)> = mine.iter().map(|d| (d.mode, d.body.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (DraftMode::Reply, "Hello, your parcel left today "),
            (DraftMode::Note, "check the courier"),
        ],
        "Alex's drafts, as typed (not trimmed), the latest first"
    );
    assert_eq!(mine[0].updated_at, now.plus_seconds(5));
    let beas = ws.open_conversation(&t.bea.1, id, None, now)?.drafts;
    assert_eq!(beas.len(), 1);
    assert_eq!(beas[0].body, "Bea's own words");
    assert!(
        !format!("{:?}", mine[0]).contains("parcel"),
        "a draft's text in Debug"
    );

    // Carl (Billing) does not see Support's conversation: saving is "not found".
    let hidden = ws.save_draft(&t.carl.1, id, DraftMode::Reply, "hi", now);
    assert_eq!(hidden.err().map(|e| e.code()), Some(ErrorCode::NotFound));

    // Too long: refused in plain words, naming the field; the old draft stays.
    let long = "x".repeat(5000);
    let refused = ws
        .save_draft(&t.alex.1, id, DraftMode::Reply, &long, now)
        .expect_err("a draft over the limit was kept");
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert!(refused.to_string().contains("characters"), "{refused}");
    assert_eq!(
        ws.open_conversation(&t.alex.1, id, None, now)?.drafts.len(),
        2
    );

    // An empty (or blank) body deletes that mode's draft only.
    ws.save_draft(&t.alex.1, id, DraftMode::Note, "  \n", now)?;
    let left = ws.open_conversation(&t.alex.1, id, None, now)?.drafts;
    assert_eq!(
        left.iter().map(|d| d.mode).collect::<Vec<_>>(),
        vec![DraftMode::Reply]
    );

    // Sending the reply (or writing the note) takes its draft with it, in the same step.
    ws.save_draft(&t.alex.1, id, DraftMode::Note, "check the courier", now)?;
    ws.reply(&t.alex.1, id, "Hello, your parcel left today", None, now)?;
    let left = ws.open_conversation(&t.alex.1, id, None, now)?.drafts;
    assert_eq!(
        left.iter().map(|d| d.mode).collect::<Vec<_>>(),
        vec![DraftMode::Note]
    );
    ws.add_note(&t.alex.1, id, "courier checked", now)?;
    assert!(ws
        .open_conversation(&t.alex.1, id, None, now)?
        .drafts
        .is_empty());
    ws.save_draft(&t.alex.1, id, DraftMode::Reply, "one more thing", now)?;

    // Erasing the contact takes every draft of its conversations with it.
    let contact = ws
        .open_conversation(&t.admin, id, None, now)?
        .summary
        .contact_id;
    ws.erase_contact(&t.admin, contact, now)?;
    let drafts: i64 = ws
        .store()
        .read(|c| Ok(c.query_row("SELECT count(*) FROM drafts", [], |r| r.get(0))?))?;
    assert_eq!(drafts, 0, "drafts outlived their erased contact");
    Ok(())
}

#[test]
fn what_meta_charged_is_summed_per_account_and_a_lead_sees_only_their_teams() {
    let t = team();
    let now = t.ctx.now;
    let support = customer_writes(
        &t.ctx.ws,
        t.support_account,
        "491511",
        "wamid.p1",
        "Hi",
        now,
    );
    let billing = customer_writes(
        &t.ctx.ws,
        t.billing_account,
        "a@example.com",
        "<p2@x>",
        "Hi",
        now,
    );
    // Meta's pricing as a status stores it (one row per message we sent).
    t.ctx
        .ws
        .store()
        .write(|tx| {
            for (conversation, category) in [(support, "utility"), (billing, "marketing")] {
                tx.execute(
                    "INSERT INTO message_pricing (message_id, billable, pricing_model, pricing_type, category)
                     SELECT id, 1, 'PMP', 'regular', ?2 FROM messages WHERE conversation_id = ?1",
                    rusqlite::params![conversation, category],
                )?;
            }
            Ok(())
        })
        .expect("priced");
    let categories = |token: &appcare_core::SessionToken| -> Vec<String> {
        t.ctx
            .ws
            .whatsapp_pricing(token, now)
            .expect("pricing")
            .into_iter()
            .map(|row| format!("{} {} {}", row.account_name, row.category, row.billable))
            .collect()
    };
    assert_eq!(
        categories(&t.admin),
        ["Billing mailbox marketing 1", "Support line utility 1"]
    );
    assert_eq!(categories(&t.lena.1), ["Support line utility 1"]);
    assert_eq!(
        t.ctx
            .ws
            .whatsapp_pricing(&t.alex.1, now)
            .map_err(|e| e.code()),
        Err(ErrorCode::Forbidden)
    );
}
