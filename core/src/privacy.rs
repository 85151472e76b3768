//! Privacy in the message path: masking card numbers and IBANs before text is stored or
//! indexed, recognising a customer's request to stop being contacted, and answering
//! requests to see or erase their data.

pub mod egress;
pub mod mask;
pub mod opt_out;
pub mod request;
