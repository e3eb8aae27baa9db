//! What an operation's responses declare: the example the mock answers with, and the
//! headers it sends with it.

use axum::http::StatusCode;
use serde_json::Value;

use super::made_up::made_up;
use super::openapi::OpenApiIndex;
use super::openapi::operation::{Operation, ResponseExample};
use super::openapi::read::{is_json, resolve};

impl OpenApiIndex {
    /// The example of the operation's response for `status`: the response keyed by the exact
    /// status, else by its range (`4XX`), else `default`. Within it, the JSON media type's
    /// `example`, else its first `examples` entry, else the schema's own `example`.
    pub fn response_example(&self, operation: &Operation, status: u16) -> Option<ResponseExample> {
        let (key, response) = self.response(operation, status)?;
        let Value::Object(content) = response.get("content")? else {
            return None;
        };
        let (media_type, media) = content
            .iter()
            .find(|(media_type, _)| is_json(media_type))
            .or_else(|| content.iter().next())?;
        let value = media
            .get("example")
            .cloned()
            .or_else(|| {
                let Value::Object(examples) = media.get("examples")? else {
                    return None;
                };
                let (_, first) = examples.iter().next()?;
                let (example, _) = resolve(&self.document, first, "");
                example.get("value").cloned()
            })
            .or_else(|| {
                let (schema, _) = resolve(&self.document, media.get("schema")?, "");
                schema.get("example").cloned()
            })?;
        Some(ResponseExample {
            response_key: key,
            media_type: media_type.clone(),
            value,
        })
    }

    /// The status of the operation's documented success: its first `2XX` response (`200`
    /// for a `2XX` range or none).
    pub fn success_status(&self, operation: &Operation) -> StatusCode {
        let responses = self
            .document
            .pointer(operation.pointer.trim_start_matches('#'))
            .and_then(|operation| operation.get("responses"))
            .and_then(Value::as_object);
        responses
            .into_iter()
            .flat_map(|responses| responses.keys())
            .filter_map(|key| key.parse::<u16>().ok())
            .filter(|status| (200..300).contains(status))
            .min()
            .and_then(|status| StatusCode::from_u16(status).ok())
            .unwrap_or(StatusCode::OK)
    }

    /// Whether the document declares the operation's response for `status` without a body
    /// (no `content`, or `204`/`205`/`304`, which never have one).
    pub fn has_no_content(&self, operation: &Operation, status: u16) -> bool {
        if matches!(status, 204 | 205 | 304) {
            return true;
        }
        self.response(operation, status)
            .is_some_and(|(_, response)| {
                response
                    .get("content")
                    .and_then(Value::as_object)
                    .is_none_or(|content| content.is_empty())
            })
    }

    /// The response the document declares for `status` (else its range, else `default`),
    /// with its key.
    fn response(&self, operation: &Operation, status: u16) -> Option<(String, &Value)> {
        let responses = self
            .document
            .pointer(operation.pointer.trim_start_matches('#'))?
            .get("responses")?;
        let range = format!("{}XX", status / 100);
        let key = [status.to_string(), range, "default".to_owned()]
            .into_iter()
            .find(|key| responses.get(key).is_some())?;
        let (response, _) = resolve(&self.document, responses.get(&key)?, "");
        Some((key, response))
    }

    /// The headers the response for `status` declares with an example, as text.
    pub fn response_headers(&self, operation: &Operation, status: u16) -> Vec<(String, String)> {
        let Some((_, response)) = self.response(operation, status) else {
            return Vec::new();
        };
        let Some(Value::Object(headers)) = response.get("headers") else {
            return Vec::new();
        };
        headers
            .iter()
            .filter_map(|(name, header)| {
                let (header, _) = resolve(&self.document, header, "");
                let example = header.get("example").or_else(|| {
                    let (schema, _) = resolve(&self.document, header.get("schema")?, "");
                    schema.get("example")
                })?;
                let text = match example {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                Some((name.clone(), text))
            })
            .collect()
    }

    /// A value made from the schema of the operation's response for `status` (its JSON
    /// media type first), for a response the document gives no example of.
    pub fn made_up_response(&self, operation: &Operation, status: u16) -> Option<ResponseExample> {
        let (key, response) = self.response(operation, status)?;
        let Value::Object(content) = response.get("content")? else {
            return None;
        };
        let (media_type, media) = content
            .iter()
            .find(|(media_type, _)| is_json(media_type))
            .or_else(|| content.iter().next())?;
        let value = made_up(&self.document, media.get("schema")?);
        Some(ResponseExample {
            response_key: key,
            media_type: media_type.clone(),
            value,
        })
    }
}
