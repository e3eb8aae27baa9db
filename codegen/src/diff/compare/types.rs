//! Named types compared: their kinds, members, values, variants and constraints.

use std::collections::BTreeMap;

use super::describe::{describe, inline_pair, kind};
use super::limits::Limits;
use super::{Diff, Direction};
use crate::diff::model::{Semver, Wire};
use crate::ir::{Api, Constraints, Field, TypeDef, TypeKind};
use crate::lower::is_component;

impl Diff<'_> {
    pub(super) fn types(&mut self) {
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

    pub(super) fn type_def(&mut self, old: &TypeDef, new: &TypeDef) {
        let place = format!("type {}", new.name);
        let way = self.direction(&new.name);
        self.kinds(place, way, &old.kind, &new.kind);
    }

    /// The inside of a type: members, values, variants or target.
    pub(super) fn kinds(&mut self, place: String, way: Direction, old: &TypeKind, new: &TypeKind) {
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
    pub(super) fn alternatives(
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
    pub(super) fn members(&mut self, place: &str, way: Direction, old: &[Field], new: &[Field]) {
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
            self.member_changed(place, wire, way, before, f);
        }
    }

    /// A member in both versions: its type, limits, and whether it is required or nullable.
    fn member_changed(
        &mut self,
        place: &str,
        wire: &str,
        way: Direction,
        before: &Field,
        f: &Field,
    ) {
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
            return;
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

    /// Limits on a member's values: tighter ones refuse values old clients may send, looser
    /// ones let the server send values that readers which validate refuse.
    pub(super) fn constraints(
        &mut self,
        place: &str,
        member: &str,
        way: Direction,
        old: &Constraints,
        new: &Constraints,
    ) {
        let Limits { tighter, looser } = Limits::compare(old, new);
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
}
