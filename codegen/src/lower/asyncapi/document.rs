//! The parts of an AsyncAPI 3 document read as typed values; schemas and everything else
//! are read from their locations.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub(super) struct Doc {
    pub(super) asyncapi: String,
    pub(super) info: Info,
    #[serde(default, rename = "defaultContentType")]
    pub(super) default_content_type: Option<String>,
    #[serde(default)]
    pub(super) servers: IndexMap<String, Value>,
    #[serde(default)]
    pub(super) channels: IndexMap<String, Value>,
    #[serde(default)]
    pub(super) operations: IndexMap<String, Value>,
}

#[derive(Deserialize)]
pub(super) struct Info {
    pub(super) title: String,
    pub(super) version: String,
    pub(super) description: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RawServer {
    pub(super) host: String,
    pub(super) protocol: String,
    pub(super) pathname: Option<String>,
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) security: Vec<Value>,
}

#[derive(Deserialize)]
pub(super) struct RawChannel {
    pub(super) address: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Action {
    Send,
    Receive,
}

#[derive(Deserialize)]
pub(super) struct RawOperation {
    pub(super) action: Action,
    #[serde(default)]
    pub(super) messages: Vec<Value>,
    pub(super) reply: Option<RawReply>,
}

#[derive(Deserialize)]
pub(super) struct RawReply {
    #[serde(default)]
    pub(super) messages: Vec<Value>,
}

#[derive(Deserialize)]
pub(super) struct RawMessage {
    pub(super) name: Option<String>,
    #[serde(rename = "contentType")]
    pub(super) content_type: Option<String>,
    #[serde(rename = "x-stream-role")]
    pub(super) stream_role: Option<String>,
    #[serde(rename = "x-stream-end-flag")]
    pub(super) stream_end_flag: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RawScheme {
    #[serde(rename = "type")]
    pub(super) kind: String,
    pub(super) name: Option<String>,
    #[serde(rename = "in")]
    pub(super) location: Option<String>,
    pub(super) scheme: Option<String>,
}
