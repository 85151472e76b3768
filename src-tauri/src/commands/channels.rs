//! Channel commands: admins connect and refresh WhatsApp numbers and Messenger pages;
//! agents read templates, send one outside the window, and send a failed message again.

use super::with_session;
use crate::api_error::ApiError;
use crate::dto::WebhookListener;
use crate::state::AppState;
use appcare_core::channel::email::SetAsideView;
use appcare_core::channel::template::TemplateView;
use appcare_core::channel::webhook_aside::WebhookSetAsideView;
use appcare_core::channel::{
    ChannelAccountChanges, ChannelAccountView, NewChannelAccount, NewEmailAccount,
};
use appcare_core::ids::{ChannelAccountId, ConversationId, MessageId};
use appcare_core::service::inbox::MessageView;
use appcare_core::service::outgoing::ReplyGuard;
use appcare_core::service::sample::SampleSummary;
use tauri::State;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_channels(
    state: State<'_, AppState>,
) -> Result<Vec<ChannelAccountView>, ApiError> {
    with_session(&state, move |ws, token, now| ws.list_channels(token, now)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_channel_account(
    state: State<'_, AppState>,
    account: NewChannelAccount,
) -> Result<ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.add_channel_account(token, &account, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_email_account(
    state: State<'_, AppState>,
    account: NewEmailAccount,
) -> Result<ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.add_email_account(token, &account, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_aside_mail(
    state: State<'_, AppState>,
    id: ChannelAccountId,
) -> Result<Vec<SetAsideView>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_aside_mail(token, id, now)
    })
    .await
}

/// Asks the runtime to read one set-aside mail again; the list comes back with it marked.
#[tauri::command(rename_all = "snake_case")]
pub async fn retry_set_aside_mail(
    state: State<'_, AppState>,
    account: ChannelAccountId,
    id: i64,
) -> Result<Vec<SetAsideView>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.retry_set_aside_mail(token, account, id, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_aside_webhooks(
    state: State<'_, AppState>,
    id: ChannelAccountId,
) -> Result<Vec<WebhookSetAsideView>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_aside_webhooks(token, id, now)
    })
    .await
}

/// Opens an e-mail's formatted version in its own window, which has no access to the
/// app's commands and loads nothing remote unless the agent asks there.
#[tauri::command(rename_all = "snake_case")]
pub async fn open_email_window(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    message: MessageId,
) -> Result<(), ApiError> {
    // The same check the window's page makes, so a refusal shows in the inbox.
    with_session(&state, move |ws, token, now| {
        ws.email_html(token, message, now)
    })
    .await?;
    crate::mail_view::open(&app, message).map_err(ApiError::from)
}

/// Replaces the secrets an admin pasted (each empty one stays); never shown back.
#[tauri::command(rename_all = "snake_case")]
pub async fn rotate_channel_secrets(
    state: State<'_, AppState>,
    account: ChannelAccountId,
    rotation: appcare_core::channel::account::SecretRotation,
) -> Result<ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.rotate_channel_secrets(token, account, &rotation, now)
    })
    .await
}

/// Starts "Test connection"; the report arrives with the account (`channels_changed`).
#[tauri::command(rename_all = "snake_case")]
pub async fn test_channel(
    state: State<'_, AppState>,
    account: ChannelAccountId,
) -> Result<ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.test_channel(token, account, now)
    })
    .await
}

/// Disables an account (nothing sent, polled or synced) or enables it again.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_channel_enabled(
    state: State<'_, AppState>,
    account: ChannelAccountId,
    enabled: bool,
) -> Result<ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_channel_enabled(token, account, enabled, now)
    })
    .await
}

/// Removes an account, keeping or erasing its history.
#[tauri::command(rename_all = "snake_case")]
pub async fn remove_channel_account(
    state: State<'_, AppState>,
    account: ChannelAccountId,
    erase_history: bool,
) -> Result<appcare_core::channel::check::AccountRemoval, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.remove_channel_account(token, account, erase_history, now)
    })
    .await
}

/// Changes a connected account's name, team and settings (admins; its secrets stay).
#[tauri::command(rename_all = "snake_case")]
pub async fn update_channel_account(
    state: State<'_, AppState>,
    id: ChannelAccountId,
    changes: ChannelAccountChanges,
) -> Result<ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.update_channel_account(token, id, &changes, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn refresh_channel(
    state: State<'_, AppState>,
    id: ChannelAccountId,
) -> Result<ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.refresh_channel(token, id, now)
    })
    .await
}

/// The receiver's address, for admins (the same check as listing the channels).
#[tauri::command(rename_all = "snake_case")]
pub async fn webhook_listener(state: State<'_, AppState>) -> Result<WebhookListener, ApiError> {
    let listener = state.webhook_listener();
    with_session(&state, move |ws, token, now| {
        ws.list_channels(token, now)?;
        Ok(listener)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn list_templates(
    state: State<'_, AppState>,
    conversation: ConversationId,
) -> Result<Vec<TemplateView>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.list_templates(token, conversation, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn send_template(
    state: State<'_, AppState>,
    conversation: ConversationId,
    name: String,
    language: String,
    parameters: Vec<String>,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.send_template(token, conversation, &name, &language, &parameters, now)
    })
    .await
}

/// An approved template with its title's value or file and its buttons' values.
#[tauri::command(rename_all = "snake_case")]
pub async fn send_template_message(
    state: State<'_, AppState>,
    id: ConversationId,
    message: appcare_core::channel::template::TemplateMessage,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.send_template_message(token, id, &message, now)
    })
    .await
}

/// A place or contact cards sent on WhatsApp.
#[tauri::command(rename_all = "snake_case")]
pub async fn send_card(
    state: State<'_, AppState>,
    id: ConversationId,
    card: appcare_core::channel::rich::RichContent,
    guard: Option<ReplyGuard>,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.send_card(token, id, &card, guard, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn retry_message(
    state: State<'_, AppState>,
    message: MessageId,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.retry_message(token, message, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reply_quoting(
    state: State<'_, AppState>,
    id: ConversationId,
    quoted: MessageId,
    body: String,
    guard: Option<ReplyGuard>,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.reply_quoting(token, id, quoted, &body, guard, now)
    })
    .await
}

/// A question with answers the customer taps (WhatsApp buttons or list, Messenger quick
/// replies).
#[tauri::command(rename_all = "snake_case")]
pub async fn reply_choices(
    state: State<'_, AppState>,
    id: ConversationId,
    reply: appcare_core::channel::choices::ChoicesReply,
    guard: Option<ReplyGuard>,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.reply_choices(token, id, &reply, guard, now)
    })
    .await
}

/// The WhatsApp numbers an agent may write first from, with their templates.
#[tauri::command(rename_all = "snake_case")]
pub async fn start_options(
    state: State<'_, AppState>,
) -> Result<Vec<appcare_core::channel::start::StartAccount>, ApiError> {
    with_session(&state, move |ws, token, now| ws.start_options(token, now)).await
}

/// Writes first to a WhatsApp number with an approved template; returns the conversation.
#[tauri::command(rename_all = "snake_case")]
pub async fn start_conversation(
    state: State<'_, AppState>,
    start: appcare_core::channel::start::NewConversation,
) -> Result<ConversationId, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.start_conversation(token, &start, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn react(
    state: State<'_, AppState>,
    message: MessageId,
    emoji: String,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.react(token, message, &emoji, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_sample_data(
    state: State<'_, AppState>,
    extra: i64,
) -> Result<SampleSummary, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.add_sample_data(token, extra, now)
    })
    .await
}
