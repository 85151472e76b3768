//! Read state and deletions from the mailbox (issue 22 item 7), by the rules the sync's
//! answers are applied with: mail read there is read here and a conversation whose every
//! customer mail is read stops being unread; mail gone there is marked, never erased, and
//! comes back if the folder lists it again; mail gone unread keeps its conversation
//! unread; mail stored after the folder was opened is not judged by that answer; a mail
//! the server would not mark read counts as unread again.
//!
//! Real parts: SQLCipher. The IMAP side is tested against Dovecot in
//! `tests/tests/email_servers.rs`.

mod common;

use appcare_core::service::mail_seen::FolderState;
use appcare_core::store::mail_uids::MailPlace;
use appcare_core::ConversationId;
use common::mail::*;
use common::*;
use std::collections::HashSet;

fn unread(t: &Team, id: ConversationId) -> i64 {
    t.ctx
        .ws
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT unread_count FROM conversations WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?)
        })
        .expect("unread")
}

/// The `read` tasks queued for the mailbox so far.
fn read_tasks(t: &Team) -> i64 {
    t.ctx
        .ws
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM channel_tasks WHERE kind = 'read'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("tasks")
}

fn gone(t: &Team, header: &str) -> bool {
    t.ctx
        .ws
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT u.gone_at IS NOT NULL FROM mail_uids u JOIN email_messages e ON e.message_id = u.message_id
                 WHERE e.header_id = ?1",
                [header],
                |r| r.get(0),
            )?)
        })
        .expect("place")
}

#[test]
fn read_there_is_read_here_and_gone_there_is_marked_only_on_a_whole_answer() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let account = mailbox(&t);
    let now = t.ctx.now;
    let mut second = mail(
        "s2@customer.test",
        "ana@customer.test",
        "Re: Order",
        T0 + 60,
    );
    second.in_reply_to = vec!["s1@customer.test".into()];
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[
            item(
                1,
                mail("s1@customer.test", "ana@customer.test", "Order", T0),
            ),
            item(2, second),
            item(
                3,
                mail("s3@customer.test", "ben@customer.test", "Other", T0 + 120),
            ),
        ],
        now,
    )?;
    let order = conversation_of(&t, "s1@customer.test").ok_or("order")?;
    let other = conversation_of(&t, "s3@customer.test").ok_or("other")?;
    assert_eq!((unread(&t, order), unread(&t, other)), (2, 1));
    let apply = |present: &[u32], seen: &[u32], below: u32| {
        let present: HashSet<u32> = present.iter().copied().collect();
        let seen: HashSet<u32> = seen.iter().copied().collect();
        ws.delivery().apply_mailbox_state(
            account,
            &FolderState {
                folder: FOLDER,
                uidvalidity: 7,
                below,
                present: &present,
                seen: &seen,
            },
            now,
        )
    };

    // One of the two read there: still unread here.
    apply(&[1, 2, 3], &[1], 4)?;
    assert_eq!(unread(&t, order), 2);
    // The other deleted there unread: marked, kept, and the conversation stays unread.
    let changes = apply(&[1, 3], &[1], 4)?;
    assert_eq!((changes.read_there, changes.gone), (0, 1));
    assert!(gone(&t, "s2@customer.test"));
    assert_eq!(unread(&t, order), 2, "mail gone unread was never read");
    // Listed again (the last answer was partial): back where it was, then read there.
    apply(&[1, 2, 3], &[1, 2], 4)?;
    assert!(!gone(&t, "s2@customer.test"));
    assert_eq!(unread(&t, order), 0, "every customer mail read there");
    assert_eq!(unread(&t, other), 1);
    // Mail stored after the folder was opened (UID 3 >= its UIDNEXT 3) is not judged.
    apply(&[1, 2], &[1, 2], 3)?;
    assert!(!gone(&t, "s3@customer.test"));
    // A refused \Seen: unread there again, so the next opening asks anew.
    let place = MailPlace {
        folder: FOLDER.into(),
        uidvalidity: 7,
        uid: 3,
    };
    ws.open_conversation(&t.admin, other, None, now)?;
    let queued = read_tasks(&t);
    assert_eq!(queued, 1, "opening asks the mailbox to mark it read");
    ws.open_conversation(&t.admin, other, None, now)?;
    ws.delivery().mail_seen_refused(account, &[place])?;
    ws.open_conversation(&t.admin, other, None, now)?;
    let queued = read_tasks(&t);
    assert_eq!(
        queued, 2,
        "asked once per unread mail, and again after a refusal"
    );
    Ok(())
}
