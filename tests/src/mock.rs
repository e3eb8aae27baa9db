//! A local HTTP server that stands in for the Autessa REST API, and the schema validator it
//! judges requests with.
//!
//! - [`SchemaValidator`]: loads an OpenAPI 3.0 document once, converts its schema objects to
//!   JSON Schema 2020-12 and validates any JSON value against any location in it
//!   (`#/components/schemas/X`, a request body, a response). Independent of the generator: it
//!   reads the YAML itself and validates with the `jsonschema` crate.
//! - [`OpenApiIndex`]: the document's operations (method, path, parameters, body, security,
//!   response examples), with component `$ref`s followed.
//! - [`MockServer`]: an axum server on `127.0.0.1` that checks every request against the
//!   document, records it, and answers with the document's examples.
//! - [`Journal`] and [`RecordedRequest`]: what a server saw and which checks failed.
//! - [`ws::WsMockServer`]: the WebSocket channels; [`storage::StorageServer`]: the storage
//!   that pre-signed upload URLs point at; [`forms::FormServer`]: a server that parses
//!   multipart and urlencoded bodies as a web framework does.
//!
//! ```no_run
//! # async fn demo() {
//! use autessa_tests::mock::MockServer;
//! let server = MockServer::start("../schema/openapi.yaml".as_ref(), "test-key").await;
//! // ... point a client at server.base_url() ...
//! assert_eq!(server.violations(), Vec::<String>::new());
//! # }
//! ```

pub mod forms;
mod http;
mod openapi;
mod record;
mod schema;
pub mod storage;
pub mod ws;

pub use http::{DEFAULT_RETRY_AFTER, MockServer, RATE_LIMIT_HEADERS};
pub use openapi::{
    BodyContent, Lookup, OpenApiIndex, Operation, Parameter, ParameterLocation, RequestBody,
    ResponseExample, SecurityScheme, is_json, resolve,
};
pub use record::{Journal, RecordedRequest};
pub use schema::{
    SchemaError, SchemaValidator, convert_schema, escape_token, openapi_to_json_schema,
};
