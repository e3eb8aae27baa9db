//! One message of a channel: its payload type, content type, stream role and docs, and the
//! payload members that repeat a connection parameter or end a streamed reply.

use serde_json::Value;

use super::document::RawMessage;
use crate::diag::{Diagnostic, Location};
use crate::ir::{
    Docs, Message, MessageKind, Param, ParamMember, Primitive, StreamRole, TypeDef, TypeRef,
    fields_of, resolve,
};
use crate::lower::names::{self, Scope};
use crate::lower::schema::{Types, docs_of};

/// The message at `loc`, its type named in `scope`.
pub(super) fn message(
    types: &mut Types<'_>,
    loc: &Location,
    default_content_type: &str,
    scope: &mut Scope,
) -> Message {
    let src = types.sources();
    let raw: Option<RawMessage> = src
        .parse(loc, "a message")
        .map_err(|d| types.diags.push(d))
        .ok();
    let key = loc.tokens().last().unwrap_or_default();
    let id = raw.as_ref().and_then(|r| r.name.clone()).unwrap_or(key);
    let role = stream_role(types, loc, raw.as_ref());
    let name = scope.claim(names::pascal(&id, "Message", "Message"));
    let end_flag_pointer = raw.as_ref().and_then(|r| r.stream_end_flag.clone());
    let content_type = raw
        .and_then(|r| r.content_type)
        .unwrap_or_else(|| default_content_type.to_owned());
    let (kind, payload) = payload(types, loc, &content_type, &name);
    let end_flag = match end_flag_pointer {
        None => Vec::new(),
        Some(pointer) => message_end_flag(types, loc, role, &payload, &pointer),
    };
    let docs = message_docs(types, loc);
    Message {
        id,
        name,
        // Named per connection once the channel has all its messages.
        method: String::new(),
        end_flag,
        param_members: Vec::new(),
        docs,
        content_type,
        kind,
        payload,
        matcher: None,
        role,
        origin: loc.clone(),
    }
}

/// The message's `x-stream-role`.
fn stream_role(
    types: &mut Types<'_>,
    loc: &Location,
    raw: Option<&RawMessage>,
) -> Option<StreamRole> {
    match raw.and_then(|r| r.stream_role.as_deref()) {
        None => None,
        Some("request") => Some(StreamRole::Request),
        Some("chunk") => Some(StreamRole::Chunk),
        Some("final") => Some(StreamRole::Final),
        Some("error") => Some(StreamRole::Error),
        Some(other) => {
            types.diags.push(Diagnostic::error(
                &loc.join("x-stream-role"),
                format!("expected `request`, `chunk`, `final` or `error`, found `{other}`"),
            ));
            None
        }
    }
}

/// The frame the message travels in and its payload type (`name` for a type defined for an
/// inline schema).
fn payload(
    types: &mut Types<'_>,
    loc: &Location,
    content_type: &str,
    name: &str,
) -> (MessageKind, TypeRef) {
    let src = types.sources();
    let payload_loc = loc.join("payload");
    // A multi-format schema object wraps the schema; AsyncAPI, JSON Schema and OpenAPI
    // schemas are all read the same way.
    let (schema_loc, format) = match src.get(&payload_loc) {
        Some(Value::Object(map))
            if map.contains_key("schemaFormat") && map.contains_key("schema") =>
        {
            (
                payload_loc.join("schema"),
                map.get("schemaFormat")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            )
        }
        _ => (payload_loc.clone(), None),
    };
    let is_json = content_type.contains("json");
    let is_binary_schema = src
        .follow(&schema_loc)
        .ok()
        .and_then(|l| {
            src.get(&l)
                .and_then(|v| v.get("format"))
                .and_then(Value::as_str)
                .map(|f| f == "binary")
        })
        .unwrap_or(false);
    let kind = if is_json && !is_binary_schema {
        MessageKind::Json
    } else {
        MessageKind::Binary
    };
    let supported = format.as_deref().is_none_or(|f| {
        f.starts_with("application/vnd.aai.asyncapi")
            || f.starts_with("application/vnd.oai.openapi")
            || f.starts_with("application/schema+json")
    });
    let payload = match kind {
        MessageKind::Binary => TypeRef::Primitive(Primitive::Binary),
        MessageKind::Json if !supported => {
            types.diags.push(Diagnostic::warning(
                &payload_loc.join("schemaFormat"),
                format!(
                    "schema format `{}` is not supported; the payload is kept as JSON",
                    format.unwrap_or_default()
                ),
            ));
            TypeRef::Any
        }
        MessageKind::Json if src.get(&schema_loc).is_some() => types.lower_at(&schema_loc, name),
        MessageKind::Json => TypeRef::Any,
    };
    (kind, payload)
}

/// The member path of the message's `x-stream-end-flag`, checked; empty after an error.
fn message_end_flag(
    types: &mut Types<'_>,
    loc: &Location,
    role: Option<StreamRole>,
    payload: &TypeRef,
    pointer: &str,
) -> Vec<String> {
    let at = loc.join("x-stream-end-flag");
    let found = if role == Some(StreamRole::Chunk) {
        end_flag(&types.defs, payload, pointer)
    } else {
        Err("only a message with `x-stream-role: chunk` can end a reply by a flag".into())
    };
    found.unwrap_or_else(|why| {
        types.diags.push(Diagnostic::error(&at, why));
        Vec::new()
    })
}

/// The message's docs, with its first example's payload as the example.
fn message_docs(types: &Types<'_>, loc: &Location) -> Docs {
    let src = types.sources();
    let mut docs = docs_of(src.get(loc), types.flags());
    // A message's examples are message example objects (`examples: [{payload, ...}]`, read
    // as `example: {payload, ...}` since the document is read like JSON Schema, see
    // `shape_31`): the example is the first one's payload.
    docs.example = src.get(loc).and_then(|m| {
        m.get("examples")
            .and_then(|e| e.get(0))
            .or_else(|| m.get("example"))
            .and_then(|e| e.get("payload"))
            .cloned()
    });
    docs
}

/// Reads `x-param-from-body: {<connection parameter>: <payload member>}` of an outgoing
/// message: each member repeats a required connection parameter of the same type.
pub(super) fn param_members(
    defs: &[TypeDef],
    map: &Value,
    payload: &TypeRef,
    params: &[Param],
) -> Result<Vec<ParamMember>, String> {
    let Value::Object(map) = map else {
        return Err("expected a map from connection parameters to payload members".into());
    };
    let Some(fields) = fields_of(defs, payload) else {
        return Err("the payload is not an object".into());
    };
    let mut pairs = Vec::new();
    for (wire, member) in map {
        let Some(member) = member.as_str() else {
            return Err(format!("`{wire}`: expected the name of a payload member"));
        };
        let Some(param) = params.iter().find(|p| &p.wire == wire) else {
            return Err(format!("the connection has no parameter `{wire}`"));
        };
        if !param.required {
            return Err(format!(
                "`{wire}`: only a required parameter can be repeated"
            ));
        }
        let Some(field) = fields.iter().find(|f| f.wire == member && !f.flatten) else {
            return Err(format!("`{wire}`: the payload has no member `{member}`"));
        };
        if !field.required || field.nullable || field.ty != param.ty {
            return Err(format!(
                "`{wire}`: the payload member `{member}` must be required, not nullable, and \
                 of the parameter's type"
            ));
        }
        pairs.push(ParamMember {
            param: param.name.clone(),
            param_wire: param.wire.clone(),
            member: field.name.clone(),
            member_wire: field.wire.clone(),
        });
    }
    Ok(pairs)
}

/// The member path of an `x-stream-end-flag` pointer: each step a member of a struct, the
/// last a boolean.
fn end_flag(defs: &[TypeDef], payload: &TypeRef, pointer: &str) -> Result<Vec<String>, String> {
    let Some(tokens) = pointer.strip_prefix('/') else {
        return Err(format!(
            "expected a JSON pointer into the payload, such as `/done`, found `{pointer}`"
        ));
    };
    let mut path = Vec::new();
    let mut at = payload.clone();
    for token in tokens.split('/') {
        let wire = token.replace("~1", "/").replace("~0", "~");
        let Some(fields) = fields_of(defs, &at) else {
            return Err(format!("`{pointer}`: `{wire}` is not in an object"));
        };
        let Some(field) = fields.iter().find(|f| f.wire == wire && !f.flatten) else {
            return Err(format!(
                "`{pointer}`: the payload has no member `{wire}` there"
            ));
        };
        at = field.ty.clone();
        path.push(wire);
    }
    match resolve(defs, &at) {
        TypeRef::Primitive(Primitive::Boolean) => Ok(path),
        _ => Err(format!("`{pointer}` must lead to a boolean member")),
    }
}
