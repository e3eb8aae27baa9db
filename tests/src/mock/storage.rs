//! A local stand-in for the object storage that `generateUploadLink`'s pre-signed URLs point
//! at: `PUT` stores the body under the path, `GET` gives it back.
//!
//! A pre-signed upload carries its authority in the URL, so a `PUT` is a violation when it
//! lacks the `signature` query parameter or carries an `authorization` header or the API key
//! (the key must never leave for a third party).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::Journal;

const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// One `PUT` the storage received.
#[derive(Clone, Debug)]
pub struct StoredUpload {
    pub path: String,
    pub query: Option<String>,
    pub body: Vec<u8>,
}

/// The storage server on `127.0.0.1` (see the module docs). Dropping it stops it.
pub struct StorageServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for StorageServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageServer")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

struct Shared {
    api_key: String,
    objects: Mutex<BTreeMap<String, Vec<u8>>>,
    uploads: Journal<StoredUpload>,
}

impl StorageServer {
    /// Starts a storage server; `api_key` is the key that must never reach it.
    ///
    /// # Panics
    ///
    /// If no local port can be bound (this is a test helper).
    pub async fn start(api_key: &str) -> StorageServer {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|error| panic!("storage: cannot bind 127.0.0.1:0: {error}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("storage: no local address: {error}"));
        let shared = Arc::new(Shared {
            api_key: api_key.to_owned(),
            objects: Mutex::new(BTreeMap::new()),
            uploads: Journal::default(),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        StorageServer {
            address,
            shared,
            task,
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A pre-signed URL for an object at `path` (which starts with `/`).
    pub fn signed_url(&self, path: &str) -> String {
        format!("{}{path}?signature=mock-signature", self.base_url())
    }

    /// Every `PUT` so far, in order.
    pub fn uploads(&self) -> Vec<StoredUpload> {
        self.shared.uploads.items()
    }

    /// Every failed check so far.
    pub fn violations(&self) -> Vec<String> {
        self.shared.uploads.violations()
    }
}

impl Drop for StorageServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let respond = |status: StatusCode, body: Vec<u8>| {
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        response
    };
    if parts.method == Method::GET {
        let stored = shared
            .objects
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&path)
            .cloned();
        return match stored {
            Some(body) => respond(StatusCode::OK, body),
            None => respond(StatusCode::NOT_FOUND, Vec::new()),
        };
    }
    let mut violations = Vec::new();
    if parts.method != Method::PUT {
        violations.push(format!(
            "storage: {} {path}: only PUT uploads",
            parts.method
        ));
    }
    let signed = query.as_deref().is_some_and(|query| {
        url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == "signature")
    });
    if !signed {
        violations.push(format!(
            "storage: {path}: the pre-signed URL's query was not sent"
        ));
    }
    if parts.headers.contains_key("authorization") {
        violations.push(format!(
            "storage: {path}: an authorization header was sent to storage"
        ));
    }
    let key_leaked = parts
        .headers
        .values()
        .any(|value| String::from_utf8_lossy(value.as_bytes()).contains(&shared.api_key))
        || query
            .as_deref()
            .is_some_and(|query| query.contains(&shared.api_key));
    if key_leaked {
        violations.push(format!("storage: {path}: the API key was sent to storage"));
    }
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes.to_vec(),
        Err(error) => {
            violations.push(format!("storage: {path}: cannot read the body: {error}"));
            Vec::new()
        }
    };
    let upload = StoredUpload {
        path: path.clone(),
        query,
        body: body.clone(),
    };
    shared.uploads.record(upload, &violations);
    if !violations.is_empty() {
        return respond(StatusCode::BAD_REQUEST, violations.join("\n").into_bytes());
    }
    shared
        .objects
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(path, body);
    respond(StatusCode::OK, Vec::new())
}
