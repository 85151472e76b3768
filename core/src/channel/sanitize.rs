//! The one HTML sanitiser for mail: inbound mail's HTML before it is stored or shown,
//! and our formatted replies before they are kept and sent.

/// `html` made safe to show: scripts, styles, event handlers and unknown schemes gone,
/// links opened without a referrer, relative links (which would point into the mail
/// window itself) dropped.
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .url_relative(ammonia::UrlRelative::Deny)
        .clean(html)
        .to_string()
}
