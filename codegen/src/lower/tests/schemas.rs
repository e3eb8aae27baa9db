//! Schemas to types: unions and discriminators, `allOf`, nullability, recursion, names,
//! enums and formats.

use serde_json::{Value, json};

use super::*;

#[test]
fn discriminated_one_of_becomes_a_tagged_union_without_the_tag_field() {
    let api = lower(spec(json!({
        "Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}], "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}}},
        "Cat": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}, "lives": {"type": "integer"}}}
    })))
    .unwrap();
    let TypeKind::Union(u) = &named(&api, "Pet").kind else {
        panic!("Pet is not a union")
    };
    assert_eq!(u.discriminator.as_deref(), Some("kind"));
    assert_eq!(u.variants[0].tag.as_deref(), Some("cat"));
    let TypeKind::Struct(cat) = &named(&api, "Cat").kind else {
        panic!("Cat is not a struct")
    };
    assert_eq!(
        cat.fields
            .iter()
            .map(|f| f.wire.as_str())
            .collect::<Vec<_>>(),
        ["lives"]
    );
}

#[test]
fn a_discriminator_over_non_objects_falls_back_with_a_warning() {
    let api = lower(spec(json!({
        "X": {"oneOf": [{"type": "string"}, {"type": "integer"}], "discriminator": {"propertyName": "kind"}}
    })))
    .unwrap();
    let TypeKind::Union(u) = &named(&api, "X").kind else {
        panic!()
    };
    assert_eq!(u.discriminator, None);
    assert!(
        api.warnings
            .iter()
            .any(|w| w.message.contains("discriminator ignored")),
        "{:?}",
        api.warnings
    );
}

#[test]
fn a_discriminator_over_references_that_name_no_schema_is_ignored() {
    let mut doc = spec(json!({}));
    let variant =
        json!({"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}});
    doc["paths"] = json!({"/a": {"post": {
        "x-shapes": [variant.clone(), variant],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "oneOf": [{"$ref": "#/paths/~1a/post/x-shapes/0"}, {"$ref": "#/paths/~1a/post/x-shapes/1"}],
            "discriminator": {"propertyName": "type"}
        }}}}}
    }}});
    let api = lower(doc).unwrap();
    let union = api
        .types
        .iter()
        .find_map(|t| match &t.kind {
            TypeKind::Union(u) => Some(u),
            _ => None,
        })
        .unwrap();
    assert_eq!(union.discriminator, None);
    assert_eq!(union.variants[0].tag, None);
}

#[test]
fn all_of_objects_merge_properties_and_required() {
    let api = lower(spec(json!({
        "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "format": "int64"}}},
        "Derived": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}]}
    })))
    .unwrap();
    let TypeKind::Struct(s) = &named(&api, "Derived").kind else {
        panic!()
    };
    let fields: Vec<(&str, bool)> = s
        .fields
        .iter()
        .map(|f| (f.wire.as_str(), f.required))
        .collect();
    assert_eq!(fields, [("id", true), ("name", true)]);
    assert_eq!(s.fields[0].ty, TypeRef::Primitive(Primitive::I64));
}

#[test]
fn one_member_all_of_with_its_own_required_list_is_a_struct_that_requires_them() {
    let api = lower(spec(json!({
        "Base": {"type": "object", "properties": {"name": {"type": "string"}, "count": {"type": "integer"}}},
        "Holder": {"type": "object", "properties": {
            "update": {"type": "object", "allOf": [{"$ref": "#/components/schemas/Base"}], "required": ["name"]},
            "untyped": {"allOf": [{"$ref": "#/components/schemas/Base"}], "required": ["name"]}
        }}
    })))
    .unwrap();
    let TypeKind::Struct(s) = &named(&api, "HolderUpdate").kind else {
        panic!("HolderUpdate is {:?}", named(&api, "HolderUpdate").kind)
    };
    let fields: Vec<(&str, bool)> = s
        .fields
        .iter()
        .map(|f| (f.wire.as_str(), f.required))
        .collect();
    assert_eq!(fields, [("name", true), ("count", false)]);
    // The untyped copy has the same members, so it is the same type.
    let TypeKind::Struct(holder) = &named(&api, "Holder").kind else {
        panic!()
    };
    let types: Vec<&TypeRef> = holder.fields.iter().map(|f| &f.ty).collect();
    assert_eq!(types[0], types[1]);
}

#[test]
fn all_of_scalars_is_the_scalar_not_a_struct() {
    let api = lower(spec(json!({
        "Slug": {"type": "string", "example": "nyc3"},
        "Tags": {"type": "array", "items": {"type": "string"}},
        "Region": {"type": "object", "properties": {
            "slug": {"allOf": [{"$ref": "#/components/schemas/Slug"}, {"type": "string", "nullable": true}]},
            "tags": {"allOf": [{"$ref": "#/components/schemas/Tags"}, {"description": "The region's tags.", "example": ["a"]}]}
        }},
        "Named": {"allOf": [{"$ref": "#/components/schemas/Slug"}, {"description": "A slug too."}]}
    })))
    .unwrap();
    let TypeKind::Struct(s) = &named(&api, "Region").kind else {
        panic!()
    };
    let slug = TypeRef::Named(
        api.types
            .iter()
            .position(|t| t.name == "Slug")
            .map(TypeId)
            .unwrap(),
    );
    assert_eq!((&s.fields[0].ty, s.fields[0].nullable), (&slug, true));
    let tags = TypeRef::Named(
        api.types
            .iter()
            .position(|t| t.name == "Tags")
            .map(TypeId)
            .unwrap(),
    );
    assert_eq!(s.fields[1].ty, tags);
    assert!(matches!(&named(&api, "Named").kind, TypeKind::Alias(t) if *t == slug));
}

#[test]
fn a_reference_to_a_nullable_schema_may_be_null() {
    let api = lower(spec(json!({
        "Failure": {"type": "object", "nullable": true, "properties": {"code": {"type": "string"}}},
        "Item": {"type": "object", "required": ["error"], "properties": {
            "error": {"$ref": "#/components/schemas/Failure"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Failure"}}
        }}
    })))
    .unwrap();
    let TypeKind::Struct(s) = &named(&api, "Item").kind else {
        panic!()
    };
    let failure = TypeRef::Named(
        api.types
            .iter()
            .position(|t| t.name == "Failure")
            .map(TypeId)
            .unwrap(),
    );
    assert_eq!((&s.fields[0].ty, s.fields[0].nullable), (&failure, true));
    assert_eq!(
        s.fields[1].ty,
        TypeRef::Array(Box::new(TypeRef::Nullable(Box::new(failure))))
    );
}

#[test]
fn recursion_is_boxed_only_where_a_type_would_contain_itself() {
    let api = lower(spec(json!({
        "Node": {"type": "object", "properties": {
            "parent": {"$ref": "#/components/schemas/Node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        }}
    })))
    .unwrap();
    let TypeKind::Struct(s) = &named(&api, "Node").kind else {
        panic!()
    };
    assert!(s.fields[0].boxed, "parent closes a cycle");
    assert!(!s.fields[1].boxed, "a Vec already adds indirection");
}

#[test]
fn inline_schemas_are_named_after_where_they_stand() {
    let api = lower(spec(json!({
        "Order": {"type": "object", "properties": {
            "address": {"type": "object", "properties": {"street": {"type": "string"}}},
            "status": {"type": "string", "enum": ["open", "closed"]}
        }}
    })))
    .unwrap();
    assert!(matches!(
        named(&api, "OrderAddress").kind,
        TypeKind::Struct(_)
    ));
    let TypeKind::Enum(e) = &named(&api, "OrderStatus").kind else {
        panic!()
    };
    assert_eq!(
        e.values.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        ["Open", "Closed"]
    );
    assert_eq!(e.fallback, "Unknown");
}

#[test]
fn names_that_collide_after_case_conversion_get_suffixes() {
    let api = lower(spec(json!({
        "foo_bar": {"type": "object", "properties": {"a": {"type": "string"}}},
        "FooBar": {"type": "object", "properties": {"b": {"type": "string"}}},
        "String": {"type": "string"}
    })))
    .unwrap();
    let mut names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["FooBar", "FooBar2", "String2"]);
}

#[test]
fn an_enum_value_named_unknown_moves_the_fallback() {
    let api = lower(spec(
        json!({"C": {"type": "string", "enum": ["UNKNOWN", "other"]}}),
    ))
    .unwrap();
    let TypeKind::Enum(e) = &named(&api, "C").kind else {
        panic!()
    };
    assert_eq!(e.fallback, "UnknownValue");
}

#[test]
fn nullable_and_null_members_become_nullable() {
    let api = lower(spec(json!({
        "A": {"type": "object", "required": ["x", "y"], "properties": {
            "x": {"type": "string", "nullable": true},
            "y": {"oneOf": [{"$ref": "#/components/schemas/B"}, {"type": "string", "nullable": true, "enum": [null]}]}
        }},
        "B": {"type": "object", "properties": {"z": {"type": "integer"}}}
    })))
    .unwrap();
    let TypeKind::Struct(s) = &named(&api, "A").kind else {
        panic!()
    };
    assert!(s.fields.iter().all(|f| f.nullable && f.required));
    assert!(matches!(s.fields[1].ty, TypeRef::Named(_)));
}

#[test]
fn openapi_31_type_arrays_and_const_are_understood() {
    let mut doc = spec(json!({
        "A": {"type": "object", "properties": {"x": {"type": ["string", "null"]}, "k": {"const": "fixed"}}}
    }));
    doc["openapi"] = json!("3.1.0");
    let api = lower(doc).unwrap();
    let TypeKind::Struct(s) = &named(&api, "A").kind else {
        panic!()
    };
    assert!(s.fields[0].nullable);
    assert_eq!(s.fields[0].ty, TypeRef::Primitive(Primitive::String));
    assert!(
        matches!(s.fields[1].ty, TypeRef::Named(_)),
        "const becomes a one-value enum"
    );
}

#[test]
fn a_broken_reference_is_an_error_with_its_location() {
    let errors = lower(spec(json!({"A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Missing"}}}})))
        .unwrap_err();
    let error = errors.errors().next().unwrap();
    assert_eq!(
        error.location.pointer,
        "/components/schemas/A/properties/b/$ref"
    );
    assert!(error.message.contains("does not exist"), "{error}");
}

#[test]
fn a_union_variant_much_larger_than_the_others_is_boxed() {
    let members: serde_json::Map<String, Value> = (0..12)
        .map(|i| (format!("m{i}"), json!({"type": "string"})))
        .collect();
    let api = lower(spec(json!({
        "Big": {"type": "object", "properties": members},
        "Small": {"type": "object", "properties": {"a": {"type": "string"}}},
        "Either": {"oneOf": [{"$ref": "#/components/schemas/Big"}, {"type": "integer"}]},
        "Both": {"oneOf": [{"$ref": "#/components/schemas/Small"}, {"type": "integer"}]}
    })))
    .unwrap();
    let boxed = |name: &str| match &named(&api, name).kind {
        TypeKind::Union(u) => u.variants.iter().map(|v| v.boxed).collect::<Vec<_>>(),
        _ => panic!("{name} is not a union"),
    };
    assert_eq!(boxed("Either"), [true, false]);
    assert_eq!(boxed("Both"), [false, false]);
}

#[test]
fn references_that_only_lead_back_are_an_error() {
    let errors = lower(spec(json!({
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"$ref": "#/components/schemas/A"}
    })))
    .unwrap_err();
    assert!(
        errors
            .to_string()
            .contains("only through references that lead back to it"),
        "{errors}"
    );
}

#[test]
fn a_component_that_is_a_reference_is_an_alias() {
    let api = lower(spec(json!({
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"type": "object", "properties": {"x": {"type": "string"}}}
    })))
    .unwrap();
    let b = api.types.iter().position(|t| t.name == "B").unwrap();
    assert!(matches!(named(&api, "A").kind, TypeKind::Alias(TypeRef::Named(id)) if id.0 == b));
}

#[test]
fn numeric_formats_choose_the_width() {
    let api = lower(spec(json!({"N": {"type": "object", "properties": {
        "a": {"type": "integer", "format": "int32"}, "b": {"type": "integer", "format": "int64"},
        "c": {"type": "integer"}, "d": {"type": "number", "format": "float"}, "e": {"type": "number", "format": "double"}
    }}})))
    .unwrap();
    let TypeKind::Struct(s) = &named(&api, "N").kind else {
        panic!()
    };
    let types: Vec<&TypeRef> = s.fields.iter().map(|f| &f.ty).collect();
    use Primitive::*;
    assert_eq!(
        types,
        [I32, I64, I64, F32, F64]
            .map(TypeRef::Primitive)
            .iter()
            .collect::<Vec<_>>()
    );
}

#[test]
fn an_enum_value_listed_twice_is_one_variant_and_a_warning() {
    let api = lower(spec(json!({
        "Version": {"type": "string", "enum": ["v1", "v2", "v1", "v1"]}
    })))
    .unwrap();
    let TypeKind::Enum(e) = &named(&api, "Version").kind else {
        panic!("Version is not an enum")
    };
    let values: Vec<&str> = e.values.iter().map(|v| v.wire.as_str()).collect();
    assert_eq!(values, ["v1", "v2"]);
    let warnings: Vec<String> = api.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "warning: spec.yaml#/components/schemas/Version/enum: values listed more than once, kept once: `v1`"
        ]
    );
}

#[test]
fn inline_enums_with_the_same_values_are_one_type_and_join_a_schemas_own() {
    let api = lower(spec(json!({
        "Access": {"type": "string", "enum": ["read", "write"]},
        "Team": {"type": "object", "properties": {
            "contents": {"type": "string", "enum": ["read", "write"]},
            "issues": {"type": "string", "enum": ["read", "write"], "description": "Issues."},
            "level": {"type": "string", "enum": ["low", "high"]}
        }},
        "Repo": {"type": "object", "properties": {
            "level": {"type": "string", "enum": ["low", "high"]},
            "kind": {"type": "string", "enum": ["fork"]}
        }}
    })))
    .unwrap();
    let field_type = |owner: &str, member: &str| {
        let TypeKind::Struct(s) = &named(&api, owner).kind else {
            panic!("{owner} is not a struct")
        };
        let f = s.fields.iter().find(|f| f.wire == member).unwrap();
        let TypeRef::Named(id) = &f.ty else {
            panic!("{owner}.{member} is not named")
        };
        api.ty(*id).name.clone()
    };
    assert_eq!(field_type("Team", "contents"), "Access");
    assert_eq!(field_type("Team", "issues"), "Access");
    assert_eq!(field_type("Repo", "level"), field_type("Team", "level"));
    // A one-value enum is a constant of its own.
    assert_eq!(field_type("Repo", "kind"), "RepoKind");
    let enums = api
        .types
        .iter()
        .filter(|t| matches!(t.kind, TypeKind::Enum(_)))
        .count();
    assert_eq!(enums, 3, "Access, one low/high enum, RepoKind");
}
