//! OpenAPI 3.1 schemas spelled the 3.0 way, so one lowering serves both:
//! `type: [T, "null"]` becomes `type: T, nullable: true`, `const: v` becomes `enum: [v]`,
//! numeric `exclusiveMinimum`/`exclusiveMaximum` become bounds, `examples: [..]` an `example`,
//! and a string with a `contentMediaType` is `format: binary` (`byte` when base64-encoded).

use serde_json::{Map, Value};

/// Rewrites every schema-like object under `value`; example and default values are left alone.
pub fn to_30(value: &mut Value) {
    match value {
        Value::Object(map) => {
            rewrite_object(map);
            for (key, child) in map.iter_mut() {
                if !matches!(
                    key.as_str(),
                    "example" | "examples" | "default" | "enum" | "const"
                ) {
                    to_30(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_30),
        _ => {}
    }
}

fn rewrite_object(map: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = map.get("type").cloned() {
        let mut names: Vec<String> = types
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let had_null = names.iter().any(|t| t == "null");
        names.retain(|t| t != "null");
        if had_null {
            map.insert("nullable".into(), Value::Bool(true));
        }
        match names.as_slice() {
            [] => {
                map.remove("type");
            }
            [one] => {
                map.insert("type".into(), Value::String(one.clone()));
            }
            many => {
                map.remove("type");
                let members = many
                    .iter()
                    .map(|t| serde_json::json!({ "type": t }))
                    .collect();
                map.insert("anyOf".into(), Value::Array(members));
            }
        }
    }
    if map.get("type").and_then(Value::as_str) == Some("string")
        && map.contains_key("contentMediaType")
        && !map.contains_key("format")
    {
        let format = match map.get("contentEncoding").and_then(Value::as_str) {
            Some(encoding) if encoding.eq_ignore_ascii_case("base64") => "byte",
            Some(_) => "",
            None => "binary",
        };
        if !format.is_empty() {
            map.insert("format".into(), Value::String(format.into()));
        }
    }
    if let Some(v) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![v]));
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n @ Value::Number(_)) = map.get(exclusive).cloned() {
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    if map.get("examples").is_some_and(Value::is_array)
        && !map.contains_key("example")
        && let Some(Value::Array(examples)) = map.remove("examples")
        && let Some(first) = examples.into_iter().next()
    {
        map.insert("example".into(), first);
    }
}
