//! SLA policies and clocks: how long a team promises a first reply, a next reply and a
//! resolution may take, and, for one conversation, which promise its clock keeps (the
//! reply the customer waits for, else the resolution), when it warns (three quarters of the target used) and when it is breached, counted in the
//! team's business hours (calendar time when it has none).

use crate::error::{CoreError, Result};
use crate::reports::hours::Checked;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The longest target: a year, in minutes.
pub const MAX_TARGET_MINUTES: u32 = 525_600;
/// A clock warns when this share (in percent) of its target is used.
pub const WARN_PERCENT: i64 = 75;

/// What a clock measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// An agent's first reply to a new conversation.
    FirstResponse,
    /// An agent's reply after the customer wrote again.
    NextResponse,
    /// The conversation resolved (counted from its opening or last reopening).
    Resolution,
}

impl SlaTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::NextResponse => "next_response",
            Self::Resolution => "resolution",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "first_response" => Some(Self::FirstResponse),
            "next_response" => Some(Self::NextResponse),
            "resolution" => Some(Self::Resolution),
            _ => None,
        }
    }
}

/// A team's targets in minutes of business hours; `None`: not tracked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SlaPolicy {
    /// The rule of [`SlaPolicy::checked`], declared for the team API's document.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 525_600)))]
    pub first_response_minutes: Option<u32>,
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 525_600)))]
    pub next_response_minutes: Option<u32>,
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 525_600)))]
    pub resolution_minutes: Option<u32>,
}

impl SlaPolicy {
    /// The policy checked: each target between a minute and a year.
    pub fn checked(self) -> Result<Self> {
        for (field, minutes) in [
            ("first response", self.first_response_minutes),
            ("next response", self.next_response_minutes),
            ("resolution", self.resolution_minutes),
        ] {
            if minutes.is_some_and(|m| m == 0 || m > MAX_TARGET_MINUTES) {
                return Err(CoreError::invalid(
                    field,
                    "give a target between 1 minute and 365 days, or leave it empty",
                ));
            }
        }
        Ok(self)
    }

    /// Whether any target is set.
    pub fn is_empty(&self) -> bool {
        self.first_response_minutes.is_none()
            && self.next_response_minutes.is_none()
            && self.resolution_minutes.is_none()
    }

    fn minutes(&self, target: SlaTarget) -> Option<u32> {
        match target {
            SlaTarget::FirstResponse => self.first_response_minutes,
            SlaTarget::NextResponse => self.next_response_minutes,
            SlaTarget::Resolution => self.resolution_minutes,
        }
    }
}

/// What a conversation's clocks are made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockFacts {
    pub resolved: bool,
    pub created_at: Timestamp,
    pub first_reply_at: Option<Timestamp>,
    /// The customer's first message since the last agent reply.
    pub awaiting_since: Option<Timestamp>,
    /// The last time it was reopened after being resolved.
    pub reopened_at: Option<Timestamp>,
}

/// One running clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SlaClock {
    pub target: SlaTarget,
    /// When this clock started: with the target, what names it (a warning or breach is
    /// recorded once per clock, however often its due time is recomputed).
    pub started_at: Timestamp,
    pub warn_at: Timestamp,
    pub due_at: Timestamp,
}

/// The time `minutes` (times `percent`/100) after `from`, in business hours when the team
/// has them; `None` when the hours never reach it.
fn after(
    from: Timestamp,
    minutes: u32,
    percent: i64,
    hours: Option<&Checked>,
) -> Option<Timestamp> {
    let seconds = i64::from(minutes) * 60 * percent / 100;
    match hours {
        Some(hours) => hours.add_seconds(from, seconds),
        None => Some(from.plus_seconds(seconds)),
    }
}

/// The conversation's clock, if any. Nothing runs on a resolved conversation. While the
/// customer waits for a reply, that clock is the one (the first-response clock from
/// creation, or the last reopening, until an agent's first reply; the next-response clock
/// from the customer's first unanswered message after that), so a missed resolution never
/// hides a reply that is due; otherwise the resolution clock, from creation (or the last
/// reopening) until resolved. A policy without the waiting reply's target falls back to
/// the resolution clock.
pub fn first_due(
    facts: &ClockFacts,
    policy: &SlaPolicy,
    hours: Option<&Checked>,
) -> Option<SlaClock> {
    if facts.resolved {
        return None;
    }
    let opened = facts
        .reopened_at
        .map_or(facts.created_at, |r| r.max(facts.created_at));
    let reply = match facts.first_reply_at {
        None => Some((SlaTarget::FirstResponse, opened)),
        Some(_) => facts
            .awaiting_since
            .map(|since| (SlaTarget::NextResponse, since)),
    };
    [reply, Some((SlaTarget::Resolution, opened))]
        .into_iter()
        .flatten()
        .find_map(|(target, start)| {
            let minutes = policy.minutes(target)?;
            Some(SlaClock {
                target,
                started_at: start,
                warn_at: after(start, minutes, WARN_PERCENT, hours)?,
                due_at: after(start, minutes, 100, hours)?,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::BusinessHours;

    fn facts() -> ClockFacts {
        ClockFacts {
            resolved: false,
            created_at: Timestamp::from_unix(1_000_000),
            first_reply_at: None,
            awaiting_since: None,
            reopened_at: None,
        }
    }

    #[test]
    fn the_clock_due_first_is_chosen_and_resolved_conversations_have_none() {
        let policy = SlaPolicy {
            first_response_minutes: Some(60),
            next_response_minutes: Some(30),
            resolution_minutes: Some(8 * 60),
        };
        let created = facts().created_at;
        let clock = first_due(&facts(), &policy, None).expect("a clock");
        assert_eq!(clock.target, SlaTarget::FirstResponse);
        assert_eq!(clock.due_at, created.plus_seconds(3600));
        assert_eq!(clock.warn_at, created.plus_seconds(2700));
        // Answered and the customer wrote again: next response from that message.
        let again = created.plus_seconds(7000);
        let answered = ClockFacts {
            first_reply_at: Some(created.plus_seconds(100)),
            awaiting_since: Some(again),
            ..facts()
        };
        let clock = first_due(&answered, &policy, None).expect("a clock");
        assert_eq!(
            (clock.target, clock.due_at),
            (SlaTarget::NextResponse, again.plus_seconds(1800))
        );
        // Answered and nobody waiting: only resolution runs.
        let quiet = ClockFacts {
            awaiting_since: None,
            ..answered
        };
        let clock = first_due(&quiet, &policy, None).expect("a clock");
        assert_eq!(clock.target, SlaTarget::Resolution);
        let resolved = ClockFacts {
            resolved: true,
            ..facts()
        };
        assert_eq!(first_due(&resolved, &policy, None), None);
        assert_eq!(first_due(&facts(), &SlaPolicy::default(), None), None);
    }

    #[test]
    fn a_missed_resolution_never_hides_a_reply_that_is_due_and_a_reopening_restarts() {
        let policy = SlaPolicy {
            first_response_minutes: Some(60),
            next_response_minutes: Some(30),
            resolution_minutes: Some(1),
        };
        let created = facts().created_at;
        let again = created.plus_seconds(7000);
        let waiting = ClockFacts {
            first_reply_at: Some(created.plus_seconds(30)),
            awaiting_since: Some(again),
            ..facts()
        };
        let clock = first_due(&waiting, &policy, None).expect("a clock");
        assert_eq!(
            (clock.target, clock.started_at),
            (SlaTarget::NextResponse, again)
        );
        // Reopened before anyone answered: the first reply is due from the reopening.
        let reopened = created.plus_seconds(86_400);
        let unanswered = ClockFacts {
            reopened_at: Some(reopened),
            ..facts()
        };
        let clock = first_due(&unanswered, &policy, None).expect("a clock");
        assert_eq!(
            (clock.target, clock.due_at),
            (SlaTarget::FirstResponse, reopened.plus_seconds(3600))
        );
    }

    #[test]
    fn a_clock_counts_business_hours_and_targets_are_bounded() {
        let hours = BusinessHours::office("UTC").checked().expect("valid");
        let policy = SlaPolicy {
            first_response_minutes: Some(120),
            ..SlaPolicy::default()
        };
        // Friday 2026-12-04 16:00 UTC: one hour on Friday, one on Monday.
        let friday = Timestamp::from_unix(1_796_342_400 + 16 * 3600);
        let clock = first_due(
            &ClockFacts {
                created_at: friday,
                ..facts()
            },
            &policy,
            Some(&hours),
        )
        .expect("a clock");
        assert_eq!(clock.due_at.unix() - friday.unix(), 3 * 86_400 - 6 * 3600);
        assert!(SlaPolicy {
            resolution_minutes: Some(0),
            ..SlaPolicy::default()
        }
        .checked()
        .is_err());
        assert!(policy.checked().is_ok());
    }
}
