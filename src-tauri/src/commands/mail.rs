//! E-mail reply commands: who a reply goes to and what is signed under it, a reply with
//! Cc and Bcc, and (admins) a mailbox's signature.

use super::with_session;
use crate::api_error::ApiError;
use crate::state::AppState;
use appcare_core::channel::ChannelAccountView;
use appcare_core::ids::{ChannelAccountId, ConversationId};
use appcare_core::service::inbox::MessageView;
use appcare_core::service::mail_recipients::{MailReply, MailReplyContext};
use appcare_core::service::outgoing::ReplyGuard;
use tauri::State;

#[tauri::command(rename_all = "snake_case")]
pub async fn mail_reply_context(
    state: State<'_, AppState>,
    id: ConversationId,
) -> Result<MailReplyContext, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.mail_reply_context(token, id, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reply_mail(
    state: State<'_, AppState>,
    id: ConversationId,
    reply: MailReply,
    guard: Option<ReplyGuard>,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.reply_mail(token, id, &reply, guard, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn forward_mail(
    state: State<'_, AppState>,
    id: ConversationId,
    forward: appcare_core::service::mail_forward::MailForward,
) -> Result<MessageView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.forward_mail(token, id, &forward, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mail_settings(
    state: State<'_, AppState>,
    account: appcare_core::ids::ChannelAccountId,
) -> Result<appcare_core::service::mail_settings::MailSettings, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.mail_settings(token, account, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn update_mail_settings(
    state: State<'_, AppState>,
    account: appcare_core::ids::ChannelAccountId,
    change: appcare_core::service::mail_settings::MailSettings,
) -> Result<appcare_core::channel::ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.update_mail_settings(token, account, &change, now)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_mail_signature(
    state: State<'_, AppState>,
    id: ChannelAccountId,
    signature: String,
) -> Result<ChannelAccountView, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_mail_signature(token, id, &signature, now)
    })
    .await
}

/// The folders of a mailbox's server, with the ones synced now.
#[tauri::command(rename_all = "snake_case")]
pub async fn mail_folders(
    state: State<'_, AppState>,
    id: ChannelAccountId,
) -> Result<Vec<appcare_core::channel::mail_folders::MailFolderChoice>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.mail_folders(token, id, now)
    })
    .await
}

/// Syncs these folders besides the main one.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_mail_folders(
    state: State<'_, AppState>,
    id: ChannelAccountId,
    folders: Vec<String>,
) -> Result<Vec<appcare_core::channel::mail_folders::MailFolderChoice>, ApiError> {
    with_session(&state, move |ws, token, now| {
        ws.set_mail_folders(token, id, &folders, now)
    })
    .await
}
