//! The values every example uses: parameters' and bodies' examples (the schema's, made to
//! fit their types, or made up within their limits), and the names and addresses the
//! examples print.

use serde_json::Value;

use crate::docs::conform::conform;
use crate::docs::synth::{declared, synthesize, synthesize_within};
use crate::ir::{Api, Body, BodyKind, Message, Operation, Param, TypeRef};
use crate::rust::ident::ident;

/// JSON as shown in the docs: pretty, two-space indents.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// The method the Rust back-end gives an operation (`op.name`, chosen in lowering clear of
/// the client's own methods; keywords are raw identifiers).
pub fn method_name(op: &Operation) -> String {
    rust_ident(&op.name)
}

/// An identifier for an IR name, escaped as the Rust back-end escapes it.
pub fn rust_ident(name: &str) -> String {
    ident(name).to_string()
}

/// The Rust path of the crate (`my-api` is used as `my_api`).
pub fn crate_path(crate_name: &str) -> String {
    crate_name.replace('-', "_")
}

/// Whether the generated client takes an API key.
pub fn client_takes_key(api: &Api) -> bool {
    crate::rust::client::applied_scheme(api).is_some()
}

/// The base URL the examples use: the first HTTP server, else a placeholder.
pub fn base_url(api: &Api) -> String {
    api.servers
        .iter()
        .map(|s| s.url.trim_end_matches('/'))
        .find(|u| u.starts_with("http://") || u.starts_with("https://"))
        .unwrap_or("https://api.example.com")
        .to_owned()
}

/// The value a parameter's examples give: its example (or its type's), made to fit its
/// type, or one made up within its limits; a list is never empty (that would leave the
/// parameter out).
pub fn param_value(api: &Api, param: &Param) -> Value {
    let example = param
        .docs
        .example
        .clone()
        .or_else(|| declared(api, &param.ty))
        .map(|example| conform(api, &param.ty, &example))
        .unwrap_or_else(|| synthesize_within(api, &param.ty, &param.constraints));
    match (&param.ty, example) {
        (TypeRef::Array(item), Value::Array(items)) if items.is_empty() => {
            Value::Array(vec![synthesize(api, item)])
        }
        (_, example) => example,
    }
}

/// The example of an operation's request body: the body's own, its type's, or (for JSON and
/// form bodies) one made up from the type; and whether it was made up.
pub fn body_value(api: &Api, body: &Body) -> Option<(Value, bool)> {
    match (&body.docs.example, declared(api, &body.ty)) {
        (Some(e), _) => Some((e.clone(), false)),
        (None, Some(e)) => Some((e, false)),
        (None, None) if matches!(body.kind, BodyKind::Json | BodyKind::Form) => {
            Some((synthesize(api, &body.ty), true))
        }
        _ => None,
    }
}

/// The JSON (or form) body an example sends: `example` made to fit the body's type, or one
/// made up from the type.
pub fn body_json(api: &Api, body: &Body, example: Option<&Value>) -> Value {
    match example {
        Some(example) => conform(api, &body.ty, example),
        None => synthesize(api, &body.ty),
    }
}

/// The JSON a message example sends: the message's example, its payload type's, or one
/// made up from the type.
pub fn message_value(api: &Api, m: &Message) -> Value {
    m.docs
        .example
        .clone()
        .or_else(|| declared(api, &m.payload))
        .unwrap_or_else(|| synthesize(api, &m.payload))
}
