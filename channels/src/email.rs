//! The e-mail channel: IMAP sync of a support mailbox into conversations (initial and
//! incremental by UID, IDLE or polling, reconnection with backoff), MIME parsing with
//! sanitised HTML, and SMTP replies with threading headers and a copy in the Sent folder.
//!
//! E-mail is pulled, not pushed by webhooks, so it does not implement
//! [`crate::adapter::ChannelAdapter`]; its sends go through the same outbox with the same
//! retry and never-twice rules.

pub mod imap;
pub mod parse;
pub mod retry;
pub mod seen;
pub mod smtp;
pub mod sync;
pub mod tls;

/// Why talking to a mail server failed, in words fit for an admin (no customer text, no
/// password), and whether trying again later may help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailError {
    pub retry: bool,
    /// The server answered the command with NO or BAD (the connection is fine).
    pub refused: bool,
    pub message: String,
}

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MailError {}

impl MailError {
    pub fn retry(message: &str) -> Self {
        Self {
            retry: true,
            refused: false,
            message: message.to_string(),
        }
    }

    pub fn fatal(message: &str) -> Self {
        Self {
            retry: false,
            refused: false,
            message: message.to_string(),
        }
    }

    pub fn refused(host: &str) -> Self {
        Self::retry(&format!(
            "{host} is not on this workspace's allowed hosts; an admin adds it under Residency → Allowed outgoing connections"
        ))
    }

    pub fn setup(message: String) -> Self {
        Self::fatal(&message)
    }

    pub fn network(what: &str, error: &std::io::Error) -> Self {
        Self::retry(&format!("cannot reach the {what} server ({error})"))
    }

    pub fn tls(what: &str, error: &std::io::Error) -> Self {
        Self::retry(&format!(
            "the {what} server's certificate was not accepted ({error})"
        ))
    }

    pub fn login(what: &str) -> Self {
        Self::retry(&format!(
            "the {what} server refused the user name or password"
        ))
    }

    pub fn protocol(command: &str, error: &async_imap::error::Error) -> Self {
        let mut e = Self::retry(&format!("the IMAP server failed {command} ({error})"));
        e.refused = matches!(
            error,
            async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_)
        );
        e
    }
}
