//! REST operations: parameters, request bodies and responses.

use serde_json::Value;

use super::docs::Docs;
use super::types::{Constraints, TypeRef};
use crate::diag::Location;

/// A REST operation.
#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    pub name: String,
    /// The type of a call being built (`PascalCase`, unique among operations and apart from
    /// the names the client module uses): the method returns it, optional parameters are
    /// set on it, and it is awaited or sent.
    pub call: String,
    /// Upper case: `GET`, `POST`, ...
    pub method: String,
    pub path: String,
    pub docs: Docs,
    pub tags: Vec<String>,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    /// The struct the headers of the success responses are read into, when they document
    /// any.
    pub success_headers: Option<SuccessHeaders>,
    /// `x-idempotent`: whether the operation may be retried after it reached the server.
    /// `None` means the method decides (GET, HEAD, PUT, DELETE, OPTIONS are idempotent).
    pub idempotent: Option<bool>,
    /// Whether the request carries credentials.
    pub authenticated: bool,
    /// When this operation hands out a pre-signed upload URL (`x-upload`).
    pub upload: Option<UploadFlow>,
    /// `x-stream-body: true`: the name of a second method that returns the success body as
    /// a stream of raw chunks (for large results), next to the decoding one.
    pub stream_name: Option<String>,
    pub origin: Location,
}

/// A pre-signed upload in three steps, described by `x-upload` on the first operation:
/// it returns a URL and a ticket; the bytes are `PUT` to the URL (without credentials); the
/// `then` operation receives the ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadFlow {
    /// The snake-case name of the one-call method.
    pub name: String,
    /// The response member holding the URL.
    pub url: String,
    /// The response member handed to `then`, and the `then` request member receiving it.
    pub ticket: String,
    /// Index into `Api::operations` of the operation that finishes the upload.
    pub then: usize,
}

impl Operation {
    /// The parameters in the order a generated method takes them: required ones first,
    /// each group in document order.
    pub fn params_in_call_order(&self) -> Vec<&Param> {
        let (mut required, optional): (Vec<&Param>, Vec<&Param>) =
            self.params.iter().partition(|p| p.required);
        required.extend(optional);
        required
    }

    pub fn is_idempotent(&self) -> bool {
        self.idempotent.unwrap_or(matches!(
            self.method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
        ))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub wire: String,
    pub name: String,
    pub location: ParamLocation,
    /// The Rust name of the body member this parameter's value is taken from
    /// (`x-param-from-body`), so that the caller names it once; `None` for parameters the
    /// caller gives.
    pub from_body: Option<String>,
    pub ty: TypeRef,
    pub required: bool,
    pub docs: Docs,
    /// The schema's `default`: what the server assumes when the parameter is left out.
    pub default: Option<Value>,
    /// How a query parameter's value is spread over fields (OpenAPI's `style` and
    /// `explode`), when not the default `form` exploded.
    pub style: Option<FormStyle>,
    /// The limits the schema puts on the parameter's values.
    pub constraints: Constraints,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data` with an object schema: the body type is a struct marked
    /// [`Struct::multipart`](super::types::Struct::multipart), each member sent as parts.
    Multipart,
    /// Raw bytes with the given media type.
    Binary,
    /// Text with the given media type.
    Text,
}

#[derive(Clone, Debug)]
pub struct Body {
    pub media_type: String,
    pub kind: BodyKind,
    pub ty: TypeRef,
    pub required: bool,
    pub docs: Docs,
    /// For form and multipart bodies: how members are written (OpenAPI's `encoding` map), in
    /// document order.
    pub encoding: Vec<Encoding>,
}

impl Body {
    /// How the member `wire` is written, when the document says.
    pub fn encoding_of(&self, wire: &str) -> Option<&Encoding> {
        self.encoding.iter().find(|e| e.member == wire)
    }
}

/// How one member of a form or multipart body is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoding {
    /// The member's wire name.
    pub member: String,
    /// The part's media type (`contentType`, or for a file a 3.1 `contentMediaType`): one
    /// type, a wildcard such as `image/*`, or a comma-separated list.
    pub content_type: Option<String>,
    /// `style` and `explode`, when either is given.
    pub style: Option<FormStyle>,
}

/// OpenAPI's `style` and `explode` for a form member or a query parameter, as the
/// combinations that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormStyle {
    /// `form` exploded (the default): repeated fields, object members as fields.
    Exploded,
    /// `form`, `explode: false`: comma-separated.
    Comma,
    /// `spaceDelimited`, `explode: false`.
    Space,
    /// `pipeDelimited`, `explode: false`.
    Pipe,
    /// `deepObject`: `name[member]` fields.
    DeepObject,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Code(u16),
    /// `2XX` and the like: the first digit.
    Range(u16),
    Default,
}

impl Status {
    pub fn is_success(self) -> bool {
        match self {
            Status::Code(c) => (200..300).contains(&c),
            Status::Range(r) => r == 2,
            Status::Default => false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Response {
    pub status: Status,
    pub docs: Docs,
    pub body: Option<Body>,
    pub headers: Vec<Header>,
}

/// Where an operation's documented success headers are read into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuccessHeaders {
    /// Index into [`Api::header_sets`](super::Api::header_sets).
    pub set: usize,
    /// The operation's own, stable name for it (`<Call>Headers`): the set's struct when the
    /// set is named after it, else an alias of that struct.
    pub name: String,
}

/// The headers that the success responses of one or more operations document, read into one
/// struct: operations whose success headers are the same share it.
#[derive(Clone, Debug)]
pub struct HeaderSet {
    /// The struct's name, in the type namespace.
    pub name: String,
    /// Each header once (the first of those whose names differ only in case), as a member.
    pub headers: Vec<Header>,
    /// The `operationId`s of the operations that return it, in document order.
    pub operations: Vec<String>,
}

/// Where the server reports its request budget (`x-rate-limit`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quota {
    /// The header counting the requests left, in lower case.
    pub remaining: String,
    /// The header with the size of the budget, in lower case.
    pub limit: Option<String>,
    /// How long a spent budget takes to come back, in seconds.
    pub window_seconds: u64,
}

#[derive(Clone, Debug)]
pub struct Header {
    pub wire: String,
    pub name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub docs: Docs,
}
