use serde_json::{Value, json};

use super::*;
use crate::ir::{Files, Struct};
use crate::load::Sources;
use crate::lower::{Flags, lower_openapi};

fn lower(version: &str, body: Value, schemas: Value) -> Api {
    let doc = json!({
        "openapi": version, "info": {"title": "t", "version": "1"},
        "paths": {
            "/up": {"post": {"operationId": "up", "requestBody": {"required": true, "content": body},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shared"}}}}}}}
        },
        "components": {"schemas": schemas}
    });
    lower_openapi(Sources::from_value("spec.yaml", doc), &Flags::default()).unwrap()
}

fn shared() -> Value {
    json!({"Shared": {"type": "object", "properties": {"name": {"type": "string"}, "photo": {"type": "string", "format": "binary"}}}})
}

fn structure<'a>(api: &'a Api, name: &str) -> &'a Struct {
    let def = api.types.iter().find(|t| t.name == name).unwrap();
    let TypeKind::Struct(s) = &def.kind else {
        panic!("{name} is not a struct")
    };
    s
}

fn body_type(api: &Api) -> &str {
    let TypeRef::Named(id) = api.operations[0].body.as_ref().unwrap().ty else {
        panic!("the body is not a named type")
    };
    &api.ty(id).name
}

#[test]
fn a_multipart_object_becomes_a_multipart_struct_with_files_and_encodings() {
    let mut schemas = shared();
    schemas["Upload"] = json!({"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "more": {"type": "array", "items": {"type": "string", "format": "binary"}},
        "scan": {"type": "string"},
        "shot": {"type": ["string", "null"], "contentMediaType": "image/png"},
        "note": {"type": "string"},
        "filter": {"type": "object", "properties": {"a": {"type": "integer"}}}
    }});
    let body = json!({"multipart/form-data": {
        "schema": {"$ref": "#/components/schemas/Upload"},
        "encoding": {"scan": {"contentType": "application/pdf"}, "filter": {"style": "deepObject"}, "note": {"contentType": "text/plain"}}
    }});
    let api = lower("3.1.0", body, schemas);
    let body = api.operations[0].body.as_ref().unwrap();
    assert_eq!(body.kind, BodyKind::Multipart);
    assert_eq!(body_type(&api), "Upload");
    let upload = structure(&api, "Upload");
    assert!(upload.multipart);
    let files: Vec<_> = upload
        .fields
        .iter()
        .map(|f| (f.wire.as_str(), f.files()))
        .collect();
    assert_eq!(
        files,
        [
            ("file", Some(Files::One)),
            ("more", Some(Files::Many)),
            ("scan", Some(Files::One)),
            ("shot", Some(Files::One)),
            ("note", None),
            ("filter", None),
        ]
    );
    // A file is there or not: never `null`.
    assert!(!upload.fields[3].nullable);
    let media = |wire: &str| {
        body.encoding_of(wire)
            .and_then(|e| e.content_type.as_deref())
    };
    assert_eq!(media("shot"), Some("image/png"));
    assert_eq!(media("scan"), Some("application/pdf"));
    assert_eq!(
        body.encoding_of("filter").unwrap().style,
        Some(FormStyle::DeepObject)
    );
    // The shared response type stays a serde struct.
    assert!(!structure(&api, "Shared").multipart);
}

#[test]
fn a_struct_also_used_elsewhere_is_copied_for_the_multipart_body() {
    let body = json!({"multipart/form-data": {"schema": {"$ref": "#/components/schemas/Shared"}}});
    let api = lower("3.0.3", body, shared());
    assert_eq!(body_type(&api), "SharedForm");
    assert!(structure(&api, "SharedForm").multipart);
    let shared = structure(&api, "Shared");
    assert!(!shared.multipart);
    assert_eq!(shared.fields[1].ty, TypeRef::Primitive(Primitive::Binary));
}

#[test]
fn multipart_without_an_object_is_raw_bytes_with_a_warning() {
    let body = json!({"multipart/form-data": {"schema": {"type": "string"}}});
    let api = lower("3.0.3", body, shared());
    let body = api.operations[0].body.as_ref().unwrap();
    assert_eq!(body.kind, BodyKind::Binary);
    assert!(
        api.warnings.iter().any(|w| w.message.contains("raw bytes")),
        "{:?}",
        api.warnings
    );
}

#[test]
fn json_is_preferred_over_form_and_multipart() {
    let schema = json!({"$ref": "#/components/schemas/Shared"});
    let body = json!({
        "multipart/form-data": {"schema": schema},
        "application/x-www-form-urlencoded": {"schema": schema},
        "application/json": {"schema": schema}
    });
    let api = lower("3.0.3", body, shared());
    assert_eq!(
        api.operations[0].body.as_ref().unwrap().kind,
        BodyKind::Json
    );
    assert!(!structure(&api, "Shared").multipart);
    let body = json!({"multipart/form-data": {"schema": schema}, "application/x-www-form-urlencoded": {"schema": schema}});
    let api = lower("3.0.3", body, shared());
    assert_eq!(
        api.operations[0].body.as_ref().unwrap().kind,
        BodyKind::Form
    );
}

#[test]
fn form_styles_combine_style_and_explode() {
    let encoding = json!({
        "a": {"explode": false}, "b": {"style": "form"}, "c": {"style": "deepObject"},
        "d": {"style": "pipeDelimited"}, "e": {"style": "spaceDelimited", "explode": true},
        "f": {"contentType": "text/plain"}
    });
    let body = json!({"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Shared"}, "encoding": encoding}});
    let api = lower("3.0.3", body, shared());
    let body = api.operations[0].body.as_ref().unwrap();
    let styles: Vec<_> = body
        .encoding
        .iter()
        .map(|e| (e.member.as_str(), e.style))
        .collect();
    assert_eq!(
        styles,
        [
            ("a", Some(FormStyle::Comma)),
            ("b", Some(FormStyle::Exploded)),
            ("c", Some(FormStyle::DeepObject)),
            ("d", Some(FormStyle::Pipe)),
            ("e", Some(FormStyle::Exploded)),
            ("f", None),
        ]
    );
}

#[test]
fn text_and_json_media_types() {
    for text in [
        "text/plain",
        "text/csv; charset=utf-8",
        "application/json",
        "application/geo+json",
        "text/plain, application/json",
    ] {
        assert!(is_text_or_json(text), "{text}");
    }
    for file in [
        "image/png",
        "application/octet-stream",
        "image/png, text/plain",
        "*/*",
    ] {
        assert!(!is_text_or_json(file), "{file}");
    }
}
