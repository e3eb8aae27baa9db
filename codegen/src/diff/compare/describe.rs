//! Types, parameter locations and statuses in the words a change report uses, the same in
//! both versions for the same thing.

use crate::ir::{Api, ParamLocation, Status, TypeKind, TypeRef};
use crate::lower::is_component;

/// The old and new definitions when both types are inline ones (or lists of them), whose
/// insides are compared member by member rather than as a whole, wherever they are used.
pub(super) fn inline_pair<'a>(
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
pub(super) fn describe(api: &Api, t: &TypeRef) -> String {
    describe_at(api, t, 0)
}

/// How deep inline shapes are spelled out; deeper ones are named by their kind only.
const SHAPE_DEPTH: usize = 3;

pub(super) fn describe_at(api: &Api, t: &TypeRef, depth: usize) -> String {
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
pub(super) fn shape(api: &Api, kind: &TypeKind, depth: usize) -> String {
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

pub(super) fn kind(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "object",
        TypeKind::Enum(_) => "enum",
        TypeKind::Union(_) => "union",
        TypeKind::Alias(_) => "alias",
    }
}

pub(super) fn location(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

pub(super) fn status(s: Status) -> String {
    match s {
        Status::Code(c) => c.to_string(),
        Status::Range(r) => format!("{r}XX"),
        Status::Default => "default".into(),
    }
}
