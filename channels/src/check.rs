//! "Test connection": tries a channel account's provider step by step and says what
//! works. WhatsApp: the token on the phone number, template access and the business
//! account's webhook subscription (Graph API `/{phone-number-id}`,
//! `/{waba-id}/message_templates`, `/{waba-id}/subscribed_apps`). Messenger: the token
//! on the page, the page's webhook subscription (`/{page-id}/subscribed_apps`) and, when
//! polling, the Conversations API. E-mail: IMAP sign-in, the synced and Sent folders,
//! SMTP sign-in. Nothing is sent to a customer; a detail never holds a secret.

use crate::email::MailError;
use crate::graph::{Graph, GraphError};
use appcare_core::channel::check::CheckStep;
use appcare_core::channel::email::EmailEndpoint;
use appcare_core::channel::{Channel, ChannelEndpoint};
use appcare_core::ids::ChannelAccountId;
use appcare_core::privacy::egress::EgressPolicy;
use appcare_core::{Timestamp, Workspace};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

const NOT_TRIED: &str = "not tried: the access token does not work";

/// What a failed Graph call means for the admin.
fn meaning(e: &GraphError) -> String {
    match e.code() {
        Some(190) => format!(
            "Meta refused the access token (code 190): it expired or was revoked. Paste a new one with Secrets. {}",
            e.explanation()
        ),
        Some(code) if code == 10 || (200..300).contains(&code) => format!(
            "The token lacks a permission for this (Meta code {code}). {}",
            e.explanation()
        ),
        _ => e.explanation(),
    }
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The steps for a WhatsApp number or a Messenger page.
pub async fn meta(graph: &Graph, endpoint: &ChannelEndpoint) -> Vec<CheckStep> {
    match endpoint.channel {
        Channel::WhatsApp => whatsapp(graph, endpoint).await,
        _ => messenger(graph, endpoint).await,
    }
}

async fn whatsapp(graph: &Graph, endpoint: &ChannelEndpoint) -> Vec<CheckStep> {
    let mut steps = Vec::new();
    let number = graph
        .get_json(
            &endpoint.external_id,
            &[(
                "fields",
                "display_phone_number,verified_name,quality_rating",
            )],
        )
        .await;
    let token_ok = match &number {
        Ok(v) => {
            steps.push(CheckStep::ok(
                "Access token",
                format!(
                    "Meta accepted the token for {} ({}), quality rating {}",
                    text(v, "display_phone_number"),
                    text(v, "verified_name"),
                    match text(v, "quality_rating") {
                        "" => "unknown",
                        q => q,
                    }
                ),
            ));
            true
        }
        Err(e) => {
            steps.push(CheckStep::failed("Access token", meaning(e)));
            false
        }
    };
    let Some(waba) = endpoint.config.business_account_id.as_deref() else {
        let why = "no WhatsApp business account id is set for this number";
        steps.push(CheckStep::skipped("Templates", why));
        steps.push(CheckStep::skipped("Webhook subscription", why));
        return steps;
    };
    if !token_ok {
        steps.push(CheckStep::skipped("Templates", NOT_TRIED));
        steps.push(CheckStep::skipped("Webhook subscription", NOT_TRIED));
        return steps;
    }
    let templates = graph
        .get_json(
            &format!("{waba}/message_templates"),
            &[("fields", "name"), ("limit", "1")],
        )
        .await;
    steps.push(match templates {
        Ok(_) => CheckStep::ok(
            "Templates",
            "the token may read the business account's templates",
        ),
        Err(e) => CheckStep::failed("Templates", meaning(&e)),
    });
    let apps = graph
        .get_json(&format!("{waba}/subscribed_apps"), &[])
        .await;
    steps.push(match apps {
        Ok(v) => {
            let names: Vec<String> = list(&v)
                .iter()
                .map(|app| {
                    app.pointer("/whatsapp_business_api_data/name")
                        .and_then(Value::as_str)
                        .unwrap_or("an app")
                        .to_string()
                })
                .collect();
            if names.is_empty() {
                CheckStep::failed(
                    "Webhook subscription",
                    "no app is subscribed to this business account's webhooks, so customers' messages will not arrive; subscribe your app to it at Meta (POST /{waba-id}/subscribed_apps)",
                )
            } else {
                CheckStep::ok(
                    "Webhook subscription",
                    format!("webhooks go to {}", names.join(", ")),
                )
            }
        }
        Err(e) => CheckStep::failed("Webhook subscription", meaning(&e)),
    });
    steps
}

fn list(value: &Value) -> Vec<Value> {
    value
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

async fn messenger(graph: &Graph, endpoint: &ChannelEndpoint) -> Vec<CheckStep> {
    let mut steps = Vec::new();
    let page = &endpoint.external_id;
    match graph.get_json(page, &[("fields", "id,name")]).await {
        Ok(v) => steps.push(CheckStep::ok(
            "Access token",
            format!("Meta accepted the token for the page {}", text(&v, "name")),
        )),
        Err(e) => {
            steps.push(CheckStep::failed("Access token", meaning(&e)));
            steps.push(CheckStep::skipped("Webhook subscription", NOT_TRIED));
            return steps;
        }
    }
    if endpoint.config.poll {
        steps.push(CheckStep::skipped(
            "Webhook subscription",
            "not needed: this page is polled",
        ));
        let polled = graph
            .get_json(
                &format!("{page}/conversations"),
                &[("platform", "messenger"), ("limit", "1")],
            )
            .await;
        steps.push(match polled {
            Ok(_) => CheckStep::ok("Conversations API", "the page's conversations can be read"),
            Err(e) => CheckStep::failed("Conversations API", meaning(&e)),
        });
        return steps;
    }
    let apps = graph
        .get_json(&format!("{page}/subscribed_apps"), &[])
        .await;
    steps.push(match apps {
        Ok(v) => {
            let receiving: Vec<String> = list(&v)
                .iter()
                .filter(|app| {
                    app.get("subscribed_fields")
                        .and_then(Value::as_array)
                        .is_some_and(|f| f.iter().any(|x| x.as_str() == Some("messages")))
                })
                .map(|app| text(app, "name").to_string())
                .collect();
            if receiving.is_empty() {
                CheckStep::failed(
                    "Webhook subscription",
                    "no app receives this page's messages webhooks, so customers' messages will not arrive; subscribe your app to the page with the messages field (POST /{page-id}/subscribed_apps)",
                )
            } else {
                CheckStep::ok(
                    "Webhook subscription",
                    format!("messages webhooks go to {}", receiving.join(", ")),
                )
            }
        }
        Err(e) => CheckStep::failed("Webhook subscription", meaning(&e)),
    });
    steps
}

/// The steps for a mailbox.
pub async fn mail(
    endpoint: &EmailEndpoint,
    policy: &EgressPolicy,
    timeout: Duration,
) -> Vec<CheckStep> {
    let mut steps = Vec::new();
    let imap = &endpoint.config.imap;
    let smtp = &endpoint.config.smtp;
    match crate::email::imap::connect(endpoint, policy, timeout).await {
        Ok((mut session, _)) => {
            steps.push(CheckStep::ok(
                "IMAP sign-in",
                format!("signed in to {}:{}", imap.host, imap.port),
            ));
            for (name, folder) in [
                ("Synced folder", &endpoint.config.folder),
                ("Sent folder", &endpoint.config.sent_folder),
            ] {
                let opened = crate::email::imap::within(timeout, "EXAMINE", async {
                    crate::email::imap::examine(&mut session, folder).await
                })
                .await;
                steps.push(match opened {
                    Ok(_) => CheckStep::ok(name, format!("{folder} opens")),
                    Err(MailError { message, .. }) => CheckStep::failed(name, message),
                });
            }
            let _ = tokio::time::timeout(timeout, session.logout()).await;
        }
        Err(e) => {
            steps.push(CheckStep::failed("IMAP sign-in", e.message));
            let why = "not tried: IMAP sign-in failed";
            steps.push(CheckStep::skipped("Synced folder", why));
            steps.push(CheckStep::skipped("Sent folder", why));
        }
    }
    steps.push(
        match crate::email::smtp::check(endpoint, policy, timeout).await {
            Ok(()) => CheckStep::ok(
                "SMTP sign-in",
                format!("signed in to {}:{}", smtp.host, smtp.port),
            ),
            Err(e) => CheckStep::failed("SMTP sign-in", e),
        },
    );
    steps
}

/// The server's size limit as a step of the report: what one reply may carry.
fn size_step(size: &Result<Option<i64>, String>) -> CheckStep {
    let name = "Largest mail";
    let files = |limit: Option<i64>| {
        let allowed = appcare_core::channel::mail::files_allowed(limit);
        format!("{:.1} MB", allowed as f64 / (1024.0 * 1024.0))
    };
    match size {
        Ok(Some(limit)) if *limit > 0 => CheckStep::ok(
            name,
            format!(
                "the server takes mails up to {:.1} MB: replies carry up to {} of files",
                *limit as f64 / (1024.0 * 1024.0),
                files(Some(*limit))
            ),
        ),
        Ok(_) => CheckStep::ok(
            name,
            format!(
                "the server names no limit: replies carry up to {} of files",
                files(None)
            ),
        ),
        Err(e) => CheckStep::failed(name, e.clone()),
    }
}

/// Tests `account` (disabled or not) and stores the report; returns its steps.
pub async fn run(
    ws: Arc<Workspace>,
    http: &reqwest::Client,
    account: ChannelAccountId,
    timeout: Duration,
) -> Result<Vec<CheckStep>, appcare_core::CoreError> {
    let found = {
        let ws = ws.clone();
        tokio::task::spawn_blocking(move || {
            let policy = ws.delivery().egress_policy()?;
            let meta = ws
                .delivery()
                .endpoints()?
                .into_iter()
                .find(|e| e.id == account);
            let mail = ws.delivery().email_endpoint(account)?;
            Ok::<_, appcare_core::CoreError>((policy, meta, mail))
        })
        .await
        .map_err(|_| appcare_core::CoreError::Storage("the account could not be read".into()))??
    };
    let steps = match found {
        (policy, Some(endpoint), _) => meta(&Graph::new(http, &endpoint, &policy), &endpoint).await,
        (policy, None, Some(endpoint)) => {
            let mut steps = mail(&endpoint, &policy, timeout).await;
            let size = crate::email::smtp::size_limit(&endpoint, &policy, timeout).await;
            steps.push(size_step(&size));
            if let Ok(size) = size {
                let ws = ws.clone();
                tokio::task::spawn_blocking(move || {
                    ws.delivery().record_mail_size_limit(account, size)
                })
                .await
                .map_err(|_| {
                    appcare_core::CoreError::Storage("the size limit could not be stored".into())
                })??;
            }
            steps
        }
        (_, None, None) => vec![CheckStep::failed(
            "Account",
            "the account is not connected (it has no secrets)",
        )],
    };
    let stored = steps.clone();
    tokio::task::spawn_blocking(move || {
        ws.delivery()
            .record_check(account, &stored, Timestamp::now())
    })
    .await
    .map_err(|_| appcare_core::CoreError::Storage("the report could not be stored".into()))??;
    tracing::info!(
        account = account.get(),
        failed = steps
            .iter()
            .filter(|s| s.outcome == appcare_core::channel::check::CheckOutcome::Failed)
            .count(),
        "channel connection tested"
    );
    Ok(steps)
}
