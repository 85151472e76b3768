//! Approved message templates: how many parameters a body has and how it reads filled in.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// A template the agent can send outside the customer-service window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateView {
    pub name: String,
    pub language: String,
    pub category: String,
    /// The body with `{{1}}`, `{{2}}` … placeholders.
    pub body: String,
    pub parameters: i64,
}

/// The highest `{{n}}` in a template body.
pub fn parameter_count(body: &str) -> i64 {
    let mut highest = 0;
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        rest = &rest[start + 2..];
        if let Some(end) = rest.find("}}") {
            if let Ok(n) = rest[..end].trim().parse::<i64>() {
                highest = highest.max(n);
            }
            rest = &rest[end + 2..];
        }
    }
    highest
}

/// The body with `{{n}}` replaced by `parameters[n - 1]`; the count must match.
pub fn fill(body: &str, parameters: &[String]) -> Result<String> {
    let wanted = parameter_count(body);
    if parameters.len() as i64 != wanted {
        return Err(CoreError::invalid(
            "template",
            format!(
                "this template needs {wanted} value(s), {} given",
                parameters.len()
            ),
        ));
    }
    if let Some(empty) = parameters.iter().position(|p| p.trim().is_empty()) {
        return Err(CoreError::invalid(
            "template",
            format!("value {} is empty", empty + 1),
        ));
    }
    let mut text = body.to_string();
    for (i, value) in parameters.iter().enumerate().rev() {
        text = text.replace(&format!("{{{{{}}}}}", i + 1), value);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_fills_placeholders() {
        let body = "Hello {{1}}, your order {{2}} is ready. Bye {{1}}";
        assert_eq!(parameter_count(body), 2);
        let filled = fill(body, &["Ana".into(), "A-17".into()]).expect("filled");
        assert_eq!(filled, "Hello Ana, your order A-17 is ready. Bye Ana");
        assert!(fill(body, &["Ana".into()]).is_err());
        assert!(fill(body, &["Ana".into(), " ".into()]).is_err());
        assert_eq!(parameter_count("No placeholders"), 0);
    }
}
