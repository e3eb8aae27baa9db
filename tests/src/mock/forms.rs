//! A loopback server that reads form bodies as a web framework does: `multipart/form-data`
//! parsed part by part with axum's `Multipart` (multer), any other body kept as text. It
//! records what it read and answers with queued replies.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::Journal;

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct FormRequest {
    /// Upper case, e.g. `POST`.
    pub method: String,
    pub path: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: FormBody,
}

impl FormRequest {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The parts of a multipart body.
    ///
    /// # Panics
    ///
    /// If the body was not multipart, or could not be parsed.
    pub fn parts(&self) -> &[Part] {
        match &self.body {
            FormBody::Multipart(parts) => parts,
            other => panic!("not a multipart body: {other:?}"),
        }
    }
}

/// What the server read from a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormBody {
    Multipart(Vec<Part>),
    /// Any other body, as text.
    Text(String),
    /// A multipart body that did not parse (or broke off), with the parser's error.
    Malformed(String),
}

/// One part of a multipart body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

impl Part {
    /// The part as `name; file name; content type; data` (`-` for what is absent), for
    /// comparing whole lists in one assertion.
    pub fn describe(&self) -> String {
        format!(
            "{}; {}; {}; {}",
            self.name,
            self.file_name.as_deref().unwrap_or("-"),
            self.content_type.as_deref().unwrap_or("-"),
            String::from_utf8_lossy(&self.data)
        )
    }
}

#[derive(Clone, Debug)]
struct Reply {
    status: StatusCode,
    body: Value,
}

struct Shared {
    journal: Journal<FormRequest>,
    once: Mutex<VecDeque<Reply>>,
    sticky: Mutex<Reply>,
}

/// The server; dropping it stops it.
pub struct FormServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl FormServer {
    /// Starts a server on `127.0.0.1` that answers `200` with `null` until told otherwise.
    ///
    /// # Panics
    ///
    /// If no local port can be bound (this is a test helper).
    pub async fn start() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|error| panic!("form server: cannot bind 127.0.0.1:0: {error}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("form server: no local address: {error}"));
        let shared = Arc::new(Shared {
            journal: Journal::default(),
            once: Mutex::new(VecDeque::new()),
            sticky: Mutex::new(Reply {
                status: StatusCode::OK,
                body: Value::Null,
            }),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            address,
            shared,
            task,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Answers every following request with `status` and `body` (no body for `204`).
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn reply_with(&self, status: u16, body: Value) {
        *lock(&self.shared.sticky) = reply(status, body);
    }

    /// Answers the next request with `status` and `body`, once; queued before the
    /// [`reply_with`](Self::reply_with) reply.
    ///
    /// # Panics
    ///
    /// If `status` is not an HTTP status code.
    pub fn reply_once(&self, status: u16, body: Value) {
        lock(&self.shared.once).push_back(reply(status, body));
    }

    /// Every request read so far, in order.
    pub fn requests(&self) -> Vec<FormRequest> {
        self.shared.journal.items()
    }
}

impl Drop for FormServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for FormServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormServer")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn reply(status: u16, body: Value) -> Reply {
    let status = StatusCode::from_u16(status)
        .unwrap_or_else(|_| panic!("form server: {status} is not an HTTP status code"));
    Reply { status, body }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    let body = if multipart {
        read_parts(request).await
    } else {
        match axum::body::to_bytes(request.into_body(), usize::MAX).await {
            Ok(bytes) => FormBody::Text(String::from_utf8_lossy(&bytes).into_owned()),
            Err(error) => FormBody::Malformed(error.to_string()),
        }
    };
    shared.journal.record(
        FormRequest {
            method,
            path,
            headers,
            body,
        },
        &[],
    );
    let reply = lock(&shared.once)
        .pop_front()
        .unwrap_or_else(|| lock(&shared.sticky).clone());
    let body = if reply.status == StatusCode::NO_CONTENT {
        Body::empty()
    } else {
        Body::from(reply.body.to_string())
    };
    let mut response = Response::new(body);
    *response.status_mut() = reply.status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

async fn read_parts(request: Request) -> FormBody {
    let mut multipart = match Multipart::from_request(request, &()).await {
        Ok(multipart) => multipart,
        Err(error) => return FormBody::Malformed(error.body_text()),
    };
    let mut parts = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(str::to_owned);
                match field.bytes().await {
                    Ok(data) => parts.push(Part {
                        name,
                        file_name,
                        content_type,
                        data: data.to_vec(),
                    }),
                    Err(error) => return FormBody::Malformed(error.body_text()),
                }
            }
            Ok(None) => return FormBody::Multipart(parts),
            Err(error) => return FormBody::Malformed(error.body_text()),
        }
    }
}
