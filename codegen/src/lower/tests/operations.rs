//! OpenAPI operations: parameters, bodies, responses, path items and the extensions that
//! shape the client's methods.

use serde_json::{Value, json};

use super::*;

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
