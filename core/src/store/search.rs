//! Search text for the full-text indexes: what a person typed, made into an FTS5 query
//! that no FTS5 syntax gets through. Used by the inbox search and the contact finder.

use crate::error::{CoreError, Result};

/// Turns what a person typed into a safe FTS5 query: every word quoted (so no FTS5
/// syntax gets through), all words required. A word typed with a trailing `*` is a
/// prefix. Whole words are the default: FTS5 walks a word's postings newest first and
/// stops at the page size, while a prefix must merge every matching word's postings.
pub fn fts_query(text: &str) -> Result<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(12)
        .map(|w| {
            let (word, prefix) = match w.strip_suffix('*') {
                Some(stem) => (stem, "*"),
                None => (w, ""),
            };
            format!("\"{}\"{prefix}", word.replace('"', "\"\""))
        })
        .collect();
    if words.is_empty() {
        return Err(CoreError::invalid("search", "type at least one word"));
    }
    Ok(words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_becomes_quoted_words_with_optional_prefix() -> Result<()> {
        assert_eq!(fts_query("refund  parc*")?, "\"refund\" \"parc\"*");
        assert_eq!(fts_query("refund")?, "\"refund\"");
        assert_eq!(fts_query("say \"hi\" OR")?, "\"say\" \"\"\"hi\"\"\" \"OR\"");
        assert!(fts_query("  -- ").is_err());
        Ok(())
    }
}
