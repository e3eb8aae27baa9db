//! The comparison itself: operations, types, channels, security and servers, each matched by
//! its name in the documents.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::fit::Fit;
use super::model::{Change, Report, Semver, Wire};
use super::usage::Usage;
use crate::ir::{
    Api, Channel, Constraints, Field, Message, Operation, Param, ParamLocation, Response, Status,
    TypeDef, TypeKind, TypeRef,
};
use crate::lower::is_component;

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

struct Diff<'a> {
    old: &'a Api,
    new: &'a Api,
    old_use: Usage,
    new_use: Usage,
    changes: Vec<Change>,
}

const SENT: Direction = Direction {
    sent: true,
    received: false,
};

const RECEIVED: Direction = Direction {
    sent: false,
    received: true,
};

/// Which way a type travels, in either version.
#[derive(Clone, Copy)]
struct Direction {
    sent: bool,
    received: bool,
}

impl Direction {
    /// Breaking when what clients send carries the type (a removed value they may send, a
    /// member they do not send yet), else compatible.
    fn when_sent(self) -> Wire {
        if self.sent {
            Wire::Breaking
        } else {
            Wire::Compatible
        }
    }

    /// `wire` when what clients receive carries the type, else compatible.
    fn when_received(self, wire: Wire) -> Wire {
        if self.received {
            wire
        } else {
            Wire::Compatible
        }
    }
}

impl Diff<'_> {
    fn push(
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

    fn direction(&self, type_name: &str) -> Direction {
        Direction {
            sent: self.old_use.sent.contains(type_name) || self.new_use.sent.contains(type_name),
            received: self.old_use.received.contains(type_name)
                || self.new_use.received.contains(type_name),
        }
    }

    /// The wire verdict of replacing type `old` by `new` where it travels `way`: what
    /// clients send must fit the new type, what they receive the old one.
    fn retyped(&self, way: Direction, old: &TypeRef, new: &TypeRef) -> Wire {
        let sent = !way.sent || Fit::new(self.old, self.new).refs(old, new);
        let received = !way.received || Fit::new(self.new, self.old).refs(new, old);
        if sent && received {
            Wire::Compatible
        } else {
            Wire::Breaking
        }
    }

    /// [`Diff::retyped`] for a type whose definition changed kind.
    fn rekinded(&self, way: Direction, old: &TypeKind, new: &TypeKind) -> Wire {
        let sent = !way.sent || Fit::new(self.old, self.new).kinds(old, new);
        let received = !way.received || Fit::new(self.new, self.old).kinds(new, old);
        if sent && received {
            Wire::Compatible
        } else {
            Wire::Breaking
        }
    }

    // ---- operations -------------------------------------------------------------------

    fn operations(&mut self) {
        let old: BTreeMap<&str, &Operation> = self
            .old
            .operations
            .iter()
            .map(|o| (o.id.as_str(), o))
            .collect();
        let new: BTreeMap<&str, &Operation> = self
            .new
            .operations
            .iter()
            .map(|o| (o.id.as_str(), o))
            .collect();
        for (id, op) in &old {
            if !new.contains_key(id) {
                self.push(
                    "operation-removed",
                    format!("operation {id}"),
                    format!("`{} {}` removed", op.method, op.path),
                    Wire::Breaking,
                    Semver::Major,
                );
            }
        }
        for (id, op) in &new {
            match old.get(id) {
                None => self.push(
                    "operation-added",
                    format!("operation {id}"),
                    format!("`{} {}` added", op.method, op.path),
                    Wire::Compatible,
                    Semver::Minor,
                ),
                Some(before) => self.operation(before, op),
            }
        }
    }

    fn operation(&mut self, old: &Operation, new: &Operation) {
        let place = format!("operation {}", new.id);
        if old.method != new.method || old.path != new.path {
            self.push(
                "operation-moved",
                place.clone(),
                format!(
                    "`{} {}` is now `{} {}`",
                    old.method, old.path, new.method, new.path
                ),
                Wire::Breaking,
                Semver::Patch,
            );
        }
        self.params(&place, &old.params, &new.params, self.old, self.new);
        match (&old.body, &new.body) {
            (None, Some(b)) => self.push(
                "request-body-added",
                place.clone(),
                format!("a request body (`{}`) added", b.media_type),
                if b.required {
                    Wire::Breaking
                } else {
                    Wire::Compatible
                },
                Semver::Major,
            ),
            (Some(_), None) => self.push(
                "request-body-removed",
                place.clone(),
                "the request body removed".into(),
                Wire::Compatible,
                Semver::Major,
            ),
            (Some(a), Some(b)) => {
                let (ta, tb) = (describe(self.old, &a.ty), describe(self.new, &b.ty));
                let inline = inline_pair(self.old, self.new, &a.ty, &b.ty);
                // Inline bodies are compared member by member, also when their shapes read
                // the same (limits and deeper members are not in the shape).
                if a.media_type == b.media_type
                    && let Some((ka, kb)) = inline
                {
                    self.kinds(format!("{place}, request body"), SENT, ka, kb);
                } else if a.media_type != b.media_type || ta != tb {
                    let wire = if a.media_type == b.media_type {
                        self.retyped(SENT, &a.ty, &b.ty)
                    } else {
                        Wire::Breaking
                    };
                    self.push(
                        "request-body-retyped",
                        place.clone(),
                        format!(
                            "request body {ta} (`{}`) is now {tb} (`{}`)",
                            a.media_type, b.media_type
                        ),
                        wire,
                        Semver::Major,
                    );
                }
                if !a.required && b.required {
                    self.push(
                        "request-body-required",
                        place.clone(),
                        "the request body is now required".into(),
                        Wire::Breaking,
                        Semver::Major,
                    );
                } else if a.required && !b.required {
                    self.push(
                        "request-body-optional",
                        place.clone(),
                        "the request body is now optional".into(),
                        Wire::Compatible,
                        Semver::Major,
                    );
                }
            }
            (None, None) => {}
        }
        self.responses(&place, &old.responses, &new.responses);
        if old.authenticated != new.authenticated {
            self.push(
                "operation-security-changed",
                place.clone(),
                if new.authenticated {
                    "now needs credentials".into()
                } else {
                    "no longer needs credentials".into()
                },
                if new.authenticated {
                    Wire::Breaking
                } else {
                    Wire::Compatible
                },
                Semver::Patch,
            );
        }
        if old.is_idempotent() != new.is_idempotent() {
            self.push(
                "operation-idempotence-changed",
                place,
                format!(
                    "{} safe to retry",
                    if new.is_idempotent() {
                        "now"
                    } else {
                        "no longer"
                    }
                ),
                Wire::Compatible,
                Semver::Patch,
            );
        }
    }

    /// Parameters of an operation or a connection, matched by place and name.
    fn params(&mut self, place: &str, old: &[Param], new: &[Param], old_api: &Api, new_api: &Api) {
        let key = |p: &Param| (location(p.location), p.wire.clone());
        let old: BTreeMap<_, &Param> = old.iter().map(|p| (key(p), p)).collect();
        let new: BTreeMap<_, &Param> = new.iter().map(|p| (key(p), p)).collect();
        for ((at, wire), p) in &old {
            if !new.contains_key(&(*at, wire.clone())) {
                self.push(
                    if p.required {
                        "parameter-removed-required"
                    } else {
                        "parameter-removed-optional"
                    },
                    place.to_owned(),
                    format!("{at} parameter `{wire}` removed"),
                    Wire::Compatible,
                    Semver::Major,
                );
            }
        }
        for ((at, wire), p) in &new {
            // A parameter taken from the body is not an argument of the Rust method.
            let argument = p.from_body.is_none();
            match old.get(&(*at, wire.clone())) {
                None if p.required => self.push(
                    "parameter-added-required",
                    place.to_owned(),
                    format!("required {at} parameter `{wire}` added"),
                    Wire::Breaking,
                    if argument {
                        Semver::Major
                    } else {
                        Semver::Patch
                    },
                ),
                None => self.push(
                    "parameter-added-optional",
                    place.to_owned(),
                    format!("optional {at} parameter `{wire}` added"),
                    Wire::Compatible,
                    Semver::Minor,
                ),
                Some(before) => {
                    let (ta, tb) = (describe(old_api, &before.ty), describe(new_api, &p.ty));
                    if let Some((a, b)) = inline_pair(old_api, new_api, &before.ty, &p.ty) {
                        self.kinds(format!("{place}, {at} parameter {wire}"), SENT, a, b);
                    } else if ta != tb {
                        self.push(
                            "parameter-retyped",
                            place.to_owned(),
                            format!("{at} parameter `{wire}`: {ta} is now {tb}"),
                            self.retyped(SENT, &before.ty, &p.ty),
                            Semver::Major,
                        );
                    }
                    if !before.required && p.required {
                        self.push(
                            "parameter-required",
                            place.to_owned(),
                            format!("{at} parameter `{wire}` is now required"),
                            Wire::Breaking,
                            if argument {
                                Semver::Major
                            } else {
                                Semver::Patch
                            },
                        );
                    } else if before.required && !p.required {
                        self.push(
                            "parameter-optional",
                            place.to_owned(),
                            format!("{at} parameter `{wire}` is now optional"),
                            Wire::Compatible,
                            Semver::Major,
                        );
                    }
                    if before.from_body != p.from_body {
                        self.push(
                            "parameter-source-changed",
                            place.to_owned(),
                            format!("{at} parameter `{wire}` is now taken from another place"),
                            Wire::Compatible,
                            Semver::Major,
                        );
                    }
                }
            }
        }
    }

    fn responses(&mut self, place: &str, old: &[Response], new: &[Response]) {
        let old: BTreeMap<String, &Response> = old.iter().map(|r| (status(r.status), r)).collect();
        let new: BTreeMap<String, &Response> = new.iter().map(|r| (status(r.status), r)).collect();
        for (code, r) in &old {
            if !new.contains_key(code) {
                let success = r.status.is_success();
                self.push(
                    "response-removed",
                    place.to_owned(),
                    format!("response {code} removed"),
                    if success {
                        Wire::Breaking
                    } else {
                        Wire::Compatible
                    },
                    if success {
                        Semver::Major
                    } else {
                        Semver::Patch
                    },
                );
            }
        }
        for (code, r) in &new {
            let Some(before) = old.get(code) else {
                let success = r.status.is_success();
                self.push(
                    "response-added",
                    place.to_owned(),
                    format!("response {code} added"),
                    if success {
                        Wire::StrictDecoders
                    } else {
                        Wire::Compatible
                    },
                    if success {
                        Semver::Major
                    } else {
                        Semver::Patch
                    },
                );
                continue;
            };
            let ta = before.body.as_ref().map(|b| describe(self.old, &b.ty));
            let tb = r.body.as_ref().map(|b| describe(self.new, &b.ty));
            let inline = before
                .body
                .as_ref()
                .zip(r.body.as_ref())
                .and_then(|(a, b)| inline_pair(self.old, self.new, &a.ty, &b.ty));
            if let Some((ka, kb)) = inline {
                self.kinds(format!("{place}, response {code}"), RECEIVED, ka, kb);
            } else if ta != tb {
                // A body where there was none is ignored by old clients.
                let wire = match (&before.body, &r.body) {
                    (Some(a), Some(b)) => self.retyped(RECEIVED, &a.ty, &b.ty),
                    (None, _) => Wire::Compatible,
                    (Some(_), None) => Wire::Breaking,
                };
                self.push(
                    "response-body-retyped",
                    place.to_owned(),
                    format!(
                        "response {code}: {} is now {}",
                        ta.unwrap_or_else(|| "no body".into()),
                        tb.unwrap_or_else(|| "no body".into())
                    ),
                    wire,
                    Semver::Major,
                );
            }
            let headers = |r: &Response| -> BTreeMap<String, bool> {
                r.headers
                    .iter()
                    .map(|h| (h.wire.to_ascii_lowercase(), h.required))
                    .collect()
            };
            let (ha, hb) = (headers(before), headers(r));
            for (name, required) in &ha {
                if !hb.contains_key(name) {
                    self.push(
                        "response-header-removed",
                        place.to_owned(),
                        format!("response {code}: header `{name}` removed"),
                        if *required {
                            Wire::Breaking
                        } else {
                            Wire::Compatible
                        },
                        Semver::Patch,
                    );
                }
            }
            for name in hb.keys() {
                if !ha.contains_key(name) {
                    self.push(
                        "response-header-added",
                        place.to_owned(),
                        format!("response {code}: header `{name}` added"),
                        Wire::Compatible,
                        Semver::Patch,
                    );
                }
            }
        }
    }

    // ---- types ------------------------------------------------------------------------

    fn types(&mut self) {
        let old: BTreeMap<&str, &TypeDef> = self
            .old
            .types
            .iter()
            .map(|t| (t.name.as_str(), t))
            .collect();
        let new: BTreeMap<&str, &TypeDef> = self
            .new
            .types
            .iter()
            .map(|t| (t.name.as_str(), t))
            .collect();
        for name in old.keys() {
            if !new.contains_key(name) {
                self.push(
                    "type-removed",
                    format!("type {name}"),
                    "removed".into(),
                    Wire::Compatible,
                    Semver::Major,
                );
            }
        }
        for (name, def) in &new {
            match old.get(name) {
                None => self.push(
                    "type-added",
                    format!("type {name}"),
                    "added".into(),
                    Wire::Compatible,
                    Semver::Minor,
                ),
                // An inline type's inside is compared where it is used (its generated name
                // may stand for another inline type in the other version).
                Some(before) if is_component(&def.origin) => self.type_def(before, def),
                Some(_) => {}
            }
        }
    }

    fn type_def(&mut self, old: &TypeDef, new: &TypeDef) {
        let place = format!("type {}", new.name);
        let way = self.direction(&new.name);
        self.kinds(place, way, &old.kind, &new.kind);
    }

    /// The inside of a type: members, values, variants or target.
    fn kinds(&mut self, place: String, way: Direction, old: &TypeKind, new: &TypeKind) {
        match (old, new) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => {
                self.members(&place, way, &a.fields, &b.fields);
            }
            (TypeKind::Enum(a), TypeKind::Enum(b)) => {
                let values = |e: &crate::ir::Enum| -> Vec<String> {
                    e.values.iter().map(|v| v.wire.clone()).collect()
                };
                let kinds = ["enum-value-removed", "enum-value-added", "value"];
                self.alternatives(&place, way, kinds, values(a), values(b));
            }
            (TypeKind::Union(a), TypeKind::Union(b)) => {
                let shapes = |api: &Api, u: &crate::ir::Union| -> Vec<String> {
                    u.variants
                        .iter()
                        .map(|v| v.tag.clone().unwrap_or_else(|| describe(api, &v.ty)))
                        .collect()
                };
                let (va, vb) = (shapes(self.old, a), shapes(self.new, b));
                let kinds = ["union-variant-removed", "union-variant-added", "variant"];
                self.alternatives(&place, way, kinds, va, vb);
            }
            (TypeKind::Alias(a), TypeKind::Alias(b)) => {
                let (ta, tb) = (describe(self.old, a), describe(self.new, b));
                if ta != tb {
                    let wire = self.retyped(way, a, b);
                    self.push(
                        "type-retyped",
                        place,
                        format!("{ta} is now {tb}"),
                        wire,
                        Semver::Major,
                    );
                }
            }
            _ => self.push(
                "type-retyped",
                place,
                format!("a {} is now a {}", kind(old), kind(new)),
                self.rekinded(way, old, new),
                Semver::Major,
            ),
        }
    }

    /// The values of an enum or the variants of a union (`kinds`: the kind of a removal and
    /// of an addition, and the word for one): one the client sends, removed, breaks it; one
    /// it receives, added, breaks only strict decoders.
    fn alternatives(
        &mut self,
        place: &str,
        way: Direction,
        [removed, added, word]: [&'static str; 3],
        old: Vec<String>,
        new: Vec<String>,
    ) {
        for v in old.iter().filter(|v| !new.contains(v)) {
            let wire = way.when_sent();
            let detail = format!("{word} `{v}` removed");
            self.push(removed, place.to_owned(), detail, wire, Semver::Major);
        }
        for v in new.iter().filter(|v| !old.contains(v)) {
            let wire = way.when_received(Wire::StrictDecoders);
            let detail = format!("{word} `{v}` added");
            self.push(added, place.to_owned(), detail, wire, Semver::Minor);
        }
    }

    /// Members of an object, matched by wire name.
    fn members(&mut self, place: &str, way: Direction, old: &[Field], new: &[Field]) {
        let old: BTreeMap<&str, &Field> = old.iter().map(|f| (f.wire.as_str(), f)).collect();
        let new: BTreeMap<&str, &Field> = new.iter().map(|f| (f.wire.as_str(), f)).collect();
        for (wire, f) in &old {
            if !new.contains_key(wire) {
                // Old clients that read it fail when a required one is gone.
                let wire_verdict = if f.required && !f.nullable {
                    way.when_received(Wire::Breaking)
                } else {
                    Wire::Compatible
                };
                self.push(
                    "member-removed",
                    place.to_owned(),
                    format!("member `{wire}` removed"),
                    wire_verdict,
                    Semver::Major,
                );
            }
        }
        for (wire, f) in &new {
            let Some(before) = old.get(wire) else {
                if f.required {
                    self.push(
                        "member-added-required",
                        place.to_owned(),
                        format!("required member `{wire}` added"),
                        // Old clients do not send it.
                        way.when_sent(),
                        Semver::Major,
                    );
                } else {
                    self.push(
                        "member-added-optional",
                        place.to_owned(),
                        format!("optional member `{wire}` added"),
                        Wire::Compatible,
                        Semver::Minor,
                    );
                }
                continue;
            };
            let (ta, tb) = (describe(self.old, &before.ty), describe(self.new, &f.ty));
            if let Some((a, b)) = inline_pair(self.old, self.new, &before.ty, &f.ty) {
                self.kinds(format!("{place}, member {wire}"), way, a, b);
            } else if ta != tb {
                self.push(
                    "member-retyped",
                    place.to_owned(),
                    format!("member `{wire}`: {ta} is now {tb}"),
                    self.retyped(way, &before.ty, &f.ty),
                    Semver::Major,
                );
                continue;
            }
            self.constraints(place, wire, way, &before.constraints, &f.constraints);
            if !before.required && f.required {
                self.push(
                    "member-required",
                    place.to_owned(),
                    format!("member `{wire}` is now required"),
                    way.when_sent(),
                    Semver::Major,
                );
            } else if before.required && !f.required {
                self.push(
                    "member-optional",
                    place.to_owned(),
                    format!("member `{wire}` is now optional"),
                    way.when_received(Wire::Breaking),
                    Semver::Major,
                );
            }
            if !before.nullable && f.nullable {
                self.push(
                    "member-nullable",
                    place.to_owned(),
                    format!("member `{wire}` may now be null"),
                    // An optional member is read into an `Option`, which takes a null too.
                    way.when_received(if before.required {
                        Wire::Breaking
                    } else {
                        Wire::StrictDecoders
                    }),
                    Semver::Major,
                );
            } else if before.nullable && !f.nullable {
                self.push(
                    "member-not-nullable",
                    place.to_owned(),
                    format!("member `{wire}` may no longer be null"),
                    way.when_sent(),
                    Semver::Major,
                );
            }
        }
    }

    /// Limits on a member's values: tighter ones refuse values old clients may send, looser
    /// ones let the server send values that readers which validate refuse.
    fn constraints(
        &mut self,
        place: &str,
        member: &str,
        way: Direction,
        old: &Constraints,
        new: &Constraints,
    ) {
        let (mut tighter, mut looser) = (Vec::new(), Vec::new());
        let mut judge = |keyword: &str, order: Option<Ordering>, was: String, is: String| {
            let line = format!("`{keyword}` {was} → {is}");
            match order {
                Some(Ordering::Less) => looser.push(line),
                Some(Ordering::Greater) => tighter.push(line),
                Some(Ordering::Equal) => {}
                None => tighter.push(line),
            }
        };
        let text = |v: Option<String>| v.unwrap_or_else(|| "none".into());
        for (keyword, a, b) in [
            ("minLength", old.min_length, new.min_length),
            ("minItems", old.min_items, new.min_items),
        ] {
            let order = a.unwrap_or(0).cmp(&b.unwrap_or(0)).reverse();
            judge(
                keyword,
                Some(order),
                text(a.map(|n| n.to_string())),
                text(b.map(|n| n.to_string())),
            );
        }
        for (keyword, a, b) in [
            ("maxLength", old.max_length, new.max_length),
            ("maxItems", old.max_items, new.max_items),
        ] {
            let order = b.unwrap_or(u64::MAX).cmp(&a.unwrap_or(u64::MAX)).reverse();
            judge(
                keyword,
                Some(order),
                text(a.map(|n| n.to_string())),
                text(b.map(|n| n.to_string())),
            );
        }
        let bound = |b: Option<(f64, bool)>| {
            text(b.map(|(n, exclusive)| {
                if exclusive {
                    format!("{n} (exclusive)")
                } else {
                    n.to_string()
                }
            }))
        };
        // A bound as a point on the line: an exclusive one sits just inside its value.
        let lower = |b: Option<(f64, bool)>| b.map(|(n, x)| (n, x as u8));
        let upper = |b: Option<(f64, bool)>| b.map(|(n, x)| (-n, x as u8));
        let tightness = |a: Option<(f64, u8)>, b: Option<(f64, u8)>| match (a, b) {
            (None, None) => Some(Ordering::Equal),
            (None, Some(_)) => Some(Ordering::Greater),
            (Some(_), None) => Some(Ordering::Less),
            (Some(a), Some(b)) => b.partial_cmp(&a),
        };
        let order = tightness(lower(old.minimum), lower(new.minimum));
        judge("minimum", order, bound(old.minimum), bound(new.minimum));
        let order = tightness(upper(old.maximum), upper(new.maximum));
        judge("maximum", order, bound(old.maximum), bound(new.maximum));
        let order = match (&old.pattern, &new.pattern) {
            (a, b) if a == b => Some(Ordering::Equal),
            (Some(_), None) => Some(Ordering::Less),
            _ => None,
        };
        judge(
            "pattern",
            order,
            text(old.pattern.clone()),
            text(new.pattern.clone()),
        );
        if !tighter.is_empty() {
            self.push(
                "member-constraints-tightened",
                place.to_owned(),
                format!("member `{member}`: {}", tighter.join(", ")),
                way.when_sent(),
                Semver::Patch,
            );
        }
        if !looser.is_empty() {
            self.push(
                "member-constraints-loosened",
                place.to_owned(),
                format!("member `{member}`: {}", looser.join(", ")),
                way.when_received(Wire::StrictDecoders),
                Semver::Patch,
            );
        }
    }

    // ---- channels ---------------------------------------------------------------------

    fn channels(&mut self) {
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

    fn messages(&mut self, place: &str, old: &[Message], new: &[Message], sent: bool) {
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

    // ---- security and servers ---------------------------------------------------------

    fn security(&mut self) {
        let schemes = |api: &Api| -> BTreeMap<String, String> {
            api.security
                .iter()
                .map(|s| (s.key.clone(), format!("{:?}", s.kind)))
                .collect()
        };
        let (a, b) = (schemes(self.old), schemes(self.new));
        for (key, kind) in &a {
            match b.get(key) {
                None => self.push(
                    "security-scheme-removed",
                    format!("security scheme {key}"),
                    "removed".into(),
                    Wire::Breaking,
                    Semver::Major,
                ),
                Some(other) if other != kind => self.push(
                    "security-scheme-changed",
                    format!("security scheme {key}"),
                    "the key travels another way".into(),
                    Wire::Breaking,
                    Semver::Patch,
                ),
                Some(_) => {}
            }
        }
        for key in b.keys() {
            if !a.contains_key(key) {
                self.push(
                    "security-scheme-added",
                    format!("security scheme {key}"),
                    "added".into(),
                    Wire::Compatible,
                    Semver::Patch,
                );
            }
        }
    }

    fn servers(&mut self) {
        let first = |api: &Api| api.servers.first().map(|s| s.url.clone());
        let (a, b) = (first(self.old), first(self.new));
        if a != b {
            self.push(
                "server-changed",
                "servers".into(),
                format!(
                    "the default server `{}` is now `{}`",
                    a.unwrap_or_default(),
                    b.unwrap_or_default()
                ),
                Wire::Compatible,
                Semver::Patch,
            );
        }
    }
}

/// The old and new definitions when both types are inline ones (or lists of them), whose
/// insides are compared member by member rather than as a whole, wherever they are used.
fn inline_pair<'a>(
    old_api: &'a Api,
    new_api: &'a Api,
    old: &TypeRef,
    new: &TypeRef,
) -> Option<(&'a TypeKind, &'a TypeKind)> {
    match (old, new) {
        (TypeRef::Named(a), TypeRef::Named(b)) => {
            let (a, b) = (old_api.ty(*a), new_api.ty(*b));
            (!is_component(&a.origin) && !is_component(&b.origin)).then_some((&a.kind, &b.kind))
        }
        (TypeRef::Array(a), TypeRef::Array(b)) | (TypeRef::Nullable(a), TypeRef::Nullable(b)) => {
            inline_pair(old_api, new_api, a, b)
        }
        _ => None,
    }
}

/// A type in words that are the same in both versions for the same type: a named schema by
/// its name, an inline one by its shape (the generated names of inline types are numbered,
/// and a new one elsewhere shifts the numbers without changing anything on the wire).
fn describe(api: &Api, t: &TypeRef) -> String {
    describe_at(api, t, 0)
}

/// How deep inline shapes are spelled out; deeper ones are named by their kind only.
const SHAPE_DEPTH: usize = 3;

fn describe_at(api: &Api, t: &TypeRef, depth: usize) -> String {
    match t {
        TypeRef::Named(id) => {
            let def = api.ty(*id);
            if is_component(&def.origin) {
                return def.name.clone();
            }
            if depth >= SHAPE_DEPTH {
                return format!("an inline {}", kind(&def.kind));
            }
            shape(api, &def.kind, depth + 1)
        }
        TypeRef::Primitive(p) => format!("{p:?}").to_lowercase(),
        TypeRef::Array(inner) => format!("array of {}", describe_at(api, inner, depth)),
        TypeRef::Map(inner) => format!("map of {}", describe_at(api, inner, depth)),
        TypeRef::Nullable(inner) => format!("nullable {}", describe_at(api, inner, depth)),
        TypeRef::Any => "any JSON".into(),
    }
}

/// An inline type's shape: its members, values or variants, in a stable order.
fn shape(api: &Api, kind: &TypeKind, depth: usize) -> String {
    match kind {
        TypeKind::Struct(s) => {
            let mut members: Vec<String> = s
                .fields
                .iter()
                .map(|f| {
                    let mark = if f.required { "" } else { "?" };
                    format!("{}{mark}: {}", f.wire, describe_at(api, &f.ty, depth))
                })
                .collect();
            members.sort();
            format!("{{{}}}", members.join(", "))
        }
        TypeKind::Enum(e) => {
            let mut values: Vec<&str> = e.values.iter().map(|v| v.wire.as_str()).collect();
            values.sort_unstable();
            format!("one of [{}]", values.join(", "))
        }
        TypeKind::Union(u) => {
            let mut variants: Vec<String> = u
                .variants
                .iter()
                .map(|v| describe_at(api, &v.ty, depth))
                .collect();
            variants.sort();
            format!("any of [{}]", variants.join(" | "))
        }
        TypeKind::Alias(t) => describe_at(api, t, depth),
    }
}

fn kind(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "object",
        TypeKind::Enum(_) => "enum",
        TypeKind::Union(_) => "union",
        TypeKind::Alias(_) => "alias",
    }
}

fn location(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn status(s: Status) -> String {
    match s {
        Status::Code(c) => c.to_string(),
        Status::Range(r) => format!("{r}XX"),
        Status::Default => "default".into(),
    }
}
