//! The intermediate representation: one model of an API, whichever document it came
//! from. Lowering builds it; every back-end reads only this.
//!
//! Names here are already case-converted and unique in their scope (type names in
//! `PascalCase`, members in `snake_case`), ASCII, and never start with a digit; a back-end
//! only has to escape its own keywords.

use serde_json::Value;

use crate::diag::{Diagnostic, Location};

/// A whole API: types, REST operations and message channels.
#[derive(Clone, Debug, Default)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    pub security: Vec<SecurityScheme>,
    pub tags: Vec<Tag>,
    /// Indexed by [`TypeId`]; a back-end should emit them in [`Api::types_by_name`] order.
    pub types: Vec<TypeDef>,
    pub operations: Vec<Operation>,
    pub channels: Vec<Channel>,
    /// Problems that did not stop generation (unsupported constructs given a fallback).
    pub warnings: Vec<Diagnostic>,
}

impl Api {
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// Type ids sorted by name, the order in which output is written.
    pub fn types_by_name(&self) -> Vec<TypeId> {
        let mut ids: Vec<TypeId> = (0..self.types.len()).map(TypeId).collect();
        ids.sort_by(|a, b| self.ty(*a).name.cmp(&self.ty(*b).name));
        ids
    }
}

#[derive(Clone, Debug)]
pub struct Server {
    pub url: String,
    pub description: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Tag {
    pub name: String,
    pub description: Option<String>,
}

/// How a client proves who it is.
#[derive(Clone, Debug)]
pub struct SecurityScheme {
    /// The scheme's key in the document.
    pub key: String,
    pub kind: AuthKind,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthKind {
    /// A key sent verbatim in a header, query parameter or cookie.
    ApiKey {
        location: ParamLocation,
        name: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic ...`.
    Basic,
    /// OAuth 2, OpenID Connect, mutual TLS: described, not implemented by the client.
    Other(String),
}

/// Human-facing text attached to an item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Docs {
    pub summary: Option<String>,
    pub description: Option<String>,
    /// Notes raised by flagged vendor extensions (for example "not confirmed").
    pub flags: Vec<String>,
    pub deprecated: bool,
    pub example: Option<Value>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A named type.
#[derive(Clone, Debug)]
pub struct TypeDef {
    pub name: String,
    pub docs: Docs,
    pub kind: TypeKind,
    /// Where the schema was written.
    pub origin: Location,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    Struct(Struct),
    Enum(Enum),
    Union(Union),
    /// A name for another type (`type Ids = Vec<i64>`).
    Alias(TypeRef),
}

#[derive(Clone, Debug, Default)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// Typed extra members (`additionalProperties` beside `properties`).
    pub extra: Option<TypeRef>,
    /// The body of `multipart/form-data` requests only: built by the caller and sent as
    /// parts, never serialized whole; its binary members ([`Field::files`]) hold files.
    pub multipart: bool,
}

/// What `ty` stands for once aliases are followed (`defs` are an API's types, indexed by
/// [`TypeId`]); the bound only guards against an alias cycle.
pub fn resolve<'a>(defs: &'a [TypeDef], mut ty: &'a TypeRef) -> &'a TypeRef {
    for _ in 0..=defs.len() {
        match ty {
            TypeRef::Named(id) => match &defs[id.0].kind {
                TypeKind::Alias(target) => ty = target,
                _ => break,
            },
            _ => break,
        }
    }
    ty
}

/// The members of the object `ty` names (through aliases); `None` for anything else.
pub fn fields_of<'a>(defs: &'a [TypeDef], ty: &'a TypeRef) -> Option<&'a [Field]> {
    match resolve(defs, ty) {
        TypeRef::Named(id) => match &defs[id.0].kind {
            TypeKind::Struct(s) => Some(&s.fields),
            _ => None,
        },
        _ => None,
    }
}

/// How a member of a multipart body holds files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Files {
    /// One file part (`format: binary`).
    One,
    /// One file part per item (an array of binary strings).
    Many,
}

impl Field {
    /// Whether the member is a file, or a list of files, in a multipart body.
    pub fn files(&self) -> Option<Files> {
        let binary = |t: &TypeRef| {
            matches!(t, TypeRef::Primitive(Primitive::Binary))
                || matches!(t, TypeRef::Nullable(inner) if **inner == TypeRef::Primitive(Primitive::Binary))
        };
        match &self.ty {
            t if binary(t) => Some(Files::One),
            TypeRef::Array(item) if binary(item) => Some(Files::Many),
            _ => None,
        }
    }

    /// How many `Option`s wrap the member's type in Rust: none when required, one when
    /// optional or nullable, two when both (absent and `null` kept apart).
    pub fn option_layers(&self) -> usize {
        match (self.required, self.nullable) {
            (true, false) => 0,
            (false, true) => 2,
            _ => 1,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub wire: String,
    pub name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub docs: Docs,
    pub default: Option<Value>,
    /// Set when the field closes a cycle of directly contained types.
    pub boxed: bool,
    /// A member of an `allOf` that could not be merged, flattened into this struct.
    pub flatten: bool,
    /// Whether the empty value of the type (`0`, `""`, `[]`) meets the schema's constraints
    /// (`minItems`, `minLength`, `minimum`, `pattern`, formats such as `uri`).
    pub empty_is_valid: bool,
    /// The limits the schema puts on the member's values.
    pub constraints: Constraints,
    /// `readOnly`: the server sends it, a request never carries it (OpenAPI: "SHOULD NOT be
    /// sent as part of the request"; required only in responses).
    pub read_only: bool,
    /// A secret (`format: password`, or `x-sensitive: true`): `Debug` shows that it is set,
    /// never its value.
    pub sensitive: bool,
}

/// JSON Schema's validation keywords on a value: what a server may refuse although the
/// type fits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// The lower bound and whether it is exclusive.
    pub minimum: Option<(f64, bool)>,
    /// The upper bound and whether it is exclusive.
    pub maximum: Option<(f64, bool)>,
    /// The `format` of a string the IR keeps as text (`email`, `hostname`, `ipv4`, ...).
    pub format: Option<String>,
    /// The limits on an array's items, when it has any.
    pub items: Option<Box<Constraints>>,
}

/// A closed set of string values, plus a fallback for values added later.
#[derive(Clone, Debug)]
pub struct Enum {
    pub values: Vec<EnumValue>,
    /// Name of the catch-all variant holding values this client does not know.
    pub fallback: String,
    /// Index into `values` of the schema's default.
    pub default: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct EnumValue {
    pub wire: String,
    pub name: String,
    /// What the value means, when the description says.
    pub description: Option<String>,
}

/// One of several shapes.
#[derive(Clone, Debug)]
pub struct Union {
    pub variants: Vec<Variant>,
    /// Name of the catch-all variant holding shapes this client does not know.
    pub fallback: String,
    /// The property whose value says which variant a value is, when every variant is a
    /// struct that carries it.
    pub discriminator: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    pub ty: TypeRef,
    /// The discriminator value selecting this variant.
    pub tag: Option<String>,
    pub docs: Docs,
    /// Set when the variant closes a cycle of directly contained types.
    pub boxed: bool,
}

/// A use of a type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeRef {
    Named(TypeId),
    Primitive(Primitive),
    Array(Box<TypeRef>),
    /// A JSON object used as a map from string keys.
    Map(Box<TypeRef>),
    /// A value that may be `null`.
    Nullable(Box<TypeRef>),
    /// Any JSON value.
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Primitive {
    String,
    Boolean,
    I32,
    I64,
    U64,
    F32,
    F64,
    /// RFC 3339 `date-time`.
    DateTime,
    /// RFC 3339 `full-date`.
    Date,
    Uuid,
    /// `format: byte`: base64 text carrying bytes.
    Base64,
    /// `format: binary`: raw bytes (a body, not a JSON member).
    Binary,
    /// `format: uri`: kept as text.
    Uri,
}

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
    /// [`Struct::multipart`], each member sent as parts.
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

#[derive(Clone, Debug)]
pub struct Header {
    pub wire: String,
    pub name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub docs: Docs,
}

/// A message connection (a WebSocket endpoint): every channel of the document at one
/// address, seen from the client.
#[derive(Clone, Debug)]
pub struct Channel {
    /// The channel's key in the document (the first one, when several share the address).
    pub id: String,
    pub name: String,
    pub address: String,
    pub docs: Docs,
    /// Query parameters of the connection URL.
    pub params: Vec<Param>,
    /// How the connection carries the key.
    pub auth: Option<AuthKind>,
    /// What the client sends.
    pub outgoing: Vec<Message>,
    /// What the client receives.
    pub incoming: Vec<Message>,
    /// Index into `incoming` of the message the server sends first on every connection
    /// (`x-initial-message`), which connecting waits for.
    pub initial: Option<usize>,
    /// The client's methods that open a connection (`connect_<name>`, and with settings),
    /// named beside the operations' methods so that none clashes.
    pub connect: String,
    pub connect_with: String,
    /// The mock's method scripting the channel (`on_<name>`), clear of the operations'
    /// `on_<operation>`.
    pub mock_method: String,
    pub origin: Location,
}

#[derive(Clone, Debug)]
pub struct Message {
    pub id: String,
    pub name: String,
    /// The snake-case stem of the connection's methods for the message (`send_<stem>`,
    /// `request_<stem>`, and `<stem>` for the message the server sends first), unique on
    /// its connection and clear of the connection's own methods.
    pub method: String,
    pub docs: Docs,
    pub content_type: String,
    pub kind: MessageKind,
    /// For JSON: the payload type; for binary frames, `Primitive::Binary`.
    pub payload: TypeRef,
    /// How an incoming message is told apart from the others on its connection.
    pub matcher: Option<Matcher>,
    /// The message's part in a streamed reply (`x-stream-role`).
    pub role: Option<StreamRole>,
    /// For a `chunk`: the wire names of the members leading from the payload to a boolean
    /// that is `true` on the last chunk of a reply (`x-stream-end-flag`, a JSON pointer);
    /// empty when chunks never end a reply. Checked in lowering: each step is a member of a
    /// struct and the last is a boolean.
    pub end_flag: Vec<String>,
    /// For an outgoing message: the payload members that repeat a connection parameter
    /// (`x-param-from-body`). The client refuses to send a message whose member differs
    /// from the connection's parameter.
    pub param_members: Vec<ParamMember>,
    pub origin: Location,
}

/// A payload member that repeats a connection parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamMember {
    /// The parameter's Rust name and wire name.
    pub param: String,
    pub param_wire: String,
    /// The member's Rust name and wire name.
    pub member: String,
    pub member_wire: String,
}

/// Parts of a request with a streamed reply, as the `x-stream-role` extension marks them:
/// the client sends a `request`, the server answers with any number of `chunk`s and ends
/// with a `final` message, an `error`, or a chunk whose end flag is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamRole {
    Request,
    Chunk,
    Final,
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// A text frame holding JSON.
    Json,
    /// A binary frame.
    Binary,
}

/// A test on a decoded JSON value that selects one incoming message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// The member holds this string (a constant of that message only).
    Const { property: String, value: String },
    /// The member is present (a required member no other message declares).
    Has { property: String },
    /// The only JSON message of the connection.
    Always,
}
