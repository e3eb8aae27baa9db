//! Request and response bodies: the media type the client uses, its schema and example.

use serde_json::Value;

use crate::diag::{Diagnostic, Location};
use crate::ir::{Body, BodyKind, Docs, Primitive, TypeRef, fields_of};
use crate::lower::forms;
use crate::lower::schema::Types;

/// Picks the media type the client will use and lowers its schema: JSON first, then a form,
/// text, other types, and multipart last. A `request` body's multipart object becomes typed
/// parts; anything else of a type the client cannot encode is sent as raw bytes.
pub(super) fn lower_body(
    types: &mut Types<'_>,
    loc: &Location,
    content: &indexmap::IndexMap<String, openapiv3::MediaType>,
    hint: &str,
    request: bool,
) -> Option<Body> {
    let rank = |m: &str| -> u8 {
        let m = m.to_ascii_lowercase();
        if m == "application/json" {
            0
        } else if m.ends_with("+json") || m.contains("/json") {
            1
        } else if m == "application/x-www-form-urlencoded" {
            2
        } else if m.starts_with("text/") {
            3
        } else if m.starts_with("multipart/") {
            5
        } else {
            4
        }
    };
    let (media, mt) = content.iter().min_by_key(|(m, _)| rank(m))?;
    let mloc = loc.join("content").join(media);
    let mut kind = match rank(media) {
        0 | 1 => BodyKind::Json,
        2 => BodyKind::Form,
        3 => BodyKind::Text,
        5 if request && media.eq_ignore_ascii_case("multipart/form-data") => BodyKind::Multipart,
        _ => BodyKind::Binary,
    };
    let ty = match (&mt.schema, kind) {
        (Some(_), BodyKind::Json | BodyKind::Form | BodyKind::Multipart) => {
            types.lower_at(&mloc.join("schema"), hint)
        }
        (_, BodyKind::Text) => TypeRef::Primitive(Primitive::String),
        (None, BodyKind::Multipart) | (_, BodyKind::Binary) => {
            TypeRef::Primitive(Primitive::Binary)
        }
        (None, _) => TypeRef::Any,
    };
    let ty = if kind == BodyKind::Multipart && fields_of(&types.defs, &ty).is_none() {
        kind = BodyKind::Binary;
        TypeRef::Primitive(Primitive::Binary)
    } else {
        ty
    };
    if rank(media) == 5 && kind == BodyKind::Binary {
        let message = if request {
            format!(
                "`{media}` bodies without an object schema are sent as raw bytes: the caller \
                 encodes the parts"
            )
        } else {
            format!("`{media}` responses are returned as raw bytes")
        };
        types.diags.push(Diagnostic::warning(&mloc, message));
    }
    let encoding = match kind {
        BodyKind::Form | BodyKind::Multipart => forms::encodings(types, &mloc),
        _ => Vec::new(),
    };
    let docs = Docs {
        example: media_example(types, &mloc),
        ..Docs::default()
    };
    Some(Body {
        media_type: media.clone(),
        kind,
        ty,
        required: true,
        docs,
        encoding,
    })
}

/// A media type's example: its `example`, or the value of the first of its `examples`
/// (through a `$ref` to `components/examples`).
fn media_example(types: &mut Types<'_>, mloc: &Location) -> Option<Value> {
    let media = types.sources().get(mloc)?;
    if let Some(example) = media.get("example") {
        return Some(example.clone());
    }
    let (name, _) = media.get("examples")?.as_object()?.iter().next()?;
    let at = mloc.join("examples").join(name);
    let at = types
        .sources()
        .follow(&at)
        .map_err(|d| types.diags.push(d))
        .ok()?;
    types.sources().get(&at)?.get("value").cloned()
}
