//! How an incoming message is told apart from the others on its connection: by a constant
//! member, by a required member no other message declares, or by being the only one.

use serde_json::Value;

use crate::diag::{Diagnostic, Location};
use crate::ir::{Matcher, Message, MessageKind, TypeKind, TypeRef};
use crate::lower::schema::Types;

/// What a payload's top-level object declares: constants and required members.
struct Shape {
    consts: Vec<(String, String)>,
    declared: Vec<String>,
    required: Vec<String>,
}

fn payload_shape(types: &Types<'_>, ty: &TypeRef) -> Option<Shape> {
    payload_shape_at(types, ty, 0)
}

fn payload_shape_at(types: &Types<'_>, ty: &TypeRef, depth: usize) -> Option<Shape> {
    let TypeRef::Named(id) = ty else { return None };
    if depth > 16 {
        return None;
    }
    match &types.defs[id.0].kind {
        TypeKind::Alias(next) => payload_shape_at(types, next, depth + 1),
        TypeKind::Struct(s) => {
            let consts = s
                .fields
                .iter()
                .filter_map(|f| match &f.ty {
                    TypeRef::Named(e) => match &types.defs[e.0].kind {
                        TypeKind::Enum(en) if en.values.len() == 1 => {
                            Some((f.wire.clone(), en.values[0].wire.clone()))
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            Some(Shape {
                consts,
                declared: s.fields.iter().map(|f| f.wire.clone()).collect(),
                required: s
                    .fields
                    .iter()
                    .filter(|f| f.required)
                    .map(|f| f.wire.clone())
                    .collect(),
            })
        }
        // A union of objects: what every variant has in common.
        TypeKind::Union(u) => {
            let shapes: Vec<Shape> = u
                .variants
                .iter()
                .map(|v| payload_shape_at(types, &v.ty, depth + 1))
                .collect::<Option<_>>()?;
            let (first, rest) = shapes.split_first()?;
            Some(Shape {
                consts: first
                    .consts
                    .iter()
                    .filter(|c| rest.iter().all(|s| s.consts.contains(c)))
                    .cloned()
                    .collect(),
                declared: shapes
                    .iter()
                    .flat_map(|s| s.declared.iter().cloned())
                    .collect(),
                required: first
                    .required
                    .iter()
                    .filter(|r| rest.iter().all(|s| s.required.contains(r)))
                    .cloned()
                    .collect(),
            })
        }
        TypeKind::Enum(_) => None,
    }
}

/// Decides, once, how each incoming JSON message is recognised. Two messages that cannot be
/// told apart are an error, unless their payloads are the same (then the first one wins).
pub(super) fn assign_matchers(types: &mut Types<'_>, incoming: &mut [Message], at: &Location) {
    let json: Vec<usize> = (0..incoming.len())
        .filter(|&i| incoming[i].kind == MessageKind::Json)
        .collect();
    if let [only] = json.as_slice() {
        incoming[*only].matcher = Some(Matcher::Always);
        return;
    }
    let shapes: Vec<Option<Shape>> = json
        .iter()
        .map(|&i| payload_shape(types, &incoming[i].payload))
        .collect();
    for (n, &i) in json.iter().enumerate() {
        let Some(me) = &shapes[n] else {
            types.diags.push(Diagnostic::error(
                &incoming[i].origin,
                format!("incoming message `{}` has no object payload, so it cannot be told apart from the others", incoming[i].name),
            ));
            continue;
        };
        let twins: Vec<usize> = (0..json.len())
            .filter(|&m| {
                m != n && same_payload(types, &incoming[json[m]].origin, &incoming[i].origin)
            })
            .collect();
        let others: Vec<&Shape> = shapes
            .iter()
            .enumerate()
            .filter(|(m, _)| *m != n && !twins.contains(m))
            .filter_map(|(_, s)| s.as_ref())
            .collect();
        let by_const = me.consts.iter().find(|(p, v)| {
            others
                .iter()
                .all(|o| match o.consts.iter().find(|(q, _)| q == p) {
                    Some((_, w)) => w != v,
                    None => !o.declared.contains(p),
                })
        });
        let by_member = || {
            me.required
                .iter()
                .find(|r| others.iter().all(|o| !o.declared.contains(r)))
        };
        incoming[i].matcher = match (by_const, by_member()) {
            (Some((p, v)), _) => Some(Matcher::Const {
                property: p.clone(),
                value: v.clone(),
            }),
            (None, Some(r)) => Some(Matcher::Has {
                property: r.clone(),
            }),
            (None, None) => {
                types.diags.push(Diagnostic::error(
                    &incoming[i].origin,
                    format!(
                        "incoming message `{}` cannot be told apart from the other messages at {at}: \
                         give it a constant member (e.g. a one-value `enum`) or a required member only it has",
                        incoming[i].name
                    ),
                ));
                None
            }
        };
        if let Some(&first) = twins.iter().find(|&&m| m < n) {
            let first = &incoming[json[first]];
            types.diags.push(Diagnostic::warning(
                &incoming[i].origin,
                format!(
                    "incoming message `{}` has the same payload as `{}`, so it always decodes as `{}`",
                    incoming[i].name, first.name, first.name
                ),
            ));
        }
    }
}

/// Whether two messages' payload schemas are the same once descriptions are set aside.
fn same_payload(types: &Types<'_>, a: &Location, b: &Location) -> bool {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| {
                        !matches!(
                            k.as_str(),
                            "description" | "summary" | "title" | "examples" | "example"
                        )
                    })
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    let src = types.sources();
    match (src.get(&a.join("payload")), src.get(&b.join("payload"))) {
        (Some(x), Some(y)) => strip(x) == strip(y),
        _ => false,
    }
}
