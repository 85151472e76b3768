//! The step the runtime's work queues share: take the rows due now and lease them for
//! ten minutes, so a process that stops mid-way leaves them to be taken again.

use crate::error::Result;
use crate::time::Timestamp;
use rusqlite::{params, Connection, Row};

/// How long a claimed row is left to the process that took it.
const LEASE_SECONDS: i64 = 600;

/// Runs `select` (one `?1` for `now`, its LIMIT written in) and maps each row with
/// `row`; then `lease` (`?1` the row's id, `?2` the lease's end) for each job.
pub(crate) fn claim<T>(
    conn: &Connection,
    select: &str,
    lease: &str,
    now: Timestamp,
    row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    id: impl Fn(&T) -> i64,
) -> Result<Vec<T>> {
    let jobs: Vec<T> = conn
        .prepare_cached(select)?
        .query_map(params![now], row)?
        .collect::<rusqlite::Result<_>>()?;
    for job in &jobs {
        conn.execute(lease, params![id(job), now.plus_seconds(LEASE_SECONDS)])?;
    }
    Ok(jobs)
}
