//! Privacy in the message path: masking card numbers and IBANs before text is stored or
//! indexed, and recognising a customer's request to stop being contacted.

pub mod mask;
pub mod opt_out;
