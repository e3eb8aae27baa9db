//! Reading an operation's parts from the document, every `$ref` to a component followed:
//! parameters, request bodies and security schemes.

use serde_json::Value;

use super::operation::{BodyContent, Parameter, ParameterLocation, RequestBody, SecurityScheme};
use crate::mock::schema::escape_token;

/// Whether a media type is JSON (`application/json`, `application/problem+json`, ...).
pub fn is_json(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Follows `$ref`s (to `#/...` locations) from `value`, returning the target and its pointer.
pub fn resolve<'a>(document: &'a Value, value: &'a Value, pointer: &str) -> (&'a Value, String) {
    let mut current = value;
    let mut pointer = pointer.to_owned();
    for _ in 0..32 {
        let Some(target) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(local) = target.strip_prefix('#') else {
            break;
        };
        let Some(next) = document.pointer(local) else {
            break;
        };
        current = next;
        pointer = target.to_owned();
    }
    (current, pointer)
}

/// The parameters listed at `list` (written at `pointer`).
pub(super) fn read_parameters(
    document: &Value,
    list: Option<&Value>,
    pointer: &str,
) -> Vec<Parameter> {
    let Some(Value::Array(list)) = list else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .filter_map(|(index, parameter)| {
            let (parameter, pointer) = resolve(document, parameter, &format!("{pointer}/{index}"));
            let name = parameter.get("name")?.as_str()?.to_owned();
            let location = ParameterLocation::parse(parameter.get("in")?.as_str()?)?;
            let required = location == ParameterLocation::Path
                || parameter.get("required") == Some(&Value::Bool(true));
            let schema = parameter.get("schema");
            let json_type = schema.and_then(|schema| json_type(document, schema));
            let deep_object = parameter.get("style").and_then(Value::as_str) == Some("deepObject");
            Some(Parameter {
                name,
                location,
                required,
                schema_pointer: schema.map(|_| format!("{pointer}/schema")),
                json_type,
                deep_object,
            })
        })
        .collect()
}

fn json_type(document: &Value, schema: &Value) -> Option<String> {
    let (schema, _) = resolve(document, schema, "");
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        return Some(kind.to_owned());
    }
    ["allOf", "oneOf", "anyOf"].iter().find_map(|key| {
        schema
            .get(*key)?
            .as_array()?
            .iter()
            .find_map(|inner| json_type(document, inner))
    })
}

/// The request body `body` (written at `pointer`): its media types and whether it is required.
pub(super) fn read_request_body(document: &Value, body: &Value, pointer: &str) -> RequestBody {
    let (body, pointer) = resolve(document, body, pointer);
    let content = match body.get("content") {
        Some(Value::Object(content)) => content
            .iter()
            .map(|(media_type, media)| BodyContent {
                media_type: media_type.clone(),
                schema_pointer: media
                    .get("schema")
                    .map(|_| format!("{pointer}/content/{}/schema", escape_token(media_type))),
            })
            .collect(),
        _ => Vec::new(),
    };
    RequestBody {
        required: body.get("required") == Some(&Value::Bool(true)),
        content,
    }
}

/// The alternatives of a `security` list, each the schemes that must all be met.
pub(super) fn read_security(
    document: &Value,
    security: Option<&Value>,
) -> Vec<Vec<SecurityScheme>> {
    let Some(Value::Array(alternatives)) = security else {
        return Vec::new();
    };
    alternatives
        .iter()
        .filter_map(Value::as_object)
        .map(|requirement| {
            requirement
                .keys()
                .map(|scheme| read_scheme(document, scheme))
                .collect()
        })
        .collect()
}

fn read_scheme(document: &Value, name: &str) -> SecurityScheme {
    let other = SecurityScheme::Other {
        scheme: name.to_owned(),
    };
    let Some(definition) = document
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(|s| s.get(name))
    else {
        return other;
    };
    let (definition, _) = resolve(document, definition, "");
    let field = |key: &str| definition.get(key).and_then(Value::as_str);
    match (field("type"), field("in"), field("name"), field("scheme")) {
        (Some("apiKey"), Some(location), Some(header), _) => {
            match ParameterLocation::parse(location) {
                Some(location) => SecurityScheme::ApiKey {
                    scheme: name.to_owned(),
                    location,
                    name: header.to_owned(),
                },
                None => other,
            }
        }
        (Some("http"), _, _, Some(scheme)) if scheme.eq_ignore_ascii_case("bearer") => {
            SecurityScheme::Bearer {
                scheme: name.to_owned(),
            }
        }
        _ => other,
    }
}
