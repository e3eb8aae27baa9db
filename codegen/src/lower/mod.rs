//! Stage 2: documents to the IR. Naming, de-duplication and the mapping of JSON Schema to
//! types live here, once, for every kind of document.

mod asyncapi;
mod forms;
pub(crate) mod graph;
mod merge;
pub mod names;
mod openapi;
mod schema;
mod shape_31;
mod sizes;
mod unions;

use std::collections::{BTreeSet, HashSet};

pub use asyncapi::Perspective;
pub use schema::Flags;
pub(crate) use schema::is_component;

use crate::diag::{Diagnostic, Diagnostics, Location, Severity};
use crate::ir::{Api, TypeId, TypeKind, TypeRef};
use crate::load::Sources;
use graph::{any_use_outside_unions, named_in, renumber_all};

/// Lowers an OpenAPI document (3.0, or 3.1 rewritten into 3.0 spelling) into the IR.
pub fn lower_openapi(sources: Sources, flags: &Flags) -> Result<Api, Diagnostics> {
    let root = sources.root_location();
    lower_documents(sources, Some(&root), None, flags, Perspective::default())
}

/// Lowers an OpenAPI document, an AsyncAPI document, or both (loaded into one
/// [`Sources`], so that a schema both use becomes one type) into one IR.
pub fn lower_documents(
    mut sources: Sources,
    openapi: Option<&Location>,
    asyncapi: Option<&Location>,
    flags: &Flags,
    perspective: Perspective,
) -> Result<Api, Diagnostics> {
    let mut rewrites = Vec::new();
    if let Some(root) = openapi {
        let version = sources
            .get(&root.join("openapi"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if !version.starts_with("3.") {
            let found = if version.is_empty() {
                "no `openapi` member".to_owned()
            } else {
                format!("`openapi: {version}`")
            };
            return Err(Diagnostic::error(
                &root.join("openapi"),
                format!("expected an OpenAPI 3.0 or 3.1 document, found {found}"),
            )
            .into());
        }
        if version.starts_with("3.1") {
            rewrites.extend(shape_31::openapi(&mut sources, root));
        }
    }
    if let Some(root) = asyncapi {
        // AsyncAPI payloads are JSON Schema: read them the way 3.1 documents are read.
        rewrites.extend(shape_31::asyncapi(&mut sources, root));
    }
    let mut api = Api::default();
    let mut types = schema::Types::new(&sources, flags);
    types.diags = rewrites;
    if let Some(root) = openapi
        && let Err(d) = openapi::lower(&mut types, &mut api, root)
    {
        types.diags.push(d);
    }
    if let Some(root) = asyncapi
        && let Err(d) = asyncapi::lower(&mut types, &mut api, root, perspective)
    {
        types.diags.push(d);
    }
    names::name_channel_methods(&mut api);
    // Once every use of every type is known.
    forms::mark_multipart(&mut types, &mut api);
    api.types = std::mem::take(&mut types.defs);
    let diags = std::mem::take(&mut types.diags);
    finish(api, diags)
}

/// Shared final passes; fails when any error was recorded.
pub(crate) fn finish(mut api: Api, mut diags: Vec<Diagnostic>) -> Result<Api, Diagnostics> {
    unions::tag_implicitly(&mut api);
    unions::enums_of_constants(&mut api);
    strip_discriminators(&mut api, &mut diags);
    merge::same_enums(&mut api);
    merge::same_structs(&mut api);
    drop_unused(&mut api);
    box_cycles(&mut api);
    sizes::box_large_variants(&mut api);
    alias_cycles(&api, &mut diags);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        diags.sort_by_key(|d| std::cmp::Reverse(d.severity));
        return Err(Diagnostics(diags));
    }
    api.warnings = diags;
    Ok(api)
}

/// Removes the inline types nothing uses any more (such as the tag member of a tagged
/// union's variants); named component schemas always stay.
fn drop_unused(api: &mut Api) {
    let mut stack: Vec<TypeId> = api
        .types
        .iter()
        .enumerate()
        .filter(|(_, t)| schema::is_component(&t.origin))
        .map(|(i, _)| TypeId(i))
        .collect();
    let mut roots = Vec::new();
    for op in &api.operations {
        roots.extend(op.params.iter().map(|p| &p.ty));
        roots.extend(op.body.iter().map(|b| &b.ty));
        for r in &op.responses {
            roots.extend(r.body.iter().map(|b| &b.ty));
            roots.extend(r.headers.iter().map(|h| &h.ty));
        }
    }
    for c in &api.channels {
        roots.extend(c.params.iter().map(|p| &p.ty));
        roots.extend(c.outgoing.iter().chain(&c.incoming).map(|m| &m.payload));
    }
    for t in roots {
        named_in(t, &mut stack);
    }
    let used = graph::reachable(api, stack);
    if used.iter().all(|u| *u) {
        return;
    }
    let mut remap = vec![None; used.len()];
    let mut next = 0;
    for (i, keep) in used.iter().enumerate() {
        if *keep {
            remap[i] = Some(TypeId(next));
            next += 1;
        }
    }
    let old = std::mem::take(&mut api.types);
    api.types = old
        .into_iter()
        .zip(&used)
        .filter(|(_, keep)| **keep)
        .map(|(t, _)| t)
        .collect();
    renumber_all(api, &remap);
}

/// `A: {$ref: B}`, `B: {$ref: A}` names no type at all.
fn alias_cycles(api: &Api, diags: &mut Vec<Diagnostic>) {
    for (i, def) in api.types.iter().enumerate() {
        let mut current = &def.kind;
        for _ in 0..api.types.len() {
            match current {
                TypeKind::Alias(TypeRef::Named(next)) if next.0 == i => {
                    diags.push(Diagnostic::error(
                        &def.origin,
                        format!(
                            "`{}` is defined only through references that lead back to it",
                            def.name
                        ),
                    ));
                    break;
                }
                TypeKind::Alias(TypeRef::Named(next)) => current = &api.ty(*next).kind,
                _ => break,
            }
        }
    }
}

/// A tagged union writes the tag itself, so its variant structs must not carry it too.
fn strip_discriminators(api: &mut Api, diags: &mut Vec<Diagnostic>) {
    let mut strip: Vec<(TypeId, String)> = Vec::new();
    for def in &api.types {
        if let TypeKind::Union(u) = &def.kind
            && let Some(prop) = &u.discriminator
        {
            for v in &u.variants {
                if let TypeRef::Named(id) = v.ty {
                    strip.push((id, prop.clone()));
                }
            }
        }
    }
    // One walk of the uses, not one per member (Microsoft Graph's unions have thousands);
    // the members in type order, so that the warnings come in the same order every run.
    let mut used = Vec::new();
    any_use_outside_unions(api, |t| {
        named_in(t, &mut used);
        false
    });
    let used: HashSet<TypeId> = used.into_iter().collect();
    let members: BTreeSet<TypeId> = strip.iter().map(|(id, _)| *id).collect();
    for id in &members {
        if used.contains(id) {
            let def = api.ty(*id);
            diags.push(Diagnostic::warning(
                &def.origin,
                format!(
                    "`{}` is a variant of a tagged union and is also used on its own; \
                     its discriminator member is written by the union only",
                    def.name
                ),
            ));
        }
    }
    for (id, prop) in strip {
        if let TypeKind::Struct(s) = &mut api.types[id.0].kind {
            s.fields.retain(|f| f.wire != prop);
        }
    }
}

/// The named type a value of `t` holds inline (not behind a `Vec` or map).
fn direct(t: &TypeRef) -> Option<TypeId> {
    match t {
        TypeRef::Named(id) => Some(*id),
        TypeRef::Nullable(inner) => direct(inner),
        _ => None,
    }
}

/// Marks the fields and variants that would make a type contain itself.
fn box_cycles(api: &mut Api) {
    let edges: Vec<Vec<TypeId>> = api
        .types
        .iter()
        .map(|d| match &d.kind {
            TypeKind::Struct(s) => s.fields.iter().filter_map(|f| direct(&f.ty)).collect(),
            TypeKind::Union(u) => u.variants.iter().filter_map(|v| direct(&v.ty)).collect(),
            TypeKind::Alias(t) => direct(t).into_iter().collect(),
            TypeKind::Enum(_) => Vec::new(),
        })
        .collect();
    let reaches = |from: TypeId, to: TypeId| -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n) {
                stack.extend(edges[n.0].iter().copied());
            }
        }
        false
    };
    for i in 0..api.types.len() {
        let me = TypeId(i);
        match &api.types[i].kind {
            TypeKind::Struct(s) => {
                let flags: Vec<bool> = s
                    .fields
                    .iter()
                    .map(|f| direct(&f.ty).is_some_and(|t| reaches(t, me)))
                    .collect();
                if let TypeKind::Struct(s) = &mut api.types[i].kind {
                    for (f, b) in s.fields.iter_mut().zip(flags) {
                        f.boxed = b;
                    }
                }
            }
            TypeKind::Union(u) => {
                let flags: Vec<bool> = u
                    .variants
                    .iter()
                    .map(|v| direct(&v.ty).is_some_and(|t| reaches(t, me)))
                    .collect();
                if let TypeKind::Union(u) = &mut api.types[i].kind {
                    for (v, b) in u.variants.iter_mut().zip(flags) {
                        v.boxed = b;
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
