//! Why a client could not be built.

/// Why an [`HttpClient`](crate::HttpClient) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required environment variable is not set or is empty.
    #[error("environment variable `{name}` is not set or is empty")]
    MissingEnv {
        /// The variable name.
        name: String,
    },
    /// An environment variable is set but is not valid Unicode.
    #[error("environment variable `{name}` is not valid Unicode")]
    EnvNotUnicode {
        /// The variable name.
        name: String,
    },
    /// The base URL cannot be used.
    #[error("invalid base URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The API key or the authentication scheme cannot be used. The message never contains
    /// the key.
    #[error("invalid authentication settings: {reason}")]
    InvalidAuth {
        /// Why they were rejected.
        reason: &'static str,
    },
    /// The user agent is not a valid header value.
    #[error("the user agent is not a valid HTTP header value")]
    InvalidUserAgent,
    /// Two settings cannot be combined.
    #[error("conflicting settings: {reason}")]
    Conflict {
        /// Which settings and why.
        reason: &'static str,
    },
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client")]
    Http(#[source] reqwest::Error),
    /// The runtime of a blocking client could not be started.
    #[error("could not start the runtime of the blocking client")]
    Runtime(#[source] std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_error_messages_name_the_cause() {
        let error = ConfigError::MissingEnv {
            name: "AUTESSA_API_KEY".into(),
        };
        assert!(error.to_string().contains("AUTESSA_API_KEY"));
        let error = ConfigError::InvalidBaseUrl {
            url: "ftp://x".into(),
            reason: "the scheme must be http or https".into(),
        };
        assert_eq!(
            error.to_string(),
            "invalid base URL `ftp://x`: the scheme must be http or https"
        );
    }
}
