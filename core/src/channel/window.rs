//! The customer-service window: when free-form replies are allowed. WhatsApp: 24 hours
//! after the customer's last message, templates only after that. Messenger: 24 hours, or
//! 7 days with the HUMAN_AGENT tag when the app has that permission. Email: always.

use crate::channel::Channel;
use crate::time::Timestamp;
use serde::Serialize;

pub const STANDARD_WINDOW_SECONDS: i64 = 24 * 3600;
pub const HUMAN_AGENT_WINDOW_SECONDS: i64 = 7 * 24 * 3600;
pub const HUMAN_AGENT_TAG: &str = "HUMAN_AGENT";

/// What the composer may send now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReplyWindow {
    pub channel: String,
    /// A free-form reply is allowed now.
    pub open: bool,
    /// When free-form replies stop (or stopped) being allowed.
    pub closes_at: Option<Timestamp>,
    /// WhatsApp outside the window: only an approved template can be sent.
    pub needs_template: bool,
    /// Messenger after 24 hours: the reply goes with the HUMAN_AGENT tag.
    pub tagged: bool,
}

/// The window of a conversation; `None` for channels without one (email).
pub fn reply_window(
    channel: Channel,
    last_customer_message_at: Option<Timestamp>,
    human_agent: bool,
    now: Timestamp,
) -> Option<ReplyWindow> {
    let standard_end = last_customer_message_at.map(|t| t.plus_seconds(STANDARD_WINDOW_SECONDS));
    match channel {
        Channel::Email => None,
        Channel::WhatsApp => {
            let open = standard_end.is_some_and(|end| now < end);
            Some(ReplyWindow {
                channel: channel.as_str().into(),
                open,
                closes_at: standard_end,
                needs_template: !open,
                tagged: false,
            })
        }
        Channel::Messenger => {
            let tagged_end = last_customer_message_at
                .filter(|_| human_agent)
                .map(|t| t.plus_seconds(HUMAN_AGENT_WINDOW_SECONDS));
            let standard_open = standard_end.is_some_and(|end| now < end);
            let tagged_open = !standard_open && tagged_end.is_some_and(|end| now < end);
            Some(ReplyWindow {
                channel: channel.as_str().into(),
                open: standard_open || tagged_open,
                closes_at: if standard_open {
                    standard_end
                } else {
                    tagged_end.or(standard_end)
                },
                needs_template: false,
                tagged: tagged_open,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp::from_unix(1_800_000_000);

    #[test]
    fn whatsapp_closes_after_24_hours_and_then_needs_a_template() {
        let inside = reply_window(
            Channel::WhatsApp,
            Some(T0),
            false,
            T0.plus_seconds(23 * 3600),
        )
        .expect("window");
        assert!(inside.open && !inside.needs_template);
        assert_eq!(inside.closes_at, Some(T0.plus_seconds(24 * 3600)));
        let outside = reply_window(
            Channel::WhatsApp,
            Some(T0),
            true,
            T0.plus_seconds(24 * 3600),
        )
        .expect("window");
        assert!(!outside.open && outside.needs_template);
        let never = reply_window(Channel::WhatsApp, None, false, T0).expect("window");
        assert!(!never.open && never.needs_template);
    }

    #[test]
    fn messenger_uses_the_human_agent_tag_up_to_7_days_only_with_the_permission() {
        let day2 = T0.plus_seconds(30 * 3600);
        let tagged = reply_window(Channel::Messenger, Some(T0), true, day2).expect("window");
        assert!(tagged.open && tagged.tagged && !tagged.needs_template);
        assert_eq!(tagged.closes_at, Some(T0.plus_seconds(7 * 24 * 3600)));
        let untagged = reply_window(Channel::Messenger, Some(T0), false, day2).expect("window");
        assert!(!untagged.open && !untagged.tagged);
        let fresh =
            reply_window(Channel::Messenger, Some(T0), true, T0.plus_seconds(60)).expect("window");
        assert!(fresh.open && !fresh.tagged);
        let late = reply_window(
            Channel::Messenger,
            Some(T0),
            true,
            T0.plus_seconds(8 * 24 * 3600),
        )
        .expect("window");
        assert!(!late.open);
        assert!(reply_window(Channel::Email, None, false, T0).is_none());
    }
}
