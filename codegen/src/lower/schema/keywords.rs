//! The validation keywords of a schema (`minLength`, `maximum`, `pattern`, ...), found
//! past `$ref`s and one-member `allOf`s.

use serde_json::Value;

use super::Types;
use crate::diag::Location;
use crate::ir::Constraints;

impl<'s> Types<'s> {
    /// The schema object written at `loc`, through `$ref` and one-member `allOf`.
    pub(super) fn schema_object(&self, loc: &Location) -> Option<&serde_json::Map<String, Value>> {
        self.schema_at(loc).map(|(map, _)| map)
    }

    /// The schema object at `loc` and where it is, past `$ref`s and one-member `allOf`s.
    pub(super) fn schema_at(
        &self,
        loc: &Location,
    ) -> Option<(&serde_json::Map<String, Value>, Location)> {
        let mut at = loc.clone();
        for _ in 0..16 {
            let followed = self.src.follow(&at).ok()?;
            let Value::Object(map) = self.src.get(&followed)? else {
                return None;
            };
            match map.get("allOf") {
                Some(Value::Array(members)) if members.len() == 1 => {
                    at = followed.join("allOf").join(0);
                }
                _ => return Some((map, followed)),
            }
        }
        None
    }

    /// The validation keywords written at `loc`.
    pub fn constraints(&self, loc: &Location) -> Constraints {
        self.schema_at(loc)
            .map(|(map, at)| self.constraints_of(map, &at, 4))
            .unwrap_or_default()
    }

    /// The validation keywords of the schema object `map` found at `at`, with those of its
    /// items `depth` arrays deep.
    pub(super) fn constraints_of(
        &self,
        map: &serde_json::Map<String, Value>,
        at: &Location,
        depth: usize,
    ) -> Constraints {
        let mut found = constraints(map);
        if depth > 0 && matches!(map.get("items"), Some(Value::Object(_))) {
            let items = self
                .schema_at(&at.join("items"))
                .map(|(map, at)| self.constraints_of(map, &at, depth - 1))
                .unwrap_or_default();
            found.items = (items != Constraints::default()).then(|| Box::new(items));
        }
        found
    }
}

/// Whether an empty value (`0`, `""`, `[]`, `{}`) passes the constraints of the schema
/// object `map`.
pub(super) fn empty_is_valid(map: &serde_json::Map<String, Value>) -> bool {
    let number = |k: &str| map.get(k).and_then(Value::as_f64);
    let exclusive = matches!(map.get("exclusiveMinimum"), Some(Value::Bool(true)));
    let too_small = |k: &str| number(k).is_some_and(|n| n > 0.0);
    !(too_small("minItems")
        || too_small("minLength")
        || too_small("minProperties")
        || number("minimum").is_some_and(|n| n > 0.0 || (exclusive && n >= 0.0))
        || number("maximum").is_some_and(|n| n < 0.0)
        || map.contains_key("pattern")
        || matches!(
            map.get("format").and_then(Value::as_str),
            Some("uri" | "url" | "email" | "hostname" | "ipv4" | "ipv6" | "uri-reference")
        ))
}

/// The validation keywords of the schema object `map`.
fn constraints(map: &serde_json::Map<String, Value>) -> Constraints {
    let count = |k: &str| map.get(k).and_then(Value::as_u64);
    let bound = |k: &str, exclusive: &str| {
        let flag = matches!(map.get(exclusive), Some(Value::Bool(true)));
        map.get(k).and_then(Value::as_f64).map(|n| (n, flag))
    };
    Constraints {
        min_length: count("minLength"),
        max_length: count("maxLength"),
        pattern: map
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_owned),
        min_items: count("minItems"),
        max_items: count("maxItems"),
        minimum: bound("minimum", "exclusiveMinimum"),
        maximum: bound("maximum", "exclusiveMaximum"),
        format: map
            .get("format")
            .and_then(Value::as_str)
            .filter(|_| map.get("type").and_then(Value::as_str) == Some("string"))
            .map(str::to_owned),
        items: None,
    }
}
