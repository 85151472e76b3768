//! What the fuzz targets in `fuzz/` run, one function each, so the fuzzer and the corpus
//! replay tests below exercise the same code: the search query builder (every query it
//! builds must be valid FTS5 syntax) and the headers of backup and key files (read
//! without a passphrase; any bytes give an answer, never a panic).

use crate::store::search::{check_fts5_syntax, fts_query};

/// Fuzz target `search_query`: what a person typed into the search box.
pub fn search_query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(query) = fts_query(&text) {
        if let Err(e) = check_fts5_syntax(&query) {
            panic!("fts_query built an invalid FTS5 query {query:?}: {e}");
        }
    }
}

/// Fuzz target `file_headers`: the first byte picks the kind (even: a backup file, odd:
/// a key file), the rest is the file.
pub fn file_headers(data: &[u8]) {
    let Some((kind, rest)) = data.split_first() else {
        return;
    };
    if kind % 2 == 0 {
        let _ = crate::workspace::backup::inspect_backup(rest);
    } else {
        let _ = crate::keys::key_file::inspect(rest);
    }
}

/// The files of a corpus folder, sorted by name (the replay tests' inputs; empty when the
/// folder cannot be read, which those tests refuse).
pub fn corpus(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .filter_map(|path| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((name, std::fs::read(&path).ok()?))
        })
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus_of(target: &str) -> Vec<(String, Vec<u8>)> {
        corpus(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../fuzz/corpus")
                .join(target),
        )
    }

    #[test]
    fn the_search_query_corpus_builds_only_valid_fts5_queries() {
        let files = corpus_of("search_query");
        assert!(files.len() >= 5, "the corpus is missing");
        for (_, data) in &files {
            search_query(data);
        }
    }

    #[test]
    fn the_file_headers_corpus_is_read_without_a_panic() {
        let files = corpus_of("file_headers");
        assert!(files.len() >= 3, "the corpus is missing");
        for (_, data) in &files {
            file_headers(data);
        }
    }
}
