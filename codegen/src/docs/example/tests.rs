use serde_json::json;

use super::literal::raw_lit;
use super::*;
use crate::ir::Api;

#[test]
fn raw_literals_outlast_their_content() {
    assert_eq!(raw_lit("{}"), "r#\"{}\"#");
    assert_eq!(raw_lit("a\"#b"), "r##\"a\"#b\"##");
}

#[test]
fn a_multipart_body_is_built_with_new_and_file_parts() {
    let doc = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/up": {"post": {"operationId": "up", "requestBody": {"required": true, "content": {
            "multipart/form-data": {"schema": {"type": "object", "required": ["file", "kind", "n"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "n": {"type": "integer"},
                "name": {"type": "string"},
                "note": {"type": "string", "example": "hi"},
                "thumb": {"type": "string", "format": "binary"}
            }}}
        }}, "responses": {"204": {"description": "ok"}}}}}
    });
    let api = crate::lower::lower_openapi(
        crate::load::Sources::from_value("spec.yaml", doc),
        &crate::lower::Flags::default(),
    )
    .unwrap();
    let call = rust_call(&api, &api.operations[0], "x", None);
    assert!(
        call.contains(
            "let body = x::types::UpRequest::new(x::FilePart::file(\"upload.bin\"), \
             serde_json::from_str(r#\"\"a\"\"#)?, serde_json::from_str(r#\"1\"#)?)\
             .with_note(\"hi\").with_thumb(x::FilePart::file(\"upload.bin\"));"
        ),
        "{call}"
    );
    assert!(call.contains("client.up(body).await?"), "{call}");
}

#[test]
fn a_made_up_body_meets_the_limits_of_nested_array_items() {
    let doc = json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/answer": {"post": {"operationId": "answer", "requestBody": {"required": true, "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}
        }}, "responses": {"204": {"description": "ok"}}}}},
        "components": {"schemas": {"Answer": {"type": "object", "required": ["pairs"], "properties": {
            "pairs": {"type": "array", "minItems": 1, "items": {
                "type": "array", "minItems": 2, "maxItems": 2,
                "items": {"type": "string", "minLength": 3}
            }}
        }}}}
    });
    let api = crate::lower::lower_openapi(
        crate::load::Sources::from_value("spec.yaml", doc),
        &crate::lower::Flags::default(),
    )
    .unwrap();
    let body = api.operations[0].body.as_ref().unwrap();
    let (value, made_up) = body_value(&api, body).unwrap();
    assert!(made_up);
    let pairs = value["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1);
    let pair = pairs[0].as_array().unwrap();
    assert_eq!(pair.len(), 2, "{value}");
    assert!(
        pair.iter().all(|s| s.as_str().unwrap().len() >= 3),
        "{value}"
    );
}

#[test]
fn reserved_and_keyword_methods() {
    assert_eq!(rust_ident("type"), "r#type");
    assert_eq!(rust_ident("self"), "self_");
    assert_eq!(rust_ident("list_items"), "list_items");
}

/// A WebSocket document unlike Autessa's: keyword names, a hostile example string,
/// types without a literal form, a binary-only channel and a receive-only one.
fn events() -> Api {
    let doc = json!({
        "asyncapi": "3.0.0", "info": {"title": "Events", "version": "1"},
        "servers": {"prod": {"host": "events.example.com", "protocol": "wss"}},
        "channels": {
            "type": {
                "address": "/type",
                "messages": {
                    "ask": {"$ref": "#/components/messages/ask"},
                    "part": {"$ref": "#/components/messages/part"},
                    "done": {"$ref": "#/components/messages/done"}
                },
                "bindings": {"ws": {"query": {"type": "object", "required": ["self"], "properties": {
                    "self": {"type": "string"},
                    "loud": {"type": "boolean", "default": false}
                }}}}
            },
            "feed": {
                "address": "/feed",
                "messages": {"bytes": {"$ref": "#/components/messages/bytes"}, "note": {"$ref": "#/components/messages/note"}}
            },
            "watch": {
                "address": "/watch",
                "messages": {"note": {"$ref": "#/components/messages/note"}}
            }
        },
        "operations": {
            "ask": {"action": "receive", "channel": {"$ref": "#/channels/type"}, "messages": [{"$ref": "#/channels/type/messages/ask"}]},
            "answer": {"action": "send", "channel": {"$ref": "#/channels/type"}, "messages": [
                {"$ref": "#/channels/type/messages/part"}, {"$ref": "#/channels/type/messages/done"}
            ]},
            "feed": {"action": "receive", "channel": {"$ref": "#/channels/feed"}, "messages": [{"$ref": "#/channels/feed/messages/bytes"}]},
            "notes": {"action": "send", "channel": {"$ref": "#/channels/feed"}, "messages": [{"$ref": "#/channels/feed/messages/note"}]},
            "watch": {"action": "send", "channel": {"$ref": "#/channels/watch"}, "messages": [{"$ref": "#/channels/watch/messages/note"}]}
        },
        "components": {"messages": {
            "ask": {
                "x-stream-role": "request",
                "payload": {"type": "object", "required": ["type", "when", "inner"], "properties": {
                    "type": {"type": "string"},
                    "when": {"type": "string", "format": "date-time"},
                    "maybe": {"type": ["string", "null"]},
                    "fn": {"type": "boolean"},
                    "extra": {"type": "object", "additionalProperties": {}},
                    "inner": {"type": "object", "required": ["n"], "properties": {
                        "n": {"type": "integer", "format": "int64"},
                        "tags": {"type": "array", "items": {"type": "string"}}
                    }}
                }},
                "examples": [{"payload": {
                    "type": "\"#); panic!(\"x",
                    "when": "2024-01-01T00:00:00Z",
                    "maybe": null,
                    "fn": false,
                    "extra": {"deep": {"a": [1, 2]}, "big": 5000000000i64},
                    "inner": {"n": -3, "tags": ["a"]}
                }}]
            },
            "part": {"x-stream-role": "chunk", "payload": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}},
            "done": {"x-stream-role": "final", "payload": {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}},
            "bytes": {"contentType": "application/octet-stream", "payload": {"type": "string", "format": "binary"}},
            "note": {"payload": {"type": "object", "required": ["seen"], "properties": {"seen": {"type": "integer"}}}}
        }}
    });
    let sources = crate::load::Sources::from_value("events.yaml", doc);
    let root = sources.root_location();
    crate::lower::lower_documents(
        sources,
        None,
        Some(&root),
        &crate::lower::Flags::default(),
        crate::lower::Perspective::Server,
    )
    .unwrap()
}

fn examples_of(api: &Api, channel: &str) -> Vec<String> {
    let c = api.channels.iter().find(|c| c.id == channel).unwrap();
    channel_scenarios(c)
        .iter()
        .map(|s| {
            let code = rust_channel(api, c, s, "my-api", &scenario_function(c, s)).unwrap();
            syn::parse_file(&code).unwrap_or_else(|e| panic!("{e}:\n{code}"));
            code
        })
        .collect()
}

#[test]
fn a_request_example_builds_its_message_from_the_example() {
    let api = events();
    let [code] = examples_of(&api, "type").try_into().unwrap();
    assert!(
        code.starts_with(
            "async fn type_ask_example() -> Result<(), Box<dyn std::error::Error>> {\n"
        ),
        "{code}"
    );
    for part in [
        "use my_api::channels::{TypeParams, TypeReply};",
        "let params = TypeParams::new(\"string\".to_owned());",
        "let mut connection = client.connect_type(&params).await?;",
        // Text stays a literal; keyword members are escaped.
        "    \"\\\"#); panic!(\\\"x\".to_owned(),\n",
        ".with_fn(false)",
        "serde_json::from_value(serde_json::json!(\"2024-01-01T00:00:00Z\"))?",
        // Optional members, nested ones too, are set with their setters.
        "types::AskInner::new(-3).with_tags(Vec::from([\"a\".to_owned()])),",
        "serde_json::from_str(r#\"{\"a\":[1,2]}\"#)?",
        "serde_json::json!(5000000000i64)",
        ".with_maybe(None)",
        "connection.request_ask(&message).await?;",
        "TypeReply::Part(chunk) => println!(\"{}\", chunk.text),",
        "TypeReply::Done(result) => println!(\"{result:?}\"),",
        "other => println!(\"{other:?}\"),",
    ] {
        assert!(code.contains(part), "{part}\n{code}");
    }
    // The mode stays off: it only serves binary messages.
    assert!(!code.contains("loud"), "{code}");
}

#[test]
fn a_binary_example_streams_frames_and_a_quiet_channel_is_listened_to() {
    let api = events();
    let [feed] = examples_of(&api, "feed").try_into().unwrap();
    for part in [
        "let mut connection = client.connect_feed().await?;",
        "let data = std::fs::read(\"bytes.bin\")?;",
        "connection.sender().send_pcm_reader(data.as_slice(), 640).await?;",
        "while let Some(event) = connection.recv().await {",
    ] {
        assert!(feed.contains(part), "{part}\n{feed}");
    }
    assert!(!feed.contains("StreamExt"), "{feed}");
    let [watch] = examples_of(&api, "watch").try_into().unwrap();
    assert!(watch.contains("async fn watch_example()"), "{watch}");
    assert!(watch.contains("while let Some(event) = connection.recv().await {"));
}
