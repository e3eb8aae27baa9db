//! Form and multipart request bodies: OpenAPI's `encoding` map, and the structs that
//! multipart bodies become.

use std::collections::HashMap;

use serde_json::Value;

use super::graph::{mentions, named_in};
use super::schema::Types;
use crate::diag::Location;
use crate::ir::{
    Api, BodyKind, Encoding, FormStyle, Primitive, TypeDef, TypeId, TypeKind, TypeRef, resolve,
};

/// The `encoding` map of the media type at `media`, in document order.
pub(super) fn encodings(types: &Types<'_>, media: &Location) -> Vec<Encoding> {
    let at = media.join("encoding");
    let Some(Value::Object(map)) = types.sources().get(&at) else {
        return Vec::new();
    };
    map.iter()
        .map(|(member, raw)| {
            let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
            let explode = raw.get("explode").and_then(Value::as_bool);
            // `explode` defaults to true for `form` only; exploded, the delimited styles
            // repeat the field as `form` does. openapiv3 has refused any other style when it
            // read the operation.
            let style = match (text("style").as_deref(), explode) {
                (None, None) => None,
                (Some("deepObject"), _) => Some(FormStyle::DeepObject),
                (None | Some("form"), Some(false)) => Some(FormStyle::Comma),
                (Some("spaceDelimited"), None | Some(false)) => Some(FormStyle::Space),
                (Some("pipeDelimited"), None | Some(false)) => Some(FormStyle::Pipe),
                _ => Some(FormStyle::Exploded),
            };
            Encoding {
                member: member.clone(),
                content_type: text("contentType"),
                style,
            }
        })
        .collect()
}

/// Makes the struct of every multipart body a multipart struct (sent as parts, never
/// serialized). A struct also used elsewhere (as JSON, or inside another type) is copied
/// under a name of its own, `<Name>Form`, so that the other uses keep a serde type.
///
/// Members whose encoding names a media type that is neither text nor JSON become files,
/// and a file member's 3.1 `contentMediaType` becomes its default media type.
pub(super) fn mark_multipart(types: &mut Types<'_>, api: &mut Api) {
    let mut copies: HashMap<TypeId, TypeId> = HashMap::new();
    for index in 0..api.operations.len() {
        let Some(body) = &api.operations[index].body else {
            continue;
        };
        if body.kind != BodyKind::Multipart {
            continue;
        }
        let TypeRef::Named(found) = *resolve(&types.defs, &body.ty) else {
            continue;
        };
        let id = match copies.get(&found) {
            Some(copy) => *copy,
            None if used_elsewhere(&types.defs, api, found) => {
                let def = types.defs[found.0].clone();
                let copy = TypeDef {
                    name: types.claim_name(&format!("{}Form", def.name)),
                    ..def
                };
                let copy_id = TypeId(types.defs.len());
                types.defs.push(copy);
                copies.insert(found, copy_id);
                copy_id
            }
            None => {
                copies.insert(found, found);
                found
            }
        };
        let src = types.sources();
        let origin = types.defs[id.0].origin.clone();
        let body = api.operations[index]
            .body
            .as_mut()
            .expect("the operation has a body");
        body.ty = TypeRef::Named(id);
        let TypeKind::Struct(s) = &mut types.defs[id.0].kind else {
            continue;
        };
        s.multipart = true;
        for field in &mut s.fields {
            let media = body
                .encoding_of(&field.wire)
                .and_then(|e| e.content_type.as_deref());
            if media.is_some_and(|m| !is_text_or_json(m)) {
                field.ty = as_binary(&field.ty);
            }
            if field.files().is_none() {
                continue;
            }
            // A file is there or not: `null` has no part to stand for.
            field.nullable = false;
            if let TypeRef::Nullable(inner) = &field.ty {
                field.ty = (**inner).clone();
            }
            if media.is_some() {
                continue;
            }
            let declared = src
                .get(&origin.join("properties").join(&field.wire))
                .and_then(|p| p.get("contentMediaType"))
                .and_then(Value::as_str);
            if let Some(media) = declared {
                body.encoding.retain(|e| e.member != field.wire);
                body.encoding.push(Encoding {
                    member: field.wire.clone(),
                    content_type: Some(media.to_owned()),
                    style: None,
                });
            }
        }
    }
}

/// Whether a part of this media type holds text or JSON (else it is a file).
fn is_text_or_json(media: &str) -> bool {
    media.split(',').all(|m| {
        let m = m
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        m.starts_with("text/") || m == "application/json" || m.ends_with("+json")
    })
}

/// A string (or list of strings) member as binary.
fn as_binary(ty: &TypeRef) -> TypeRef {
    match ty {
        TypeRef::Primitive(Primitive::String | Primitive::Uri) => {
            TypeRef::Primitive(Primitive::Binary)
        }
        TypeRef::Array(item) => TypeRef::Array(Box::new(as_binary(item))),
        TypeRef::Nullable(inner) => TypeRef::Nullable(Box::new(as_binary(inner))),
        other => other.clone(),
    }
}

/// Whether anything but a multipart body uses the type `id`.
fn used_elsewhere(defs: &[TypeDef], api: &Api, id: TypeId) -> bool {
    let mentioned = |t: &TypeRef| mentions(t, id);
    let by_type = defs.iter().any(|d| {
        let mut named = Vec::new();
        match &d.kind {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| named_in(&f.ty, &mut named));
                s.extra.iter().for_each(|t| named_in(t, &mut named));
            }
            TypeKind::Union(u) => u.variants.iter().for_each(|v| named_in(&v.ty, &mut named)),
            TypeKind::Alias(t) => named_in(t, &mut named),
            TypeKind::Enum(_) => {}
        }
        named.contains(&id)
    });
    by_type
        || api.operations.iter().any(|op| {
            op.params.iter().any(|p| mentioned(&p.ty))
                || op
                    .body
                    .iter()
                    .any(|b| b.kind != BodyKind::Multipart && mentioned(&b.ty))
                || op.responses.iter().any(|r| {
                    r.body.iter().any(|b| mentioned(&b.ty))
                        || r.headers.iter().any(|h| mentioned(&h.ty))
                })
        })
        || api.channels.iter().any(|c| {
            c.params.iter().any(|p| mentioned(&p.ty))
                || c.outgoing
                    .iter()
                    .chain(&c.incoming)
                    .any(|m| mentioned(&m.payload))
        })
}

#[cfg(test)]
mod tests;
