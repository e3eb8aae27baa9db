//! How types refer to each other: which types a type mentions, where a type is used, and
//! renumbering every use when types are merged or dropped.

use crate::ir::{Api, TypeId, TypeKind, TypeRef};

/// Points every use of a type at `remap[id]` where that is set.
pub(super) fn renumber_all(api: &mut Api, remap: &[Option<TypeId>]) {
    let fix = |t: &mut TypeRef| renumber(t, remap);
    for def in &mut api.types {
        match &mut def.kind {
            TypeKind::Struct(s) => {
                s.fields.iter_mut().for_each(|f| fix(&mut f.ty));
                s.extra.iter_mut().for_each(fix);
            }
            TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| fix(&mut v.ty)),
            TypeKind::Alias(t) => fix(t),
            TypeKind::Enum(_) => {}
        }
    }
    for op in &mut api.operations {
        op.params.iter_mut().for_each(|p| fix(&mut p.ty));
        op.body.iter_mut().for_each(|b| fix(&mut b.ty));
        for r in &mut op.responses {
            r.body.iter_mut().for_each(|b| fix(&mut b.ty));
            r.headers.iter_mut().for_each(|h| fix(&mut h.ty));
        }
    }
    for set in &mut api.header_sets {
        set.headers.iter_mut().for_each(|h| fix(&mut h.ty));
    }
    for c in &mut api.channels {
        c.params.iter_mut().for_each(|p| fix(&mut p.ty));
        c.outgoing
            .iter_mut()
            .chain(&mut c.incoming)
            .for_each(|m| fix(&mut m.payload));
    }
}

/// Which types `roots` reach, through members, variants and aliases.
pub(crate) fn reachable(api: &Api, mut stack: Vec<TypeId>) -> Vec<bool> {
    let mut seen = vec![false; api.types.len()];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.0], true) {
            continue;
        }
        match &api.types[id.0].kind {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| named_in(&f.ty, &mut stack));
                s.extra.iter().for_each(|t| named_in(t, &mut stack));
            }
            TypeKind::Union(u) => u.variants.iter().for_each(|v| named_in(&v.ty, &mut stack)),
            TypeKind::Alias(t) => named_in(t, &mut stack),
            TypeKind::Enum(_) => {}
        }
    }
    seen
}

/// The named types `t` mentions (through arrays, maps and nullables).
pub(crate) fn named_in(t: &TypeRef, out: &mut Vec<TypeId>) {
    match t {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Array(i) | TypeRef::Map(i) | TypeRef::Nullable(i) => named_in(i, out),
        TypeRef::Primitive(_) | TypeRef::Any => {}
    }
}

fn renumber(t: &mut TypeRef, remap: &[Option<TypeId>]) {
    match t {
        TypeRef::Named(id) => {
            if let Some(new) = remap[id.0] {
                *id = new;
            }
        }
        TypeRef::Array(i) | TypeRef::Map(i) | TypeRef::Nullable(i) => renumber(i, remap),
        TypeRef::Primitive(_) | TypeRef::Any => {}
    }
}

pub(super) fn used_outside_unions(api: &Api, id: TypeId) -> bool {
    any_use_outside_unions(api, |t| mentions(t, id))
}

/// Whether `hit` holds for a use of a type outside tagged unions: a struct member, an
/// alias, an untagged union's variant, an operation's parameter, body or response.
pub(super) fn any_use_outside_unions(api: &Api, mut hit: impl FnMut(&TypeRef) -> bool) -> bool {
    api.types.iter().any(|d| match &d.kind {
        TypeKind::Struct(s) => s.fields.iter().any(|f| hit(&f.ty)),
        TypeKind::Alias(t) => hit(t),
        TypeKind::Union(u) => u.discriminator.is_none() && u.variants.iter().any(|v| hit(&v.ty)),
        TypeKind::Enum(_) => false,
    }) || api.operations.iter().any(|op| {
        op.params.iter().any(|p| hit(&p.ty))
            || op.body.iter().any(|b| hit(&b.ty))
            || op
                .responses
                .iter()
                .any(|r| r.body.iter().any(|b| hit(&b.ty)))
    })
}

pub(super) fn mentions(t: &TypeRef, id: TypeId) -> bool {
    match t {
        TypeRef::Named(x) => *x == id,
        TypeRef::Array(i) | TypeRef::Map(i) | TypeRef::Nullable(i) => mentions(i, id),
        TypeRef::Primitive(_) | TypeRef::Any => false,
    }
}
