//! What Meta charged for the WhatsApp messages we sent, summed per account, month and
//! category for leads and admins (from the `pricing` block of delivery statuses).

use crate::ids::ChannelAccountId;
use serde::{Deserialize, Serialize};

/// One account's sent messages with pricing in one month and category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PricingMonth {
    pub account: ChannelAccountId,
    pub account_name: String,
    /// `YYYY-MM`, in UTC, of when the message was sent.
    pub month: String,
    /// Meta's category (`marketing`, `utility`, `authentication`, `service`, …).
    pub category: String,
    /// Messages Meta reported a price for.
    pub messages: i64,
    /// Of those, the ones Meta bills.
    pub billable: i64,
}
