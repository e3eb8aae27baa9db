//! An operation as the mock judges requests against it: its parameters, request body,
//! security requirements and response examples.

use serde_json::Value;

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterLocation {
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A segment of the path.
    Path,
    /// A cookie.
    Cookie,
}

impl ParameterLocation {
    pub(super) fn parse(text: &str) -> Option<Self> {
        match text {
            "query" => Some(ParameterLocation::Query),
            "header" => Some(ParameterLocation::Header),
            "path" => Some(ParameterLocation::Path),
            "cookie" => Some(ParameterLocation::Cookie),
            _ => None,
        }
    }

    /// The word the OpenAPI document uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Path => "path",
            ParameterLocation::Cookie => "cookie",
        }
    }
}

/// A declared parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// The name on the wire.
    pub name: String,
    /// Where it travels.
    pub location: ParameterLocation,
    /// Whether it must be sent.
    pub required: bool,
    /// JSON pointer (with `#`) of its schema, if it has one.
    pub schema_pointer: Option<String>,
    /// The JSON type of the schema (`integer`, `string`, ...), following `$ref`s; used to read
    /// the parameter's text as a JSON value before validation.
    pub json_type: Option<String>,
    /// `style: deepObject`: sent as `name[member]=value` fields.
    pub deep_object: bool,
}

/// A declared request body media type.
#[derive(Clone, Debug)]
pub struct BodyContent {
    /// The media type, e.g. `application/json`.
    pub media_type: String,
    /// JSON pointer (with `#`) of the media type's schema.
    pub schema_pointer: Option<String>,
}

/// A declared request body.
#[derive(Clone, Debug)]
pub struct RequestBody {
    /// Whether a body must be sent.
    pub required: bool,
    /// The media types it may be sent in.
    pub content: Vec<BodyContent>,
}

/// How one security scheme carries the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityScheme {
    /// `type: apiKey`: the raw key in a header, query parameter or cookie.
    ApiKey {
        /// The scheme's name in the document.
        scheme: String,
        /// Where the key travels.
        location: ParameterLocation,
        /// The header, query parameter or cookie name.
        name: String,
    },
    /// `type: http, scheme: bearer`: `Authorization: Bearer <key>`.
    Bearer {
        /// The scheme's name in the document.
        scheme: String,
    },
    /// Anything else (not checked).
    Other {
        /// The scheme's name in the document.
        scheme: String,
    },
}

/// One operation of the document.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Upper case, e.g. `POST`.
    pub method: String,
    /// The path template, e.g. `/clients/agents/execute`.
    pub path: String,
    /// The operation id, if the document gives one.
    pub operation_id: Option<String>,
    /// JSON pointer (with `#`) of the operation object.
    pub pointer: String,
    /// Path-level and operation-level parameters merged (the operation's win).
    pub parameters: Vec<Parameter>,
    /// The declared request body.
    pub request_body: Option<RequestBody>,
    /// Alternatives: the request must satisfy every scheme of at least one of them. Empty when
    /// the operation needs no authentication.
    pub security: Vec<Vec<SecurityScheme>>,
}

impl Operation {
    /// The operation id, or `METHOD path` when there is none.
    pub fn name(&self) -> String {
        match &self.operation_id {
            Some(id) => id.clone(),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

/// A response example found in the document.
#[derive(Clone, Debug)]
pub struct ResponseExample {
    /// The key of the response it came from: `200`, `4XX`, `default`, ...
    pub response_key: String,
    /// The media type of the example.
    pub media_type: String,
    /// The example.
    pub value: Value,
}
