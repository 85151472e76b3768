//! A connected channel account: its public settings, its secrets (access token, app
//! secret, verify token) and what the admin sees of it. Secrets print as `<redacted>`,
//! are wiped on drop and are never returned to a front end except as a short hint.

use crate::channel::Channel;
use crate::error::{CoreError, Result};
use crate::ids::{ChannelAccountId, TeamId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub const DEFAULT_GRAPH_BASE_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_API_VERSION: &str = "v23.0";

/// One secret string (token, app secret, verify token).
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelSecret(Zeroizing<String>);

impl Serialize for ChannelSecret {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ChannelSecret {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

impl ChannelSecret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last four characters, for the admin to recognise which token is stored.
    pub fn hint(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 12 {
            return "…".into();
        }
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("…{tail}")
    }
}

impl std::fmt::Debug for ChannelSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChannelSecret(<redacted>)")
    }
}

/// The secrets of one account, stored as JSON inside the encrypted workspace.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChannelSecrets {
    pub access_token: ChannelSecret,
    pub app_secret: ChannelSecret,
    pub verify_token: ChannelSecret,
}

/// Public settings of one account.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChannelConfig {
    /// WhatsApp business account (WABA) id: where templates are read from.
    #[serde(default)]
    pub business_account_id: Option<String>,
    /// Messenger: the app has Meta's "Human Agent" permission (7-day window).
    #[serde(default)]
    pub human_agent: bool,
    /// Messenger: poll the Conversations API (no public webhook URL).
    #[serde(default)]
    pub poll: bool,
    #[serde(default = "default_base_url")]
    pub graph_base_url: String,
    #[serde(default = "default_api_version")]
    pub api_version: String,
    /// A sample account made by `add_sample_data`: nothing is sent through it, and a
    /// reply is refused with the reason before it is written.
    #[serde(default)]
    pub sample: bool,
    /// Tell customers that their messages were read when an agent opens the conversation,
    /// and show them that an agent is typing (WhatsApp `status: read` with its typing
    /// indicator; Messenger `mark_seen` and `typing_on`). Off until an admin turns it on.
    #[serde(default)]
    pub read_receipts: bool,
}

fn default_base_url() -> String {
    DEFAULT_GRAPH_BASE_URL.into()
}

fn default_api_version() -> String {
    DEFAULT_API_VERSION.into()
}

impl Default for ChannelConfig {
    fn default() -> Self {
        Self {
            business_account_id: None,
            human_agent: false,
            poll: false,
            graph_base_url: default_base_url(),
            api_version: default_api_version(),
            sample: false,
            read_receipts: false,
        }
    }
}

impl ChannelConfig {
    /// Reads the stored JSON; an empty or old object gets the defaults.
    pub fn from_json(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }
}

/// What an adapter needs to talk to the provider for one account.
#[derive(Clone)]
pub struct ChannelEndpoint {
    pub id: ChannelAccountId,
    pub channel: Channel,
    /// WhatsApp phone-number id or Messenger page id.
    pub external_id: String,
    pub config: ChannelConfig,
    pub secrets: ChannelSecrets,
    /// Disabled by an admin: webhooks are still received, nothing is sent or polled.
    pub disabled: bool,
}

impl std::fmt::Debug for ChannelEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelEndpoint")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// In-country storage of a WhatsApp number as read back from Meta.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LocalStorageView {
    /// `IN_COUNTRY_STORAGE_ENABLED`, `IN_COUNTRY_STORAGE_DISABLED`, `pending`, or why it
    /// does not apply.
    pub status: String,
    pub region: Option<String>,
    pub checked_at: Option<Timestamp>,
}

/// Provider-side state of an account, kept as JSON in `channel_accounts.state`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    #[serde(default)]
    pub local_storage: Option<LocalStorageView>,
    #[serde(default)]
    pub last_error: Option<String>,
    /// A mailbox: the largest mail its SMTP server takes (`SIZE`, RFC 1870; 0: no
    /// limit named), as the last connection test or send found it.
    #[serde(default)]
    pub mail_size_limit: Option<i64>,
}

/// A channel account as the admin sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChannelAccountView {
    pub id: ChannelAccountId,
    pub kind: String,
    pub name: String,
    pub external_id: String,
    pub business_account_id: Option<String>,
    pub default_team: Option<TeamId>,
    pub webhook_path: String,
    pub token_hint: String,
    pub human_agent: bool,
    pub poll: bool,
    /// Customers see read receipts and a typing indicator (see [`ChannelConfig`]).
    pub read_receipts: bool,
    pub graph_base_url: String,
    pub api_version: String,
    pub local_storage: Option<LocalStorageView>,
    pub templates: i64,
    pub last_error: Option<String>,
    /// E-mail accounts: servers, folders and sync progress.
    pub email: Option<crate::channel::email::EmailAccountView>,
    /// What the account answers when a customer writes outside the team's business hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub out_of_hours_reply: Option<String>,
    /// The satisfaction question the account asks after a resolution (none: no survey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub satisfaction_question: Option<String>,
    /// Templates go only to customers who agreed to messages (WhatsApp; see
    /// `privacy::consent`).
    #[serde(default)]
    pub require_opt_in: bool,
    /// Sent once to each customer who writes (none: no notice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub privacy_notice: Option<String>,
    /// Disabled by an admin: nothing is sent, polled or synced; webhooks are still stored.
    pub disabled: bool,
    /// The last "Test connection" and what it found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub check: Option<crate::channel::check::ConnectionCheck>,
}

/// What an admin may change of a connected account without touching its secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChannelAccountChanges {
    pub name: String,
    /// The team new conversations of this account go to.
    pub default_team: Option<TeamId>,
    /// Read receipts and typing indicator towards customers (WhatsApp and Messenger).
    pub read_receipts: bool,
    /// Messenger only: the app has Meta's "Human Agent" permission (7-day window).
    pub human_agent: bool,
    /// Messenger only: poll the Conversations API (no public webhook URL).
    pub poll: bool,
}

/// The longest account name.
pub const ACCOUNT_NAME_MAX_CHARS: usize = 80;

impl ChannelAccountChanges {
    /// The trimmed name, refused when empty or too long.
    pub fn checked_name(&self) -> Result<String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > ACCOUNT_NAME_MAX_CHARS {
            return Err(CoreError::invalid(
                "name",
                format!("give the account a name of 1 to {ACCOUNT_NAME_MAX_CHARS} characters"),
            ));
        }
        Ok(name.to_owned())
    }
}

/// What an admin types to connect a WhatsApp number or a Messenger page.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewChannelAccount {
    pub kind: String,
    pub name: String,
    pub external_id: String,
    pub business_account_id: Option<String>,
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
    pub default_team: Option<TeamId>,
    pub human_agent: bool,
    pub poll: bool,
    pub graph_base_url: Option<String>,
    pub api_version: Option<String>,
}

impl std::fmt::Debug for NewChannelAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewChannelAccount")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Drop for NewChannelAccount {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_token.zeroize();
        self.app_secret.zeroize();
        self.verify_token.zeroize();
    }
}

/// A secret pasted from Meta's dashboard: `min` to 1,024 characters, no spaces.
pub(crate) fn check_secret(field: &'static str, value: &str, min: usize) -> Result<()> {
    if value.len() < min || value.len() > 1024 || value.chars().any(char::is_whitespace) {
        return Err(CoreError::invalid(
            field,
            format!(
                "paste the {field} from Meta's app dashboard (at least {min} characters, no spaces)"
            ),
        ));
    }
    Ok(())
}

/// New secrets for a connected WhatsApp or Messenger account; each left empty stays as
/// it is. Never printed.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SecretRotation {
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
}

crate::redacted_debug!(SecretRotation);

impl Drop for SecretRotation {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_token.zeroize();
        self.app_secret.zeroize();
        self.verify_token.zeroize();
    }
}

impl SecretRotation {
    /// `current` with the secrets given here in place of theirs, each checked as when the
    /// account was connected; and the names of those replaced (at least one).
    pub(crate) fn applied(
        &self,
        current: &ChannelSecrets,
    ) -> Result<(ChannelSecrets, Vec<&'static str>)> {
        let mut out = current.clone();
        let mut names = Vec::new();
        for (field, value, min) in [
            ("access token", self.access_token.trim(), 16),
            ("app secret", self.app_secret.trim(), 16),
            ("verify token", self.verify_token.trim(), 8),
        ] {
            if value.is_empty() {
                continue;
            }
            check_secret(field, value, min)?;
            let secret = ChannelSecret::new(value.to_string());
            match field {
                "access token" => out.access_token = secret,
                "app secret" => out.app_secret = secret,
                _ => out.verify_token = secret,
            }
            names.push(field);
        }
        if names.is_empty() {
            return Err(CoreError::invalid(
                "access token",
                "paste at least one new secret; empty ones stay as they are",
            ));
        }
        Ok((out, names))
    }
}

/// A checked [`NewChannelAccount`].
pub(crate) struct ValidAccount {
    pub channel: Channel,
    pub name: String,
    pub external_id: String,
    pub config: ChannelConfig,
    pub secrets: ChannelSecrets,
}

impl NewChannelAccount {
    pub(crate) fn validate(&self) -> Result<ValidAccount> {
        let channel = match self.kind.as_str() {
            "whatsapp" => Channel::WhatsApp,
            "messenger" => Channel::Messenger,
            "email" => {
                return Err(CoreError::invalid(
                    "channel",
                    "email accounts are not available yet; choose whatsapp or messenger",
                ))
            }
            _ => {
                return Err(CoreError::invalid(
                    "channel",
                    "choose whatsapp or messenger",
                ))
            }
        };
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(CoreError::invalid(
                "name",
                "give a name of 1 to 80 characters",
            ));
        }
        let what_id = match channel {
            Channel::WhatsApp => "phone number id",
            _ => "page id",
        };
        let external_id = self.external_id.trim();
        if external_id.is_empty()
            || external_id.len() > 40
            || !external_id.chars().all(|c| c.is_ascii_digit())
        {
            return Err(CoreError::invalid(
                "account id",
                format!("the {what_id} is the number Meta shows for it (digits only)"),
            ));
        }
        let business_account_id = match self.business_account_id.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(id) if id.chars().all(|c| c.is_ascii_digit()) && id.len() <= 40 => {
                Some(id.to_string())
            }
            Some(_) => {
                return Err(CoreError::invalid(
                    "business account id",
                    "digits only, as Meta shows it",
                ))
            }
        };
        for (field, value, min) in [
            ("access token", &self.access_token, 16),
            ("app secret", &self.app_secret, 16),
            ("verify token", &self.verify_token, 8),
        ] {
            let value = value.trim();
            // A polled Messenger page needs no webhook, so no verify token.
            if field == "verify token"
                && value.is_empty()
                && self.poll
                && channel == Channel::Messenger
            {
                continue;
            }
            check_secret(field, value, min)?;
        }
        let graph_base_url = match self.graph_base_url.as_deref().map(str::trim) {
            Some("") | None => DEFAULT_GRAPH_BASE_URL.to_string(),
            Some(url) => check_base_url(url)?,
        };
        let api_version = match self.api_version.as_deref().map(str::trim) {
            Some("") | None => DEFAULT_API_VERSION.to_string(),
            Some(v) => check_api_version(v)?,
        };
        Ok(ValidAccount {
            channel,
            name: name.to_string(),
            external_id: external_id.to_string(),
            config: ChannelConfig {
                business_account_id,
                human_agent: self.human_agent && channel == Channel::Messenger,
                poll: self.poll && channel == Channel::Messenger,
                graph_base_url,
                api_version,
                sample: false,
                read_receipts: false,
            },
            secrets: ChannelSecrets {
                access_token: ChannelSecret::new(self.access_token.trim()),
                app_secret: ChannelSecret::new(self.app_secret.trim()),
                verify_token: ChannelSecret::new(self.verify_token.trim()),
            },
        })
    }
}

/// HTTPS anywhere; plain HTTP only to this machine (a local test server). No user
/// information (`user@host`) in the address.
fn check_base_url(url: &str) -> Result<String> {
    let url = url.trim_end_matches('/');
    let host = crate::privacy::egress::host_of(url).unwrap_or_default();
    let authority = url
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
        .unwrap_or_default();
    let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1");
    let https = url.starts_with("https://") && !host.is_empty();
    let http_local = url.starts_with("http://") && loopback;
    if !(https || http_local) || authority.contains('@') || url.contains(char::is_whitespace) {
        return Err(CoreError::invalid(
            "Graph API address",
            "use an https:// address (plain http only for this computer)",
        ));
    }
    Ok(url.to_string())
}

fn check_api_version(version: &str) -> Result<String> {
    let ok = version
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.chars().all(|c| c.is_ascii_digit())
                && minor.chars().all(|c| c.is_ascii_digit())
        });
    if !ok {
        return Err(CoreError::invalid("API version", "write it like v23.0"));
    }
    Ok(version.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> NewChannelAccount {
        NewChannelAccount {
            kind: "whatsapp".into(),
            name: "Support".into(),
            external_id: "106540352242922".into(),
            business_account_id: Some("102290129340398".into()),
            access_token: "EAAG-token-0123456789".into(),
            app_secret: "app-secret-0123456789".into(),
            verify_token: "verify-123".into(),
            default_team: None,
            human_agent: true,
            poll: false,
            graph_base_url: None,
            api_version: None,
        }
    }

    #[test]
    fn a_good_account_passes_and_keeps_messenger_only_options_off_for_whatsapp() {
        let valid = account().validate().expect("valid");
        assert_eq!(valid.channel, Channel::WhatsApp);
        assert!(!valid.config.human_agent);
        assert_eq!(valid.config.graph_base_url, DEFAULT_GRAPH_BASE_URL);
    }

    #[test]
    fn bad_fields_are_refused_with_the_field_named() {
        let mut a = account();
        a.external_id = "abc".into();
        assert!(a
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("phone number id"));
        let mut a = account();
        a.access_token = "short".into();
        assert!(a
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("access token"));
        let mut a = account();
        a.graph_base_url = Some("http://example.com".into());
        assert!(a.validate().is_err());
        let mut a = account();
        a.graph_base_url = Some("http://localhost:80@evil.example".into());
        assert!(a.validate().is_err(), "user information refused");
        let mut a = account();
        a.graph_base_url = Some("http://127.0.0.1:9000/".into());
        assert_eq!(
            a.validate().expect("loopback").config.graph_base_url,
            "http://127.0.0.1:9000"
        );
        let mut a = account();
        a.api_version = Some("23".into());
        assert!(a.validate().is_err());
    }

    #[test]
    fn secrets_never_show_in_debug_and_hint_shows_four_characters() {
        let a = account();
        let valid = a.validate().expect("valid");
        let text = format!("{:?} {:?}", a, valid.secrets);
        assert!(!text.contains("0123456789"), "{text}");
        assert_eq!(valid.secrets.access_token.hint(), "…6789");
    }
}
