//! The parts of an OpenAPI document that are read whole. Paths, operations' parts and
//! schemas are read one by one from where they stand, so that one that cannot be read is
//! reported there, and what the client never uses (callbacks, links, webhooks) is not read.

use indexmap::IndexMap;
use openapiv3::{
    Info, ReferenceOr, RequestBody, Responses, SecurityRequirement, SecurityScheme, Server, Tag,
};
use serde::Deserialize;
use serde::de::IgnoredAny;

#[derive(Deserialize)]
pub struct Document {
    pub info: Info,
    #[serde(default)]
    pub servers: Vec<Server>,
    /// Absent in a 3.1 document that only describes webhooks.
    #[serde(default)]
    pub paths: IndexMap<String, IgnoredAny>,
    pub components: Option<Components>,
    pub security: Option<Vec<SecurityRequirement>>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Components {
    #[serde(default)]
    pub security_schemes: IndexMap<String, ReferenceOr<SecurityScheme>>,
    #[serde(default)]
    pub schemas: IndexMap<String, IgnoredAny>,
}

/// An operation without its callbacks: openapiv3 cannot read a callback given by `$ref`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub operation_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub security: Option<Vec<SecurityRequirement>>,
    pub request_body: Option<ReferenceOr<RequestBody>>,
    #[serde(default)]
    pub responses: Responses,
}
