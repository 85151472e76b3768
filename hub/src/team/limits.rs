//! Sign-in rate limits: failed attempts counted per account from one network address and
//! per address in a sliding window (never per account from everywhere: then anyone could
//! lock a user out of the hub; the core's whole-account lock, far higher, bounds guessers
//! spread over many addresses), and every first step (which costs an Argon2 hash, failed or not)
//! per address. Over a limit, the hub refuses before checking the password, so a guesser
//! also cannot make it spend Argon2 time. IPv6 addresses count by their /64, the block
//! one household or office usually gets.

use appcare_core::SessionToken;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `failures` in `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub failures: usize,
    pub window: Duration,
}

impl Limit {
    /// `failures` (at least 1) in `minutes`.
    pub fn per_minutes(failures: usize, minutes: u64) -> Self {
        Self {
            failures: failures.max(1),
            window: Duration::from_secs(minutes * 60),
        }
    }
}

/// Keys no more than this many per kind are remembered; beyond it, the oldest go.
const MAX_KEYS: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// An account's failures from one address block.
    Account(String, IpAddr),
    Address(IpAddr),
}

/// The address a limit counts: IPv4 as is, IPv6 by its /64 (an IPv4-mapped one as IPv4).
fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

pub struct SignInLimits {
    account: Limit,
    address: Limit,
    attempts: Limit,
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
    /// Every first sign-in step per address, failed or not.
    begun: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
    /// Which account each pending sign-in (by token hash) named.
    pending: Mutex<HashMap<[u8; 32], (String, Instant)>>,
}

/// How long a pending sign-in is remembered for its code step.
const PENDING_FOR: Duration = Duration::from_secs(15 * 60);

/// Drops the times that have left the sliding window.
fn expire(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

impl SignInLimits {
    /// `account` and `address` limit failures; `attempts` limits first steps per address.
    pub fn new(account: Limit, address: Limit, attempts: Limit) -> Self {
        Self {
            account,
            address,
            attempts,
            failures: Mutex::new(HashMap::new()),
            begun: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Remembers which account a new sign-in's token belongs to.
    pub fn remember(&self, token: &SessionToken, account: &str, now: Instant) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.len() >= MAX_KEYS {
            pending.retain(|_, (_, at)| now.saturating_duration_since(*at) < PENDING_FOR);
        }
        pending.insert(token.hash(), (account.trim().to_lowercase(), now));
    }

    /// The account a pending sign-in named, if the hub saw its first step lately.
    pub fn account_of(&self, token: &SessionToken, now: Instant) -> Option<String> {
        let pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending
            .get(&token.hash())
            .filter(|(_, at)| now.saturating_duration_since(*at) < PENDING_FOR)
            .map(|(a, _)| a.clone())
    }

    /// Admits one first sign-in step from `address` and counts it, or `Err(seconds to
    /// wait)` when the address has begun too many lately. Checked and counted at once,
    /// so parallel requests cannot all slip under the limit.
    pub fn admit_attempt(&self, address: IpAddr, now: Instant) -> Result<(), u64> {
        let mut begun = self.begun.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.attempts.window;
        if begun.len() >= MAX_KEYS {
            begun.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.saturating_duration_since(*t) < window)
            });
        }
        let times = begun.entry(address_key(address)).or_default();
        expire(times, now, window);
        if times.len() >= self.attempts.failures {
            let oldest = times.front().copied().unwrap_or(now);
            let wait = window.saturating_sub(now.saturating_duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        times.push_back(now);
        Ok(())
    }

    /// The counters an attempt touches, with the limit of each.
    fn keys(&self, account: Option<&str>, address: IpAddr) -> Vec<(Key, Limit)> {
        let mut keys = Vec::with_capacity(2);
        let block = address_key(address);
        if let Some(account) = account {
            keys.push((
                Key::Account(account.trim().to_lowercase(), block),
                self.account,
            ));
        }
        keys.push((Key::Address(block), self.address));
        keys
    }

    /// `Err(seconds to wait)` when the account or the address is over its limit.
    pub fn check(&self, account: Option<&str>, address: IpAddr, now: Instant) -> Result<(), u64> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None::<Duration>;
        for (key, limit) in self.keys(account, address) {
            let Some(times) = failures.get(&key) else {
                continue;
            };
            let recent: Vec<&Instant> = times
                .iter()
                .filter(|t| now.saturating_duration_since(**t) < limit.window)
                .collect();
            if recent.len() >= limit.failures {
                let oldest = recent[recent.len() - limit.failures];
                let until = limit.window - now.saturating_duration_since(*oldest);
                wait = Some(wait.map_or(until, |w| w.max(until)));
            }
        }
        match wait {
            Some(w) => Err(w.as_secs().max(1)),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt.
    pub fn record_failure(&self, account: Option<&str>, address: IpAddr, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_KEYS {
            let horizon = self.account.window.max(self.address.window);
            failures.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.saturating_duration_since(*t) < horizon)
            });
        }
        for (key, limit) in self.keys(account, address) {
            let times = failures.entry(key).or_default();
            expire(times, now, limit.window);
            times.push_back(now);
            while times.len() > limit.failures {
                times.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> SignInLimits {
        SignInLimits::new(
            Limit::per_minutes(5, 5),
            Limit::per_minutes(3, 5),
            Limit::per_minutes(4, 5),
        )
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_block() {
        let l = limits();
        let now = Instant::now();
        for i in 1..=3u16 {
            let addr = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, i));
            l.record_failure(None, addr, now);
        }
        let neighbour = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 9, 9, 9, 9));
        assert!(l.check(None, neighbour, now).is_err());
        let other_block = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 0, 0, 0, 1));
        assert!(l.check(None, other_block, now).is_ok());
    }

    #[test]
    fn first_steps_are_limited_per_address_even_when_none_fails() {
        let l = limits();
        let now = Instant::now();
        let addr: IpAddr = "192.0.2.7".parse().expect("address");
        for _ in 0..4 {
            assert!(l.admit_attempt(addr, now).is_ok());
        }
        let wait = l.admit_attempt(addr, now).expect_err("over the limit");
        assert!((1..=300).contains(&wait), "{wait}");
        assert!(l
            .admit_attempt("192.0.2.8".parse().expect("address"), now)
            .is_ok());
        // The window slides: after it, the address may begin again.
        assert!(l
            .admit_attempt(addr, now + Duration::from_secs(301))
            .is_ok());
    }

    #[test]
    fn a_pending_sign_in_is_forgotten_after_its_time() {
        let l = limits();
        let now = Instant::now();
        let token = SessionToken::from_client("pending-token");
        l.remember(&token, " Alex ", now);
        assert_eq!(l.account_of(&token, now).as_deref(), Some("alex"));
        assert_eq!(l.account_of(&token, now + PENDING_FOR), None);
    }

    /// Finding 12: one address's wrong passwords must not lock a user out of the hub
    /// from every other address (the core's whole-account lock, far higher, still
    /// bounds guessers spread over many addresses).
    #[test]
    fn an_account_failing_from_one_address_is_still_admitted_from_another() {
        let l = SignInLimits::new(
            Limit::per_minutes(2, 5),
            Limit::per_minutes(100, 5),
            Limit::per_minutes(100, 5),
        );
        let now = Instant::now();
        let guesser: IpAddr = "198.51.100.9".parse().expect("address");
        let office: IpAddr = "192.0.2.20".parse().expect("address");
        for _ in 0..3 {
            l.record_failure(Some("alex"), guesser, now);
        }
        assert!(l.check(Some("alex"), guesser, now).is_err());
        assert!(l.check(Some("Alex "), guesser, now).is_err());
        assert_eq!(l.check(Some("alex"), office, now), Ok(()));
        assert_eq!(l.check(Some("sam"), guesser, now), Ok(()));
    }

    #[test]
    fn a_limit_of_zero_is_one() {
        assert_eq!(Limit::per_minutes(0, 1).failures, 1);
    }
}
