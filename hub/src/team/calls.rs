//! One `POST /api/v1/<call>` route per call of the contract, generated from
//! `workspace_calls!`: the body's fields are the call's arguments by name, the answer is
//! the call's result as JSON. Unknown fields are refused, so a typo cannot be ignored.
//! What a route does beyond that (sign-in limits, turns for password hashing, the body
//! limit, ending push streams, sending files back) follows the call's policy in the
//! table, never its name.

use super::error::HttpError;
use super::session::{Bearer, Body, Peer};
use super::Hub;
use appcare_core::api::types::*;
use appcare_core::api::{Access, BodyLimit, CallPolicy, SignInLimit, WireArg, WrittenFiles};
use appcare_core::{CoreError, ErrorCode, Workspace};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use serde::Serialize;
use std::net::IpAddr;
use std::path::Path;
use std::time::Instant;

type Args = serde_json::Map<String, serde_json::Value>;

/// A request's body: arguments only, so 1 MiB is plenty...
const BODY_LIMIT: usize = 1024 * 1024;
/// ...except for a call that carries a file of up to 25 MB, base64-encoded.
const FILE_BODY_LIMIT: usize = 40 * 1024 * 1024;

fn body_limit(call: &CallPolicy) -> DefaultBodyLimit {
    DefaultBodyLimit::max(match call.body {
        BodyLimit::Arguments => BODY_LIMIT,
        BodyLimit::File => FILE_BODY_LIMIT,
    })
}

pub(super) fn parse_body(body: &Bytes) -> Result<Args, HttpError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Args::new());
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(args)) => Ok(args),
        _ => Err(HttpError::bad_request(
            "request",
            "the body must be a JSON object of the call's arguments",
        )),
    }
}

/// One argument by name. The message names the field, never echoes its value.
pub(super) fn take<T: serde::de::DeserializeOwned>(
    args: &mut Args,
    name: &'static str,
) -> Result<T, HttpError> {
    let value = args.remove(name).unwrap_or(serde_json::Value::Null);
    serde_json::from_value(value)
        .map_err(|_| HttpError::bad_request(name, "is missing or not of the expected kind"))
}

pub(super) fn no_leftovers(args: &Args) -> Result<(), HttpError> {
    match args.keys().next() {
        None => Ok(()),
        Some(_) => Err(HttpError::bad_request(
            "request",
            "the body has a field this call does not take",
        )),
    }
}

/// Runs one core call on the blocking pool with the hub's clock, applying the sign-in
/// limits to password and code checks.
async fn run<T, F>(
    hub: &Hub,
    peer: IpAddr,
    call: &CallPolicy,
    account: Option<String>,
    work: F,
) -> Result<Json<T>, HttpError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&Workspace, Timestamp) -> appcare_core::error::Result<T> + Send + 'static,
{
    let limited = call.sign_in_limit.is_some();
    let limits = &hub.inner.limits;
    let wait = |seconds| CoreError::RateLimited {
        retry_after_seconds: seconds,
    };
    if limited {
        limits
            .check(account.as_deref(), peer, Instant::now())
            .map_err(wait)?;
    }
    // The first step hashes the password whatever the outcome: counted per address.
    if matches!(call.sign_in_limit, Some(SignInLimit::Argument(_))) {
        limits.admit_attempt(peer, Instant::now()).map_err(wait)?;
    }
    // Every call waits for a turn, in arrival order: a few threads run calls while the
    // rest wait here, rather than hundreds of threads racing for the store's lock. The
    // calls that hash a password (Argon2, 64 MiB, about a tenth of a second) take turns
    // among themselves, so they cannot hold up everyone's reads.
    let turns = if call.hashes_password {
        &hub.inner.password_checks
    } else {
        &hub.inner.call_turns
    };
    let permit = turns
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| CoreError::Storage("the hub is stopping".into()))?;
    let workspace = hub.workspace().clone();
    // The permit goes with the work: a client that hangs up does not free it early.
    // The request's span too, so what the core logs carries the request id.
    let span = tracing::Span::current();
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _span = span.entered();
        work(&workspace, Timestamp::now())
    })
    .await
    .map_err(|_| CoreError::Storage("the call was interrupted".into()))?;
    match result {
        Ok(value) => Ok(Json(value)),
        Err(err) => {
            if limited && err.code() == ErrorCode::SignInFailed {
                limits.record_failure(account.as_deref(), peer, Instant::now());
            }
            Err(err.into())
        }
    }
}

/// The account an open call's sign-in limit counts against: the text of the argument
/// its policy names (read before the arguments are decoded).
fn named_account(call: &CallPolicy, args: &Args) -> Option<String> {
    match call.sign_in_limit {
        Some(SignInLimit::Argument(name)) => args
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

/// A call that takes the caller's session token, once its arguments are parsed: a
/// caller without the session it needs hears that before any complaint about the
/// arguments.
async fn session_call<A, T, F>(
    hub: &Hub,
    peer: IpAddr,
    token: SessionToken,
    call: &'static CallPolicy,
    parsed: Result<A, HttpError>,
    work: F,
) -> Result<Json<T>, HttpError>
where
    A: Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&Workspace, &SessionToken, A, Timestamp) -> appcare_core::error::Result<T>
        + Send
        + 'static,
{
    let args = match parsed {
        Ok(args) => args,
        Err(err) => return Err(unless_signed_in(hub, &token, call, err).await),
    };
    let account = (call.sign_in_limit == Some(SignInLimit::SessionAccount))
        .then(|| hub.inner.limits.account_of(&token, Instant::now()))
        .flatten();
    let caller = token.clone();
    let answer = run(hub, peer, call, account, move |ws, now| {
        work(ws, &caller, args, now)
    })
    .await;
    if answer.is_ok() && call.ends_push {
        hub.poke_session(&token);
    }
    answer
}

macro_rules! hub_routes {
    (
        open { $( $oname:ident ( $( $oarg:ident : $oty:ty ),* ) -> $oret:ty [ $( $opol:tt )* ] ; )* }
        session { $( $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty [ $( $pol:tt )* ] ; )* }
        files { $( $fname:ident ( $( $farg:ident : $fty:ty ),* ) -> $fret:ty [ $( $fpol:tt )* ] ; )* }
    ) => {
        /// Adds every call's route.
        pub(super) fn routes(router: Router<Hub>) -> Router<Hub> {
            router
            $(
                .route(concat!("/api/v1/", stringify!($oname)), {
                    const CALL: &CallPolicy =
                        &appcare_core::call_policy!(open $oname ( $( $oarg ),* ) [ $( $opol )* ]);
                    post(|State(hub): State<Hub>, Peer(peer): Peer, Body(body): Body| async move {
                        let parsed = (|| {
                            let mut args = parse_body(&body)?;
                            let account = named_account(CALL, &args);
                            $( let $oarg: <$oty as WireArg<'_>>::Owned = take(&mut args, stringify!($oarg))?; )*
                            no_leftovers(&args)?;
                            Ok::<_, HttpError>((account, $( $oarg, )* ))
                        })();
                        // A sign-in the hub cannot read fails like any other (401).
                        let (account, $( $oarg, )* ) =
                            parsed.map_err(|_| HttpError::from(CoreError::SignInFailed))?;
                        let answer = run(&hub, peer, CALL, account.clone(), move |ws, now| {
                            // Failures count per client address (see `auth::lockout`).
                            appcare_core::service::login::FromAddress::new(ws, peer)
                                .$oname($( <$oty as WireArg<'_>>::from_owned(&$oarg), )* now)
                        })
                        .await?;
                        if let (Some(token), Some(account)) = (answer.0.issued(), account) {
                            hub.inner.limits.remember(token, &account, Instant::now());
                        }
                        Ok::<_, HttpError>(answer)
                    }).layer(body_limit(CALL))
                })
            )*
            $(
                .route(concat!("/api/v1/", stringify!($name)), {
                    const CALL: &CallPolicy =
                        &appcare_core::call_policy!(session $name ( $( $arg ),* ) [ $( $pol )* ]);
                    post(|State(hub): State<Hub>, Peer(peer): Peer, Bearer(token): Bearer, Body(body): Body| async move {
                        let parsed = (|| {
                            #[allow(unused_mut)]
                            let mut args = parse_body(&body)?;
                            $( let $arg: <$ty as WireArg<'_>>::Owned = take(&mut args, stringify!($arg))?; )*
                            no_leftovers(&args)?;
                            Ok::<_, HttpError>(( $( $arg, )* ))
                        })();
                        session_call(&hub, peer, token, CALL, parsed, |ws, token, ( $( $arg, )* ), now| {
                            ws.$name(token, $( <$ty as WireArg<'_>>::from_owned(&$arg), )* now)
                        })
                        .await
                    }).layer(body_limit(CALL))
                })
            )*
            $(
                .route(concat!("/api/v1/", stringify!($fname)), {
                    const CALL: &CallPolicy =
                        &appcare_core::call_policy!(files $fname ( $( $farg ),* ) [ $( $fpol )* ]);
                    post(|State(hub): State<Hub>, Peer(peer): Peer, Bearer(token): Bearer, Body(body): Body| async move {
                        let parsed = (|| {
                            let mut args = parse_body(&body)?;
                            $( let $farg: <$fty as WireArg<'_>>::Owned = take(&mut args, stringify!($farg))?; )*
                            no_leftovers(&args)?;
                            Ok::<_, HttpError>(( $( $farg, )* ))
                        })();
                        let scratch = hub.inner.scratch_dir.clone();
                        session_call(&hub, peer, token, CALL, parsed, move |ws, token, ( $( $farg, )* ), now| {
                            export_via_scratch(&scratch, |dir| {
                                ws.$fname(token, $( <$fty as WireArg<'_>>::from_owned(&$farg), )* dir, now)
                            })
                        })
                        .await
                    }).layer(body_limit(CALL))
                })
            )*
        }
    };
}

appcare_core::workspace_calls!(hub_routes);

/// What a call answers with a new session token (the sign-in step), so the limits can
/// count later code failures against the account it named.
trait IssuesSession {
    fn issued(&self) -> Option<&SessionToken>;
}

impl IssuesSession for SignInChallenge {
    fn issued(&self) -> Option<&SessionToken> {
        Some(&self.token)
    }
}

/// A request whose body is wrong: a caller without the session the call needs hears
/// that first, so the API says nothing about its arguments to strangers.
async fn unless_signed_in(
    hub: &Hub,
    token: &SessionToken,
    call: &CallPolicy,
    err: HttpError,
) -> HttpError {
    let workspace = hub.workspace().clone();
    let token = token.clone();
    let stage =
        tokio::task::spawn_blocking(move || workspace.session_state(&token, Timestamp::now()))
            .await
            .ok()
            .and_then(Result::ok);
    let allowed = match call.access {
        Access::Session(_) => stage == Some(SessionStage::Active),
        Access::Open | Access::SignInStep => stage.is_some_and(|s| s != SessionStage::Ended),
    };
    if allowed {
        err
    } else {
        CoreError::NotSignedIn.into()
    }
}

/// An export put together in a scratch folder on the hub, sent as files relative to it.
#[derive(Serialize)]
struct Exported<T> {
    summary: T,
    relative: String,
    files: Vec<ExportedFile>,
}

#[derive(Serialize)]
struct ExportedFile {
    path: String,
    data: String,
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<ExportedFile>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            out.push(ExportedFile {
                path: relative.to_string_lossy().into_owned(),
                data: base64::engine::general_purpose::STANDARD.encode(std::fs::read(&path)?),
            });
        }
    }
    Ok(())
}

/// Runs an export into a fresh scratch folder (removed afterwards) and reads it back.
fn export_via_scratch<T: WrittenFiles>(
    scratch_root: &Path,
    export: impl FnOnce(&Path) -> appcare_core::error::Result<T>,
) -> appcare_core::error::Result<Exported<T>> {
    let storage = |e: std::io::Error| CoreError::Storage(format!("preparing the export: {e}"));
    std::fs::create_dir_all(scratch_root).map_err(storage)?;
    let scratch = tempfile::Builder::new()
        .prefix("export-")
        .tempdir_in(scratch_root)
        .map_err(storage)?;
    let summary = export(scratch.path())?;
    let relative = Path::new(summary.written())
        .strip_prefix(scratch.path())
        .map_err(|_| CoreError::Storage("the export was written outside its folder".into()))?
        .to_string_lossy()
        .into_owned();
    let mut files = Vec::new();
    collect_files(scratch.path(), scratch.path(), &mut files).map_err(storage)?;
    Ok(Exported {
        summary,
        relative,
        files,
    })
}
