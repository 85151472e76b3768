//! Residency regions an admin can choose at creation. The codes follow Meta's WhatsApp
//! in-country storage regions (channels.md §2.7) plus regions without such storage.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// (code, name, has WhatsApp in-country storage)
pub const REGIONS: &[(&str, &str, bool)] = &[
    ("AE", "United Arab Emirates", true),
    ("AU", "Australia", true),
    ("BH", "Bahrain", true),
    ("BR", "Brazil", true),
    ("CA", "Canada", true),
    ("CH", "Switzerland", true),
    ("DE", "Germany (EU)", true),
    ("GB", "United Kingdom", true),
    ("ID", "Indonesia", true),
    ("IN", "India", true),
    ("JP", "Japan", true),
    ("KR", "South Korea", true),
    ("SG", "Singapore", true),
    ("US", "United States", false),
    ("ZA", "South Africa", true),
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Region(String);

impl Region {
    pub fn parse(code: &str) -> Result<Self> {
        let upper = code.trim().to_ascii_uppercase();
        if REGIONS.iter().any(|(c, _, _)| *c == upper) {
            Ok(Self(upper))
        } else {
            let known: Vec<&str> = REGIONS.iter().map(|(c, _, _)| *c).collect();
            Err(CoreError::invalid(
                "region",
                format!(
                    "unknown region {code:?}; choose one of {}",
                    known.join(", ")
                ),
            ))
        }
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    /// Whether Meta keeps WhatsApp data at rest in this region (in-country storage).
    pub fn has_whatsapp_storage(&self) -> bool {
        REGIONS
            .iter()
            .any(|(c, _, storage)| *c == self.0 && *storage)
    }
}
