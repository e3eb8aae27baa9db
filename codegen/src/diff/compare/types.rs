//! Named types compared: their kinds, members, values, variants and constraints.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::describe::{describe, inline_pair, kind};
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
    pub(super) fn constraints(
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
}
