use serde_json::{Value, json};

use crate::diag::Diagnostics;
use crate::ir::{Api, Primitive, Struct, TypeDef, TypeKind, TypeRef};
use crate::load::Sources;
use crate::lower::{Flags, lower_openapi};

fn lower(schemas: Value) -> Result<Api, Diagnostics> {
    let doc = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "components": {"schemas": schemas}
    });
    lower_openapi(Sources::from_value("spec.yaml", doc), &Flags::default())
}

fn named<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
    api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no type {name}"))
}

fn fields<'a>(api: &'a Api, name: &str) -> &'a Struct {
    match &named(api, name).kind {
        TypeKind::Struct(s) => s,
        other => panic!("{name} is not a struct: {other:?}"),
    }
}

/// The type of member `wire` of struct `owner`, with its nullability.
fn member<'a>(api: &'a Api, owner: &str, wire: &str) -> (&'a TypeRef, bool) {
    let field = fields(api, owner)
        .fields
        .iter()
        .find(|f| f.wire == wire)
        .unwrap_or_else(|| panic!("{owner} has no member {wire}"));
    (&field.ty, field.nullable)
}

fn name_of<'a>(api: &'a Api, t: &TypeRef) -> &'a str {
    match t {
        TypeRef::Named(id) => &api.ty(*id).name,
        other => panic!("{other:?} is not a named type"),
    }
}

#[test]
fn boolean_schemas_are_any_value_or_leave_their_member_out() {
    let api = lower(json!({"A": {
        "type": "object", "additionalProperties": false,
        "properties": {
            "any": true,
            "never": false,
            "label": {"anyOf": [{"type": "string"}, false]},
            "list": {"type": "array", "items": true},
            "closed": {"type": "object", "additionalProperties": true, "properties": {"x": true}}
        }
    }}))
    .unwrap();
    let a = fields(&api, "A");
    let wires: Vec<&str> = a.fields.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(wires, ["any", "label", "list", "closed"]);
    assert_eq!(a.extra, None);
    assert_eq!(member(&api, "A", "any").0, &TypeRef::Any);
    assert_eq!(
        member(&api, "A", "label").0,
        &TypeRef::Primitive(Primitive::String)
    );
    assert_eq!(
        member(&api, "A", "list").0,
        &TypeRef::Array(Box::new(TypeRef::Any))
    );
}

#[test]
fn references_into_defs_and_definitions_name_their_types() {
    let api = lower(json!({
        "A": {
            "type": "object",
            "properties": {
                "b": {"$ref": "#/components/schemas/A/$defs/B"},
                "c": {"$ref": "#/components/schemas/Other/definitions/C"}
            },
            "$defs": {"B": {"type": "object", "properties": {"x": {"type": [
                "integer", "null"
            ]}}}}
        },
        "Other": {"type": "object", "definitions": {"C": {"enum": ["on", "off"]}}}
    }))
    .unwrap();
    assert_eq!(name_of(&api, member(&api, "A", "b").0), "B");
    assert_eq!(name_of(&api, member(&api, "A", "c").0), "C");
    // Schemas under `$defs` are rewritten too.
    assert_eq!(
        member(&api, "B", "x"),
        (&TypeRef::Primitive(Primitive::I64), true)
    );
}

#[test]
fn a_reference_into_a_missing_defs_entry_is_a_located_error() {
    let errors = lower(json!({"A": {
        "type": "object",
        "properties": {"b": {"$ref": "#/components/schemas/A/$defs/Missing"}},
        "$defs": {"B": {"type": "string"}}
    }}))
    .unwrap_err();
    let error = errors.errors().next().unwrap();
    assert_eq!(
        error.location.pointer,
        "/components/schemas/A/properties/b/$ref"
    );
    assert!(
        error
            .message
            .contains("/components/schemas/A/$defs/Missing does not exist"),
        "{error}"
    );
}

#[test]
fn several_types_are_a_union_of_one_member_per_type() {
    let api = lower(json!({"A": {"type": "object", "properties": {
        "size": {"type": ["integer", "string", "null"], "minimum": 0, "maxLength": 8},
        "mode": {"type": ["string", "integer"], "enum": ["auto", 1, 2]}
    }}}))
    .unwrap();
    let (size, nullable) = member(&api, "A", "size");
    assert!(nullable);
    let TypeKind::Union(u) = &api.ty(direct(size)).kind else {
        panic!("size is not a union")
    };
    let variants: Vec<(&str, &TypeRef)> = u
        .variants
        .iter()
        .map(|v| (v.name.as_str(), &v.ty))
        .collect();
    assert_eq!(
        variants,
        [
            ("Integer", &TypeRef::Primitive(Primitive::I64)),
            ("String", &TypeRef::Primitive(Primitive::String))
        ]
    );
    // The enum values go to the member of their type.
    let TypeKind::Union(mode) = &api.ty(direct(member(&api, "A", "mode").0)).kind else {
        panic!("mode is not a union")
    };
    assert!(
        matches!(&mode.variants[0].ty, TypeRef::Named(id) if matches!(api.ty(*id).kind, TypeKind::Enum(_)))
    );
    assert_eq!(mode.variants[1].ty, TypeRef::Primitive(Primitive::I64));
}

fn direct(t: &TypeRef) -> crate::ir::TypeId {
    match t {
        TypeRef::Named(id) => *id,
        other => panic!("{other:?} is not a named type"),
    }
}

/// `schema`, as the rewrite leaves it.
fn rewritten(schema: Value) -> Value {
    let doc = json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"A": schema}}
    });
    let mut sources = Sources::from_value("spec.yaml", doc);
    let root = sources.root_location();
    assert!(super::openapi(&mut sources, &root).is_empty());
    sources.root_value()["components"]["schemas"]["A"].clone()
}

#[test]
fn each_member_of_a_type_list_takes_the_keywords_of_its_type() {
    let schema = rewritten(json!({
        "description": "A size.",
        "type": ["integer", "string", "null"],
        "minimum": 0,
        "maxLength": 8,
        "format": "int64",
        "enum": [1, "big", null]
    }));
    assert_eq!(
        schema,
        json!({
            "description": "A size.",
            "nullable": true,
            "anyOf": [
                {"type": "integer", "minimum": 0, "format": "int64", "enum": [1]},
                {"type": "string", "maxLength": 8, "enum": ["big"]}
            ]
        })
    );
}

#[test]
fn only_keywords_beside_a_reference_that_constrain_wrap_it() {
    let annotated = json!({"$ref": "#/components/schemas/B", "description": "d", "x-note": 1});
    assert_eq!(rewritten(annotated.clone()), annotated);
    assert_eq!(
        rewritten(
            json!({"$ref": "#/components/schemas/B", "nullable": true, "allOf": [{"required": ["x"]}]})
        ),
        json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/B"}, {"required": ["x"]}]})
    );
}

#[test]
fn a_constant_is_typed_after_its_value() {
    let api = lower(json!({"A": {"type": "object", "properties": {
        "text": {"const": "fixed"},
        "count": {"const": 2},
        "ratio": {"const": 0.5},
        "flag": {"const": true},
        "typed": {"type": "integer", "const": 7}
    }}}))
    .unwrap();
    assert!(matches!(
        &api.ty(direct(member(&api, "A", "text").0)).kind,
        TypeKind::Enum(e) if e.values.len() == 1 && e.values[0].wire == "fixed"
    ));
    use Primitive::*;
    for (wire, ty) in [
        ("count", I64),
        ("ratio", F64),
        ("flag", Boolean),
        ("typed", I64),
    ] {
        assert_eq!(member(&api, "A", wire).0, &TypeRef::Primitive(ty), "{wire}");
    }
}

#[test]
fn keywords_beside_a_reference_apply_with_it() {
    let api = lower(json!({
        "B": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}},
        "A": {"type": "object", "properties": {
            "described": {"$ref": "#/components/schemas/B", "description": "Beside the reference."},
            "maybe": {"$ref": "#/components/schemas/B", "type": ["object", "null"]}
        }},
        "Extended": {"$ref": "#/components/schemas/B", "properties": {"y": {"type": "integer"}}}
    }))
    .unwrap();
    let described = fields(&api, "A")
        .fields
        .iter()
        .find(|f| f.wire == "described");
    let described = described.unwrap();
    assert_eq!(name_of(&api, &described.ty), "B");
    assert_eq!(
        described.docs.description.as_deref(),
        Some("Beside the reference.")
    );
    let (maybe, nullable) = member(&api, "A", "maybe");
    assert_eq!((name_of(&api, maybe), nullable), ("B", true));
    let wires: Vec<&str> = fields(&api, "Extended")
        .fields
        .iter()
        .map(|f| f.wire.as_str())
        .collect();
    assert_eq!(wires, ["x", "y"]);
}

#[test]
fn members_named_like_keywords_stay_members() {
    let api = lower(json!({"A": {"type": "object", "properties": {
        "const": {"type": "string"},
        "type": {"type": ["string", "null"]},
        "examples": {"type": "array", "items": {"type": "string"}},
        "default": {"type": ["integer", "null"]}
    }}}))
    .unwrap();
    use Primitive::*;
    assert_eq!(
        member(&api, "A", "const"),
        (&TypeRef::Primitive(String), false)
    );
    assert_eq!(
        member(&api, "A", "type"),
        (&TypeRef::Primitive(String), true)
    );
    assert_eq!(
        member(&api, "A", "examples").0,
        &TypeRef::Array(Box::new(TypeRef::Primitive(String)))
    );
    assert_eq!(
        member(&api, "A", "default"),
        (&TypeRef::Primitive(I64), true)
    );
}

#[test]
fn a_tuple_is_an_array_of_any_of_its_items() {
    let api = lower(json!({"A": {"type": "object", "properties": {
        "point": {"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}], "items": false},
        "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}
    }}}))
    .unwrap();
    assert_eq!(
        member(&api, "A", "point").0,
        &TypeRef::Array(Box::new(TypeRef::Primitive(Primitive::F64)))
    );
    let TypeRef::Array(item) = member(&api, "A", "pair").0 else {
        panic!("pair is not an array")
    };
    assert!(matches!(&api.ty(direct(item)).kind, TypeKind::Union(u) if u.variants.len() == 2));
}

#[test]
fn a_type_that_is_not_a_name_is_dropped_with_a_located_warning() {
    let api = lower(json!({"A": {"type": "object", "properties": {
        "broken": {"type": {"type": "string"}}
    }}}))
    .unwrap();
    assert_eq!(member(&api, "A", "broken").0, &TypeRef::Any);
    let warning = &api.warnings[0];
    assert_eq!(
        warning.location.pointer,
        "/components/schemas/A/properties/broken/type"
    );
    assert!(
        warning.message.contains("expected a type name"),
        "{warning}"
    );
}
