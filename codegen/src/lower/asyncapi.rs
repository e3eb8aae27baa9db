//! AsyncAPI 3.0 into the IR: one connection per channel address, seen from the client.
//!
//! In AsyncAPI 3 an operation's `action` is written from the side of the application the
//! document describes. Public API documents describe the server, so by default `receive`
//! (the server receives) is what the client sends and `send` is what it receives; a
//! `reply` goes the other way.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use super::names::{self, Scope};
use super::schema::{Types, docs_of};
use crate::diag::{Diagnostic, Location};
use crate::ir::{
    Api, AuthKind, Channel, Docs, Matcher, Message, MessageKind, Param, ParamLocation, ParamMember,
    Primitive, Server, StreamRole, TypeDef, TypeKind, TypeRef, fields_of, resolve,
};

/// Which application an AsyncAPI document describes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Perspective {
    /// The document describes the server (the usual case for a public API): the client
    /// does the opposite of each operation's `action`.
    #[default]
    Server,
    /// The document describes the client itself.
    Client,
}

#[derive(Deserialize)]
struct Doc {
    asyncapi: String,
    info: Info,
    #[serde(default, rename = "defaultContentType")]
    default_content_type: Option<String>,
    #[serde(default)]
    servers: IndexMap<String, Value>,
    #[serde(default)]
    channels: IndexMap<String, Value>,
    #[serde(default)]
    operations: IndexMap<String, Value>,
}

#[derive(Deserialize)]
struct Info {
    title: String,
    version: String,
    description: Option<String>,
}

#[derive(Deserialize)]
struct RawServer {
    host: String,
    protocol: String,
    pathname: Option<String>,
    description: Option<String>,
    #[serde(default)]
    security: Vec<Value>,
}

#[derive(Deserialize)]
struct RawChannel {
    address: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Action {
    Send,
    Receive,
}

#[derive(Deserialize)]
struct RawOperation {
    action: Action,
    #[serde(default)]
    messages: Vec<Value>,
    reply: Option<RawReply>,
}

#[derive(Deserialize)]
struct RawReply {
    #[serde(default)]
    messages: Vec<Value>,
}

#[derive(Deserialize)]
struct RawMessage {
    name: Option<String>,
    #[serde(rename = "contentType")]
    content_type: Option<String>,
    #[serde(rename = "x-stream-role")]
    stream_role: Option<String>,
    #[serde(rename = "x-stream-end-flag")]
    stream_end_flag: Option<String>,
}

#[derive(Deserialize)]
struct RawScheme {
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    #[serde(rename = "in")]
    location: Option<String>,
    scheme: Option<String>,
}

/// One address being assembled.
struct Group {
    channels: Vec<String>,
    first: Location,
    outgoing: Vec<Location>,
    incoming: Vec<Location>,
}

/// Lowers the AsyncAPI document at `root` into `api.channels` (and fills title, version
/// and servers when no OpenAPI document did).
pub fn lower(
    types: &mut Types<'_>,
    api: &mut Api,
    root: &Location,
    perspective: Perspective,
) -> Result<(), Diagnostic> {
    let src = types.sources();
    let doc: Doc = src.parse(root, "an AsyncAPI 3 document")?;
    if !doc.asyncapi.starts_with("3.") {
        return Err(Diagnostic::error(
            &root.join("asyncapi"),
            format!(
                "expected an AsyncAPI 3 document, found `asyncapi: {}`",
                doc.asyncapi
            ),
        ));
    }
    if api.title.is_empty() {
        api.title = doc.info.title.clone();
        api.version = doc.info.version.clone();
        api.description = doc.info.description.clone();
    }
    let default_content_type = doc
        .default_content_type
        .clone()
        .unwrap_or_else(|| "application/json".into());
    let auth = server_auth(types, root, &doc, api);

    // Every operation says which way its channel's messages go.
    let mut groups: IndexMap<String, Group> = IndexMap::new();
    let channel_address = |key: &str| -> Option<(String, Location)> {
        let loc = root.join("channels").join(key);
        let raw: RawChannel = src.parse(&src.follow(&loc).ok()?, "a channel").ok()?;
        Some((raw.address.unwrap_or_else(|| format!("/{key}")), loc))
    };
    for key in doc.channels.keys() {
        let Some((address, loc)) = channel_address(key) else {
            if let Err(d) = src
                .follow(&root.join("channels").join(key))
                .and_then(|l| src.parse::<RawChannel>(&l, "a channel"))
            {
                types.diags.push(d);
            }
            continue;
        };
        let group = groups.entry(address).or_insert_with(|| Group {
            channels: Vec::new(),
            first: loc.clone(),
            outgoing: Vec::new(),
            incoming: Vec::new(),
        });
        group.channels.push(key.clone());
    }
    let mut directed = std::collections::HashSet::new();
    for key in doc.operations.keys() {
        let op_loc = root.join("operations").join(key);
        let op_loc = match src.follow(&op_loc) {
            Ok(l) => l,
            Err(d) => {
                types.diags.push(d);
                continue;
            }
        };
        let op: RawOperation = match src.parse(&op_loc, "an operation") {
            Ok(op) => op,
            Err(d) => {
                types.diags.push(d);
                continue;
            }
        };
        let client_sends = matches!(
            (op.action, perspective),
            (Action::Receive, Perspective::Server) | (Action::Send, Perspective::Client)
        );
        let directions = [
            (
                op_loc.join("channel"),
                op_loc.join("messages"),
                op.messages.is_empty(),
                client_sends,
            ),
            (
                op_loc.join("reply").join("channel"),
                op_loc.join("reply").join("messages"),
                op.reply.as_ref().is_none_or(|r| r.messages.is_empty()),
                !client_sends,
            ),
        ];
        for (channel_ref, messages_at, all, sends) in directions {
            if src.get(&channel_ref).is_none() {
                continue;
            }
            let channel = match src.follow(&channel_ref) {
                Ok(l) => l,
                Err(d) => {
                    types.diags.push(d);
                    continue;
                }
            };
            let Some(channel_key) = channel_key(&channel, root) else {
                types.diags.push(Diagnostic::error(
                    &channel_ref,
                    "expected a reference to a channel under `#/channels`",
                ));
                continue;
            };
            let messages = if all {
                channel_messages(types, &channel)
            } else {
                let count = src
                    .get(&messages_at)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                (0..count)
                    .filter_map(|i| {
                        src.follow(&messages_at.join(i))
                            .map_err(|d| types.diags.push(d))
                            .ok()
                    })
                    .collect()
            };
            let Some(group) = groups
                .values_mut()
                .find(|g| g.channels.contains(&channel_key))
            else {
                continue;
            };
            directed.insert(channel_key);
            let list = if sends {
                &mut group.outgoing
            } else {
                &mut group.incoming
            };
            for m in messages {
                if !list.contains(&m) {
                    list.push(m);
                }
            }
        }
    }
    for key in doc.channels.keys() {
        if !directed.contains(key) {
            types.diags.push(Diagnostic::warning(
                &root.join("channels").join(key),
                "no operation uses this channel, so the direction of its messages is unknown; it is left out",
            ));
        }
    }

    let mut names = Scope::snake();
    for (address, group) in groups {
        if group.outgoing.is_empty() && group.incoming.is_empty() {
            continue;
        }
        let base = if group.channels.len() == 1 {
            group.channels[0].clone()
        } else {
            let words: Vec<&str> = address
                .split('/')
                .filter(|w| !w.is_empty() && !w.starts_with('{'))
                .collect();
            if words.is_empty() {
                "socket".to_owned()
            } else {
                words.join("_")
            }
        };
        let name = names.claim(names::snake(&base, "channel"));
        let pascal = names::pascal(&name, "Channel", "Channel");
        let mut message_names = Scope::pascal();
        let outgoing: Vec<Message> = group
            .outgoing
            .iter()
            .map(|m| message(types, m, &default_content_type, &mut message_names))
            .collect();
        let mut message_names = Scope::pascal();
        let mut incoming: Vec<Message> = group
            .incoming
            .iter()
            .map(|m| message(types, m, &default_content_type, &mut message_names))
            .collect();
        assign_matchers(types, &mut incoming, &group.first);
        let initial = initial_message(types, root, &group.channels, &incoming);
        let mut params = Vec::new();
        let mut scope = Scope::snake();
        for key in &group.channels {
            let loc = root.join("channels").join(key);
            if let Ok(loc) = src.follow(&loc) {
                query_params(types, &loc, &pascal, &mut scope, &mut params);
            }
        }
        let mut outgoing = outgoing;
        for m in &mut outgoing {
            let at = m.origin.join("x-param-from-body");
            let Some(map) = src.get(&at) else {
                continue;
            };
            match param_members(&types.defs, map, &m.payload, &params) {
                Ok(pairs) => m.param_members = pairs,
                Err(why) => types.diags.push(Diagnostic::error(&at, why)),
            }
        }
        let docs = match group.channels.as_slice() {
            [one] => src
                .follow(&root.join("channels").join(one))
                .map(|l| types.docs_at(&l))
                .unwrap_or_default(),
            _ => Docs {
                description: Some(format!(
                    "The connection at `{address}` (channels {}).",
                    group.channels.join(", ")
                )),
                ..Docs::default()
            },
        };
        api.channels.push(Channel {
            id: group.channels[0].clone(),
            name,
            address,
            docs,
            params,
            auth: auth.clone(),
            outgoing,
            incoming,
            initial,
            // Named with the client's other methods, once every operation has its name.
            connect: String::new(),
            connect_with: String::new(),
            mock_method: String::new(),
            origin: group.first,
        });
    }
    Ok(())
}

/// The incoming message a channel's `x-initial-message` names (a key of its `messages`).
fn initial_message(
    types: &mut Types<'_>,
    root: &Location,
    channels: &[String],
    incoming: &[Message],
) -> Option<usize> {
    let src = types.sources();
    for key in channels {
        let channel = src.follow(&root.join("channels").join(key)).ok()?;
        let at = channel.join("x-initial-message");
        let Some(value) = src.get(&at) else { continue };
        let Some(name) = value.as_str() else {
            types.diags.push(Diagnostic::error(
                &at,
                "expected the key of one of the channel's messages",
            ));
            continue;
        };
        let found = src
            .follow(&channel.join("messages").join(name))
            .ok()
            .and_then(|loc| incoming.iter().position(|m| m.origin == loc));
        if found.is_none() {
            types.diags.push(Diagnostic::error(
                &at,
                format!("`{name}` is not a message the client receives on this channel"),
            ));
        }
        return found;
    }
    None
}

/// The key of a channel location `#/channels/<key>` in the root document.
fn channel_key(loc: &Location, root: &Location) -> Option<String> {
    if loc.file != root.file {
        return None;
    }
    let tokens: Vec<String> = loc.tokens().collect();
    match tokens.as_slice() {
        [channels, key] if channels == "channels" => Some(key.clone()),
        _ => None,
    }
}

fn channel_messages(types: &mut Types<'_>, channel: &Location) -> Vec<Location> {
    let src = types.sources();
    let at = channel.join("messages");
    let Some(Value::Object(map)) = src.get(&at) else {
        return Vec::new();
    };
    map.keys()
        .filter_map(|k| {
            src.follow(&at.join(k))
                .map_err(|d| types.diags.push(d))
                .ok()
        })
        .collect()
}

/// The key the first server carries (servers, then their `security` references).
fn server_auth(
    types: &mut Types<'_>,
    root: &Location,
    doc: &Doc,
    api: &mut Api,
) -> Option<AuthKind> {
    let src = types.sources();
    let (key, _) = doc.servers.first()?;
    let loc = src.follow(&root.join("servers").join(key)).ok()?;
    let server: RawServer = match src.parse(&loc, "a server") {
        Ok(s) => s,
        Err(d) => {
            types.diags.push(d);
            return None;
        }
    };
    if api.servers.is_empty() {
        // The client's base URL is HTTP(S); connections swap the scheme for ws(s).
        let scheme = match server.protocol.as_str() {
            "ws" | "http" => "http",
            _ => "https",
        };
        api.servers.push(Server {
            url: format!(
                "{scheme}://{}{}",
                server.host,
                server.pathname.as_deref().unwrap_or("")
            ),
            description: server.description.clone(),
        });
    }
    let scheme_loc =
        (0..server.security.len()).find_map(|i| src.follow(&loc.join("security").join(i)).ok())?;
    let scheme: RawScheme = src
        .parse(&scheme_loc, "a security scheme")
        .map_err(|d| types.diags.push(d))
        .ok()?;
    Some(
        match (
            scheme.kind.as_str(),
            scheme.location.as_deref(),
            scheme.name,
        ) {
            ("httpApiKey", Some("query"), Some(name)) => AuthKind::ApiKey {
                location: ParamLocation::Query,
                name,
            },
            ("httpApiKey", Some("header"), Some(name)) => AuthKind::ApiKey {
                location: ParamLocation::Header,
                name,
            },
            ("http", _, _)
                if scheme
                    .scheme
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("bearer")) =>
            {
                AuthKind::Bearer
            }
            (other, _, _) => AuthKind::Other(other.to_owned()),
        },
    )
}

fn message(
    types: &mut Types<'_>,
    loc: &Location,
    default_content_type: &str,
    scope: &mut Scope,
) -> Message {
    let src = types.sources();
    let raw: Option<RawMessage> = src
        .parse(loc, "a message")
        .map_err(|d| types.diags.push(d))
        .ok();
    let key = loc.tokens().last().unwrap_or_default();
    let id = raw.as_ref().and_then(|r| r.name.clone()).unwrap_or(key);
    let role = match raw.as_ref().and_then(|r| r.stream_role.as_deref()) {
        None => None,
        Some("request") => Some(StreamRole::Request),
        Some("chunk") => Some(StreamRole::Chunk),
        Some("final") => Some(StreamRole::Final),
        Some("error") => Some(StreamRole::Error),
        Some(other) => {
            types.diags.push(Diagnostic::error(
                &loc.join("x-stream-role"),
                format!("expected `request`, `chunk`, `final` or `error`, found `{other}`"),
            ));
            None
        }
    };
    let name = scope.claim(names::pascal(&id, "Message", "Message"));
    let end_flag_pointer = raw.as_ref().and_then(|r| r.stream_end_flag.clone());
    let content_type = raw
        .and_then(|r| r.content_type)
        .unwrap_or_else(|| default_content_type.to_owned());
    let payload_loc = loc.join("payload");
    // A multi-format schema object wraps the schema; AsyncAPI, JSON Schema and OpenAPI
    // schemas are all read the same way.
    let (schema_loc, format) = match src.get(&payload_loc) {
        Some(Value::Object(map))
            if map.contains_key("schemaFormat") && map.contains_key("schema") =>
        {
            (
                payload_loc.join("schema"),
                map.get("schemaFormat")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            )
        }
        _ => (payload_loc.clone(), None),
    };
    let is_json = content_type.contains("json");
    let is_binary_schema = src
        .follow(&schema_loc)
        .ok()
        .and_then(|l| {
            src.get(&l)
                .and_then(|v| v.get("format"))
                .and_then(Value::as_str)
                .map(|f| f == "binary")
        })
        .unwrap_or(false);
    let kind = if is_json && !is_binary_schema {
        MessageKind::Json
    } else {
        MessageKind::Binary
    };
    let supported = format.as_deref().is_none_or(|f| {
        f.starts_with("application/vnd.aai.asyncapi")
            || f.starts_with("application/vnd.oai.openapi")
            || f.starts_with("application/schema+json")
    });
    let payload = match kind {
        MessageKind::Binary => TypeRef::Primitive(Primitive::Binary),
        MessageKind::Json if !supported => {
            types.diags.push(Diagnostic::warning(
                &payload_loc.join("schemaFormat"),
                format!(
                    "schema format `{}` is not supported; the payload is kept as JSON",
                    format.unwrap_or_default()
                ),
            ));
            TypeRef::Any
        }
        MessageKind::Json if src.get(&schema_loc).is_some() => types.lower_at(&schema_loc, &name),
        MessageKind::Json => TypeRef::Any,
    };
    let end_flag = match end_flag_pointer {
        None => Vec::new(),
        Some(pointer) => {
            let at = loc.join("x-stream-end-flag");
            let found = if role == Some(StreamRole::Chunk) {
                end_flag(&types.defs, &payload, &pointer)
            } else {
                Err("only a message with `x-stream-role: chunk` can end a reply by a flag".into())
            };
            found.unwrap_or_else(|why| {
                types.diags.push(Diagnostic::error(&at, why));
                Vec::new()
            })
        }
    };
    let mut docs = docs_of(src.get(loc), types.flags());
    // A message's examples are message example objects (`examples: [{payload, ...}]`, read
    // as `example: {payload, ...}` since the document is read like JSON Schema, see
    // `shape_31`): the example is the first one's payload.
    docs.example = src.get(loc).and_then(|m| {
        m.get("examples")
            .and_then(|e| e.get(0))
            .or_else(|| m.get("example"))
            .and_then(|e| e.get("payload"))
            .cloned()
    });
    Message {
        id,
        name,
        // Named per connection once the channel has all its messages.
        method: String::new(),
        end_flag,
        param_members: Vec::new(),
        docs,
        content_type,
        kind,
        payload,
        matcher: None,
        role,
        origin: loc.clone(),
    }
}

/// Reads `x-param-from-body: {<connection parameter>: <payload member>}` of an outgoing
/// message: each member repeats a required connection parameter of the same type.
fn param_members(
    defs: &[TypeDef],
    map: &Value,
    payload: &TypeRef,
    params: &[Param],
) -> Result<Vec<ParamMember>, String> {
    let Value::Object(map) = map else {
        return Err("expected a map from connection parameters to payload members".into());
    };
    let Some(fields) = fields_of(defs, payload) else {
        return Err("the payload is not an object".into());
    };
    let mut pairs = Vec::new();
    for (wire, member) in map {
        let Some(member) = member.as_str() else {
            return Err(format!("`{wire}`: expected the name of a payload member"));
        };
        let Some(param) = params.iter().find(|p| &p.wire == wire) else {
            return Err(format!("the connection has no parameter `{wire}`"));
        };
        if !param.required {
            return Err(format!(
                "`{wire}`: only a required parameter can be repeated"
            ));
        }
        let Some(field) = fields.iter().find(|f| f.wire == member && !f.flatten) else {
            return Err(format!("`{wire}`: the payload has no member `{member}`"));
        };
        if !field.required || field.nullable || field.ty != param.ty {
            return Err(format!(
                "`{wire}`: the payload member `{member}` must be required, not nullable, and \
                 of the parameter's type"
            ));
        }
        pairs.push(ParamMember {
            param: param.name.clone(),
            param_wire: param.wire.clone(),
            member: field.name.clone(),
            member_wire: field.wire.clone(),
        });
    }
    Ok(pairs)
}

/// The member path of an `x-stream-end-flag` pointer: each step a member of a struct, the
/// last a boolean.
fn end_flag(defs: &[TypeDef], payload: &TypeRef, pointer: &str) -> Result<Vec<String>, String> {
    let Some(tokens) = pointer.strip_prefix('/') else {
        return Err(format!(
            "expected a JSON pointer into the payload, such as `/done`, found `{pointer}`"
        ));
    };
    let mut path = Vec::new();
    let mut at = payload.clone();
    for token in tokens.split('/') {
        let wire = token.replace("~1", "/").replace("~0", "~");
        let Some(fields) = fields_of(defs, &at) else {
            return Err(format!("`{pointer}`: `{wire}` is not in an object"));
        };
        let Some(field) = fields.iter().find(|f| f.wire == wire && !f.flatten) else {
            return Err(format!(
                "`{pointer}`: the payload has no member `{wire}` there"
            ));
        };
        at = field.ty.clone();
        path.push(wire);
    }
    match resolve(defs, &at) {
        TypeRef::Primitive(Primitive::Boolean) => Ok(path),
        _ => Err(format!("`{pointer}` must lead to a boolean member")),
    }
}

/// The connection URL's query parameters, from the channel's WebSocket binding.
fn query_params(
    types: &mut Types<'_>,
    channel: &Location,
    owner: &str,
    scope: &mut Scope,
    out: &mut Vec<Param>,
) {
    let src = types.sources();
    let query = channel.join("bindings").join("ws").join("query");
    let Ok(query) = src.follow(&query) else {
        return;
    };
    let Some(Value::Object(props)) = src.get(&query.join("properties")) else {
        return;
    };
    let required: Vec<String> = src
        .get(&query.join("required"))
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    for key in props.keys() {
        if out.iter().any(|p| &p.wire == key) {
            continue;
        }
        let ploc = query.join("properties").join(key);
        let ty = match types.lower_at(
            &ploc,
            &format!("{owner}{}", names::pascal(key, "", "Param")),
        ) {
            TypeRef::Nullable(inner) => *inner,
            other => other,
        };
        out.push(Param {
            from_body: None,
            wire: key.clone(),
            name: scope.claim(names::snake(key, "param")),
            location: ParamLocation::Query,
            ty,
            required: required.contains(key),
            docs: types.docs_at(&ploc),
            default: types.default_at(&ploc),
            style: None,
            constraints: types.constraints(&ploc),
        });
    }
}

/// What a payload's top-level object declares: constants and required members.
struct Shape {
    consts: Vec<(String, String)>,
    declared: Vec<String>,
    required: Vec<String>,
}

fn payload_shape(types: &Types<'_>, ty: &TypeRef) -> Option<Shape> {
    payload_shape_at(types, ty, 0)
}

fn payload_shape_at(types: &Types<'_>, ty: &TypeRef, depth: usize) -> Option<Shape> {
    let TypeRef::Named(id) = ty else { return None };
    if depth > 16 {
        return None;
    }
    match &types.defs[id.0].kind {
        TypeKind::Alias(next) => payload_shape_at(types, next, depth + 1),
        TypeKind::Struct(s) => {
            let consts = s
                .fields
                .iter()
                .filter_map(|f| match &f.ty {
                    TypeRef::Named(e) => match &types.defs[e.0].kind {
                        TypeKind::Enum(en) if en.values.len() == 1 => {
                            Some((f.wire.clone(), en.values[0].wire.clone()))
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            Some(Shape {
                consts,
                declared: s.fields.iter().map(|f| f.wire.clone()).collect(),
                required: s
                    .fields
                    .iter()
                    .filter(|f| f.required)
                    .map(|f| f.wire.clone())
                    .collect(),
            })
        }
        // A union of objects: what every variant has in common.
        TypeKind::Union(u) => {
            let shapes: Vec<Shape> = u
                .variants
                .iter()
                .map(|v| payload_shape_at(types, &v.ty, depth + 1))
                .collect::<Option<_>>()?;
            let (first, rest) = shapes.split_first()?;
            Some(Shape {
                consts: first
                    .consts
                    .iter()
                    .filter(|c| rest.iter().all(|s| s.consts.contains(c)))
                    .cloned()
                    .collect(),
                declared: shapes
                    .iter()
                    .flat_map(|s| s.declared.iter().cloned())
                    .collect(),
                required: first
                    .required
                    .iter()
                    .filter(|r| rest.iter().all(|s| s.required.contains(r)))
                    .cloned()
                    .collect(),
            })
        }
        TypeKind::Enum(_) => None,
    }
}

/// Decides, once, how each incoming JSON message is recognised. Two messages that cannot be
/// told apart are an error, unless their payloads are the same (then the first one wins).
fn assign_matchers(types: &mut Types<'_>, incoming: &mut [Message], at: &Location) {
    let json: Vec<usize> = (0..incoming.len())
        .filter(|&i| incoming[i].kind == MessageKind::Json)
        .collect();
    if let [only] = json.as_slice() {
        incoming[*only].matcher = Some(Matcher::Always);
        return;
    }
    let shapes: Vec<Option<Shape>> = json
        .iter()
        .map(|&i| payload_shape(types, &incoming[i].payload))
        .collect();
    for (n, &i) in json.iter().enumerate() {
        let Some(me) = &shapes[n] else {
            types.diags.push(Diagnostic::error(
                &incoming[i].origin,
                format!("incoming message `{}` has no object payload, so it cannot be told apart from the others", incoming[i].name),
            ));
            continue;
        };
        let twins: Vec<usize> = (0..json.len())
            .filter(|&m| {
                m != n && same_payload(types, &incoming[json[m]].origin, &incoming[i].origin)
            })
            .collect();
        let others: Vec<&Shape> = shapes
            .iter()
            .enumerate()
            .filter(|(m, _)| *m != n && !twins.contains(m))
            .filter_map(|(_, s)| s.as_ref())
            .collect();
        let by_const = me.consts.iter().find(|(p, v)| {
            others
                .iter()
                .all(|o| match o.consts.iter().find(|(q, _)| q == p) {
                    Some((_, w)) => w != v,
                    None => !o.declared.contains(p),
                })
        });
        let by_member = || {
            me.required
                .iter()
                .find(|r| others.iter().all(|o| !o.declared.contains(r)))
        };
        incoming[i].matcher = match (by_const, by_member()) {
            (Some((p, v)), _) => Some(Matcher::Const {
                property: p.clone(),
                value: v.clone(),
            }),
            (None, Some(r)) => Some(Matcher::Has {
                property: r.clone(),
            }),
            (None, None) => {
                types.diags.push(Diagnostic::error(
                    &incoming[i].origin,
                    format!(
                        "incoming message `{}` cannot be told apart from the other messages at {at}: \
                         give it a constant member (e.g. a one-value `enum`) or a required member only it has",
                        incoming[i].name
                    ),
                ));
                None
            }
        };
        if let Some(&first) = twins.iter().find(|&&m| m < n) {
            let first = &incoming[json[first]];
            types.diags.push(Diagnostic::warning(
                &incoming[i].origin,
                format!(
                    "incoming message `{}` has the same payload as `{}`, so it always decodes as `{}`",
                    incoming[i].name, first.name, first.name
                ),
            ));
        }
    }
}

/// Whether two messages' payload schemas are the same once descriptions are set aside.
fn same_payload(types: &Types<'_>, a: &Location, b: &Location) -> bool {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| {
                        !matches!(
                            k.as_str(),
                            "description" | "summary" | "title" | "examples" | "example"
                        )
                    })
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    let src = types.sources();
    match (src.get(&a.join("payload")), src.get(&b.join("payload"))) {
        (Some(x), Some(y)) => strip(x) == strip(y),
        _ => false,
    }
}
