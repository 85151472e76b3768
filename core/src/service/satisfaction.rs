//! Customer satisfaction surveys: an admin sets the question a channel account asks a
//! short while after a conversation is resolved (or turns it off), and the runtime's
//! maintenance pass sends the surveys that are due.

use crate::auth::Role;
use crate::channel::ChannelAccountView;
use crate::error::{CoreError, Result};
use crate::ids::ChannelAccountId;
use crate::reports::satisfaction::QUESTION_MAX_CHARS;
use crate::secret::SessionToken;
use crate::service::steps;
use crate::store::{channel_accounts, satisfaction as store};
use crate::time::Timestamp;
use crate::workspace::Workspace;

impl Workspace {
    /// Sets the question account `account` asks customers a short while after their
    /// conversation is resolved (a rating from 1 to 5 and a comment); empty turns the
    /// survey off. Admins; audited.
    pub fn set_satisfaction_survey(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        question: &str,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "change channel accounts")?;
        let question = question.trim();
        if question.chars().count() > QUESTION_MAX_CHARS {
            return Err(CoreError::invalid(
                "satisfaction question",
                format!("keep the question under {QUESTION_MAX_CHARS} characters"),
            ));
        }
        let view = self.store.write(|tx| {
            channel_accounts::config_of(tx, account)?;
            store::set_question(tx, account, (!question.is_empty()).then_some(question))?;
            steps::audit_account_changed(
                tx,
                caller.user,
                account,
                &["satisfaction_question"],
                now,
            )?;
            channel_accounts::view(tx, account)
        })?;
        tracing::info!(
            account = account.get(),
            on = !question.is_empty(),
            "satisfaction survey changed"
        );
        self.publish(crate::events::Event::ChannelsChanged);
        Ok(view)
    }
}

impl crate::service::residency::Maintenance<'_> {
    /// Queues every satisfaction survey due at `now` (conversations resolved a short
    /// while ago and still resolved); returns how many. The channel runtime calls it
    /// every half minute.
    pub fn send_surveys(&self, now: Timestamp) -> Result<usize> {
        let ws = self.workspace();
        let events = ws
            .store
            .write(|tx| steps::satisfaction::send_due(tx, now))?;
        let count = events.len();
        for e in events {
            ws.publish(e);
        }
        Ok(count)
    }
}
