//! The hub's push stream (server-sent events): numbered core events for this session.
//! After a disconnect, [`RemoteWorkspace::events`] with the last number seen continues
//! where the stream stopped; when the hub no longer holds that far back it says `resync`
//! and the client reloads what it shows.

use crate::RemoteWorkspace;
use appcare_core::error::Result;
use appcare_core::events::Event;
use appcare_core::{CoreError, SessionToken};
use std::io::{BufRead, BufReader, Read};

/// One message of the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushMessage {
    /// The stream is open and stands at `id`: resuming after it misses nothing, even when
    /// no event came before the drop.
    Ready { id: u64 },
    /// A core event this session may see, with its sequence number.
    Event { id: u64, event: Event },
    /// Events were missed beyond what the hub keeps: reload everything. `id` is where
    /// the stream now stands.
    Resync { id: u64 },
    /// The session ended or was locked; the stream is over.
    Ended,
}

/// An open push stream. Reads block until the next message or the read timeout.
pub struct PushStream {
    reader: BufReader<Box<dyn Read + Send + Sync>>,
}

impl RemoteWorkspace {
    /// Opens the push stream, continuing after event `after` if given.
    pub fn events(&self, token: &SessionToken, after: Option<u64>) -> Result<PushStream> {
        let mut request = self
            .stream_agent()
            .get(&self.address().url("events"))
            .set("Authorization", &format!("Bearer {}", token.expose()))
            .set("Accept", "text/event-stream");
        if let Some(after) = after {
            request = request.set("Last-Event-ID", &after.to_string());
        }
        let response = request.call().map_err(|e| self.fail(e))?;
        Ok(PushStream {
            reader: BufReader::new(response.into_reader()),
        })
    }
}

impl PushStream {
    /// The next message; `None` when the hub closed the stream.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<PushMessage>> {
        let mut id = None;
        let mut kind = String::new();
        let mut data = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            let read = self.reader.read_line(&mut line).map_err(|_| {
                CoreError::HubUnreachable("the live-update stream was interrupted".into())
            })?;
            if read == 0 {
                return Ok(None);
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if kind.is_empty() && data.is_empty() {
                    continue;
                }
                return parse(id, &kind, &data).map(Some);
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => id = value.parse().ok(),
                "event" => kind = value.to_owned(),
                "data" => {
                    if !data.is_empty() {
                        data.push('\n');
                    }
                    data.push_str(value);
                }
                _ => {}
            }
        }
    }
}

fn parse(id: Option<u64>, kind: &str, data: &str) -> Result<PushMessage> {
    let unreadable =
        || CoreError::HubUnreachable("the hub sent a live update this app cannot read".into());
    match kind {
        "core" => Ok(PushMessage::Event {
            id: id.ok_or_else(unreadable)?,
            event: serde_json::from_str(data).map_err(|_| unreadable())?,
        }),
        "ready" => Ok(PushMessage::Ready {
            id: id.ok_or_else(unreadable)?,
        }),
        "resync" => Ok(PushMessage::Resync {
            id: id.ok_or_else(unreadable)?,
        }),
        "ended" => Ok(PushMessage::Ended),
        _ => Err(unreadable()),
    }
}
