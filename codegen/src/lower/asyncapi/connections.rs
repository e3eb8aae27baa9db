//! A group of channels at one address made a connection of the IR: its name, messages,
//! query parameters, docs and the message the server sends first.

use serde_json::Value;

use super::directions::Group;
use super::matchers::assign_matchers;
use super::messages::{message, param_members};
use crate::diag::{Diagnostic, Location};
use crate::ir::{AuthKind, Channel, Docs, Message, Param, ParamLocation, TypeRef};
use crate::lower::names::{self, Scope};
use crate::lower::schema::Types;

/// The connection at `address`, named in `channel_names`.
pub(super) fn channel(
    types: &mut Types<'_>,
    root: &Location,
    address: String,
    group: Group,
    channel_names: &mut Scope,
    default_content_type: &str,
    auth: Option<AuthKind>,
) -> Channel {
    let name = channel_names.claim(names::snake(&base_name(&address, &group), "channel"));
    let pascal = names::pascal(&name, "Channel", "Channel");
    let mut message_names = Scope::pascal();
    message_names.reserve_all(names::OUTGOING_ENUM_VARIANTS);
    let mut outgoing: Vec<Message> = group
        .outgoing
        .iter()
        .map(|m| message(types, m, default_content_type, &mut message_names))
        .collect();
    let mut message_names = Scope::pascal();
    message_names.reserve_all(names::INCOMING_ENUM_VARIANTS);
    let mut incoming: Vec<Message> = group
        .incoming
        .iter()
        .map(|m| message(types, m, default_content_type, &mut message_names))
        .collect();
    assign_matchers(types, &mut incoming, &group.first);
    let initial = initial_message(types, root, &group.channels, &incoming);
    let params = channel_params(types, root, &group.channels, &pascal);
    repeat_params(types, &mut outgoing, &params);
    let docs = channel_docs(types, root, &address, &group.channels);
    Channel {
        id: group.channels[0].clone(),
        name,
        address,
        docs,
        params,
        auth,
        outgoing,
        incoming,
        initial,
        // Named with the client's other methods, once every operation has its name.
        connect: String::new(),
        connect_with: String::new(),
        mock_method: String::new(),
        type_stem: String::new(),
        origin: group.first,
    }
}

/// What a connection's name is made from: its channel's key, or the words of a shared
/// address.
fn base_name(address: &str, group: &Group) -> String {
    if group.channels.len() == 1 {
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
    }
}

/// The query parameters of every channel of the connection.
fn channel_params(
    types: &mut Types<'_>,
    root: &Location,
    channels: &[String],
    owner: &str,
) -> Vec<Param> {
    let src = types.sources();
    let mut params = Vec::new();
    let mut scope = Scope::snake();
    for key in channels {
        let loc = root.join("channels").join(key);
        if let Ok(loc) = src.follow(&loc) {
            query_params(types, &loc, owner, &mut scope, &mut params);
        }
    }
    params
}

/// Reads each outgoing message's `x-param-from-body`.
fn repeat_params(types: &mut Types<'_>, outgoing: &mut [Message], params: &[Param]) {
    let src = types.sources();
    for m in outgoing {
        let at = m.origin.join("x-param-from-body");
        let Some(map) = src.get(&at) else {
            continue;
        };
        match param_members(&types.defs, map, &m.payload, params) {
            Ok(pairs) => m.param_members = pairs,
            Err(why) => types.diags.push(Diagnostic::error(&at, why)),
        }
    }
}

/// A single channel's docs, or words naming the channels that share the address.
fn channel_docs(types: &Types<'_>, root: &Location, address: &str, channels: &[String]) -> Docs {
    let src = types.sources();
    match channels {
        [one] => src
            .follow(&root.join("channels").join(one))
            .map(|l| types.docs_at(&l))
            .unwrap_or_default(),
        _ => Docs {
            description: Some(format!(
                "The connection at `{address}` (channels {}).",
                channels.join(", ")
            )),
            ..Docs::default()
        },
    }
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
