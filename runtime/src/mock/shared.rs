//! The REST mock's state, shared by its server and the answering of requests: the document,
//! the key, the journal and the replies the test chose.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use super::openapi::OpenApiIndex;
use super::record::{Journal, RecordedRequest};
use super::reply::MockReply;
use super::schema::SchemaValidator;

/// Chooses the reply to one valid request of an operation, or passes (`None`) to the next
/// handler.
pub type Handler = Arc<dyn Fn(&RecordedRequest) -> Option<MockReply> + Send + Sync>;

pub(super) struct Shared {
    pub(super) validator: Arc<SchemaValidator>,
    pub(super) index: OpenApiIndex,
    pub(super) api_key: String,
    pub(super) journal: Journal<RecordedRequest>,
    pub(super) replies: Mutex<Replies>,
}

pub(super) struct Replies {
    pub(super) sticky: MockReply,
    pub(super) once: VecDeque<MockReply>,
    /// Handlers for one operation (by operation id or route), newest first, asked when
    /// `once` is empty.
    pub(super) handlers: Vec<(String, Handler)>,
    pub(super) retry_after: u64,
    pub(super) headers: Vec<(String, String)>,
    /// Whether a response without an example is made from its schema.
    pub(super) invent: bool,
}

impl Shared {
    pub(super) fn replies(&self) -> std::sync::MutexGuard<'_, Replies> {
        self.replies.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
