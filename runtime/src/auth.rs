//! The API key and how it is attached to requests.

use std::fmt;

/// A secret API key.
///
/// The key is kept out of every `Debug` output (it prints as `ApiKey(<redacted>)`) and has no
/// `Display` implementation, so it cannot end up in a log line or an error message by
/// accident. Call [`ApiKey::expose_secret`] where the raw value is really needed.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// Returns the raw key. Never log or display the result.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        Self(key.to_owned())
    }
}

/// Where the API key goes on every request.
///
/// Generated clients pick the scheme from the API description's security schemes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthScheme {
    /// A request header carrying `prefix` followed by the key, e.g.
    /// `Header { name: "Authorization", prefix: "" }` for a raw key or
    /// `Header { name: "Authorization", prefix: "Bearer " }` for a bearer token.
    Header {
        /// The header name.
        name: &'static str,
        /// Text put before the key; `""` for the raw key.
        prefix: &'static str,
    },
    /// A query parameter carrying the raw key.
    Query {
        /// The query parameter name.
        name: &'static str,
    },
}

impl Default for AuthScheme {
    /// The raw key in the `Authorization` header, as the Autessa REST API expects.
    fn default() -> Self {
        Self::Header {
            name: "Authorization",
            prefix: "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_key() {
        let key = ApiKey::new("sk-very-secret");
        assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
        assert_eq!(format!("{key:#?}"), "ApiKey(<redacted>)");
        assert_eq!(key.expose_secret(), "sk-very-secret");
    }

    #[test]
    fn conversions_keep_the_key() {
        assert_eq!(ApiKey::from("a").expose_secret(), "a");
        assert_eq!(ApiKey::from(String::from("b")).expose_secret(), "b");
    }

    #[test]
    fn default_scheme_is_the_raw_authorization_header() {
        assert_eq!(
            AuthScheme::default(),
            AuthScheme::Header {
                name: "Authorization",
                prefix: ""
            }
        );
    }
}
