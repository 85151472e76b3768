//! Consent per customer and channel: an agent records it (given or refused, from what the
//! customer said or a form), the customer's stop and start keywords set it, an account
//! may require it before templates and sends its privacy notice once, and admins edit the
//! keywords per language. Shown in the customer panel, audited, exported and erased with
//! the customer.

use crate::audit::{self, AuditEvent, AuditKind};
use crate::auth::Role;
use crate::channel::{Channel, ChannelAccountView};
use crate::error::{CoreError, Result};
use crate::events::Event;
use crate::ids::{ChannelAccountId, ContactId};
use crate::privacy::consent::{self, ConsentKeywords, ConsentSource, ConsentState};
use crate::secret::SessionToken;
use crate::service::contacts::PANEL_CONVERSATIONS;
use crate::store::consent as store;
use crate::store::settings;
use crate::store::{channel_accounts, contacts as contact_store, conversations as conv_store};
use crate::time::Timestamp;
use crate::workspace::Workspace;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// The longest privacy notice, in characters (a WhatsApp text holds 4096; a notice
/// should be read at a glance).
pub const PRIVACY_NOTICE_MAX_CHARS: usize = 1000;

/// One channel's consent as the customer panel shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentView {
    pub channel: String,
    pub state: ConsentState,
    pub source: ConsentSource,
    pub at: Timestamp,
    /// The agent who recorded it (none: the customer's keyword).
    pub by: Option<String>,
}

/// An account's consent settings as an admin sets them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentSettings {
    /// WhatsApp: templates (and writing first) only to customers who opted in.
    pub require_opt_in: bool,
    /// Sent once to each customer who writes; empty: none.
    #[cfg_attr(feature = "schema", schemars(length(max = PRIVACY_NOTICE_MAX_CHARS)))]
    pub privacy_notice: String,
}

/// The consent of `contact` per channel.
pub(crate) fn views_of(conn: &Connection, contact: ContactId) -> Result<Vec<ConsentView>> {
    Ok(store::of_contact(conn, contact)?
        .into_iter()
        .map(|r| ConsentView {
            channel: r.channel,
            state: r.state,
            source: r.source,
            at: r.at,
            by: r.by,
        })
        .collect())
}

/// Refuses a template to `contact` from `account` when the account requires opt-in and
/// the customer has not given it on WhatsApp (`None`: a number not known here yet).
pub(crate) fn check_opt_in(
    conn: &Connection,
    account: ChannelAccountId,
    contact: Option<ContactId>,
) -> Result<()> {
    let (required, _) = store::account_settings(conn, account)?;
    if !required {
        return Ok(());
    }
    let given = match contact {
        Some(c) => store::state_of(conn, c, Channel::WhatsApp)? == Some(ConsentState::Given),
        None => false,
    };
    if given {
        return Ok(());
    }
    Err(CoreError::invalid(
        "consent",
        "this number sends templates only to customers who agreed to messages; record the \
         customer's consent in the customer panel first (or they write START)",
    ))
}

/// A customer's stop or start keyword: records the consent it gives or withdraws.
pub(crate) fn apply_keyword(
    tx: &Connection,
    contact: ContactId,
    channel: Channel,
    keyword: consent::Keyword,
    now: Timestamp,
) -> Result<()> {
    let state = match keyword {
        consent::Keyword::Stop => ConsentState::Refused,
        consent::Keyword::Start => ConsentState::Given,
    };
    store::record(
        tx,
        contact,
        channel,
        state,
        ConsentSource::Keyword,
        None,
        now,
    )?;
    audit::append(
        tx,
        AuditEvent::new(
            AuditKind::ConsentRecorded,
            None,
            format!("contact:{contact}"),
            now,
        )
        .detail(serde_json::json!({
            "channel": channel.as_str(), "state": state.as_str(), "source": "keyword"
        })),
    )?;
    Ok(())
}

impl Workspace {
    /// Records a customer's consent on `channel` as an agent heard or read it (source
    /// `agent` or `form`), for a caller who may act on one of their conversations;
    /// audited. A refusal also marks them not to be contacted (as STOP does); a consent
    /// given does not lift that (the customer's START, or a lead, does). Returns the
    /// customer's consent per channel.
    pub fn record_consent(
        &self,
        token: &SessionToken,
        contact: ContactId,
        channel: &str,
        state: ConsentState,
        source: ConsentSource,
        now: Timestamp,
    ) -> Result<Vec<ConsentView>> {
        let caller = self.authorize(token, now, Role::Agent, "record a customer's consent")?;
        let channel = Channel::parse(channel)
            .ok_or_else(|| CoreError::invalid("channel", "choose whatsapp, messenger or email"))?;
        if source == ConsentSource::Keyword {
            return Err(CoreError::invalid(
                "how",
                "a keyword is recorded when the customer sends it; choose agent or form",
            ));
        }
        let (views, conversations) = self.store.write(|tx| {
            let rows = conv_store::of_contact(tx, caller.viewer(), contact, PANEL_CONVERSATIONS)?;
            if rows.is_empty() {
                return Err(CoreError::NotFound {
                    what: "The customer",
                });
            }
            if !rows.iter().any(|r| caller.may_act_on(r)) {
                return Err(CoreError::Forbidden {
                    action: "record the consent of a customer of conversations assigned to others",
                });
            }
            let on_channel = contact_store::identities(tx, contact)?
                .iter()
                .any(|(c, _)| c == channel.as_str());
            if !on_channel {
                return Err(CoreError::invalid(
                    "channel",
                    format!("this customer has no {} address here", channel.as_str()),
                ));
            }
            store::record(tx, contact, channel, state, source, Some(caller.user), now)?;
            // A customer who does not want messages is not contacted (as after STOP).
            if state == ConsentState::Refused {
                conv_store::set_do_not_contact(tx, contact, true)?;
                audit::append(
                    tx,
                    AuditEvent::new(
                        AuditKind::ContactOptedOut,
                        Some(caller.user),
                        format!("contact:{contact}"),
                        now,
                    )
                    .detail(serde_json::json!({ "by": "agent", "do_not_contact": true })),
                )?;
            }
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ConsentRecorded,
                    Some(caller.user),
                    format!("contact:{contact}"),
                    now,
                )
                .detail(serde_json::json!({
                    "channel": channel.as_str(), "state": state.as_str(), "source": source.as_str()
                })),
            )?;
            Ok((
                views_of(tx, contact)?,
                contact_store::conversations_of(tx, contact)?,
            ))
        })?;
        tracing::info!(
            contact = contact.get(),
            channel = channel.as_str(),
            state = state.as_str(),
            "consent recorded"
        );
        for conversation in conversations {
            self.publish(Event::ConversationUpdated { conversation });
        }
        Ok(views)
    }

    /// The stop and start keywords per language (admins).
    pub fn consent_keywords(
        &self,
        token: &SessionToken,
        now: Timestamp,
    ) -> Result<Vec<ConsentKeywords>> {
        self.authorize(token, now, Role::Admin, "see the consent keywords")?;
        self.store.read(settings::consent_keywords)
    }

    /// Replaces the keywords (checked and normalised; see [`consent::checked`]); audited.
    pub fn set_consent_keywords(
        &self,
        token: &SessionToken,
        keywords: &[ConsentKeywords],
        now: Timestamp,
    ) -> Result<Vec<ConsentKeywords>> {
        let caller = self.authorize(token, now, Role::Admin, "change the consent keywords")?;
        let keywords = consent::checked(keywords)?;
        self.store.write(|tx| {
            settings::set_consent_keywords(tx, &keywords)?;
            audit::append(
                tx,
                AuditEvent::new(
                    AuditKind::ConsentKeywordsChanged,
                    Some(caller.user),
                    "workspace".to_string(),
                    now,
                )
                .detail(serde_json::json!({ "languages": keywords.len() })),
            )
        })?;
        tracing::info!(languages = keywords.len(), "consent keywords changed");
        Ok(keywords)
    }

    /// Sets an account's consent settings (admins); audited.
    pub fn set_consent_settings(
        &self,
        token: &SessionToken,
        account: ChannelAccountId,
        change: &ConsentSettings,
        now: Timestamp,
    ) -> Result<ChannelAccountView> {
        let caller = self.authorize(token, now, Role::Admin, "change channel accounts")?;
        let notice = change.privacy_notice.trim();
        if notice.chars().count() > PRIVACY_NOTICE_MAX_CHARS {
            return Err(CoreError::invalid(
                "privacy notice",
                format!("keep the notice under {PRIVACY_NOTICE_MAX_CHARS} characters"),
            ));
        }
        let view = self.store.write(|tx| {
            let (channel, _) = channel_accounts::config_of(tx, account)?;
            if change.require_opt_in && channel != Channel::WhatsApp {
                return Err(CoreError::invalid(
                    "require opt-in",
                    "opt-in before templates is for WhatsApp numbers",
                ));
            }
            if !notice.is_empty() && channel == Channel::Email {
                return Err(CoreError::invalid(
                    "privacy notice",
                    "a privacy notice is sent on WhatsApp and Messenger; for e-mail, put it in the signature",
                ));
            }
            store::set_account_settings(
                tx,
                account,
                change.require_opt_in,
                (!notice.is_empty()).then_some(notice),
            )?;
            crate::service::steps::audit_account_changed(
                tx,
                caller.user,
                account,
                &["require_opt_in", "privacy_notice"],
                now,
            )?;
            channel_accounts::view(tx, account)
        })?;
        tracing::info!(
            account = account.get(),
            require_opt_in = change.require_opt_in,
            notice = !notice.is_empty(),
            "consent settings changed"
        );
        self.publish(Event::ChannelsChanged);
        Ok(view)
    }
}
