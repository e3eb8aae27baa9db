//! Response headers an API documents, read into typed values.

use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::de::{DeserializeOwned, IntoDeserializer};

/// The headers of a response, typed: generated for each set of response headers an API
/// documents, and read by [`ApiResponse::typed_headers`](crate::ApiResponse::typed_headers).
pub trait FromHeaders: Sized {
    /// Reads the documented headers. Never fails: a header that is missing or does not
    /// read as its type is `None`.
    fn from_headers(headers: &HeaderMap) -> Self;
}

/// Responses without documented headers.
impl FromHeaders for () {
    fn from_headers(_: &HeaderMap) -> Self {}
}

/// The first value of the header `name`, as `T`; `None` when it is missing or does not read
/// as `T`.
///
/// The text is read as `T` directly first (strings, enums, dates keep their exact text,
/// quotes of an `ETag` included), then as JSON (numbers and booleans).
pub fn header<T: DeserializeOwned>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name).and_then(text).and_then(parse)
}

/// The values of the header `name`, as a list of `T`: every occurrence, each split at its
/// commas (HTTP's list syntax). `None` when the header is missing or an item does not read
/// as `T`.
pub fn header_list<T: DeserializeOwned>(headers: &HeaderMap, name: &str) -> Option<Vec<T>> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let mut items = Vec::new();
    for value in values {
        for item in text(value)?.split(',') {
            items.push(parse(item)?);
        }
    }
    Some(items)
}

fn text(value: &HeaderValue) -> Option<&str> {
    value.to_str().ok()
}

/// `text`, trimmed, as `T`.
fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    let text = text.trim();
    let exact: StrDeserializer<'_, ValueError> = text.into_deserializer();
    T::deserialize(exact)
        .ok()
        .or_else(|| serde_json::from_str(text).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn numbers_booleans_and_text_read_as_their_types() {
        let map = headers(&[
            ("x-count", " 59 "),
            ("x-ratio", "0.5"),
            ("x-flag", "true"),
            ("etag", "\"abc\""),
            ("x-id", "123"),
        ]);
        assert_eq!(header::<u64>(&map, "x-count"), Some(59));
        assert_eq!(header::<f64>(&map, "x-ratio"), Some(0.5));
        assert_eq!(header::<bool>(&map, "x-flag"), Some(true));
        assert_eq!(header::<String>(&map, "etag").as_deref(), Some("\"abc\""));
        assert_eq!(header::<String>(&map, "x-id").as_deref(), Some("123"));
    }

    #[test]
    fn missing_and_mistyped_headers_are_none() {
        let map = headers(&[("x-count", "many"), ("x-flag", "1")]);
        assert_eq!(header::<u64>(&map, "x-count"), None);
        assert_eq!(header::<bool>(&map, "x-flag"), None);
        assert_eq!(header::<u64>(&map, "x-absent"), None);
        let mut map = HeaderMap::new();
        map.insert("x-raw", HeaderValue::from_bytes(b"\xff").unwrap());
        assert_eq!(header::<String>(&map, "x-raw"), None);
    }

    #[test]
    fn the_first_of_repeated_headers_counts() {
        let map = headers(&[("x-count", "1"), ("x-count", "2")]);
        assert_eq!(header::<u64>(&map, "x-count"), Some(1));
    }

    #[test]
    fn lists_join_every_occurrence_split_at_commas() {
        let map = headers(&[("x-ids", "1, 2"), ("x-ids", "3"), ("x-bad", "1, x")]);
        assert_eq!(header_list::<u32>(&map, "x-ids"), Some(vec![1, 2, 3]));
        assert_eq!(header_list::<u32>(&map, "x-bad"), None);
        assert_eq!(header_list::<u32>(&map, "x-absent"), None);
        let names = header_list::<String>(&map, "x-ids").unwrap();
        assert_eq!(names, ["1", "2", "3"]);
    }
}
