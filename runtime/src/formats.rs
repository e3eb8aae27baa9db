//! Types for the string formats of JSON Schema: `date-time`, `date`, `uuid` and `byte`.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An RFC 3339 `date-time`, in UTC.
pub type DateTime = chrono::DateTime<chrono::Utc>;

/// An RFC 3339 `full-date`.
pub type Date = chrono::NaiveDate;

pub use uuid::Uuid;

/// Deserializes a member that is present as `Some`, even when its value is `null`.
///
/// For an optional member that may be `null`, generated code uses `Option<Option<T>>`
/// (or `Option<serde_json::Value>`) with `#[serde(default, deserialize_with = ...)]`: absent
/// is `None`, `null` is `Some(None)` (or `Some(Value::Null)`), so the two stay apart both
/// ways.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Deserializes a string enumeration from its wire text, for generated enums: `T::from`
/// maps a known value to its variant and keeps any other. Reading the string directly, it
/// spares the buffering that an untagged fallback variant costs serde's derive.
pub fn from_wire<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    struct Wire<T>(std::marker::PhantomData<T>);

    impl<T: for<'a> From<&'a str>> serde::de::Visitor<'_> for Wire<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }
    }

    deserializer.deserialize_str(Wire(std::marker::PhantomData))
}

/// Bytes carried as base64 text (`format: byte`).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Base64(pub Vec<u8>);

impl Base64 {
    /// The decoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Takes the decoded bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl From<Vec<u8>> for Base64 {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for Base64 {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl fmt::Debug for Base64 {
    /// The length only: the bytes can be large (audio, files).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64({} bytes)", self.0.len())
    }
}

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        STANDARD
            .decode(text.as_bytes())
            .map(Self)
            .map_err(|e| serde::de::Error::custom(format!("invalid base64: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Kind {
        Text,
        Other(String),
    }

    impl From<&str> for Kind {
        fn from(value: &str) -> Self {
            match value {
                "TEXT" => Self::Text,
                other => Self::Other(other.to_owned()),
            }
        }
    }

    impl<'de> Deserialize<'de> for Kind {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            from_wire(deserializer)
        }
    }

    #[test]
    fn wire_strings_map_known_values_and_keep_the_rest() {
        assert_eq!(
            serde_json::from_str::<Kind>(r#""TEXT""#).unwrap(),
            Kind::Text
        );
        // An escaped string is unescaped first; an unknown value is kept as received.
        assert_eq!(
            serde_json::from_str::<Kind>(r#""TE\u0058T""#).unwrap(),
            Kind::Text
        );
        assert_eq!(
            serde_json::from_str::<Kind>(r#""VIDEO""#).unwrap(),
            Kind::Other("VIDEO".into())
        );
        let from_value = Kind::deserialize(serde_json::json!("VIDEO")).unwrap();
        assert_eq!(from_value, Kind::Other("VIDEO".into()));
        let error = serde_json::from_str::<Kind>("1").unwrap_err();
        assert!(error.to_string().contains("expected a string"), "{error}");
    }

    #[test]
    fn base64_round_trips_and_rejects_garbage() {
        let value = Base64(vec![0, 1, 2, 255]);
        let json = serde_json::to_string(&value).unwrap();
        assert_eq!(json, "\"AAEC/w==\"");
        assert_eq!(serde_json::from_str::<Base64>(&json).unwrap(), value);
        let error = serde_json::from_str::<Base64>("\"not base64!\"").unwrap_err();
        assert!(error.to_string().contains("invalid base64"), "{error}");
        assert_eq!(format!("{value:?}"), "Base64(4 bytes)");
    }

    #[test]
    fn date_time_uses_rfc_3339() {
        let t: DateTime = serde_json::from_str("\"2026-11-28T10:00:00Z\"").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-28T10:00:00Z\""
        );
    }
}
