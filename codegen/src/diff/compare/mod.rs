//! The comparison itself: operations, types, channels, security and servers, each matched by
//! its name in the documents.
//!
//! This module holds the walk's state (`Diff`) and the wire verdicts shared by every part;
//! each part of the API is compared in its own module; `describe` puts types and places in
//! words and `limits` compares a member's limits.

mod channels;
mod describe;
mod headers;
mod limits;
mod operations;
mod security;
mod types;

use super::fit::Fit;
use super::model::{Change, Report, Semver, Wire};
use super::usage::Usage;
use crate::ir::{Api, TypeKind, TypeRef};

/// Compares two versions of an API.
pub fn compare(old: &Api, new: &Api) -> Report {
    let mut diff = Diff {
        old,
        new,
        old_use: Usage::of(old),
        new_use: Usage::of(new),
        changes: Vec::new(),
    };
    diff.operations();
    diff.types();
    diff.channels();
    diff.security();
    diff.servers();
    Report {
        changes: diff.changes,
    }
}

pub(super) struct Diff<'a> {
    old: &'a Api,
    new: &'a Api,
    old_use: Usage,
    new_use: Usage,
    changes: Vec<Change>,
}

pub(super) const SENT: Direction = Direction {
    sent: true,
    received: false,
};

pub(super) const RECEIVED: Direction = Direction {
    sent: false,
    received: true,
};

/// Which way a type travels, in either version.
#[derive(Clone, Copy)]
pub(super) struct Direction {
    sent: bool,
    received: bool,
}

impl Direction {
    /// Breaking when what clients send carries the type (a removed value they may send, a
    /// member they do not send yet), else compatible.
    pub(super) fn when_sent(self) -> Wire {
        if self.sent {
            Wire::Breaking
        } else {
            Wire::Compatible
        }
    }

    /// `wire` when what clients receive carries the type, else compatible.
    pub(super) fn when_received(self, wire: Wire) -> Wire {
        if self.received {
            wire
        } else {
            Wire::Compatible
        }
    }
}

impl Diff<'_> {
    pub(super) fn push(
        &mut self,
        kind: &'static str,
        place: String,
        detail: String,
        wire: Wire,
        rust: Semver,
    ) {
        self.changes.push(Change {
            kind,
            place,
            detail,
            wire,
            rust,
        });
    }

    pub(super) fn direction(&self, type_name: &str) -> Direction {
        Direction {
            sent: self.old_use.sent.contains(type_name) || self.new_use.sent.contains(type_name),
            received: self.old_use.received.contains(type_name)
                || self.new_use.received.contains(type_name),
        }
    }

    /// The wire verdict of replacing type `old` by `new` where it travels `way`: what
    /// clients send must fit the new type, what they receive the old one.
    pub(super) fn retyped(&self, way: Direction, old: &TypeRef, new: &TypeRef) -> Wire {
        let sent = !way.sent || Fit::new(self.old, self.new).refs(old, new);
        let received = !way.received || Fit::new(self.new, self.old).refs(new, old);
        if sent && received {
            Wire::Compatible
        } else {
            Wire::Breaking
        }
    }

    /// [`Diff::retyped`] for a type whose definition changed kind.
    pub(super) fn rekinded(&self, way: Direction, old: &TypeKind, new: &TypeKind) -> Wire {
        let sent = !way.sent || Fit::new(self.old, self.new).kinds(old, new);
        let received = !way.received || Fit::new(self.new, self.old).kinds(new, old);
        if sent && received {
            Wire::Compatible
        } else {
            Wire::Breaking
        }
    }
}
