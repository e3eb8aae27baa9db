//! Which named types a client sends and which it receives: a change inside a type means
//! different things on the wire in each direction.

use std::collections::BTreeSet;

use crate::ir::{Api, TypeId, TypeKind, TypeRef};

/// The names of the types reachable from what a client sends, and from what it receives.
#[derive(Debug, Default)]
pub struct Usage {
    pub sent: BTreeSet<String>,
    pub received: BTreeSet<String>,
}

impl Usage {
    pub fn of(api: &Api) -> Self {
        let mut sent = Vec::new();
        let mut received = Vec::new();
        for op in &api.operations {
            sent.extend(op.params.iter().map(|p| &p.ty));
            sent.extend(op.body.iter().map(|b| &b.ty));
            for r in &op.responses {
                received.extend(r.body.iter().map(|b| &b.ty));
                received.extend(r.headers.iter().map(|h| &h.ty));
            }
        }
        for c in &api.channels {
            sent.extend(c.params.iter().map(|p| &p.ty));
            sent.extend(c.outgoing.iter().map(|m| &m.payload));
            received.extend(c.incoming.iter().map(|m| &m.payload));
        }
        Self {
            sent: reachable(api, sent),
            received: reachable(api, received),
        }
    }
}

fn reachable(api: &Api, roots: Vec<&TypeRef>) -> BTreeSet<String> {
    let mut seen: BTreeSet<TypeId> = BTreeSet::new();
    let mut stack: Vec<TypeId> = Vec::new();
    for t in roots {
        named(t, &mut stack);
    }
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match &api.ty(id).kind {
            TypeKind::Struct(s) => {
                for f in &s.fields {
                    named(&f.ty, &mut stack);
                }
                if let Some(extra) = &s.extra {
                    named(extra, &mut stack);
                }
            }
            TypeKind::Union(u) => {
                for v in &u.variants {
                    named(&v.ty, &mut stack);
                }
            }
            TypeKind::Alias(t) => named(t, &mut stack),
            TypeKind::Enum(_) => {}
        }
    }
    seen.into_iter().map(|id| api.ty(id).name.clone()).collect()
}

fn named(t: &TypeRef, out: &mut Vec<TypeId>) {
    match t {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => named(inner, out),
        TypeRef::Primitive(_) | TypeRef::Any => {}
    }
}
