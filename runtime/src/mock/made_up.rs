//! A value made from a schema, for an answer the documents give no example of: the
//! example where there is one, else the required members, the first enum value, and the
//! smallest value each type, format and limit allows.

use serde_json::{Map, Value};

use super::openapi::read::resolve;

/// How deep a made-up value goes before it gives up (recursive schemas).
const DEPTH: usize = 8;

/// A value of `schema` (inside `document`, whose references it follows).
pub(super) fn made_up(document: &Value, schema: &Value) -> Value {
    value(document, schema, 0)
}

fn value(document: &Value, schema: &Value, depth: usize) -> Value {
    let (schema, _) = resolve(document, schema, "");
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(first) = schema.pointer("/enum/0").or_else(|| schema.get("const")) {
        return first.clone();
    }
    if depth > DEPTH {
        return Value::Null;
    }
    for combined in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(parts)) = schema.get(combined) {
            return combination(document, combined, parts, depth);
        }
    }
    let kind = match schema.get("type") {
        Some(Value::Array(kinds)) => kinds.iter().find_map(Value::as_str).unwrap_or("object"),
        Some(Value::String(kind)) => kind.as_str(),
        _ if schema.get("items").is_some() => "array",
        _ => "object",
    };
    match kind {
        "string" => Value::String(string(schema)),
        "integer" => Value::from(schema.get("minimum").and_then(Value::as_i64).unwrap_or(0)),
        "number" => schema.get("minimum").cloned().unwrap_or(Value::from(0)),
        "boolean" => Value::Bool(false),
        "null" => Value::Null,
        "array" => {
            let count = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let item = schema.get("items").unwrap_or(&Value::Null);
            let items = (0..count.min(4)).map(|_| value(document, item, depth + 1));
            Value::Array(items.collect())
        }
        _ => object(document, schema, depth),
    }
}

/// `allOf` merges its parts' members; `oneOf` and `anyOf` take the first part.
fn combination(document: &Value, combined: &str, parts: &[Value], depth: usize) -> Value {
    if combined != "allOf" || parts.len() == 1 {
        return parts
            .first()
            .map_or(Value::Null, |part| value(document, part, depth + 1));
    }
    // Objects merge as one schema: a member one part requires may be described by another.
    let mut merged = Map::new();
    if merge_objects(document, parts, &mut merged, 0) {
        return object(document, &Value::Object(merged), depth);
    }
    let mut merged = Map::new();
    for part in parts {
        if let Value::Object(members) = value(document, part, depth + 1) {
            merged.extend(members);
        }
    }
    Value::Object(merged)
}

/// Gathers the `properties` and `required` of `parts` (and of their own `allOf`s) into
/// `merged`; false when a part is not an object schema.
fn merge_objects(
    document: &Value,
    parts: &[Value],
    merged: &mut Map<String, Value>,
    depth: usize,
) -> bool {
    for part in parts {
        let (part, _) = resolve(document, part, "");
        if depth < DEPTH
            && let Some(Value::Array(inner)) = part.get("allOf")
        {
            if !merge_objects(document, inner, merged, depth + 1) {
                return false;
            }
            continue;
        }
        let is_object = match part.get("type") {
            Some(kind) => kind == "object",
            None => part.get("properties").is_some() || part.get("required").is_some(),
        };
        if !is_object || part.get("oneOf").is_some() || part.get("anyOf").is_some() {
            return false;
        }
        if let Some(Value::Object(properties)) = part.get("properties") {
            let into = merged
                .entry("properties")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(into) = into {
                // A later part describes a member more closely than the base it extends.
                into.extend(properties.clone());
            }
        }
        if let Some(Value::Array(names)) = part.get("required") {
            let into = merged
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(into) = into {
                into.extend(
                    names
                        .iter()
                        .filter(|n| !into.contains(n))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
            }
        }
    }
    true
}

fn object(document: &Value, schema: &Value, depth: usize) -> Value {
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect::<Vec<_>>())
        .unwrap_or_default();
    let members = required.into_iter().map(|name| {
        let member = schema
            .get("properties")
            .and_then(|properties| properties.get(name))
            .map_or(Value::Null, |member| value(document, member, depth + 1));
        (name.to_owned(), member)
    });
    Value::Object(members.collect())
}

/// A string its format and length accept.
fn string(schema: &Value) -> String {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let text = match format {
        "date-time" => "1970-01-01T00:00:00Z",
        "date" => "1970-01-01",
        "time" => "00:00:00",
        "uuid" => "00000000-0000-0000-0000-000000000000",
        "email" => "mock@example.com",
        "uri" | "url" => "https://example.com/",
        "ipv4" => "127.0.0.1",
        "byte" => "",
        _ => "",
    };
    let least = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let mut text = text.to_owned();
    while text.chars().count() < least {
        text.push('x');
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_all_of_is_made_up_as_one_object() {
        let document = json!({"components": {"schemas": {
            "Page": {
                "type": "object",
                "required": ["href", "items"],
                "properties": {"href": {"type": "string", "example": "/next"}}
            }
        }}});
        let schema = json!({"allOf": [
            {"$ref": "#/components/schemas/Page"},
            {"type": "object", "properties": {"items": {"type": "array", "minItems": 1,
                "items": {"type": "integer", "minimum": 3}}}}
        ]});
        assert_eq!(
            made_up(&document, &schema),
            json!({"href": "/next", "items": [3]})
        );
    }

    #[test]
    fn a_made_up_value_keeps_to_formats_limits_and_references() {
        let document = json!({"components": {"schemas": {
            "Kind": {"type": "string", "enum": ["A", "B"]},
            "Node": {
                "type": "object",
                "required": ["at", "id", "name", "kind", "count", "tags", "next"],
                "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string", "minLength": 3},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "count": {"type": "integer", "minimum": 2},
                    "tags": {"type": "array", "minItems": 1, "items": {"type": "boolean"}},
                    "next": {"$ref": "#/components/schemas/Node"},
                    "left": {"type": "string"},
                },
            },
        }}});
        let node = made_up(&document, &json!({"$ref": "#/components/schemas/Node"}));
        assert_eq!(node["at"], "1970-01-01T00:00:00Z");
        assert_eq!(node["id"], "00000000-0000-0000-0000-000000000000");
        assert_eq!(node["name"], "xxx");
        assert_eq!(node["kind"], "A");
        assert_eq!(node["count"], 2);
        assert_eq!(node["tags"], json!([false]));
        assert!(node.get("left").is_none(), "optional members are left out");
        // A recursive schema ends (in null) instead of going on forever.
        let mut depth = 0;
        let mut at = &node;
        while at["next"].is_object() {
            at = &at["next"];
            depth += 1;
        }
        assert!(depth <= DEPTH, "{depth}");
    }
}
