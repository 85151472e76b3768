//! IMAP over TLS (implicit or STARTTLS) with async-imap: connect and log in, and sync
//! one folder by UID. The folder is opened read-only (EXAMINE) and bodies are fetched
//! with `BODY.PEEK[]`, so syncing never changes the shared mailbox's read state.

use super::parse::{parse_mail, too_large, MAX_MESSAGE_BYTES};
use super::MailError;
use appcare_core::channel::email::{EmailEndpoint, MailSecurity};
use appcare_core::channel::mail::MailItem;
use appcare_core::privacy::egress::EgressPolicy;
use appcare_core::Timestamp;
use futures_util::TryStreamExt;
use std::time::Duration;
use tokio::net::TcpStream;

pub type TlsStream = tokio_rustls::client::TlsStream<TcpStream>;
pub type Session = async_imap::Session<TlsStream>;

/// Messages fetched per round trip, and the byte budget of one round trip.
const BATCH_MESSAGES: usize = 250;
const BATCH_BYTES: u64 = 16 * 1024 * 1024;

/// Opens a logged-in session. The host must be allowed by the workspace's egress list.
pub async fn connect(
    endpoint: &EmailEndpoint,
    policy: &EgressPolicy,
    timeout: Duration,
) -> Result<(Session, bool), MailError> {
    let server = &endpoint.config.imap;
    if !policy.allows_host(&server.host) {
        return Err(MailError::refused(&server.host));
    }
    let tls =
        super::tls::client_config(endpoint.config.ca_pem.as_deref()).map_err(MailError::setup)?;
    let connector = tokio_rustls::TlsConnector::from(tls);
    let name = super::tls::server_name(&server.host).map_err(MailError::setup)?;
    let work = async {
        let tcp = TcpStream::connect((server.host.as_str(), server.port))
            .await
            .map_err(|e| MailError::network("IMAP", &e))?;
        let tls = match server.security {
            MailSecurity::Tls => {
                let tls = connector
                    .connect(name, tcp)
                    .await
                    .map_err(|e| MailError::tls("IMAP", &e))?;
                let mut client = async_imap::Client::new(tls);
                client
                    .read_response()
                    .await
                    .map_err(|e| MailError::network("IMAP", &e))?
                    .ok_or_else(|| MailError::retry("the IMAP server closed the connection"))?;
                client.into_inner()
            }
            MailSecurity::Starttls => {
                let mut client = async_imap::Client::new(tcp);
                client
                    .read_response()
                    .await
                    .map_err(|e| MailError::network("IMAP", &e))?
                    .ok_or_else(|| MailError::retry("the IMAP server closed the connection"))?;
                client
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|_| MailError::retry("the IMAP server does not offer STARTTLS"))?;
                connector
                    .connect(name, client.into_inner())
                    .await
                    .map_err(|e| MailError::tls("IMAP", &e))?
            }
        };
        let client = async_imap::Client::new(tls);
        let mut session = client
            .login(&endpoint.config.username, endpoint.password.expose())
            .await
            .map_err(|_| MailError::login("IMAP"))?;
        let capabilities = session
            .capabilities()
            .await
            .map_err(|e| MailError::protocol("CAPABILITY", &e))?;
        Ok((session, capabilities.has_str("IDLE")))
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| MailError::retry("the IMAP server did not answer in time"))?
}

/// Runs one IMAP command with a deadline: a connection that went quiet (a laptop asleep,
/// a changed network) fails instead of hanging the sync.
pub async fn within<T>(
    timeout: Duration,
    what: &str,
    work: impl std::future::Future<Output = Result<T, MailError>>,
) -> Result<T, MailError> {
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| MailError::retry(&format!("the IMAP server did not answer {what} in time")))?
}

/// Whether the server offers QRESYNC (RFC 7162): then every change to a folder, an
/// expunge included, raises its HIGHESTMODSEQ.
pub async fn offers_qresync(session: &mut Session) -> bool {
    session
        .capabilities()
        .await
        .is_ok_and(|c| c.has_str("QRESYNC"))
}

/// The folder's HIGHESTMODSEQ (`STATUS`, which turns CONDSTORE on for the session), or
/// `None` when the server does not keep one for it.
pub async fn highest_modseq(session: &mut Session, folder: &str) -> Result<Option<u64>, MailError> {
    Ok(session
        .status(folder, "(HIGHESTMODSEQ)")
        .await
        .map_err(|e| MailError::protocol("STATUS", &e))?
        .highest_modseq)
}

/// A folder as the server reports it on EXAMINE. `uidnext` is `None` when the server
/// does not say (then the sync always asks for new UIDs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FolderStatus {
    pub uidvalidity: u32,
    pub uidnext: Option<u32>,
    /// How many mails the folder holds (EXISTS).
    pub exists: u32,
}

/// Opens `folder` read-only.
pub async fn examine(session: &mut Session, folder: &str) -> Result<FolderStatus, MailError> {
    let mailbox = session.examine(folder).await.map_err(|e| {
        let mut error = MailError::retry(&format!("the folder {folder:?} cannot be opened"));
        // The server said no (the folder is gone): the connection itself is fine.
        error.refused = matches!(
            e,
            async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_)
        );
        error
    })?;
    let uidvalidity = mailbox.uid_validity.ok_or_else(|| {
        MailError::retry("the server gives no UIDVALIDITY, so it cannot be synced")
    })?;
    let uidnext = match mailbox.uid_next {
        Some(next) => Some(next),
        None => {
            session
                .status(folder, "(UIDNEXT)")
                .await
                .map_err(|e| MailError::protocol("STATUS", &e))?
                .uid_next
        }
    };
    Ok(FolderStatus {
        uidvalidity,
        uidnext,
        exists: mailbox.exists,
    })
}

/// The most folders taken from a server's list.
const FOLDERS_LISTED_MAX: usize = 500;
/// A longer folder name from a server is left out of the list.
const FOLDER_NAME_MAX_BYTES: usize = 1000;

/// The folders the server offers (`LIST "" "*"`): each name as sent (modified UTF-7) and
/// its special use (RFC 6154); folders that cannot be opened are left out.
pub async fn list_folders(session: &mut Session) -> Result<Vec<(String, String)>, MailError> {
    use async_imap::types::NameAttribute;
    use futures_util::StreamExt;
    // Read at most so many names from a server's list, each of a sane length.
    let names: Vec<_> = session
        .list(Some(""), Some("*"))
        .await
        .map_err(|e| MailError::protocol("LIST", &e))?
        .take(FOLDERS_LISTED_MAX)
        .try_collect()
        .await
        .map_err(|e| MailError::protocol("LIST", &e))?;
    let unusable = |n: &async_imap::types::Name| {
        n.attributes().iter().any(|a| match a {
            NameAttribute::NoSelect => true,
            NameAttribute::Extension(e) => e.eq_ignore_ascii_case("\\NonExistent"),
            _ => false,
        }) || n.name().len() > FOLDER_NAME_MAX_BYTES
    };
    Ok(names
        .iter()
        .filter(|n| !unusable(n))
        .map(|n| {
            let flags: Vec<&str> = n
                .attributes()
                .iter()
                .map(|a| match a {
                    NameAttribute::Sent => "\\Sent",
                    NameAttribute::Junk => "\\Junk",
                    NameAttribute::Trash => "\\Trash",
                    NameAttribute::Drafts => "\\Drafts",
                    NameAttribute::Archive => "\\Archive",
                    NameAttribute::All => "\\All",
                    NameAttribute::Flagged => "\\Flagged",
                    NameAttribute::Extension(e) => e.as_ref(),
                    _ => "",
                })
                .collect();
            (
                n.name().to_string(),
                appcare_core::channel::mail_folders::special_use(&flags),
            )
        })
        .collect())
}

/// The UIDs of the open folder's mail matching `query` (`ALL`, `SEEN`).
pub async fn search_uids(
    session: &mut Session,
    query: &str,
) -> Result<std::collections::HashSet<u32>, MailError> {
    session
        .uid_search(query)
        .await
        .map_err(|e| MailError::protocol("SEARCH", &e))
}

/// UIDs at or above `from` with their sizes, ascending.
pub async fn list_new(session: &mut Session, from: u32) -> Result<Vec<(u32, u64)>, MailError> {
    let mut out: Vec<(u32, u64)> = session
        .uid_fetch(format!("{from}:*"), "(UID RFC822.SIZE)")
        .await
        .map_err(|e| MailError::protocol("FETCH", &e))?
        .try_filter_map(
            |f| async move { Ok(f.uid.map(|uid| (uid, u64::from(f.size.unwrap_or(0))))) },
        )
        .try_collect()
        .await
        .map_err(|e| MailError::protocol("FETCH", &e))?;
    // `n:*` names the last message even when its UID is below n.
    out.retain(|(uid, _)| *uid >= from);
    out.sort_unstable();
    out.dedup_by_key(|(uid, _)| *uid);
    Ok(out)
}

/// Groups UIDs into fetch batches by count and bytes; mail too large to fetch is
/// returned apart.
pub fn plan_batches(uids: &[(u32, u64)]) -> (Vec<Vec<u32>>, Vec<(u32, u64)>) {
    let mut batches = Vec::new();
    let mut oversized = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0;
    for &(uid, size) in uids {
        if size > MAX_MESSAGE_BYTES {
            oversized.push((uid, size));
            continue;
        }
        if !current.is_empty() && (current.len() >= BATCH_MESSAGES || bytes + size > BATCH_BYTES) {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.push(uid);
        bytes += size;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    (batches, oversized)
}

/// `1:5,9,12:13`: a UID set with runs folded into ranges.
pub fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        // `checked_add`: the run ends at UID u32::MAX instead of overflowing.
        while i + 1 < uids.len() && end.checked_add(1) == Some(uids[i + 1]) {
            i += 1;
            end = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// Fetches and parses one batch. Only the UIDs asked for, and only answers that carry
/// a body, count: a flag change the server pushes meanwhile is not a mail. A UID the
/// server no longer has is simply absent.
pub async fn fetch_batch(
    session: &mut Session,
    uids: &[u32],
    now: Timestamp,
) -> Result<Vec<MailItem>, MailError> {
    let wanted: std::collections::BTreeSet<u32> = uids.iter().copied().collect();
    let answers: Vec<(u32, Vec<u8>, Timestamp)> = session
        .uid_fetch(uid_set(uids), "(UID INTERNALDATE BODY.PEEK[])")
        .await
        .map_err(|e| MailError::protocol("FETCH", &e))?
        .try_filter_map(|f| async move {
            let (Some(uid), Some(body)) = (f.uid, f.body()) else {
                return Ok(None);
            };
            let arrived = f
                .internal_date()
                .map(|d| Timestamp::from_unix(d.timestamp()))
                .unwrap_or(now);
            Ok(Some((uid, body.to_vec(), arrived)))
        })
        .try_collect()
        .await
        .map_err(|e| MailError::protocol("FETCH", &e))?;
    let mut fetched = std::collections::BTreeMap::new();
    for (uid, raw, arrived) in answers {
        if wanted.contains(&uid) {
            fetched.insert(uid, (raw, arrived));
        }
    }
    tokio::task::spawn_blocking(move || {
        fetched
            .into_iter()
            .map(|(uid, (raw, arrived))| parse_mail(uid, &raw, arrived))
            .collect()
    })
    .await
    .map_err(|_| MailError::retry("parsing a batch of mail failed"))
}

/// Items for mail too large to download: only its headers are fetched, to name it.
pub async fn oversized_items(
    session: &mut Session,
    oversized: &[(u32, u64)],
) -> Result<Vec<MailItem>, MailError> {
    let mut items = Vec::new();
    for &(uid, size) in oversized {
        let fetched: Result<Vec<Vec<u8>>, MailError> = async {
            session
                .uid_fetch(uid.to_string(), "(UID BODY.PEEK[HEADER])")
                .await
                .map_err(|e| MailError::protocol("FETCH", &e))?
                .try_filter_map(|f| async move {
                    Ok((f.uid == Some(uid))
                        .then(|| f.header().map(<[u8]>::to_vec))
                        .flatten())
                })
                .try_collect()
                .await
                .map_err(|e| MailError::protocol("FETCH", &e))
        }
        .await;
        let headers = match fetched {
            Ok(h) => h,
            // Its headers refused: set it aside by size alone.
            Err(e) if e.refused => Vec::new(),
            Err(e) => return Err(e),
        };
        items.push(too_large(uid, size, headers.first().map(Vec::as_slice)));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_fold_runs() {
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn uid_sets_reach_the_last_uid_without_overflow() {
        let max = u32::MAX;
        assert_eq!(
            uid_set(&[max - 2, max - 1, max]),
            format!("{}:{max}", max - 2)
        );
        assert_eq!(uid_set(&[max]), max.to_string());
        assert_eq!(uid_set(&[1, max]), format!("1,{max}"));
        // The last UID followed by another (unsorted input) used to overflow `end + 1`.
        assert_eq!(uid_set(&[max, 5]), format!("{max},5"));
    }

    #[test]
    fn batches_respect_count_and_bytes_and_set_huge_mail_apart() {
        let uids: Vec<(u32, u64)> = (1..=600).map(|u| (u, 1000)).collect();
        let (batches, oversized) = plan_batches(&uids);
        assert_eq!(batches.len(), 3);
        assert_eq!(batches[0].len(), BATCH_MESSAGES);
        assert!(oversized.is_empty());
        let uids = [
            (1, 10 * 1024 * 1024),
            (2, 10 * 1024 * 1024),
            (3, MAX_MESSAGE_BYTES + 1),
        ];
        let (batches, oversized) = plan_batches(&uids);
        assert_eq!(batches, vec![vec![1], vec![2]]);
        assert_eq!(oversized, vec![(3, MAX_MESSAGE_BYTES + 1)]);
    }
}
