//! Formatted e-mail replies: the composer's few marks (`**bold**`, `*italic*`,
//! `[words](https://link)`, `- ` and `1. ` lists, `> ` quotes) turned into clean HTML and a
//! faithful plain-text part, with the signature and the quoted history below both.
//!
//! Nothing else in the text becomes markup: every character is escaped, links keep only
//! `http`, `https` and `mailto`, and the HTML is what the inbound sanitiser itself writes
//! (a test in `channels` holds the two together).

/// A reply in both forms of a `multipart/alternative` mail.
#[derive(Clone, PartialEq, Eq)]
pub struct Formatted {
    pub plain: String,
    pub html: String,
}

crate::redacted_debug!(Formatted, QuotedMail);

/// The customer's mail quoted under a reply.
#[derive(Clone, PartialEq, Eq)]
pub struct QuotedMail {
    /// "On 2026-12-03 14:05 UTC, Ana <ana@example.com> wrote:"
    pub attribution: String,
    pub text: String,
}

/// The longest quoted history kept under a reply (characters; the rest is cut with "…").
pub const QUOTE_MAX_CHARS: usize = 20_000;

impl QuotedMail {
    /// The quote of a mail from `from` at `at`, its text cut to [`QUOTE_MAX_CHARS`].
    pub fn new(from: &str, at: crate::time::Timestamp, text: &str) -> Self {
        let when = at.to_rfc3339();
        let when = format!("{} {} UTC", &when[..10], &when[11..16]);
        let whole = text.trim_end();
        let mut text: String = whole.chars().take(QUOTE_MAX_CHARS).collect();
        if text.len() < whole.len() {
            text.push('…');
        }
        Self {
            attribution: format!("On {when}, {from} wrote:"),
            text,
        }
    }
}

/// A plain reply with the signature under the standard `-- ` line and the quote below.
pub fn plain_reply(body: &str, signature: Option<&str>, quote: Option<&QuotedMail>) -> String {
    let mut out = body.to_string();
    if let Some(signature) = signature {
        out.push_str("\n\n-- \n");
        out.push_str(signature);
    }
    if let Some(quote) = quote {
        push_plain_quote(&mut out, quote);
    }
    out
}

/// A reply written with marks, in both forms.
pub fn render(body: &str, signature: Option<&str>, quote: Option<&QuotedMail>) -> Formatted {
    let body = body.replace("\r\n", "\n");
    let blocks = blocks(&body);
    let plain: Vec<String> = blocks.iter().map(Block::plain).collect();
    let plain = plain_reply(&plain.join("\n\n"), signature, quote);
    let mut html: String = blocks.iter().map(Block::html).collect();
    if let Some(signature) = signature {
        html.push_str("<p>-- <br>");
        html.push_str(&lines_html(signature));
        html.push_str("</p>");
    }
    if let Some(quote) = quote {
        html.push_str("<p>");
        html.push_str(&escape_text(&quote.attribution));
        html.push_str("</p><blockquote><p>");
        html.push_str(&lines_html(&quote.text));
        html.push_str("</p></blockquote>");
    }
    Formatted { plain, html }
}

fn push_plain_quote(out: &mut String, quote: &QuotedMail) {
    out.push_str("\n\n");
    out.push_str(&quote.attribution);
    for line in quote.text.lines() {
        out.push('\n');
        out.push('>');
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
    }
}

/// Escaped lines joined by `<br>`.
fn lines_html(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(escape_text).collect();
    lines.join("<br>")
}

#[derive(Debug, PartialEq, Eq)]
enum Block<'a> {
    Paragraph(Vec<&'a str>),
    Bullets(Vec<&'a str>),
    Numbers { start: u32, items: Vec<&'a str> },
    Quote(Vec<&'a str>),
}

/// The kind of block a line opens or continues.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Text,
    Bullet,
    Number,
    Quote,
}

/// What kind of block a line belongs to, and the line without its mark.
fn line_kind(line: &str) -> (LineKind, &str) {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return (LineKind::Bullet, rest);
    }
    if let Some((number, rest)) = line.split_once(". ") {
        if !number.is_empty() && number.len() <= 9 && number.bytes().all(|b| b.is_ascii_digit()) {
            return (LineKind::Number, rest);
        }
    }
    if let Some(rest) = line.strip_prefix("> ") {
        return (LineKind::Quote, rest);
    }
    if line == ">" {
        return (LineKind::Quote, "");
    }
    (LineKind::Text, line)
}

fn blocks(body: &str) -> Vec<Block<'_>> {
    let mut out: Vec<Block<'_>> = Vec::new();
    let mut open = false;
    for line in body.lines() {
        if line.trim().is_empty() {
            open = false;
            continue;
        }
        let (kind, rest) = line_kind(line);
        let joined = match (open, out.last_mut(), kind) {
            (true, Some(Block::Paragraph(lines)), LineKind::Text) => {
                lines.push(rest);
                true
            }
            (true, Some(Block::Bullets(items)), LineKind::Bullet) => {
                items.push(rest);
                true
            }
            (true, Some(Block::Numbers { items, .. }), LineKind::Number) => {
                items.push(rest);
                true
            }
            (true, Some(Block::Quote(lines)), LineKind::Quote) => {
                lines.push(rest);
                true
            }
            _ => false,
        };
        if !joined {
            out.push(match kind {
                LineKind::Bullet => Block::Bullets(vec![rest]),
                LineKind::Number => Block::Numbers {
                    start: line
                        .split_once(". ")
                        .and_then(|(n, _)| n.parse().ok())
                        .unwrap_or(1),
                    items: vec![rest],
                },
                LineKind::Quote => Block::Quote(vec![rest]),
                LineKind::Text => Block::Paragraph(vec![rest]),
            });
        }
        open = true;
    }
    out
}

impl Block<'_> {
    fn plain(&self) -> String {
        let lines: Vec<String> = match self {
            Block::Paragraph(lines) => lines.iter().map(|l| inline_plain(l)).collect(),
            Block::Bullets(items) => items
                .iter()
                .map(|l| format!("- {}", inline_plain(l)))
                .collect(),
            Block::Numbers { start, items } => items
                .iter()
                .zip(*start..)
                .map(|(l, n)| format!("{n}. {}", inline_plain(l)))
                .collect(),
            Block::Quote(lines) => lines
                .iter()
                .map(|l| match inline_plain(l) {
                    t if t.is_empty() => ">".to_string(),
                    t => format!("> {t}"),
                })
                .collect(),
        };
        lines.join("\n")
    }

    fn html(&self) -> String {
        let joined = |lines: &[&str]| -> String {
            let parts: Vec<String> = lines.iter().map(|l| inline_html(l)).collect();
            parts.join("<br>")
        };
        let items = |items: &[&str]| -> String {
            items
                .iter()
                .map(|l| format!("<li>{}</li>", inline_html(l)))
                .collect()
        };
        match self {
            Block::Paragraph(lines) => format!("<p>{}</p>", joined(lines)),
            Block::Bullets(list) => format!("<ul>{}</ul>", items(list)),
            Block::Numbers {
                start: 1,
                items: list,
            } => format!("<ol>{}</ol>", items(list)),
            Block::Numbers { start, items: list } => {
                format!("<ol start=\"{start}\">{}</ol>", items(list))
            }
            Block::Quote(lines) => format!("<blockquote><p>{}</p></blockquote>", joined(lines)),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Inline {
    Text(String),
    Strong(Vec<Inline>),
    Em(Vec<Inline>),
    Link { words: Vec<Inline>, url: String },
}

/// How deep marks may nest (bold in a link in italic…): deeper is left as text.
const MAX_DEPTH: u8 = 6;

fn inline_plain(text: &str) -> String {
    let mut out = String::new();
    write_plain(&mut out, &inlines(text, 0));
    out
}

fn inline_html(text: &str) -> String {
    let mut out = String::new();
    write_html(&mut out, &inlines(text, 0));
    out
}

fn write_plain(out: &mut String, parts: &[Inline]) {
    for part in parts {
        match part {
            Inline::Text(t) => out.push_str(t),
            Inline::Strong(inner) => {
                out.push('*');
                write_plain(out, inner);
                out.push('*');
            }
            Inline::Em(inner) => {
                out.push('_');
                write_plain(out, inner);
                out.push('_');
            }
            Inline::Link { words, url } => {
                let mut shown = String::new();
                write_plain(&mut shown, words);
                let bare = url.strip_prefix("mailto:").unwrap_or(url);
                if shown == *url || shown == bare {
                    out.push_str(&shown);
                } else {
                    out.push_str(&format!("{shown} <{bare}>"));
                }
            }
        }
    }
}

fn write_html(out: &mut String, parts: &[Inline]) {
    for part in parts {
        match part {
            Inline::Text(t) => out.push_str(&escape_text(t)),
            Inline::Strong(inner) => {
                out.push_str("<strong>");
                write_html(out, inner);
                out.push_str("</strong>");
            }
            Inline::Em(inner) => {
                out.push_str("<em>");
                write_html(out, inner);
                out.push_str("</em>");
            }
            Inline::Link { words, url } => {
                out.push_str("<a href=\"");
                out.push_str(&escape_attribute(url));
                out.push_str("\" rel=\"noopener noreferrer\">");
                write_html(out, words);
                out.push_str("</a>");
            }
        }
    }
}

/// The marks in one line of text.
fn inlines(text: &str, depth: u8) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if depth < MAX_DEPTH {
            if let Some((mark, after)) = mark_at(rest, depth) {
                if !plain.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut plain)));
                }
                out.push(mark);
                rest = after;
                continue;
            }
        }
        if c == '\\' {
            if let Some(next) = rest[1..]
                .chars()
                .next()
                .filter(|n| "\\*[]()>-".contains(*n))
            {
                plain.push(next);
                rest = &rest[1 + next.len_utf8()..];
                continue;
            }
        }
        plain.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

/// A mark starting at the head of `text`, and what follows it.
fn mark_at(text: &str, depth: u8) -> Option<(Inline, &str)> {
    // Bold and italic at once, as the composer writes it: `***both***`.
    if let Some(inner) = text.strip_prefix("***") {
        if let Some(end) = inner
            .find("***")
            .filter(|&end| !inner[..end].trim().is_empty())
        {
            let both = Inline::Em(inlines(&inner[..end], depth + 1));
            return Some((Inline::Strong(vec![both]), &inner[end + 3..]));
        }
    }
    if let Some(inner) = text.strip_prefix("**") {
        let end = inner.find("**")?;
        let content = &inner[..end];
        if content.trim().is_empty() || content.starts_with(' ') {
            return None;
        }
        return Some((
            Inline::Strong(inlines(content, depth + 1)),
            &inner[end + 2..],
        ));
    }
    if let Some(inner) = text.strip_prefix('*') {
        let end = inner.find('*')?;
        let content = &inner[..end];
        if content.trim().is_empty() || content.starts_with(' ') {
            return None;
        }
        return Some((Inline::Em(inlines(content, depth + 1)), &inner[end + 1..]));
    }
    if let Some(inner) = text.strip_prefix('[') {
        let middle = inner.find("](")?;
        let words = &inner[..middle];
        let after = &inner[middle + 2..];
        let end = after.find(')')?;
        let url = &after[..end];
        if words.trim().is_empty() || !link_allowed(url) {
            return None;
        }
        return Some((
            Inline::Link {
                words: inlines(words, depth + 1),
                url: url.to_string(),
            },
            &after[end + 1..],
        ));
    }
    None
}

/// Only web and mail links, whole and without spaces or quotes.
fn link_allowed(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let scheme_ok = ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s) && lower.len() > s.len());
    scheme_ok
        && url.len() <= 2_000
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\''))
}

/// Text as the HTML serialiser writes it (`&`, `<`, `>` and no-break spaces escaped).
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// An attribute's value as the HTML serialiser writes it.
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\u{a0}', "&nbsp;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_become_html_and_faithful_plain_text() {
        let out = render(
            "Hello **Ana**,\nthe *new* part ships [today](https://example.com/t?a=1&b=2).\n\n- one\n- **two**\n\n3. third\n4. fourth\n\n> you wrote\n>\n> this",
            None,
            None,
        );
        assert_eq!(
            out.html,
            "<p>Hello <strong>Ana</strong>,<br>the <em>new</em> part ships <a href=\"https://example.com/t?a=1&amp;b=2\" rel=\"noopener noreferrer\">today</a>.</p>\
             <ul><li>one</li><li><strong>two</strong></li></ul>\
             <ol start=\"3\"><li>third</li><li>fourth</li></ol>\
             <blockquote><p>you wrote<br><br>this</p></blockquote>"
        );
        assert_eq!(
            out.plain,
            "Hello *Ana*,\nthe _new_ part ships today <https://example.com/t?a=1&b=2>.\n\n- one\n- *two*\n\n3. third\n4. fourth\n\n> you wrote\n>\n> this"
        );
    }

    #[test]
    fn bold_and_italic_at_once() {
        let out = render("a ***both*** b", None, None);
        assert_eq!(out.html, "<p>a <strong><em>both</em></strong> b</p>");
        assert_eq!(out.plain, "a *_both_* b");
    }

    #[test]
    fn anything_else_is_text_escaped_never_markup() {
        let out = render(
            "<script>alert(1)</script> & [x](javascript:alert(1)) [y](https://a\"onmouseover=x) ** * \\*not\\*",
            None,
            None,
        );
        assert!(!out.html.contains("<script"), "{}", out.html);
        assert!(!out.html.contains("<a "), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;"), "{}", out.html);
        assert!(out.html.contains("&amp; [x](javascript:alert(1))"));
        assert!(out.plain.ends_with("** * *not*"), "{}", out.plain);
    }

    #[test]
    fn signature_and_quoted_history_go_under_both_parts() {
        let quote = QuotedMail::new(
            "Ana <ana@example.com>",
            crate::time::Timestamp::from_unix(1_796_000_000),
            "Where is my order?\n\nThanks",
        );
        let out = render(
            "Shipped **today**.",
            Some("Sam\nSupport <team>"),
            Some(&quote),
        );
        assert_eq!(
            out.plain,
            format!(
                "Shipped *today*.\n\n-- \nSam\nSupport <team>\n\n{}\n> Where is my order?\n>\n> Thanks",
                quote.attribution
            )
        );
        assert!(
            quote.attribution.starts_with("On 2026-"),
            "{}",
            quote.attribution
        );
        assert!(out.html.ends_with(
            "<p>-- <br>Sam<br>Support &lt;team&gt;</p><p>On 2026-11-30 00:53 UTC, Ana &lt;ana@example.com&gt; wrote:</p>\
             <blockquote><p>Where is my order?<br><br>Thanks</p></blockquote>"
        ), "{}", out.html);
        assert_eq!(
            plain_reply("Hi", None, Some(&quote)),
            format!(
                "Hi\n\n{}\n> Where is my order?\n>\n> Thanks",
                quote.attribution
            )
        );
    }

    #[test]
    fn what_we_render_is_what_the_sanitiser_writes() {
        let quote = QuotedMail::new(
            "Ana <ana@example.com>",
            crate::time::Timestamp::from_unix(0),
            "a & b < c\n\n> quoted \u{a0}",
        );
        for input in [
            "**a *b* c**",
            "***both*** and **bold [link](https://x.example/?a=1&b=\"2\") in it**",
            "**a *b",
            "- \n- item\n1. \n\n> \n>",
            "no\u{a0}break\u{7}bell\ttab",
            "[x]( https://a) [y](HTTPS://Example.com/Path) [z](mailto:help@example.com)",
            "[x](https://a.example/(b)) <img src=x onerror=alert(1)> &amp; &#x3C;",
            "*[**[*[**x**](https://a)*](https://b)**](https://c)*",
            "1. one\n2. two\n\n9. nine",
        ] {
            let out = render(input, Some("Sam & co <support>"), Some(&quote));
            assert_eq!(
                crate::channel::sanitize::sanitize_html(&out.html),
                out.html,
                "{input:?}"
            );
        }
    }

    #[test]
    fn a_long_quote_is_cut_and_deep_marks_stay_text() {
        let exact = "y".repeat(QUOTE_MAX_CHARS);
        let quote = QuotedMail::new("a@b.c", crate::time::Timestamp::from_unix(0), &exact);
        assert_eq!(quote.text, exact, "nothing cut: no ellipsis");
        let long = "x".repeat(QUOTE_MAX_CHARS + 10);
        let quote = QuotedMail::new("a@b.c", crate::time::Timestamp::from_unix(0), &long);
        assert_eq!(quote.text.chars().count(), QUOTE_MAX_CHARS + 1);
        let deep = "*[**[*[**x**](https://a)*](https://b)**](https://c)*".repeat(200);
        let out = render(&deep, None, None);
        assert!(out.html.starts_with("<p>"));
    }
}
