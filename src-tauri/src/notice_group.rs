//! Desktop notifications grouped, so a burst of customer replies is one notification and
//! not ten: the first after a quiet spell shows at once; those that come within
//! [`WINDOW`] of it are held and shown together when the window ends ("3 more: 2
//! customer replies, 1 mention"). A handoff always shows at once: it carries a note the
//! person must read.

use std::time::{Duration, Instant};

/// How long after a notification further ones are held.
pub const WINDOW: Duration = Duration::from_secs(10);

/// What kind of notice, for grouping and the summary's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Handoff,
    Mention,
    NewConversation,
    CustomerReply,
    SlaBreach,
}

impl NoticeKind {
    fn words(self, n: usize) -> String {
        let (one, many) = match self {
            Self::Handoff => ("handoff", "handoffs"),
            Self::Mention => ("mention", "mentions"),
            Self::NewConversation => ("new conversation", "new conversations"),
            Self::CustomerReply => ("customer reply", "customer replies"),
            Self::SlaBreach => ("missed SLA target", "missed SLA targets"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

/// What to do with a notice offered now.
#[derive(Debug, PartialEq, Eq)]
pub enum Offer {
    /// Show it now.
    Show,
    /// Held for the summary; `flush_in`: when the summary is due, if no flush was set
    /// up yet (the caller sets one up).
    Held { flush_in: Option<Duration> },
}

#[derive(Default)]
pub struct NoticeGroup {
    last_shown: Option<Instant>,
    held: Vec<NoticeKind>,
    flush_due: bool,
}

impl NoticeGroup {
    pub const fn new() -> Self {
        Self {
            last_shown: None,
            held: Vec::new(),
            flush_due: false,
        }
    }

    pub fn offer(&mut self, kind: NoticeKind, now: Instant) -> Offer {
        let quiet = self
            .last_shown
            .is_none_or(|at| now.saturating_duration_since(at) >= WINDOW);
        if kind == NoticeKind::Handoff || (quiet && self.held.is_empty()) {
            self.last_shown = Some(now);
            return Offer::Show;
        }
        self.held.push(kind);
        if self.flush_due {
            return Offer::Held { flush_in: None };
        }
        self.flush_due = true;
        let since = self
            .last_shown
            .map(|at| now.saturating_duration_since(at))
            .unwrap_or(WINDOW);
        Offer::Held {
            flush_in: Some(WINDOW.saturating_sub(since)),
        }
    }

    /// The summary of what was held (title, body), if anything was; a new window starts.
    pub fn flush(&mut self, now: Instant) -> Option<(String, String)> {
        self.flush_due = false;
        if self.held.is_empty() {
            return None;
        }
        let held = std::mem::take(&mut self.held);
        self.last_shown = Some(now);
        let mut parts: Vec<String> = Vec::new();
        for kind in [
            NoticeKind::Handoff,
            NoticeKind::Mention,
            NoticeKind::NewConversation,
            NoticeKind::CustomerReply,
            NoticeKind::SlaBreach,
        ] {
            let n = held.iter().filter(|k| **k == kind).count();
            if n > 0 {
                parts.push(kind.words(n));
            }
        }
        Some((
            format!(
                "{} more update{} in Appcare Inbox",
                held.len(),
                if held.len() == 1 { "" } else { "s" }
            ),
            format!("{}.", parts.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_shows_one_then_one_summary_and_handoffs_always_show() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let mut group = NoticeGroup::default();
        assert_eq!(group.offer(NoticeKind::CustomerReply, at(0)), Offer::Show);
        assert_eq!(
            group.offer(NoticeKind::CustomerReply, at(2)),
            Offer::Held {
                flush_in: Some(Duration::from_secs(8))
            }
        );
        assert_eq!(
            group.offer(NoticeKind::Mention, at(3)),
            Offer::Held { flush_in: None }
        );
        assert_eq!(group.offer(NoticeKind::Handoff, at(4)), Offer::Show);
        assert_eq!(
            group.offer(NoticeKind::CustomerReply, at(5)),
            Offer::Held { flush_in: None }
        );
        assert_eq!(
            group.flush(at(10)),
            Some((
                "3 more updates in Appcare Inbox".to_string(),
                "1 mention, 2 customer replies.".to_string()
            ))
        );
        assert_eq!(group.flush(at(10)), None, "nothing held, nothing shown");
        // Within the window after the summary: held again; after a quiet spell: at once.
        assert!(matches!(
            group.offer(NoticeKind::NewConversation, at(12)),
            Offer::Held { flush_in: Some(_) }
        ));
        assert_eq!(
            group.flush(at(20)),
            Some((
                "1 more update in Appcare Inbox".to_string(),
                "1 new conversation.".to_string()
            ))
        );
        assert_eq!(group.offer(NoticeKind::SlaBreach, at(31)), Offer::Show);
    }
}
