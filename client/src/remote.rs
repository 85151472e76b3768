//! [`RemoteWorkspace`]: every call of the contract as `POST /api/v1/<call>` with the
//! session token in the `Authorization` header. The hub's `{code, message}` errors come
//! back as [`CoreError::Remote`], so front ends branch on the same codes as in process.

use crate::pin::PinVerifier;
use appcare_core::api::types::*;
use appcare_core::api::{WireArg, WrittenFiles};
use appcare_core::error::Result;
use appcare_core::{CoreError, ErrorCode, WorkspaceApi};
use base64::Engine;
use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A hub's base address, always `https://host[:port]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubAddress(String);

impl HubAddress {
    /// Accepts `https://host:port`, or `host:port` (HTTPS is assumed). Plain `http://`
    /// is refused: the session token must never cross the network in the clear.
    pub fn parse(input: &str) -> Result<Self> {
        let trimmed = input.trim().trim_end_matches('/');
        let rest = if let Some(rest) = trimmed.strip_prefix("https://") {
            rest
        } else if trimmed.starts_with("http://") {
            return Err(CoreError::InvalidInput {
                field: "hub address",
                reason: "the hub is reached over HTTPS only; use https://".into(),
            });
        } else {
            trimmed
        };
        let valid = !rest.is_empty()
            && !rest.contains(['/', '?', '#', '@', ' '])
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
        if !valid {
            return Err(CoreError::InvalidInput {
                field: "hub address",
                reason: "give the hub's host name and port, like https://hub.example.org:8787"
                    .into(),
            });
        }
        Ok(Self(format!("https://{rest}")))
    }

    pub fn base(&self) -> &str {
        &self.0
    }

    pub(crate) fn url(&self, call: &str) -> String {
        format!("{}/api/v1/{call}", self.0)
    }
}

/// A workspace served by a hub, reached through a pinned certificate.
pub struct RemoteWorkspace {
    address: HubAddress,
    verifier: Arc<PinVerifier>,
    agent: ureq::Agent,
    stream_agent: ureq::Agent,
}

impl RemoteWorkspace {
    /// A client for `address` that accepts only the certificate with `fingerprint`.
    pub fn new(address: HubAddress, fingerprint: &str) -> Self {
        let verifier = Arc::new(PinVerifier::new(Some(fingerprint)));
        let config = verifier.client_config();
        let agent = ureq::AgentBuilder::new()
            .tls_config(config.clone())
            .timeout_connect(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .max_idle_connections_per_host(16)
            .build();
        // Push streams stay open; the hub writes a keep-alive every 15 s.
        let stream_agent = ureq::AgentBuilder::new()
            .tls_config(config)
            .timeout_connect(Duration::from_secs(10))
            .timeout_read(Duration::from_secs(45))
            .build();
        Self {
            address,
            verifier,
            agent,
            stream_agent,
        }
    }

    pub fn address(&self) -> &HubAddress {
        &self.address
    }

    pub(crate) fn stream_agent(&self) -> &ureq::Agent {
        &self.stream_agent
    }

    pub(crate) fn fail(&self, err: ureq::Error) -> CoreError {
        transport_error(err, Some(&self.verifier))
    }

    /// One call: `args` as a JSON object, the answer decoded into `T`.
    fn call<T: DeserializeOwned>(
        &self,
        name: &str,
        token: Option<&SessionToken>,
        args: serde_json::Map<String, serde_json::Value>,
    ) -> Result<T> {
        let mut request = self.agent.post(&self.address.url(name));
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {}", token.expose()));
        }
        let response = request
            .send_json(serde_json::Value::Object(args))
            .map_err(|e| self.fail(e))?;
        read_json(response).ok_or_else(|| {
            CoreError::HubUnreachable(format!("the hub's answer to {name} could not be read"))
        })
    }

    fn wire<'a, A: WireArg<'a>>(value: &A) -> Result<serde_json::Value> {
        value.to_wire().map_err(|_| CoreError::InvalidInput {
            field: "request",
            reason: "a value could not be prepared for the hub".into(),
        })
    }
}

/// Plain words for a failed call: the hub's own error, a changed certificate, or a
/// network failure.
pub(crate) fn transport_error(err: ureq::Error, verifier: Option<&PinVerifier>) -> CoreError {
    match err {
        ureq::Error::Status(status, response) => remote_error(status, response),
        ureq::Error::Transport(transport) => {
            if let Some(verifier) = verifier {
                if let Some((pinned, found)) = verifier.mismatch() {
                    return CoreError::CertificateChanged { pinned, found };
                }
            }
            CoreError::HubUnreachable(match transport.kind() {
                ureq::ErrorKind::Dns => "the hub's name was not found".into(),
                ureq::ErrorKind::ConnectionFailed => {
                    "nothing answers at that address and port (is `appcare serve` running?)".into()
                }
                ureq::ErrorKind::Io => "the connection to the hub failed or timed out".into(),
                _ => "the hub did not complete a secure connection".into(),
            })
        }
    }
}

/// The hub's `{code, message}`, passed through; anything else is named by its status.
fn remote_error(status: u16, response: ureq::Response) -> CoreError {
    #[derive(serde::Deserialize)]
    struct Body {
        code: ErrorCode,
        message: String,
    }
    match read_json::<Body>(response) {
        Some(body) => CoreError::Remote {
            code: body.code,
            message: body.message,
        },
        None => CoreError::HubUnreachable(format!("the hub answered with HTTP status {status}")),
    }
}

/// A JSON body decoded from memory: the whole body is read first, because decoding
/// straight from the connection reads it a byte at a time (a quarter of a client's
/// time under load).
fn read_json<T: DeserializeOwned>(response: ureq::Response) -> Option<T> {
    let expected = response
        .header("Content-Length")
        .and_then(|length| length.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = Vec::with_capacity(expected.min(1 << 20));
    response.into_reader().read_to_end(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Files an export made on the hub, relative to the export's destination.
#[derive(serde::Deserialize)]
struct ExportedFile {
    path: String,
    data: String,
}

#[derive(serde::Deserialize)]
struct Exported<T> {
    summary: T,
    /// Where the summary's folder or file lies, relative to the destination.
    relative: String,
    files: Vec<ExportedFile>,
}

/// A relative path from the hub, refused if it could leave the destination.
fn safe_relative(path: &str) -> Result<PathBuf> {
    let relative = PathBuf::from(path);
    let safe = !path.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if safe {
        Ok(relative)
    } else {
        Err(CoreError::HubUnreachable(
            "the hub sent an export with a path outside its folder".into(),
        ))
    }
}

/// Writes an export's files under `destination`, none over an existing file, the new
/// folders 0700 and the files 0600.
fn write_export<T>(destination: &Path, exported: &Exported<T>) -> Result<PathBuf> {
    let storage = |e: std::io::Error| CoreError::Storage(format!("writing the export: {e}"));
    for file in &exported.files {
        let target = destination.join(safe_relative(&file.path)?);
        if let Some(parent) = target.parent() {
            appcare_core::fs::create_private_dir_all(parent).map_err(storage)?;
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&file.data)
            .map_err(|_| CoreError::HubUnreachable("the hub sent an unreadable export".into()))?;
        // Owner-only, as an embedded export is: it holds customer data unencrypted.
        appcare_core::fs::write_new_file(&target, &bytes)?;
    }
    Ok(destination.join(safe_relative(&exported.relative)?))
}

macro_rules! remote_contract {
    (
        open { $( $oname:ident ( $( $oarg:ident : $oty:ty ),* ) -> $oret:ty [ $( $opol:tt )* ] ; )* }
        session { $( $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty [ $( $pol:tt )* ] ; )* }
        files { $( $fname:ident ( $( $farg:ident : $fty:ty ),* ) -> $fret:ty [ $( $fpol:tt )* ] ; )* }
    ) => {
        impl WorkspaceApi for RemoteWorkspace {
            $(
                fn $oname(&self, $( $oarg: $oty, )* _now: Timestamp) -> Result<$oret> {
                    #[allow(unused_mut)]
                    let mut args = serde_json::Map::new();
                    $( args.insert(stringify!($oarg).into(), Self::wire(&$oarg)?); )*
                    self.call(stringify!($oname), None, args)
                }
            )*
            $(
                fn $name(&self, token: &SessionToken, $( $arg: $ty, )* _now: Timestamp) -> Result<$ret> {
                    #[allow(unused_mut)]
                    let mut args = serde_json::Map::new();
                    $( args.insert(stringify!($arg).into(), Self::wire(&$arg)?); )*
                    self.call(stringify!($name), Some(token), args)
                }
            )*
            $(
                /// The hub writes the files in a scratch folder and sends them; they are
                /// written here under `destination`, none over an existing file.
                fn $fname(&self, token: &SessionToken, $( $farg: $fty, )* destination: &Path, _now: Timestamp) -> Result<$fret> {
                    #[allow(unused_mut)]
                    let mut args = serde_json::Map::new();
                    $( args.insert(stringify!($farg).into(), Self::wire(&$farg)?); )*
                    let exported: Exported<$fret> = self.call(stringify!($fname), Some(token), args)?;
                    let written = write_export(destination, &exported)?;
                    Ok(exported.summary.written_at(written.display().to_string()))
                }
            )*
        }
    };
}

appcare_core::workspace_calls!(remote_contract);

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18, finding 14: an export from the hub is written like an embedded one,
    /// folders 0700 and files 0600 (it holds customer data unencrypted).
    #[cfg(unix)]
    #[test]
    fn a_team_export_is_written_for_its_owner_only(
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt;
        let destination = tempfile::tempdir()?;
        let data = base64::engine::general_purpose::STANDARD.encode(b"customer words");
        let exported = Exported {
            summary: (),
            relative: "export-1".into(),
            files: vec![
                ExportedFile {
                    path: "export-1/messages.json".into(),
                    data: data.clone(),
                },
                ExportedFile {
                    path: "export-1/media/a.jpg".into(),
                    data,
                },
            ],
        };
        let written = write_export(destination.path(), &exported)?;
        let mode = |p: &Path| -> std::io::Result<u32> {
            Ok(std::fs::metadata(p)?.permissions().mode() & 0o777)
        };
        assert_eq!(mode(&written)?, 0o700);
        assert_eq!(mode(&written.join("media"))?, 0o700);
        assert_eq!(mode(&written.join("messages.json"))?, 0o600);
        assert_eq!(mode(&written.join("media/a.jpg"))?, 0o600);
        Ok(())
    }
}
