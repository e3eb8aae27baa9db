//! Which way each message goes: channels grouped by address, and every operation's messages
//! sorted into what the client sends and what it receives.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde_json::Value;

use super::document::{Action, Doc, RawChannel, RawOperation};
use crate::diag::{Diagnostic, Location};
use crate::lower::schema::Types;

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

/// One address being assembled.
pub(super) struct Group {
    pub(super) channels: Vec<String>,
    pub(super) first: Location,
    pub(super) outgoing: Vec<Location>,
    pub(super) incoming: Vec<Location>,
}

/// The channels of the document grouped by address, each with the messages the client sends
/// and receives on it.
pub(super) fn group_messages(
    types: &mut Types<'_>,
    root: &Location,
    doc: &Doc,
    perspective: Perspective,
) -> IndexMap<String, Group> {
    let mut groups = by_address(types, root, doc);
    // Every operation says which way its channel's messages go.
    let mut directed = HashSet::new();
    for key in doc.operations.keys() {
        direct_operation(types, root, key, perspective, &mut groups, &mut directed);
    }
    for key in doc.channels.keys() {
        if !directed.contains(key) {
            types.diags.push(Diagnostic::warning(
                &root.join("channels").join(key),
                "no operation uses this channel, so the direction of its messages is unknown; it is left out",
            ));
        }
    }
    groups
}

/// The channels grouped by address, with no messages yet.
fn by_address(types: &mut Types<'_>, root: &Location, doc: &Doc) -> IndexMap<String, Group> {
    let src = types.sources();
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
    groups
}

/// Adds the messages of the operation `key` (and of its reply) to their channels' groups,
/// and records the channels it directs.
fn direct_operation(
    types: &mut Types<'_>,
    root: &Location,
    key: &str,
    perspective: Perspective,
    groups: &mut IndexMap<String, Group>,
    directed: &mut HashSet<String>,
) {
    let src = types.sources();
    let op_loc = root.join("operations").join(key);
    let op_loc = match src.follow(&op_loc) {
        Ok(l) => l,
        Err(d) => {
            types.diags.push(d);
            return;
        }
    };
    let op: RawOperation = match src.parse(&op_loc, "an operation") {
        Ok(op) => op,
        Err(d) => {
            types.diags.push(d);
            return;
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
        let Some((channel_key, messages)) =
            channel_and_messages(types, root, &channel_ref, &messages_at, all)
        else {
            continue;
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

/// The key of the channel an operation (or its reply) names at `channel_ref`, and the
/// messages it names at `messages_at` (`all` of the channel's when it names none).
fn channel_and_messages(
    types: &mut Types<'_>,
    root: &Location,
    channel_ref: &Location,
    messages_at: &Location,
    all: bool,
) -> Option<(String, Vec<Location>)> {
    let src = types.sources();
    src.get(channel_ref)?;
    let channel = match src.follow(channel_ref) {
        Ok(l) => l,
        Err(d) => {
            types.diags.push(d);
            return None;
        }
    };
    let Some(channel_key) = channel_key(&channel, root) else {
        types.diags.push(Diagnostic::error(
            channel_ref,
            "expected a reference to a channel under `#/channels`",
        ));
        return None;
    };
    let messages = if all {
        channel_messages(types, &channel)
    } else {
        let count = src
            .get(messages_at)
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
    Some((channel_key, messages))
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
