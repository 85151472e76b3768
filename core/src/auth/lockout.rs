//! The lockout schedule: after a few failures each further failure locks the account for
//! twice as long as the one before, capped, so no account sees more than a handful of
//! guesses an hour (well under the limit of 100).

use crate::time::Timestamp;
use std::net::{IpAddr, Ipv6Addr};

/// Where a sign-in comes from, as its failures are counted: the desktop the workspace
/// runs on, or a hub client's network address (IPv6 by its /64, the block one household
/// or office usually gets; an IPv4-mapped address as IPv4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SignInSource {
    Local,
    Remote(IpAddr),
}

impl SignInSource {
    /// A hub client's address, reduced to the block failures are counted by.
    pub fn remote(address: IpAddr) -> Self {
        Self::Remote(match address {
            IpAddr::V4(_) => address,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let s = v6.segments();
                    IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
                }
            },
        })
    }

    /// The source as stored with a session and its failure counter.
    pub fn key(&self) -> String {
        match self {
            Self::Local => "local".into(),
            Self::Remote(address) => format!("ip:{address}"),
        }
    }
}

/// Failures allowed before the first lock.
pub const FREE_ATTEMPTS: i64 = 5;
/// Failures of an account from every source together before it is locked for every remote
/// source as well (never for the local desktop): far more than one source may make.
pub const ACCOUNT_FREE_ATTEMPTS: i64 = 30;
const FIRST_LOCK_SECONDS: i64 = 60;
const MAX_LOCK_SECONDS: i64 = 3600;

/// When the account unlocks after its `failed`-th consecutive failure, if it locks at all.
pub fn locked_until(failed: i64, now: Timestamp) -> Option<Timestamp> {
    if failed < FREE_ATTEMPTS {
        return None;
    }
    let doublings = u32::try_from(failed - FREE_ATTEMPTS)
        .unwrap_or(u32::MAX)
        .min(10);
    let seconds = (FIRST_LOCK_SECONDS << doublings).min(MAX_LOCK_SECONDS);
    Some(now.plus_seconds(seconds))
}

/// When the whole account unlocks after its `failed`-th consecutive failure from all
/// sources together, if it locks at all: the same schedule, after far more failures.
pub fn account_locked_until(failed: i64, now: Timestamp) -> Option<Timestamp> {
    locked_until(failed - (ACCOUNT_FREE_ATTEMPTS - FREE_ATTEMPTS), now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_grows_and_is_capped() {
        let now = Timestamp::from_unix(1000);
        assert_eq!(locked_until(4, now), None);
        assert_eq!(locked_until(5, now), Some(now.plus_seconds(60)));
        assert_eq!(locked_until(6, now), Some(now.plus_seconds(120)));
        assert_eq!(locked_until(50, now), Some(now.plus_seconds(3600)));
        assert_eq!(account_locked_until(ACCOUNT_FREE_ATTEMPTS - 1, now), None);
        assert_eq!(
            account_locked_until(ACCOUNT_FREE_ATTEMPTS, now),
            Some(now.plus_seconds(60))
        );
    }

    #[test]
    fn sources_are_keyed_by_address_and_ipv6_by_its_64() {
        let remote = |a: &str| SignInSource::remote(a.parse().expect("address")).key();
        assert_eq!(SignInSource::Local.key(), "local");
        assert_eq!(remote("192.0.2.7"), "ip:192.0.2.7");
        assert_eq!(remote("::ffff:192.0.2.7"), "ip:192.0.2.7");
        assert_eq!(remote("2001:db8:1:2:3:4:5:6"), "ip:2001:db8:1:2::");
    }

    /// An attacker who always waits out the lock gets at most this many guesses an hour.
    #[test]
    fn at_most_a_few_guesses_an_hour() {
        let mut now = Timestamp::from_unix(0);
        let end = now.plus_seconds(3600);
        let mut failures = 0;
        while now < end {
            failures += 1;
            if let Some(until) = locked_until(failures, now) {
                now = until;
            }
        }
        assert!(failures <= 15, "{failures} guesses in an hour");
    }
}
