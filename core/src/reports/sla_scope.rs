//! SLA targets for one channel or one label of a team, over the team's own policy, and
//! the targets a conversation keeps: each target a label sets wins (the shortest when
//! several of its labels set it), then its channel's, then its team's.

use super::sla::SlaPolicy;
use crate::error::{CoreError, Result};
use crate::ids::TeamId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The channels a target may be set for.
pub const SCOPE_CHANNELS: [&str; 3] = ["whatsapp", "messenger", "email"];

/// What a team's targets are refined for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum SlaScope {
    /// Conversations on one channel (`whatsapp`, `messenger`, `email`).
    Channel(String),
    /// Conversations carrying one label.
    Label(String),
}

impl SlaScope {
    /// The scope checked: a known channel, or a label of 1 to 40 characters.
    pub fn checked(&self) -> Result<Self> {
        match self {
            Self::Channel(c) if SCOPE_CHANNELS.contains(&c.as_str()) => Ok(self.clone()),
            Self::Channel(_) => Err(CoreError::invalid(
                "channel",
                "choose WhatsApp, Messenger or e-mail",
            )),
            Self::Label(l) => {
                let l = l.trim();
                if l.is_empty() || l.chars().count() > 40 {
                    return Err(CoreError::invalid(
                        "label",
                        "write a label of 1 to 40 characters",
                    ));
                }
                Ok(Self::Label(l.to_string()))
            }
        }
    }
}

/// A team's targets for one channel or label; a target left empty keeps the team's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SlaOverride {
    pub scope: SlaScope,
    pub policy: SlaPolicy,
}

/// The targets a conversation keeps from its team's policy, its channel's targets and its
/// labels' targets (see the module's rule); `None` when nothing sets any.
pub fn effective(
    team: Option<&SlaPolicy>,
    channel: Option<&SlaPolicy>,
    labels: &[SlaPolicy],
) -> Option<SlaPolicy> {
    let pick = |get: fn(&SlaPolicy) -> Option<u32>| -> Option<u32> {
        labels
            .iter()
            .filter_map(get)
            .min()
            .or_else(|| channel.and_then(get))
            .or_else(|| team.and_then(get))
    };
    let policy = SlaPolicy {
        first_response_minutes: pick(|p| p.first_response_minutes),
        next_response_minutes: pick(|p| p.next_response_minutes),
        resolution_minutes: pick(|p| p.resolution_minutes),
    };
    (!policy.is_empty()).then_some(policy)
}

/// Every team's policy and refinements, for a report over many conversations.
#[derive(Clone, Debug, Default)]
pub struct SlaPolicies {
    pub teams: BTreeMap<TeamId, SlaPolicy>,
    pub overrides: BTreeMap<TeamId, Vec<SlaOverride>>,
}

impl SlaPolicies {
    /// The targets of a conversation of `team` on `channel` with `labels`.
    pub fn for_conversation(
        &self,
        team: TeamId,
        channel: &str,
        labels: &[String],
    ) -> Option<SlaPolicy> {
        let refined = self.overrides.get(&team).map(Vec::as_slice).unwrap_or(&[]);
        let channel_policy = refined
            .iter()
            .find(|o| matches!(&o.scope, SlaScope::Channel(c) if c == channel))
            .map(|o| &o.policy);
        let label_policies: Vec<SlaPolicy> = refined
            .iter()
            .filter(|o| {
                matches!(&o.scope, SlaScope::Label(l) if labels.iter().any(|x| x.eq_ignore_ascii_case(l)))
            })
            .map(|o| o.policy)
            .collect();
        effective(self.teams.get(&team), channel_policy, &label_policies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(first: Option<u32>, next: Option<u32>, resolution: Option<u32>) -> SlaPolicy {
        SlaPolicy {
            first_response_minutes: first,
            next_response_minutes: next,
            resolution_minutes: resolution,
        }
    }

    #[test]
    fn a_label_beats_the_channel_which_beats_the_team_target_by_target() {
        let team = policy(Some(60), Some(120), Some(2880));
        let whatsapp = policy(Some(15), None, None);
        let vip = policy(Some(5), None, Some(480));
        let urgent = policy(Some(10), None, Some(240));
        assert_eq!(
            effective(Some(&team), Some(&whatsapp), &[]),
            Some(policy(Some(15), Some(120), Some(2880)))
        );
        assert_eq!(
            effective(Some(&team), Some(&whatsapp), &[vip, urgent]),
            Some(policy(Some(5), Some(120), Some(240))),
            "the shortest of the labels' targets"
        );
        assert_eq!(effective(None, Some(&whatsapp), &[]), Some(whatsapp));
        assert_eq!(effective(None, None, &[]), None);
    }

    #[test]
    fn a_report_finds_each_conversation_its_targets() {
        let t = TeamId::new(1);
        let mut all = SlaPolicies::default();
        all.teams.insert(t, policy(Some(60), None, None));
        all.overrides.insert(
            t,
            vec![
                SlaOverride {
                    scope: SlaScope::Channel("email".into()),
                    policy: policy(Some(480), None, None),
                },
                SlaOverride {
                    scope: SlaScope::Label("VIP".into()),
                    policy: policy(Some(5), None, None),
                },
            ],
        );
        let first = |channel: &str, labels: &[String]| {
            all.for_conversation(t, channel, labels)
                .and_then(|p| p.first_response_minutes)
        };
        assert_eq!(first("email", &[]), Some(480));
        assert_eq!(first("whatsapp", &[]), Some(60));
        assert_eq!(first("email", &["vip".into()]), Some(5));
        assert_eq!(all.for_conversation(TeamId::new(2), "email", &[]), None);
    }

    #[test]
    fn scopes_are_checked_at_their_field() {
        assert!(SlaScope::Channel("sms".into()).checked().is_err());
        assert_eq!(
            SlaScope::Label("  vip ".into()).checked().ok(),
            Some(SlaScope::Label("vip".into()))
        );
        assert!(SlaScope::Label(" ".into()).checked().is_err());
    }
}
