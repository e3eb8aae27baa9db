//! Which named types a client sends and which it receives: a change inside a type means
//! different things on the wire in each direction.

use std::collections::BTreeSet;

use std::collections::BTreeMap;

use super::model::{Change, Report, Wire};
use crate::ir::{Api, Operation, TypeId, TypeKind, TypeRef};

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
            sent.extend(sent_by(op));
            received.extend(received_by(op));
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

/// The operations that wire-breaking changes reach, by operation id, each with those
/// changes: the changes to the operation itself, and the changes to the named types its
/// requests or responses contain in either version.
pub fn breaking_operations<'r>(
    report: &'r Report,
    old: &Api,
    new: &Api,
) -> BTreeMap<String, Vec<&'r Change>> {
    let mut by_type: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    let mut out: BTreeMap<String, Vec<&Change>> = BTreeMap::new();
    for change in report.changes.iter().filter(|c| c.wire == Wire::Breaking) {
        let subject = change.place.split(',').next().unwrap_or_default();
        if let Some(id) = subject.strip_prefix("operation ") {
            out.entry(id.to_owned()).or_default().push(change);
        } else if let Some(name) = subject.strip_prefix("type ") {
            by_type.entry(name).or_default().push(change);
        }
    }
    if by_type.is_empty() {
        return out;
    }
    for api in [old, new] {
        for op in &api.operations {
            let roots = sent_by(op).chain(received_by(op)).collect();
            for name in reachable(api, roots) {
                for change in by_type.get(name.as_str()).into_iter().flatten() {
                    let changes = out.entry(op.id.clone()).or_default();
                    if !changes.iter().any(|c| std::ptr::eq(*c, *change)) {
                        changes.push(change);
                    }
                }
            }
        }
    }
    out
}

fn sent_by(op: &Operation) -> impl Iterator<Item = &TypeRef> {
    op.params
        .iter()
        .map(|p| &p.ty)
        .chain(op.body.iter().map(|b| &b.ty))
}

fn received_by(op: &Operation) -> impl Iterator<Item = &TypeRef> {
    op.responses.iter().flat_map(|r| {
        r.body
            .iter()
            .map(|b| &b.ty)
            .chain(r.headers.iter().map(|h| &h.ty))
    })
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
