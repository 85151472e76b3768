//! Search text for the full-text indexes: what a person typed, made into an FTS5 query
//! that no FTS5 syntax gets through. Used by the inbox search and the contact finder.

use crate::error::{CoreError, Result};
use rusqlite::Connection;

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
            // SQLite reads the query as a C string: a NUL would end it mid-quote.
            let word = word.replace('\0', "").replace('"', "\"\"");
            format!("\"{word}\"{prefix}")
        })
        .collect();
    if words.is_empty() {
        return Err(CoreError::invalid("search", "type at least one word"));
    }
    Ok(words.join(" "))
}

/// Runs `query` against an in-memory FTS5 table tokenized like the real indexes (the
/// fuzz target's and replay test's check that every query [`fts_query`] builds is valid
/// FTS5 syntax). `Err` carries SQLite's complaint.
pub fn check_fts5_syntax(query: &str) -> Result<()> {
    thread_local! {
        static TABLE: std::cell::RefCell<Option<Connection>> = const { std::cell::RefCell::new(None) };
    }
    TABLE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let conn = Connection::open_in_memory()?;
            conn.execute_batch(
                "CREATE VIRTUAL TABLE t USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2');
                 INSERT INTO t (body) VALUES ('refund parcel Zoë ÅSA 42 über'), ('say hi or not');",
            )?;
            *slot = Some(conn);
        }
        let conn = slot.as_ref().ok_or_else(|| CoreError::Storage("no table".into()))?;
        let mut statement = conn.prepare_cached("SELECT count(*) FROM t WHERE t MATCH ?1")?;
        statement.query_row([query], |r| r.get::<_, i64>(0))?;
        Ok(())
    })
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

    #[test]
    fn the_fts5_check_refuses_raw_fts5_syntax() {
        // The check can fail: bare FTS5 operators are not a valid query.
        assert!(check_fts5_syntax("AND OR").is_err());
        // Found by the fuzzer: a NUL inside a word ended the quoted string early.
        assert!(check_fts5_syntax(&fts_query("(unb~\0lanced").unwrap_or_default()).is_ok());
        assert!(check_fts5_syntax("\"refund\" \"parc\"*").is_ok());
    }
}
