//! The window that shows an e-mail's formatted (HTML) version. Customer HTML never
//! reaches the main window: this window loads `mailview://localhost/<message>` from a
//! protocol handler here, which checks the session in the core, serves the sanitised HTML
//! under its own strict Content-Security-Policy, and has no capability, so the page can
//! call no app command. Remote images stay blocked until the agent clicks "Show remote
//! images" (which reloads the page with a policy that allows https images); links never
//! navigate the window.

use crate::state::AppState;
use appcare_core::ids::MessageId;
use appcare_core::Timestamp;
use tauri::http::{header, Request, Response, StatusCode};
use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

pub const SCHEME: &str = "mailview";

/// The policy of the page: nothing but inline styles and embedded images, and https
/// images only when the agent asked.
pub fn content_security_policy(remote_images: bool) -> String {
    let images = if remote_images {
        "data: https:"
    } else {
        "data:"
    };
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src {images}; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// `mailview://localhost/42?remote=1` → (42, true).
pub fn parse_path(path: &str, query: Option<&str>) -> Option<(MessageId, bool)> {
    let id: i64 = path.trim_start_matches('/').parse().ok()?;
    let remote = query.is_some_and(|q| q.split('&').any(|p| p == "remote=1"));
    (id > 0).then(|| (MessageId::new(id), remote))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page around the sanitised HTML: a bar saying whether remote images are shown.
pub fn page(message: MessageId, html: &str, remote_images: bool) -> String {
    let bar = if remote_images {
        "Remote images are shown. <a href=\"?\">Block them again</a>".to_string()
    } else {
        format!(
            "Remote images are blocked to protect your privacy. \
             <a href=\"/{message}?remote=1\">Show remote images</a>"
        )
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>E-mail {}</title>\
         <style>body{{font:15px system-ui,sans-serif;margin:0}}\
         .bar{{background:#f3f4f6;border-bottom:1px solid #d1d5db;padding:6px 12px;font-size:13px}}\
         .mail{{padding:12px;max-width:900px}}img{{max-width:100%}}</style></head>\
         <body><div class=\"bar\">{bar}</div><div class=\"mail\">{html}</div></body></html>",
        escape(&message.to_string())
    )
}

fn plain(status: StatusCode, text: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(false),
        )
        .body(text.as_bytes().to_vec())
        .unwrap_or_default()
}

/// Serves one request of the mail window.
pub fn handle(app: &AppHandle, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let uri = request.uri();
    let Some((message, remote)) = parse_path(uri.path(), uri.query()) else {
        return plain(StatusCode::NOT_FOUND, "No such e-mail.");
    };
    let state = app.state::<AppState>();
    let Ok((ws, token)) = state.session() else {
        return plain(
            StatusCode::FORBIDDEN,
            "Sign in to the app to see this e-mail.",
        );
    };
    match ws.email_html(&token, message, Timestamp::now()) {
        Ok(Some(html)) => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(
                header::CONTENT_SECURITY_POLICY,
                content_security_policy(remote),
            )
            .header("Referrer-Policy", "no-referrer")
            .body(page(message, &html, remote).into_bytes())
            .unwrap_or_default(),
        Ok(None) => plain(
            StatusCode::NOT_FOUND,
            "This e-mail has no formatted version.",
        ),
        Err(e) => plain(StatusCode::FORBIDDEN, &e.to_string()),
    }
}

/// The label of the mail window for `message`.
fn label_of(message: MessageId) -> String {
    format!("mail-{message}")
}

/// Which of the windows `labels` must close at `phase`: every mail window, unless
/// someone is fully signed in (a lock, a sign-out or an ended session closes them).
pub fn mail_windows_to_close<'a>(
    phase: crate::dto::Phase,
    labels: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    if phase == crate::dto::Phase::SignedIn {
        return Vec::new();
    }
    labels
        .into_iter()
        .filter(|label| {
            label
                .strip_prefix("mail-")
                .and_then(|id| parse_path(id, None))
                .is_some()
        })
        .collect()
}

/// Closes the mail windows unless `phase` is signed in.
pub fn close_unless_signed_in(app: &AppHandle, phase: crate::dto::Phase) {
    let windows = app.webview_windows();
    for label in mail_windows_to_close(phase, windows.keys().map(String::as_str)) {
        if let Some(window) = windows.get(label) {
            let _ = window.destroy();
        }
    }
}

/// Opens (or focuses) the mail window for `message`.
pub fn open(app: &AppHandle, message: MessageId) -> Result<(), appcare_core::CoreError> {
    let label = label_of(message);
    if let Some(window) = app.get_webview_window(&label) {
        let _ = window.set_focus();
        return Ok(());
    }
    let url = format!("{SCHEME}://localhost/{message}");
    let url = url
        .parse()
        .map_err(|_| appcare_core::CoreError::Storage("mail window address".into()))?;
    WebviewWindowBuilder::new(app, &label, WebviewUrl::CustomProtocol(url))
        .title("E-mail")
        .inner_size(900.0, 700.0)
        // Only this window's own pages; a link in the mail goes nowhere.
        .on_navigation(|url| url.scheme() == SCHEME)
        .build()
        .map_err(|e| {
            appcare_core::CoreError::Storage(format!("the mail window could not open: {e}"))
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_blocks_remote_images_unless_asked() {
        let strict = content_security_policy(false);
        assert!(strict.contains("default-src 'none'"));
        assert!(strict.contains("img-src data:;"));
        assert!(!strict.contains("script"));
        assert!(content_security_policy(true).contains("img-src data: https:"));
    }

    #[test]
    fn paths_name_a_message_and_the_remote_choice() {
        assert_eq!(parse_path("/42", None), Some((MessageId::new(42), false)));
        assert_eq!(
            parse_path("/42", Some("remote=1")),
            Some((MessageId::new(42), true))
        );
        assert_eq!(parse_path("/x", None), None);
        assert_eq!(parse_path("/0", None), None);
    }

    /// Issue 18, finding 14: formatted mail does not stay open over the lock screen or
    /// into the next user's session.
    #[test]
    fn mail_windows_close_unless_someone_is_signed_in() {
        use crate::dto::Phase;
        let mail = label_of(MessageId::new(7));
        let labels = ["main", mail.as_str(), "mail-x"];
        assert!(mail_windows_to_close(Phase::SignedIn, labels).is_empty());
        for phase in [
            Phase::Locked,
            Phase::SignedOut,
            Phase::NeedsCode,
            Phase::NeedsEnrolment,
            Phase::NeedsPassphrase,
            Phase::NoWorkspace,
        ] {
            assert_eq!(
                mail_windows_to_close(phase, labels),
                vec![mail.as_str()],
                "{phase:?}"
            );
        }
    }

    #[test]
    fn the_page_offers_remote_images_only_as_a_link_in_its_own_scheme() {
        let page = page(MessageId::new(7), "<p>Hi</p>", false);
        assert!(page.contains("<a href=\"/7?remote=1\">Show remote images</a>"));
        assert!(page.contains("<p>Hi</p>"));
        assert!(!page.contains("<script"));
    }
}
