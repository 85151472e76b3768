//! Typed ids, so a user id can never be passed where a conversation id is expected.

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.0))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                i64::column_result(value).map(Self)
            }
        }
    };
}

typed_id!(
    /// A person who signs in: agent, lead or admin.
    UserId
);
typed_id!(
    /// A team of agents with a lead.
    TeamId
);
typed_id!(
    /// A customer, known by one or more channel identities.
    ContactId
);
typed_id!(
    /// One merge of two contacts into one (undoable for a while).
    ContactMergeId
);
typed_id!(
    /// A connected WhatsApp number, Messenger page or mailbox.
    ChannelAccountId
);
typed_id!(
    /// One conversation with one contact on one channel account.
    ConversationId
);
typed_id!(
    /// One message in a conversation.
    MessageId
);
typed_id!(
    /// One row of the audit log.
    AuditId
);
