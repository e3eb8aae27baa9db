//! Whether a type still fits after it was replaced by another: every value valid for one is
//! accepted by the other, as a generated client reads and writes it. A retyped member,
//! body or parameter keeps working in the direction where it fits: what a client sends must
//! fit the new type, what it receives the old one.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Api, Field, Primitive, Struct, TypeId, TypeKind, TypeRef};

/// Compares types of two APIs: values of types of `from` against types of `into`.
pub struct Fit<'a> {
    from: &'a Api,
    into: &'a Api,
    /// Pairs of named types under comparison: met again, they are assumed to fit (the
    /// types are recursive, and any difference shows where the recursion ends).
    open: BTreeSet<(TypeId, TypeId)>,
}

impl<'a> Fit<'a> {
    pub fn new(from: &'a Api, into: &'a Api) -> Self {
        Self {
            from,
            into,
            open: BTreeSet::new(),
        }
    }

    /// Whether every value of `from` is a value of `into`.
    pub fn refs(&mut self, from: &TypeRef, into: &TypeRef) -> bool {
        let (from_api, into_api) = (self.from, self.into);
        match (from, into) {
            (_, TypeRef::Any) => true,
            (TypeRef::Any, _) => false,
            (TypeRef::Nullable(a), TypeRef::Nullable(b)) => self.refs(a, b),
            (_, TypeRef::Nullable(b)) => self.refs(from, b),
            (TypeRef::Nullable(_), _) => false,
            (TypeRef::Array(a), TypeRef::Array(b)) | (TypeRef::Map(a), TypeRef::Map(b)) => {
                self.refs(a, b)
            }
            (TypeRef::Primitive(a), TypeRef::Primitive(b)) => primitive(*a, *b),
            (TypeRef::Named(a), TypeRef::Named(b)) => self.named(*a, *b),
            (TypeRef::Named(a), _) => match &from_api.ty(*a).kind {
                TypeKind::Alias(t) => self.refs(t, into),
                TypeKind::Enum(_) => matches!(into, TypeRef::Primitive(Primitive::String)),
                TypeKind::Union(u) => u.variants.iter().all(|v| self.refs(&v.ty, into)),
                TypeKind::Struct(_) => false,
            },
            (_, TypeRef::Named(b)) => match &into_api.ty(*b).kind {
                TypeKind::Alias(t) => self.refs(from, t),
                TypeKind::Union(u) => u.variants.iter().any(|v| self.refs(from, &v.ty)),
                TypeKind::Enum(_) | TypeKind::Struct(_) => false,
            },
            _ => false,
        }
    }

    fn named(&mut self, a: TypeId, b: TypeId) -> bool {
        if !self.open.insert((a, b)) {
            return true;
        }
        let (from, into) = (self.from, self.into);
        let fits = self.kinds(&from.ty(a).kind, &into.ty(b).kind);
        self.open.remove(&(a, b));
        fits
    }

    /// Whether every value of a type defined as `from` is a value of one defined as `into`.
    pub fn kinds(&mut self, from: &TypeKind, into: &TypeKind) -> bool {
        match (from, into) {
            (TypeKind::Alias(t), _) => match into {
                TypeKind::Alias(u) => self.refs(t, u),
                _ => self.refs_into_kind(t, into),
            },
            (_, TypeKind::Alias(u)) => self.kind_into_refs(from, u),
            (TypeKind::Enum(x), TypeKind::Enum(y)) => x
                .values
                .iter()
                .all(|v| y.values.iter().any(|w| w.wire == v.wire)),
            (TypeKind::Union(u), _) => u.variants.iter().all(|v| self.refs_into_kind(&v.ty, into)),
            (_, TypeKind::Union(u)) => u.variants.iter().any(|v| self.kind_into_refs(from, &v.ty)),
            (TypeKind::Struct(x), TypeKind::Struct(y)) => self.members(x, y),
            _ => false,
        }
    }

    fn refs_into_kind(&mut self, from: &TypeRef, into: &TypeKind) -> bool {
        let api = self.from;
        match (crate::ir::resolve(&api.types, from), into) {
            (TypeRef::Named(a), _) => self.kinds(&api.ty(*a).kind, into),
            (from, TypeKind::Alias(u)) => self.refs(from, u),
            (from, TypeKind::Union(u)) => u.variants.iter().any(|v| self.refs(from, &v.ty)),
            _ => false,
        }
    }

    fn kind_into_refs(&mut self, from: &TypeKind, into: &TypeRef) -> bool {
        let api = self.into;
        match (from, crate::ir::resolve(&api.types, into)) {
            (_, TypeRef::Named(b)) => self.kinds(from, &api.ty(*b).kind),
            (_, TypeRef::Any) => true,
            (TypeKind::Alias(t), into) => self.refs(t, into),
            (TypeKind::Union(u), into) => u.variants.iter().all(|v| self.refs(&v.ty, into)),
            (TypeKind::Enum(_), into) => matches!(into, TypeRef::Primitive(Primitive::String)),
            _ => false,
        }
    }

    /// An object fits another when it has every member the other requires, and each
    /// member both have fits (extra members are ignored by readers).
    fn members(&mut self, from: &Struct, into: &Struct) -> bool {
        let (from_api, into_api) = (self.from, self.into);
        let (Some(from), Some(into)) = (members(from_api, from), members(into_api, into)) else {
            return false;
        };
        into.iter().all(|(wire, want)| match from.get(wire) {
            None => !want.required,
            Some(have) => {
                (have.required || !want.required)
                    && (!have.nullable || want.nullable || !want.required)
                    && self.refs(&have.ty, &want.ty)
            }
        })
    }
}

/// The members of an object by wire name, those of flattened parts included; `None` when a
/// flattened part is not an object.
fn members<'a>(api: &'a Api, object: &'a Struct) -> Option<BTreeMap<&'a str, &'a Field>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![object];
    let mut seen = BTreeSet::new();
    while let Some(object) = stack.pop() {
        for f in &object.fields {
            if !f.flatten {
                out.insert(f.wire.as_str(), f);
                continue;
            }
            match crate::ir::resolve(&api.types, &f.ty) {
                TypeRef::Named(inner) if seen.insert(*inner) => match &api.ty(*inner).kind {
                    TypeKind::Struct(s) => stack.push(s),
                    _ => return None,
                },
                TypeRef::Named(_) => {}
                _ => return None,
            }
        }
    }
    Some(out)
}

/// Whether a JSON value read as `from` is also read as `into`.
fn primitive(from: Primitive, into: Primitive) -> bool {
    use Primitive::*;
    from == into
        || matches!(
            (from, into),
            (I32, I64 | F64)
                | (I64 | U64 | F32, F64)
                | (DateTime | Date | Uuid | Base64 | Uri, String)
        )
}
