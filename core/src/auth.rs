//! Authentication building blocks: roles, usernames, password hashing and policy, TOTP,
//! recovery codes and the lockout schedule. The sign-in flow that uses them is
//! `service::login`.

pub mod lockout;
pub mod password;
pub mod recovery;
pub mod totp;

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// What a user may do. Ordered: an admin may do everything a lead may, a lead everything
/// an agent may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Role {
    Agent,
    Lead,
    Admin,
}

impl Role {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "agent" => Some(Self::Agent),
            "lead" => Some(Self::Lead),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Lead => "lead",
            Self::Admin => "admin",
        }
    }
}

/// Usernames: 3–64 characters of letters, digits and `. _ - @`.
pub fn validate_username(username: &str) -> Result<()> {
    let ok_len = (3..=64).contains(&username.chars().count());
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-_@".contains(c));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(CoreError::invalid(
            "username",
            "use 3 to 64 letters, digits, dots, dashes, underscores or @",
        ))
    }
}
