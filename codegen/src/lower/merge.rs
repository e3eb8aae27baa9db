//! Inline enums with the same values are one type, and so are inline structs with the same
//! members. Real specs repeat small enums inline
//! everywhere (GitHub's writes `read`/`write` 722 times); each would otherwise be a type of
//! its own, with its own impls to compile.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use super::graph::renumber_all;
use super::schema::is_component;
use crate::ir::{Api, Constraints, Struct, TypeId, TypeKind, TypeRef};

/// Points every use of an inline enum of two or more values at the first enum with the same
/// values and default: a
/// schema's own (named in `components`) when there is one, else the first inline one. The
/// enums left without a use are dropped afterwards with the other unused types. A merged
/// enum keeps a description only when all its copies had the same one.
pub(super) fn same_enums(api: &mut Api) {
    let mut first: HashMap<(Vec<&str>, Option<usize>), TypeId> = HashMap::new();
    let mut remap = vec![None; api.types.len()];
    // Schemas' own enums first, so that inline copies join them.
    let order = (0..api.types.len())
        .filter(|i| is_component(&api.types[*i].origin))
        .chain((0..api.types.len()).filter(|i| !is_component(&api.types[*i].origin)));
    for i in order {
        let def = &api.types[i];
        // A one-value enum is a constant, often a message's tag: its own name says more.
        let TypeKind::Enum(e) = &def.kind else {
            continue;
        };
        if e.values.len() < 2 {
            continue;
        }
        let key = (
            e.values.iter().map(|v| v.wire.as_str()).collect(),
            e.default,
        );
        match first.get(&key) {
            Some(keep) if !is_component(&def.origin) => remap[i] = Some(*keep),
            Some(_) => {}
            None => {
                first.insert(key, TypeId(i));
            }
        }
    }
    if remap.iter().all(Option::is_none) {
        return;
    }
    // A description that differs between copies describes none of them.
    let mut descriptions: HashMap<TypeId, Option<String>> = HashMap::new();
    for (i, keep) in remap.iter().enumerate() {
        if let Some(keep) = keep {
            let own = api.types[keep.0].docs.description.clone();
            let entry = descriptions.entry(*keep).or_insert(own);
            if *entry != api.types[i].docs.description {
                *entry = None;
            }
        }
    }
    for (keep, description) in descriptions {
        if !is_component(&api.types[keep.0].origin) {
            api.types[keep.0].docs.description = description;
        }
    }
    renumber_all(api, &remap);
}

/// Points every use of an inline struct at the first struct with the same members (a
/// schema's own when there is one), repeated until nothing changes, since merging members'
/// types can make their holders the same. A tagged union's members stay apart: their tag is
/// their identity. Member descriptions that differ between copies are dropped.
pub(super) fn same_structs(api: &mut Api) {
    let tagged = tagged_members(api);
    let mut merged = vec![false; api.types.len()];
    loop {
        let mut first: HashMap<_, TypeId> = HashMap::new();
        let mut remap = vec![None; api.types.len()];
        let order = (0..api.types.len())
            .filter(|i| is_component(&api.types[*i].origin))
            .chain((0..api.types.len()).filter(|i| !is_component(&api.types[*i].origin)));
        for i in order {
            let TypeKind::Struct(s) = &api.types[i].kind else {
                continue;
            };
            if merged[i] || tagged.contains(&TypeId(i)) || s.multipart || s.fields.is_empty() {
                continue;
            }
            match first.entry(shape(s)) {
                Entry::Occupied(keep) if !is_component(&api.types[i].origin) => {
                    remap[i] = Some(*keep.get());
                    merged[i] = true;
                }
                Entry::Occupied(_) => {}
                Entry::Vacant(slot) => {
                    slot.insert(TypeId(i));
                }
            }
        }
        if remap.iter().all(Option::is_none) {
            return;
        }
        keep_agreed_docs(api, &remap);
        renumber_all(api, &remap);
    }
}

/// What makes two structs the same Rust type: everything about their members but the docs
/// (each member's, and the type of the extra members). Borrowed and hashed as it is: a
/// key written out as text was most of this pass's time.
fn shape(s: &Struct) -> (Vec<FieldShape<'_>>, Option<&TypeRef>) {
    let fields = s
        .fields
        .iter()
        .map(|f| FieldShape {
            wire: &f.wire,
            name: &f.name,
            ty: &f.ty,
            flags: [
                f.required,
                f.nullable,
                f.flatten,
                f.read_only,
                f.empty_is_valid,
            ],
            // Defaults are few; their text keeps the key's notion of "the same" (member
            // order included, which `Value`'s equality ignores).
            default: f.default.as_ref().map(|d| format!("{d:?}")),
            constraints: Limits::of(&f.constraints),
        })
        .collect();
    (fields, s.extra.as_ref())
}

/// A member as [`shape`] compares it.
#[derive(PartialEq, Eq, Hash)]
struct FieldShape<'a> {
    wire: &'a str,
    name: &'a str,
    ty: &'a TypeRef,
    flags: [bool; 5],
    default: Option<String>,
    constraints: Limits<'a>,
}

/// A member's [`Constraints`], with the bounds by their bits (as their text would tell
/// them apart: `0.0` from `-0.0`).
#[derive(PartialEq, Eq, Hash)]
struct Limits<'a> {
    counts: [Option<u64>; 4],
    bounds: [Option<(u64, bool)>; 2],
    pattern: Option<&'a str>,
    format: Option<&'a str>,
    items: Option<Box<Limits<'a>>>,
}

impl<'a> Limits<'a> {
    fn of(c: &'a Constraints) -> Self {
        let bits = |b: Option<(f64, bool)>| b.map(|(v, exclusive)| (v.to_bits(), exclusive));
        Limits {
            counts: [c.min_length, c.max_length, c.min_items, c.max_items],
            bounds: [bits(c.minimum), bits(c.maximum)],
            pattern: c.pattern.as_deref(),
            format: c.format.as_deref(),
            items: c.items.as_deref().map(|items| Box::new(Limits::of(items))),
        }
    }
}

/// The structs that are members of a tagged union.
fn tagged_members(api: &Api) -> HashSet<TypeId> {
    let mut out = HashSet::new();
    for def in &api.types {
        if let TypeKind::Union(u) = &def.kind
            && u.discriminator.is_some()
        {
            out.extend(u.variants.iter().filter_map(|v| match v.ty {
                TypeRef::Named(id) => Some(id),
                _ => None,
            }));
        }
    }
    out
}

/// Keeps a kept inline struct's description, and each member's, only where every copy
/// merged into it agrees.
fn keep_agreed_docs(api: &mut Api, remap: &[Option<TypeId>]) {
    for (i, keep) in remap.iter().enumerate() {
        let Some(keep) = keep else { continue };
        if is_component(&api.types[keep.0].origin) {
            continue;
        }
        let copy = api.types[i].clone();
        let kept = &mut api.types[keep.0];
        if kept.docs.description != copy.docs.description {
            kept.docs.description = None;
        }
        if let (TypeKind::Struct(kept), TypeKind::Struct(copy)) = (&mut kept.kind, &copy.kind) {
            for (k, c) in kept.fields.iter_mut().zip(&copy.fields) {
                if k.docs.description != c.docs.description {
                    k.docs.description = None;
                }
            }
        }
    }
}
