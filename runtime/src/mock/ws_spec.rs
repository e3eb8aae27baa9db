//! What the mock reads from an AsyncAPI 3.0 document: the channels, their query schemas,
//! the messages each side sends, and the query parameter that carries the key.

use serde_json::{Map, Value};

use super::made_up::made_up;
use super::openapi::read::resolve;
use super::schema::SchemaError;

/// Why the AsyncAPI document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WsMockError {
    /// The payload schemas could not be loaded.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The AsyncAPI document says something the mock cannot follow.
    #[error("{0}")]
    AsyncApi(String),
}

/// What the AsyncAPI document says about one channel.
#[derive(Clone, Debug)]
pub(super) struct ChannelSpec {
    pub(super) id: String,
    pub(super) address: String,
    /// The pointer of the binding's query schema in the validator's document.
    pub(super) query_schema: Option<String>,
    /// The declared query parameters and their JSON types.
    pub(super) query_types: Vec<(String, String)>,
    /// Messages a client may send, and those it may receive.
    pub(super) client: Vec<MessageSpec>,
    pub(super) server: Vec<MessageSpec>,
    /// The payload example of the message the server sends first (`x-initial-message`).
    pub(super) initial: Option<Value>,
}

#[derive(Clone, Debug)]
pub(super) struct MessageSpec {
    pub(super) name: String,
    /// The payload schema in the validator's document; `None` for a binary payload.
    pub(super) schema: Option<String>,
}

impl ChannelSpec {
    pub(super) fn binary_message(&self, messages: &[MessageSpec]) -> Option<String> {
        messages
            .iter()
            .find(|message| message.schema.is_none())
            .map(|message| message.name.clone())
    }
}

/// Where a connection carries the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum KeyPlace {
    /// A query parameter of the connection URL, holding the raw key.
    Query(String),
    /// A header of the upgrade request, holding `prefix` and the key.
    Header { name: String, prefix: &'static str },
}

/// Where the document's first key scheme puts the key: an `httpApiKey` in the query or a
/// header, or an `http` bearer scheme (`Authorization: Bearer <key>`).
fn key_place(asyncapi: &Value) -> Option<KeyPlace> {
    let schemes = asyncapi
        .pointer("/components/securitySchemes")?
        .as_object()?;
    schemes.values().find_map(|scheme| {
        let text = |field| scheme.get(field).and_then(Value::as_str);
        match (text("type")?, text("in"), text("scheme")) {
            ("httpApiKey", Some("query"), _) => Some(KeyPlace::Query(text("name")?.to_owned())),
            ("httpApiKey", Some("header"), _) => Some(KeyPlace::Header {
                name: text("name")?.to_owned(),
                prefix: "",
            }),
            ("http", _, Some(kind)) if kind.eq_ignore_ascii_case("bearer") => {
                Some(KeyPlace::Header {
                    name: "Authorization".to_owned(),
                    prefix: "Bearer ",
                })
            }
            _ => None,
        }
    })
}

/// What [`read_asyncapi`] finds: the OpenAPI document with the channels' query schemas
/// added, the channels, and where connections carry the key.
pub(super) type Read = (Value, Vec<ChannelSpec>, Option<KeyPlace>);

/// Reads the channels of the AsyncAPI document; returns the OpenAPI document with the
/// channels' query schemas added as components (`WsQuery_<channel>`), the channels and
/// where connections carry the key.
pub(super) fn read_asyncapi(openapi: &Value, asyncapi: &Value) -> Result<Read, WsMockError> {
    let bad = |message: String| WsMockError::AsyncApi(message);
    let mut document = openapi.clone();
    add_inline_payloads(&mut document, asyncapi);
    let channels = asyncapi
        .get("channels")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("asyncapi: no channels".into()))?;
    let operations = asyncapi
        .get("operations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut specs = Vec::new();
    for (id, channel) in channels {
        let address = channel
            .get("address")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("asyncapi: channel {id} has no address")))?
            .to_owned();
        let mut spec = ChannelSpec {
            id: id.clone(),
            address,
            query_schema: None,
            query_types: Vec::new(),
            client: Vec::new(),
            server: Vec::new(),
            initial: initial_example(openapi, asyncapi, channel),
        };
        if let Some(query) = channel.pointer("/bindings/ws/query") {
            let name = format!("WsQuery_{id}");
            let schema = rewrite_refs(query);
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (property, definition) in properties {
                    let kind = definition
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("string");
                    spec.query_types.push((property.clone(), kind.to_owned()));
                }
            }
            let schemas = document
                .pointer_mut("/components/schemas")
                .and_then(Value::as_object_mut)
                .ok_or_else(|| bad("openapi: no components/schemas".into()))?;
            schemas.insert(name.clone(), schema);
            spec.query_schema = Some(format!("#/components/schemas/{name}"));
        }
        let own = format!("#/channels/{id}");
        for (op_id, operation) in &operations {
            let channel_ref = operation.pointer("/channel/$ref").and_then(Value::as_str);
            if channel_ref != Some(own.as_str()) {
                continue;
            }
            let action = operation.get("action").and_then(Value::as_str);
            let messages = operation
                .get("messages")
                .and_then(Value::as_array)
                .ok_or_else(|| bad(format!("asyncapi: operation {op_id} lists no messages")))?;
            for reference in messages {
                let message = message_spec(asyncapi, reference)
                    .map_err(|why| bad(format!("asyncapi: operation {op_id}: {why}")))?;
                // The document describes the server: what it receives, clients send.
                match action {
                    Some("receive") => spec.client.push(message),
                    Some("send") => spec.server.push(message),
                    other => {
                        return Err(bad(format!(
                            "asyncapi: operation {op_id}: action {other:?}"
                        )));
                    }
                }
            }
        }
        specs.push(spec);
    }
    Ok((document, specs, key_place(asyncapi)))
}

/// An example payload of the channel's `x-initial-message`: the message's first example,
/// else the example of its payload schema.
fn initial_example(openapi: &Value, asyncapi: &Value, channel: &Value) -> Option<Value> {
    let key = channel.get("x-initial-message")?.as_str()?;
    let reference = channel.pointer(&format!("/messages/{key}"))?;
    let (message, _) = resolve(asyncapi, reference, "");
    if let Some(example) = message.pointer("/examples/0/payload") {
        return Some(example.clone());
    }
    let spec = message_spec(asyncapi, reference).ok()?;
    let pointer = spec.schema?;
    let schema = openapi.pointer(pointer.strip_prefix('#').unwrap_or(&pointer))?;
    Some(made_up(openapi, schema))
}

fn message_spec(asyncapi: &Value, reference: &Value) -> Result<MessageSpec, String> {
    let (message, pointer) = resolve(asyncapi, reference, "");
    if message.get("$ref").is_some() {
        return Err(format!("cannot resolve {reference}"));
    }
    let name = message
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| pointer.rsplit('/').next().unwrap_or_default().to_owned());
    let content_type = message
        .get("contentType")
        .and_then(Value::as_str)
        .or_else(|| asyncapi.get("defaultContentType").and_then(Value::as_str))
        .unwrap_or("application/json");
    if content_type == "application/octet-stream" {
        return Ok(MessageSpec { name, schema: None });
    }
    let payload = message
        .get("payload")
        .ok_or_else(|| format!("message {name} has no payload"))?;
    let schema = payload.get("schema").unwrap_or(payload);
    let pointer = match schema.get("$ref").and_then(Value::as_str) {
        // A reference into the OpenAPI document (the only other document the mock reads).
        Some(target) => format!("#{}", target.split_once('#').map_or("", |(_, f)| f)),
        // An inline schema: added to the OpenAPI document by `read_asyncapi`.
        None => format!("#/components/schemas/{}", inline_name(&name)),
    };
    Ok(MessageSpec {
        name,
        schema: Some(pointer),
    })
}

/// The component an inline payload schema of message `name` is added as.
fn inline_name(name: &str) -> String {
    format!("WsPayload_{name}")
}

/// Adds the inline payload schemas of `asyncapi`'s messages to the OpenAPI document.
fn add_inline_payloads(document: &mut Value, asyncapi: &Value) {
    let Some(Value::Object(messages)) = asyncapi.pointer("/components/messages") else {
        return;
    };
    for (key, message) in messages {
        let Some(payload) = message.get("payload") else {
            continue;
        };
        let schema = payload.get("schema").unwrap_or(payload);
        if schema.get("$ref").is_some() || payload.get("format").is_some() {
            continue;
        }
        let name = message.get("name").and_then(Value::as_str).unwrap_or(key);
        if let Some(Value::Object(schemas)) = document.pointer_mut("/components/schemas") {
            schemas.insert(inline_name(name), rewrite_refs(schema));
        }
    }
}

/// Turns `./openapi.yaml#/x` references into `#/x` (the schema is moved into that document).
fn rewrite_refs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, item)| {
                    let item = match (key.as_str(), item.as_str()) {
                        ("$ref", Some(target)) => {
                            let fragment = target.split_once('#').map_or(target, |(_, f)| f);
                            Value::String(format!("#{fragment}"))
                        }
                        _ => rewrite_refs(item),
                    };
                    (key.clone(), item)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(rewrite_refs).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_key_is_looked_for_where_the_first_key_scheme_puts_it() {
        let place = |scheme: Value| {
            key_place(&json!({"components": {"securitySchemes": {
                "key": scheme
            }}}))
        };
        assert_eq!(
            place(json!({"type": "httpApiKey", "in": "query", "name": "token"})),
            Some(KeyPlace::Query("token".into()))
        );
        assert_eq!(
            place(json!({"type": "httpApiKey", "in": "header", "name": "X-Api-Key"})),
            Some(KeyPlace::Header {
                name: "X-Api-Key".into(),
                prefix: ""
            })
        );
        assert_eq!(
            place(json!({"type": "http", "scheme": "bearer"})),
            Some(KeyPlace::Header {
                name: "Authorization".into(),
                prefix: "Bearer "
            })
        );
        assert_eq!(place(json!({"type": "userPassword"})), None);
    }

    #[test]
    fn a_greeting_without_an_example_is_made_from_the_schema() {
        let openapi = json!({"components": {"schemas": {
            "State": {"type": "string", "enum": ["CONNECTED", "CLOSING"]},
            "Status": {
                "type": "object",
                "required": ["messageType", "status", "count"],
                "properties": {
                    "messageType": {"type": "string", "enum": ["STATUS"]},
                    "status": {"allOf": [{"$ref": "#/components/schemas/State"}]},
                    "count": {"type": "integer"},
                    "note": {"type": "string"},
                },
            },
        }}});
        let asyncapi = json!({
            "channels": {"live": {
                "address": "/live",
                "x-initial-message": "status",
                "messages": {"status": {"$ref": "#/components/messages/Status"}},
            }},
            "components": {"messages": {"Status": {
                "payload": {"$ref": "./openapi.yaml#/components/schemas/Status"},
            }}},
        });
        let channel = &asyncapi["channels"]["live"];
        let greeting = initial_example(&openapi, &asyncapi, channel);
        assert_eq!(
            greeting,
            Some(json!({"messageType": "STATUS", "status": "CONNECTED", "count": 0}))
        );
        // A message example wins over a made-up value.
        let mut with_example = asyncapi.clone();
        with_example["components"]["messages"]["Status"]["examples"] =
            json!([{"payload": {"messageType": "STATUS", "status": "CLOSING", "count": 2}}]);
        let greeting = initial_example(&openapi, &with_example, channel);
        assert_eq!(greeting.unwrap()["status"], "CLOSING");
    }
}
