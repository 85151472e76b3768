//! The OpenAPI 3.1 document of the team API, generated from `workspace_calls!` like the
//! routes themselves, so every route is described and marked with the access its line in
//! the table declares.
//! Argument and result types are JSON Schemas derived from the Rust types (schemars,
//! following their serde attributes), kept once each under `components.schemas`.

use appcare_core::api::arguments::{rules_of, Rule, TextRule};
use appcare_core::api::types::*;
use appcare_core::api::{Access, BodyLimit};
use axum::Json;
use schemars::generate::SchemaSettings;
use schemars::SchemaGenerator;
use serde_json::{json, Map, Value};

/// The security requirement for who may call: nobody's token, a token at any stage of
/// sign-in, or a full session.
fn security(access: Access) -> Value {
    match access {
        Access::Open => json!([]),
        Access::SignInStep => json!([{ "pendingSession": [] }]),
        Access::Session(_) => json!([{ "session": [] }]),
    }
}

/// One call as the document describes it: each argument's name, schema and whether it
/// is required, and the result's schema.
pub struct Operation {
    pub name: &'static str,
    pub access: Access,
    /// Carries a file: a large body, which the hub may refuse for now (503) when many
    /// are being read.
    pub large_body: bool,
    pub args: Vec<(&'static str, Value, bool)>,
    pub returns: Value,
}

/// An export's answer: the summary, where the files go, and the files themselves.
fn exported(summary: Value) -> Value {
    json!({
        "type": "object",
        "required": ["summary", "relative", "files"],
        "properties": {
            "summary": summary,
            "relative": { "type": "string", "description": "The export's folder or file, relative to where the files are written." },
            "files": { "type": "array", "items": {
                "type": "object",
                "required": ["path", "data"],
                "properties": {
                    "path": { "type": "string" },
                    "data": { "type": "string", "contentEncoding": "base64" }
                }
            } }
        }
    })
}

macro_rules! describe_calls {
    (
        open { $( $oname:ident ( $( $oarg:ident : $oty:ty ),* ) -> $oret:ty [ $( $opol:tt )* ] ; )* }
        session { $( $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty [ $( $pol:tt )* ] ; )* }
        files { $( $fname:ident ( $( $farg:ident : $fty:ty ),* ) -> $fret:ty [ $( $fpol:tt )* ] ; )* }
    ) => {
        /// Every call of the contract, in the order of the list; the types' schemas are
        /// collected in `gen`. A file-writing call answers with its files.
        pub fn operations(gen: &mut SchemaGenerator) -> Vec<Operation> {
            vec![
                $( Operation {
                    name: stringify!($oname),
                    access: appcare_core::call_policy!(open $oname ( $( $oarg ),* ) [ $( $opol )* ]).access,
                    large_body: appcare_core::call_policy!(open $oname ( $( $oarg ),* ) [ $( $opol )* ]).body == BodyLimit::File,
                    args: vec![ $( (
                        stringify!($oarg),
                        gen.subschema_for::<$oty>().to_value(),
                        !stringify!($oty).starts_with("Option"),
                    ) ),* ],
                    returns: gen.subschema_for::<$oret>().to_value(),
                }, )*
                $( Operation {
                    name: stringify!($name),
                    access: appcare_core::call_policy!(session $name ( $( $arg ),* ) [ $( $pol )* ]).access,
                    large_body: appcare_core::call_policy!(session $name ( $( $arg ),* ) [ $( $pol )* ]).body == BodyLimit::File,
                    args: vec![ $( (
                        stringify!($arg),
                        gen.subschema_for::<$ty>().to_value(),
                        !stringify!($ty).starts_with("Option"),
                    ) ),* ],
                    returns: gen.subschema_for::<$ret>().to_value(),
                }, )*
                $( Operation {
                    name: stringify!($fname),
                    access: appcare_core::call_policy!(files $fname ( $( $farg ),* ) [ $( $fpol )* ]).access,
                    large_body: appcare_core::call_policy!(files $fname ( $( $farg ),* ) [ $( $fpol )* ]).body == BodyLimit::File,
                    args: vec![ $( (
                        stringify!($farg),
                        gen.subschema_for::<$fty>().to_value(),
                        !stringify!($fty).starts_with("Option"),
                    ) ),* ],
                    returns: exported(gen.subschema_for::<$fret>().to_value()),
                }, )*
            ]
        }
    };
}

appcare_core::workspace_calls!(describe_calls);

/// Every answer but 200 a call can give, by what its line in the table says.
fn error_responses(op: &Operation) -> Map<String, Value> {
    let error = json!({
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    });
    let mut responses = Map::new();
    let mut add = |status: &str, description: &str| {
        let mut e = error.clone();
        e["description"] = json!(description);
        responses.insert(status.into(), e);
    };
    add(
        "422",
        "An argument is missing or wrong (invalid_input, weak_password). Every length, count and range the core keeps is declared in the schema; a value the schema allows may still be refused for what it means (an address that is not one, a template this number does not have), and the message names the field.",
    );
    if op.access == Access::Open {
        add(
            "401",
            "The sign-in failed, or its body could not be read (sign_in_failed).",
        );
    } else if op.access == Access::SignInStep {
        add(
            "401",
            "No token, or none whose session can take this step. (session_state answers `ended`, and sign_out succeeds, for a token not in use.)",
        );
    } else {
        add("401", "No session, or not at the stage this call needs.");
    }
    if op.access != Access::Open {
        add(
            "403",
            "The session's role does not allow this call, or not at this stage (forbidden).",
        );
        add(
            "404",
            "What the call names was not found, or is not the caller's to see (not_found).",
        );
        add("409", "The call conflicts with the workspace's state: changed meanwhile, or already there (conflict).");
    }
    add(
        "429",
        "Too many failed sign-ins (rate_limited); see Retry-After.",
    );
    add("413", "The body is larger than this call takes.");
    if op.large_body {
        add(
            "503",
            "Too many large bodies are being received at once; nothing was read. See Retry-After.",
        );
    }
    let mut failed = error;
    failed["description"] = json!(
        "An unexpected failure (500): the message says only \"Internal error.\" and the request id the hub's log has."
    );
    responses.insert("default".into(), failed);
    responses
}

/// The constraints of a text rule: a required text holds something besides blanks.
fn text_constraints(rule: TextRule) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("maxLength".into(), json!(rule.max));
    if rule.required {
        out.insert("minLength".into(), json!(1));
        out.insert("pattern".into(), json!("\\S"));
    }
    out
}

/// Adds what the core checks on an argument (`appcare_core::api::arguments`) to its
/// schema, so a value the document allows is one the core accepts.
fn declare(schema: &mut Value, rule: Rule) {
    let (target, constraints) = match rule {
        Rule::Text { max } => (
            &mut *schema,
            text_constraints(TextRule {
                required: true,
                max,
            }),
        ),
        Rule::MaybeEmpty { max } => (
            &mut *schema,
            text_constraints(TextRule {
                required: false,
                max,
            }),
        ),
        Rule::EachText { each } => (&mut schema["items"], text_constraints(each)),
        Rule::Items { min, max, unique } => {
            let mut out = Map::new();
            out.insert("minItems".into(), json!(min));
            out.insert("maxItems".into(), json!(max));
            if unique {
                out.insert("uniqueItems".into(), json!(true));
            }
            (&mut *schema, out)
        }
        Rule::Range { min, max } => {
            let mut out = Map::new();
            out.insert("minimum".into(), json!(min));
            out.insert("maximum".into(), json!(max));
            (&mut *schema, out)
        }
    };
    if let Some(object) = target.as_object_mut() {
        object.extend(constraints);
    }
}

/// The whole document.
pub fn document() -> Value {
    // JSON Schema 2020-12, as OpenAPI 3.1 uses, with shared types under components.
    let mut gen = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    let mut paths = Map::new();
    for op in operations(&mut gen) {
        let properties: Map<String, Value> = op
            .args
            .iter()
            .map(|(name, schema, _)| {
                let mut schema = schema.clone();
                for rule in rules_of(op.name, name) {
                    declare(&mut schema, rule);
                }
                ((*name).to_owned(), schema)
            })
            .collect();
        let required: Vec<&str> = op
            .args
            .iter()
            .filter(|(_, _, required)| *required)
            .map(|(name, _, _)| *name)
            .collect();
        let mut responses = error_responses(&op);
        responses.insert(
            "200".into(),
            json!({
                "description": "The call's result.",
                "content": { "application/json": { "schema": op.returns } }
            }),
        );
        paths.insert(
            format!("/api/v1/{}", op.name),
            json!({ "post": {
                "operationId": op.name,
                "security": security(op.access),
                "requestBody": { "required": !required.is_empty(), "content": { "application/json": { "schema": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false,
                } } } },
                "responses": responses,
            } }),
        );
    }
    paths.insert(
        "/api/v1/events".into(),
        json!({ "get": {
            "operationId": "events",
            "summary": "Push stream (text/event-stream) of the core events this session may see. Send Last-Event-ID to resume.",
            "security": security(Access::Session(Role::Agent)),
            "parameters": [{ "name": "Last-Event-ID", "in": "header", "required": false, "schema": { "type": "integer" } }],
            "responses": {
                "200": { "description": "`event: core` with an id and the event as JSON; `event: resync` when events were missed beyond the backlog; `event: ended` when the session ends." },
                "401": { "description": "No full session.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        } }),
    );
    paths.insert(
        "/api/v1/hello".into(),
        json!({ "get": {
            "operationId": "hello",
            "summary": "Names the service, so a desktop knows it found a hub before trusting its certificate.",
            "security": security(Access::Open),
            "responses": { "200": { "description": "{ service, api, version, workspace }" } }
        } }),
    );
    paths.insert(
        "/api/v1/openapi.json".into(),
        json!({ "get": {
            "operationId": "openapi",
            "summary": "This document.",
            "security": security(Access::Open),
            "responses": { "200": { "description": "OpenAPI 3.1 document." } }
        } }),
    );
    let mut schemas = gen.take_definitions(true);
    schemas.insert("Error".into(), error_schema());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Appcare Inbox team API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every call of the workspace service. Bodies are JSON objects of the call's arguments by name; errors are { code, message }."
        },
        "components": {
            "securitySchemes": {
                "session": { "type": "http", "scheme": "bearer", "description": "A session token after password and authenticator code." },
                "pendingSession": { "type": "http", "scheme": "bearer", "description": "A session token at any stage of sign-in." }
            },
            "schemas": schemas,
        },
        "paths": paths,
    })
}

/// The `{code, message}` every error carries.
fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": { "type": "string", "description": "Stable machine-readable code, e.g. not_signed_in, forbidden, rate_limited." },
            "message": { "type": "string", "description": "Plain words for the person at the keyboard." }
        }
    })
}

/// `GET /api/v1/openapi.json`: made once, on first request.
pub async fn serve() -> Json<Value> {
    static DOCUMENT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    Json(DOCUMENT.get_or_init(document).clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` found anywhere under `value`.
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        let doc = document();
        let schemas = doc["components"]["schemas"]
            .as_object()
            .expect("components.schemas");
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 50, "only {} references", found.len());
        for r in found {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{r} points outside components.schemas"));
            assert!(schemas.contains_key(name), "{r} has no schema");
        }
    }

    #[test]
    fn every_argument_and_result_has_a_real_schema() {
        let doc = document();
        assert!(!doc.to_string().contains("x-rust-type"));
        for (path, item) in doc["paths"].as_object().expect("paths") {
            let Some(op) = item.get("post") else { continue };
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            for (arg, schema) in body["properties"].as_object().expect("properties") {
                let described = schema.as_object().is_some_and(|s| !s.is_empty())
                    || schema == &Value::Bool(true);
                assert!(described, "{path}: argument {arg} has no schema");
            }
            let result = &op["responses"]["200"]["content"]["application/json"]["schema"];
            assert!(!result.is_null(), "{path}: no result schema");
        }
    }

    /// A rule naming a call or argument the list does not have would declare nothing.
    #[test]
    fn every_argument_rule_names_a_call_and_argument_of_the_document() {
        let document = document();
        for rule in appcare_core::api::arguments::ARGUMENT_RULES {
            let schema = &document["paths"][format!("/api/v1/{}", rule.call)]["post"]
                ["requestBody"]["content"]["application/json"]["schema"]["properties"]
                [rule.argument];
            assert!(
                schema.get("maxLength").is_some()
                    || schema["items"].get("maxLength").is_some()
                    || schema.get("maxItems").is_some()
                    || schema.get("maximum").is_some(),
                "{}({}) is not an argument the document declares a rule on: {schema}",
                rule.call,
                rule.argument
            );
        }
    }

    /// The document is committed as `hub/openapi.json`, so a change to the API shows in
    /// review. `UPDATE_OPENAPI=1 cargo test -p appcare-hub openapi` rewrites it.
    #[test]
    fn the_committed_document_is_fresh() -> Result<(), Box<dyn std::error::Error>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
        let fresh = serde_json::to_string_pretty(&document())? + "\n";
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &fresh)?;
            return Ok(());
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "hub/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p appcare-hub openapi`"
        );
        Ok(())
    }

    #[test]
    fn schemas_follow_the_wire_format() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        // A new user's password is a write-only string; ids are integers.
        let new_user = &schemas["NewUser"];
        assert_eq!(
            new_user["properties"]["password"]["$ref"],
            "#/components/schemas/Password"
        );
        assert_eq!(schemas["Password"]["writeOnly"], true);
        // The core's own rules are declared, so a value valid by the document is not
        // refused for its shape (issue 18, finding 15).
        let username = &new_user["properties"]["username"];
        assert_eq!(
            (&username["minLength"], &username["maxLength"]),
            (&json!(3), &json!(64)),
            "{username}"
        );
        assert!(username["pattern"].is_string(), "{username}");
        let transfer = &doc["paths"]["/api/v1/transfer"]["post"];
        let args = &transfer["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(
            args["required"],
            json!(["conversation", "target", "note"]),
            "{args}"
        );
        // The transfer target is tagged by `kind`, as serde writes it.
        let target = schemas["TransferTarget"].to_string();
        assert!(target.contains("\"kind\""), "{target}");
        // An optional argument is not required.
        let audit = &doc["paths"]["/api/v1/recent_audit"]["post"]["requestBody"]["content"]
            ["application/json"]["schema"];
        assert_eq!(audit["required"], json!(["limit"]));
    }
}
