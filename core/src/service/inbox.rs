//! The inbox: the list of conversations a person may work (Mine, Unassigned, My teams,
//! All), search over messages and contacts, and one conversation with its history.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::error::{CoreError, Result};
use crate::ids::{ContactId, ConversationId, MessageId, TeamId, UserId};
use crate::secret::SessionToken;
use crate::service::drafts::DraftView;
use crate::service::message_parts::MessageParts;
pub use crate::service::message_parts::{QuoteView, ReactionView};
use crate::service::triage::Priority;
use crate::service::Caller;
use crate::store::conversations::{
    self as conv_store, ConversationRowData, ListCursor, ListFilter, Viewer,
};
use crate::store::search::fts_query;
use crate::time::Timestamp;
use crate::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// The customer-service window of WhatsApp and Messenger: 24 hours after the customer's
/// last message.
pub const REPLY_WINDOW_SECONDS: i64 = 24 * 3600;
pub const PAGE_SIZE: i64 = 50;
const MESSAGE_PAGE: i64 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InboxView {
    Mine,
    Unassigned,
    MyTeams,
    All,
    /// Conversations where a note names the caller.
    Mentions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    Open,
    Pending,
    Snoozed,
    Resolved,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Pending => "pending",
            Self::Snoozed => "snoozed",
            Self::Resolved => "resolved",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "snoozed" => Self::Snoozed,
            "resolved" => Self::Resolved,
            _ => Self::Open,
        }
    }
}

/// Where the next page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PageCursor {
    pub last_activity_at: Timestamp,
    pub id: ConversationId,
    /// The last row's priority (read when the list is sorted by priority).
    #[serde(default)]
    pub priority: Priority,
    /// The last row's SLA due time (read when the list is sorted by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sla_due_at: Option<Timestamp>,
}

/// The order of the inbox list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InboxSort {
    /// Newest activity first.
    #[default]
    Activity,
    /// Most urgent first, then newest activity.
    Priority,
    /// Only conversations with a running SLA clock, the one due first at the top.
    SlaDue,
}

/// What the inbox list asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InboxQuery {
    pub view: Option<InboxView>,
    pub status: Option<ConversationStatus>,
    pub channel: Option<String>,
    pub team: Option<TeamId>,
    pub label: Option<String>,
    /// Only conversations of this priority.
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub sort: Option<InboxSort>,
    pub after: Option<PageCursor>,
}

/// One row of the inbox list.
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub version: i64,
    pub contact_id: ContactId,
    pub contact_name: String,
    pub channel: String,
    pub subject: String,
    pub preview: String,
    pub status: ConversationStatus,
    pub snoozed_until: Option<Timestamp>,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub team_id: Option<TeamId>,
    pub team_name: Option<String>,
    pub unread: i64,
    pub last_activity_at: Timestamp,
    pub waiting_since: Timestamp,
    /// WhatsApp and Messenger: when free-form replies stop being allowed.
    pub reply_window_ends_at: Option<Timestamp>,
    /// The customer asked not to be contacted: replies are refused.
    pub do_not_contact: bool,
    pub priority: Priority,
    /// The conversation's SLA clock (the reply the customer waits for, else the
    /// resolution), when its team has a policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sla: Option<crate::reports::SlaClock>,
}

impl From<ConversationRowData> for ConversationSummary {
    fn from(r: ConversationRowData) -> Self {
        let windowed = matches!(r.channel.as_str(), "whatsapp" | "messenger");
        Self {
            id: r.id,
            version: r.version,
            contact_id: r.contact_id,
            contact_name: r.contact_name,
            channel: r.channel,
            subject: r.subject,
            preview: r.preview,
            status: ConversationStatus::parse(&r.status),
            snoozed_until: r.snoozed_until,
            assignee_id: r.assignee_id,
            assignee_name: r.assignee_name,
            team_id: r.team_id,
            team_name: r.team_name,
            unread: r.unread,
            last_activity_at: r.last_activity_at,
            waiting_since: r.created_at,
            reply_window_ends_at: r
                .last_customer_message_at
                .filter(|_| windowed)
                .map(|t| t.plus_seconds(REPLY_WINDOW_SECONDS)),
            do_not_contact: r.do_not_contact,
            priority: Priority::from_level(r.priority),
            sla: r.sla,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InboxPage {
    pub rows: Vec<ConversationSummary>,
    pub next: Option<PageCursor>,
}

#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    pub conversation_id: ConversationId,
    pub message_id: Option<MessageId>,
    pub contact_name: String,
    pub channel: String,
    /// Matched words are wrapped in U+0002 … U+0003.
    pub snippet: String,
    pub at: Timestamp,
}

#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttachmentInfo {
    pub id: i64,
    pub file_name: String,
    pub mime_type: String,
    pub size: i64,
}

/// An attachment's bytes, opened on demand (base64, as IPC carries JSON).
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttachmentContent {
    pub file_name: String,
    pub mime_type: String,
    pub data_base64: String,
}

impl std::fmt::Debug for AttachmentContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "AttachmentContent({} bytes, <redacted>)",
            self.data_base64.len()
        )
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MessageView {
    pub id: MessageId,
    pub direction: String,
    pub author: Option<String>,
    pub body: String,
    pub status: String,
    /// Why a send finally failed, in plain words with the provider's code.
    pub failure: Option<String>,
    pub at: Timestamp,
    pub attachments: Vec<AttachmentInfo>,
    /// Card numbers or IBANs in it were masked before it was stored.
    pub masked: bool,
    /// An e-mail whose formatted (HTML) version can be shown ([`Workspace::email_html`]).
    pub has_html: bool,
    /// A customer's e-mail: when its `Date:` header says it was written (the sender's
    /// clock, shown only; `at` is when our mail server received it).
    pub written_at: Option<Timestamp>,
    /// The message this one answers (a customer's quoted reply).
    pub quote: Option<QuoteView>,
    /// Reactions on it, the customer's first.
    pub reactions: Vec<ReactionView>,
    /// An e-mail's sender and recipients (Cc, and Bcc on ours); absent on other channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub mail: Option<crate::service::mail_recipients::MailAddressesView>,
    /// What a customer's message holds besides its text (a place, contact cards, a
    /// sticker, an order, the button tapped, an unknown type's payload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub content: Option<crate::channel::rich::RichContent>,
}

impl MessageView {
    /// The view of a stored message with its attachments, quote and reactions.
    pub(crate) fn from_data(
        m: conv_store::MessageData,
        attachments: Vec<AttachmentInfo>,
        parts: &MessageParts,
    ) -> Self {
        Self {
            quote: parts.quote(m.id),
            reactions: parts.reactions(m.id),
            mail: parts.mail(m.id),
            content: parts.content(m.id),
            id: m.id,
            direction: m.direction,
            author: m.author,
            body: m.body,
            status: m.status,
            failure: m.failure,
            at: m.at,
            attachments,
            masked: m.masked,
            has_html: m.has_html,
            written_at: m.written_at,
        }
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NoteView {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub is_handoff: bool,
    pub at: Timestamp,
}

/// One conversation as the agent sees it. The latest handoff note is also given apart,
/// to be shown at the top.
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConversationView {
    pub summary: ConversationSummary,
    pub messages: Vec<MessageView>,
    pub has_older: bool,
    pub notes: Vec<NoteView>,
    pub handoff: Option<NoteView>,
    pub labels: Vec<String>,
    /// Whether the caller may reply, note, transfer and resolve here.
    pub can_act: bool,
    /// When free-form replies are allowed (none for email).
    pub window: Option<crate::channel::ReplyWindow>,
    /// A sample conversation (sample data): nothing can be sent from it.
    pub sample: bool,
    /// The caller's own drafts here (reply, note), the most recently saved first; no one
    /// else's.
    pub drafts: Vec<DraftView>,
    /// `Some(true)` when the conversation's team has business hours and is closed now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub out_of_hours: Option<bool>,
    /// The satisfaction survey sent after the resolution, and the customer's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub satisfaction: Option<crate::reports::SatisfactionView>,
}

impl Caller {
    pub(crate) fn viewer(&self) -> Viewer {
        Viewer {
            user: self.user,
            sees_everything: self.role == Role::Admin,
        }
    }

    /// Reply, transfer, resolve: the assignee; a lead of the conversation's team; an admin;
    /// anyone who sees an unassigned conversation.
    pub(crate) fn may_act_on(&self, c: &ConversationRowData) -> bool {
        self.role == Role::Admin
            || c.assignee_id == Some(self.user)
            || c.assignee_id.is_none()
            || (self.role == Role::Lead && c.team_id.is_some_and(|t| self.teams.contains(&t)))
    }
}

impl Workspace {
    pub fn list_conversations(
        &self,
        token: &SessionToken,
        query: &InboxQuery,
        now: Timestamp,
    ) -> Result<InboxPage> {
        let caller = self.authorize(token, now, Role::Agent, "see the inbox")?;
        let view = query.view.unwrap_or(InboxView::Mine);
        let mut filter = ListFilter {
            status: query.status.map(|s| s.as_str().to_string()),
            channel: query.channel.clone(),
            team: query.team,
            label: query.label.clone(),
            priority: query.priority.map(Priority::level),
            by_priority: query.sort == Some(InboxSort::Priority),
            by_sla: query.sort == Some(InboxSort::SlaDue),
            before: query.after.map(|c| ListCursor {
                priority: c.priority.level(),
                sla_due_at: c.sla_due_at,
                at: c.last_activity_at,
                id: c.id,
            }),
            limit: PAGE_SIZE + 1,
            ..ListFilter::default()
        };
        match view {
            InboxView::Mine => filter.assignee = Some(Some(caller.user)),
            InboxView::Unassigned => filter.assignee = Some(None),
            InboxView::MyTeams => filter.my_teams_of = Some(caller.user),
            InboxView::All => {}
            InboxView::Mentions => filter.mentioned = Some(caller.user),
        }
        let mut rows = match view {
            // One ordered index range per team, merged: an `IN (teams)` would sort them all.
            InboxView::MyTeams if query.team.is_none() => {
                filter.my_teams_of = None;
                let mut merged = Vec::new();
                for team in &caller.teams {
                    let per_team = ListFilter {
                        team: Some(*team),
                        ..filter.clone()
                    };
                    merged.extend(
                        self.store
                            .read(|c| conv_store::list(c, caller.viewer(), &per_team))?,
                    );
                }
                if filter.by_sla {
                    merged.sort_by_key(|r| (r.sla.map(|c| c.due_at), r.id));
                } else if filter.by_priority {
                    merged
                        .sort_by_key(|r| std::cmp::Reverse((r.priority, r.last_activity_at, r.id)));
                } else {
                    merged.sort_by_key(|r| std::cmp::Reverse((r.last_activity_at, r.id)));
                }
                merged
            }
            _ => self
                .store
                .read(|c| conv_store::list(c, caller.viewer(), &filter))?,
        };
        let more = rows.len() as i64 > PAGE_SIZE;
        rows.truncate(PAGE_SIZE as usize);
        let next = more
            .then(|| {
                rows.last().map(|r| PageCursor {
                    last_activity_at: r.last_activity_at,
                    id: r.id,
                    priority: Priority::from_level(r.priority),
                    sla_due_at: r.sla.map(|c| c.due_at),
                })
            })
            .flatten();
        Ok(InboxPage {
            rows: rows.into_iter().map(Into::into).collect(),
            next,
        })
    }

    pub fn search(
        &self,
        token: &SessionToken,
        text: &str,
        now: Timestamp,
    ) -> Result<Vec<SearchHit>> {
        let caller = self.authorize(token, now, Role::Agent, "search")?;
        let query = fts_query(text)?;
        let hits = self
            .store
            .read(|c| conv_store::search(c, caller.viewer(), &query, PAGE_SIZE))?;
        Ok(hits
            .into_iter()
            .map(|h| SearchHit {
                conversation_id: h.conversation_id,
                message_id: h.message_id,
                contact_name: h.contact_name,
                channel: h.channel,
                snippet: h.snippet,
                at: h.at,
            })
            .collect())
    }

    /// Opens one attachment of a conversation the caller may see; audited.
    pub fn open_attachment(
        &self,
        token: &SessionToken,
        attachment: i64,
        now: Timestamp,
    ) -> Result<AttachmentContent> {
        use base64::Engine;
        let caller = self.authorize(token, now, Role::Agent, "open attachments")?;
        self.store.write(|tx| {
            let not_found = || CoreError::NotFound {
                what: "The attachment",
            };
            let conversation = crate::store::attachments::conversation_of(tx, attachment)
                .map_err(|_| not_found())?;
            conv_store::visible(tx, caller.viewer(), conversation)?.ok_or_else(not_found)?;
            let (file_name, mime_type, data) = crate::store::attachments::content(tx, attachment)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::AttachmentOpened,
                    Some(caller.user),
                    format!("attachment:{attachment}"),
                    now,
                )
                .detail(serde_json::json!({ "conversation": conversation })),
            )?;
            Ok(AttachmentContent {
                file_name,
                mime_type,
                data_base64: base64::engine::general_purpose::STANDARD.encode(data),
            })
        })
    }

    /// Opens a conversation: the newest messages (or those before `before`), notes and the
    /// latest handoff. Marks it read and records in the audit trail who opened it.
    pub fn open_conversation(
        &self,
        token: &SessionToken,
        id: ConversationId,
        before: Option<MessageId>,
        now: Timestamp,
    ) -> Result<ConversationView> {
        let caller = self.authorize(token, now, Role::Agent, "open conversations")?;
        self.store.write(|tx| {
            let row = conv_store::visible(tx, caller.viewer(), id)?.ok_or(CoreError::NotFound {
                what: "The conversation",
            })?;
            let mut messages = conv_store::messages_page(tx, id, before, MESSAGE_PAGE + 1)?;
            let has_older = messages.len() as i64 > MESSAGE_PAGE;
            if has_older {
                messages.remove(0);
            }
            let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
            let attachments = conv_store::attachments_of(tx, &ids)?;
            let parts = MessageParts::load(tx, &ids)?;
            let notes: Vec<NoteView> = conv_store::notes_of(tx, id)?
                .into_iter()
                .map(|n| NoteView {
                    id: n.id,
                    author: n.author,
                    body: n.body,
                    is_handoff: n.is_handoff,
                    at: n.at,
                })
                .collect();
            let handoff = notes.iter().rev().find(|n| n.is_handoff).cloned();
            if before.is_none() {
                conv_store::mark_read(tx, id)?;
                audit::append(
                    tx,
                    AuditEvent::new(
                        AuditKind::ConversationOpened,
                        Some(caller.user),
                        format!("conversation:{id}"),
                        now,
                    ),
                )?;
            }
            let can_act = caller.may_act_on(&row);
            if before.is_none() && can_act {
                crate::service::read_receipts::queue_read(tx, id, now)?;
                crate::service::mail_seen::queue_seen(tx, id, now)?;
            }
            let account = conv_store::account_of(tx, id)?;
            let (channel, config) = crate::store::channel_accounts::config_of(tx, account)?;
            let window = crate::channel::window::reply_window(
                channel,
                row.last_customer_message_at,
                config.human_agent,
                now,
            );
            let out_of_hours = match row.team_id {
                Some(team) => crate::store::reports::hours_of(tx, team)?
                    .and_then(|h| h.checked().ok())
                    .is_some_and(|h| !h.is_open_at(now)),
                None => false,
            }
            .then_some(true);
            Ok(ConversationView {
                out_of_hours,
                satisfaction: crate::store::satisfaction::of_conversation(tx, id)?,
                sample: config.sample,
                labels: conv_store::labels_of(tx, id)?,
                summary: row.into(),
                messages: messages
                    .into_iter()
                    .map(|m| {
                        let files = attachments
                            .iter()
                            .filter(|a| a.message_id == m.id)
                            .map(|a| AttachmentInfo {
                                id: a.id,
                                file_name: a.file_name.clone(),
                                mime_type: a.mime_type.clone(),
                                size: a.size,
                            })
                            .collect();
                        MessageView::from_data(m, files, &parts)
                    })
                    .collect(),
                has_older,
                notes,
                handoff,
                can_act,
                window,
                drafts: crate::store::drafts::of(tx, caller.user, id)?
                    .into_iter()
                    .map(DraftView::from_row)
                    .collect(),
            })
        })
    }
}

crate::redacted_debug!(
    ConversationSummary,
    SearchHit,
    AttachmentInfo,
    MessageView,
    NoteView,
    ConversationView
);
