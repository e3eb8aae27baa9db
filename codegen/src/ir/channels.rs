//! Message channels (WebSocket connections) and the messages sent and received on them.

use super::docs::Docs;
use super::operations::Param;
use super::security::AuthKind;
use super::types::TypeRef;
use crate::diag::Location;

/// A message connection (a WebSocket endpoint): every channel of the document at one
/// address, seen from the client.
#[derive(Clone, Debug)]
pub struct Channel {
    /// The channel's key in the document (the first one, when several share the address).
    pub id: String,
    pub name: String,
    /// The `PascalCase` stem of the client's types for the channel (`<stem>Params`,
    /// `<stem>Message`, `<stem>Connection`, `<stem>Reply`), unique among the channels.
    pub type_stem: String,
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
