//! The REST mock's answer to one request: the reply chosen (queued, a handler's, the
//! default), its body (given, or the document's example), and the refusal of a wrong key.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use super::openapi::operation::Operation;
use super::record::RecordedRequest;
use super::reply::{MockReply, ReplyBody};
use super::shared::{Handler, Shared};

/// The reply to a valid request and its body (media type and bytes).
pub(super) fn answer(
    shared: &Shared,
    operation: &Operation,
    record: &mut RecordedRequest,
) -> (MockReply, Option<(String, Bytes)>) {
    let mut reply = choose(shared, operation, record);
    if reply.documented_success {
        reply.status = shared.index.success_status(operation);
    }
    let content = match &reply.body {
        ReplyBody::Json(body) => Some(json_content(body)),
        ReplyBody::Raw {
            content_type,
            bytes,
        } => Some((content_type.clone(), bytes.clone())),
        ReplyBody::Empty => None,
        ReplyBody::Example
            if shared
                .index
                .has_no_content(operation, reply.status.as_u16()) =>
        {
            None
        }
        ReplyBody::Example => {
            let status = reply.status.as_u16();
            let invent = shared.replies().invent;
            let found = shared
                .index
                .response_example(operation, status)
                .or_else(|| {
                    invent
                        .then(|| shared.index.made_up_response(operation, status))
                        .flatten()
                });
            match found {
                Some(example) => Some(example_content(&example.media_type, &example.value)),
                None => {
                    let problem = format!(
                        "{}: the schema gives no example for a {} response, so the mock has \
                         nothing to answer",
                        operation.name(),
                        reply.status.as_u16()
                    );
                    record.violations.push(problem.clone());
                    let body = json!({ "errors": [problem] });
                    return (
                        MockReply::json(500, body.clone()),
                        Some(json_content(&body)),
                    );
                }
            }
        }
    };
    (reply, content)
}

/// The answer to a request without the right key: the document's `401`.
pub(super) fn refuse_key(
    shared: &Shared,
    operation: &Operation,
    record: &RecordedRequest,
) -> (MockReply, Option<(String, Bytes)>) {
    match shared.index.response_example(operation, 401) {
        Some(example) => (
            MockReply::example(401),
            Some(example_content(&example.media_type, &example.value)),
        ),
        None => {
            let body = json!({ "errors": record.violations });
            (
                MockReply::json(401, body.clone()),
                Some(json_content(&body)),
            )
        }
    }
}

/// Queued replies first, then the operation's handlers (newest first), then the default.
fn choose(shared: &Shared, operation: &Operation, record: &RecordedRequest) -> MockReply {
    let (once, handlers, sticky) = {
        let mut replies = shared.replies();
        let handlers: Vec<Handler> = replies
            .handlers
            .iter()
            .filter(|(id, _)| {
                operation.operation_id.as_deref() == Some(id.as_str())
                    || record.route.as_deref() == Some(id.as_str())
            })
            .map(|(_, handler)| Arc::clone(handler))
            .collect();
        (replies.once.pop_front(), handlers, replies.sticky.clone())
    };
    // Handlers run without the lock: they may call back into the server.
    once.or_else(|| handlers.iter().find_map(|handler| handler(record)))
        .unwrap_or(sticky)
}

/// `METHOD /path/{template}`.
pub(super) fn route(operation: &Operation) -> String {
    format!("{} {}", operation.method, operation.path)
}

pub(super) fn json_content(body: &Value) -> (String, Bytes) {
    ("application/json".to_owned(), Bytes::from(body.to_string()))
}

/// An example as its media type writes it: JSON as JSON, a string example of another type
/// as its text.
fn example_content(media_type: &str, value: &Value) -> (String, Bytes) {
    match value {
        Value::String(text) if !super::openapi::read::is_json(media_type) => {
            (media_type.to_owned(), Bytes::from(text.clone()))
        }
        _ => json_content(value),
    }
}
