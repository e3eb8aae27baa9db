//! Turning parameter values into the text that goes on the wire.
//!
//! Values go through `serde_json::Value`: strings are used raw, numbers and booleans as their
//! JSON text, `null` is left out, and objects become compact JSON text.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

/// Characters left as they are in a path segment: the RFC 3986 unreserved set.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Turns a path parameter into a percent-encoded path segment.
///
/// Strings are used raw, numbers and booleans as their JSON text, arrays as comma-separated
/// items, objects as compact JSON, `null` as the empty string. Everything but letters, digits
/// and `-._~` is percent-encoded, so `/`, `?`, `#`, `%`, spaces and non-ASCII text cannot change
/// the shape of the URL.
///
/// A value whose `Serialize` implementation fails gives the empty string. A segment that is
/// exactly `.` or `..` is rejected when the request is sent (URL parsers would resolve it).
///
/// ```
/// assert_eq!(autessa_runtime::path_segment("a/b c"), "a%2Fb%20c");
/// assert_eq!(autessa_runtime::path_segment(&42), "42");
/// ```
pub fn path_segment<T: Serialize + ?Sized>(value: &T) -> String {
    let text = serde_json::to_value(value)
        .map(joined_text)
        .unwrap_or_default()
        .unwrap_or_default();
    utf8_percent_encode(&text, PATH_SEGMENT).to_string()
}

/// The text of a scalar; `None` for `null`; compact JSON for arrays and objects.
pub(crate) fn scalar_text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        compound @ (Value::Array(_) | Value::Object(_)) => Some(compound.to_string()),
    }
}

/// Query values: one text per array item (`name=a&name=b`), nothing for `null`.
pub(crate) fn query_texts(value: Value) -> impl Iterator<Item = String> {
    let (items, single) = match value {
        Value::Array(items) => (items, None),
        other => (Vec::new(), Some(other)),
    };
    items.into_iter().chain(single).filter_map(scalar_text)
}

/// Header and path values: array items joined with `,`, nothing for `null`.
pub(crate) fn joined_text(value: Value) -> Option<String> {
    match value {
        Value::Array(items) => Some(
            items
                .into_iter()
                .filter_map(scalar_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => scalar_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_segment_encodes_reserved_and_non_ascii() {
        assert_eq!(path_segment("plain-id_1.2~x"), "plain-id_1.2~x");
        assert_eq!(path_segment("a/b"), "a%2Fb");
        assert_eq!(path_segment("a?b#c"), "a%3Fb%23c");
        assert_eq!(path_segment("100%"), "100%25");
        assert_eq!(path_segment("a b"), "a%20b");
        assert_eq!(path_segment("é"), "%C3%A9");
        assert_eq!(path_segment("a&b=c;d+e"), "a%26b%3Dc%3Bd%2Be");
    }

    #[test]
    fn path_segment_scalars() {
        assert_eq!(path_segment(&42_i64), "42");
        assert_eq!(path_segment(&-7_i32), "-7");
        assert_eq!(path_segment(&1.5_f64), "1.5");
        assert_eq!(path_segment(&true), "true");
        assert_eq!(path_segment(&None::<u8>), "");
        assert_eq!(path_segment(&["a", "b"]), "a%2Cb");
        assert_eq!(path_segment(&String::from("x")), "x");
    }

    /// The query texts of `value`, as `RequestBuilder::query` reads them.
    fn texts<T: Serialize>(value: T) -> Vec<String> {
        query_texts(serde_json::to_value(&value).unwrap()).collect()
    }

    #[test]
    fn query_texts_of_rust_values() {
        #[derive(Serialize)]
        enum State {
            #[serde(rename = "LIVE")]
            Live,
        }
        #[derive(Serialize)]
        struct Id(u64);
        assert_eq!(texts(42_i64), ["42"]);
        assert_eq!(texts(i64::MIN), [i64::MIN.to_string()]);
        assert_eq!(texts(u64::MAX), [u64::MAX.to_string()]);
        assert_eq!(texts(-7_i8), ["-7"]);
        assert_eq!(texts(true), ["true"]);
        assert_eq!(texts("a b&c=d/é"), ["a b&c=d/é"]);
        assert_eq!(texts('x'), ["x"]);
        assert!(texts(None::<i32>).is_empty());
        assert_eq!(texts(Some(5_u16)), ["5"]);
        assert_eq!(texts(State::Live), ["LIVE"]);
        assert_eq!(texts(Id(9)), ["9"]);
        assert!(texts(()).is_empty());
        assert_eq!(texts(1.5_f64), ["1.5"]);
    }

    #[test]
    fn query_texts_flatten() {
        assert_eq!(
            query_texts(json!("raw text")).collect::<Vec<_>>(),
            ["raw text"]
        );
        assert_eq!(query_texts(json!(12)).collect::<Vec<_>>(), ["12"]);
        assert_eq!(query_texts(json!(false)).collect::<Vec<_>>(), ["false"]);
        assert!(query_texts(json!(null)).collect::<Vec<_>>().is_empty());
        assert_eq!(
            query_texts(json!(["a", 1, null, true])).collect::<Vec<_>>(),
            ["a", "1", "true"]
        );
        assert_eq!(
            query_texts(json!({"b": 1, "a": [2]})).collect::<Vec<_>>(),
            [r#"{"b":1,"a":[2]}"#]
        );
        assert_eq!(query_texts(json!([[1, 2]])).collect::<Vec<_>>(), ["[1,2]"]);
    }

    #[test]
    fn joined_text_flattens() {
        assert_eq!(joined_text(json!(["a", 1])).as_deref(), Some("a,1"));
        assert_eq!(joined_text(json!("v")).as_deref(), Some("v"));
        assert_eq!(joined_text(json!(null)), None);
    }
}
