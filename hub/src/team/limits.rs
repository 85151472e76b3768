//! Sign-in rate limits: failed attempts counted per account and per network address in
//! a sliding window. Over the limit, the hub refuses before checking the password, so a
//! guesser also cannot make it spend Argon2 time.

use appcare_core::SessionToken;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `failures` in `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub failures: usize,
    pub window: Duration,
}

impl Limit {
    pub fn per_minutes(failures: usize, minutes: u64) -> Self {
        Self {
            failures,
            window: Duration::from_secs(minutes * 60),
        }
    }
}

/// Keys no more than this many per kind are remembered; beyond it, the oldest go.
const MAX_KEYS: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(std::net::IpAddr),
}

pub struct SignInLimits {
    account: Limit,
    address: Limit,
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
    /// Which account each pending sign-in (by token hash) named.
    pending: Mutex<HashMap<[u8; 32], (String, Instant)>>,
}

/// How long a pending sign-in is remembered for its code step.
const PENDING_FOR: Duration = Duration::from_secs(15 * 60);

fn token_key(token: &SessionToken) -> [u8; 32] {
    Sha256::digest(token.expose().as_bytes()).into()
}

impl SignInLimits {
    pub fn new(account: Limit, address: Limit) -> Self {
        Self {
            account,
            address,
            failures: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// Remembers which account a new sign-in's token belongs to.
    pub fn remember(&self, token: &SessionToken, account: &str, now: Instant) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.len() >= MAX_KEYS {
            pending.retain(|_, (_, at)| now.saturating_duration_since(*at) < PENDING_FOR);
        }
        pending.insert(token_key(token), (account.trim().to_lowercase(), now));
    }

    /// The account a pending sign-in named, if the hub saw its first step.
    pub fn account_of(&self, token: &SessionToken) -> Option<String> {
        let pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending.get(&token_key(token)).map(|(a, _)| a.clone())
    }

    /// The counters an attempt touches, with the limit of each.
    fn keys(&self, account: Option<&str>, address: std::net::IpAddr) -> Vec<(Key, Limit)> {
        let mut keys = Vec::with_capacity(2);
        if let Some(account) = account {
            keys.push((Key::Account(account.trim().to_lowercase()), self.account));
        }
        keys.push((Key::Address(address), self.address));
        keys
    }

    /// `Err(seconds to wait)` when the account or the address is over its limit.
    pub fn check(
        &self,
        account: Option<&str>,
        address: std::net::IpAddr,
        now: Instant,
    ) -> Result<(), u64> {
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
    pub fn record_failure(&self, account: Option<&str>, address: std::net::IpAddr, now: Instant) {
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
            while times
                .front()
                .is_some_and(|t| now.saturating_duration_since(*t) >= limit.window)
            {
                times.pop_front();
            }
            times.push_back(now);
            while times.len() > limit.failures {
                times.pop_front();
            }
        }
    }
}
