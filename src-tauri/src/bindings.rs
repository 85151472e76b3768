//! TypeScript bindings for everything that crosses to the window, generated from the Rust
//! types with ts-rs into `ui/src/bindings/`. The test below fails when the committed files
//! are stale; `UPDATE_BINDINGS=1 cargo test -p appcare-desktop bindings` rewrites them.

use std::path::{Path, PathBuf};

/// Writes every binding (with its dependencies) into `dir`.
pub fn export_all(dir: &Path) -> Result<(), ts_rs::ExportError> {
    use appcare_core::service::{admin, conversation, handoff, inbox, login, users, SessionPolicy};
    use ts_rs::TS;
    let cfg = ts_rs::Config::new()
        .with_out_dir(dir)
        .with_large_int("number");
    crate::dto::AppStatus::export_all(&cfg)?;
    crate::dto::AboutInfo::export_all(&cfg)?;
    crate::dto::HubProbe::export_all(&cfg)?;
    crate::dto::FirstRunInfo::export_all(&cfg)?;
    crate::dto::CreateWorkspaceRequest::export_all(&cfg)?;
    crate::dto::EnrolmentDone::export_all(&cfg)?;
    crate::dto::RecoverySignIn::export_all(&cfg)?;
    crate::dto::NewUserRequest::export_all(&cfg)?;
    crate::api_error::ApiError::export_all(&cfg)?;
    login::Enrolment::export_all(&cfg)?;
    admin::Overview::export_all(&cfg)?;
    admin::AuditEntry::export_all(&cfg)?;
    admin::AuditStatus::export_all(&cfg)?;
    users::UserSummary::export_all(&cfg)?;
    users::TeamSummary::export_all(&cfg)?;
    SessionPolicy::export_all(&cfg)?;
    crate::dto::HandoffNotice::export_all(&cfg)?;
    appcare_core::events::Event::export_all(&cfg)?;
    admin::InboxSettings::export_all(&cfg)?;
    admin::Colleague::export_all(&cfg)?;
    inbox::InboxQuery::export_all(&cfg)?;
    inbox::InboxPage::export_all(&cfg)?;
    inbox::SearchHit::export_all(&cfg)?;
    inbox::ConversationView::export_all(&cfg)?;
    inbox::AttachmentContent::export_all(&cfg)?;
    conversation::CannedReply::export_all(&cfg)?;
    handoff::TransferTarget::export_all(&cfg)?;
    handoff::Versioned::export_all(&cfg)?;
    handoff::TeamLoad::export_all(&cfg)?;
    appcare_core::channel::pricing::PricingMonth::export_all(&cfg)?;
    crate::dto::WebhookListener::export_all(&cfg)?;
    appcare_core::channel::ChannelAccountView::export_all(&cfg)?;
    appcare_core::channel::ChannelAccountChanges::export_all(&cfg)?;
    appcare_core::channel::account::SecretRotation::export_all(&cfg)?;
    appcare_core::channel::check::AccountRemoval::export_all(&cfg)?;
    appcare_core::channel::choices::ChoicesReply::export_all(&cfg)?;
    appcare_core::channel::start::NewConversation::export_all(&cfg)?;
    appcare_core::channel::start::StartAccount::export_all(&cfg)?;
    appcare_core::channel::check::ConnectionCheck::export_all(&cfg)?;
    appcare_core::channel::NewChannelAccount::export_all(&cfg)?;
    appcare_core::channel::NewEmailAccount::export_all(&cfg)?;
    appcare_core::channel::email::SetAsideView::export_all(&cfg)?;
    appcare_core::channel::webhook_aside::WebhookSetAsideView::export_all(&cfg)?;
    appcare_core::service::sample::SampleSummary::export_all(&cfg)?;
    appcare_core::service::triage::BulkChange::export_all(&cfg)?;
    appcare_core::service::triage::Priority::export_all(&cfg)?;
    appcare_core::service::contacts::ContactPanel::export_all(&cfg)?;
    appcare_core::service::consent::ConsentSettings::export_all(&cfg)?;
    appcare_core::service::thread_control::ThreadAction::export_all(&cfg)?;
    appcare_core::privacy::consent::ConsentKeywords::export_all(&cfg)?;
    appcare_core::service::outgoing::ReplyGuard::export_all(&cfg)?;
    appcare_core::service::mail_recipients::MailReply::export_all(&cfg)?;
    appcare_core::service::mail_forward::MailForward::export_all(&cfg)?;
    appcare_core::service::mail_settings::MailSettings::export_all(&cfg)?;
    appcare_core::reports::Report::export_all(&cfg)?;
    appcare_core::reports::ReportQuery::export_all(&cfg)?;
    appcare_core::reports::BusinessHours::export_all(&cfg)?;
    appcare_core::reports::SlaPolicy::export_all(&cfg)?;
    appcare_core::reports::SatisfactionView::export_all(&cfg)?;
    appcare_core::reports::SlaOverride::export_all(&cfg)?;
    appcare_core::reports::SlaClock::export_all(&cfg)?;
    appcare_core::service::mail_recipients::MailReplyContext::export_all(&cfg)?;
    appcare_core::service::merge::MergeCandidate::export_all(&cfg)?;
    appcare_core::service::presence::PresenceEntry::export_all(&cfg)?;
    appcare_core::service::notifications::NotificationSettings::export_all(&cfg)?;
    appcare_core::service::merge::ContactMerge::export_all(&cfg)?;
    appcare_core::channel::template::TemplateView::export_all(&cfg)?;
    appcare_core::channel::mail_folders::MailFolderChoice::export_all(&cfg)?;
    appcare_core::channel::template::TemplateMessage::export_all(&cfg)?;
    appcare_core::channel::outbound::OutboundAttachment::export_all(&cfg)?;
    appcare_core::privacy::request::ContactMatch::export_all(&cfg)?;
    appcare_core::privacy::request::ErasureSummary::export_all(&cfg)?;
    appcare_core::privacy::egress::EgressPolicy::export_all(&cfg)?;
    appcare_core::service::privacy::ExportSummary::export_all(&cfg)?;
    appcare_core::service::residency::ResidencyReport::export_all(&cfg)?;
    appcare_core::service::residency::RetentionPolicy::export_all(&cfg)?;
    appcare_core::service::admin::AuditFilter::export_all(&cfg)?;
    appcare_core::service::admin::AuditExport::export_all(&cfg)?;
    appcare_core::service::backups::BackupSchedule::export_all(&cfg)?;
    Ok(())
}

pub fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn read_dir(dir: &Path) -> BTreeMap<String, String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "ts"))
                    .map(|e| {
                        (
                            e.file_name().to_string_lossy().into_owned(),
                            std::fs::read_to_string(e.path()).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn bindings_are_fresh() -> Result<(), Box<dyn std::error::Error>> {
        let fresh = tempfile::tempdir()?;
        export_all(fresh.path())?;
        let generated = read_dir(fresh.path());
        assert!(generated.contains_key("AppStatus.ts"));
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            let target = committed_dir();
            if target.exists() {
                std::fs::remove_dir_all(&target)?;
            }
            export_all(&target)?;
            return Ok(());
        }
        let committed = read_dir(&committed_dir());
        assert_eq!(
            committed, generated,
            "ui/src/bindings is stale: run `UPDATE_BINDINGS=1 cargo test -p appcare-desktop bindings`"
        );
        Ok(())
    }
}
