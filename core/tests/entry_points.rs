//! Every service entry point that takes a session refuses a missing, ended, half-signed-in,
//! locked or under-privileged session, the least role each needs being the one its line in
//! the call table (`api::CALLS`) declares. The table, with the few entry points outside the
//! contract listed here, is checked against the source, so a new entry point cannot be
//! forgotten.
//!
//! Real parts: SQLCipher.

mod common;

use appcare_core::api::CALLS;
use appcare_core::auth::Role;
use appcare_core::ids::{ChannelAccountId, ContactId, ContactMergeId, ConversationId, MessageId};
use appcare_core::ids::{TeamId, UserId};
use appcare_core::service::admin::InboxSettings;
use appcare_core::service::drafts::DraftMode;
use appcare_core::service::handoff::{TransferTarget, Versioned};
use appcare_core::service::inbox::{ConversationStatus, InboxQuery};
use appcare_core::service::notifications::NotificationSettings;
use appcare_core::service::presence::Activity;
use appcare_core::service::triage::{BulkChange, Priority};
use appcare_core::service::SessionPolicy;
use appcare_core::{CoreError, ErrorCode, Password, SessionToken, Timestamp, Workspace};
use common::*;
use std::collections::BTreeSet;

/// Entry points of `impl Workspace` outside the contract that need a full session, with
/// the least role each needs: the hub's push stream.
const SESSION_ENTRY_POINTS_OUTSIDE_THE_TABLE: &[(&str, Role)] = &[("push_viewer", Role::Agent)];

/// Entry points outside the contract that need no full session: `session_is_signed_in` says
/// only whether a token is a signed-in session and changes nothing; the rest are for the system itself
/// (channel adapters), not for a person's session; `begin_sign_in_from` is the first
/// sign-in step with the caller's address (the hub's route for `begin_sign_in`);
/// `window_may_see` answers `false` (never an error) for any session not fully signed in,
/// tested in `inbox.rs`; `readiness` and `operator_figures` are the hub operator's
/// counts and ages (no customer data), behind the hub's own metrics token, tested in
/// `tests/tests/hub_operator.rs`.
const OTHER_ENTRY_POINTS: &[&str] = &[
    "readiness",
    "operator_figures",
    "window_may_see",
    "session_is_signed_in",
    "begin_sign_in_from",
    "ingest",
    "delivery",
    "maintenance",
];

/// Every entry point that needs a full session, with the least role it needs.
fn session_entry_points() -> Vec<(&'static str, Role)> {
    CALLS
        .iter()
        .filter_map(|call| call.access.role().map(|role| (call.name, role)))
        .chain(SESSION_ENTRY_POINTS_OUTSIDE_THE_TABLE.iter().copied())
        .collect()
}

fn call(
    name: &str,
    ws: &Workspace,
    token: &SessionToken,
    target: UserId,
    now: Timestamp,
) -> Result<(), CoreError> {
    // The one conversation in the test workspace, made by the admin's setup.
    let conv = ConversationId::new(1);
    match name {
        "session_info" => ws.session_info(token, now).map(drop),
        "overview" => ws.overview(token, now).map(drop),
        "list_users" => ws.list_users(token, now).map(drop),
        "create_user" => ws
            .create_user(token, new_user("newcomer", Role::Agent), now)
            .map(drop),
        "set_role" => ws.set_role(token, target, Role::Lead, now).map(drop),
        "set_teams" => ws
            .set_teams(token, target, vec![TeamId::new(1)], now)
            .map(drop),
        "disable_user" => ws.disable_user(token, target, now).map(drop),
        "enable_user" => ws.enable_user(token, target, now).map(drop),
        "reset_authenticator" => ws
            .reset_authenticator(token, target, "123456", now)
            .map(drop),
        "require_password_change" => ws.require_password_change(token, target, now).map(drop),
        "change_password" => ws
            .change_password(
                token,
                &Password::new("an old password 1234"),
                "123456",
                &Password::new("a new password 5678"),
                now,
            )
            .map(drop),
        "list_teams" => ws.list_teams(token, now).map(drop),
        "create_team" => ws.create_team(token, "Billing", now).map(drop),
        "session_policy" => ws.session_policy(token, now).map(drop),
        "set_session_policy" => ws
            .set_session_policy(
                token,
                SessionPolicy {
                    idle_minutes: 10,
                    absolute_hours: 8,
                },
                now,
            )
            .map(drop),
        "verify_audit" => ws.verify_audit(token, now).map(drop),
        "recent_audit" => ws.recent_audit(token, None, 10, now).map(drop),
        "inbox_settings" => ws.inbox_settings(token, now).map(drop),
        "set_inbox_settings" => ws
            .set_inbox_settings(
                token,
                InboxSettings {
                    auto_assign_cap: 3,
                    return_on_away: true,
                    mask_sensitive_data: true,
                },
                now,
            )
            .map(drop),
        "list_conversations" => ws
            .list_conversations(token, &InboxQuery::default(), now)
            .map(drop),
        "search" => ws.search(token, "hello", now).map(drop),
        "open_conversation" => ws.open_conversation(token, conv, None, now).map(drop),
        "open_attachment" => ws.open_attachment(token, 1, now).map(drop),
        "reply" => ws.reply(token, conv, "hello", None, now).map(drop),
        "add_note" => ws.add_note(token, conv, "note", now).map(drop),
        "save_draft" => ws
            .save_draft(token, conv, DraftMode::Reply, "draft", now)
            .map(drop),
        "set_status" => ws
            .set_status(
                token,
                Versioned {
                    id: conv,
                    version: 0,
                },
                ConversationStatus::Resolved,
                None,
                now,
            )
            .map(drop),
        "set_labels" => ws.set_labels(token, conv, &["x".into()], now).map(drop),
        "set_priority" => ws.set_priority(
            token,
            Versioned {
                id: conv,
                version: 0,
            },
            Priority::High,
            now,
        ),
        "update_many" => ws
            .update_many(
                token,
                &[Versioned {
                    id: conv,
                    version: 0,
                }],
                &BulkChange::Priority {
                    priority: Priority::Low,
                },
                now,
            )
            .map(drop),
        "contact_panel" => ws.contact_panel(token, ContactId::new(1), now).map(drop),
        "rename_contact" => ws.rename_contact(token, ContactId::new(1), "Ana", now),
        "record_consent" => ws
            .record_consent(
                token,
                ContactId::new(1),
                "whatsapp",
                appcare_core::privacy::consent::ConsentState::Given,
                appcare_core::privacy::consent::ConsentSource::Agent,
                now,
            )
            .map(drop),
        "consent_keywords" => ws.consent_keywords(token, now).map(drop),
        "thread_control" => ws.thread_control(
            token,
            conv,
            appcare_core::service::thread_control::ThreadAction::Take,
            now,
        ),
        "set_consent_keywords" => ws
            .set_consent_keywords(
                token,
                &appcare_core::privacy::consent::default_keywords(),
                now,
            )
            .map(drop),
        "set_consent_settings" => ws
            .set_consent_settings(
                token,
                ChannelAccountId::new(1),
                &appcare_core::service::consent::ConsentSettings {
                    require_opt_in: false,
                    privacy_notice: String::new(),
                },
                now,
            )
            .map(drop),
        "notification_settings" => ws.notification_settings(token, now).map(drop),
        "set_notification_settings" => ws
            .set_notification_settings(token, NotificationSettings::ALL, now)
            .map(drop),
        "notice_subject" => ws.notice_subject(token, conv, now).map(drop),
        "set_presence" => ws
            .set_presence(token, conv, Activity::Viewing, now)
            .map(drop),
        "merge_suggestions" => ws
            .merge_suggestions(token, ContactId::new(1), now)
            .map(drop),
        "merge_contacts" => ws
            .merge_contacts(token, ContactId::new(1), ContactId::new(2), now)
            .map(drop),
        "undo_contact_merge" => ws.undo_contact_merge(token, ContactMergeId::new(1), now),
        "set_do_not_contact" => ws.set_do_not_contact(token, conv, true, now),
        "list_canned_replies" => ws.list_canned_replies(token, now).map(drop),
        "create_canned_reply" => ws.create_canned_reply(token, "t", "b", now).map(drop),
        "render_canned_reply" => ws.render_canned_reply(token, conv, 1, now).map(drop),
        "transfer" => ws
            .transfer(
                token,
                Versioned {
                    id: conv,
                    version: 0,
                },
                TransferTarget::Agent(target),
                "note",
                now,
            )
            .map(drop),
        "return_to_queue" => ws
            .return_to_queue(
                token,
                Versioned {
                    id: conv,
                    version: 0,
                },
                "",
                now,
            )
            .map(drop),
        "take" => ws
            .take(
                token,
                Versioned {
                    id: conv,
                    version: 0,
                },
                now,
            )
            .map(drop),
        "reassign" => ws
            .reassign(
                token,
                &[Versioned {
                    id: conv,
                    version: 0,
                }],
                Some(target),
                "",
                now,
            )
            .map(drop),
        "team_load" => ws.team_load(token, now).map(drop),
        "whatsapp_pricing" => ws.whatsapp_pricing(token, now).map(drop),
        "set_availability" => ws.set_availability(token, true, now).map(drop),
        "create_channel_account" => ws
            .create_channel_account(token, "whatsapp", "Line", "123", None, now)
            .map(drop),
        "list_colleagues" => ws.list_colleagues(token, now).map(drop),
        "add_channel_account" => ws
            .add_channel_account(token, &new_channel_account(), now)
            .map(drop),
        "list_channels" => ws.list_channels(token, now).map(drop),
        "add_email_account" => ws
            .add_email_account(token, &new_email_account(), now)
            .map(drop),
        "set_aside_mail" => ws
            .set_aside_mail(token, ChannelAccountId::new(1), now)
            .map(drop),
        "retry_set_aside_mail" => ws
            .retry_set_aside_mail(token, ChannelAccountId::new(1), 1, now)
            .map(drop),
        "add_sample_data" => ws.add_sample_data(token, 0, now).map(drop),
        "set_aside_webhooks" => ws
            .set_aside_webhooks(token, ChannelAccountId::new(1), now)
            .map(drop),
        "email_html" => ws
            .email_html(token, appcare_core::MessageId::new(1), now)
            .map(drop),
        "push_viewer" => ws.push_viewer(token, now).map(drop),
        "refresh_channel" => ws
            .refresh_channel(token, ChannelAccountId::new(1), now)
            .map(drop),
        "rotate_channel_secrets" => ws
            .rotate_channel_secrets(
                token,
                ChannelAccountId::new(1),
                &appcare_core::channel::account::SecretRotation {
                    access_token: "EAAG-rotated-token-0123".into(),
                    app_secret: String::new(),
                    verify_token: String::new(),
                },
                now,
            )
            .map(drop),
        "test_channel" => ws
            .test_channel(token, ChannelAccountId::new(1), now)
            .map(drop),
        "set_channel_enabled" => ws
            .set_channel_enabled(token, ChannelAccountId::new(1), false, now)
            .map(drop),
        "remove_channel_account" => ws
            .remove_channel_account(token, ChannelAccountId::new(1), false, now)
            .map(drop),
        "update_channel_account" => ws
            .update_channel_account(
                token,
                ChannelAccountId::new(1),
                &appcare_core::channel::ChannelAccountChanges {
                    name: "Line".into(),
                    default_team: None,
                    read_receipts: true,
                    human_agent: false,
                    poll: false,
                },
                now,
            )
            .map(drop),
        "reply_with_attachment" => ws
            .reply_with_attachment(
                token,
                conv,
                "caption",
                &serde_json::from_value(serde_json::json!({
                    "file_name": "a.txt", "mime_type": "text/plain", "data_base64": "aGk="
                }))
                .expect("attachment"),
                None,
                now,
            )
            .map(drop),
        "list_templates" => ws.list_templates(token, conv, now).map(drop),
        "send_template" => ws
            .send_template(token, conv, "hello_world", "en_US", &[], now)
            .map(drop),
        "send_template_message" => ws
            .send_template_message(
                token,
                conv,
                &serde_json::from_value(serde_json::json!({
                    "name": "hello_world", "language": "en_US", "parameters": []
                }))
                .expect("template message"),
                now,
            )
            .map(drop),
        "send_card" => ws
            .send_card(
                token,
                conv,
                &appcare_core::channel::rich::RichContent::Location {
                    latitude: "52.52".into(),
                    longitude: "13.405".into(),
                    name: String::new(),
                    address: String::new(),
                },
                None,
                now,
            )
            .map(drop),
        "retry_message" => ws.retry_message(token, MessageId::new(1), now).map(drop),
        "react" => ws.react(token, MessageId::new(1), "👍", now).map(drop),
        "start_options" => ws.start_options(token, now).map(drop),
        "start_conversation" => ws
            .start_conversation(
                token,
                &appcare_core::channel::start::NewConversation {
                    account: ChannelAccountId::new(1),
                    phone: "+16505551234".into(),
                    name: String::new(),
                    template: "hello".into(),
                    language: "en_US".into(),
                    parameters: vec![],
                    extras: Default::default(),
                },
                now,
            )
            .map(drop),
        "reply_choices" => ws
            .reply_choices(
                token,
                conv,
                &appcare_core::channel::choices::ChoicesReply {
                    body: "Which size?".into(),
                    options: vec!["S".into(), "M".into()],
                    button: String::new(),
                },
                None,
                now,
            )
            .map(drop),
        "reply_quoting" => ws
            .reply_quoting(token, conv, MessageId::new(1), "Yes", None, now)
            .map(drop),
        "mail_reply_context" => ws.mail_reply_context(token, conv, now).map(drop),
        "reply_mail" => ws
            .reply_mail(
                token,
                conv,
                &appcare_core::service::mail_recipients::MailReply {
                    body: "Yes".into(),
                    cc: vec!["boss@customer.test".into()],
                    bcc: Vec::new(),
                    attachments: vec![],
                    formatted: false,
                    quote_history: false,
                },
                None,
                now,
            )
            .map(drop),
        "forward_mail" => ws
            .forward_mail(
                token,
                conv,
                &appcare_core::service::mail_forward::MailForward {
                    to: "billing@partner.test".into(),
                    note: "Can you check?".into(),
                    message: None,
                },
                now,
            )
            .map(drop),
        "mail_settings" => ws
            .mail_settings(token, ChannelAccountId::new(1), now)
            .map(drop),
        "update_mail_settings" => ws
            .update_mail_settings(
                token,
                ChannelAccountId::new(1),
                &appcare_core::service::mail_settings::MailSettings {
                    imap_host: "imap.example.com".into(),
                    imap_port: 993,
                    imap_security: "tls".into(),
                    smtp_host: "smtp.example.com".into(),
                    smtp_port: 465,
                    smtp_security: "tls".into(),
                    username: String::new(),
                    password: "new-mail-password".into(),
                    folder: String::new(),
                    sent_folder: String::new(),
                },
                now,
            )
            .map(drop),
        "mail_folders" => ws
            .mail_folders(token, ChannelAccountId::new(1), now)
            .map(drop),
        "set_mail_folders" => ws
            .set_mail_folders(token, ChannelAccountId::new(1), &["Archive".into()], now)
            .map(drop),
        "set_mail_signature" => ws
            .set_mail_signature(token, ChannelAccountId::new(1), "Maria, Support", now)
            .map(drop),
        "team_report" | "report_csv" => {
            let query = appcare_core::reports::ReportQuery {
                from: Timestamp::from_unix(now.unix() - 86_400),
                to: now,
                team: None,
                bucket: appcare_core::reports::ReportBucket::Day,
            };
            if name == "team_report" {
                ws.team_report(token, &query, now).map(drop)
            } else {
                ws.report_csv(token, &query, now).map(drop)
            }
        }
        "business_hours" => ws.business_hours(token, TeamId::new(1), now).map(drop),
        "sla_policy" => ws.sla_policy(token, TeamId::new(1), now).map(drop),
        "sla_overrides" => ws.sla_overrides(token, TeamId::new(1), now).map(drop),
        "set_sla_override" => ws
            .set_sla_override(
                token,
                TeamId::new(1),
                &appcare_core::reports::SlaScope::Label("vip".into()),
                Some(appcare_core::reports::SlaPolicy {
                    first_response_minutes: Some(5),
                    ..Default::default()
                }),
                now,
            )
            .map(drop),
        "set_sla_policy" => ws
            .set_sla_policy(
                token,
                TeamId::new(1),
                Some(appcare_core::reports::SlaPolicy {
                    first_response_minutes: Some(60),
                    ..Default::default()
                }),
                now,
            )
            .map(drop),
        "set_out_of_hours_reply" => ws
            .set_out_of_hours_reply(token, ChannelAccountId::new(1), "We are closed", now)
            .map(drop),
        "set_satisfaction_survey" => ws
            .set_satisfaction_survey(token, ChannelAccountId::new(1), "How did we do?", now)
            .map(drop),
        "set_business_hours" => ws
            .set_business_hours(
                token,
                TeamId::new(1),
                Some(appcare_core::reports::BusinessHours::office(
                    "Europe/Berlin",
                )),
                now,
            )
            .map(drop),
        "find_contacts" => ws.find_contacts(token, "16505551234", now).map(drop),
        "export_contact" => ws
            .export_contact(token, ContactId::new(1), true, &std::env::temp_dir(), now)
            .map(drop),
        "erase_contact" => ws.erase_contact(token, ContactId::new(1), now).map(drop),
        "egress_allowlist" => ws.egress_allowlist(token, now).map(drop),
        "set_egress_allowlist" => ws
            .set_egress_allowlist(token, &["graph.facebook.com".into()], now)
            .map(drop),
        "retention_policy" => ws.retention_policy(token, now).map(drop),
        "set_retention_policy" => ws
            .set_retention_policy(token, Default::default(), now)
            .map(drop),
        "residency_report" => ws.residency_report(token, now).map(drop),
        "search_audit" => ws.search_audit(token, &Default::default(), now).map(drop),
        "export_audit" => ws
            .export_audit(token, &Default::default(), &std::env::temp_dir(), now)
            .map(drop),
        "backup_schedule" => ws.backup_schedule(token, now).map(drop),
        "set_backup_schedule" => ws
            .set_backup_schedule(token, None, 24, 7, None, now)
            .map(drop),
        other => panic!("entry point {other} has no case in this test: add one"),
    }
}

fn new_email_account() -> appcare_core::channel::NewEmailAccount {
    serde_json::from_value(serde_json::json!({
        "name": "Mail", "address": "help@example.com", "display_name": "Help",
        "imap_host": "127.0.0.1", "imap_port": 993, "imap_security": "tls",
        "smtp_host": "127.0.0.1", "smtp_port": 465, "smtp_security": "tls",
        "username": "", "password": "mail-password-123", "folder": "", "sent_folder": "",
        "ca_pem": null, "default_team": null
    }))
    .expect("account")
}

fn new_channel_account() -> appcare_core::channel::NewChannelAccount {
    serde_json::from_value(serde_json::json!({
        "kind": "messenger", "name": "Page", "external_id": "777", "business_account_id": null,
        "access_token": "EAAG-page-token-0123", "app_secret": "app-secret-0123456789",
        "verify_token": "verify-me", "default_team": null, "human_agent": false, "poll": false,
        "graph_base_url": null, "api_version": null
    }))
    .expect("account")
}

#[test]
fn every_session_entry_point_refuses_bad_sessions() -> TestResult {
    let ctx = workspace();
    let t = ctx.now;
    let (admin, _, _) = enrol(&ctx.ws, ADMIN, ADMIN_PASSWORD, t);
    let support = ctx.ws.create_team(&admin, "Support", t)?.id;
    let account =
        ctx.ws
            .create_channel_account(&admin, "whatsapp", "Line", "1065", Some(support), t)?;
    customer_writes(&ctx.ws, account.id, "1650", "wamid.e1", "hello", t);
    let agent_user = ctx
        .ws
        .create_user(&admin, new_user("alex", Role::Agent), t)?;
    ctx.ws
        .create_user(&admin, new_user("lena", Role::Lead), t)?;
    let (agent, agent_app, _) = enrol(&ctx.ws, "alex", &password_of("alex"), t);
    let (lead, _, _) = enrol(&ctx.ws, "lena", &password_of("lena"), t);

    let missing = SessionToken::from_client("not-a-session");
    let ended = sign_in(
        &ctx.ws,
        "alex",
        &password_of("alex"),
        &agent_app,
        t.plus_seconds(30),
    );
    ctx.ws.sign_out(&ended, t.plus_seconds(30))?;
    let half = ctx
        .ws
        .begin_sign_in(
            "alex",
            &Password::new(password_of("alex")),
            t.plus_seconds(60),
        )?
        .token;
    // A locked admin session: the lock must win over the role.
    ctx.ws
        .create_user(&admin, new_user("ivan", Role::Admin), t)?;
    let (idle, _, _) = enrol(&ctx.ws, "ivan", &password_of("ivan"), t);
    ctx.ws.lock(&idle, t)?;

    for (name, required) in session_entry_points() {
        for (label, token, code) in [
            ("missing", &missing, ErrorCode::NotSignedIn),
            ("ended", &ended, ErrorCode::SessionExpired),
            ("half signed in", &half, ErrorCode::NotSignedIn),
            ("locked", &idle, ErrorCode::SessionLocked),
        ] {
            let result = call(name, &ctx.ws, token, agent_user.id, t.plus_seconds(90));
            assert_eq!(
                result.as_ref().err().map(CoreError::code),
                Some(code),
                "{name} with a {label} session: {result:?}"
            );
        }
        for (label, token, role) in [("agent", &agent, Role::Agent), ("lead", &lead, Role::Lead)] {
            if role < required {
                let result = call(name, &ctx.ws, token, agent_user.id, t.plus_seconds(90));
                assert_eq!(
                    result.as_ref().err().map(CoreError::code),
                    Some(ErrorCode::Forbidden),
                    "{name} as {label}: {result:?}"
                );
            }
        }
    }
    Ok(())
}

/// Every `pub fn` of `impl Workspace` in `core/src/service*` is a call of the table or one
/// of the entry points listed above, and every call of the table is such a `pub fn`.
#[test]
fn the_entry_point_lists_match_the_source() -> TestResult {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![dir.join("service.rs")];
    let mut dirs = vec![dir.join("service")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut found = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        let mut in_workspace_impl = false;
        for line in text.lines() {
            if line.starts_with("impl Workspace") {
                in_workspace_impl = true;
            } else if line.starts_with('}') {
                in_workspace_impl = false;
            }
            if let Some(rest) = line.trim_start().strip_prefix("pub fn ") {
                if in_workspace_impl {
                    let name = rest.split(['(', '<']).next().unwrap_or_default();
                    found.insert(name.to_string());
                }
            }
        }
    }
    let listed: BTreeSet<String> = CALLS
        .iter()
        .map(|call| call.name)
        .chain(
            SESSION_ENTRY_POINTS_OUTSIDE_THE_TABLE
                .iter()
                .map(|(name, _)| *name),
        )
        .chain(OTHER_ENTRY_POINTS.iter().copied())
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        found, listed,
        "service entry points and the call table (with the lists in this test) differ"
    );
    Ok(())
}
