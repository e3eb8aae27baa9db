//! Examples a reader without Rust can paste: a `curl` command per operation and, per
//! channel, a `websocat` command with a message exchange.
//!
//! They use the same values as the Rust examples (the parameters' and bodies' examples,
//! made to fit their types, or values made up within the schema's limits; see
//! [`super::example`]), so the two examples of an operation send the same request. Every
//! piece of spec text is a single-quoted shell word (see [`quote`]), so nothing a document
//! says can run as a command.

use percent_encoding::utf8_percent_encode;
use serde_json::Value;

use super::example::{base_url, body_json, message_value, param_value, pretty};
use super::query::{COMPONENT, joined, query_pairs, query_string, text_of};
use crate::ir::{
    Api, AuthKind, Body, BodyKind, Channel, Message, MessageKind, Operation, Param, ParamLocation,
    StreamRole, TypeKind, TypeRef,
};
use crate::rust::client::applied_scheme;

/// The placeholder every example puts where the reader's key goes.
const KEY: &str = "YOUR_API_KEY";

/// `text` as one single-quoted shell word.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
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
}
