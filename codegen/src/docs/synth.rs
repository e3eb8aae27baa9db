//! Example values made up from a type: the schema's example where it gives one, else the
//! required members with values that meet their limits (lengths, patterns, bounds, formats,
//! items).

use serde_json::{Map, Value, json};

use super::pattern;
use crate::ir::{Api, Constraints, Primitive, TypeId, TypeKind, TypeRef};

/// How deep a made-up example goes before it stops adding optional structure.
pub(super) const MAX_DEPTH: usize = 8;

/// The schema's example for a use of a type, if it has one.
pub fn declared(api: &Api, ty: &TypeRef) -> Option<Value> {
    match ty {
        TypeRef::Named(id) => api.ty(*id).docs.example.clone(),
        TypeRef::Nullable(inner) => declared(api, inner),
        _ => None,
    }
}

/// A value of the type: the schema's example where there is one, otherwise the required
/// members only, with the first enum value, the first union variant, and one array item.
pub fn synthesize(api: &Api, ty: &TypeRef) -> Value {
    Synth {
        api,
        stack: Vec::new(),
    }
    .value(ty)
}

struct Synth<'a> {
    api: &'a Api,
    stack: Vec<TypeId>,
}

impl Synth<'_> {
    fn value(&mut self, ty: &TypeRef) -> Value {
        match ty {
            TypeRef::Named(id) => self.named(*id),
            TypeRef::Primitive(p) => primitive(*p),
            TypeRef::Array(item) => {
                if self.stack.len() >= MAX_DEPTH || self.recursive(item) {
                    json!([])
                } else {
                    json!([self.value(item)])
                }
            }
            TypeRef::Map(_) => json!({}),
            TypeRef::Nullable(inner) => self.value(inner),
            TypeRef::Any => json!({}),
        }
    }

    /// Whether a type refers (directly) to one being built.
    fn recursive(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named(id) => self.stack.contains(id),
            TypeRef::Array(t) | TypeRef::Map(t) | TypeRef::Nullable(t) => self.recursive(t),
            _ => false,
        }
    }

    fn named(&mut self, id: TypeId) -> Value {
        let def = self.api.ty(id);
        // An example that is not even of the type's shape is no example of it.
        if let Some(example) = &def.docs.example
            && fits(self.api, &TypeRef::Named(id), example, 0)
        {
            return example.clone();
        }
        if self.stack.contains(&id) || self.stack.len() >= MAX_DEPTH {
            return json!({});
        }
        self.stack.push(id);
        let value = match &def.kind {
            TypeKind::Struct(s) => {
                let mut map = Map::new();
                self.fields(s, &mut map);
                Value::Object(map)
            }
            TypeKind::Enum(e) => e
                .default
                .and_then(|i| e.values.get(i))
                .or(e.values.first())
                .map(|v| Value::String(v.wire.clone()))
                .unwrap_or(Value::Null),
            TypeKind::Union(u) => match u.variants.first() {
                Some(v) => {
                    let mut value = self.value(&v.ty);
                    if let (Some(prop), Some(tag), Value::Object(map)) =
                        (&u.discriminator, &v.tag, &mut value)
                    {
                        map.insert(prop.clone(), Value::String(tag.clone()));
                    }
                    value
                }
                None => json!({}),
            },
            TypeKind::Alias(t) => self.value(t),
        };
        self.stack.pop();
        value
    }

    /// A value of `ty` that meets the limits a member or parameter puts on it.
    fn constrained(&mut self, ty: &TypeRef, c: &Constraints) -> Value {
        match ty {
            TypeRef::Primitive(p) => constrained(*p, c),
            TypeRef::Nullable(inner) => self.constrained(inner, c),
            // An alias's limits are the member's.
            TypeRef::Named(_) => match crate::ir::resolve(&self.api.types, ty) {
                TypeRef::Named(_) => self.value(ty),
                target => self.constrained(target, c),
            },
            TypeRef::Array(item) if !self.recursive(item) && self.stack.len() < MAX_DEPTH => {
                let one = match &c.items {
                    Some(limits) => self.constrained(item, limits),
                    None => self.value(item),
                };
                let count = c.min_items.unwrap_or(1).clamp(1, 16) as usize;
                Value::Array(vec![one; count])
            }
            _ => self.value(ty),
        }
    }

    fn fields(&mut self, s: &crate::ir::Struct, map: &mut Map<String, Value>) {
        for f in &s.fields {
            if f.flatten {
                if let TypeRef::Named(id) = &f.ty
                    && let TypeKind::Struct(inner) = &self.api.ty(*id).kind
                    && !self.stack.contains(id)
                {
                    self.stack.push(*id);
                    self.fields(inner, map);
                    self.stack.pop();
                }
                continue;
            }
            if !f.required {
                continue;
            }
            let value = match (&f.docs.example, &f.default) {
                (Some(example), _) if fits(self.api, &f.ty, example, 0) => example.clone(),
                (_, Some(default)) => default.clone(),
                _ => self.constrained(&f.ty, &f.constraints),
            };
            map.insert(f.wire.clone(), value);
        }
    }
}

/// A value of `ty` made up to meet `c` (lengths, pattern, bounds, text formats, items).
pub fn synthesize_within(api: &Api, ty: &TypeRef, c: &Constraints) -> Value {
    Synth {
        api,
        stack: Vec::new(),
    }
    .constrained(ty, c)
}

/// A made-up primitive within `c`.
fn constrained(p: Primitive, c: &Constraints) -> Value {
    match p {
        Primitive::String => {
            let min = usize::try_from(c.min_length.unwrap_or(0)).unwrap_or(usize::MAX);
            let text = c
                .pattern
                .as_deref()
                .and_then(|p| pattern::matching(p, min))
                .or_else(|| {
                    c.format
                        .as_deref()
                        .and_then(format_sample)
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "string".to_owned());
            let mut text: Vec<char> = text.chars().collect();
            let pad = text.last().copied().unwrap_or('x');
            while text.len() < min.min(4096) {
                text.push(pad);
            }
            if let Some(max) = c.max_length.and_then(|m| usize::try_from(m).ok()) {
                text.truncate(max);
            }
            Value::String(text.into_iter().collect())
        }
        Primitive::I32 | Primitive::I64 | Primitive::U64 => {
            let mut n = 1.0_f64;
            if let Some((low, exclusive)) = c.minimum
                && (n < low || (exclusive && n <= low))
            {
                n = if exclusive {
                    low.floor() + 1.0
                } else {
                    low.ceil()
                };
            }
            if let Some((high, exclusive)) = c.maximum
                && (n > high || (exclusive && n >= high))
            {
                n = if exclusive {
                    high.ceil() - 1.0
                } else {
                    high.floor()
                };
            }
            json!(n as i64)
        }
        Primitive::F32 | Primitive::F64 => {
            let mut x = 1.5_f64;
            if let Some((low, exclusive)) = c.minimum
                && (x < low || (exclusive && x <= low))
            {
                x = low + if exclusive { 0.5 } else { 0.0 };
            }
            if let Some((high, exclusive)) = c.maximum
                && (x > high || (exclusive && x >= high))
            {
                x = high - if exclusive { 0.5 } else { 0.0 };
            }
            json!(x)
        }
        other => primitive(other),
    }
}

/// An example of a text `format` the IR keeps as a plain string.
fn format_sample(format: &str) -> Option<&'static str> {
    Some(match format {
        "email" | "idn-email" => "user@example.com",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "uri" | "url" | "iri" => "https://example.com/",
        "uri-reference" | "iri-reference" => "/",
        "time" => "12:00:00Z",
        "duration" => "P1D",
        "date-time" => "2024-01-01T00:00:00Z",
        "date" => "2024-01-01",
        "uuid" => "00000000-0000-0000-0000-000000000000",
        _ => return None,
    })
}

pub(super) fn primitive(p: Primitive) -> Value {
    match p {
        Primitive::String => json!("string"),
        Primitive::Boolean => json!(true),
        Primitive::I32 | Primitive::I64 | Primitive::U64 => json!(1),
        Primitive::F32 | Primitive::F64 => json!(1.5),
        Primitive::DateTime => json!("2024-01-01T00:00:00Z"),
        Primitive::Date => json!("2024-01-01"),
        Primitive::Uuid => json!("00000000-0000-0000-0000-000000000000"),
        Primitive::Base64 => json!("aGVsbG8="),
        Primitive::Binary => json!(""),
        Primitive::Uri => json!("https://example.com/"),
    }
}

/// Whether a JSON value can be a `ty` (to pick the variant of an untagged union).
pub(super) fn fits(api: &Api, ty: &TypeRef, value: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match ty {
        TypeRef::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct(s) => value.as_object().is_some_and(|m| {
                s.fields
                    .iter()
                    .filter(|f| f.required && !f.flatten)
                    .all(|f| m.contains_key(&f.wire))
            }),
            TypeKind::Enum(e) => value
                .as_str()
                .is_some_and(|w| e.values.iter().any(|v| v.wire == w)),
            TypeKind::Union(u) => u
                .variants
                .iter()
                .any(|v| fits(api, &v.ty, value, depth + 1)),
            TypeKind::Alias(t) => fits(api, t, value, depth + 1),
        },
        TypeRef::Primitive(p) => match p {
            Primitive::Boolean => value.is_boolean(),
            Primitive::I32 | Primitive::I64 => value.is_i64(),
            Primitive::U64 => value.is_u64(),
            Primitive::F32 | Primitive::F64 => value.is_number(),
            _ => value.is_string(),
        },
        TypeRef::Array(_) => value.is_array(),
        TypeRef::Map(_) => value.is_object(),
        TypeRef::Nullable(inner) => value.is_null() || fits(api, inner, value, depth + 1),
        TypeRef::Any => true,
    }
}
