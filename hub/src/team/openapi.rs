//! The OpenAPI 3.1 document of the team API, generated from `workspace_calls!` like the
//! routes themselves, so every route is described and marked with the access it needs.
//! Argument and result types are named by their Rust type (`x-rust-type`).

use axum::Json;
use serde_json::{json, Map, Value};

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No session (the hub's name, this document, the first sign-in step).
    Public,
    /// A session at any stage of sign-in (code, enrolment, unlock, sign-out).
    SignInStep,
    /// A full session: password and code given, not locked.
    Session,
}

impl Access {
    pub fn of_call(name: &str) -> Self {
        match name {
            "begin_sign_in" => Self::Public,
            "submit_code"
            | "submit_recovery_code"
            | "start_enrolment"
            | "confirm_enrolment"
            | "unlock"
            | "lock"
            | "sign_out"
            | "session_state" => Self::SignInStep,
            _ => Self::Session,
        }
    }

    fn security(self) -> Value {
        match self {
            Self::Public => json!([]),
            Self::SignInStep => json!([{ "pendingSession": [] }]),
            Self::Session => json!([{ "session": [] }]),
        }
    }
}

/// One call as the document describes it.
pub struct Operation {
    pub name: &'static str,
    pub args: Vec<(&'static str, &'static str)>,
    pub returns: &'static str,
}

macro_rules! describe_calls {
    (
        open { $( $oname:ident ( $( $oarg:ident : $oty:ty ),* ) -> $oret:ty ; )* }
        session { $( $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )* }
    ) => {
        /// Every call of the contract, in the order of the list.
        pub fn operations() -> Vec<Operation> {
            vec![
                $( Operation {
                    name: stringify!($oname),
                    args: vec![ $( (stringify!($oarg), stringify!($oty)) ),* ],
                    returns: stringify!($oret),
                }, )*
                $( Operation {
                    name: stringify!($name),
                    args: vec![ $( (stringify!($arg), stringify!($ty)) ),* ],
                    returns: stringify!($ret),
                }, )*
                Operation {
                    name: "export_contact",
                    args: vec![("contact", "ContactId"), ("include_notes", "bool")],
                    returns: "{ summary: ExportSummary, relative: String, files: [{ path, data (base64) }] }",
                },
                Operation {
                    name: "export_audit",
                    args: vec![("filter", "&AuditFilter")],
                    returns: "{ summary: AuditExport, relative: String, files: [{ path, data (base64) }] }",
                },
            ]
        }
    };
}

appcare_core::workspace_calls!(describe_calls);

fn error_responses(access: Access) -> Map<String, Value> {
    let error = json!({
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    });
    let mut responses = Map::new();
    let mut add = |status: &str, description: &str| {
        let mut e = error.clone();
        e["description"] = json!(description);
        responses.insert(status.into(), e);
    };
    add("422", "An argument is missing or wrong (invalid_input).");
    if access != Access::Public {
        add("401", "No session, or not at the stage this call needs.");
    }
    if access == Access::Session {
        add("403", "The session's role does not allow this call.");
    }
    add(
        "429",
        "Too many failed sign-ins (rate_limited); see Retry-After.",
    );
    responses
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for op in operations() {
        let access = Access::of_call(op.name);
        let properties: Map<String, Value> = op
            .args
            .iter()
            .map(|(name, ty)| ((*name).to_owned(), json!({ "x-rust-type": ty })))
            .collect();
        let required: Vec<&str> = op
            .args
            .iter()
            .filter(|(_, ty)| !ty.starts_with("Option"))
            .map(|(name, _)| *name)
            .collect();
        let mut responses = error_responses(access);
        responses.insert(
            "200".into(),
            json!({
                "description": "The call's result.",
                "content": { "application/json": { "schema": { "x-rust-type": op.returns } } }
            }),
        );
        paths.insert(
            format!("/api/v1/{}", op.name),
            json!({ "post": {
                "operationId": op.name,
                "security": access.security(),
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
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
            "security": Access::Session.security(),
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
            "security": Access::Public.security(),
            "responses": { "200": { "description": "{ service, api, version, workspace }" } }
        } }),
    );
    paths.insert(
        "/api/v1/openapi.json".into(),
        json!({ "get": {
            "operationId": "openapi",
            "summary": "This document.",
            "security": Access::Public.security(),
            "responses": { "200": { "description": "OpenAPI 3.1 document." } }
        } }),
    );
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
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": { "type": "string", "description": "Stable machine-readable code, e.g. not_signed_in, forbidden, rate_limited." },
                        "message": { "type": "string", "description": "Plain words for the person at the keyboard." }
                    }
                }
            }
        },
        "paths": paths,
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> Json<Value> {
    Json(document())
}
