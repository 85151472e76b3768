//! An agent writes first to a WhatsApp number: the numbers and templates offered (not a
//! disabled or sample account), the number checked as E.164 at its field, a wrong count of
//! template values refused before anything is made, a customer who opted out refused, the
//! conversation made, given to the agent and holding the queued template, the same
//! customer's open conversation reused the next time, and the start audited without the
//! number.
//!
//! Real parts: SQLCipher. The template's request to the (fake) Graph API is checked in
//! `tests/tests/channels_outbox.rs`.

mod common;

use appcare_core::channel::start::NewConversation;
use appcare_core::channel::template::TemplateView;
use appcare_core::ids::ChannelAccountId;
use appcare_core::CoreError;
use common::*;

fn number_with_template(t: &Team) -> ChannelAccountId {
    let account: appcare_core::channel::NewChannelAccount =
        serde_json::from_value(serde_json::json!({
            "kind": "whatsapp", "name": "Sales line", "external_id": "209876543210987",
            "business_account_id": "102290129340398", "access_token": "EAAG-sales-token-0123",
            "app_secret": "app-secret-0123456789", "verify_token": "verify-me",
            "default_team": t.support, "human_agent": false, "poll": false,
            "graph_base_url": null, "api_version": null
        }))
        .expect("account");
    let id = t
        .ctx
        .ws
        .add_channel_account(&t.admin, &account, t.ctx.now)
        .expect("connected")
        .id;
    t.ctx
        .ws
        .delivery()
        .set_templates(
            id,
            &[TemplateView {
                name: "order_update".into(),
                language: "en_US".into(),
                category: "UTILITY".into(),
                body: "Hello {{1}}, your order {{2}} has shipped.".into(),
                parameters: 2,
                header: None,
                buttons: vec![],
            }],
        )
        .expect("templates");
    id
}

fn start(account: ChannelAccountId, phone: &str, parameters: &[&str]) -> NewConversation {
    NewConversation {
        account,
        phone: phone.into(),
        name: "Ana Lima".into(),
        template: "order_update".into(),
        language: "en_US".into(),
        parameters: parameters.iter().map(|p| p.to_string()).collect(),
        extras: Default::default(),
    }
}

#[test]
fn an_agent_writes_first_with_a_template_and_the_conversation_is_theirs() -> TestResult {
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = number_with_template(&t);
    let (alex_id, alex) = &t.alex;
    let offered = ws.start_options(alex, now)?;
    assert_eq!(
        offered.len(),
        1,
        "only the connected number, not the sample one"
    );
    assert_eq!(offered[0].id, account);
    assert_eq!(offered[0].templates.len(), 1);

    let conversation = ws.start_conversation(
        alex,
        &start(account, "+55 11 98765-4321", &["Ana", "A-42"]),
        now,
    )?;
    let view = ws.open_conversation(alex, conversation, None, now)?;
    assert_eq!(view.summary.assignee_id, Some(*alex_id));
    assert_eq!(view.summary.team_id, Some(t.support));
    assert_eq!(view.summary.contact_name, "Ana Lima");
    assert_eq!(view.messages.len(), 1);
    assert_eq!(
        view.messages[0].body,
        "Hello Ana, your order A-42 has shipped."
    );
    assert_eq!(view.messages[0].status, "queued");
    let found = ws.find_contacts(&t.admin, "5511987654321", now)?;
    assert_eq!(found.len(), 1, "the number is the customer's WhatsApp id");

    // Again for the same customer: their open conversation, not a second one.
    let again = ws.start_conversation(
        alex,
        &start(account, "+5511987654321", &["Ana", "A-43"]),
        now,
    )?;
    assert_eq!(again, conversation);
    assert_eq!(
        ws.open_conversation(alex, conversation, None, now)?
            .messages
            .len(),
        2
    );
    let detail: String = ws.store().read(|c| {
        Ok(c.query_row(
            "SELECT group_concat(detail) FROM audit_events WHERE kind = 'conversation_started'",
            [],
            |r| r.get(0),
        )?)
    })?;
    assert!(
        detail.contains("order_update") && !detail.contains("98765"),
        "{detail}"
    );
    Ok(())
}

#[test]
fn a_wrong_number_wrong_values_an_opted_out_customer_or_a_disabled_number_are_refused() -> TestResult
{
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = number_with_template(&t);
    let (_, alex) = &t.alex;
    let conversations = |ws: &appcare_core::Workspace| -> i64 {
        ws.store()
            .read(|c| Ok(c.query_row("SELECT count(*) FROM conversations", [], |r| r.get(0))?))
            .unwrap_or(-1)
    };
    let before = conversations(ws);
    assert!(matches!(
        ws.start_conversation(alex, &start(account, "0151 2345678", &["Ana", "A-1"]), now),
        Err(CoreError::InvalidInput { field: "phone", .. })
    ));
    assert!(matches!(
        ws.start_conversation(alex, &start(account, "+4915123456789", &["Ana"]), now),
        Err(CoreError::InvalidInput {
            field: "template",
            ..
        })
    ));
    assert!(matches!(
        ws.start_conversation(
            alex,
            &start(t.support_account, "+4915123456789", &["Ana", "A-1"]),
            now
        ),
        Err(CoreError::InvalidInput { .. })
    ));
    assert_eq!(
        conversations(ws),
        before,
        "nothing made for a refused start"
    );

    // A customer who wrote STOP is never written to first.
    customer_writes(ws, account, "4915199999999", "wamid.stop", "STOP", now);
    assert!(matches!(
        ws.start_conversation(
            alex,
            &start(account, "+49 151 99999999", &["Ana", "A-1"]),
            now
        ),
        Err(CoreError::Conflict(_))
    ));

    ws.set_channel_enabled(&t.admin, account, false, now)?;
    assert!(ws.start_options(alex, now)?.is_empty());
    assert!(matches!(
        ws.start_conversation(
            alex,
            &start(account, "+4915123456789", &["Ana", "A-1"]),
            now
        ),
        Err(CoreError::Conflict(_))
    ));
    Ok(())
}

#[test]
fn a_template_keeps_its_title_and_buttons_and_takes_their_values_when_writing_first() -> TestResult
{
    let t = team();
    let ws = &t.ctx.ws;
    let now = t.ctx.now;
    let account = number_with_template(&t);
    let titled: TemplateView = serde_json::from_value(serde_json::json!({
        "name": "order_titled", "language": "en_US", "category": "UTILITY",
        "body": "Order {{1}} has shipped.", "parameters": 1,
        "header": {"format": "text", "text": "Hi {{1}}", "parameters": 1},
        "buttons": [{"kind": "url", "text": "Track", "url": "https://shop.example/t/{{1}}", "parameters": 1}]
    }))?;
    ws.delivery()
        .set_templates(account, std::slice::from_ref(&titled))?;
    let (_, alex) = &t.alex;
    let offered = ws.start_options(alex, now)?;
    assert_eq!(
        offered[0].templates,
        [titled],
        "header and buttons survive storing"
    );

    let mut new = start(account, "+55 11 98765-4321", &["A-42"]);
    new.template = "order_titled".into();
    let refused = ws.start_conversation(alex, &new, now).err();
    assert!(
        matches!(
            refused,
            Some(CoreError::InvalidInput {
                field: "header",
                ..
            })
        ),
        "the title's value is missing: {refused:?}"
    );
    assert!(
        ws.find_contacts(&t.admin, "5511987654321", now)?.is_empty(),
        "nothing made for a refused start"
    );
    new.extras =
        serde_json::from_value(serde_json::json!({"header": ["Ana"], "buttons": ["A42"]}))?;
    let conversation = ws.start_conversation(alex, &new, now)?;
    let view = ws.open_conversation(alex, conversation, None, now)?;
    assert_eq!(
        view.messages[0].body,
        "Hi Ana\n\nOrder A-42 has shipped.\n\n[Track: https://shop.example/t/A42]"
    );
    Ok(())
}
