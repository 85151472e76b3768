//! A webhook item set aside, as an admin sees it.

use serde::Serialize;

/// An item a WhatsApp or Messenger webhook sent that the app could not store as what it
/// is, with the reason and the item's raw JSON (customer data: `Debug` prints
/// `<redacted>`).
#[derive(Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WebhookSetAsideView {
    pub id: i64,
    pub channel: String,
    pub reason: String,
    pub raw: String,
    pub received_at: crate::time::Timestamp,
}

crate::redacted_debug!(WebhookSetAsideView);
