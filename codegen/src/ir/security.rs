//! How a client proves who it is: the security schemes of a document.

use super::operations::ParamLocation;

/// How a client proves who it is.
#[derive(Clone, Debug)]
pub struct SecurityScheme {
    /// The scheme's key in the document.
    pub key: String,
    pub kind: AuthKind,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthKind {
    /// A key sent verbatim in a header, query parameter or cookie.
    ApiKey {
        location: ParamLocation,
        name: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic ...`.
    Basic,
    /// OAuth 2, OpenID Connect, mutual TLS: described, not implemented by the client.
    Other(String),
}
