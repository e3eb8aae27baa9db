//! The local servers that stand in for the Autessa API in the project's tests.
//!
//! The engine is `autessa_runtime::mock` (the runtime's `mock` feature, which generated
//! crates offer as their own typed `mock` module); this module re-exports it and adds what
//! only the Autessa tests need:
//!
//! - [`start_rest`] and [`start_ws`]: the REST and WebSocket mocks loaded from the YAML
//!   documents in `schema/`, set up as the Autessa server behaves (the four rate-limit
//!   headers on every response; a `ConnectionStatus` with the connection number first on
//!   every WebSocket connection); [`load_validator`] reads a YAML document.
//! - [`ws`]: the engine's WebSocket types and builders of Autessa's messages.
//! - [`storage::StorageServer`]: the storage that pre-signed upload URLs point at;
//!   [`forms::FormServer`]: a server that parses multipart and urlencoded bodies as a web
//!   framework does.
//!
//! ```no_run
//! # async fn demo() {
//! let server = autessa_tests::mock::start_rest("../schema/openapi.yaml".as_ref(), "test-key").await;
//! // ... point a client at server.base_url() ...
//! assert_eq!(server.violations(), Vec::<String>::new());
//! # }
//! ```

pub mod forms;
pub mod storage;
pub mod ws;

use std::path::Path;
use std::sync::Arc;

pub use autessa_runtime::mock::{
    ApiMock, BodyContent, DEFAULT_RETRY_AFTER, Fault, Journal, Lookup, MockReply, MockServer,
    OpenApiIndex, Operation, Parameter, ParameterLocation, RecordedRequest, RequestBody,
    ResponseExample, SchemaError, SchemaValidator, SecurityScheme, convert_schema, escape_token,
    is_json, openapi_to_json_schema, resolve,
};
use serde_json::Value;

/// The rate-limit headers sent with every response, as the Autessa API does.
pub const RATE_LIMIT_HEADERS: [(&str, u32); 4] = [
    ("X-RateLimit-Limit-Minute", 60),
    ("X-RateLimit-Remaining-Minute", 59),
    ("X-RateLimit-Limit-Day", 1000),
    ("X-RateLimit-Remaining-Day", 999),
];

/// Reads a YAML or JSON document.
///
/// # Errors
///
/// When the file cannot be read or is not YAML.
pub fn read_document(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|error| format!("{} is not YAML: {error}", path.display()))
}

/// Loads an OpenAPI 3.0 document (YAML or JSON) into a validator, named by its `file://` URI.
///
/// # Errors
///
/// When the file cannot be read, is not YAML, or is not a schema resource.
pub fn load_validator(path: &Path) -> Result<SchemaValidator, String> {
    let document = read_document(path)?;
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    SchemaValidator::from_openapi(document, &autessa_runtime::mock::file_uri(&absolute))
        .map_err(|error| error.to_string())
}

/// The REST mock of the OpenAPI document at `openapi_yaml`, expecting `api_key`, with the
/// Autessa rate-limit headers on every response.
///
/// # Panics
///
/// If the document cannot be loaded or no local port can be bound (this is a test helper).
pub async fn start_rest(openapi_yaml: &Path, api_key: &str) -> MockServer {
    let validator =
        load_validator(openapi_yaml).unwrap_or_else(|error| panic!("mock server: {error}"));
    let server = MockServer::start_with_validator(Arc::new(validator), api_key).await;
    send_rate_limit_headers(&server);
    server
}

/// Makes `server` send [`RATE_LIMIT_HEADERS`] with every response.
pub fn send_rate_limit_headers(server: &MockServer) {
    let headers: Vec<(&str, String)> = RATE_LIMIT_HEADERS
        .iter()
        .map(|(name, value)| (*name, value.to_string()))
        .collect();
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    server.set_default_headers(&headers);
}

/// The WebSocket mock of `asyncapi.yaml` and `openapi.yaml` in `schema_dir`, expecting
/// `api_key`, greeting every connection with `ConnectionStatus` `conn-<number>`.
///
/// # Panics
///
/// If the documents cannot be loaded or no local port can be bound.
pub async fn start_ws(schema_dir: &Path, api_key: &str) -> ws::WsMockServer {
    let openapi = load_validator(&schema_dir.join("openapi.yaml"))
        .unwrap_or_else(|error| panic!("ws mock: {error}"));
    let asyncapi = read_document(&schema_dir.join("asyncapi.yaml"))
        .unwrap_or_else(|error| panic!("ws mock: {error}"));
    let server = ws::WsMockServer::start_with(&openapi, &asyncapi, api_key)
        .await
        .unwrap_or_else(|error| panic!("ws mock: {error}"));
    greet_with_connection_status(&server);
    server
}

/// Makes `server` greet every connection with `ConnectionStatus` `conn-<number>`, as the
/// Autessa server does.
pub fn greet_with_connection_status(server: &ws::WsMockServer) {
    server.greeting(|connected| {
        let status = ws::connection_status(&format!("conn-{}", connected.connection));
        vec![ws::Action::Send(status)]
    });
}
