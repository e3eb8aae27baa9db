//! Inline enums with the same values are one type. Real specs repeat small enums inline
//! everywhere (GitHub's writes `read`/`write` 722 times); each would otherwise be a type of
//! its own, with its own impls to compile.

use std::collections::HashMap;

use super::renumber_all;
use super::schema::is_component;
use crate::ir::{Api, TypeId, TypeKind};

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
