//! AsyncAPI channels: directions, matchers, examples, stream roles and parameters repeated
//! in messages.

use serde_json::{Value, json};

use super::*;

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
