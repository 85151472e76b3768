//! The inbox and handoff commands. Each converts, calls one core function with the
//! window's session, and returns the core's view types.

use super::with_session;
use crate::api_error::ApiError;
use crate::state::AppState;
use appcare_core::ids::{ContactId, ContactMergeId, ConversationId, MessageId, UserId};
use appcare_core::service::admin::{Colleague, InboxSettings};
use appcare_core::service::contacts::ContactPanel;
use appcare_core::service::conversation::CannedReply;
use appcare_core::service::drafts::DraftMode;
use appcare_core::service::handoff::{TeamLoad, TransferTarget, Versioned};
use appcare_core::service::inbox::{
    AttachmentContent, ConversationStatus, ConversationSummary, ConversationView, InboxPage,
    InboxQuery, MessageView, NoteView, SearchHit,
};
use appcare_core::service::merge::{ContactMerge, MergeCandidate};
use appcare_core::service::outgoing::ReplyGuard;
use appcare_core::service::presence::{Activity, PresenceEntry};
use appcare_core::service::triage::{BulkChange, Priority};
use appcare_core::Timestamp;
use tauri::State;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_conversations(
    state: State<'_, AppState>,
    query: InboxQuery,
) -> Result<InboxPage, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.list_conversations(token, &query, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn search(state: State<'_, AppState>, text: String) -> Result<Vec<SearchHit>, ApiError> {
    with_session(&state, move |ws, token, now| ws.search(token, &text, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn open_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
    before: Option<MessageId>,
) -> Result<ConversationView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.open_conversation(token, id, before, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reply(
    state: State<'_, AppState>,
    id: ConversationId,
    body: String,
    attachment: Option<appcare_core::channel::outbound::OutboundAttachment>,
    guard: Option<ReplyGuard>,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| match &attachment {
        Some(file) => ws.reply_with_attachment(token, id, &body, file, guard, now),
        None => ws.reply(token, id, &body, guard, now),
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_note(
    state: State<'_, AppState>,
    id: ConversationId,
    body: String,
) -> Result<NoteView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.add_note(token, id, &body, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_status(
    state: State<'_, AppState>,
    conversation: Versioned,
    status: ConversationStatus,
    snoozed_until: Option<Timestamp>,
) -> Result<(), ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_status(token, conversation, status, snoozed_until, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_priority(
    state: State<'_, AppState>,
    conversation: Versioned,
    priority: Priority,
) -> Result<(), ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_priority(token, conversation, priority, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_many(
    state: State<'_, AppState>,
    conversations: Vec<Versioned>,
    change: BulkChange,
) -> Result<Vec<Versioned>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.update_many(token, &conversations, &change, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn contact_panel(
    state: State<'_, AppState>,
    contact: ContactId,
) -> Result<ContactPanel, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.contact_panel(token, contact, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rename_contact(
    state: State<'_, AppState>,
    contact: ContactId,
    name: String,
) -> Result<(), ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.rename_contact(token, contact, &name, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_presence(
    state: State<'_, AppState>,
    conversation: ConversationId,
    activity: Activity,
) -> Result<Vec<PresenceEntry>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_presence(token, conversation, activity, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn merge_suggestions(
    state: State<'_, AppState>,
    contact: ContactId,
) -> Result<Vec<MergeCandidate>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.merge_suggestions(token, contact, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn merge_contacts(
    state: State<'_, AppState>,
    keep: ContactId,
    merge: ContactId,
) -> Result<ContactMerge, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.merge_contacts(token, keep, merge, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn undo_contact_merge(
    state: State<'_, AppState>,
    merge: ContactMergeId,
) -> Result<(), ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.undo_contact_merge(token, merge, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_labels(
    state: State<'_, AppState>,
    id: ConversationId,
    labels: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_labels(token, id, &labels, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_canned_replies(state: State<'_, AppState>) -> Result<Vec<CannedReply>, ApiError> {
    with_session(&state, |ws, token, now| ws.list_canned_replies(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_canned_reply(
    state: State<'_, AppState>,
    title: String,
    body: String,
) -> Result<CannedReply, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.create_canned_reply(token, &title, &body, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn render_canned_reply(
    state: State<'_, AppState>,
    id: ConversationId,
    canned_id: i64,
) -> Result<String, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.render_canned_reply(token, id, canned_id, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn transfer(
    state: State<'_, AppState>,
    conversation: Versioned,
    target: TransferTarget,
    note: String,
) -> Result<ConversationSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.transfer(token, conversation, target, &note, now)
    })
    .await
}

/// Keeps (or, empty, forgets) the caller's draft; its text is never logged.
#[tauri::command(rename_all = "snake_case")]
pub async fn save_draft(
    state: State<'_, AppState>,
    id: ConversationId,
    mode: DraftMode,
    body: String,
) -> Result<(), ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.save_draft(token, id, mode, &body, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn return_to_queue(
    state: State<'_, AppState>,
    conversation: Versioned,
    note: String,
) -> Result<(), ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.return_to_queue(token, conversation, &note, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn take(
    state: State<'_, AppState>,
    conversation: Versioned,
) -> Result<ConversationSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.take(token, conversation, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reassign(
    state: State<'_, AppState>,
    conversations: Vec<Versioned>,
    to: Option<UserId>,
    note: String,
) -> Result<usize, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.reassign(token, &conversations, to, &note, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn team_load(state: State<'_, AppState>) -> Result<TeamLoad, ApiError> {
    with_session(&state, |ws, token, now| ws.team_load(token, now)).await
}

/// What Meta charged for sent WhatsApp messages, per account, month and category.
#[tauri::command(rename_all = "snake_case")]
pub async fn whatsapp_pricing(
    state: State<'_, AppState>,
) -> Result<Vec<appcare_core::channel::pricing::PricingMonth>, ApiError> {
    with_session(&state, |ws, token, now| ws.whatsapp_pricing(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_availability(
    state: State<'_, AppState>,
    available: bool,
) -> Result<usize, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_availability(token, available, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_colleagues(state: State<'_, AppState>) -> Result<Vec<Colleague>, ApiError> {
    with_session(&state, |ws, token, now| ws.list_colleagues(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn inbox_settings(state: State<'_, AppState>) -> Result<InboxSettings, ApiError> {
    with_session(&state, |ws, token, now| ws.inbox_settings(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_inbox_settings(
    state: State<'_, AppState>,
    settings: InboxSettings,
) -> Result<InboxSettings, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_inbox_settings(token, settings, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn open_attachment(
    state: State<'_, AppState>,
    attachment_id: i64,
) -> Result<AttachmentContent, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.open_attachment(token, attachment_id, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_do_not_contact(
    state: State<'_, AppState>,
    id: ConversationId,
    value: bool,
) -> Result<(), ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_do_not_contact(token, id, value, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn record_consent(
    state: State<'_, AppState>,
    contact: ContactId,
    channel: String,
    consent: appcare_core::privacy::consent::ConsentState,
    source: appcare_core::privacy::consent::ConsentSource,
) -> Result<Vec<appcare_core::service::consent::ConsentView>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.record_consent(token, contact, &channel, consent, source, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn thread_control(
    state: State<'_, AppState>,
    id: ConversationId,
    action: appcare_core::service::thread_control::ThreadAction,
) -> Result<(), ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.thread_control(token, id, action, now)
    })
    .await
}
