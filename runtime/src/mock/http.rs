//! The HTTP mock server.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use super::answer::{answer, json_content, refuse_key, route};
use super::checks::{Incoming, check_security, judge};
use super::openapi::operation::Operation;
use super::openapi::{Lookup, OpenApiIndex};
use super::record::{Journal, RecordedRequest};
use super::reply::{MockReply, render};
use super::schema::SchemaValidator;
pub use super::shared::Handler;
use super::shared::{Replies, Shared};

/// The `Retry-After` sent with a 429, in seconds, unless [`MockServer::set_retry_after`] says
/// otherwise (or the reply sets its own).
pub const DEFAULT_RETRY_AFTER: u64 = 7;

const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A local HTTP server (on `127.0.0.1`, a free port) that stands in for the Autessa REST API.
///
/// Every request is judged against the OpenAPI document: the operation is found by method and
/// path, and the parameters, the API key, the `Content-Type` and the JSON body are checked (the
/// body with an independent JSON Schema validator). A request that fails a check is answered
/// `400` with `{"errors": [<violations>]}` (a missing or wrong key: `401` and the document's
/// example for it); a good one with the example the document gives for
/// the current status (`200` unless told otherwise), or what the test's handlers choose.
/// Every response carries the headers its declaration gives an example of, and the
/// [default headers](MockServer::set_default_headers); a `429` also carries `Retry-After`.
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

impl MockServer {
    /// Starts a server on an already loaded document (several servers can share one).
    ///
    /// # Panics
    ///
    /// If no local port can be bound.
    pub async fn start_with_validator(
        validator: Arc<SchemaValidator>,
        api_key: &str,
    ) -> MockServer {
        let listener = bind().await;
        let (mut server, router) = Self::unstarted(validator, api_key, &listener);
        server.set_task(tokio::spawn(serve(listener, router)));
        server
    }

    /// A server that answers on `listener` once something serves its router there (its task
    /// does nothing yet).
    pub(super) fn unstarted(
        validator: Arc<SchemaValidator>,
        api_key: &str,
        listener: &TcpListener,
    ) -> (MockServer, Router) {
        let address = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("mock server: no local address: {error}"));
        let shared = Arc::new(Shared {
            index: OpenApiIndex::new(validator.document()),
            validator,
            api_key: api_key.to_owned(),
            journal: Journal::default(),
            replies: Mutex::new(Replies {
                sticky: MockReply::documented(),
                once: VecDeque::new(),
                handlers: Vec::new(),
                retry_after: DEFAULT_RETRY_AFTER,
                headers: Vec::new(),
                invent: false,
            }),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let server = MockServer {
            address,
            shared,
            task: tokio::spawn(async {}),
        };
        (server, router)
    }

    /// Replaces the task that serves this server (dropping the server aborts it).
    pub(super) fn set_task(&mut self, task: JoinHandle<()>) {
        self.task.abort();
        self.task = task;
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address the server listens on.
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
        self.replies().sticky = MockReply::example(status);
    }

    /// Answers every following valid request with `status` and `body` instead of an example
    /// (for bodies the document does not describe, such as unknown enum values).
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn respond_with_body(&self, status: u16, body: Value) {
        self.replies().sticky = MockReply::json(status, body);
    }

    /// Answers the next valid request with `status` (and its example), once; calls queue up and
    /// are used in order before falling back to the [`respond_with`](Self::respond_with) status.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn respond_once(&self, status: u16) {
        self.replies().once.push_back(MockReply::example(status));
    }

    /// Like [`respond_once`](Self::respond_once), with `body` instead of the example.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn respond_once_with_body(&self, status: u16, body: Value) {
        self.replies().once.push_back(MockReply::json(status, body));
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
        let reply = MockReply::json(status, body);
        let mut replies = self.replies();
        replies.handlers.retain(|(id, _)| id != operation_id);
        let handler: Handler = Arc::new(move |_| Some(reply.clone()));
        replies
            .handlers
            .insert(0, (operation_id.to_owned(), handler));
    }

    /// Answers every following valid request with `reply`, for any operation (replies queued
    /// with [`reply_once`](Self::reply_once) and handlers come first).
    pub fn reply_always(&self, reply: MockReply) {
        self.replies().sticky = reply;
    }

    /// Answers the next valid request, of any operation, with `reply`, once; queued replies
    /// are used in order, before handlers.
    pub fn reply_once(&self, reply: MockReply) {
        self.replies().once.push_back(reply);
    }

    /// Asks `handler` first for every following valid request of `operation_id` (an id, or
    /// the method and path template: `POST /pets/{id}`); a handler
    /// that returns `None` passes to the one added before it, and the last to the default
    /// reply.
    pub fn handle(
        &self,
        operation_id: &str,
        handler: impl Fn(&RecordedRequest) -> Option<MockReply> + Send + Sync + 'static,
    ) {
        let handler: Handler = Arc::new(handler);
        self.replies()
            .handlers
            .insert(0, (operation_id.to_owned(), handler));
    }

    /// Makes the answer to a response the document gives no example of from its schema
    /// (required members, first enum values, the smallest values the limits allow), instead
    /// of answering 500 and reporting the missing example (the default: a test of the
    /// documents themselves wants to know).
    pub fn invent_missing_examples(&self, invent: bool) {
        self.replies().invent = invent;
    }

    /// Headers sent with every response (for example an API's rate-limit headers); a reply's
    /// own headers replace them.
    pub fn set_default_headers(&self, headers: &[(&str, &str)]) {
        self.replies().headers = headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
    }

    /// The `Retry-After` value (seconds) of 429 responses that do not set their own; 7 by
    /// default.
    pub fn set_retry_after(&self, seconds: u64) {
        self.replies().retry_after = seconds;
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.journal.items()
    }

    /// The operations of the document, as the server matches them.
    pub fn operations(&self) -> &[Operation] {
        self.shared.index.operations()
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

/// A listener on a free port of `127.0.0.1`.
///
/// # Panics
///
/// If no local port can be bound.
pub(super) async fn bind() -> TcpListener {
    TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap_or_else(|error| panic!("mock server: cannot bind 127.0.0.1:0: {error}"))
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
                connections.spawn(serve_http(stream, router.clone()));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Serves HTTP/1 on one connection until it ends.
pub(super) async fn serve_http(stream: tokio::net::TcpStream, router: Router) {
    let service = TowerToHyperService::new(router);
    // A connection error (a client hanging up) ends only that connection.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut record = RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts
            .uri
            .query()
            .map(|query| {
                url::form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
        body: Vec::new(),
        body_value: None,
        operation_id: None,
        route: None,
        violations: Vec::new(),
        status: 0,
    };
    match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => record.body = bytes.to_vec(),
        Err(error) => record.violations.push(format!(
            "{} {}: cannot read the body: {error}",
            record.method, record.path
        )),
    }
    let (operation, key_refused) = find_and_judge(&shared, &parts.headers, &mut record);
    let (reply, content) = match operation {
        Some(operation) if record.violations.is_empty() => answer(&shared, operation, &mut record),
        // A missing or wrong key is refused as the API refuses it: 401 and its example.
        Some(operation) if key_refused => refuse_key(&shared, operation, &record),
        _ => {
            let body = json!({ "errors": record.violations });
            (
                MockReply::json(400, body.clone()),
                Some(json_content(&body)),
            )
        }
    };
    record.status = reply.status.as_u16();
    let mut headers = match operation {
        Some(operation) => shared.index.response_headers(operation, record.status),
        None => Vec::new(),
    };
    headers.extend(shared.replies().headers.iter().cloned());
    if reply.status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = shared.replies().retry_after;
        headers.push(("retry-after".to_owned(), retry_after.to_string()));
    }
    headers.extend(reply.headers.iter().cloned());
    let violations = record.violations.clone();
    shared.journal.record(record, &violations);
    render(reply.status, content, &headers, reply.fault).await
}

/// Finds the operation of the request and judges the request against it; also says
/// whether the key was refused.
fn find_and_judge<'a>(
    shared: &'a Shared,
    headers: &axum::http::HeaderMap,
    record: &mut RecordedRequest,
) -> (Option<&'a Operation>, bool) {
    let (method, path) = (&record.method, &record.path);
    match shared.index.find(method, path) {
        Lookup::Found {
            operation,
            path_parameters,
        } => {
            let request = Incoming {
                query: &record.query,
                path_parameters: &path_parameters,
                headers,
                body: &record.body,
            };
            let name = operation.name();
            let key_refused = !check_security(operation, &request, &shared.api_key).is_empty();
            let (found, body_value) =
                judge(&shared.validator, &shared.api_key, operation, &request);
            record.body_value = body_value;
            record
                .violations
                .extend(found.into_iter().map(|detail| format!("{name}: {detail}")));
            record.operation_id = operation.operation_id.clone();
            record.route = Some(route(operation));
            (Some(operation), key_refused)
        }
        Lookup::MethodNotAllowed { allowed } => {
            record.violations.push(format!(
                "{method} {path}: the path declares no {method} operation (only {})",
                allowed.join(", ")
            ));
            (None, false)
        }
        Lookup::NotFound => {
            record.violations.push(format!(
                "{method} {path}: no operation in the schema has this path"
            ));
            (None, false)
        }
    }
}
