//! The one writer of query strings, form fields and path segments in the generator: the
//! shell examples send what the runtime's `http::body::encode` would (the runtime is not a
//! dependency of the generator, so its writer cannot be called from here; the tests below
//! pin the same cases as the runtime's).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::ir::FormStyle;

/// What a query value or path segment keeps unescaped (RFC 3986's unreserved characters).
pub(super) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A JSON value as query or form text: strings as they are, other values as compact JSON;
/// `None` for `null` (left out, as the runtime does).
pub(super) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A JSON value as text, `null` included (header and path values).
pub(super) fn text_of(value: &Value) -> String {
    scalar_text(value).unwrap_or_else(|| "null".into())
}

/// A header or path value: array items joined with `,`.
pub(super) fn joined(value: &Value) -> String {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(scalar_text)
            .collect::<Vec<_>>()
            .join(","),
        other => text_of(other),
    }
}

/// The `name=value` fields of a query parameter or form member written in `style`
/// (OpenAPI's default is `form` exploded), as the runtime writes them: exploded arrays
/// repeat the name and objects give a field per member; the delimited styles join items
/// (and an object's names and values) with `,`, ` ` or `|`; `deepObject` nests names in
/// brackets.
pub(super) fn query_pairs(
    name: &str,
    value: &Value,
    style: Option<FormStyle>,
) -> Vec<(String, String)> {
    let separator = match style.unwrap_or(FormStyle::Exploded) {
        FormStyle::Comma => ",",
        FormStyle::Space => " ",
        FormStyle::Pipe => "|",
        FormStyle::DeepObject => {
            let mut out = Vec::new();
            deep_pairs(name.to_owned(), value, &mut out);
            return out;
        }
        FormStyle::Exploded => {
            return match value {
                Value::Array(items) => items
                    .iter()
                    .filter_map(|v| Some((name.to_owned(), scalar_text(v)?)))
                    .collect(),
                Value::Object(members) => members
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), scalar_text(v)?)))
                    .collect(),
                other => scalar_text(other)
                    .map(|t| (name.to_owned(), t))
                    .into_iter()
                    .collect(),
            };
        }
    };
    let text = match value {
        Value::Array(items) => items
            .iter()
            .filter_map(scalar_text)
            .collect::<Vec<_>>()
            .join(separator),
        Value::Object(members) => members
            .iter()
            .filter_map(|(k, v)| Some([k.clone(), scalar_text(v)?]))
            .flatten()
            .collect::<Vec<_>>()
            .join(separator),
        other => match scalar_text(other) {
            Some(text) => text,
            None => return Vec::new(),
        },
    };
    vec![(name.to_owned(), text)]
}

/// `deepObject` fields: `key[member]` for objects, `key[index]` for arrays.
pub(super) fn deep_pairs(key: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(members) => {
            for (member, value) in members {
                deep_pairs(format!("{key}[{member}]"), value, out);
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                deep_pairs(format!("{key}[{index}]"), value, out);
            }
        }
        other => out.extend(scalar_text(other).map(|text| (key, text))),
    }
}

pub(super) fn query_string(pairs: &[(String, String)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, COMPONENT),
                utf8_percent_encode(v, COMPONENT)
            )
        })
        .collect();
    if encoded.is_empty() {
        String::new()
    } else {
        format!("?{}", encoded.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        let pairs = query_pairs("tags", &serde_json::json!(["a b", "c&d"]), None);
        assert_eq!(query_string(&pairs), "?tags=a%20b&tags=c%26d");
    }

    #[test]
    fn query_styles_are_the_runtimes() {
        let fields = |value: Value, style| -> Vec<String> {
            query_pairs("a", &value, Some(style))
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect()
        };
        let list = || serde_json::json!([1, "x y", null, true]);
        let object = || serde_json::json!({"r": 100, "g": "2", "n": null});
        assert_eq!(
            fields(list(), FormStyle::Exploded),
            ["a=1", "a=x y", "a=true"]
        );
        assert_eq!(fields(list(), FormStyle::Comma), ["a=1,x y,true"]);
        assert_eq!(fields(list(), FormStyle::Space), ["a=1 x y true"]);
        assert_eq!(fields(list(), FormStyle::Pipe), ["a=1|x y|true"]);
        assert_eq!(fields(object(), FormStyle::Exploded), ["r=100", "g=2"]);
        assert_eq!(fields(object(), FormStyle::Comma), ["a=r,100,g,2"]);
        assert_eq!(
            fields(
                serde_json::json!({"x": {"y": [1, {"z": false}]}}),
                FormStyle::DeepObject
            ),
            ["a[x][y][0]=1", "a[x][y][1][z]=false"]
        );
        assert!(fields(Value::Null, FormStyle::Comma).is_empty());
    }
}
