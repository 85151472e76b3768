//! Passphrase mode: the database key wrapped with XChaCha20-Poly1305 under a key derived
//! from the passphrase by Argon2id, saved as `appcare.key` (JSON) beside the database.

use crate::error::{CoreError, Result};
use crate::secret::{DbKey, Password};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::path::Path;
use zeroize::Zeroizing;

/// What `appcare.key` holds. Nothing in it opens the database without the passphrase.
#[derive(Serialize, Deserialize)]
struct KeyFile {
    format: u32,
    kdf: String,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: String,
    nonce: String,
    wrapped_key: String,
}

const FORMAT: u32 = 1;
const MEMORY_KIB: u32 = 64 * 1024;
const ITERATIONS: u32 = 3;

/// The most a key file (or a backup's wrapped key) may ask of Argon2: four times what
/// this version writes, so a crafted file cannot make `backup verify` or opening a
/// workspace take gigabytes or minutes before the passphrase is even checked.
const MAX_MEMORY_KIB: u32 = 4 * MEMORY_KIB;
const MAX_ITERATIONS: u32 = 4 * ITERATIONS;
const MAX_PARALLELISM: u32 = 16;

fn params(file: &KeyFile) -> Result<Params> {
    if file.memory_kib > MAX_MEMORY_KIB
        || file.iterations > MAX_ITERATIONS
        || file.parallelism > MAX_PARALLELISM
    {
        return Err(CoreError::Tampered {
            detail: "the key's Argon2 parameters are beyond what Appcare Inbox uses".into(),
        });
    }
    Params::new(file.memory_kib, file.iterations, file.parallelism, Some(32)).map_err(|_| {
        CoreError::Tampered {
            detail: "the key file's parameters are invalid".into(),
        }
    })
}

fn derive(passphrase: &Password, salt: &[u8], file: &KeyFile) -> Result<Zeroizing<[u8; 32]>> {
    let params = params(file)?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.expose().as_bytes(), salt, out.as_mut())
        .map_err(|_| CoreError::Tampered {
            detail: "the key file's salt is invalid".into(),
        })?;
    Ok(out)
}

/// Wraps `key` under `passphrase` and writes the key file. `aad` binds it to one workspace.
pub fn write(path: &Path, key: &DbKey, passphrase: &Password, aad: &str) -> Result<()> {
    if passphrase.expose().chars().count() < 12 {
        return Err(CoreError::invalid(
            "passphrase",
            "use at least 12 characters for the workspace passphrase",
        ));
    }
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let mut file = KeyFile {
        format: FORMAT,
        kdf: "argon2id".into(),
        memory_kib: MEMORY_KIB,
        iterations: ITERATIONS,
        parallelism: 1,
        salt: B64.encode(salt),
        nonce: B64.encode(nonce),
        wrapped_key: String::new(),
    };
    let kek = derive(passphrase, &salt, &file)?;
    let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
    let wrapped = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.as_bytes(),
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| CoreError::Storage("could not wrap the database key".into()))?;
    file.wrapped_key = B64.encode(wrapped);
    let json = serde_json::to_vec_pretty(&file)
        .map_err(|e| CoreError::Storage(format!("could not encode the key file: {e}")))?;
    crate::fs::write_new_file(path, &json)
}

/// Reads the key file and unwraps the key; `WrongKey` when the passphrase does not fit.
pub fn read(path: &Path, passphrase: &Password, aad: &str) -> Result<DbKey> {
    let bytes = std::fs::read(path).map_err(|_| CoreError::KeyMissing)?;
    let (file, salt, nonce, wrapped) = parse(&bytes)?;
    let kek = derive(passphrase, &salt, &file)?;
    let cipher = XChaCha20Poly1305::new(kek.as_ref().into());
    let plain = cipher
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &wrapped,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| CoreError::WrongKey)?;
    let plain = Zeroizing::new(plain);
    DbKey::from_bytes(&plain).ok_or(CoreError::WrongKey)
}

/// Reads a key file as far as it can be read without the passphrase (format, base64
/// fields, nonce length, Argon2 parameters); no key is derived. What the fuzz target
/// `file_headers` feeds strangers' bytes to.
pub fn inspect(bytes: &[u8]) -> Result<()> {
    let (file, ..) = parse(bytes)?;
    params(&file).map(|_| ())
}

type Parsed = (KeyFile, Vec<u8>, Vec<u8>, Vec<u8>);

fn parse(bytes: &[u8]) -> Result<Parsed> {
    let file: KeyFile = serde_json::from_slice(bytes).map_err(|_| CoreError::Tampered {
        detail: "the key file appcare.key is not readable".into(),
    })?;
    if file.format != FORMAT || file.kdf != "argon2id" {
        return Err(CoreError::Tampered {
            detail: "the key file appcare.key has an unknown format".into(),
        });
    }
    let bad = |_| CoreError::Tampered {
        detail: "the key file appcare.key is not valid base64".into(),
    };
    let salt = B64.decode(&file.salt).map_err(bad)?;
    let nonce = B64.decode(&file.nonce).map_err(bad)?;
    let wrapped = B64.decode(&file.wrapped_key).map_err(bad)?;
    if nonce.len() != 24 {
        return Err(CoreError::Tampered {
            detail: "the key file's nonce has the wrong length".into(),
        });
    }
    Ok((file, salt, nonce, wrapped))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18, finding 14: a crafted key file (or backup header, which wraps its key
    /// the same way) asking Argon2 for terabytes or endless passes is refused in plain
    /// words before any hashing.
    #[test]
    fn argon2_parameters_beyond_the_bounds_are_refused_before_hashing() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Storage(e.to_string()))?;
        let path = dir.path().join("appcare.key");
        let pass = Password::new("a long enough passphrase");
        write(&path, &DbKey::generate(), &pass, "ws1")?;
        let honest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(&path).map_err(|e| CoreError::Storage(e.to_string()))?,
        )
        .map_err(|e| CoreError::Storage(e.to_string()))?;
        for (field, value) in [
            ("memory_kib", u32::MAX),
            ("iterations", u32::MAX),
            ("parallelism", 0x00ff_ffff),
        ] {
            let mut crafted = honest.clone();
            crafted[field] = serde_json::json!(value);
            let crafted_path = dir.path().join(format!("{field}.key"));
            std::fs::write(&crafted_path, crafted.to_string())
                .map_err(|e| CoreError::Storage(e.to_string()))?;
            let started = std::time::Instant::now();
            let err = read(&crafted_path, &pass, "ws1").err();
            assert!(
                matches!(&err, Some(CoreError::Tampered { detail }) if detail.contains("Argon2 parameters")),
                "{field}: {err:?}"
            );
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{field}: hashed first"
            );
        }
        Ok(())
    }

    #[test]
    fn round_trip_and_wrong_passphrase() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Storage(e.to_string()))?;
        let path = dir.path().join("appcare.key");
        let key = DbKey::generate();
        let pass = Password::new("a long enough passphrase");
        write(&path, &key, &pass, "ws1")?;
        let back = read(&path, &pass, "ws1")?;
        assert_eq!(back.as_bytes(), key.as_bytes());

        let contents = std::fs::read(&path).map_err(|e| CoreError::Storage(e.to_string()))?;
        let hex_key = hex::encode(key.as_bytes());
        assert!(!String::from_utf8_lossy(&contents).contains(&hex_key));
        assert!(!contents.windows(32).any(|w| w == key.as_bytes()));

        let wrong = read(&path, &Password::new("another passphrase!"), "ws1");
        assert!(matches!(wrong, Err(CoreError::WrongKey)));
        let other_ws = read(&path, &pass, "ws2");
        assert!(matches!(other_ws, Err(CoreError::WrongKey)));
        Ok(())
    }
}
