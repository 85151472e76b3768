//! Recovery codes: ten single-use codes of 80 random bits each, shown once, stored as
//! SHA-256 (80 bits of entropy leave nothing to brute-force, so a slow hash adds nothing).

use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub const COUNT: usize = 10;
const ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789_";

/// Makes `COUNT` codes like `k7mq-2xpa-9rtd-fh3c` (16 base-32 characters = 80 bits).
pub fn generate() -> Vec<Zeroizing<String>> {
    (0..COUNT)
        .map(|_| {
            let mut bytes = Zeroizing::new([0u8; 10]);
            rand::rngs::OsRng.fill_bytes(bytes.as_mut());
            let mut bits = 0u32;
            let mut nbits = 0;
            let mut out = Zeroizing::new(String::with_capacity(19));
            let mut chars = 0;
            for &b in bytes.iter() {
                bits = (bits << 8) | u32::from(b);
                nbits += 8;
                while nbits >= 5 {
                    nbits -= 5;
                    if chars > 0 && chars % 4 == 0 {
                        out.push('-');
                    }
                    out.push(char::from(ALPHABET[((bits >> nbits) & 31) as usize]));
                    chars += 1;
                }
            }
            out
        })
        .collect()
}

/// Normalises what a person typed (case, spaces, dashes) and hashes it.
pub fn hash(code: &str) -> [u8; 32] {
    let normalised: Zeroizing<String> = Zeroizing::new(
        code.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect(),
    );
    Sha256::digest(normalised.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_normalised_for_hashing() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        let mut set = std::collections::HashSet::new();
        for c in &codes {
            assert_eq!(c.len(), 19);
            assert!(set.insert(c.to_string()));
            assert_eq!(hash(c), hash(&c.to_uppercase().replace('-', " ")));
        }
    }
}
