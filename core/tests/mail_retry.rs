//! Set-aside mail tried again after a fix: the admin's request is queued (the row marked
//! as retrying, audited, admins only); what the runtime reads then is stored into a
//! conversation like any synced mail, recognised as stored before, or kept aside with
//! the new reason; the folder's counts still add up (offered = stored + set aside +
//! duplicates); a row of another mailbox is not found.
//!
//! Real parts: SQLCipher. Reading it again from the real IMAP server is in
//! `tests/tests/email_servers.rs`.

mod common;

use appcare_core::channel::mail::MailItem;
use appcare_core::service::mail_retry::RetryOutcome;
use appcare_core::CoreError;
use common::mail::*;
use common::*;

fn counts(t: &Team) -> (i64, i64, i64, i64) {
    t.ctx
        .ws
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT offered, stored, set_aside, duplicates FROM mail_folders WHERE folder = 'INBOX'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?)
        })
        .expect("counts")
}

fn refused(uid: u32) -> MailItem {
    MailItem::SetAside {
        uid,
        size: 0,
        reason: "the server would not return it (NO)".into(),
        from_address: String::new(),
        subject: String::new(),
        raw: None,
        key: None,
    }
}

#[test]
fn a_set_aside_mail_read_again_is_stored_and_the_counts_still_add_up() -> TestResult {
    let t = setup();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = mailbox(&t);
    ws.delivery()
        .apply_mail(account, FOLDER, 7, &[refused(3), refused(4)], now)?;
    let aside = ws.set_aside_mail(&t.admin, account, now)?;
    assert_eq!(aside.len(), 2);
    assert_eq!(counts(&t), (2, 0, 2, 0));

    // Only admins; a row of another mailbox is not found.
    assert!(matches!(
        ws.retry_set_aside_mail(&t.alex.1, account, aside[0].id, now),
        Err(CoreError::Forbidden { .. })
    ));
    assert!(matches!(
        ws.retry_set_aside_mail(&t.admin, t.billing_account, aside[0].id, now),
        Err(CoreError::NotFound { .. })
    ));
    let listed = ws.retry_set_aside_mail(&t.admin, account, aside[0].id, now)?;
    assert!(listed
        .iter()
        .find(|r| r.id == aside[0].id)
        .is_some_and(|r| r.retrying));
    assert!(listed
        .iter()
        .find(|r| r.id == aside[1].id)
        .is_some_and(|r| !r.retrying));

    // The server returns it now: stored, in a conversation, out of the list.
    let row = ws.delivery().set_aside_item(aside[0].id)?.ok_or("row")?;
    let read = item(
        row.uid,
        mail(
            "r1@customer.test",
            "ana@customer.test",
            "Order 42",
            now.unix(),
        ),
    );
    assert_eq!(
        ws.delivery().resolve_set_aside(&row, &read, now)?,
        RetryOutcome::Stored
    );
    assert!(conversation_of(&t, "r1@customer.test").is_some());
    assert_eq!(ws.set_aside_mail(&t.admin, account, now)?.len(), 1);
    assert_eq!(counts(&t), (2, 1, 1, 0));
    // The same answer again (a second request raced the first): the row is gone.
    assert_eq!(
        ws.delivery().resolve_set_aside(&row, &read, now)?,
        RetryOutcome::Gone
    );

    // The other one is still refused: kept, with the reason of this attempt.
    let other = ws.delivery().set_aside_item(aside[1].id)?.ok_or("row")?;
    let again = MailItem::SetAside {
        uid: other.uid,
        size: 0,
        reason: "it is no longer in the folder (deleted or moved on the server)".into(),
        from_address: String::new(),
        subject: String::new(),
        raw: None,
        key: None,
    };
    assert_eq!(
        ws.delivery().resolve_set_aside(&other, &again, now)?,
        RetryOutcome::StillAside
    );
    let kept = ws.set_aside_mail(&t.admin, account, now)?;
    assert_eq!(kept.len(), 1);
    assert!(
        kept[0].reason.starts_with("it is no longer in the folder"),
        "{}",
        kept[0].reason
    );
    assert!(kept[0].reason.ends_with("(tried again)"));
    assert_eq!(counts(&t), (2, 1, 1, 0));

    // Meanwhile the sync stored the same mail: found stored before, counted a duplicate.
    ws.delivery().apply_mail(
        account,
        FOLDER,
        7,
        &[item(
            9,
            mail("r2@customer.test", "bo@customer.test", "Hi", now.unix()),
        )],
        now,
    )?;
    let read = item(
        other.uid,
        mail("r2@customer.test", "bo@customer.test", "Hi", now.unix()),
    );
    assert_eq!(
        ws.delivery().resolve_set_aside(&other, &read, now)?,
        RetryOutcome::AlreadyStored
    );
    assert!(ws.set_aside_mail(&t.admin, account, now)?.is_empty());
    let (offered, stored, set_aside, duplicates) = counts(&t);
    assert_eq!(offered, stored + set_aside + duplicates);
    assert_eq!((offered, stored, set_aside, duplicates), (3, 2, 0, 1));
    let audited: i64 = ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT count(*) FROM audit_events WHERE kind = 'mail_set_aside_retried'",
            [],
            |r| r.get(0),
        )?)
    })?;
    assert_eq!(audited, 1);
    Ok(())
}
