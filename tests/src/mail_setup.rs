//! A workspace connected to the test mailbox `support@example.test` on the real Dovecot
//! and Postfix of [`crate::mail_servers`]: an enrolled admin, a team, and the mailbox
//! (IMAP and SMTP over STARTTLS, trusting the servers' generated certificate).

use crate::mail_servers::MailServers;
use crate::TestResult;
use appcare_channels::email::sync::MailOptions;
use appcare_channels::RuntimeOptions;
use appcare_core::channel::email::EmailEndpoint;
use appcare_core::channel::NewEmailAccount;
use appcare_core::ids::{ChannelAccountId, TeamId};
use appcare_core::{SessionToken, Timestamp, Workspace};
use std::sync::Arc;
use std::time::Duration;

pub const SUPPORT: &str = "support@example.test";
pub const CUSTOMER: &str = "customer@customer.test";
pub const MAIL_PASSWORD: &str = "mail-password-123";

pub struct MailWorld {
    pub dir: tempfile::TempDir,
    pub ws: Arc<Workspace>,
    pub admin: SessionToken,
    pub team: TeamId,
    pub mailbox: ChannelAccountId,
    /// The admin's authenticator secret (for signing in through the CLI).
    pub admin_secret: Vec<u8>,
}

impl MailWorld {
    pub fn endpoint(&self) -> TestResult<EmailEndpoint> {
        Ok(self
            .ws
            .delivery()
            .email_endpoints()?
            .into_iter()
            .find(|e| e.id == self.mailbox)
            .ok_or("mailbox not connected")?)
    }
}

/// A workspace with `user`'s mailbox on `servers` connected.
pub fn mail_world(servers: &MailServers, user: &str) -> TestResult<MailWorld> {
    mail_world_at(servers, user, Timestamp::now())
}

/// [`mail_world`] set up at `now` (the admin's authenticator code of that moment is used).
pub fn mail_world_at(servers: &MailServers, user: &str, now: Timestamp) -> TestResult<MailWorld> {
    let dir = tempfile::tempdir()?;
    let (ws, admin, secret, team) = crate::channel_setup::admin_workspace(dir.path(), "DE", now)?;
    let account = NewEmailAccount {
        name: "Support mailbox".into(),
        address: user.into(),
        display_name: "Example Support".into(),
        imap_host: "127.0.0.1".into(),
        imap_port: servers.imap_port,
        imap_security: "starttls".into(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: servers.smtp_port,
        smtp_security: "starttls".into(),
        username: user.into(),
        password: MAIL_PASSWORD.into(),
        folder: String::new(),
        sent_folder: String::new(),
        ca_pem: Some(servers.ca_pem.clone()),
        default_team: Some(team),
    };
    let mailbox = ws.add_email_account(&admin, &account, now)?.id;
    Ok(MailWorld {
        dir,
        ws: Arc::new(ws),
        admin,
        team,
        mailbox,
        admin_secret: secret,
    })
}

/// Test timings for the mail sync: quick reconnects, a slow poll (so only IDLE can
/// explain a fast pickup).
pub fn mail_options() -> MailOptions {
    MailOptions {
        idle_renew: Duration::from_secs(600),
        poll_interval: Duration::from_secs(60),
        timeout: Duration::from_secs(10),
        reconnect_base: Duration::from_millis(200),
        reconnect_max: Duration::from_secs(1),
    }
}

pub fn mail_runtime_options() -> RuntimeOptions {
    RuntimeOptions {
        mail: mail_options(),
        ..crate::channel_setup::fast_options()
    }
}

/// A plain customer mail.
pub fn customer_mail(
    message_id: &str,
    subject: &str,
    body: &str,
    in_reply_to: Option<&str>,
) -> Vec<u8> {
    let mut raw = format!(
        "From: Ana Customer <{CUSTOMER}>\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\n\
         Message-ID: <{message_id}>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    );
    if let Some(parent) = in_reply_to {
        raw.push_str(&format!(
            "In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n"
        ));
    }
    raw.push_str(&format!(
        "Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ));
    raw.into_bytes()
}

/// The value of header `name` in a raw mail (unfolded), if present.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    let head = head
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .replace("\n ", " ")
        .to_string();
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}
