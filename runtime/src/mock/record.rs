//! What a mock server saw: the requests (or messages) it received and every check that failed.
//! Shared by the HTTP server and, later, the WebSocket one.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

/// One HTTP request as the mock server received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// Upper case, e.g. `POST`.
    pub method: String,
    /// The path, as sent (still percent-encoded), without the query.
    pub path: String,
    /// The query pairs, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers in order, names in lower case (values that are not UTF-8 are converted
    /// lossily).
    pub headers: Vec<(String, String)>,
    /// The body as received.
    pub body: Vec<u8>,
    /// The body as its schema reads it: a JSON body as sent, a form or multipart body as a
    /// JSON instance of the body's schema (members read as their types say); `None` without a
    /// body, or for one that could not be read.
    pub body_value: Option<serde_json::Value>,
    /// The operation the method and path matched, if any.
    pub operation_id: Option<String>,
    /// The matched operation's method and path template (`POST /pets/{id}`), which names it
    /// also when it has no id.
    pub route: Option<String>,
    /// The checks this request failed (also in the server's `violations()`).
    pub violations: Vec<String>,
    /// The status the mock answered with.
    pub status: u16,
}

impl RecordedRequest {
    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A thread-safe log of received items and of violations.
#[derive(Debug)]
pub struct Journal<T> {
    inner: Arc<Mutex<JournalInner<T>>>,
}

#[derive(Debug)]
struct JournalInner<T> {
    items: Vec<T>,
    violations: Vec<String>,
}

impl<T> Clone for Journal<T> {
    fn clone(&self) -> Self {
        Journal {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> Default for Journal<T> {
    fn default() -> Self {
        Journal {
            inner: Arc::new(Mutex::new(JournalInner {
                items: Vec::new(),
                violations: Vec::new(),
            })),
        }
    }
}

impl<T: Clone> Journal<T> {
    /// Records one item and the violations found while judging it.
    pub fn record(&self, item: T, violations: &[String]) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.items.push(item);
        inner.violations.extend_from_slice(violations);
    }

    /// Records a violation that belongs to no single item.
    pub fn violation(&self, violation: String) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.violations.push(violation);
    }

    /// Every item recorded so far.
    pub fn items(&self) -> Vec<T> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.items.clone()
    }

    /// Every violation recorded so far.
    pub fn violations(&self) -> Vec<String> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.violations.clone()
    }

    /// Forgets everything recorded so far.
    pub fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.items.clear();
        inner.violations.clear();
    }
}
