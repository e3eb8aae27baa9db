//! A local server that stands in for an API in tests (cargo feature `mock`), driven by the
//! API's own documents.
//!
//! - [`MockServer`]: the REST operations of an OpenAPI document. Every request is judged
//!   against the document (method and path, parameters, the key, the body with an
//!   independent JSON Schema validator), recorded, and answered with the document's example
//!   or what the test chose ([`MockReply`], [`Fault`]).
//! - [`WsMockServer`]: the WebSocket channels of an AsyncAPI document, whose payloads are
//!   schemas of the OpenAPI one, played from the test's scripts ([`ws::Action`]).
//! - [`ApiMock`]: both on one port, as a generated client expects them.
//! - [`OperationMock`] and [`ChannelMock`]: the typed layer that generated crates build on:
//!   a handler on the decoded request body and a typed reply, or a script on the decoded
//!   client message that answers with typed server messages.
//!
//! Generated crates offer all this as their own `mock` module (their `mock` feature), with a
//! method per operation and per channel.

mod answer;
mod checks;
mod combined;
mod forms;
mod http;
mod made_up;
mod openapi;
mod record;
mod reply;
mod responses;
mod schema;
mod shared;
mod typed;
mod typed_ws;
pub mod ws;
mod ws_script;
mod ws_session;
mod ws_spec;

pub use combined::{ApiMock, MockError};
pub use forms::{Parts, ReceivedPart, parse_multipart};
pub use http::{DEFAULT_RETRY_AFTER, Handler, MockServer};
pub use openapi::operation::{
    BodyContent, Operation, Parameter, ParameterLocation, RequestBody, ResponseExample,
    SecurityScheme,
};
pub use openapi::read::{is_json, resolve};
pub use openapi::{Lookup, OpenApiIndex};
pub use record::{Journal, RecordedRequest};
pub use reply::{Fault, MockReply};
pub use schema::{
    SchemaError, SchemaValidator, convert_schema, escape_token, file_uri, openapi_to_json_schema,
};
pub use typed::{MockBody, MockRequest, OperationMock, Reply, ResponseEncoding};
pub use typed_ws::{
    ChannelMock, ClientMessage, MockTurn, ServerMessage, Step, decode_json, send_json,
};
pub use ws::{WsMockError, WsMockServer};
