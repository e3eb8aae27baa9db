//! Channels compared: their addresses, parameters and the messages sent and received.

use std::collections::BTreeMap;

use super::describe::{describe, inline_pair};
use super::{Diff, RECEIVED, SENT};
use crate::diff::model::{Semver, Wire};
use crate::ir::{Channel, Message};

impl Diff<'_> {
    pub(super) fn channels(&mut self) {
        let old: BTreeMap<&str, &Channel> = self
            .old
            .channels
            .iter()
            .map(|c| (c.id.as_str(), c))
            .collect();
        let new: BTreeMap<&str, &Channel> = self
            .new
            .channels
            .iter()
            .map(|c| (c.id.as_str(), c))
            .collect();
        for (id, c) in &old {
            if !new.contains_key(id) {
                self.push(
                    "channel-removed",
                    format!("channel {id}"),
                    format!("`{}` removed", c.address),
                    Wire::Breaking,
                    Semver::Major,
                );
            }
        }
        for (id, c) in &new {
            let Some(before) = old.get(id) else {
                self.push(
                    "channel-added",
                    format!("channel {id}"),
                    format!("`{}` added", c.address),
                    Wire::Compatible,
                    Semver::Minor,
                );
                continue;
            };
            let place = format!("channel {id}");
            if before.address != c.address {
                self.push(
                    "channel-moved",
                    place.clone(),
                    format!("`{}` is now `{}`", before.address, c.address),
                    Wire::Breaking,
                    Semver::Patch,
                );
            }
            self.params(&place, &before.params, &c.params, self.old, self.new);
            self.messages(&place, &before.outgoing, &c.outgoing, true);
            self.messages(&place, &before.incoming, &c.incoming, false);
        }
    }

    pub(super) fn messages(&mut self, place: &str, old: &[Message], new: &[Message], sent: bool) {
        let ids = |ms: &[Message]| -> Vec<String> { ms.iter().map(|m| m.id.clone()).collect() };
        let (a, b) = (ids(old), ids(new));
        let direction = if sent { "sent" } else { "received" };
        for id in &a {
            if !b.contains(id) {
                self.push(
                    if sent {
                        "message-sent-removed"
                    } else {
                        "message-received-removed"
                    },
                    place.to_owned(),
                    format!("{direction} message `{id}` removed"),
                    if sent {
                        Wire::Breaking
                    } else {
                        Wire::Compatible
                    },
                    Semver::Major,
                );
            }
        }
        for id in &b {
            if !a.contains(id) {
                self.push(
                    if sent {
                        "message-sent-added"
                    } else {
                        "message-received-added"
                    },
                    place.to_owned(),
                    format!("{direction} message `{id}` added"),
                    if sent {
                        Wire::Compatible
                    } else {
                        Wire::StrictDecoders
                    },
                    Semver::Minor,
                );
            }
        }
        let way = if sent { SENT } else { RECEIVED };
        for m in new {
            if let Some(before) = old.iter().find(|o| o.id == m.id) {
                let (ta, tb) = (
                    describe(self.old, &before.payload),
                    describe(self.new, &m.payload),
                );
                if let Some((a, b)) = inline_pair(self.old, self.new, &before.payload, &m.payload) {
                    self.kinds(format!("{place}, {direction} message {}", m.id), way, a, b);
                } else if ta != tb {
                    self.push(
                        "message-retyped",
                        place.to_owned(),
                        format!("{direction} message `{}`: {ta} is now {tb}", m.id),
                        self.retyped(way, &before.payload, &m.payload),
                        Semver::Major,
                    );
                }
            }
        }
    }
}
