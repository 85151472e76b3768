//! SMTP replies (lettre over rustls): from the support address, with our Message-ID,
//! In-Reply-To the customer's last mail and a bounded References list, and a reply-to
//! address carrying the conversation's token. After the server accepts it, a copy goes
//! to the Sent folder over IMAP.

use super::MailError;
use appcare_core::channel::email::{EmailEndpoint, MailSecurity};
use appcare_core::channel::mail::ReplyHeaders;
use appcare_core::channel::{OutboundJob, SendPayload};
use appcare_core::privacy::egress::EgressPolicy;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How a send ended, for the outbox.
#[derive(Debug)]
pub enum SendError {
    /// Worth another try later (server down, 4xx, timeout).
    Retry(String),
    /// Refused for good (5xx); shown to the agent.
    Final(String),
    /// The connection broke after the session began: the server may have taken the
    /// message. Never sent again without an agent.
    Unconfirmed(String),
}

fn mailbox(name: &str, address: &str, field: &str) -> Result<Mailbox, SendError> {
    let address = address
        .parse()
        .map_err(|_| SendError::Final(format!("the {field} address is not valid")))?;
    Ok(Mailbox::new(
        (!name.trim().is_empty()).then(|| name.trim().to_string()),
        address,
    ))
}

/// The reply as RFC 5322 bytes' builder input.
pub fn build_message(
    headers: &ReplyHeaders,
    to: &str,
    payload: &SendPayload,
    date: std::time::SystemTime,
) -> Result<Message, SendError> {
    let mut builder = Message::builder()
        .from(mailbox(
            &headers.from_name,
            &headers.from_address,
            "support",
        )?)
        .reply_to(mailbox("", &headers.reply_to, "reply-to")?)
        .to(mailbox("", to, "customer's")?)
        .subject(headers.subject.clone())
        .message_id(Some(format!("<{}>", headers.message_id)))
        .date(date);
    // Copies: Cc in the headers; Bcc only in the envelope (lettre drops its header).
    for address in headers.cc.iter().filter(|a| a.as_str() != to) {
        builder = builder.cc(mailbox("", address, "Cc")?);
    }
    for address in headers.bcc.iter().filter(|a| a.as_str() != to) {
        builder = builder.bcc(mailbox("", address, "Bcc")?);
    }
    if let Some(parent) = &headers.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !headers.references.is_empty() {
        let refs: Vec<String> = headers
            .references
            .iter()
            .map(|r| format!("<{r}>"))
            .collect();
        builder = builder.references(refs.join(" "));
    }
    let built = match payload {
        // A question with choices is written as text: its body names them.
        SendPayload::Text { body } | SendPayload::Choices { body, .. } => builder.singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(body.clone()),
        ),
        SendPayload::Media { caption, file } => {
            let content_type = ContentType::parse(&file.mime_type).unwrap_or(
                ContentType::parse("application/octet-stream")
                    .map_err(|_| SendError::Final("the attachment's type is not valid".into()))?,
            );
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(caption.clone()),
                    )
                    .singlepart(
                        Attachment::new(file.file_name.clone())
                            .body(file.data.clone(), content_type),
                    ),
            )
        }
        SendPayload::Mail { body, files, html } => {
            let text = SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(body.clone());
            // A formatted reply: its HTML once more through the inbound mail's sanitiser.
            let alternative = html.as_deref().map(|html| {
                MultiPart::alternative()
                    .singlepart(text.clone())
                    .singlepart(SinglePart::html(super::parse::sanitize_html(html)))
            });
            match (alternative, files.is_empty()) {
                (None, true) => builder.singlepart(text),
                (Some(alternative), true) => builder.multipart(alternative),
                (alternative, false) => {
                    let mut parts = match alternative {
                        Some(alternative) => MultiPart::mixed().multipart(alternative),
                        None => MultiPart::mixed().singlepart(text),
                    };
                    for file in files {
                        let content_type = ContentType::parse(&file.mime_type).unwrap_or(
                            ContentType::parse("application/octet-stream").map_err(|_| {
                                SendError::Final("a file's type is not valid".into())
                            })?,
                        );
                        parts = parts.singlepart(
                            Attachment::new(file.file_name.clone())
                                .body(file.data.clone(), content_type),
                        );
                    }
                    builder.multipart(parts)
                }
            }
        }
        SendPayload::Template { .. } | SendPayload::Card(_) => return Err(SendError::Final(
            "templates, places and contact cards are for WhatsApp; write an e-mail reply instead"
                .into(),
        )),
    };
    built.map_err(|_| SendError::Final("the reply could not be put into an e-mail".into()))
}

/// TLS for the account's SMTP server (its own certificate authority when it has one).
fn tls_parameters(endpoint: &EmailEndpoint) -> Result<TlsParameters, SendError> {
    let server = &endpoint.config.smtp;
    let mut tls = TlsParameters::builder(server.host.clone());
    if let Some(pem) = &endpoint.config.ca_pem {
        let cert = Certificate::from_pem(pem.as_bytes())
            .map_err(|_| SendError::Final("the account's certificate is not valid PEM".into()))?;
        tls = tls.add_root_certificate(cert);
    }
    tls.build_rustls()
        .map_err(|_| SendError::Final("TLS for the SMTP server could not be set up".into()))
}

fn transport(
    endpoint: &EmailEndpoint,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
    let server = &endpoint.config.smtp;
    let tls = tls_parameters(endpoint)?;
    let mode = match server.security {
        MailSecurity::Tls => Tls::Wrapper(tls),
        MailSecurity::Starttls => Tls::Required(tls),
    };
    Ok(
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.clone())
            .port(server.port)
            .tls(mode)
            .credentials(Credentials::new(
                endpoint.config.username.clone(),
                endpoint.password.expose().to_string(),
            ))
            .timeout(Some(timeout))
            .build(),
    )
}

/// The server's words for a refusal, without the password or the body.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = error.status() {
        let text = error.to_string();
        return format!("the mail server answered {code}: {text}");
    }
    if error.is_timeout() {
        return "the mail server did not answer in time".into();
    }
    if error.is_tls() {
        return "the mail server's certificate was not accepted".into();
    }
    format!("cannot reach the mail server ({error})")
}

/// 5xx is final; 4xx and failures to connect (nothing was sent) are retried; a network
/// error or timeout once the session is up may have come after the message was taken,
/// so it is unconfirmed, never retried on its own.
fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let text = describe(error);
    if error.is_permanent() {
        SendError::Final(text)
    } else if error.is_transient()
        || error.is_tls()
        || error.to_string().starts_with("Connection error")
    {
        SendError::Retry(text)
    } else {
        SendError::Unconfirmed(text)
    }
}

/// Sends one outbox job; returns the raw message (for the Sent copy).
pub async fn send(
    endpoint: &EmailEndpoint,
    policy: &EgressPolicy,
    job: &OutboundJob,
    timeout: Duration,
) -> Result<Vec<u8>, SendError> {
    let headers = job
        .email
        .as_ref()
        .ok_or_else(|| SendError::Final("the reply has no e-mail headers".into()))?;
    let host = &endpoint.config.smtp.host;
    if !policy.allows_host(host) {
        return Err(SendError::Retry(MailError::refused(host).message));
    }
    let message = build_message(headers, &job.to, &job.payload, std::time::SystemTime::now())?;
    let raw = message.formatted();
    let transport = transport(endpoint, timeout)?;
    match transport.send(message).await {
        Ok(_) => Ok(raw),
        Err(e) => Err(classify(&e)),
    }
}

/// Connects to the SMTP server and signs in, sending nothing ("Test connection").
pub async fn check(
    endpoint: &EmailEndpoint,
    policy: &EgressPolicy,
    timeout: Duration,
) -> Result<(), String> {
    let host = &endpoint.config.smtp.host;
    if !policy.allows_host(host) {
        return Err(MailError::refused(host).message);
    }
    let transport = transport(endpoint, timeout).map_err(|e| match e {
        SendError::Retry(t) | SendError::Final(t) | SendError::Unconfirmed(t) => t,
    })?;
    match transport.test_connection().await {
        Ok(true) => Ok(()),
        Ok(false) => Err("the mail server did not answer NOOP after signing in".into()),
        Err(e) => Err(describe(&e)),
    }
}

/// The `SIZE` line of an EHLO answer (RFC 1870): the largest mail in bytes, 0 when the
/// server names no limit; `None` when it does not offer the extension.
pub fn size_in_ehlo<'a>(lines: impl IntoIterator<Item = &'a str>) -> Option<i64> {
    lines.into_iter().find_map(|line| {
        let mut words = line.split_whitespace();
        if !words.next()?.eq_ignore_ascii_case("SIZE") {
            return None;
        }
        Some(words.next().and_then(|n| n.parse().ok()).unwrap_or(0))
    })
}

/// Asks the SMTP server how large a mail it takes (its EHLO answer, over TLS as the
/// account is set up; no sign-in needed): see [`size_in_ehlo`].
pub async fn size_limit(
    endpoint: &EmailEndpoint,
    policy: &EgressPolicy,
    timeout: Duration,
) -> Result<Option<i64>, String> {
    use lettre::transport::smtp::client::AsyncSmtpConnection;
    use lettre::transport::smtp::commands::Ehlo;
    use lettre::transport::smtp::extension::ClientId;
    let server = &endpoint.config.smtp;
    if !policy.allows_host(&server.host) {
        return Err(MailError::refused(&server.host).message);
    }
    let tls = tls_parameters(endpoint).map_err(|e| match e {
        SendError::Retry(t) | SendError::Final(t) | SendError::Unconfirmed(t) => t,
    })?;
    let hello = ClientId::default();
    let wrapped = matches!(server.security, MailSecurity::Tls).then(|| tls.clone());
    let probe = async {
        let mut conn = AsyncSmtpConnection::connect_tokio1(
            (server.host.as_str(), server.port),
            Some(timeout),
            &hello,
            wrapped,
            None,
        )
        .await?;
        if matches!(server.security, MailSecurity::Starttls) {
            conn.starttls(tls, &hello).await?;
        }
        let answer = conn.command(Ehlo::new(hello.clone())).await?;
        let _ = conn.quit().await;
        Ok::<_, lettre::transport::smtp::Error>(size_in_ehlo(answer.message()))
    };
    match tokio::time::timeout(timeout, probe).await {
        Ok(Ok(size)) => Ok(size),
        Ok(Err(e)) => Err(describe(&e)),
        Err(_) => Err("the mail server did not answer in time".into()),
    }
}

/// Appends a sent reply to the Sent folder, marked read.
pub async fn copy_to_sent(
    endpoint: &EmailEndpoint,
    policy: &EgressPolicy,
    raw: &[u8],
    timeout: Duration,
) -> Result<(), MailError> {
    let (mut session, _) = super::imap::connect(endpoint, policy, timeout).await?;
    let folder = &endpoint.config.sent_folder;
    let appended = super::imap::within(timeout, "APPEND", async {
        session
            .append(folder, Some("(\\Seen)"), None, raw)
            .await
            .map_err(|e| MailError::protocol("APPEND", &e))
    })
    .await;
    let _ = tokio::time::timeout(timeout, session.logout()).await;
    appended
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(references: Vec<String>) -> ReplyHeaders {
        ReplyHeaders {
            from_address: "help@example.com".into(),
            from_name: "Example Support".into(),
            reply_to: "help+tok123@example.com".into(),
            subject: "Re: Order 42".into(),
            message_id: "appcare.9.abc@example.com".into(),
            in_reply_to: references.last().cloned(),
            cc: vec!["boss@customer.test".into()],
            bcc: vec!["audit@customer.test".into()],
            references,
        }
    }

    /// Pins how lettre words a failure to connect (its error kind is private): that is
    /// what lets a send to a server that is down be retried, not left unconfirmed.
    #[tokio::test]
    async fn a_server_that_cannot_be_reached_is_retried_not_unconfirmed() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(1);
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(closed)
            .tls(Tls::None)
            .timeout(Some(Duration::from_secs(2)))
            .build();
        let message = build_message(
            &headers(vec![]),
            "ana@customer.test",
            &SendPayload::Text { body: "Hi".into() },
            std::time::SystemTime::UNIX_EPOCH,
        )
        .expect("built");
        let error = transport
            .send(message)
            .await
            .expect_err("nothing listens there");
        assert!(matches!(classify(&error), SendError::Retry(_)), "{error}");
    }

    #[test]
    fn the_size_limit_is_read_from_the_ehlo_answer() {
        let postfix = [
            "mail.example.com",
            "PIPELINING",
            "SIZE 10240000",
            "ETRN",
            "STARTTLS",
        ];
        assert_eq!(size_in_ehlo(postfix), Some(10_240_000));
        assert_eq!(size_in_ehlo(["mx", "size"]), Some(0), "no limit named");
        assert_eq!(size_in_ehlo(["mx", "PIPELINING", "8BITMIME"]), None);
        assert_eq!(size_in_ehlo(["mx", "SIZEX 5"]), None);
    }

    #[test]
    fn a_forward_carries_every_file() {
        let file = |name: &str, data: &[u8]| appcare_core::channel::OutboundFile {
            file_name: name.into(),
            mime_type: "application/pdf".into(),
            data: data.to_vec(),
        };
        let payload = SendPayload::Mail {
            body: "See below.".into(),
            files: vec![
                file("invoice.pdf", b"%PDF-1"),
                file("receipt.pdf", b"%PDF-2"),
            ],
            html: None,
        };
        let message = build_message(
            &headers(vec![]),
            "billing@partner.test",
            &payload,
            std::time::SystemTime::UNIX_EPOCH,
        )
        .expect("built");
        let raw = String::from_utf8(message.formatted()).expect("utf8");
        assert!(raw.contains("multipart/mixed"), "{raw}");
        assert!(
            raw.contains("invoice.pdf") && raw.contains("receipt.pdf"),
            "{raw}"
        );
        assert!(raw.contains("See below."), "{raw}");
    }

    #[test]
    fn a_formatted_reply_is_plain_and_html_alternatives_the_sanitiser_leaves_as_they_are() {
        use appcare_core::channel::mail_format::{render, QuotedMail};
        let quote = QuotedMail::new(
            "Ana <ana@customer.test>",
            appcare_core::time::Timestamp::from_unix(1_796_000_000),
            "Where is <my> order & when?\n\n> older quote",
        );
        let formatted = render(
            "Hello **Ana** & *co*,\n[track it](https://track.example/?a=1&b=\"2\")\n\n- one\n- two\n\n7. seven\n\n> yours\n\n<b>not bold</b> \u{a0}[mail](mailto:help@example.com)",
            Some("Sam <support>\nTeam & co"),
            Some(&quote),
        );
        assert_eq!(
            crate::email::parse::sanitize_html(&formatted.html),
            formatted.html,
            "the sanitiser would change what we send"
        );
        let payload = SendPayload::Mail {
            body: formatted.plain.clone(),
            files: vec![appcare_core::channel::OutboundFile {
                file_name: "a.pdf".into(),
                mime_type: "application/pdf".into(),
                data: b"%PDF".to_vec(),
            }],
            html: Some(formatted.html.clone()),
        };
        let message = build_message(
            &headers(vec![]),
            "ana@customer.test",
            &payload,
            std::time::SystemTime::UNIX_EPOCH,
        )
        .expect("built");
        let raw = String::from_utf8(message.formatted()).expect("utf8");
        let alternative = raw.find("multipart/alternative").expect("alternative part");
        assert!(
            raw.find("multipart/mixed").expect("mixed") < alternative,
            "{raw}"
        );
        assert!(
            raw.contains("text/plain") && raw.contains("text/html"),
            "{raw}"
        );
        assert!(raw.contains("a.pdf"), "{raw}");
    }

    #[test]
    fn a_reply_carries_the_threading_headers() {
        let payload = SendPayload::Text {
            body: "Thanks, it ships today.".into(),
        };
        let message = build_message(
            &headers(vec!["c1@customer.test".into(), "c2@customer.test".into()]),
            "ana@customer.test",
            &payload,
            std::time::SystemTime::UNIX_EPOCH,
        )
        .expect("built");
        let raw = String::from_utf8(message.formatted()).expect("utf8");
        assert!(
            raw.contains("Message-ID: <appcare.9.abc@example.com>"),
            "{raw}"
        );
        assert!(raw.contains("In-Reply-To: <c2@customer.test>"), "{raw}");
        assert!(
            raw.contains("References: <c1@customer.test> <c2@customer.test>"),
            "{raw}"
        );
        assert!(raw.contains("Reply-To: help+tok123@example.com"), "{raw}");
        assert!(raw.contains("Subject: Re: Order 42"), "{raw}");
        assert!(
            raw.contains("From: \"Example Support\" <help@example.com>"),
            "{raw}"
        );
        // Copied in: Cc seen by all, Bcc in the envelope only.
        assert!(raw.contains("Cc: boss@customer.test"), "{raw}");
        assert!(!raw.contains("audit@customer.test"), "{raw}");
        let to: Vec<String> = message
            .envelope()
            .to()
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            to,
            [
                "ana@customer.test",
                "boss@customer.test",
                "audit@customer.test"
            ]
        );
    }

    #[test]
    fn a_first_message_has_no_in_reply_to_and_templates_are_refused() {
        let payload = SendPayload::Text { body: "Hi".into() };
        let message = build_message(
            &headers(vec![]),
            "ana@customer.test",
            &payload,
            std::time::SystemTime::UNIX_EPOCH,
        )
        .expect("built");
        let raw = String::from_utf8(message.formatted()).expect("utf8");
        assert!(
            !raw.contains("In-Reply-To") && !raw.contains("References"),
            "{raw}"
        );
        let template = SendPayload::Template {
            name: "hello".into(),
            language: "en".into(),
            parameters: vec![],
            header: vec![],
            header_file: None,
            buttons: vec![],
        };
        assert!(matches!(
            build_message(
                &headers(vec![]),
                "ana@customer.test",
                &template,
                std::time::SystemTime::UNIX_EPOCH
            ),
            Err(SendError::Final(_))
        ));
    }
}
