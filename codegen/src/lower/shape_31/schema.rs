//! One schema object, rewritten from JSON Schema 2020-12 into OpenAPI 3.0 spelling:
//!
//! - boolean schemas: `true` is `{}`; `false` drops the property or union member it stands
//!   for, and is `{not: {}}` anywhere else (`additionalProperties` keeps its boolean);
//! - keywords beside `$ref` apply (2020-12 only): `{$ref: X, nullable: true}` becomes
//!   `{allOf: [{$ref: X}], nullable: true}`; descriptions and the like stay beside it;
//! - `type: [T, "null"]` is `type: T, nullable: true`; several types become an `anyOf` of
//!   one member per type, each with the keywords that apply to it;
//! - `const: v` is `enum: [v]` with `default: v`, typed after the value when no `type` is
//!   written;
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` are bounds with a flag;
//! - `examples: [..]` gives its first value as `example`;
//! - `prefixItems` (a tuple) is read as an array of any of its item schemas;
//! - a string with a `contentMediaType` is `format: binary` (`byte` when base64-encoded).

use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, Location};

/// How a document's schemas read keywords written beside `$ref`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// JSON Schema 2020-12 (OpenAPI 3.1): they apply together with the reference.
    Draft2020,
    /// Draft-07 (AsyncAPI's schemas): the reference stands alone, they are ignored.
    Draft07,
}

/// Rewrites the schema `value` (at `loc`) in place; its subschemas are left to the caller.
pub(super) fn rewrite(
    value: &mut Value,
    loc: &Location,
    dialect: Dialect,
    diags: &mut Vec<Diagnostic>,
) {
    let map = match value {
        Value::Bool(true) => return *value = json!({}),
        Value::Bool(false) => return *value = nothing(),
        Value::Object(map) => map,
        _ => return,
    };
    if dialect == Dialect::Draft2020 {
        reference_with_siblings(map);
    }
    drop_impossible(map);
    constant(map);
    type_list(map, loc, diags);
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n @ Value::Number(_)) = map.get(exclusive).cloned() {
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    if !map.contains_key("example")
        && let Some(Value::Array(examples)) = map.get("examples")
        && let Some(first) = examples.first().cloned()
    {
        map.remove("examples");
        map.insert("example".into(), first);
    }
    prefix_items(map);
    content_media_type(map);
}

/// A string whose content is another media type is bytes: raw, or base64 text.
fn content_media_type(map: &mut Map<String, Value>) {
    if map.get("type").and_then(Value::as_str) != Some("string")
        || !map.contains_key("contentMediaType")
        || map.contains_key("format")
    {
        return;
    }
    let format = match map.get("contentEncoding").and_then(Value::as_str) {
        Some(encoding) if encoding.eq_ignore_ascii_case("base64") => "byte",
        Some(_) => return,
        None => "binary",
    };
    map.insert("format".into(), Value::String(format.into()));
}

/// Where the subschemas of a (rewritten) schema stand: the ones lowering reads, and the
/// `$defs` and `definitions` that references may point into.
pub(super) fn children(map: &Map<String, Value>, loc: &Location) -> Vec<Location> {
    let mut out = Vec::new();
    for key in ["items", "not"] {
        if map.contains_key(key) {
            out.push(loc.join(key));
        }
    }
    // A boolean `additionalProperties` is already OpenAPI 3.0.
    if map
        .get("additionalProperties")
        .is_some_and(Value::is_object)
    {
        out.push(loc.join("additionalProperties"));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = map.get(key) {
            out.extend((0..members.len()).map(|i| loc.join(key).join(i)));
        }
    }
    for key in ["properties", "$defs", "definitions"] {
        if let Some(Value::Object(entries)) = map.get(key) {
            out.extend(entries.keys().map(|k| loc.join(key).join(k)));
        }
    }
    out
}

/// The schema no value passes.
fn nothing() -> Value {
    json!({"not": {}})
}

/// Keywords that describe a value without constraining it: they may stay beside `$ref`.
fn is_annotation(key: &str) -> bool {
    key.starts_with("x-")
        || matches!(
            key,
            "$ref"
                | "$comment"
                | "$defs"
                | "definitions"
                | "title"
                | "summary"
                | "description"
                | "deprecated"
                | "readOnly"
                | "writeOnly"
                | "default"
                | "example"
                | "examples"
                | "externalDocs"
                | "xml"
        )
}

/// `{$ref: X, nullable: true, ...}` applies both: the reference becomes an `allOf` member.
fn reference_with_siblings(map: &mut Map<String, Value>) {
    if !map.contains_key("$ref") || map.keys().all(|k| is_annotation(k)) {
        return;
    }
    let Some(reference) = map.remove("$ref") else {
        return;
    };
    let member = json!({ "$ref": reference });
    match map.get_mut("allOf") {
        Some(Value::Array(members)) => members.insert(0, member),
        _ => {
            map.insert("allOf".into(), json!([member]));
        }
    }
}

/// A property whose schema is `false` can never be present, and a union member that is
/// `false` never matches: both are left out.
fn drop_impossible(map: &mut Map<String, Value>) {
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        properties.retain(|_, schema| *schema != Value::Bool(false));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(members)) = map.get_mut(key) {
            members.retain(|m| *m != Value::Bool(false));
            if members.is_empty() {
                map.remove(key);
                map.insert("not".into(), json!({}));
            }
        }
    }
}

/// `const: v` is a one-value `enum`; without a `type`, the value's own type is the type.
fn constant(map: &mut Map<String, Value>) {
    let Some(value) = map.remove("const") else {
        return;
    };
    if !map.contains_key("type") {
        let ty = match &value {
            Value::String(_) => Some("string"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
            Value::Number(_) => Some("number"),
            Value::Bool(_) => Some("boolean"),
            Value::Null => Some("null"),
            Value::Array(_) | Value::Object(_) => None,
        };
        if let Some(ty) = ty {
            map.insert("type".into(), ty.into());
        }
    }
    // The one value allowed is also what the member is when left out (and what examples
    // show).
    if !map.contains_key("default") {
        map.insert("default".into(), value.clone());
    }
    map.insert("enum".into(), Value::Array(vec![value]));
}

/// The keywords that apply only to values of one type, by type.
fn applies_to(ty: &str, key: &str, value: &Value) -> bool {
    let numeric_format = || {
        value.as_str().is_some_and(|f| {
            matches!(
                f,
                "int32" | "int64" | "uint32" | "uint64" | "float" | "double"
            )
        })
    };
    match key {
        "format" => match ty {
            "integer" | "number" => numeric_format(),
            "string" => !numeric_format(),
            _ => false,
        },
        "pattern" | "minLength" | "maxLength" | "contentMediaType" | "contentEncoding" => {
            ty == "string"
        }
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
            matches!(ty, "integer" | "number")
        }
        "properties"
        | "required"
        | "additionalProperties"
        | "minProperties"
        | "maxProperties"
        | "patternProperties"
        | "propertyNames"
        | "discriminator" => ty == "object",
        "items" | "prefixItems" | "minItems" | "maxItems" | "uniqueItems" | "contains" => {
            ty == "array"
        }
        _ => false,
    }
}

/// Whether an `enum` value is of the JSON type `ty`.
fn is_of_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

/// `type: [T, "null"]` is `type: T, nullable: true`; several types are an `anyOf`.
fn type_list(map: &mut Map<String, Value>, loc: &Location, diags: &mut Vec<Diagnostic>) {
    let types = match map.get("type") {
        None | Some(Value::String(_)) => return,
        Some(Value::Array(types)) if types.iter().all(Value::is_string) => types
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect::<Vec<_>>(),
        Some(_) => {
            diags.push(Diagnostic::warning(
                &loc.join("type"),
                "expected a type name or a list of them; the schema is read without its `type`",
            ));
            map.remove("type");
            return;
        }
    };
    map.remove("type");
    let mut names: Vec<String> = Vec::new();
    for ty in types {
        if ty == "null" {
            map.insert("nullable".into(), Value::Bool(true));
        } else if !names.contains(&ty) {
            names.push(ty);
        }
    }
    match names.as_slice() {
        [] => {}
        [one] => {
            map.insert("type".into(), one.as_str().into());
        }
        // Beside a union, its members say what each value is.
        _ if map.contains_key("anyOf") || map.contains_key("oneOf") => {}
        many => {
            let members = one_member_per_type(map, many);
            map.insert("anyOf".into(), Value::Array(members));
        }
    }
}

/// Moves the keywords that apply to one type only (and the `enum` values of that type)
/// into one member schema per type.
fn one_member_per_type(map: &mut Map<String, Value>, types: &[String]) -> Vec<Value> {
    let values = match map.remove("enum") {
        Some(Value::Array(values)) => Some(values),
        _ => None,
    };
    let specific: Vec<(String, Value)> = map
        .iter()
        .filter(|(k, v)| types.iter().any(|t| applies_to(t, k, v)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, _) in &specific {
        map.remove(k);
    }
    let mut members = Vec::new();
    for ty in types {
        let mut member = Map::new();
        member.insert("type".into(), ty.as_str().into());
        for (k, v) in specific.iter().filter(|(k, v)| applies_to(ty, k, v)) {
            member.insert(k.clone(), v.clone());
        }
        if let Some(values) = &values {
            let of_type: Vec<Value> = values
                .iter()
                .filter(|v| is_of_type(v, ty))
                .cloned()
                .collect();
            if of_type.is_empty() {
                continue;
            }
            member.insert("enum".into(), Value::Array(of_type));
        }
        members.push(Value::Object(member));
    }
    members
}

/// A tuple (`prefixItems`, then `items` for the rest) is read as an array whose items are
/// any of those schemas: the IR has no tuples.
fn prefix_items(map: &mut Map<String, Value>) {
    let Some(Value::Array(prefix)) = map.remove("prefixItems") else {
        return;
    };
    let mut members: Vec<Value> = Vec::new();
    let rest = match map.remove("items") {
        None | Some(Value::Bool(false)) => None,
        Some(Value::Bool(true)) => Some(json!({})),
        Some(items) => Some(items),
    };
    for schema in prefix.into_iter().chain(rest) {
        if !members.contains(&schema) {
            members.push(schema);
        }
    }
    let items = match members.len() {
        0 => return,
        1 => members.remove(0),
        _ => json!({ "anyOf": members }),
    };
    map.insert("items".into(), items);
}
