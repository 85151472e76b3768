//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw request body keyed with the app secret,
//! sent as `sha256=<lowercase hex>`. Checked in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header value Meta would send for `body`.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = HmacSha256::new_from_slice(app_secret).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` is a valid signature of `body` under `app_secret`.
pub fn verify(app_secret: &[u8], header: &str, body: &[u8]) -> bool {
    let Some(hex_part) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    if hex_part.len() != 64 {
        return false;
    }
    let Ok(expected) = hex::decode(hex_part) else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(app_secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_test_vector() {
        assert_eq!(
            sign(b"secret", b"test"),
            "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"
        );
    }

    #[test]
    fn refuses_wrong_secret_truncation_changed_body_and_other_schemes() {
        let body = br#"{"object":"page"}"#;
        let good = sign(b"app-secret", body);
        assert!(verify(b"app-secret", &good, body));
        assert!(!verify(b"other-secret", &good, body));
        assert!(!verify(b"app-secret", &good[..good.len() - 2], body));
        assert!(!verify(b"app-secret", &good, br#"{"object":"pagE"}"#));
        assert!(!verify(
            b"app-secret",
            &good.replace("sha256=", "sha1="),
            body
        ));
        assert!(!verify(b"app-secret", "", body));
    }
}
