//! What the fuzz target `team_api` runs, so the fuzzer and the corpus replay test below
//! exercise the same code: a request body decoded into a call's arguments exactly as the
//! hub's routes do it (`calls.rs`: a JSON object, each argument taken by name into the
//! call table's type, no field left over), for every call of the contract, with no
//! workspace behind it.

use super::calls::{no_leftovers, parse_body, take};
use super::HttpError;
use appcare_core::api::types::*;
use appcare_core::api::WireArg;
use axum::body::Bytes;

macro_rules! decoders {
    (
        open { $( $oname:ident ( $( $oarg:ident : $oty:ty ),* ) -> $oret:ty [ $( $opol:tt )* ] ; )* }
        session { $( $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty [ $( $pol:tt )* ] ; )* }
        files { $( $fname:ident ( $( $farg:ident : $fty:ty ),* ) -> $fret:ty [ $( $fpol:tt )* ] ; )* }
    ) => {
        /// Every call's name, in the table's order.
        pub const CALL_NAMES: &[&str] = &[
            $( stringify!($oname), )* $( stringify!($name), )* $( stringify!($fname), )*
        ];

        /// Decodes `body` as the arguments of the call `name`, as its route does.
        /// `None` for a name that is not a call.
        pub fn decode(name: &str, body: &[u8]) -> Option<Result<(), HttpError>> {
            let body = Bytes::copy_from_slice(body);
            match name {
                $( stringify!($oname) => Some((|| {
                    let mut args = parse_body(&body)?;
                    $( let $oarg: <$oty as WireArg<'_>>::Owned = take(&mut args, stringify!($oarg))?;
                       let _ = <$oty as WireArg<'_>>::from_owned(&$oarg); )*
                    no_leftovers(&args)
                })()), )*
                $( stringify!($name) => Some((|| {
                    #[allow(unused_mut)]
                    let mut args = parse_body(&body)?;
                    $( let $arg: <$ty as WireArg<'_>>::Owned = take(&mut args, stringify!($arg))?;
                       let _ = <$ty as WireArg<'_>>::from_owned(&$arg); )*
                    no_leftovers(&args)
                })()), )*
                $( stringify!($fname) => Some((|| {
                    let mut args = parse_body(&body)?;
                    $( let $farg: <$fty as WireArg<'_>>::Owned = take(&mut args, stringify!($farg))?;
                       let _ = <$fty as WireArg<'_>>::from_owned(&$farg); )*
                    no_leftovers(&args)
                })()), )*
                _ => None,
            }
        }
    };
}

appcare_core::workspace_calls!(decoders);

/// Fuzz target `team_api`: `<call name>\n<body>`; when the first line names no call,
/// the first byte picks one (modulo the number of calls) and the rest is the body.
/// Decoding never panics, and a refused body's error does not grow with what was sent
/// (it names the field, never echoes the value).
pub fn team_api(data: &[u8]) {
    let named = data.iter().position(|b| *b == b'\n').and_then(|at| {
        let name = std::str::from_utf8(&data[..at]).ok()?;
        CALL_NAMES
            .contains(&name)
            .then_some((name, &data[at + 1..]))
    });
    let (name, body) = match named {
        Some(found) => found,
        None => match data.split_first() {
            Some((pick, body)) => (CALL_NAMES[*pick as usize % CALL_NAMES.len()], body),
            None => return,
        },
    };
    match decode(name, body) {
        None => panic!("the call table's own name {name} has no decoder"),
        Some(Ok(())) => {}
        Some(Err(err)) => {
            let shown = format!("{err:?}");
            assert!(shown.len() < 400, "an error that grows with the body");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_team_api_corpus_decodes_without_a_panic() {
        let files = appcare_core::fuzzing::corpus(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/team_api"),
        );
        assert!(files.len() >= 5, "the corpus is missing");
        for (_, data) in &files {
            team_api(data);
        }
    }

    #[test]
    fn a_well_formed_body_decodes_and_a_stray_field_is_refused() {
        assert!(matches!(
            decode("create_team", br#"{"name":"Support"}"#),
            Some(Ok(()))
        ));
        assert!(matches!(
            decode("create_team", br#"{"name":"Support","x":1}"#),
            Some(Err(_))
        ));
        assert!(decode("no_such_call", b"{}").is_none());
    }
}
