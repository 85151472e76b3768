//! TOTP (RFC 6238): 30-second steps, 6 digits, SHA-1, as authenticator apps expect.
//! Codes are accepted from the current step or one step either side, and never for a
//! step at or before the last one accepted (no replay).

use crate::error::{CoreError, Result};
use crate::time::Timestamp;
use rand::RngCore;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Builder, Totp};
use zeroize::Zeroizing;

pub const STEP_SECONDS: i64 = 30;
/// 160 bits, RFC 4226's recommended secret length.
pub const SECRET_BYTES: usize = 20;
pub const ISSUER: &str = "Appcare Inbox";

pub fn generate_secret() -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(vec![0u8; SECRET_BYTES]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut_slice());
    bytes
}

fn totp(secret: &[u8], account: &str) -> Result<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(STEP_SECONDS as u64)
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| CoreError::Storage(format!("authenticator setup failed: {e}")))
}

/// The `otpauth://` URI an authenticator app scans.
pub fn otpauth_uri(secret: &[u8], account: &str) -> Result<Zeroizing<String>> {
    totp(secret, account)?
        .to_url()
        .map(Zeroizing::new)
        .map_err(|e| CoreError::Storage(format!("authenticator setup failed: {e}")))
}

/// The secret in base32, grouped in fours for typing into an app by hand.
pub fn manual_key(secret: &[u8]) -> Zeroizing<String> {
    let b32 = Zeroizing::new(totp_rs::Secret::from(secret.to_vec()).to_base32());
    let mut grouped = Zeroizing::new(String::new());
    for (i, c) in b32.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            grouped.push(' ');
        }
        grouped.push(c);
    }
    grouped
}

/// Decodes a manual key (base32, spaces allowed) back into the secret, as an
/// authenticator app does when the key is typed in.
pub fn secret_from_manual_key(key: &str) -> Option<Zeroizing<Vec<u8>>> {
    let compact: String = key.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    let secret = totp_rs::Secret::try_from_base32(compact.to_ascii_uppercase()).ok()?;
    Some(Zeroizing::new(secret.as_bytes().to_vec()))
}

pub fn step_of(now: Timestamp) -> i64 {
    now.unix().div_euclid(STEP_SECONDS)
}

/// The code for a given step. Tests and the CLI's own enrolment use it.
pub fn code_at(secret: &[u8], step: i64) -> Result<Zeroizing<String>> {
    let t = totp(secret, "x")?;
    let time = u64::try_from(step.saturating_mul(STEP_SECONDS)).unwrap_or(0);
    Ok(Zeroizing::new(t.generate(time).to_string()))
}

/// Outcome of checking a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// Valid for this step, which is later than the last accepted one.
    Accepted {
        step: i64,
    },
    /// Valid, but for a step already used: a replay.
    Replayed,
    Wrong,
}

/// Checks `code` at `now` with ±1 step of drift, refusing steps `<= last_step`.
pub fn check(secret: &[u8], code: &str, now: Timestamp, last_step: i64) -> Result<CodeCheck> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(CodeCheck::Wrong);
    }
    let current = step_of(now);
    let mut matched = None;
    // Always compute all three, so timing does not tell which step matched.
    for step in [current - 1, current, current + 1] {
        let expected = code_at(secret, step)?;
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && matched.is_none() {
            matched = Some(step);
        }
    }
    Ok(match matched {
        Some(step) if step > last_step => CodeCheck::Accepted { step },
        Some(_) => CodeCheck::Replayed,
        None => CodeCheck::Wrong,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 vectors (last 6 digits).
    #[test]
    fn matches_rfc6238_vectors() -> Result<()> {
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59 / 30)?.as_str(), "287082");
        assert_eq!(code_at(secret, 1_111_111_109 / 30)?.as_str(), "081804");
        assert_eq!(code_at(secret, 1_234_567_890 / 30)?.as_str(), "005924");
        Ok(())
    }

    #[test]
    fn drift_of_one_step_is_accepted_two_refused() -> Result<()> {
        let secret = generate_secret();
        let now = Timestamp::from_unix(1_795_550_105);
        let step = step_of(now);
        for (offset, ok) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at(&secret, step + offset)?;
            let result = check(&secret, &code, now, 0)?;
            assert_eq!(
                matches!(result, CodeCheck::Accepted { .. }),
                ok,
                "offset {offset}"
            );
        }
        Ok(())
    }

    #[test]
    fn a_used_step_is_a_replay() -> Result<()> {
        let secret = generate_secret();
        let now = Timestamp::from_unix(1_795_550_105);
        let code = code_at(&secret, step_of(now))?;
        assert_eq!(
            check(&secret, &code, now, step_of(now))?,
            CodeCheck::Replayed
        );
        assert_eq!(check(&secret, "12345", now, 0)?, CodeCheck::Wrong);
        Ok(())
    }

    #[test]
    fn uri_and_manual_key_carry_the_secret() -> Result<()> {
        let secret = generate_secret();
        let uri = otpauth_uri(&secret, "maria")?;
        assert!(uri.starts_with("otpauth://totp/Appcare%20Inbox:maria?"));
        let key = manual_key(&secret);
        let b32 = key.replace(' ', "");
        assert_eq!(b32.len(), 32);
        assert!(uri.contains(&b32));
        let back = secret_from_manual_key(&key).expect("decodes");
        assert_eq!(back.as_slice(), secret.as_slice());
        // An empty key (a screen read before it was filled in) is no key.
        assert!(secret_from_manual_key("  ").is_none());
        Ok(())
    }
}
