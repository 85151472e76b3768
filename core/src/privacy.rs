//! Privacy rules in the message path: masking card numbers and IBANs before text is
//! stored or indexed, recognising a customer's request to stop being contacted, where data
//! may be sent, and the shapes of the answers to requests to see or erase their data
//! (answered by `service::privacy`). Pure rules: no store, no SQL.

pub mod consent;
pub mod egress;
pub mod mask;
pub mod opt_out;
pub mod request;
