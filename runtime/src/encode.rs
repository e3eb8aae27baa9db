//! Turning parameter values into the text that goes on the wire.
//!
//! Values are read as `serde_json::Value` reads them: strings are used raw, numbers and
//! booleans as their JSON text, `null` is left out, and objects become compact JSON text.
//! Strings, integers and booleans take a short way with the same result.

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

/// The text of a string, integer or boolean (or of `None`: no text) without going through
/// `serde_json::Value`; `Err` for anything else, which takes the general way. The result is
/// the same either way; this only saves allocations for the common parameters.
pub(crate) fn plain_text<T: Serialize + ?Sized>(value: &T) -> Result<Option<String>, NotPlain> {
    value.serialize(PlainText)
}

/// Not a plain scalar.
#[derive(Debug)]
pub(crate) struct NotPlain;

impl std::fmt::Display for NotPlain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a plain scalar")
    }
}

impl std::error::Error for NotPlain {}

impl serde::ser::Error for NotPlain {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Self
    }
}

struct PlainText;

type Plain = Result<Option<String>, NotPlain>;

fn integer(value: impl itoa::Integer) -> Plain {
    Ok(Some(itoa::Buffer::new().format(value).to_owned()))
}

impl serde::Serializer for PlainText {
    type Ok = Option<String>;
    type Error = NotPlain;
    type SerializeSeq = serde::ser::Impossible<Option<String>, NotPlain>;
    type SerializeTuple = serde::ser::Impossible<Option<String>, NotPlain>;
    type SerializeTupleStruct = serde::ser::Impossible<Option<String>, NotPlain>;
    type SerializeTupleVariant = serde::ser::Impossible<Option<String>, NotPlain>;
    type SerializeMap = serde::ser::Impossible<Option<String>, NotPlain>;
    type SerializeStruct = serde::ser::Impossible<Option<String>, NotPlain>;
    type SerializeStructVariant = serde::ser::Impossible<Option<String>, NotPlain>;

    fn serialize_bool(self, v: bool) -> Plain {
        Ok(Some(if v { "true" } else { "false" }.to_owned()))
    }
    fn serialize_i8(self, v: i8) -> Plain {
        integer(v)
    }
    fn serialize_i16(self, v: i16) -> Plain {
        integer(v)
    }
    fn serialize_i32(self, v: i32) -> Plain {
        integer(v)
    }
    fn serialize_i64(self, v: i64) -> Plain {
        integer(v)
    }
    fn serialize_u8(self, v: u8) -> Plain {
        integer(v)
    }
    fn serialize_u16(self, v: u16) -> Plain {
        integer(v)
    }
    fn serialize_u32(self, v: u32) -> Plain {
        integer(v)
    }
    fn serialize_u64(self, v: u64) -> Plain {
        integer(v)
    }
    // Floats, bytes and compounds: the general way decides (serde_json has its own rules).
    fn serialize_f32(self, _: f32) -> Plain {
        Err(NotPlain)
    }
    fn serialize_f64(self, _: f64) -> Plain {
        Err(NotPlain)
    }
    fn serialize_char(self, v: char) -> Plain {
        Ok(Some(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Plain {
        Ok(Some(v.to_owned()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Plain {
        Err(NotPlain)
    }
    fn serialize_none(self) -> Plain {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Plain {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Plain {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Plain {
        Err(NotPlain)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Plain {
        Ok(Some(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Plain {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Plain {
        Err(NotPlain)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotPlain> {
        Err(NotPlain)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotPlain> {
        Err(NotPlain)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotPlain> {
        Err(NotPlain)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotPlain> {
        Err(NotPlain)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotPlain> {
        Err(NotPlain)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotPlain> {
        Err(NotPlain)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotPlain> {
        Err(NotPlain)
    }
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

    /// The short way takes `value` and gives what the general way gives.
    fn same_as_general<T: Serialize>(value: T) {
        let general: Vec<String> = query_texts(serde_json::to_value(&value).unwrap()).collect();
        let short = plain_text(&value).expect("a plain value");
        assert_eq!(short.into_iter().collect::<Vec<_>>(), general);
    }

    #[test]
    fn plain_text_agrees_with_the_general_way() {
        #[derive(Serialize)]
        enum State {
            #[serde(rename = "LIVE")]
            Live,
        }
        #[derive(Serialize)]
        struct Id(u64);
        same_as_general(42_i64);
        same_as_general(i64::MIN);
        same_as_general(u64::MAX);
        same_as_general(-7_i8);
        same_as_general(true);
        same_as_general("a b&c=d/é");
        same_as_general('x');
        same_as_general(None::<i32>);
        same_as_general(Some(5_u16));
        same_as_general(State::Live);
        same_as_general(Id(9));
        same_as_general(());
        assert_eq!(plain_text(&42_i64).unwrap().as_deref(), Some("42"));
        assert_eq!(plain_text(&State::Live).unwrap().as_deref(), Some("LIVE"));
        assert!(plain_text(&1.5_f64).is_err());
        assert!(plain_text(&[1, 2]).is_err());
        assert!(plain_text(&serde_json::json!({"a": 1})).is_err());
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
