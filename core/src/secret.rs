//! Secret values: the database key, passwords, session tokens. Each wipes its memory on
//! drop and prints as `<redacted>` in `Debug`, so a stray `{:?}` cannot leak one.

use rand::RngCore;

/// `Debug` that prints only the type's name and `<redacted>`, for types that carry
/// customer text (messages, notes, names, snippets, file names).
#[macro_export]
macro_rules! redacted_debug {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl std::fmt::Debug for $ty {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(concat!(stringify!($ty), "(<redacted>)"))
                }
            }
        )+
    };
}
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The 256-bit raw SQLCipher key of a workspace.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DbKey([u8; 32]);

impl DbKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(array))
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The `PRAGMA key` value: `x'<64 hex digits>'`, wiped when dropped.
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(67));
        s.push_str("x'");
        for b in self.0 {
            s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            s.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
        }
        s.push('\'');
        s
    }
}

impl fmt::Debug for DbKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DbKey(<redacted>)")
    }
}

/// A password or passphrase typed by a person.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Password(String);

impl Password {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Passwords cross the hub's wire (sign-in, new users, backup passphrases): as a plain
/// string inside TLS. `Debug` stays redacted, so a logged request never shows one.
impl serde::Serialize for Password {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Password {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

/// A session token: 256 random bits, base64url. Only its SHA-256 is stored.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SessionToken(String);

impl SessionToken {
    pub(crate) fn generate() -> Self {
        use base64::Engine;
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()))
    }

    /// Wraps a token received from a client (a hub request, a test).
    pub fn from_client(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token: what the store keeps, and what a server may key by.
    pub fn hash(&self) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(self.0.as_bytes()).into()
    }
}

/// The hub hands a new token to its client in the sign-in answer; after that it travels
/// only in the `Authorization` header.
impl serde::Serialize for SessionToken {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for SessionToken {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// `len` random characters from `a-z0-9` (mail ids and reply-to tokens: not secrets,
/// but unguessable so nobody can write into another customer's conversation).
pub fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secret_material() {
        let key = DbKey::generate();
        let hex_key = hex::encode(key.as_bytes());
        let token = SessionToken::generate();
        let password = Password::new("correct horse battery staple");
        let printed = format!("{key:?} {token:?} {password:?}");
        assert!(!printed.contains(&hex_key));
        assert!(!printed.contains(token.expose()));
        assert!(!printed.contains("horse"));
        assert!(printed.contains("<redacted>"));
    }

    #[test]
    fn pragma_value_is_raw_hex_key() {
        let key = DbKey::from_bytes(&[0xab; 32]).expect("32 bytes");
        let value = key.pragma_value();
        assert_eq!(value.len(), 67);
        assert!(value.starts_with("x'abab"));
        assert!(value.ends_with("ab'"));
    }
}

/// On the hub's wire both are plain strings.
#[cfg(feature = "schema")]
mod schema {
    use super::{Password, SessionToken};
    use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
    use std::borrow::Cow;

    impl JsonSchema for Password {
        fn schema_name() -> Cow<'static, str> {
            "Password".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({ "type": "string", "format": "password", "writeOnly": true })
        }
    }

    impl JsonSchema for SessionToken {
        fn schema_name() -> Cow<'static, str> {
            "SessionToken".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "type": "string",
                "description": "A session token; afterwards sent only as `Authorization: Bearer`."
            })
        }
    }
}
