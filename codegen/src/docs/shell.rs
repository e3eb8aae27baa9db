//! Examples a reader without Rust can paste: a `curl` command per operation and, per
//! channel, a `websocat` command with a message exchange.
//!
//! They use the same values as the Rust examples (the parameters' and bodies' examples,
//! made to fit their types, or values made up within the schema's limits; see
//! [`super::example`]), so the two examples of an operation send the same request. Every
//! piece of spec text is a single-quoted shell word (see [`quote`]), so nothing a document
//! says can run as a command.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::example::{base_url, body_json, message_value, param_value, pretty};
use crate::ir::{
    Api, AuthKind, Body, BodyKind, Channel, FormStyle, Message, MessageKind, Operation, Param,
    ParamLocation, StreamRole, TypeKind, TypeRef,
};
use crate::rust::client::applied_scheme;

/// What a query value or path segment keeps unescaped (RFC 3986's unreserved characters).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The placeholder every example puts where the reader's key goes.
const KEY: &str = "YOUR_API_KEY";

/// `text` as one single-quoted shell word.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A JSON value as query or form text: strings as they are, other values as compact JSON;
/// `None` for `null` (left out, as the runtime does).
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A JSON value as text, `null` included (header and path values).
fn text_of(value: &Value) -> String {
    scalar_text(value).unwrap_or_else(|| "null".into())
}

/// A header or path value: array items joined with `,`.
fn joined(value: &Value) -> String {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(scalar_text)
            .collect::<Vec<_>>()
            .join(","),
        other => text_of(other),
    }
}

/// The `name=value` fields of a query parameter or form member written in `style`
/// (OpenAPI's default is `form` exploded), as the runtime writes them: exploded arrays
/// repeat the name and objects give a field per member; the delimited styles join items
/// (and an object's names and values) with `,`, ` ` or `|`; `deepObject` nests names in
/// brackets.
fn query_pairs(name: &str, value: &Value, style: Option<FormStyle>) -> Vec<(String, String)> {
    let separator = match style.unwrap_or(FormStyle::Exploded) {
        FormStyle::Comma => ",",
        FormStyle::Space => " ",
        FormStyle::Pipe => "|",
        FormStyle::DeepObject => {
            let mut out = Vec::new();
            deep_pairs(name.to_owned(), value, &mut out);
            return out;
        }
        FormStyle::Exploded => {
            return match value {
                Value::Array(items) => items
                    .iter()
                    .filter_map(|v| Some((name.to_owned(), scalar_text(v)?)))
                    .collect(),
                Value::Object(members) => members
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), scalar_text(v)?)))
                    .collect(),
                other => scalar_text(other)
                    .map(|t| (name.to_owned(), t))
                    .into_iter()
                    .collect(),
            };
        }
    };
    let text = match value {
        Value::Array(items) => items
            .iter()
            .filter_map(scalar_text)
            .collect::<Vec<_>>()
            .join(separator),
        Value::Object(members) => members
            .iter()
            .filter_map(|(k, v)| Some([k.clone(), scalar_text(v)?]))
            .flatten()
            .collect::<Vec<_>>()
            .join(separator),
        other => match scalar_text(other) {
            Some(text) => text,
            None => return Vec::new(),
        },
    };
    vec![(name.to_owned(), text)]
}

/// `deepObject` fields: `key[member]` for objects, `key[index]` for arrays.
fn deep_pairs(key: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(members) => {
            for (member, value) in members {
                deep_pairs(format!("{key}[{member}]"), value, out);
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                deep_pairs(format!("{key}[{index}]"), value, out);
            }
        }
        other => out.extend(scalar_text(other).map(|text| (key, text))),
    }
}

fn query_string(pairs: &[(String, String)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, COMPONENT),
                utf8_percent_encode(v, COMPONENT)
            )
        })
        .collect();
    if encoded.is_empty() {
        String::new()
    } else {
        format!("?{}", encoded.join("&"))
    }
}

/// The parameters an example sends: the required ones the caller gives.
fn sent(params: &[Param]) -> impl Iterator<Item = &Param> {
    params.iter().filter(|p| p.required)
}

/// How a request carries the key: extra `curl`/`websocat` options and query pairs.
fn credentials(kind: &AuthKind, options: &mut Vec<String>, query: &mut Vec<(String, String)>) {
    match kind {
        AuthKind::Bearer => options.push(format!(
            "-H {}",
            quote(&format!("Authorization: Bearer {KEY}"))
        )),
        AuthKind::ApiKey { location, name } => match location {
            ParamLocation::Header => {
                options.push(format!("-H {}", quote(&format!("{name}: {KEY}"))))
            }
            ParamLocation::Query => query.push((name.clone(), KEY.into())),
            ParamLocation::Cookie => {
                options.push(format!("-b {}", quote(&format!("{name}={KEY}"))))
            }
            ParamLocation::Path => {}
        },
        AuthKind::Basic | AuthKind::Other(_) => {}
    }
}

/// A `curl` command sending the request the Rust example of `op` sends (`body_example` as
/// given to it).
pub fn curl(api: &Api, op: &Operation, body_example: Option<&Value>) -> String {
    let mut path = op.path.clone();
    let mut query = Vec::new();
    let mut options = Vec::new();
    let body = op
        .body
        .as_ref()
        .map(|b| (b, body_json(api, b, body_example)));
    let params = op
        .params
        .iter()
        .filter(|p| p.required || p.from_body.is_some());
    for p in params {
        // A parameter repeating a body member (`x-param-from-body`) takes its value.
        let value = match (&p.from_body, &body) {
            (Some(member), Some((b, value))) => member_value(api, b, member, value),
            _ => None,
        };
        let value = value.unwrap_or_else(|| param_value(api, p));
        match p.location {
            ParamLocation::Path => {
                let segment = utf8_percent_encode(&joined(&value), COMPONENT).to_string();
                path = path.replace(&format!("{{{}}}", p.wire), &segment);
            }
            ParamLocation::Query => query.extend(query_pairs(&p.wire, &value, p.style)),
            ParamLocation::Header => {
                options.push(format!(
                    "-H {}",
                    quote(&format!("{}: {}", p.wire, joined(&value)))
                ));
            }
            ParamLocation::Cookie => {}
        }
    }
    if op.authenticated {
        match applied_scheme(api) {
            Some(scheme) => credentials(&scheme.kind, &mut options, &mut query),
            None if api.security.iter().any(|s| s.kind == AuthKind::Basic) => {
                options.push(format!("-u {}", quote("USERNAME:PASSWORD")));
            }
            None => {}
        }
    }
    let mut heredoc = None;
    if let Some(body) = &op.body {
        heredoc = body_options(api, body, body_example, &mut options);
    }
    let url = format!("{}{}{}", base_url(api), path, query_string(&query));
    let mut first = String::from("curl");
    if op.method != "GET" {
        first.push_str(&format!(" -X {}", op.method));
    }
    first.push_str(&format!(" {}", quote(&url)));
    let mut lines = vec![first];
    lines.extend(options.into_iter().map(|o| format!("  {o}")));
    let mut text = lines.join(" \\\n");
    if let Some(json) = heredoc {
        text.push_str(&format!(" <<'JSON'\n{json}\nJSON"));
    }
    text
}

/// The value of the body member with Rust name `member` in `value`.
fn member_value(api: &Api, body: &Body, member: &str, value: &Value) -> Option<Value> {
    let TypeRef::Named(id) = crate::ir::resolve(&api.types, &body.ty) else {
        return None;
    };
    let TypeKind::Struct(s) = &api.ty(*id).kind else {
        return None;
    };
    let field = s.fields.iter().find(|f| f.name == member)?;
    value.get(&field.wire).cloned()
}

/// The options sending `body`; for JSON, also the document read from standard input.
fn body_options(
    api: &Api,
    body: &Body,
    example: Option<&Value>,
    options: &mut Vec<String>,
) -> Option<String> {
    let content_type = |options: &mut Vec<String>| {
        options.push(format!(
            "-H {}",
            quote(&format!("Content-Type: {}", body.media_type))
        ));
    };
    match body.kind {
        BodyKind::Json => {
            content_type(options);
            options.push("--data-binary @-".into());
            return Some(pretty(&body_json(api, body, example)));
        }
        BodyKind::Form => {
            if let Value::Object(members) = body_json(api, body, example) {
                for (k, v) in &members {
                    let style = body.encoding_of(k).and_then(|e| e.style);
                    for (k, v) in query_pairs(k, v, style) {
                        options.push(format!("--data-urlencode {}", quote(&format!("{k}={v}"))));
                    }
                }
            }
        }
        BodyKind::Multipart => multipart_options(api, body, example, options),
        BodyKind::Binary => {
            content_type(options);
            options.push("--data-binary @body.bin".into());
        }
        BodyKind::Text => {
            content_type(options);
            options.push(format!("--data-binary {}", quote("text")));
        }
    }
    None
}

/// `-F` options: files from `upload.bin`, text as text, other values as JSON parts; the
/// required members and those the example gives, as the Rust example sets them.
fn multipart_options(api: &Api, body: &Body, example: Option<&Value>, options: &mut Vec<String>) {
    let TypeRef::Named(id) = crate::ir::resolve(&api.types, &body.ty) else {
        return;
    };
    let TypeKind::Struct(s) = &api.ty(*id).kind else {
        return;
    };
    let example = example.cloned().unwrap_or(Value::Null);
    for f in &s.fields {
        if f.files().is_some() {
            options.push(format!("-F {}", quote(&format!("{}=@upload.bin", f.wire))));
            continue;
        }
        let given = example.get(&f.wire).or(f.docs.example.as_ref()).cloned();
        let value = match given {
            Some(v) => v,
            None if f.required => super::synth::synthesize_within(api, &f.ty, &f.constraints),
            None => continue,
        };
        let part = match &value {
            Value::Object(_) | Value::Array(_) => {
                format!("{}={};type=application/json", f.wire, value)
            }
            other => format!("{}={}", f.wire, text_of(other)),
        };
        options.push(format!("-F {}", quote(&part)));
    }
}

/// The WebSocket URL of a channel: the first `ws`/`wss` server, else the HTTP base URL
/// with its scheme changed, then the address and the required query parameters.
fn channel_url(api: &Api, c: &Channel, query: &[(String, String)]) -> String {
    let base = api
        .servers
        .iter()
        .map(|s| s.url.trim_end_matches('/'))
        .find(|u| u.starts_with("ws://") || u.starts_with("wss://"))
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let http = base_url(api);
            match http.strip_prefix("http") {
                Some(rest) => format!("ws{rest}"),
                None => http,
            }
        });
    format!("{base}{}{}", c.address, query_string(query))
}

/// A `websocat` command connecting to `c` with its required parameters and the key. A
/// parameter that the message of the [`exchange`] repeats (`x-param-from-body`) takes that
/// message's value, as the server checks they agree.
pub fn websocat(api: &Api, c: &Channel) -> String {
    let message = first_sent(c).map(|m| (m, message_value(api, m)));
    let mut query: Vec<(String, String)> = Vec::new();
    for p in sent(&c.params) {
        let repeated = message.as_ref().and_then(|(m, value)| {
            let member = m.param_members.iter().find(|pm| pm.param_wire == p.wire)?;
            value.get(&member.member_wire).cloned()
        });
        let value = repeated.unwrap_or_else(|| param_value(api, p));
        query.extend(query_pairs(&p.wire, &value, p.style));
    }
    let mut options = Vec::new();
    match &c.auth {
        Some(AuthKind::Basic) => {
            options.push(format!("--basic-auth {}", quote("USERNAME:PASSWORD")))
        }
        Some(kind) => credentials(kind, &mut options, &mut query),
        None => {}
    }
    let mut lines = vec![format!("websocat {}", quote(&channel_url(api, c, &query)))];
    lines.extend(options.into_iter().map(|o| format!("  {o}")));
    lines.join(" \\\n")
}

/// The first JSON message the client sends that asks for a streamed reply.
fn request_message(c: &Channel) -> Option<&Message> {
    c.outgoing
        .iter()
        .find(|m| m.role == Some(StreamRole::Request) && m.kind == MessageKind::Json)
}

/// The message the exchange sends: a request, else the first JSON message.
fn first_sent(c: &Channel) -> Option<&Message> {
    request_message(c).or_else(|| c.outgoing.iter().find(|m| m.kind == MessageKind::Json))
}

/// A message exchange on `c`, one message a line: `>` what the client sends (typed into
/// websocat), `<` what the server sends. The server's first message, then one request
/// with the parts of its reply, or else the first message the client sends and what may
/// come back.
pub fn exchange(api: &Api, c: &Channel) -> String {
    let json = |m: &Message| serde_json::to_string(&message_value(api, m)).unwrap_or_default();
    let mut lines = Vec::new();
    if let Some(first) = c.initial.and_then(|i| c.incoming.get(i)) {
        lines.push(format!("< {}", json(first)));
    }
    let request = request_message(c);
    if let Some(m) = first_sent(c) {
        lines.push(format!("> {}", json(m)));
    }
    let replies: Vec<&Message> = if request.is_some() {
        let chunk = c
            .incoming
            .iter()
            .find(|m| m.role == Some(StreamRole::Chunk));
        let last = c
            .incoming
            .iter()
            .find(|m| m.role == Some(StreamRole::Final));
        chunk.into_iter().chain(last).collect()
    } else {
        c.incoming
            .iter()
            .enumerate()
            .filter(|(i, m)| Some(*i) != c.initial && m.kind == MessageKind::Json)
            .map(|(_, m)| m)
            .take(2)
            .collect()
    };
    lines.extend(replies.into_iter().map(|m| format!("< {}", json(m))));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_one_word() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's $(rm -rf /)"), "'it'\\''s $(rm -rf /)'");
    }

    #[test]
    fn query_values_are_encoded() {
        let pairs = query_pairs("tags", &serde_json::json!(["a b", "c&d"]), None);
        assert_eq!(query_string(&pairs), "?tags=a%20b&tags=c%26d");
    }

    #[test]
    fn query_styles_are_the_runtimes() {
        let fields = |value: Value, style| -> Vec<String> {
            query_pairs("a", &value, Some(style))
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect()
        };
        let list = || serde_json::json!([1, "x y", null, true]);
        let object = || serde_json::json!({"r": 100, "g": "2", "n": null});
        assert_eq!(
            fields(list(), FormStyle::Exploded),
            ["a=1", "a=x y", "a=true"]
        );
        assert_eq!(fields(list(), FormStyle::Comma), ["a=1,x y,true"]);
        assert_eq!(fields(list(), FormStyle::Space), ["a=1 x y true"]);
        assert_eq!(fields(list(), FormStyle::Pipe), ["a=1|x y|true"]);
        assert_eq!(fields(object(), FormStyle::Exploded), ["r=100", "g=2"]);
        assert_eq!(fields(object(), FormStyle::Comma), ["a=r,100,g,2"]);
        assert_eq!(
            fields(
                serde_json::json!({"x": {"y": [1, {"z": false}]}}),
                FormStyle::DeepObject
            ),
            ["a[x][y][0]=1", "a[x][y][1][z]=false"]
        );
        assert!(fields(Value::Null, FormStyle::Comma).is_empty());
    }
}
