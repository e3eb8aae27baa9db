//! Random instances of a JSON Schema, as proptest strategies (so failures shrink).
//!
//! Reads the JSON Schema 2020-12 document that [`SchemaValidator`] converts `openapi.yaml`
//! into, and builds a [`BoxedStrategy<Value>`] for the schema at a pointer. It follows `$ref`,
//! merges `allOf`, picks one branch of `anyOf`/`oneOf`, and respects `type` (also arrays of
//! types), `enum`, `const`, `properties`/`required`/`additionalProperties`, `items` with
//! `minItems`/`maxItems`, `minimum`/`maximum` and their exclusive forms, `minLength`/
//! `maxLength`, and the formats `byte`, `date-time`, `date`, `uri` and `uuid`. A schema with no
//! type gets any JSON value. A keyword it does not implement makes it panic, naming the
//! keyword, rather than produce values that may be invalid: extend it when the schema grows.
//!
//! Objects that allow unknown properties (no `additionalProperties`) get, when asked, a few
//! extra properties named `x-conformance-extra-N`: a client must ignore what it does not know.
//!
//! [`SchemaValidator`]: autessa_tests::mock::SchemaValidator

use std::collections::BTreeSet;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::strategy::Union;
use serde_json::{Map, Value, json};

/// The name prefix of the unknown properties added to open objects.
pub const EXTRA_PREFIX: &str = "x-conformance-extra-";

/// Keywords that only annotate: they constrain nothing.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "default",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "$comment",
    "format",
];

/// Keywords this generator implements (besides the annotations).
const IMPLEMENTED: &[&str] = &[
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
];

/// Builds strategies from one converted document.
#[derive(Clone, Debug)]
pub struct SchemaGen {
    document: Value,
    extra_properties: bool,
}

impl SchemaGen {
    /// A generator over `document` (a JSON Schema 2020-12 document whose `$ref`s are local).
    pub fn new(document: &Value) -> Self {
        Self {
            document: document.clone(),
            extra_properties: false,
        }
    }

    /// Whether open objects get unknown extra properties.
    pub fn extra_properties(mut self, on: bool) -> Self {
        self.extra_properties = on;
        self
    }

    /// Random instances of the schema at `pointer` (`#/components/schemas/X`, ...).
    pub fn strategy(&self, pointer: &str) -> BoxedStrategy<Value> {
        let pointer = pointer.trim_start_matches('#');
        let schema = self
            .document
            .pointer(pointer)
            .unwrap_or_else(|| panic!("schema_gen: no schema at #{pointer}"))
            .clone();
        self.schema(&schema, &format!("#{pointer}"), 0)
    }

    fn resolve(&self, reference: &str) -> Value {
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| {
            panic!("schema_gen: only local references are supported: {reference}")
        });
        self.document
            .pointer(pointer)
            .unwrap_or_else(|| panic!("schema_gen: dangling reference {reference}"))
            .clone()
    }

    /// `schema` with its `$ref` followed and its `allOf` merged into one schema.
    fn flatten(&self, schema: &Value, at: &str, depth: usize) -> Map<String, Value> {
        assert!(
            depth < 64,
            "schema_gen: schema too deep (recursive?) at {at}"
        );
        let map = match schema {
            Value::Bool(true) => return Map::new(),
            Value::Object(map) => map,
            other => panic!("schema_gen: unsupported schema {other} at {at}"),
        };
        if let Some(Value::String(reference)) = map.get("$ref") {
            return self.flatten(&self.resolve(reference), reference, depth + 1);
        }
        for key in map.keys() {
            assert!(
                ANNOTATIONS.contains(&key.as_str()) || IMPLEMENTED.contains(&key.as_str()),
                "schema_gen: keyword `{key}` is not implemented (at {at}); extend the generator"
            );
        }
        let mut base = map.clone();
        if let Some(Value::Array(parts)) = base.remove("allOf") {
            for (index, part) in parts.iter().enumerate() {
                let part = self.flatten(part, &format!("{at}/allOf/{index}"), depth + 1);
                base = merge(base, part, at);
            }
        }
        base
    }

    fn schema(&self, schema: &Value, at: &str, depth: usize) -> BoxedStrategy<Value> {
        let mut schema = self.flatten(schema, at, depth);
        for keyword in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = schema.remove(keyword) {
                let strategies: Vec<BoxedStrategy<Value>> = branches
                    .iter()
                    .enumerate()
                    .map(|(index, branch)| {
                        let at = format!("{at}/{keyword}/{index}");
                        let branch = self.flatten(branch, &at, depth + 1);
                        let merged = merge(schema.clone(), branch, &at);
                        self.schema(&Value::Object(merged), &at, depth + 1)
                    })
                    .collect();
                return Union::new(strategies).boxed();
            }
        }
        if let Some(value) = schema.get("const") {
            return Just(value.clone()).boxed();
        }
        if let Some(Value::Array(values)) = schema.get("enum") {
            assert!(!values.is_empty(), "schema_gen: empty enum at {at}");
            return proptest::sample::select(values.clone()).boxed();
        }
        let types: Vec<String> = match schema.get("type") {
            Some(Value::String(single)) => vec![single.clone()],
            Some(Value::Array(many)) => many
                .iter()
                .map(|t| t.as_str().unwrap_or_default().to_owned())
                .collect(),
            None if schema.contains_key("properties")
                || schema.contains_key("required")
                || schema.contains_key("additionalProperties") =>
            {
                vec!["object".into()]
            }
            None if schema.contains_key("items") => vec!["array".into()],
            None => return any_json(),
            Some(other) => panic!("schema_gen: bad type {other} at {at}"),
        };
        let strategies: Vec<BoxedStrategy<Value>> = types
            .iter()
            .map(|kind| self.typed(kind, &schema, at, depth))
            .collect();
        if strategies.len() == 1 {
            strategies.into_iter().next().expect("one strategy")
        } else {
            Union::new(strategies).boxed()
        }
    }

    fn typed(
        &self,
        kind: &str,
        schema: &Map<String, Value>,
        at: &str,
        depth: usize,
    ) -> BoxedStrategy<Value> {
        match kind {
            "null" => Just(Value::Null).boxed(),
            "boolean" => any::<bool>().prop_map(Value::from).boxed(),
            "integer" => integer(schema, at).prop_map(Value::from).boxed(),
            "number" => number(schema).prop_map(Value::from).boxed(),
            "string" => string(schema, at).prop_map(Value::from).boxed(),
            "array" => {
                let items = match schema.get("items") {
                    Some(items) => self.schema(items, &format!("{at}/items"), depth + 1),
                    None => any_json(),
                };
                let min = count(schema, "minItems").unwrap_or(0);
                let max = count(schema, "maxItems").unwrap_or(min + 3).min(min + 3);
                assert!(min <= max, "schema_gen: minItems > maxItems at {at}");
                vec(items, min..=max).prop_map(Value::Array).boxed()
            }
            "object" => self.object(schema, at, depth),
            other => panic!("schema_gen: unknown type {other} at {at}"),
        }
    }

    fn object(&self, schema: &Map<String, Value>, at: &str, depth: usize) -> BoxedStrategy<Value> {
        let required: BTreeSet<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for name in &required {
            assert!(
                properties.contains_key(name) || schema.get("additionalProperties").is_some(),
                "schema_gen: required `{name}` has no schema at {at}"
            );
        }
        let declared: BTreeSet<String> = properties.keys().cloned().collect();
        let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = properties
            .iter()
            .map(|(name, property)| {
                let inner = self.schema(property, &format!("{at}/properties/{name}"), depth + 1);
                let name = name.clone();
                if required.contains(&name) {
                    inner
                        .prop_map(move |value| Some((name.clone(), value)))
                        .boxed()
                } else {
                    proptest::option::of(inner)
                        .prop_map(move |value| value.map(|value| (name.clone(), value)))
                        .boxed()
                }
            })
            .collect();
        let additional: BoxedStrategy<Vec<(String, Value)>> =
            match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => Just(Vec::new()).boxed(),
                Some(additional) => {
                    let values =
                        self.schema(additional, &format!("{at}/additionalProperties"), depth + 1);
                    let declared = declared.clone();
                    btree_map(key(), values, 0..4)
                        .prop_map(move |map| {
                            map.into_iter()
                                .filter(|(key, _)| !declared.contains(key))
                                .collect()
                        })
                        .boxed()
                }
                None if self.extra_properties => vec(any_json(), 0..3)
                    .prop_map(|values| {
                        values
                            .into_iter()
                            .enumerate()
                            .map(|(index, value)| (format!("{EXTRA_PREFIX}{index}"), value))
                            .collect()
                    })
                    .boxed(),
                None => Just(Vec::new()).boxed(),
            };
        (fields, additional)
            .prop_map(|(fields, additional)| {
                let mut map = Map::new();
                for (name, value) in fields.into_iter().flatten().chain(additional) {
                    map.insert(name, value);
                }
                Value::Object(map)
            })
            .boxed()
    }
}

/// Merges two flattened schemas into one that means both (for the keywords used here).
fn merge(mut a: Map<String, Value>, b: Map<String, Value>, at: &str) -> Map<String, Value> {
    for (key, value) in b {
        let Some(existing) = a.remove(&key) else {
            a.insert(key, value);
            continue;
        };
        let merged = match key.as_str() {
            "properties" => {
                let mut properties = existing.as_object().cloned().unwrap_or_default();
                for (name, schema) in value.as_object().cloned().unwrap_or_default() {
                    let combined = match properties.remove(&name) {
                        Some(other) => json!({ "allOf": [other, schema] }),
                        None => schema,
                    };
                    properties.insert(name, combined);
                }
                Value::Object(properties)
            }
            "required" => {
                let mut names: Vec<Value> = existing.as_array().cloned().unwrap_or_default();
                for name in value.as_array().cloned().unwrap_or_default() {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                Value::Array(names)
            }
            "minimum" | "exclusiveMinimum" | "minItems" | "minLength" => {
                if value.as_f64() > existing.as_f64() {
                    value
                } else {
                    existing
                }
            }
            "maximum" | "exclusiveMaximum" | "maxItems" | "maxLength" => {
                if value.as_f64() < existing.as_f64() {
                    value
                } else {
                    existing
                }
            }
            "type" => {
                let list = |v: &Value| -> Vec<Value> {
                    match v {
                        Value::Array(items) => items.clone(),
                        other => vec![other.clone()],
                    }
                };
                let other = list(&value);
                let both: Vec<Value> = list(&existing)
                    .into_iter()
                    .filter(|t| other.contains(t))
                    .collect();
                assert!(
                    !both.is_empty(),
                    "schema_gen: allOf with disjoint types at {at}"
                );
                if both.len() == 1 {
                    both[0].clone()
                } else {
                    Value::Array(both)
                }
            }
            "enum" => {
                let other = value.as_array().cloned().unwrap_or_default();
                Value::Array(
                    existing
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|v| other.contains(v))
                        .collect(),
                )
            }
            "items" | "additionalProperties" => json!({ "allOf": [existing, value] }),
            "anyOf" | "oneOf" | "const" => {
                panic!("schema_gen: allOf parts that both have `{key}` are not supported (at {at})")
            }
            // Annotations: the first one wins.
            _ => existing,
        };
        a.insert(key, merged);
    }
    a
}

fn count(schema: &Map<String, Value>, key: &str) -> Option<usize> {
    schema
        .get(key)
        .and_then(Value::as_u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// Integers within the schema's bounds, with the bounds themselves and small values likely.
fn integer(schema: &Map<String, Value>, at: &str) -> BoxedStrategy<i64> {
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    let mut low = i64::MIN;
    let mut high = i64::MAX;
    if let Some(min) = bound("minimum") {
        low = low.max(min.ceil() as i64);
    }
    if let Some(min) = bound("exclusiveMinimum") {
        low = low.max(min.floor() as i64 + 1);
    }
    if let Some(max) = bound("maximum") {
        high = high.min(max.floor() as i64);
    }
    if let Some(max) = bound("exclusiveMaximum") {
        high = high.min(max.ceil() as i64 - 1);
    }
    if schema.get("format").and_then(Value::as_str) == Some("int32") {
        low = low.max(i64::from(i32::MIN));
        high = high.min(i64::from(i32::MAX));
    }
    assert!(low <= high, "schema_gen: empty integer range at {at}");
    let small_low = low.max(-100);
    let small_high = high.min(100);
    let mut choices: Vec<BoxedStrategy<i64>> =
        vec![(low..=high).boxed(), Just(low).boxed(), Just(high).boxed()];
    if small_low <= small_high {
        choices.push((small_low..=small_high).boxed());
    }
    Union::new(choices).boxed()
}

/// Finite numbers within the schema's bounds (integral ones too).
fn number(schema: &Map<String, Value>) -> BoxedStrategy<f64> {
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    let low = bound("minimum")
        .or(bound("exclusiveMinimum"))
        .unwrap_or(-1e12);
    let high = bound("maximum")
        .or(bound("exclusiveMaximum"))
        .unwrap_or(1e12);
    let exclusive_low = bound("exclusiveMinimum").is_some();
    let exclusive_high = bound("exclusiveMaximum").is_some();
    prop_oneof![
        (low..=high),
        (-1000i32..1000).prop_map(f64::from),
        Just(0.0),
    ]
    .prop_filter("within the bounds", move |x| {
        (if exclusive_low { *x > low } else { *x >= low })
            && (if exclusive_high {
                *x < high
            } else {
                *x <= high
            })
    })
    .boxed()
}

/// Strings of the schema's format and length.
fn string(schema: &Map<String, Value>, at: &str) -> BoxedStrategy<String> {
    let base = match schema.get("format").and_then(Value::as_str) {
        Some("byte") => vec(any::<u8>(), 0..24)
            .prop_map(|bytes| super::base64_encode(&bytes))
            .boxed(),
        Some("date-time") => date_time().boxed(),
        Some("date") => date().boxed(),
        Some("uri") => uri().boxed(),
        Some("uuid") => {
            "[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}".boxed()
        }
        Some("int32" | "int64" | "float" | "double" | "binary" | "password") | None => {
            text().boxed()
        }
        Some(other) => panic!("schema_gen: string format `{other}` is not implemented (at {at})"),
    };
    let min = count(schema, "minLength");
    let max = count(schema, "maxLength");
    if min.is_none() && max.is_none() {
        return base;
    }
    base.prop_filter("length within minLength/maxLength", move |text| {
        let n = text.chars().count();
        min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m)
    })
    .boxed()
}

/// Text of every kind: printable, empty, control characters, quotes, non-BMP characters.
pub fn text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 _.-]{0,12}",
        2 => vec(any::<char>(), 0..10).prop_map(String::from_iter),
        1 => Just(String::new()),
        1 => "[\"\\\\/\\x00-\\x1f\\x7f\\u{2028}\\u{2029}é漢😀]{1,6}",
    ]
    .boxed()
}

/// Map keys: like [`text`].
pub fn key() -> BoxedStrategy<String> {
    text()
}

/// RFC 3339 date-times: `Z` or an offset, with or without fractional seconds.
pub fn date_time() -> impl Strategy<Value = String> {
    (
        date(),
        0u32..24,
        0u32..60,
        0u32..60,
        proptest::option::of("[0-9]{1,12}"),
        prop_oneof![
            Just("Z".to_owned()),
            (0u32..24, 0u32..60, any::<bool>())
                .prop_map(|(h, m, east)| format!("{}{h:02}:{m:02}", if east { '+' } else { '-' })),
        ],
    )
        .prop_map(|(date, h, m, s, fraction, offset)| {
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{date}T{h:02}:{m:02}:{s:02}{fraction}{offset}")
        })
}

/// RFC 3339 full dates.
pub fn date() -> impl Strategy<Value = String> {
    (1900u32..2200, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

/// Absolute `https` URIs.
pub fn uri() -> impl Strategy<Value = String> {
    "https://[a-z]{1,10}(\\.[a-z]{1,6}){0,2}\\.test(:[1-9][0-9]{1,3})?(/[a-zA-Z0-9._~-]{0,8}){0,3}(\\?[a-z]{1,5}=[a-z0-9]{0,5})?"
}

/// Any JSON value: scalars (large and small numbers, text of every kind), and nested arrays
/// and objects.
pub fn any_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e15f64..1e15).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(key(), inner, 0..4).prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
    .boxed()
}
