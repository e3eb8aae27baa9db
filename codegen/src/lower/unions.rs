//! Unions that are simpler types written the long way, as Dropshot and many hand-written
//! specs write them:
//! - every member an object with the same required member holding one constant string
//!   (`state: {enum: [creating]}`): tagged like a union with a `discriminator`, so decoding
//!   reads the tag instead of trying each member in turn, and the members lose their
//!   one-value tag enums;
//! - every member a string enumeration (often one value each, with its own description):
//!   one enumeration of all their values.

use std::collections::BTreeSet;

use super::graph::{mentions, used_outside_unions};
use super::names::{self, Scope};
use super::schema::{FALLBACK_NAMES, is_component};
use crate::ir::{Api, Enum, EnumValue, TypeId, TypeKind, TypeRef, Union};

/// Gives every union that qualifies its implicit discriminator and tags.
pub(super) fn tag_implicitly(api: &mut Api) {
    let mut type_names = Scope::type_names();
    for def in &api.types {
        type_names.reserve(&def.name);
    }
    for i in 0..api.types.len() {
        let TypeKind::Union(u) = &api.types[i].kind else {
            continue;
        };
        if u.discriminator.is_some() {
            continue;
        }
        let Some((property, tags)) = implicit_tag(api, u) else {
            continue;
        };
        let members: Vec<TypeId> = u.variants.iter().filter_map(|v| named(&v.ty)).collect();
        // Tagged, the union no longer counts as a use of its members on their own; a
        // member used anywhere else keeps its tag member, as it is written there alone.
        set_discriminator(api, i, Some(property));
        if members
            .iter()
            .any(|id| used_outside_unions(api, *id) || in_other_unions(api, i, *id))
        {
            set_discriminator(api, i, None);
            continue;
        }
        let TypeKind::Union(u) = &mut api.types[i].kind else {
            unreachable!("checked above");
        };
        let mut scope = Scope::pascal();
        for (variant, tag) in u.variants.iter_mut().zip(tags) {
            variant.name = scope.claim(names::pascal(&tag, "Value", "Variant"));
            variant.tag = Some(tag);
        }
        u.fallback = scope.claim_first_free(FALLBACK_NAMES);
        // An inline member is named after its tag: `DiskState::Creating(DiskStateCreating)`.
        let union_name = api.types[i].name.clone();
        let renames: Vec<(TypeId, String)> = match &api.types[i].kind {
            TypeKind::Union(u) => u
                .variants
                .iter()
                .filter_map(|v| Some((named(&v.ty)?, format!("{union_name}{}", v.name))))
                .filter(|(id, _)| !is_component(&api.ty(*id).origin))
                .collect(),
            _ => Vec::new(),
        };
        for (id, name) in renames {
            api.types[id.0].name = type_names.claim(name);
        }
    }
}

fn set_discriminator(api: &mut Api, at: usize, property: Option<String>) {
    if let TypeKind::Union(u) = &mut api.types[at].kind {
        u.discriminator = property;
    }
}

/// The member every variant of `u` requires with one constant string, distinct across
/// the variants, and those strings in variant order.
fn implicit_tag(api: &Api, u: &Union) -> Option<(String, Vec<String>)> {
    if u.variants.is_empty() {
        return None;
    }
    let mut structs = Vec::new();
    for v in &u.variants {
        match &api.ty(named(&v.ty)?).kind {
            TypeKind::Struct(s) if !s.fields.iter().any(|f| f.flatten) => structs.push(s),
            _ => return None,
        }
    }
    let constant = |s: &crate::ir::Struct, wire: &str| {
        let field = s.fields.iter().find(|f| f.wire == wire)?;
        if !field.required || field.nullable {
            return None;
        }
        match &api.ty(named(&field.ty)?).kind {
            TypeKind::Enum(e) if e.values.len() == 1 => Some(e.values[0].wire.clone()),
            _ => None,
        }
    };
    structs[0].fields.iter().find_map(|candidate| {
        let tags: Vec<String> = structs
            .iter()
            .map(|s| constant(s, &candidate.wire))
            .collect::<Option<_>>()?;
        let distinct: BTreeSet<&String> = tags.iter().collect();
        (distinct.len() == tags.len()).then(|| (candidate.wire.clone(), tags))
    })
}

/// Whether a union other than the one at `this` names `id` as a variant.
fn in_other_unions(api: &Api, this: usize, id: TypeId) -> bool {
    api.types.iter().enumerate().any(|(i, d)| {
        i != this
            && matches!(&d.kind, TypeKind::Union(u) if u.variants.iter().any(|v| mentions(&v.ty, id)))
    })
}

fn named(t: &TypeRef) -> Option<TypeId> {
    match t {
        TypeRef::Named(id) => Some(*id),
        _ => None,
    }
}

/// Turns every untagged union of string enumerations with distinct values into one
/// enumeration; a member's description documents its value when it has one value.
pub(super) fn enums_of_constants(api: &mut Api) {
    for i in 0..api.types.len() {
        let TypeKind::Union(u) = &api.types[i].kind else {
            continue;
        };
        if u.discriminator.is_some() {
            continue;
        }
        if let Some(merged) = enum_of(api, u) {
            api.types[i].kind = TypeKind::Enum(merged);
        }
    }
}

fn enum_of(api: &Api, u: &Union) -> Option<Enum> {
    let mut scope = Scope::pascal();
    let mut seen = BTreeSet::new();
    let mut values = Vec::new();
    for v in &u.variants {
        let TypeKind::Enum(e) = &api.ty(named(&v.ty)?).kind else {
            return None;
        };
        for value in &e.values {
            if !seen.insert(value.wire.clone()) {
                return None;
            }
            let own = (e.values.len() == 1).then(|| v.docs.description.clone());
            values.push(EnumValue {
                name: scope.claim(names::pascal(
                    &value.wire,
                    "Value",
                    &format!("Value{}", values.len() + 1),
                )),
                wire: value.wire.clone(),
                description: own.flatten().or_else(|| value.description.clone()),
            });
        }
    }
    let fallback = scope.claim_first_free(FALLBACK_NAMES);
    Some(Enum {
        // As for any enumeration, a constant's one value is its default.
        default: (values.len() == 1).then_some(0),
        values,
        fallback,
    })
}
