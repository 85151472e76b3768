//! Approved message templates: the values each part takes (a header's text or file, the
//! body's placeholders, a button's link suffix or code), checked against the approved
//! template before sending, and how the message reads filled in.

use crate::channel::outbound::OutboundAttachment;
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// The longest value of one template parameter, in characters.
pub const VALUE_MAX_CHARS: usize = 1024;

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
    /// What stands above the body: text (with at most one placeholder) or a file.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub header: Option<TemplateHeader>,
    /// The template's buttons in their order (WhatsApp's `index`).
    #[serde(default)]
    pub buttons: Vec<TemplateButton>,
}

/// A template's header as approved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateHeader {
    /// `text`, `image`, `video`, `document` or `location`.
    pub format: String,
    /// A text header, with `{{1}}` where its value goes.
    pub text: String,
    pub parameters: i64,
}

/// One of a template's buttons as approved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateButton {
    /// `quick_reply`, `url`, `phone_number`, `copy_code`, or another kind as Meta names it.
    pub kind: String,
    pub text: String,
    /// A link button's address, with `{{1}}` where the value goes when it takes one.
    pub url: String,
    /// 1 when the agent gives a value (a link's ending, an offer code), else 0.
    pub parameters: i64,
}

/// The values of a template besides its body's.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateExtras {
    /// The text header's value, when it has a placeholder.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(inner(length(max = VALUE_MAX_CHARS))))]
    pub header: Vec<String>,
    /// The file of an image, video or document header.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub header_file: Option<OutboundAttachment>,
    /// One value for each button that takes one, in the buttons' order.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(inner(length(max = VALUE_MAX_CHARS))))]
    pub buttons: Vec<String>,
}

crate::redacted_debug!(TemplateExtras);

/// An approved template to send with all its values.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateMessage {
    pub name: String,
    pub language: String,
    /// The body's values, `{{1}}` first.
    #[cfg_attr(feature = "schema", schemars(inner(length(max = VALUE_MAX_CHARS))))]
    pub parameters: Vec<String>,
    #[serde(default)]
    pub extras: TemplateExtras,
}

crate::redacted_debug!(TemplateMessage);

/// A button's value as WhatsApp takes it: the button's position and kind with the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonValue {
    pub index: usize,
    /// `url` or `copy_code`.
    pub kind: String,
    pub value: String,
}

crate::redacted_debug!(ButtonValue);

/// Whether a header of this format carries a file.
pub fn is_media_header(format: &str) -> bool {
    matches!(format, "image" | "video" | "document")
}

/// Whether a file of type `mime` can stand at the top of a template with this header
/// format (Cloud API supported media: JPEG and PNG images, MP4 and 3GPP video, and
/// documents of any type).
pub fn header_file_fits(format: &str, mime: &str) -> bool {
    let mime = mime.split(';').next().unwrap_or_default().trim();
    match format {
        "image" => matches!(mime, "image/jpeg" | "image/png"),
        "video" => matches!(mime, "video/mp4" | "video/3gpp"),
        "document" => true,
        _ => false,
    }
}

/// A template's values, checked against the approved template.
pub struct FilledTemplate {
    /// How the message reads: the header's text, the body, and the buttons.
    pub rendered: String,
    pub header: Vec<String>,
    pub buttons: Vec<ButtonValue>,
}

crate::redacted_debug!(FilledTemplate);

/// Checks `extras` (and, through [`fill`], `parameters`) against `template`: a value for
/// each placeholder of the header and each button that takes one, a file exactly when
/// the header is one; and renders the message as the customer will read it.
pub fn fill_all(
    template: &TemplateView,
    parameters: &[String],
    extras: &TemplateExtras,
) -> Result<FilledTemplate> {
    let body = fill(&template.body, parameters)?;
    let header_format = template.header.as_ref().map(|h| h.format.as_str());
    if header_format == Some("location") {
        return Err(CoreError::invalid(
            "template",
            "templates with a place in their header cannot be sent from this app; choose another",
        ));
    }
    // Buttons this app fills (or that need nothing); an OTP, Flow or catalogue button
    // needs values the window does not ask for, and Meta would refuse the send.
    if let Some(b) = template.buttons.iter().find(|b| {
        !matches!(
            b.kind.as_str(),
            "quick_reply" | "url" | "phone_number" | "copy_code"
        )
    }) {
        return Err(CoreError::invalid(
            "template",
            format!(
                "this template has a {} button, which cannot be sent from this app; choose another",
                b.kind.replace('_', " ")
            ),
        ));
    }
    let media = header_format.is_some_and(is_media_header);
    match (&extras.header_file, media) {
        (Some(_), false) => {
            return Err(CoreError::invalid(
                "header_file",
                "this template has no picture, video or document at its top",
            ))
        }
        (None, true) => {
            return Err(CoreError::invalid(
                "header_file",
                format!(
                    "this template starts with a {}: choose the file",
                    header_format.unwrap_or_default()
                ),
            ))
        }
        (Some(file), true) => {
            let format = header_format.unwrap_or_default();
            if !header_file_fits(format, &file.mime_type) {
                let wanted = match format {
                    "image" => "a JPEG or PNG picture",
                    _ => "an MP4 or 3GPP video",
                };
                return Err(CoreError::invalid(
                    "header_file",
                    format!("this template's header takes {wanted}"),
                ));
            }
        }
        (None, false) => {}
    }
    let header_text = match &template.header {
        Some(h) if h.format == "text" => {
            let wanted = parameter_count(&h.text);
            if extras.header.len() as i64 != wanted {
                return Err(CoreError::invalid(
                    "header",
                    format!(
                        "this template's title needs {wanted} value(s), {} given",
                        extras.header.len()
                    ),
                ));
            }
            fill(&h.text, &extras.header).map_err(|_| {
                CoreError::invalid("header", "the value of the template's title is empty")
            })?
        }
        _ if !extras.header.is_empty() => {
            return Err(CoreError::invalid(
                "header",
                "this template's title takes no value",
            ))
        }
        _ => String::new(),
    };
    let wanted: Vec<(usize, &TemplateButton)> = template
        .buttons
        .iter()
        .enumerate()
        .filter(|(_, b)| b.parameters > 0)
        .collect();
    if extras.buttons.len() != wanted.len() {
        return Err(CoreError::invalid(
            "buttons",
            format!(
                "this template's buttons need {} value(s), {} given",
                wanted.len(),
                extras.buttons.len()
            ),
        ));
    }
    let mut buttons = Vec::new();
    for ((index, button), value) in wanted.iter().zip(&extras.buttons) {
        let value = value.trim();
        if value.is_empty() {
            return Err(CoreError::invalid(
                "buttons",
                format!("give a value for the button “{}”", button.text),
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(CoreError::invalid(
                "buttons",
                format!("the value for “{}” cannot hold line breaks", button.text),
            ));
        }
        // An offer code is at most 15 characters (Cloud API, copy code buttons).
        if button.kind == "copy_code" && value.chars().count() > 15 {
            return Err(CoreError::invalid(
                "buttons",
                "an offer code is at most 15 characters",
            ));
        }
        buttons.push(ButtonValue {
            index: *index,
            kind: button.kind.clone(),
            value: value.to_string(),
        });
    }
    let mut lines = Vec::new();
    if !header_text.is_empty() {
        lines.push(header_text);
    }
    lines.push(body);
    let mut values = buttons.iter();
    let shown: Vec<String> = template
        .buttons
        .iter()
        .map(|b| {
            let value = if b.parameters > 0 {
                values.next().map(|v| v.value.as_str())
            } else {
                None
            };
            match (b.kind.as_str(), value) {
                ("url", Some(v)) => format!("[{}: {}]", b.text, b.url.replace("{{1}}", v)),
                ("url", None) if !b.url.is_empty() => format!("[{}: {}]", b.text, b.url),
                ("copy_code", Some(v)) => format!("[{}: {v}]", b.text),
                _ => format!("[{}]", b.text),
            }
        })
        .collect();
    if !shown.is_empty() {
        lines.push(shown.join(" "));
    }
    Ok(FilledTemplate {
        rendered: lines.join("\n\n"),
        header: extras.header.iter().map(|v| v.trim().to_string()).collect(),
        buttons,
    })
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

    fn template(header: Option<(&str, &str)>, buttons: &[(&str, &str, &str)]) -> TemplateView {
        TemplateView {
            name: "order_ready".into(),
            language: "en".into(),
            category: "UTILITY".into(),
            body: "Order {{1}} is ready".into(),
            parameters: 1,
            header: header.map(|(format, text)| TemplateHeader {
                format: format.into(),
                text: text.into(),
                parameters: parameter_count(text),
            }),
            buttons: buttons
                .iter()
                .map(|(kind, text, url)| TemplateButton {
                    kind: (*kind).into(),
                    text: (*text).into(),
                    url: (*url).into(),
                    parameters: i64::from(url.contains("{{1}}") || *kind == "copy_code"),
                })
                .collect(),
        }
    }

    fn file(mime: &str) -> OutboundAttachment {
        OutboundAttachment {
            file_name: "f".into(),
            mime_type: mime.into(),
            data_base64: "AA==".into(),
        }
    }

    fn refused_field(result: Result<FilledTemplate>) -> &'static str {
        match result {
            Err(CoreError::InvalidInput { field, .. }) => field,
            Err(other) => panic!("{other}"),
            Ok(f) => panic!("accepted: {}", f.rendered),
        }
    }

    #[test]
    fn header_and_button_values_are_checked_and_shown() {
        let t = template(
            Some(("text", "Hi {{1}}")),
            &[
                ("url", "Track", "https://shop.example/t/{{1}}"),
                ("quick_reply", "Thanks", ""),
                ("copy_code", "Copy code", ""),
            ],
        );
        let extras = TemplateExtras {
            header: vec!["Ana".into()],
            header_file: None,
            buttons: vec![" A17 ".into(), "SAVE10".into()],
        };
        let filled = fill_all(&t, &["A-17".into()], &extras).expect("filled");
        assert_eq!(
            filled.rendered,
            "Hi Ana\n\nOrder A-17 is ready\n\n[Track: https://shop.example/t/A17] [Thanks] [Copy code: SAVE10]"
        );
        let indexes: Vec<(usize, &str)> = filled
            .buttons
            .iter()
            .map(|b| (b.index, b.kind.as_str()))
            .collect();
        assert_eq!(indexes, [(0, "url"), (2, "copy_code")]);

        let missing_title = TemplateExtras {
            header: vec![],
            ..extras.clone()
        };
        assert_eq!(
            refused_field(fill_all(&t, &["A-17".into()], &missing_title)),
            "header"
        );
        let one_button = TemplateExtras {
            buttons: vec!["A17".into()],
            ..extras.clone()
        };
        assert_eq!(
            refused_field(fill_all(&t, &["A-17".into()], &one_button)),
            "buttons"
        );
        let blank = TemplateExtras {
            buttons: vec!["A17".into(), " ".into()],
            ..extras.clone()
        };
        assert_eq!(
            refused_field(fill_all(&t, &["A-17".into()], &blank)),
            "buttons"
        );
        let long_code = TemplateExtras {
            buttons: vec!["A17".into(), "SIXTEEN-LETTERS!".into()],
            ..extras.clone()
        };
        assert_eq!(
            refused_field(fill_all(&t, &["A-17".into()], &long_code)),
            "buttons"
        );
        let stray_file = TemplateExtras {
            header_file: Some(file("image/png")),
            ..extras
        };
        assert_eq!(
            refused_field(fill_all(&t, &["A-17".into()], &stray_file)),
            "header_file"
        );
    }

    #[test]
    fn a_media_header_takes_a_file_of_its_kind() {
        let image = template(Some(("image", "")), &[]);
        let with = |mime: &str| TemplateExtras {
            header_file: Some(file(mime)),
            ..TemplateExtras::default()
        };
        let filled = fill_all(&image, &["A-17".into()], &with("image/png")).expect("filled");
        assert_eq!(filled.rendered, "Order A-17 is ready");
        assert_eq!(
            refused_field(fill_all(
                &image,
                &["A-17".into()],
                &TemplateExtras::default()
            )),
            "header_file"
        );
        assert_eq!(
            refused_field(fill_all(&image, &["A-17".into()], &with("application/pdf"))),
            "header_file"
        );
        let video = template(Some(("video", "")), &[]);
        assert!(fill_all(&video, &["A-17".into()], &with("video/mp4")).is_ok());
        assert_eq!(
            refused_field(fill_all(&video, &["A-17".into()], &with("image/png"))),
            "header_file"
        );
        let document = template(Some(("document", "")), &[]);
        assert!(fill_all(&document, &["A-17".into()], &with("application/pdf")).is_ok());
        let flow = template(None, &[("flow", "Book", "")]);
        assert_eq!(
            refused_field(fill_all(
                &flow,
                &["A-17".into()],
                &TemplateExtras::default()
            )),
            "template"
        );
        let place = template(Some(("location", "")), &[]);
        assert_eq!(
            refused_field(fill_all(
                &place,
                &["A-17".into()],
                &TemplateExtras::default()
            )),
            "template"
        );
    }
}
