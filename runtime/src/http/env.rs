//! Configuring a client from environment variables: the API key and the base URL.

use std::ffi::OsString;

use crate::auth::AuthScheme;
use crate::http::builder::HttpClientBuilder;
use crate::http::client::HttpClient;
use crate::http::config::config_error::ConfigError;

impl HttpClient {
    /// Builds a client from the environment: the API key from `key_var` (required), the base
    /// URL from `base_url_var` when it is set and not empty, else `default_base_url`.
    pub fn from_env(
        key_var: &str,
        base_url_var: &str,
        default_base_url: &str,
        auth: AuthScheme,
    ) -> Result<Self, ConfigError> {
        Self::from_vars(key_var, base_url_var, default_base_url, auth, |name| {
            std::env::var_os(name)
        })
    }

    /// [`from_env`](Self::from_env) with the variables looked up by `lookup`.
    fn from_vars(
        key_var: &str,
        base_url_var: &str,
        default_base_url: &str,
        auth: AuthScheme,
        lookup: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Self, ConfigError> {
        Self::builder(default_base_url)
            .auth(auth)
            .vars(key_var, base_url_var, lookup)?
            .build()
    }
}

impl HttpClientBuilder {
    /// Takes the API key from the environment variable `key_var` (required) and, when
    /// `base_url_var` is set and not empty, the base URL from it.
    pub fn env(self, key_var: &str, base_url_var: &str) -> Result<Self, ConfigError> {
        self.vars(key_var, base_url_var, |name| std::env::var_os(name))
    }

    /// [`env`](Self::env) with the variables looked up by `lookup`.
    fn vars(
        mut self,
        key_var: &str,
        base_url_var: &str,
        lookup: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Self, ConfigError> {
        let key = env_text(key_var, &lookup)?.ok_or_else(|| ConfigError::MissingEnv {
            name: key_var.to_owned(),
        })?;
        if let Some(base_url) = env_text(base_url_var, &lookup)? {
            self = self.base_url(base_url);
        }
        Ok(self.api_key(key))
    }
}

/// A variable's text; `None` when it is unset or empty.
fn env_text(
    name: &str,
    lookup: impl Fn(&str) -> Option<OsString>,
) -> Result<Option<String>, ConfigError> {
    match lookup(name).map(OsString::into_string) {
        None => Ok(None),
        Some(Ok(text)) => Ok(Some(text).filter(|text| !text.is_empty())),
        Some(Err(_)) => Err(ConfigError::EnvNotUnicode {
            name: name.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-live-0123456789";

    #[test]
    fn from_env_requires_the_key() {
        let key_var = "AUTESSA_RUNTIME_TEST_KEY_THAT_IS_NEVER_SET";
        let error = HttpClient::from_env(key_var, "UNSET_TOO", "http://h", AuthScheme::default())
            .unwrap_err();
        assert!(error.to_string().contains(key_var), "{error}");
    }

    #[test]
    fn from_vars_reads_key_and_optional_base_url() {
        let vars = |url: &'static str| {
            move |name: &str| match name {
                "KEY" => Some(OsString::from(KEY)),
                "EMPTY" => Some(OsString::new()),
                "URL" => Some(OsString::from(url)),
                _ => None,
            }
        };
        let auth = AuthScheme::default();
        let client =
            HttpClient::from_vars("KEY", "URL", "http://d", auth, vars("http://h:9/p")).unwrap();
        assert_eq!(client.base_url().as_str(), "http://h:9/p");
        let client = HttpClient::from_vars("KEY", "NONE", "http://d", auth, vars("")).unwrap();
        assert_eq!(client.base_url().as_str(), "http://d/");
        let client = HttpClient::from_vars("KEY", "URL", "http://d", auth, vars("")).unwrap();
        assert_eq!(client.base_url().as_str(), "http://d/");
        let error = HttpClient::from_vars("EMPTY", "URL", "http://d", auth, vars("")).unwrap_err();
        assert!(matches!(error, ConfigError::MissingEnv { ref name } if name == "EMPTY"));
        let error = HttpClient::from_vars("KEY", "URL", "http://d", auth, vars("bad")).unwrap_err();
        assert!(error.to_string().contains("`bad`"), "{error}");
    }
}
