//! Consent per customer and channel (issue 21 item 8): a customer's STOP sets
//! do-not-contact and refuses consent, START gives it back, both in any configured
//! language and audited; an agent records consent from what the customer said or a form
//! (only where they may act, only on a channel the customer has); a number that requires
//! opt-in sends templates (and writes first) only to customers who gave it; an account's
//! privacy notice goes once to each customer who writes, never to one who asked not to be
//! contacted; consent is exported with the customer and erased with them.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::channel::template::TemplateView;
use appcare_core::privacy::consent::{ConsentKeywords, ConsentSource, ConsentState};
use appcare_core::service::consent::ConsentSettings;
use appcare_core::{CoreError, ErrorCode, Timestamp};
use common::*;

fn at(offset: i64) -> Timestamp {
    Timestamp::from_unix(T0 + offset)
}

fn settings(require_opt_in: bool, notice: &str) -> ConsentSettings {
    ConsentSettings {
        require_opt_in,
        privacy_notice: notice.into(),
    }
}

fn code<T>(result: Result<T, CoreError>) -> Option<ErrorCode> {
    result.err().map(|e| e.code())
}

/// The consent states of the conversation's customer, as (channel, state, source).
fn consent_of(
    t: &Team,
    id: appcare_core::ConversationId,
) -> Vec<(String, ConsentState, ConsentSource)> {
    let ws = &t.ctx.ws;
    let contact = ws
        .open_conversation(&t.admin, id, None, at(100))
        .expect("opened")
        .summary
        .contact_id;
    ws.contact_panel(&t.admin, contact, at(100))
        .expect("panel")
        .consent
        .into_iter()
        .map(|c| (c.channel, c.state, c.source))
        .collect()
}

fn do_not_contact(t: &Team, id: appcare_core::ConversationId) -> bool {
    let ws = &t.ctx.ws;
    let contact = ws
        .open_conversation(&t.admin, id, None, at(100))
        .expect("opened")
        .summary
        .contact_id;
    ws.contact_panel(&t.admin, contact, at(100))
        .expect("panel")
        .do_not_contact
}

#[test]
fn stop_and_start_keywords_set_do_not_contact_and_consent_in_any_configured_language() -> TestResult
{
    let t = team();
    let ws = &t.ctx.ws;
    let id = customer_writes(ws, t.support_account, "4915111111", "w1", "Hello", at(1));
    assert!(consent_of(&t, id).is_empty(), "unknown until said");
    customer_writes(ws, t.support_account, "4915111111", "w2", "STOP", at(2));
    assert!(do_not_contact(&t, id));
    // STOP blocks templates in the customer's conversation too.
    with_template(&t);
    let stopped = ws.send_template(
        &t.admin,
        id,
        "order_update",
        "en_US",
        &["Ana".into()],
        at(2),
    );
    assert!(
        matches!(&stopped, Err(CoreError::Conflict(why)) if why.contains("asked not to be contacted")),
        "{:?}",
        stopped.map(|m| m.id)
    );
    assert_eq!(
        consent_of(&t, id),
        [(
            "whatsapp".to_string(),
            ConsentState::Refused,
            ConsentSource::Keyword
        )]
    );
    customer_writes(ws, t.support_account, "4915111111", "w3", "Start", at(3));
    assert!(!do_not_contact(&t, id));
    assert_eq!(consent_of(&t, id)[0].1, ConsentState::Given);
    // Only admins change the keywords; a Dutch list makes "Afmelden" a stop word.
    let dutch = vec![ConsentKeywords {
        language: "nl".into(),
        stop: vec!["Afmelden".into()],
        start: vec!["Aanmelden".into()],
    }];
    assert_eq!(
        code(ws.set_consent_keywords(&t.alex.1, &dutch, at(4))),
        Some(ErrorCode::Forbidden)
    );
    let mut keywords = ws.consent_keywords(&t.admin, at(4))?;
    keywords.extend(dutch);
    let saved = ws.set_consent_keywords(&t.admin, &keywords, at(4))?;
    assert_eq!(
        saved.last().map(|k| k.stop.clone()),
        Some(vec!["afmelden".to_string()])
    );
    customer_writes(
        ws,
        t.support_account,
        "4915111111",
        "w4",
        "afmelden!",
        at(5),
    );
    assert!(do_not_contact(&t, id));
    // A word that both stops and starts is refused at its field.
    let both = vec![ConsentKeywords {
        language: "en".into(),
        stop: vec!["stop".into()],
        start: vec!["stop".into()],
    }];
    match ws.set_consent_keywords(&t.admin, &both, at(6)) {
        Err(CoreError::InvalidInput { field, .. }) => assert_eq!(field, "start words"),
        other => panic!("{other:?}"),
    }
    let audited = ws.recent_audit(&t.admin, Some("consent_recorded"), 10, at(7))?;
    assert_eq!(audited.len(), 3, "stop, start and the Dutch stop");
    assert_eq!(
        ws.recent_audit(&t.admin, Some("consent_keywords_changed"), 10, at(7))?
            .len(),
        1
    );
    Ok(())
}

#[test]
fn an_agent_records_consent_where_they_may_act_on_a_channel_the_customer_has() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let id = customer_writes(ws, t.support_account, "4915222222", "w1", "Hello", at(1));
    let contact = ws
        .open_conversation(&t.alex.1, id, None, at(2))?
        .summary
        .contact_id;
    let views = ws.record_consent(
        &t.alex.1,
        contact,
        "whatsapp",
        ConsentState::Given,
        ConsentSource::Form,
        at(3),
    )?;
    assert_eq!(views.len(), 1);
    assert_eq!(
        (views[0].state, views[0].source, views[0].by.as_deref()),
        (
            ConsentState::Given,
            ConsentSource::Form,
            Some("alex display")
        )
    );
    assert!(!do_not_contact(&t, id));
    // "Does not want messages" also stops contact, as STOP does.
    ws.record_consent(
        &t.alex.1,
        contact,
        "whatsapp",
        ConsentState::Refused,
        ConsentSource::Agent,
        at(3),
    )?;
    assert!(do_not_contact(&t, id));
    // Not a channel they have, not "keyword", not a colleague of another team.
    assert_eq!(
        code(ws.record_consent(
            &t.alex.1,
            contact,
            "email",
            ConsentState::Given,
            ConsentSource::Agent,
            at(4)
        )),
        Some(ErrorCode::InvalidInput)
    );
    assert_eq!(
        code(ws.record_consent(
            &t.alex.1,
            contact,
            "whatsapp",
            ConsentState::Given,
            ConsentSource::Keyword,
            at(4)
        )),
        Some(ErrorCode::InvalidInput)
    );
    assert_eq!(
        code(ws.record_consent(
            &t.carl.1,
            contact,
            "whatsapp",
            ConsentState::Refused,
            ConsentSource::Agent,
            at(4)
        )),
        Some(ErrorCode::NotFound)
    );
    let audited = ws.recent_audit(&t.admin, Some("consent_recorded"), 10, at(5))?;
    assert_eq!(audited.len(), 2);
    Ok(())
}

fn with_template(t: &Team) {
    t.ctx
        .ws
        .delivery()
        .set_templates(
            t.support_account,
            &[TemplateView {
                name: "order_update".into(),
                language: "en_US".into(),
                category: "UTILITY".into(),
                body: "Hello {{1}}, your order has shipped.".into(),
                parameters: 1,
                header: None,
                buttons: vec![],
            }],
        )
        .expect("templates");
}

#[test]
fn a_number_that_requires_opt_in_sends_templates_only_to_customers_who_gave_it() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    with_template(&t);
    // Only admins, only on WhatsApp numbers.
    assert_eq!(
        code(ws.set_consent_settings(&t.alex.1, t.support_account, &settings(true, ""), at(0))),
        Some(ErrorCode::Forbidden)
    );
    assert_eq!(
        code(ws.set_consent_settings(&t.admin, t.billing_account, &settings(true, ""), at(0))),
        Some(ErrorCode::InvalidInput)
    );
    let view = ws.set_consent_settings(&t.admin, t.support_account, &settings(true, ""), at(0))?;
    assert!(view.require_opt_in);
    let id = customer_writes(ws, t.support_account, "4915333333", "w1", "Hello", at(1));
    let ana = vec!["Ana".to_string()];
    match ws.send_template(&t.admin, id, "order_update", "en_US", &ana, at(2)) {
        Err(CoreError::InvalidInput { field, .. }) => assert_eq!(field, "consent"),
        other => panic!("{other:?}"),
    }
    let contact = ws
        .open_conversation(&t.admin, id, None, at(3))?
        .summary
        .contact_id;
    ws.record_consent(
        &t.admin,
        contact,
        "whatsapp",
        ConsentState::Given,
        ConsentSource::Agent,
        at(3),
    )?;
    ws.send_template(&t.admin, id, "order_update", "en_US", &ana, at(4))?;
    // Writing first to a number not known here: refused, nothing made.
    let start = appcare_core::channel::start::NewConversation {
        account: t.support_account,
        phone: "+49 151 99999999".into(),
        name: String::new(),
        template: "order_update".into(),
        language: "en_US".into(),
        parameters: ana.clone(),
        extras: Default::default(),
    };
    match ws.start_conversation(&t.admin, &start, at(5)) {
        Err(CoreError::InvalidInput { field, .. }) => assert_eq!(field, "consent"),
        other => panic!("{other:?}"),
    }
    assert!(ws
        .find_contacts(&t.admin, "4915199999999", at(5))?
        .is_empty());
    // Without the requirement, the template goes.
    ws.set_consent_settings(&t.admin, t.support_account, &settings(false, ""), at(6))?;
    ws.start_conversation(&t.admin, &start, at(7))?;
    Ok(())
}

#[test]
fn the_privacy_notice_goes_once_to_each_customer_who_writes() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    const NOTICE: &str = "We keep your messages to answer you. Write STOP to stop.";
    assert_eq!(
        code(ws.set_consent_settings(&t.admin, t.billing_account, &settings(false, NOTICE), at(0))),
        Some(ErrorCode::InvalidInput),
        "not on e-mail"
    );
    ws.set_consent_settings(&t.admin, t.support_account, &settings(false, NOTICE), at(0))?;
    let notices = |id| -> usize {
        ws.open_conversation(&t.admin, id, None, at(50))
            .expect("opened")
            .messages
            .iter()
            .filter(|m| m.direction == "out" && m.body == NOTICE)
            .count()
    };
    let ana = customer_writes(ws, t.support_account, "4915444444", "w1", "Hello", at(1));
    customer_writes(
        ws,
        t.support_account,
        "4915444444",
        "w2",
        "Are you there?",
        at(2),
    );
    assert_eq!(notices(ana), 1, "once per customer");
    // Someone whose first message is STOP gets nothing.
    let ben = customer_writes(ws, t.support_account, "4915555555", "w3", "STOP", at(3));
    assert_eq!(notices(ben), 0);
    // A message fetched long after it was written (a poll of old messages) gets none.
    let old = ws
        .ingest(
            appcare_core::service::ingest::InboundMessage {
                account: t.support_account,
                contact_external_id: "4915666666",
                contact_name: "Old",
                external_id: Some("w4"),
                subject: "",
                body: "Hi",
                sent_at: at(-3600),
                choice: None,
                has_media: false,
                attachments: vec![],
            },
            at(10),
        )?
        .conversation;
    assert_eq!(notices(old), 0);
    Ok(())
}

#[test]
fn consent_is_exported_with_the_customer_and_erased_with_them() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    ws.set_consent_settings(
        &t.admin,
        t.support_account,
        &settings(false, "Notice"),
        at(0),
    )?;
    let id = customer_writes(ws, t.support_account, "4915777777", "w1", "START", at(1));
    let contact = ws
        .open_conversation(&t.admin, id, None, at(2))?
        .summary
        .contact_id;
    let out = tempfile::tempdir()?;
    let summary = ws.export_contact(&t.admin, contact, false, out.path(), at(3))?;
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        std::path::Path::new(&summary.folder).join("contact.json"),
    )?)?;
    assert_eq!(json["consent"][0]["state"], "given");
    assert_eq!(json["consent"][0]["source"], "keyword");
    ws.erase_contact(&t.admin, contact, at(4))?;
    let left = ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT (SELECT count(*) FROM contact_consent) + (SELECT count(*) FROM privacy_notices_sent)",
            [],
            |r| r.get::<_, i64>(0),
        )?)
    })?;
    assert_eq!(left, 0);
    Ok(())
}
