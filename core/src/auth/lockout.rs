//! The lockout schedule: after a few failures each further failure locks the account for
//! twice as long as the one before, capped, so no account sees more than a handful of
//! guesses an hour (well under the limit of 100).

use crate::time::Timestamp;

/// Failures allowed before the first lock.
pub const FREE_ATTEMPTS: i64 = 5;
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
