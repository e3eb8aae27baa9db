//! Examples made to fit their types. A description's example may contradict its own schema
//! (a string where the schema says array, a required member left out); code that decodes it
//! into the generated type would then fail before calling anything. What fits is kept, the
//! rest is made up.

use serde_json::{Map, Value};

use super::synth::{MAX_DEPTH, synthesize, synthesize_within};
use crate::ir::{Api, Primitive, Struct, TypeKind, TypeRef, resolve};

/// `value` as a value the generated type for `ty` decodes: members, items and entries that
/// fit are kept, the others (and missing required members) are made up.
pub fn conform(api: &Api, ty: &TypeRef, value: &Value) -> Value {
    Conform { api, depth: 0 }.value(ty, value)
}

struct Conform<'a> {
    api: &'a Api,
    depth: usize,
}

impl Conform<'_> {
    fn value(&mut self, ty: &TypeRef, value: &Value) -> Value {
        if self.depth > MAX_DEPTH * 4 {
            return value.clone();
        }
        self.depth += 1;
        let out = self.inner(ty, value);
        self.depth -= 1;
        out
    }

    fn inner(&mut self, ty: &TypeRef, value: &Value) -> Value {
        let api = self.api;
        // Some descriptions write structured examples as JSON text.
        if let Some(parsed) = json_text(value)
            && !matches!(
                resolve(&api.types, ty),
                TypeRef::Primitive(_) | TypeRef::Any
            )
        {
            return self.value(ty, &parsed);
        }
        let made_up = || synthesize(api, ty);
        match ty {
            TypeRef::Any => value.clone(),
            TypeRef::Nullable(_) if value.is_null() => Value::Null,
            TypeRef::Nullable(inner) => self.value(inner, value),
            TypeRef::Primitive(p) if primitive_fits(*p, value) => value.clone(),
            TypeRef::Primitive(_) => made_up(),
            TypeRef::Array(item) => match value {
                Value::Array(items) => items.iter().map(|v| self.value(item, v)).collect(),
                _ => made_up(),
            },
            TypeRef::Map(item) => match value {
                Value::Object(map) => Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), self.value(item, v)))
                        .collect(),
                ),
                _ => made_up(),
            },
            TypeRef::Named(id) => match &api.ty(*id).kind {
                TypeKind::Alias(target) => self.value(target, value),
                // An unknown value is kept by the enum's fallback; only text is a value.
                TypeKind::Enum(_) if value.is_string() => value.clone(),
                TypeKind::Enum(_) => made_up(),
                TypeKind::Struct(s) => match value {
                    Value::Object(map) => Value::Object(self.members(s, map)),
                    _ => made_up(),
                },
                TypeKind::Union(u) => {
                    // An untagged union keeps what no variant takes in its fallback.
                    let Some(tag) = &u.discriminator else {
                        return value.clone();
                    };
                    let chosen = value
                        .get(tag)
                        .and_then(Value::as_str)
                        .and_then(|t| u.variants.iter().find(|v| v.tag.as_deref() == Some(t)));
                    match chosen {
                        // The variant's struct leaves the tag to the union: put it back.
                        Some(variant) => match (self.value(&variant.ty, value), value.get(tag)) {
                            (Value::Object(mut map), Some(t)) => {
                                map.insert(tag.clone(), t.clone());
                                Value::Object(map)
                            }
                            (other, _) => other,
                        },
                        // The fallback keeps an unknown tag; a missing one is made up.
                        None if value.is_object() => value.clone(),
                        None => made_up(),
                    }
                }
            },
        }
    }

    /// The members of a struct's example, in their order: those that fit kept, the others
    /// made up, missing required ones added at the end. Members the type does not know stay:
    /// decoding skips them.
    fn members(&mut self, s: &Struct, given: &Map<String, Value>) -> Map<String, Value> {
        // A struct with flattened parts reads its members from the same object: keep it.
        if s.fields.iter().any(|f| f.flatten) {
            return given.clone();
        }
        let mut out = Map::new();
        for (key, v) in given {
            let value = match s.fields.iter().find(|f| &f.wire == key) {
                Some(f) if v.is_null() && !f.nullable && !f.required => continue,
                Some(f) => self.value(&f.ty, v),
                None => match &s.extra {
                    Some(extra) => self.value(extra, v),
                    None => v.clone(),
                },
            };
            out.insert(key.clone(), value);
        }
        for f in s.fields.iter().filter(|f| f.required) {
            if out.contains_key(&f.wire) {
                continue;
            }
            let made_up = f
                .docs
                .example
                .as_ref()
                .map(|e| self.value(&f.ty, e))
                .or_else(|| f.default.clone())
                .unwrap_or_else(|| synthesize_within(self.api, &f.ty, &f.constraints));
            out.insert(f.wire.clone(), made_up);
        }
        out
    }
}

/// The object or array a string holds as JSON text, if it does.
fn json_text(value: &Value) -> Option<Value> {
    let text = value.as_str()?.trim_start();
    if !text.starts_with(['{', '[']) {
        return None;
    }
    serde_json::from_str(text)
        .ok()
        .filter(|v: &Value| v.is_object() || v.is_array())
}

/// Whether the generated code decodes `value` as the primitive `p`.
fn primitive_fits(p: Primitive, value: &Value) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let date = |s: &str| {
        let parts: Vec<&str> = s.split('-').collect();
        matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2
            && digits(y) && digits(m) && digits(d))
    };
    match p {
        Primitive::String | Primitive::Uri | Primitive::Binary => value.is_string(),
        Primitive::Boolean => value.is_boolean(),
        Primitive::I32 => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        Primitive::I64 => value.is_i64(),
        Primitive::U64 => value.is_u64(),
        Primitive::F32 | Primitive::F64 => value.is_number(),
        Primitive::Date => value.as_str().is_some_and(date),
        Primitive::DateTime => value.as_str().is_some_and(|s| {
            s.len() >= 20
                && s.get(..10).is_some_and(date)
                && matches!(s.as_bytes()[10], b'T' | b't' | b' ')
                && (s.ends_with(['Z', 'z']) || s[19..].contains(['+', '-']))
        }),
        Primitive::Uuid => value.as_str().is_some_and(|s| {
            s.len() == 36
                && s.char_indices().all(|(i, c)| {
                    if matches!(i, 8 | 13 | 18 | 23) {
                        c == '-'
                    } else {
                        c.is_ascii_hexdigit()
                    }
                })
        }),
        Primitive::Base64 => value.as_str().is_some_and(|s| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn api() -> Api {
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {
                "Answer": {"type": "object", "required": ["question", "examples"], "properties": {
                    "question": {"type": "string"},
                    "examples": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
                    "when": {"type": "string", "format": "date-time"},
                    "count": {"type": "integer", "format": "int32"},
                    "kind": {"type": "string", "enum": ["a", "b"]}
                }}
            }}
        });
        crate::lower::lower_openapi(
            crate::load::Sources::from_value("spec.yaml", doc),
            &crate::lower::Flags::default(),
        )
        .unwrap()
    }

    #[test]
    fn what_contradicts_the_schema_is_made_up_and_the_rest_kept() {
        let api = api();
        let answer = api.types.iter().position(|t| t.name == "Answer").unwrap();
        let ty = TypeRef::Named(crate::ir::TypeId(answer));
        let example = json!({
            "examples": "[['What is the capital of Canada?', 'Ottawa']]",
            "when": "yesterday",
            "count": 5_000_000_000_i64,
            "kind": "c",
            "unknown": 1
        });
        assert_eq!(
            conform(&api, &ty, &example),
            json!({
                "question": "string",
                "examples": [["string"]],
                "when": "2024-01-01T00:00:00Z",
                "count": 1,
                "kind": "c",
                "unknown": 1
            })
        );
        // JSON written as text is read.
        let example = json!({"question": "q", "examples": "[[\"a\", \"b\"]]"});
        assert_eq!(
            conform(&api, &ty, &example),
            json!({"question": "q", "examples": [["a", "b"]]})
        );
    }
}
