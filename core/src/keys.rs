//! Where a workspace's database key lives: the OS keyring, or a key file wrapped by a
//! passphrase for machines without one. The key never touches disk in clear.

pub mod key_file;
pub mod os_keyring;

use serde::{Deserialize, Serialize};

/// How a workspace keeps its database key; recorded in `workspace.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStoreKind {
    /// The OS keyring (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// `appcare.key` beside the database, wrapped by an Argon2id-derived key.
    Passphrase,
}

impl KeyStoreKind {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "keyring" => Some(Self::Keyring),
            "passphrase" => Some(Self::Passphrase),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keyring => "keyring",
            Self::Passphrase => "passphrase",
        }
    }
}
