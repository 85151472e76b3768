//! Watching a hub push stream from a test: read on its own thread, wait for an event.

use crate::TestResult;
use appcare_client::{PushMessage, PushStream};
use appcare_core::events::Event;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Reads a push stream on its own thread, passing each message on.
pub fn listen(mut stream: PushStream) -> mpsc::Receiver<PushMessage> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        while let Ok(Some(message)) = stream.next() {
            if tx.send(message).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits up to `limit` for a message that `wanted` accepts; returns it with its delay.
pub fn wait_for(
    rx: &mpsc::Receiver<PushMessage>,
    limit: Duration,
    wanted: impl Fn(&Event) -> bool,
) -> TestResult<(Event, Duration)> {
    let start = Instant::now();
    loop {
        let left = limit
            .checked_sub(start.elapsed())
            .ok_or("the expected event did not arrive in time")?;
        if let PushMessage::Event { event, .. } = rx.recv_timeout(left)? {
            if wanted(&event) {
                return Ok((event, start.elapsed()));
            }
        }
    }
}
