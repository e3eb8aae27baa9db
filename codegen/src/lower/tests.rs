use serde_json::{Value, json};

use super::*;
use crate::ir::{Primitive, TypeId, TypeKind, TypeRef};

fn lower(doc: Value) -> Result<Api, Diagnostics> {
    lower_openapi(Sources::from_value("spec.yaml", doc), &Flags::default())
}

fn spec(schemas: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}})
}

fn named<'a>(api: &'a Api, name: &str) -> &'a crate::ir::TypeDef {
    api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no type {name}; have {:?}",
                api.types.iter().map(|t| &t.name).collect::<Vec<_>>()
            )
        })
}

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
fn a_body_example_may_come_from_the_first_of_its_examples() {
    let mut doc = spec(json!({}));
    doc["components"]["examples"] =
        json!({"Ada": {"summary": "A person", "value": {"name": "ada"}}});
    doc["paths"] = json!({"/people": {"post": {
        "requestBody": {"content": {"application/json": {
            "schema": {"type": "object", "properties": {"name": {"type": "string"}}},
            "examples": {"ada": {"$ref": "#/components/examples/Ada"}, "bob": {"value": {"name": "bob"}}}
        }}},
        "responses": {"204": {"description": "ok"}}
    }}});
    let api = lower(doc).unwrap();
    let body = api.operations[0].body.as_ref().unwrap();
    assert_eq!(body.docs.example, Some(json!({"name": "ada"})));
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
fn swagger_2_is_refused_clearly() {
    let errors = lower(json!({"swagger": "2.0", "info": {}, "paths": {}})).unwrap_err();
    assert!(
        errors
            .to_string()
            .contains("expected an OpenAPI 3.0 or 3.1 document, found no `openapi` member"),
        "{errors}"
    );
}

#[test]
fn operations_collect_parameters_body_and_responses() {
    let api = lower(json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "post": {
                "operationId": "updatePet", "x-idempotent": true,
                "parameters": [{"name": "dryRun", "in": "query", "schema": {"type": "boolean"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}}}}}},
                "responses": {"200": {"description": "ok", "headers": {"X-Rate": {"schema": {"type": "integer"}}}}, "default": {"description": "error"}}
            }
        }}
    }))
    .unwrap();
    let op = &api.operations[0];
    assert_eq!(
        (op.name.as_str(), op.method.as_str()),
        ("update_pet", "POST")
    );
    assert_eq!(
        op.params
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["id", "dry_run"]
    );
    assert!(op.is_idempotent());
    assert_eq!(
        api.ty(match op.body.as_ref().unwrap().ty {
            TypeRef::Named(id) => id,
            _ => panic!(),
        })
        .name,
        "UpdatePetRequest"
    );
    assert_eq!(op.responses.len(), 2);
    assert_eq!(op.responses[0].headers[0].wire, "X-Rate");
}

fn with_paths(version: &str, paths: Value, components: Value) -> Value {
    json!({"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths, "components": components})
}

fn get(id: &str) -> Value {
    json!({"get": {"operationId": id, "responses": {"204": {"description": "none"}}}})
}

#[test]
fn path_items_given_by_reference_are_followed() {
    let api = lower(with_paths(
        "3.1.0",
        json!({
            "/a": {"$ref": "#/components/pathItems/A"},
            "/b": {"$ref": "#/components/pathItems/Second"}
        }),
        json!({"pathItems": {
            "A": get("getA"),
            "Second": {"$ref": "#/components/pathItems/B"},
            "B": get("getB")
        }}),
    ))
    .unwrap();
    let ops: Vec<(&str, &str)> = api
        .operations
        .iter()
        .map(|op| (op.id.as_str(), op.path.as_str()))
        .collect();
    assert_eq!(ops, [("getA", "/a"), ("getB", "/b")]);
    assert_eq!(
        api.operations[1].origin.pointer,
        "/components/pathItems/B/get"
    );
}

#[test]
fn a_path_item_reference_to_nothing_is_a_located_error() {
    let errors = lower(with_paths(
        "3.0.3",
        json!({"/a": {"$ref": "#/components/pathItems/Missing"}, "/b": get("getB")}),
        json!({}),
    ))
    .unwrap_err();
    let error = errors.errors().next().unwrap();
    assert_eq!(error.location.pointer, "/paths/~1a/$ref");
    assert!(error.message.contains("does not exist"), "{error}");
}

#[test]
fn a_path_item_that_is_not_an_object_is_a_located_error() {
    let errors = lower(with_paths(
        "3.1.0",
        json!({"/a": {"$ref": "#/components/pathItems/A"}}),
        json!({"pathItems": {"A": ["get"]}}),
    ))
    .unwrap_err();
    let error = errors.errors().next().unwrap();
    assert_eq!(error.location.pointer, "/components/pathItems/A");
    assert!(error.message.contains("expected a path item"), "{error}");
}

#[test]
fn callbacks_given_by_reference_do_not_stop_an_operation() {
    let mut op = get("search");
    op["get"]["callbacks"] = json!({"onDone": {"$ref": "#/components/callbacks/Done"}});
    let api = lower(with_paths(
        "3.0.3",
        json!({"/search": op}),
        json!({"callbacks": {"Done": {"{$request.query.hook}": get("done")}}}),
    ))
    .unwrap();
    assert_eq!(api.operations.len(), 1);
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

fn asyncapi(doc: Value, perspective: Perspective) -> Result<Api, Diagnostics> {
    let sources = Sources::from_value("events.yaml", doc);
    let root = sources.root_location();
    lower_documents(sources, None, Some(&root), &Flags::default(), perspective)
}

fn chat_doc() -> Value {
    json!({
        "asyncapi": "3.0.0", "info": {"title": "Chat", "version": "1"},
        "servers": {"prod": {"host": "chat.example.com", "protocol": "wss", "security": [{"$ref": "#/components/securitySchemes/key"}]}},
        "channels": {"room": {
            "address": "/room",
            "messages": {
                "say": {"$ref": "#/components/messages/say"},
                "said": {"$ref": "#/components/messages/said"},
                "joined": {"$ref": "#/components/messages/joined"}
            },
            "bindings": {"ws": {"query": {"type": "object", "required": ["room"], "properties": {"room": {"type": "string"}, "since": {"type": "integer"}}}}}
        }},
        "operations": {
            "receiveSay": {"action": "receive", "channel": {"$ref": "#/channels/room"}, "messages": [{"$ref": "#/channels/room/messages/say"}]},
            "sendEvents": {"action": "send", "channel": {"$ref": "#/channels/room"}, "messages": [
                {"$ref": "#/channels/room/messages/said"}, {"$ref": "#/channels/room/messages/joined"}
            ]}
        },
        "components": {
            "securitySchemes": {"key": {"type": "httpApiKey", "in": "query", "name": "token"}},
            "messages": {
                "say": {"payload": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}},
                "said": {"payload": {"type": "object", "required": ["kind", "text"], "properties": {"kind": {"const": "said"}, "text": {"type": "string"}}}},
                "joined": {"payload": {"type": "object", "required": ["user"], "properties": {"user": {"type": "string"}}}}
            }
        }
    })
}

#[test]
fn a_server_document_is_inverted_for_the_client() {
    let api = asyncapi(chat_doc(), Perspective::Server).unwrap();
    let room = &api.channels[0];
    let names = |ms: &[crate::ir::Message]| ms.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&room.outgoing),
        ["Say"],
        "`receive` is what the client sends"
    );
    assert_eq!(
        names(&room.incoming),
        ["Said", "Joined"],
        "`send` is what the client receives"
    );
    let api = asyncapi(chat_doc(), Perspective::Client).unwrap();
    assert_eq!(names(&api.channels[0].outgoing), ["Said", "Joined"]);
}

#[test]
fn incoming_messages_are_told_apart_by_constants_or_members() {
    let api = asyncapi(chat_doc(), Perspective::Server).unwrap();
    let room = &api.channels[0];
    assert_eq!(
        room.incoming[0].matcher,
        Some(crate::ir::Matcher::Const {
            property: "kind".into(),
            value: "said".into()
        })
    );
    assert_eq!(
        room.incoming[1].matcher,
        Some(crate::ir::Matcher::Has {
            property: "user".into()
        })
    );
    assert_eq!(
        room.params
            .iter()
            .map(|p| (p.wire.as_str(), p.required))
            .collect::<Vec<_>>(),
        [("room", true), ("since", false)]
    );
    assert_eq!(
        room.auth,
        Some(crate::ir::AuthKind::ApiKey {
            location: crate::ir::ParamLocation::Query,
            name: "token".into()
        })
    );
    assert_eq!(api.servers[0].url, "https://chat.example.com");
}

#[test]
fn message_examples_and_parameter_defaults_are_kept() {
    let mut doc = chat_doc();
    doc["components"]["messages"]["say"]["examples"] =
        json!([{"name": "hello", "payload": {"text": "hi"}}, {"payload": {"text": "bye"}}]);
    doc["channels"]["room"]["bindings"]["ws"]["query"]["properties"]["since"]["default"] = json!(0);
    let api = asyncapi(doc, Perspective::Server).unwrap();
    let room = &api.channels[0];
    // The first example's payload, not the example object around it.
    assert_eq!(room.outgoing[0].docs.example, Some(json!({"text": "hi"})));
    assert_eq!(room.incoming[0].docs.example, None);
    assert_eq!(room.params[1].default, Some(json!(0)));
    assert_eq!(room.params[0].default, None);
}

#[test]
fn messages_that_cannot_be_told_apart_are_an_error() {
    let mut doc = chat_doc();
    doc["components"]["messages"]["joined"]["payload"] =
        json!({"type": "object", "properties": {"text": {"type": "string"}}});
    doc["components"]["messages"]["said"]["payload"] =
        json!({"type": "object", "properties": {"text": {"type": "integer"}}});
    let errors = asyncapi(doc, Perspective::Server).unwrap_err();
    assert!(
        errors.to_string().contains("cannot be told apart"),
        "{errors}"
    );
    assert!(
        errors
            .to_string()
            .contains("events.yaml#/components/messages/said"),
        "{errors}"
    );
}

#[test]
fn identical_messages_decode_as_the_first_with_a_warning() {
    let mut doc = chat_doc();
    doc["components"]["messages"]["joined"]["payload"] =
        doc["components"]["messages"]["said"]["payload"].clone();
    let api = asyncapi(doc, Perspective::Server).unwrap();
    assert!(
        api.warnings
            .iter()
            .any(|w| w.message.contains("always decodes as `Said`")),
        "{:?}",
        api.warnings
    );
}

#[test]
fn the_autessa_channels_lower_with_shared_types() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema"));
    let (openapi, events) = (root.join("openapi.yaml"), root.join("asyncapi.yaml"));
    let sources = Sources::load_all(&[&openapi, &events]).unwrap();
    let (o, a) = (sources.document(&openapi), sources.document(&events));
    let api = lower_documents(
        sources,
        o.as_ref(),
        a.as_ref(),
        &Flags::default(),
        Perspective::Server,
    )
    .unwrap();
    let agent = api
        .channels
        .iter()
        .find(|c| c.id == "agentExecute")
        .unwrap();
    let shown: Vec<String> = agent
        .incoming
        .iter()
        .map(|m| format!("{}={:?}", m.name, m.matcher))
        .collect();
    println!("{shown:#?}");
    assert_eq!(
        agent
            .outgoing
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        [
            "ExecuteMessage",
            "VoiceSetupMessage",
            "AudioFrame",
            "CloseConversationMessage"
        ]
    );
    assert_eq!(agent.outgoing[2].kind, crate::ir::MessageKind::Binary);
    // One Rust type per schema: the REST response type and the message payload are one.
    let named = |n: &str| api.types.iter().filter(|t| t.name == n).count();
    assert_eq!(named("ConnectionStatus"), 1);
    assert_eq!(named("ConnectionStatus2"), 0);
    assert!(agent.incoming.iter().all(|m| m.matcher.is_some()));
}

fn operations(ops: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/rows": ops}})
}

#[test]
fn x_stream_body_names_a_second_method_and_is_checked() {
    let ok = json!({"200": {"description": "rows", "content": {"application/json": {"schema": {"type": "object"}}}}});
    let api = lower(operations(json!({
        "post": {"operationId": "getRows", "x-stream-body": true, "responses": ok},
        "get": {"operationId": "getRowsStreaming", "responses": ok}
    })))
    .unwrap();
    let names: Vec<(&str, Option<&str>)> = api
        .operations
        .iter()
        .map(|op| (op.name.as_str(), op.stream_name.as_deref()))
        .collect();
    // A name already taken gets a suffix rather than a clash.
    assert!(
        names.contains(&("get_rows", Some("get_rows_streaming_2"))),
        "{names:?}"
    );
    assert!(names.contains(&("get_rows_streaming", None)), "{names:?}");

    let empty = lower(operations(json!({
        "delete": {"operationId": "drop", "x-stream-body": true, "responses": {"204": {"description": "gone"}}}
    })))
    .unwrap();
    assert_eq!(empty.operations[0].stream_name, None);
    assert!(
        empty.warnings.iter().any(
            |w| w.to_string().contains("/paths/~1rows/delete/x-stream-body")
                && w.to_string().contains("no body to stream")
        ),
        "{:?}",
        empty.warnings
    );

    let wrong = lower(operations(json!({
        "get": {"operationId": "x", "x-stream-body": "yes", "responses": ok}
    })))
    .unwrap_err();
    let text = wrong.to_string();
    assert!(
        text.contains("/paths/~1rows/get/x-stream-body")
            && text.contains("expected `true` or `false`"),
        "{text}"
    );
}

/// `chat_doc` with `said` a chunk carrying `{"meta": {"done": <done>}}` and `joined` final.
fn chat_with_end_flag(flag: &str, done: Value) -> Value {
    let mut doc = chat_doc();
    let messages = &mut doc["components"]["messages"];
    messages["say"]["x-stream-role"] = json!("request");
    messages["said"]["x-stream-role"] = json!("chunk");
    messages["said"]["x-stream-end-flag"] = json!(flag);
    messages["said"]["payload"]["properties"]["meta"] =
        json!({"type": "object", "properties": {"done": done}});
    messages["joined"]["x-stream-role"] = json!("final");
    doc
}

#[test]
fn x_stream_end_flag_is_a_path_to_a_boolean_member_of_a_chunk() {
    let doc = chat_with_end_flag("/meta/done", json!({"type": "boolean"}));
    let api = asyncapi(doc, Perspective::Server).unwrap();
    assert_eq!(api.channels[0].incoming[0].end_flag, ["meta", "done"]);
    assert!(api.channels[0].incoming[1].end_flag.is_empty());

    for (flag, done, expected) in [
        (
            "/meta/done",
            json!({"type": "string"}),
            "must lead to a boolean member",
        ),
        ("/meta/gone", json!({"type": "boolean"}), "no member `gone`"),
        (
            "/text/done",
            json!({"type": "boolean"}),
            "`done` is not in an object",
        ),
        (
            "meta",
            json!({"type": "boolean"}),
            "expected a JSON pointer",
        ),
    ] {
        let errors = asyncapi(chat_with_end_flag(flag, done), Perspective::Server).unwrap_err();
        let text = errors.to_string();
        assert!(text.contains(expected), "{flag}: {text}");
        assert!(
            text.contains("events.yaml#/components/messages/said/x-stream-end-flag"),
            "{text}"
        );
    }

    let mut doc = chat_with_end_flag("/meta/done", json!({"type": "boolean"}));
    doc["components"]["messages"]["joined"]["x-stream-end-flag"] = json!("/user");
    let errors = asyncapi(doc, Perspective::Server).unwrap_err();
    assert!(
        errors
            .to_string()
            .contains("only a message with `x-stream-role: chunk`"),
        "{errors}"
    );
}

/// An operation with a query parameter `id` and a body `{tableId (required), note?}`.
fn with_param_from_body(mapping: Value) -> Value {
    operations(json!({"post": {
        "operationId": "touch",
        "x-param-from-body": mapping,
        "parameters": [{"name": "id", "in": "query", "required": true, "schema": {"type": "integer", "format": "int64"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
            "type": "object", "required": ["tableId"],
            "properties": {"tableId": {"type": "integer", "format": "int64"}, "note": {"type": "string"}}
        }}}},
        "responses": {"204": {"description": "done"}}
    }}))
}

#[test]
fn x_param_from_body_takes_a_parameter_from_a_required_body_member() {
    let api = lower(with_param_from_body(json!({"id": "tableId"}))).unwrap();
    assert_eq!(
        api.operations[0].params[0].from_body.as_deref(),
        Some("table_id")
    );
    for (mapping, expected) in [
        (json!({"id": "note"}), "must be required and not nullable"),
        (json!({"id": "missing"}), "the body has no member `missing`"),
        (json!({"other": "tableId"}), "no parameter `other`"),
        (json!(["id"]), "expected a map"),
    ] {
        let errors = lower(with_param_from_body(mapping))
            .unwrap_err()
            .to_string();
        assert!(errors.contains(expected), "{expected}: {errors}");
        assert!(
            errors.contains("#/paths/~1rows/post/x-param-from-body"),
            "{errors}"
        );
    }
}

#[test]
fn x_param_from_body_on_a_message_binds_a_member_to_a_connection_parameter() {
    let mut doc = chat_doc();
    doc["channels"]["room"]["bindings"]["ws"]["query"]["properties"]["room"] =
        json!({"type": "string"});
    doc["components"]["messages"]["say"]["payload"]["properties"]["room"] =
        json!({"type": "string"});
    doc["components"]["messages"]["say"]["payload"]["required"] = json!(["text", "room"]);
    doc["components"]["messages"]["say"]["x-param-from-body"] = json!({"room": "room"});
    let api = asyncapi(doc.clone(), Perspective::Server).unwrap();
    let pairs = &api.channels[0].outgoing[0].param_members;
    assert_eq!(pairs.len(), 1);
    assert_eq!(
        (pairs[0].param.as_str(), pairs[0].member_wire.as_str()),
        ("room", "room")
    );

    doc["components"]["messages"]["say"]["x-param-from-body"] = json!({"since": "text"});
    let errors = asyncapi(doc, Perspective::Server).unwrap_err().to_string();
    assert!(errors.contains("only a required parameter"), "{errors}");
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
fn a_path_parameter_the_operation_does_not_declare_is_a_required_string_and_a_warning() {
    let api = lower(json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/users/{userId}/posts/{postId}": {"get": {
            "operationId": "getPost",
            "parameters": [{"name": "postId", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "responses": {"204": {"description": "ok"}}
        }}}
    }))
    .unwrap();
    let params: Vec<(&str, &TypeRef, bool)> = api.operations[0]
        .params
        .iter()
        .map(|p| (p.wire.as_str(), &p.ty, p.required))
        .collect();
    assert_eq!(
        params,
        [
            ("postId", &TypeRef::Primitive(Primitive::I64), true),
            ("userId", &TypeRef::Primitive(Primitive::String), true)
        ]
    );
    let warnings: Vec<String> = api.warnings.iter().map(|w| w.message.clone()).collect();
    assert_eq!(
        warnings,
        [
            "the path uses `{userId}` but declares no such parameter; it is taken as a required string"
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

#[test]
fn client_methods_are_named_clear_of_the_clients_own_and_of_each_other() {
    let empty = json!({"204": {"description": "ok"}});
    let link = json!({"200": {"description": "ok", "content": {"application/json": {"schema": {
        "type": "object", "required": ["url", "ticket"],
        "properties": {"url": {"type": "string"}, "ticket": {"type": "string"}}
    }}}}});
    let api = lower(json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {"get": {"operationId": "withOptions", "responses": empty}},
            "/b": {"get": {"operationId": "new", "responses": empty}},
            "/c": {"get": {"operationId": "uploadFile", "responses": empty}},
            "/d": {"post": {
                "operationId": "link", "responses": link,
                "x-upload": {"name": "uploadFile", "url": "url", "ticket": "ticket", "then": "finish"}
            }},
            "/e": {"post": {
                "operationId": "finish",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["ticket"],
                    "properties": {"ticket": {"type": "string"}}
                }}}},
                "responses": empty
            }}
        }
    }))
    .unwrap();
    let names: Vec<&str> = api.operations.iter().map(|op| op.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "with_options_operation",
            "new_operation",
            "upload_file",
            "link",
            "finish"
        ]
    );
    let flow = api.operations[3].upload.as_ref().expect("the upload flow");
    assert_eq!(flow.name, "upload_file_2");
}
