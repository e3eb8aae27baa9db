//! The HTTP mock server.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use super::openapi::{
    Lookup, OpenApiIndex, Operation, Parameter, ParameterLocation, SecurityScheme, is_json,
};
use super::record::{Journal, RecordedRequest};
use super::schema::SchemaValidator;

/// The rate-limit headers sent with every response, as the Autessa API does.
pub const RATE_LIMIT_HEADERS: [(&str, u32); 4] = [
    ("X-RateLimit-Limit-Minute", 60),
    ("X-RateLimit-Remaining-Minute", 59),
    ("X-RateLimit-Limit-Day", 1000),
    ("X-RateLimit-Remaining-Day", 999),
];

/// The `Retry-After` sent with a 429, in seconds, unless [`MockServer::set_retry_after`] says
/// otherwise.
pub const DEFAULT_RETRY_AFTER: u64 = 7;

const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A local HTTP server (on `127.0.0.1`, a free port) that stands in for the Autessa REST API.
///
/// Every request is judged against the OpenAPI document: the operation is found by method and
/// path, and the parameters, the API key, the `Content-Type` and the JSON body are checked (the
/// body with an independent JSON Schema validator). A request that fails a check is answered
/// `400` with `{"errors": [<violations>]}`; a good one with the example the document gives for
/// the current status (`200` unless told otherwise). Every response carries the four rate-limit
/// headers; a `429` also carries `Retry-After`.
///
/// Dropping the server stops it: its accept loop and every connection task are aborted.
pub struct MockServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

struct Shared {
    validator: Arc<SchemaValidator>,
    index: OpenApiIndex,
    api_key: String,
    journal: Journal<RecordedRequest>,
    replies: Mutex<Replies>,
}

struct Replies {
    sticky: Reply,
    once: VecDeque<Reply>,
    /// Replies for one operation (by operation id), used when `once` is empty.
    by_operation: Vec<(String, Reply)>,
    retry_after: u64,
}

#[derive(Clone)]
struct Reply {
    status: StatusCode,
    body: Option<Value>,
}

impl MockServer {
    /// Loads the OpenAPI document and starts a server that expects `api_key`.
    ///
    /// # Panics
    ///
    /// If the document cannot be loaded or no local port can be bound (this is a test helper).
    pub async fn start(openapi_yaml: &Path, api_key: &str) -> MockServer {
        let validator = SchemaValidator::from_file(openapi_yaml)
            .unwrap_or_else(|error| panic!("mock server: {error}"));
        Self::start_with_validator(Arc::new(validator), api_key).await
    }

    /// Starts a server on an already loaded document (several servers can share one).
    ///
    /// # Panics
    ///
    /// If no local port can be bound.
    pub async fn start_with_validator(
        validator: Arc<SchemaValidator>,
        api_key: &str,
    ) -> MockServer {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|error| panic!("mock server: cannot bind 127.0.0.1:0: {error}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("mock server: no local address: {error}"));
        let shared = Arc::new(Shared {
            index: OpenApiIndex::new(validator.document()),
            validator,
            api_key: api_key.to_owned(),
            journal: Journal::default(),
            replies: Mutex::new(Replies {
                sticky: Reply {
                    status: StatusCode::OK,
                    body: None,
                },
                once: VecDeque::new(),
                by_operation: Vec::new(),
                retry_after: DEFAULT_RETRY_AFTER,
            }),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(serve(listener, router));
        MockServer {
            address,
            shared,
            task,
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The document the server judges requests against.
    pub fn validator(&self) -> &Arc<SchemaValidator> {
        &self.shared.validator
    }

    /// Answers every following valid request with `status` and the document's example for it
    /// (for an error status: the example of that response, else of its range, else of
    /// `default`).
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn respond_with(&self, status: u16) {
        self.replies().sticky = reply(status, None);
    }

    /// Answers every following valid request with `status` and `body` instead of an example
    /// (for bodies the document does not describe, such as unknown enum values).
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn respond_with_body(&self, status: u16, body: Value) {
        self.replies().sticky = reply(status, Some(body));
    }

    /// Answers the next valid request with `status` (and its example), once; calls queue up and
    /// are used in order before falling back to the [`respond_with`](Self::respond_with) status.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn respond_once(&self, status: u16) {
        self.replies().once.push_back(reply(status, None));
    }

    /// Like [`respond_once`](Self::respond_once), with `body` instead of the example.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn respond_once_with_body(&self, status: u16, body: Value) {
        self.replies().once.push_back(reply(status, Some(body)));
    }

    /// Answers every following valid request for the operation `operation_id` with `status`
    /// and `body` (for example a `generateUploadLink` that points at a local storage server).
    /// Replies queued with [`respond_once`](Self::respond_once) come first; other operations
    /// keep the [`respond_with`](Self::respond_with) reply.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn respond_to_operation(&self, operation_id: &str, status: u16, body: Value) {
        let mut replies = self.replies();
        replies.by_operation.retain(|(id, _)| id != operation_id);
        replies
            .by_operation
            .push((operation_id.to_owned(), reply(status, Some(body))));
    }

    /// The `Retry-After` value (seconds) of 429 responses; 7 by default.
    pub fn set_retry_after(&self, seconds: u64) {
        self.replies().retry_after = seconds;
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.journal.items()
    }

    /// Every failed check so far, each starting with the operation id (or `METHOD path` when
    /// no operation matched).
    pub fn violations(&self) -> Vec<String> {
        self.shared.journal.violations()
    }

    /// Forgets the requests and violations recorded so far.
    pub fn clear_records(&self) {
        self.shared.journal.clear();
    }

    fn replies(&self) -> std::sync::MutexGuard<'_, Replies> {
        self.shared
            .replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn reply(status: u16, body: Option<Value>) -> Reply {
    let status = StatusCode::from_u16(status)
        .unwrap_or_else(|_| panic!("mock server: {status} is not an HTTP status code"));
    Reply { status, body }
}

/// Accepts connections until aborted. Connection tasks live in a `JoinSet` owned by this
/// future, so aborting it aborts them too.
async fn serve(listener: TcpListener, router: Router) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let service = TowerToHyperService::new(router.clone());
                connections.spawn(async move {
                    // A connection error (a client hanging up) ends only that connection.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();

    let mut violations = Vec::new();
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes.to_vec(),
        Err(error) => {
            violations.push(format!("{method} {path}: cannot read the body: {error}"));
            Vec::new()
        }
    };

    let operation = match shared.index.find(&method, &path) {
        Lookup::Found {
            operation,
            path_parameters,
        } => {
            let request = Incoming {
                query: &query,
                path_parameters: &path_parameters,
                headers: &parts.headers,
                body: &body,
            };
            let name = operation.name();
            violations.extend(
                judge(&shared, operation, &request)
                    .into_iter()
                    .map(|detail| format!("{name}: {detail}")),
            );
            Some(operation)
        }
        Lookup::MethodNotAllowed { allowed } => {
            violations.push(format!(
                "{method} {path}: the path declares no {method} operation (only {})",
                allowed.join(", ")
            ));
            None
        }
        Lookup::NotFound => {
            violations.push(format!(
                "{method} {path}: no operation in the schema has this path"
            ));
            None
        }
    };

    let (status, response_body, retry_after) = match operation {
        Some(operation) if violations.is_empty() => {
            let (reply, retry_after) = {
                let mut replies = shared
                    .replies
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let for_operation = replies
                    .by_operation
                    .iter()
                    .find(|(id, _)| operation.operation_id.as_deref() == Some(id.as_str()))
                    .map(|(_, reply)| reply.clone());
                let reply = replies
                    .once
                    .pop_front()
                    .or(for_operation)
                    .unwrap_or_else(|| replies.sticky.clone());
                (reply, replies.retry_after)
            };
            let body = match reply.body {
                Some(body) => Some(body),
                None => shared
                    .index
                    .response_example(operation, reply.status.as_u16())
                    .map(|example| example.value),
            };
            match body {
                Some(body) => (reply.status, body, retry_after),
                None => {
                    let problem = format!(
                        "{}: the schema gives no example for a {} response, so the mock has \
                         nothing to answer",
                        operation.name(),
                        reply.status.as_u16()
                    );
                    violations.push(problem.clone());
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        json!({ "errors": [problem] }),
                        retry_after,
                    )
                }
            }
        }
        _ => (
            StatusCode::BAD_REQUEST,
            json!({ "errors": violations }),
            DEFAULT_RETRY_AFTER,
        ),
    };

    shared.journal.record(
        RecordedRequest {
            method,
            path,
            query,
            headers,
            body,
            operation_id: operation.and_then(|op| op.operation_id.clone()),
            violations: violations.clone(),
            status: status.as_u16(),
        },
        &violations,
    );

    let mut response = Response::new(Body::from(response_body.to_string()));
    *response.status_mut() = status;
    let response_headers = response.headers_mut();
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in RATE_LIMIT_HEADERS {
        response_headers.insert(name, HeaderValue::from(value));
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        response_headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    response
}

/// The parts of a request the checks read.
struct Incoming<'a> {
    query: &'a [(String, String)],
    path_parameters: &'a [(String, String)],
    headers: &'a HeaderMap,
    body: &'a [u8],
}

impl Incoming<'_> {
    fn header_values(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect()
    }

    fn values(&self, location: ParameterLocation, name: &str) -> Vec<String> {
        let pick = |pairs: &[(String, String)]| -> Vec<String> {
            pairs
                .iter()
                .filter(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .collect()
        };
        match location {
            ParameterLocation::Query => pick(self.query),
            ParameterLocation::Path => pick(self.path_parameters),
            ParameterLocation::Header => self.header_values(name),
            ParameterLocation::Cookie => {
                let cookies: Vec<(String, String)> = self
                    .header_values("cookie")
                    .iter()
                    .flat_map(|line| line.split(';'))
                    .filter_map(|pair| {
                        let (key, value) = pair.split_once('=')?;
                        Some((key.trim().to_owned(), value.trim().to_owned()))
                    })
                    .collect();
                pick(&cookies)
            }
        }
    }
}

/// Every check of one request against its operation; the details, without the operation name.
fn judge(shared: &Shared, operation: &Operation, request: &Incoming<'_>) -> Vec<String> {
    let mut violations = check_security(operation, request, &shared.api_key);
    for parameter in &operation.parameters {
        violations.extend(check_parameter(&shared.validator, parameter, request));
    }
    violations.extend(check_undeclared_query(operation, request));
    violations.extend(check_body(&shared.validator, operation, request));
    violations
}

fn check_security(operation: &Operation, request: &Incoming<'_>, api_key: &str) -> Vec<String> {
    // The Autessa API authenticates every operation with the raw key in `Authorization`; an
    // operation that declares no security is held to that rule.
    let fallback = [vec![SecurityScheme::ApiKey {
        scheme: "(none declared)".to_owned(),
        location: ParameterLocation::Header,
        name: "Authorization".to_owned(),
    }]];
    let alternatives = if operation.security.is_empty() {
        &fallback[..]
    } else {
        &operation.security[..]
    };
    let mut first_failures = None;
    for requirement in alternatives {
        let failures: Vec<String> = requirement
            .iter()
            .filter_map(|scheme| check_scheme(scheme, request, api_key))
            .collect();
        if failures.is_empty() {
            return Vec::new();
        }
        first_failures.get_or_insert(failures);
    }
    first_failures.unwrap_or_default()
}

fn check_scheme(scheme: &SecurityScheme, request: &Incoming<'_>, api_key: &str) -> Option<String> {
    match scheme {
        SecurityScheme::ApiKey {
            scheme,
            location,
            name,
        } => {
            let values = request.values(*location, name);
            let what = format!("{} {name:?}", location.as_str());
            match values.as_slice() {
                [] => Some(format!(
                    "{what} is missing (security scheme {scheme:?} wants the raw API key)"
                )),
                [value] if value == api_key => None,
                [value] if has_bearer_prefix(value) => Some(format!(
                    "{what} has a \"Bearer \" prefix; security scheme {scheme:?} wants the raw API \
                     key"
                )),
                [_] => Some(format!(
                    "{what} is not the configured API key (security scheme {scheme:?})"
                )),
                _ => Some(format!("{what} is sent {} times", values.len())),
            }
        }
        SecurityScheme::Bearer { scheme } => {
            let values = request.header_values("authorization");
            match values.as_slice() {
                [value] if has_bearer_prefix(value) && value[7..] == *api_key => None,
                [] => Some(format!(
                    "header \"authorization\" is missing (security scheme {scheme:?})"
                )),
                _ => Some(format!(
                    "header \"authorization\" is not \"Bearer <API key>\" (security scheme \
                     {scheme:?})"
                )),
            }
        }
        SecurityScheme::Other { .. } => None,
    }
}

fn has_bearer_prefix(value: &str) -> bool {
    value
        .get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("bearer "))
}

fn check_parameter(
    validator: &SchemaValidator,
    parameter: &Parameter,
    request: &Incoming<'_>,
) -> Vec<String> {
    let what = format!(
        "{} parameter {:?}",
        parameter.location.as_str(),
        parameter.name
    );
    if parameter.deep_object {
        return check_deep_object(validator, parameter, request, &what);
    }
    let values = request.values(parameter.location, &parameter.name);
    let is_array = parameter.json_type.as_deref() == Some("array");
    let instance = match values.as_slice() {
        [] if parameter.required => return vec![format!("{what} is required but missing")],
        [] => return Vec::new(),
        _ if is_array => Value::Array(values.iter().cloned().map(Value::String).collect()),
        [value] => read_scalar(value, parameter.json_type.as_deref()),
        _ => return vec![format!("{what} is sent {} times", values.len())],
    };
    let Some(pointer) = &parameter.schema_pointer else {
        return Vec::new();
    };
    match validator.validate(pointer, &instance) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|error| {
                let error = error.strip_prefix("(root): ").unwrap_or(&error);
                format!("{what}: {error}")
            })
            .collect(),
    }
}

/// A `deepObject` parameter: its `name[member]=value` fields, as one object of strings (one
/// level deep, as the fixtures send them), validated against its schema.
fn check_deep_object(
    validator: &SchemaValidator,
    parameter: &Parameter,
    request: &Incoming<'_>,
    what: &str,
) -> Vec<String> {
    let members: serde_json::Map<String, Value> = request
        .query
        .iter()
        .filter_map(|(key, value)| {
            let member = deep_member(key, &parameter.name)?;
            Some((member.to_owned(), Value::String(value.clone())))
        })
        .collect();
    if members.is_empty() {
        return match parameter.required {
            true => vec![format!("{what} is required but missing")],
            false => Vec::new(),
        };
    }
    let Some(pointer) = &parameter.schema_pointer else {
        return Vec::new();
    };
    match validator.validate(pointer, &Value::Object(members)) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| format!("{what}: {e}")).collect(),
    }
}

/// `member` of a `deepObject` field `name[member]`.
fn deep_member<'a>(key: &'a str, name: &str) -> Option<&'a str> {
    key.strip_prefix(name)?.strip_prefix('[')?.strip_suffix(']')
}

/// Reads a parameter's text as the JSON value its schema type calls for; text that does not
/// parse stays a string, so that the schema rejects it with a precise message.
fn read_scalar(text: &str, json_type: Option<&str>) -> Value {
    let parsed = match json_type {
        Some("integer") => text
            .parse::<i64>()
            .ok()
            .map(Value::from)
            .or_else(|| text.parse::<u64>().ok().map(Value::from)),
        Some("number") => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        Some("boolean") => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

fn check_undeclared_query(operation: &Operation, request: &Incoming<'_>) -> Vec<String> {
    let declared = |name: &str| {
        operation
            .parameters
            .iter()
            .any(|p| {
                p.location == ParameterLocation::Query
                    && (p.name == name || (p.deep_object && deep_member(name, &p.name).is_some()))
            })
            || operation.security.iter().flatten().any(|scheme| {
                matches!(scheme, SecurityScheme::ApiKey { location: ParameterLocation::Query, name: key, .. } if key == name)
            })
    };
    let mut names: Vec<&str> = request
        .query
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| !declared(name))
        .collect();
    names.dedup();
    names
        .into_iter()
        .map(|name| format!("query parameter {name:?} is not declared"))
        .collect()
}

fn check_body(
    validator: &SchemaValidator,
    operation: &Operation,
    request: &Incoming<'_>,
) -> Vec<String> {
    let Some(declared) = &operation.request_body else {
        return if request.body.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "the operation declares no request body, but {} bytes were sent",
                request.body.len()
            )]
        };
    };
    if request.body.is_empty() {
        return if declared.required {
            vec!["the request body is required, but none was sent".to_owned()]
        } else {
            Vec::new()
        };
    }
    let mut violations = Vec::new();
    let accepted: Vec<&str> = declared
        .content
        .iter()
        .map(|content| content.media_type.as_str())
        .collect();
    let content_type = request.header_values("content-type");
    let matched = match content_type.as_slice() {
        [] => {
            violations.push(format!(
                "header \"content-type\" is missing (the body must be {})",
                accepted.join(" or ")
            ));
            None
        }
        [value] => {
            let found = declared
                .content
                .iter()
                .find(|content| same_media_type(&content.media_type, value));
            if found.is_none() {
                violations.push(format!(
                    "header \"content-type\" is {value:?}, but the body must be {}",
                    accepted.join(" or ")
                ));
            }
            found
        }
        _ => {
            violations.push(format!(
                "header \"content-type\" is sent {} times",
                content_type.len()
            ));
            None
        }
    };
    // Whatever the header said, judge the body as the operation's JSON media type.
    let Some(content) = matched.or_else(|| {
        declared
            .content
            .iter()
            .find(|content| is_json(&content.media_type))
    }) else {
        return violations;
    };
    if !is_json(&content.media_type) {
        return violations;
    }
    let instance: Value = match serde_json::from_slice(request.body) {
        Ok(instance) => instance,
        Err(error) => {
            violations.push(format!("the request body is not JSON: {error}"));
            return violations;
        }
    };
    if let Some(pointer) = &content.schema_pointer
        && let Err(errors) = validator.validate(pointer, &instance)
    {
        violations.extend(
            errors
                .into_iter()
                .map(|error| format!("request body at {error}")),
        );
    }
    violations
}

/// Compares media types by essence (type/subtype, case-insensitive), ignoring parameters such
/// as `charset`.
fn same_media_type(declared: &str, sent: &str) -> bool {
    let essence = |text: &str| {
        text.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    essence(declared) == essence(sent)
}
