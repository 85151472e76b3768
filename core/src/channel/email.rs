//! An e-mail account: the support address, its IMAP and SMTP servers, and the mailbox
//! password (a secret like the Meta tokens: redacted in `Debug`, wiped on drop, never
//! returned to a front end).

use crate::channel::ChannelSecret;
use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, TeamId};
use serde::{Deserialize, Serialize};

/// How a connection to a mail server is secured. Plain text is not offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailSecurity {
    /// TLS from the first byte (IMAP 993, SMTP 465).
    Tls,
    /// Plain greeting, then STARTTLS before anything else (IMAP 143, SMTP 587).
    Starttls,
}

impl MailSecurity {
    fn parse(text: &str, field: &'static str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "tls" | "ssl" => Ok(Self::Tls),
            "starttls" => Ok(Self::Starttls),
            _ => Err(CoreError::invalid(field, "choose TLS or STARTTLS")),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Tls => "TLS",
            Self::Starttls => "STARTTLS",
        }
    }
}

/// One server: host, port and how the connection is secured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailServer {
    pub host: String,
    pub port: u16,
    pub security: MailSecurity,
}

impl MailServer {
    pub fn describe(&self) -> String {
        format!("{}:{} ({})", self.host, self.port, self.security.label())
    }
}

/// Public settings of an e-mail account, stored as the account's config JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailConfig {
    /// The support address customers write to; replies come from it.
    pub address: String,
    pub display_name: String,
    pub imap: MailServer,
    pub smtp: MailServer,
    pub username: String,
    /// The folder synced into conversations.
    pub folder: String,
    /// Where a copy of every reply is appended.
    pub sent_folder: String,
    /// Extra trusted certificate authority (PEM) for servers with a private CA.
    #[serde(default)]
    pub ca_pem: Option<String>,
    /// Added under every reply (`{agent}` and `{team}` filled in); empty for none.
    #[serde(default)]
    pub signature: String,
    /// Folders synced besides `folder`, as the server names them (modified UTF-7).
    #[serde(default)]
    pub more_folders: Vec<String>,
}

impl EmailConfig {
    /// The settings of an account that was never connected: no address, no servers.
    pub fn unset() -> Self {
        let server = MailServer {
            host: String::new(),
            port: 0,
            security: MailSecurity::Tls,
        };
        Self {
            address: String::new(),
            display_name: String::new(),
            imap: server.clone(),
            smtp: server,
            username: String::new(),
            folder: String::new(),
            sent_folder: String::new(),
            ca_pem: None,
            signature: String::new(),
            more_folders: Vec::new(),
        }
    }

    /// Every folder synced: `folder` first (the one watched with IDLE), then the others.
    pub fn folders(&self) -> Vec<String> {
        let mut all = vec![self.folder.clone()];
        for f in &self.more_folders {
            if !all.contains(f) {
                all.push(f.clone());
            }
        }
        all
    }

    /// The domain part of the support address (Message-IDs are made in it).
    pub fn domain(&self) -> &str {
        self.address
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or_default()
    }

    /// `local+token@domain`: the reply-to address of one conversation.
    pub fn reply_to(&self, token: &str) -> String {
        match self.address.rsplit_once('@') {
            Some((local, domain)) => format!("{local}+{token}@{domain}"),
            None => self.address.clone(),
        }
    }

    /// The conversation token in `recipient` when it is our address with a `+token`.
    pub fn token_in<'a>(&self, recipient: &'a str) -> Option<&'a str> {
        let (local, domain) = self.address.rsplit_once('@')?;
        let (r_local, r_domain) = recipient.rsplit_once('@')?;
        if !r_domain.eq_ignore_ascii_case(domain) {
            return None;
        }
        let (base, token) = r_local.split_once('+')?;
        (base.eq_ignore_ascii_case(local) && !token.is_empty()).then_some(token)
    }
}

/// The password of the mailbox, stored as JSON inside the encrypted workspace.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EmailSecrets {
    pub password: ChannelSecret,
}

/// What the runtime needs to sync and send for one e-mail account.
#[derive(Clone)]
pub struct EmailEndpoint {
    pub id: ChannelAccountId,
    pub config: EmailConfig,
    pub password: ChannelSecret,
}

impl std::fmt::Debug for EmailEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailEndpoint")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// What an admin types to connect a support mailbox.
#[derive(Clone, serde::Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewEmailAccount {
    pub name: String,
    pub address: String,
    pub display_name: String,
    pub imap_host: String,
    pub imap_port: u16,
    /// `tls` or `starttls`.
    pub imap_security: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: String,
    /// Empty: the address.
    pub username: String,
    pub password: String,
    /// Empty: `INBOX`.
    pub folder: String,
    /// Empty: `Sent`.
    pub sent_folder: String,
    /// Optional PEM certificate of a private certificate authority.
    pub ca_pem: Option<String>,
    pub default_team: Option<TeamId>,
}

impl std::fmt::Debug for NewEmailAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewEmailAccount")
            .field("imap_host", &self.imap_host)
            .finish_non_exhaustive()
    }
}

impl Drop for NewEmailAccount {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.password.zeroize();
    }
}

/// A checked [`NewEmailAccount`].
pub(crate) struct ValidEmailAccount {
    pub name: String,
    pub config: EmailConfig,
    pub secrets: EmailSecrets,
}

/// A plain check of an e-mail address: one `@`, a dotted or loopback domain, no spaces
/// or angle brackets. Returned lower-cased.
pub fn normalize_address(text: &str) -> Option<String> {
    let text = text.trim();
    let (local, domain) = text.rsplit_once('@')?;
    let bad = |c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"');
    if local.is_empty()
        || domain.is_empty()
        || local.len() > 64
        || text.len() > 254
        || text.chars().any(bad)
        || domain.contains('@')
        || !(domain.contains('.') || domain == "localhost")
    {
        return None;
    }
    Some(text.to_ascii_lowercase())
}

fn check_host(host: &str, field: &'static str) -> Result<String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    if !ok {
        return Err(CoreError::invalid(
            field,
            "write the server's name, like imap.example.com",
        ));
    }
    Ok(host)
}

fn check_folder(text: &str, default: &str, field: &'static str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(default.to_string());
    }
    if text.len() > 200 || text.chars().any(|c| c.is_control() || c == '"') {
        return Err(CoreError::invalid(
            field,
            "a folder name without quotes or control characters",
        ));
    }
    Ok(text.to_string())
}

impl NewEmailAccount {
    pub(crate) fn validate(&self) -> Result<ValidEmailAccount> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(CoreError::invalid(
                "name",
                "give a name of 1 to 80 characters",
            ));
        }
        let address = normalize_address(&self.address).ok_or_else(|| {
            CoreError::invalid(
                "address",
                "write the support address, like help@example.com",
            )
        })?;
        if address
            .split_once('@')
            .is_some_and(|(l, _)| l.contains('+'))
        {
            return Err(CoreError::invalid(
                "address",
                "use the address without a +tag; the app adds one per conversation",
            ));
        }
        let display_name = self.display_name.trim();
        if display_name.chars().count() > 80 || display_name.chars().any(char::is_control) {
            return Err(CoreError::invalid(
                "display name",
                "at most 80 characters on one line",
            ));
        }
        for (field, port) in [("IMAP port", self.imap_port), ("SMTP port", self.smtp_port)] {
            if port == 0 {
                return Err(CoreError::invalid(field, "a port number from 1 to 65535"));
            }
        }
        let username = match self.username.trim() {
            "" => address.clone(),
            u if u.len() <= 254 && !u.chars().any(char::is_control) => u.to_string(),
            _ => return Err(CoreError::invalid("user name", "at most 254 characters")),
        };
        if self.password.is_empty() || self.password.len() > 1024 {
            return Err(CoreError::invalid(
                "password",
                "type the mailbox password (or an app password)",
            ));
        }
        let ca_pem = match self.ca_pem.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(pem) if pem.contains("-----BEGIN CERTIFICATE-----") && pem.len() < 64_000 => {
                Some(pem.to_string())
            }
            Some(_) => {
                return Err(CoreError::invalid(
                    "certificate",
                    "paste a PEM certificate (-----BEGIN CERTIFICATE----- …)",
                ))
            }
        };
        Ok(ValidEmailAccount {
            name: name.to_string(),
            config: EmailConfig {
                display_name: if display_name.is_empty() {
                    name.to_string()
                } else {
                    display_name.to_string()
                },
                imap: MailServer {
                    host: check_host(&self.imap_host, "IMAP server")?,
                    port: self.imap_port,
                    security: MailSecurity::parse(&self.imap_security, "IMAP security")?,
                },
                smtp: MailServer {
                    host: check_host(&self.smtp_host, "SMTP server")?,
                    port: self.smtp_port,
                    security: MailSecurity::parse(&self.smtp_security, "SMTP security")?,
                },
                address,
                username,
                folder: check_folder(&self.folder, "INBOX", "folder")?,
                sent_folder: check_folder(&self.sent_folder, "Sent", "sent folder")?,
                ca_pem,
                signature: String::new(),
                more_folders: Vec::new(),
            },
            secrets: EmailSecrets {
                password: ChannelSecret::new(self.password.clone()),
            },
        })
    }
}

/// How the sync of one folder stands, for the progress bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MailFolderView {
    pub folder: String,
    /// `waiting`, `connecting`, `syncing`, `idle` (pushed by the server), `polling`, `error`.
    pub state: String,
    pub total: i64,
    pub done: i64,
    pub last_error: String,
    pub synced_at: Option<crate::time::Timestamp>,
    /// Mail the sync was offered in this folder, ever; it adds up:
    /// `offered = stored + set_aside + duplicates`.
    pub offered: i64,
    /// Stored as a message, a failed reply (bounce) or an automatic reply's note.
    pub stored: i64,
    pub set_aside: i64,
    /// The same mail again (same Message-ID and content), not stored twice.
    pub duplicates: i64,
}

/// The e-mail part of a channel account as the admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EmailAccountView {
    pub address: String,
    pub imap: String,
    pub smtp: String,
    pub folder: String,
    pub sent_folder: String,
    pub folders: Vec<MailFolderView>,
    pub set_aside: i64,
    /// Added under every reply; `{agent}` and `{team}` are filled in.
    pub signature: String,
}

/// A mail the sync kept aside, as an admin sees it (no body). Its sender and subject
/// are customer data: `Debug` prints `<redacted>`.
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetAsideView {
    pub id: i64,
    pub folder: String,
    pub uid: i64,
    pub reason: String,
    pub from_address: String,
    pub subject: String,
    pub size: i64,
    pub created_at: crate::time::Timestamp,
    /// "Try again" was asked and the runtime has not read it again yet.
    pub retrying: bool,
}

crate::redacted_debug!(SetAsideView);

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> NewEmailAccount {
        NewEmailAccount {
            name: "Support mail".into(),
            address: "Help@Example.com".into(),
            display_name: String::new(),
            imap_host: "imap.example.com".into(),
            imap_port: 993,
            imap_security: "tls".into(),
            smtp_host: "smtp.example.com".into(),
            smtp_port: 587,
            smtp_security: "starttls".into(),
            username: String::new(),
            password: "mail-password-123".into(),
            folder: String::new(),
            sent_folder: String::new(),
            ca_pem: None,
            default_team: None,
        }
    }

    #[test]
    fn defaults_fill_in_and_the_address_is_lower_cased() {
        let valid = account().validate().expect("valid");
        assert_eq!(valid.config.address, "help@example.com");
        assert_eq!(valid.config.username, "help@example.com");
        assert_eq!(valid.config.folder, "INBOX");
        assert_eq!(valid.config.sent_folder, "Sent");
        assert_eq!(valid.config.display_name, "Support mail");
        assert_eq!(valid.config.smtp.security, MailSecurity::Starttls);
    }

    #[test]
    fn bad_fields_name_the_field() {
        type Change = fn(&mut NewEmailAccount);
        let cases: [(Change, &str); 6] = [
            (|a| a.address = "not an address".into(), "address"),
            (|a| a.address = "help+x@example.com".into(), "+tag"),
            (|a| a.imap_security = "none".into(), "IMAP security"),
            (|a| a.smtp_host = "smtp example".into(), "SMTP server"),
            (|a| a.password = String::new(), "password"),
            (|a| a.ca_pem = Some("hello".into()), "certificate"),
        ];
        for (change, expected) in cases {
            let mut a = account();
            change(&mut a);
            let text = a
                .validate()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(text.contains(expected), "{expected}: {text}");
        }
    }

    #[test]
    fn reply_to_carries_the_token_and_reads_back() {
        let config = account().validate().expect("valid").config;
        let reply_to = config.reply_to("k3x9");
        assert_eq!(reply_to, "help+k3x9@example.com");
        assert_eq!(config.token_in(&reply_to), Some("k3x9"));
        assert_eq!(config.token_in("HELP+k3x9@EXAMPLE.com"), Some("k3x9"));
        assert_eq!(config.token_in("help+k3x9@other.com"), None);
        assert_eq!(config.token_in("help@example.com"), None);
    }

    #[test]
    fn the_password_never_shows_in_debug() {
        let a = account();
        let valid = a.validate().expect("valid");
        let endpoint = EmailEndpoint {
            id: ChannelAccountId::new(1),
            config: valid.config,
            password: valid.secrets.password.clone(),
        };
        let text = format!("{a:?} {:?} {endpoint:?}", valid.secrets);
        assert!(!text.contains("mail-password"), "{text}");
    }
}
