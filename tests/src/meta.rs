//! A local stand-in for Meta: a fake Graph API that follows the documented requests and
//! answers (error envelopes included, scripted failures and slow answers), a webhook
//! sender that signs bodies the way Meta does (ASCII-escaped JSON, `sha256=` lowercase
//! hex), and the documented sample payloads. Nothing here reaches the internet.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const VERSION: &str = "v23.0";

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    pub body: Value,
}

/// A scripted answer for the next send.
#[derive(Clone, Debug)]
pub enum Reply {
    Ok,
    /// HTTP status and Meta's error envelope.
    Error(u16, Value),
    /// Answer normally after a delay (longer than the client's timeout = a timeout).
    Slow(Duration),
}

#[derive(Default)]
struct FakeState {
    token: String,
    requests: Vec<Recorded>,
    sends: VecDeque<Reply>,
    media: HashMap<String, (Vec<u8>, String)>,
    templates: Vec<Value>,
    settings: HashMap<String, Value>,
    settings_error: Option<(u16, Value)>,
    thread_control_error: Option<(u16, Value)>,
    profiles: HashMap<String, (String, String)>,
    conversation_pages: Vec<Value>,
    conversations: Value,
    /// `subscribed_apps` answers by WhatsApp business account or page id (none: `[]`).
    subscriptions: HashMap<String, Value>,
    next_id: u64,
    /// The WhatsApp message ids answered to sends, in order.
    issued: Vec<String>,
    base_url: String,
}

/// The fake Graph API, served on a loopback port until dropped.
pub struct FakeGraph {
    pub base_url: String,
    state: Arc<Mutex<FakeState>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Meta's error envelope.
pub fn meta_error(code: i64, message: &str) -> Value {
    json!({"error": {
        "message": format!("(#{code}) {message}"),
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": message},
        "fbtrace_id": "AbCdEfGhIjK"
    }})
}

impl FakeGraph {
    /// Starts the fake; requests must carry `Bearer {token}`.
    pub async fn start(token: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake graph");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(FakeState {
            token: token.to_string(),
            conversations: json!({"data": []}),
            base_url: base_url.clone(),
            ..FakeState::default()
        }));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base_url,
            state,
            task,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers for the next sends, in order; after them every send succeeds.
    pub fn script_sends(&self, replies: Vec<Reply>) {
        self.lock().sends.extend(replies);
    }

    /// Meta stops accepting the token (revoked, expired): every call answers 401 with
    /// code 190 until `token` is the one in use.
    pub fn set_token(&self, token: &str) {
        self.lock().token = token.to_string();
    }

    /// An app subscribed to the WhatsApp business account's webhooks (the documented
    /// `whatsapp_business_api_data` shape).
    pub fn subscribe_waba(&self, waba: &str, app_name: &str) {
        self.lock().subscriptions.insert(
            waba.to_string(),
            json!({"data": [{"whatsapp_business_api_data": {
                "id": "670843887433847", "link": "https://www.facebook.com/games/?app_id=670843887433847",
                "name": app_name
            }}]}),
        );
    }

    /// An app subscribed to the page's webhooks with `fields`.
    pub fn subscribe_page(&self, page: &str, app_name: &str, fields: &[&str]) {
        self.lock().subscriptions.insert(
            page.to_string(),
            json!({"data": [{"category": "Business", "link": "https://example.test/app",
                "name": app_name, "id": "1234567890", "subscribed_fields": fields}]}),
        );
    }

    /// A file the customer sent: downloadable through the media-id flow.
    pub fn add_media(&self, id: &str, data: &[u8], mime: &str) -> String {
        self.lock()
            .media
            .insert(id.to_string(), (data.to_vec(), mime.to_string()));
        hex::encode(Sha256::digest(data))
    }

    pub fn add_template(&self, name: &str, language: &str, body: &str) {
        self.lock().templates.push(json!({
            "name": name, "language": language, "status": "APPROVED", "category": "UTILITY",
            "id": format!("tpl-{name}"),
            "components": [{"type": "BODY", "text": body}]
        }));
    }

    /// An approved template as Meta lists it, components and all.
    pub fn add_template_listing(&self, template: Value) {
        self.lock().templates.push(template);
    }

    /// A Messenger user's profile (`GET /{psid}?fields=first_name,last_name`).
    pub fn add_profile(&self, psid: &str, first: &str, last: &str) {
        self.lock()
            .profiles
            .insert(psid.to_string(), (first.to_string(), last.to_string()));
    }

    /// The next take or request of thread control fails with this answer.
    pub fn fail_thread_control(&self, status: u16, error: Value) {
        self.lock().thread_control_error = Some((status, error));
    }

    /// The next `POST /{id}/settings` fails with this answer.
    pub fn fail_settings(&self, status: u16, error: Value) {
        self.lock().settings_error = Some((status, error));
    }

    /// Pages of `GET /{page-id}/conversations`: page N answers `after=N`; each page
    /// links the next with `paging.next` as Meta does.
    pub fn set_conversation_pages(&self, pages: Vec<Value>) {
        let mut state = self.lock();
        let base = state.base_url.clone();
        let count = pages.len();
        state.conversation_pages = pages
            .into_iter()
            .enumerate()
            .map(|(i, mut page)| {
                if i + 1 < count {
                    page["paging"] = json!({"next": format!("{base}/{VERSION}/1122334455/conversations?platform=messenger&after={}", i + 1)});
                }
                page
            })
            .collect();
    }

    /// What `GET /{page-id}/conversations` returns.
    pub fn set_conversations(&self, value: Value) {
        self.lock().conversations = value;
    }

    /// The `wamid`s this fake answered WhatsApp sends with, oldest first.
    pub fn issued_message_ids(&self) -> Vec<String> {
        self.lock().issued.clone()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// Requests whose path ends with `suffix` (e.g. `/messages`).
    pub fn requests_to(&self, suffix: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.ends_with(suffix))
            .collect()
    }
}

/// A `multipart/form-data` body as JSON: text fields that hold JSON (Messenger's
/// `recipient` and `message`) parsed, other text as strings, and each file as its name,
/// content type and size (`filedata: {filename, content_type, size}`).
fn form_data(content_type: &str, bytes: &[u8]) -> Value {
    let Some(boundary) = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| format!("--{}", b.trim_matches('"')))
    else {
        return json!({});
    };
    let text = String::from_utf8_lossy(bytes);
    let mut out = serde_json::Map::new();
    for part in text.split(boundary.as_str()).skip(1) {
        let Some((head, body)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let body = body.strip_suffix("\r\n").unwrap_or(body);
        let attribute = |key: &str| {
            head.split(';')
                .find_map(|a| a.trim().strip_prefix(&format!("{key}=\"")))
                .and_then(|v| v.split('"').next())
                .map(str::to_string)
        };
        let Some(name) = attribute("name") else {
            continue;
        };
        let value = match attribute("filename") {
            Some(filename) => json!({
                "filename": filename,
                "content_type": head.lines().find_map(|l| l.strip_prefix("Content-Type: ")
                    .or_else(|| l.strip_prefix("content-type: "))).unwrap_or_default().trim(),
                "size": body.len(),
            }),
            None => serde_json::from_str(body).unwrap_or_else(|_| json!(body)),
        };
        out.insert(name, value);
    }
    Value::Object(out)
}

fn error_response(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(body),
    )
        .into_response()
}

async fn handle(State(state): State<Arc<Mutex<FakeState>>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let headers: HeaderMap = request.headers().clone();
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes: Bytes = axum::body::to_bytes(request.into_body(), 128 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let body: Value = if content_type.starts_with("application/json") {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    } else if content_type.starts_with("multipart/form-data") {
        let mut parsed = form_data(&content_type, &bytes);
        parsed["multipart_bytes"] = json!(bytes.len());
        parsed["has_file"] = json!(String::from_utf8_lossy(&bytes).contains("name=\"file\""));
        parsed
    } else {
        Value::Null
    };
    let expected = format!(
        "Bearer {}",
        state.lock().unwrap_or_else(|p| p.into_inner()).token
    );
    let reply = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.requests.push(Recorded {
            method: method.to_string(),
            path: path.clone(),
            query: query.clone(),
            authorization: authorization.clone(),
            body: body.clone(),
        });
        if authorization.as_deref() != Some(expected.as_str()) {
            return error_response(
                401,
                json!({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190, "fbtrace_id": "A1"}}),
            );
        }
        route(&mut s, &method, &path, &query, &body)
    };
    match reply {
        Routed::Now(response) => response,
        Routed::After(delay, response) => {
            tokio::time::sleep(delay).await;
            response
        }
    }
}

enum Routed {
    Now(Response),
    After(Duration, Response),
}

fn route(s: &mut FakeState, method: &Method, path: &str, query: &str, body: &Value) -> Routed {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if parts.first() == Some(&"files") && parts.len() == 2 {
        return Routed::Now(match s.media.get(parts[1]) {
            Some((data, mime)) => ([("content-type", mime.clone())], data.clone()).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        });
    }
    if parts.first() != Some(&VERSION) {
        return Routed::Now(error_response(400, meta_error(2635, "Unknown API version")));
    }
    let rest = &parts[1..];
    s.next_id += 1;
    let n = s.next_id;
    let json_ok = |v: Value| Routed::Now(axum::Json(v).into_response());
    match (method.as_str(), rest) {
        ("POST", [_, "messages"]) => {
            let whatsapp =
                body.get("messaging_product").and_then(Value::as_str) == Some("whatsapp");
            let answer = if whatsapp && body.get("status").is_some() {
                // Mark as read, optionally with the typing indicator: no recipient, the
                // message's id, `{"success": true}` (Cloud API, "Mark messages as read").
                let typing_ok = body
                    .get("typing_indicator")
                    .is_none_or(|t| t.get("type").and_then(Value::as_str) == Some("text"));
                let valid = body.get("status").and_then(Value::as_str) == Some("read")
                    && body.get("message_id").and_then(Value::as_str).is_some()
                    && typing_ok;
                if !valid {
                    return Routed::Now(error_response(400, meta_error(100, "Invalid parameter")));
                }
                json!({"success": true})
            } else if whatsapp {
                let to = body.get("to").and_then(Value::as_str).unwrap_or_default();
                let to = match to {
                    "" => body
                        .get("recipient")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                    to => to,
                };
                let kind = body.get("type").and_then(Value::as_str);
                // A reaction names the message it reacts to (Cloud API, Reaction messages).
                let valid = !to.is_empty()
                    && kind.is_some()
                    && (kind != Some("reaction")
                        || body
                            .pointer("/reaction/message_id")
                            .and_then(Value::as_str)
                            .is_some());
                if !valid {
                    return Routed::Now(error_response(400, meta_error(100, "Invalid parameter")));
                }
                if kind == Some("template") {
                    if let Some((code, message)) = template_problem(&s.templates, &body["template"])
                    {
                        return Routed::Now(error_response(400, meta_error(code, message)));
                    }
                }
                if !card_ok(kind, body) {
                    return Routed::Now(error_response(400, meta_error(100, "Invalid parameter")));
                }
                if kind == Some("interactive") && !interactive_ok(&body["interactive"]) {
                    return Routed::Now(error_response(
                        400,
                        meta_error(131009, "Parameter value is not valid"),
                    ));
                }
                json!({"messaging_product": "whatsapp",
                       "contacts": [{"input": to, "wa_id": to.trim_start_matches('+')}],
                       "messages": [{"id": format!("wamid.FAKE{n:08}"), "message_status": "accepted"}]})
            } else {
                let psid = body
                    .pointer("/recipient/id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let action = body.get("sender_action").and_then(Value::as_str);
                // Sender actions carry no message and no messaging_type; react names the
                // message and the reaction, unreact only the message.
                let action_ok = match action {
                    None => body.get("messaging_type").is_some(),
                    Some("typing_on" | "typing_off" | "mark_seen") => true,
                    Some("react") => {
                        body.pointer("/payload/message_id").is_some()
                            && body.pointer("/payload/reaction").is_some()
                    }
                    Some("unreact") => {
                        body.pointer("/payload/message_id").is_some()
                            && body.pointer("/payload/reaction").is_none()
                    }
                    Some(_) => false,
                };
                // A file goes as form data: its type one Messenger knows, the bytes in
                // `filedata`, an audio file typed audio/* (Send API, "Saving assets").
                let attachment_ok = match body
                    .pointer("/message/attachment/type")
                    .and_then(Value::as_str)
                {
                    None => body.pointer("/message/attachment").is_none(),
                    Some(kind) => {
                        let typed = body
                            .pointer("/filedata/content_type")
                            .and_then(Value::as_str)
                            .unwrap_or_default();
                        matches!(kind, "image" | "video" | "audio" | "file")
                            && body
                                .pointer("/filedata/size")
                                .and_then(Value::as_u64)
                                .is_some_and(|n| n > 0)
                            && (kind != "audio" || typed.starts_with("audio/"))
                            && body.pointer("/message/text").is_none()
                    }
                };
                let quick_ok = body
                    .pointer("/message/quick_replies")
                    .and_then(Value::as_array)
                    .is_none_or(|q| {
                        q.len() <= 13
                            && q.iter().all(|r| {
                                within(r, "/title", 20)
                                    && within(r, "/payload", 1000)
                                    && r.get("content_type").and_then(Value::as_str) == Some("text")
                            })
                    });
                if psid.is_empty() || !action_ok || !quick_ok || !attachment_ok {
                    return Routed::Now(error_response(400, meta_error(100, "Invalid parameter")));
                }
                match action {
                    Some(_) => json!({"recipient_id": psid}),
                    None => json!({"recipient_id": psid, "message_id": format!("m_FAKE{n:08}")}),
                }
            };
            let reply = s.sends.pop_front().unwrap_or(Reply::Ok);
            if !matches!(reply, Reply::Error(..)) {
                if let Some(id) = answer.pointer("/messages/0/id").and_then(Value::as_str) {
                    s.issued.push(id.to_string());
                }
            }
            match reply {
                Reply::Ok => json_ok(answer),
                Reply::Error(status, envelope) => Routed::Now(error_response(status, envelope)),
                Reply::Slow(delay) => Routed::After(delay, axum::Json(answer).into_response()),
            }
        }
        ("POST", [_, "media"]) => {
            if body.get("has_file") != Some(&Value::Bool(true)) {
                return Routed::Now(error_response(
                    400,
                    meta_error(131053, "Media upload error"),
                ));
            }
            json_ok(json!({"id": format!("upload-{n}")}))
        }
        ("POST", [id, "settings"]) => {
            if let Some((status, error)) = s.settings_error.take() {
                return Routed::Now(error_response(status, error));
            }
            let config = body
                .get("storage_configuration")
                .cloned()
                .unwrap_or(Value::Null);
            if config.get("status").is_none() {
                return Routed::Now(error_response(400, meta_error(100, "Invalid parameter")));
            }
            s.settings
                .insert(id.to_string(), json!({"storage_configuration": config}));
            json_ok(json!({"success": true}))
        }
        ("GET", [id, "settings"]) => json_ok(s.settings.get(*id).cloned().unwrap_or_else(
            || json!({"storage_configuration": {"status": "IN_COUNTRY_STORAGE_DISABLED"}}),
        )),
        ("GET", [id, "subscribed_apps"]) => json_ok(
            s.subscriptions
                .get(*id)
                .cloned()
                .unwrap_or_else(|| json!({"data": []})),
        ),
        ("GET", [_, "message_templates"]) => json_ok(
            json!({"data": s.templates.clone(), "paging": {"cursors": {"before": "A", "after": "B"}}}),
        ),
        ("GET", [_, "conversations"]) => {
            if !query.contains("platform=messenger") {
                return Routed::Now(error_response(400, meta_error(100, "platform is required")));
            }
            if !s.conversation_pages.is_empty() {
                let page = query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("after="))
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0);
                return json_ok(
                    s.conversation_pages
                        .get(page)
                        .cloned()
                        .unwrap_or(json!({"data": []})),
                );
            }
            json_ok(s.conversations.clone())
        }
        // Handover protocol: take (primary receiver only) and request name the customer.
        ("POST", ["me", "take_thread_control" | "request_thread_control"]) => {
            if body.pointer("/recipient/id").is_none() {
                return Routed::Now(error_response(400, meta_error(100, "Invalid parameter")));
            }
            if let Some((status, error)) = s.thread_control_error.take() {
                return Routed::Now(error_response(status, error));
            }
            json_ok(json!({"success": true}))
        }
        ("POST", ["me", "pass_thread_control"]) => {
            if body.pointer("/recipient/id").is_none() || body.get("target_app_id").is_none() {
                return Routed::Now(error_response(400, meta_error(100, "Invalid parameter")));
            }
            json_ok(json!({"success": true}))
        }
        ("GET", [id]) => match s.media.get(*id) {
            Some((data, mime)) => json_ok(json!({
                "messaging_product": "whatsapp",
                "url": format!("{}/files/{id}", s.base_url),
                "mime_type": mime,
                "sha256": hex::encode(Sha256::digest(data)),
                "file_size": data.len(),
                "id": id
            })),
            None => match s.profiles.get(*id) {
                Some((first, last)) if query.contains("fields=first_name") => {
                    json_ok(json!({"first_name": first, "last_name": last, "id": id}))
                }
                // A WhatsApp business phone number's fields (Cloud API, Phone numbers).
                _ if query.contains("display_phone_number")
                    && id.chars().all(|c| c.is_ascii_digit()) =>
                {
                    json_ok(json!({
                        "display_phone_number": "+1 555-010-0100",
                        "verified_name": "Fake Business",
                        "quality_rating": "GREEN",
                        "id": id
                    }))
                }
                _ if id.chars().all(|c| c.is_ascii_digit()) => {
                    json_ok(json!({"id": id, "name": "Fake Page"}))
                }
                _ => Routed::Now(error_response(
                    404,
                    meta_error(100, "Unsupported get request"),
                )),
            },
        },
        _ => Routed::Now(error_response(400, meta_error(100, "Unknown path"))),
    }
}

/// Whether the string at `pointer` is there, not empty and at most `max` characters.
fn within(value: &Value, pointer: &str, max: usize) -> bool {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty() && s.chars().count() <= max)
}

/// An interactive message as the Cloud API documents it: a body of at most 1,024
/// characters; reply buttons (1 to 3, titles of at most 20, ids of at most 256) or a
/// list (a button of at most 20, 1 to 10 rows over all sections, row titles of at most
/// 24, ids of at most 200).
/// Meta's answer to a template send that does not match an approved template (Cloud API
/// error codes): 132001 when no template has that name and language, 132000 when the
/// values given for the header, body or buttons are not the ones the template takes.
fn template_problem(templates: &[Value], sent: &Value) -> Option<(i64, &'static str)> {
    let name = sent.get("name").and_then(Value::as_str)?;
    let language = sent.pointer("/language/code").and_then(Value::as_str)?;
    let Some(template) = templates.iter().find(|t| {
        t.get("name").and_then(Value::as_str) == Some(name)
            && t.get("language").and_then(Value::as_str) == Some(language)
    }) else {
        return Some((132001, "Template name does not exist in the translation"));
    };
    let mismatch = Some((
        132000,
        "Number of parameters does not match the expected number of params",
    ));
    let approved: Vec<&Value> = template
        .get("components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let given: Vec<&Value> = sent
        .get("components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let placeholders = |text: &str| text.matches("{{").count();
    let given_of = |kind: &str| -> Vec<&Value> {
        given
            .iter()
            .filter(|c| c.get("type").and_then(Value::as_str) == Some(kind))
            .flat_map(|c| {
                c.get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .collect()
    };
    // Nothing the template does not have: a header only when it has one, a value only
    // for a button that takes one, each value of the type its part takes.
    let has = |kind: &str| {
        approved.iter().any(|c| {
            c.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(kind))
        })
    };
    let approved_buttons: Vec<&Value> = approved
        .iter()
        .filter(|c| {
            c.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("buttons"))
        })
        .flat_map(|c| {
            c.get("buttons")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .collect();
    for component in &given {
        let params: Vec<&Value> = component
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        let typed = |want: &str| {
            params
                .iter()
                .all(|p| p.get("type").and_then(Value::as_str) == Some(want))
        };
        let fits = match component.get("type").and_then(Value::as_str) {
            Some("body") => has("body") && typed("text"),
            Some("header") => has("header"),
            Some("button") => {
                let index = component
                    .get("index")
                    .and_then(Value::as_str)
                    .and_then(|i| i.parse::<usize>().ok());
                let button = index.and_then(|i| approved_buttons.get(i));
                let kind = button
                    .and_then(|b| b.get("type"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_lowercase();
                match kind.as_str() {
                    "url" => typed("text"),
                    "copy_code" => typed("coupon_code"),
                    _ => false,
                }
            }
            _ => false,
        };
        if !fits {
            return mismatch;
        }
    }
    for component in &approved {
        let kind = component
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase();
        let text = component
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match kind.as_str() {
            "body" if given_of("body").len() != placeholders(text) => return mismatch,
            "header" => {
                let format = component
                    .get("format")
                    .and_then(Value::as_str)
                    .unwrap_or("TEXT")
                    .to_lowercase();
                let params = given_of("header");
                if format == "text" {
                    if params.len() != placeholders(text) {
                        return mismatch;
                    }
                } else {
                    let file_ok = params.len() == 1
                        && params[0].get("type").and_then(Value::as_str) == Some(format.as_str())
                        && (params[0].pointer(&format!("/{format}/id")).is_some()
                            || params[0].pointer(&format!("/{format}/link")).is_some());
                    if !file_ok {
                        return mismatch;
                    }
                }
            }
            "buttons" => {
                for (index, button) in component
                    .get("buttons")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let button_kind = button
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_lowercase();
                    let url = button
                        .get("url")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    let takes = button_kind == "copy_code" || placeholders(url) > 0;
                    let sent_for: Vec<&&Value> = given
                        .iter()
                        .filter(|c| {
                            c.get("type").and_then(Value::as_str) == Some("button")
                                && c.get("index").and_then(Value::as_str)
                                    == Some(index.to_string().as_str())
                        })
                        .collect();
                    if takes {
                        let ok = sent_for.len() == 1
                            && sent_for[0].get("sub_type").and_then(Value::as_str)
                                == Some(button_kind.as_str())
                            && sent_for[0]
                                .pointer("/parameters")
                                .and_then(Value::as_array)
                                .is_some_and(|p| p.len() == 1);
                        if !ok {
                            return mismatch;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// A place needs numeric coordinates; each contact card a formatted name (Cloud API,
/// "Location messages" and "Contacts messages"). Other kinds pass here.
fn card_ok(kind: Option<&str>, body: &Value) -> bool {
    match kind {
        Some("location") => {
            body.pointer("/location/latitude")
                .is_some_and(Value::is_number)
                && body
                    .pointer("/location/longitude")
                    .is_some_and(Value::is_number)
        }
        Some("contacts") => body
            .get("contacts")
            .and_then(Value::as_array)
            .is_some_and(|cards| {
                !cards.is_empty()
                    && cards.iter().all(|c| {
                        c.pointer("/name/formatted_name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| !n.is_empty())
                    })
            }),
        _ => true,
    }
}

fn interactive_ok(i: &Value) -> bool {
    if !within(i, "/body/text", 1024) {
        return false;
    }
    match i.get("type").and_then(Value::as_str) {
        Some("button") => i
            .pointer("/action/buttons")
            .and_then(Value::as_array)
            .is_some_and(|b| {
                (1..=3).contains(&b.len())
                    && b.iter()
                        .all(|b| within(b, "/reply/title", 20) && within(b, "/reply/id", 256))
            }),
        Some("list") => {
            let rows: Vec<&Value> = i
                .pointer("/action/sections")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("rows").and_then(Value::as_array))
                .flatten()
                .collect();
            within(i, "/action/button", 20)
                && (1..=10).contains(&rows.len())
                && rows
                    .iter()
                    .all(|r| within(r, "/title", 24) && within(r, "/id", 200))
        }
        _ => false,
    }
}

/// JSON with every non-ASCII character written as `\uXXXX`, as Meta sends it.
pub fn ascii_json(value: &Value) -> Vec<u8> {
    let text = serde_json::to_string(value).expect("json");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.into_bytes()
}

/// `sha256=` + lowercase hex HMAC-SHA256 of `body` under `app_secret`.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts a body to a webhook URL with the given signature header (or none).
pub async fn deliver(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    signature: Option<&str>,
) -> u16 {
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(sig) = signature {
        request = request.header("x-hub-signature-256", sig);
    }
    match request.send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

/// Signs and posts like Meta.
pub async fn deliver_signed(
    client: &reqwest::Client,
    url: &str,
    app_secret: &str,
    payload: &Value,
) -> u16 {
    let body = ascii_json(payload);
    let sig = signature(app_secret, &body);
    deliver(client, url, body, Some(&sig)).await
}

/// The documented samples (channels.md §2, §3), with our ids filled in.
pub mod samples {
    use serde_json::{json, Value};

    pub const WABA_ID: &str = "102290129340398";
    pub const DISPLAY_NUMBER: &str = "15550783881";

    fn whatsapp_envelope(phone_number_id: &str, value: Value) -> Value {
        let mut value = value;
        value["messaging_product"] = json!("whatsapp");
        value["metadata"] =
            json!({"display_phone_number": DISPLAY_NUMBER, "phone_number_id": phone_number_id});
        json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}]})
    }

    /// Meta's text example: Sheena Nelson asks about a colour.
    pub fn whatsapp_text(
        phone_number_id: &str,
        wa_id: &str,
        name: &str,
        id: &str,
        timestamp: i64,
        body: &str,
    ) -> Value {
        whatsapp_envelope(
            phone_number_id,
            json!({
                "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                "messages": [{"from": wa_id, "id": id, "timestamp": timestamp.to_string(), "type": "text", "text": {"body": body}}]
            }),
        )
    }

    /// Any `messages[]` item (image, document, location, reaction, interactive …).
    pub fn whatsapp_message(
        phone_number_id: &str,
        wa_id: &str,
        name: &str,
        message: Value,
    ) -> Value {
        whatsapp_envelope(
            phone_number_id,
            json!({
                "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                "messages": [message]
            }),
        )
    }

    /// A status update for one of our messages.
    pub fn whatsapp_status(
        phone_number_id: &str,
        wamid: &str,
        status: &str,
        timestamp: i64,
        recipient: &str,
    ) -> Value {
        let mut s = json!({"id": wamid, "status": status, "timestamp": timestamp.to_string(), "recipient_id": recipient,
            "pricing": {"billable": true, "pricing_model": "PMP", "category": "service"}});
        if status == "failed" {
            s["errors"] = json!([{"code": 131049, "title": "This message was not delivered to maintain healthy ecosystem engagement.",
                "message": "This message was not delivered to maintain healthy ecosystem engagement.",
                "error_data": {"details": "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."},
                "href": "/documentation/business-messaging/whatsapp/support/error-codes"}]);
        }
        whatsapp_envelope(phone_number_id, json!({"statuses": [s]}))
    }

    /// A Messenger `page` body with these `messaging[]` items.
    pub fn messenger(page_id: &str, items: Vec<Value>) -> Value {
        json!({"object": "page", "entry": [{"id": page_id, "time": 1_458_692_752_478_i64, "messaging": items}]})
    }

    pub fn messenger_text(
        page_id: &str,
        psid: &str,
        mid: &str,
        timestamp_ms: i64,
        text: &str,
    ) -> Value {
        json!({"sender": {"id": psid}, "recipient": {"id": page_id}, "timestamp": timestamp_ms,
               "message": {"mid": mid, "text": text}})
    }
}
