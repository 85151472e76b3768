//! Statements by their SQL text, prepared once per connection and kept (rusqlite's
//! statement cache): the store's fixed statements skip SQLite's parser and planner on
//! every call after the first, triggers (FTS) included. SQL built at run time does not
//! come here, so it cannot push the fixed statements out of the cache.

use rusqlite::{Connection, Params, Row};

/// Like [`Connection::execute`], through the statement cache.
pub fn execute<P: Params>(
    conn: &Connection,
    sql: &'static str,
    params: P,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// Like [`Connection::query_row`], through the statement cache.
pub fn query_row<T, P: Params, F: FnOnce(&Row<'_>) -> rusqlite::Result<T>>(
    conn: &Connection,
    sql: &'static str,
    params: P,
    f: F,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}
