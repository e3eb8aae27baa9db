//! Building one request: path, query, headers and body.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use url::Url;

use crate::http::body::encode::{FormStyle, encode_error, form_body, form_fields, joined_text};
use crate::http::body::multipart::Multipart;

/// One API request, built by value and sent with one of the `HttpClient::send_*` methods.
///
/// The builder owns everything it needs (the body is kept as [`Bytes`], a multipart body as its
/// parts), so a request can be turned into a wire request more than once. A value that fails to encode does not stop the
/// chain: the first failure is kept and returned by `send_*` as [`Error::Encode`].
///
/// [`Error::Encode`]: crate::Error::Encode
pub struct RequestBuilder {
    method: Method,
    operation: &'static str,
    path: Cow<'static, str>,
    query: Vec<(String, String)>,
    /// Headers set with [`header`](Self::header) (the body's content type is kept apart, so
    /// that most requests need no map of their own).
    headers: HeaderMap,
    body: Option<Bytes>,
    content_type: Option<HeaderValue>,
    multipart: Option<Multipart>,
    authenticated: bool,
    idempotent: bool,
    error: Option<serde_json::Error>,
}

impl RequestBuilder {
    pub(crate) fn new(method: Method, operation: &'static str, path: Cow<'static, str>) -> Self {
        let error = has_dot_segment(&path)
            .then(|| encode_error("the path has a `.` or `..` segment".to_owned()));
        Self {
            method,
            operation,
            path,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            content_type: None,
            multipart: None,
            authenticated: true,
            idempotent: false,
            error,
        }
    }

    /// Adds a query parameter as OpenAPI's default (`style: form`, exploded) writes it:
    /// strings go raw, numbers and booleans as their JSON text, arrays as one `name=item`
    /// pair per item, objects as one field per member (`x=1&y=2`, nested values as compact
    /// JSON); `null`/`None` adds nothing.
    pub fn query<T: Serialize + ?Sized>(self, name: &str, value: &T) -> Self {
        self.query_styled(name, value, FormStyle::Exploded)
    }

    /// Adds a query parameter written in another [`FormStyle`] (`deepObject` as
    /// `name[x]=1`, `explode: false` as `name=1,2`, ...).
    pub fn query_styled<T: Serialize + ?Sized>(
        mut self,
        name: &str,
        value: &T,
        style: FormStyle,
    ) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => form_fields(name, value, style, &mut self.query),
            Err(error) => self.fail(error),
        }
        self
    }

    /// Sets a request header. The value is turned into text as for [`query`](Self::query),
    /// except that array items are joined with `,`; `null`/`None` sets nothing.
    pub fn header<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Self {
        let Ok(header_name) = HeaderName::from_bytes(name.as_bytes()) else {
            self.fail(encode_error(format!("invalid header name `{name}`")));
            return self;
        };
        let text = match serde_json::to_value(value) {
            Ok(value) => joined_text(value),
            Err(error) => {
                self.fail(error);
                return self;
            }
        };
        if let Some(text) = text {
            match HeaderValue::from_str(&text) {
                Ok(value) => {
                    self.headers.insert(header_name, value);
                }
                // The value itself stays out of the message: it may be a secret.
                Err(_) => self.fail(encode_error(format!("invalid value for header `{name}`"))),
            }
        }
        self
    }

    /// Sets a JSON body and `Content-Type: application/json`.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        // Most bodies fit: one allocation instead of a series of doublings.
        let mut json = Vec::with_capacity(256);
        match serde_json::to_writer(&mut json, body) {
            Ok(()) => self.set_body(HeaderValue::from_static("application/json"), json.into()),
            Err(error) => self.fail(error),
        }
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body: each member of `body` (an object) as
    /// OpenAPI's default `style: form, explode: true` writes it (arrays as repeated fields);
    /// `null`/`None` members are left out.
    pub fn form<T: Serialize + ?Sized>(self, body: &T) -> Self {
        self.form_styled(body, &[])
    }

    /// Sets an `application/x-www-form-urlencoded` body whose members named in `styles` are
    /// written in that [`FormStyle`] (OpenAPI's `encoding` map), the others as in
    /// [`form`](Self::form).
    pub fn form_styled<T: Serialize + ?Sized>(
        mut self,
        body: &T,
        styles: &[(&str, FormStyle)],
    ) -> Self {
        match form_body(body, styles) {
            Ok(text) => self.set_body(
                HeaderValue::from_static("application/x-www-form-urlencoded"),
                text.into(),
            ),
            Err(error) => self.fail(error),
        }
        self
    }

    /// Sets a `multipart/form-data` body (its `Content-Type`, with the boundary, is set when it
    /// is sent). A request whose body holds a one-shot stream is never retried.
    pub fn multipart(mut self, mut body: Multipart) -> Self {
        if let Some(error) = body.take_error() {
            self.fail(error);
        }
        self.body = None;
        self.content_type = None;
        self.multipart = Some(body);
        self
    }

    /// Marks the request as safe to repeat after it may have reached the server (reads, and
    /// operations the schema flags with `x-idempotent: true`).
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Whether the request is safe to repeat after it may have reached the server.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// Sends this request without credentials (for operations that take none).
    pub fn without_auth(mut self) -> Self {
        self.authenticated = false;
        self
    }

    /// Sets a raw body with the given `Content-Type`.
    pub fn bytes(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(value) => self.set_body(value, body.into()),
            Err(_) => self.fail(encode_error(format!(
                "invalid content type `{content_type}`"
            ))),
        }
        self
    }

    /// The operation id.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path, relative to the client's base URL.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The first value of the query parameter `name`, as it goes on the wire.
    pub(crate) fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The headers set with [`header`](Self::header).
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body's `Content-Type`, unless a [`header`](Self::header) sets one.
    pub(crate) fn content_type(&self) -> Option<&HeaderValue> {
        self.content_type
            .as_ref()
            .filter(|_| !self.headers.contains_key(CONTENT_TYPE))
    }

    pub(crate) fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    pub(crate) fn body(&self) -> Option<&Bytes> {
        self.body.as_ref()
    }

    pub(crate) fn take_error(&mut self) -> Option<serde_json::Error> {
        self.error.take()
    }

    pub(crate) fn take_multipart(&mut self) -> Option<Multipart> {
        self.multipart.take()
    }

    /// The full URL: `base` with its path prefix, this request's path and query, and then
    /// `extra` (the query authentication pair, if any).
    pub(crate) fn url(&self, base: &Url, extra: Option<(&str, &str)>) -> Url {
        let mut url = join_path(base, &self.path);
        if !self.query.is_empty() || extra.is_some() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &self.query {
                pairs.append_pair(name, value);
            }
            if let Some((name, value)) = extra {
                pairs.append_pair(name, value);
            }
        }
        url
    }

    fn set_body(&mut self, content_type: HeaderValue, body: Bytes) {
        self.content_type = Some(content_type);
        self.body = Some(body);
        self.multipart = None;
    }

    fn fail(&mut self, error: serde_json::Error) {
        self.error.get_or_insert(error);
    }
}

impl fmt::Debug for RequestBuilder {
    /// Shows the operation, method, path and the names of query parameters and headers;
    /// values are left out because they may be secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let query: Vec<&str> = self.query.iter().map(|(name, _)| name.as_str()).collect();
        let headers: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("RequestBuilder")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("headers", &headers)
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field(
                "multipart_parts",
                &self.multipart.as_ref().map(Multipart::len),
            )
            .field("error", &self.error)
            .finish()
    }
}

/// Appends `path` to the base URL's path, keeping a prefix such as `/api`.
pub(crate) fn join_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    if prefix.is_empty() && path.starts_with('/') {
        url.set_path(path);
        return url;
    }
    let mut full = String::with_capacity(prefix.len() + 1 + path.len());
    full.push_str(prefix);
    if !path.starts_with('/') {
        full.push('/');
    }
    full.push_str(path);
    url.set_path(&full);
    url
}

/// Whether a segment would be resolved away by a URL parser (`.`, `..`, `%2e`, ...).
fn has_dot_segment(path: &str) -> bool {
    memchr::memchr2(b'.', b'%', path.as_bytes()).is_some() && path.split('/').any(is_dot_segment)
}

/// Whether a segment is `.` or `..`, each dot written as `.` or `%2e` (in any case).
fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while !rest.is_empty() {
        rest = match rest {
            [b'.', tail @ ..] => tail,
            [b'%', b'2', e, tail @ ..] if e.eq_ignore_ascii_case(&b'e') => tail,
            _ => return false,
        };
        dots += 1;
    }
    matches!(dots, 1 | 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::body::encode::path_segment;

    fn base(url: &str) -> Url {
        Url::parse(url).unwrap()
    }

    fn req(path: &str) -> RequestBuilder {
        RequestBuilder::new(Method::POST, "op", path.to_owned().into())
    }

    #[test]
    fn join_keeps_the_base_path_prefix() {
        for (base_url, expected) in [
            (
                "http://127.0.0.1:1234/api",
                "http://127.0.0.1:1234/api/pets/1",
            ),
            (
                "http://127.0.0.1:1234/api/",
                "http://127.0.0.1:1234/api/pets/1",
            ),
            (
                "http://127.0.0.1:1234/a/b//",
                "http://127.0.0.1:1234/a/b/pets/1",
            ),
            ("http://127.0.0.1:1234", "http://127.0.0.1:1234/pets/1"),
            ("http://127.0.0.1:1234/", "http://127.0.0.1:1234/pets/1"),
        ] {
            assert_eq!(join_path(&base(base_url), "/pets/1").as_str(), expected);
        }
        assert_eq!(
            join_path(&base("http://h/api"), "pets").as_str(),
            "http://h/api/pets"
        );
    }

    #[test]
    fn encoded_segments_survive_joining() {
        let path = format!("/pets/{}", path_segment("a/../b?c#d %"));
        let url = req(&path).url(&base("http://h/api"), None);
        assert_eq!(url.as_str(), "http://h/api/pets/a%2F..%2Fb%3Fc%23d%20%25");
    }

    #[test]
    fn dot_segments_are_rejected() {
        for id in [".", "..", "%2e", "%2E%2e", ".%2E"] {
            let mut request = req(&format!("/pets/{id}"));
            assert!(request.take_error().is_some(), "{id}");
        }
        let dots = format!("/pets/{}", path_segment(".."));
        assert!(req(&dots).take_error().is_some());
        assert!(req("/pets/a..b/.x").take_error().is_none());
        for id in ["...", "%2", "%2f", ".%2", "%2e.%2e", "a.", "%25"] {
            assert!(req(&format!("/pets/{id}")).take_error().is_none(), "{id}");
        }
    }

    #[test]
    fn query_values_are_flattened() {
        let request = req("/x")
            .query("resourceId", &42_u64)
            .query("name", "a b&c")
            .query("tags", &["x", "y"])
            .query("missing", &None::<String>)
            .query("flag", &true)
            .query("filter", &serde_json::json!({"k": "v"}));
        let url = request.url(&base("http://h/"), Some(("authorization", "k")));
        assert_eq!(
            url.query(),
            Some("resourceId=42&name=a+b%26c&tags=x&tags=y&flag=true&k=v&authorization=k")
        );
        let url = RequestBuilder::new(Method::GET, "op", "/x".into())
            .query("missing", &None::<u8>)
            .url(&base("http://h/"), None);
        assert_eq!(url.as_str(), "http://h/x");
    }

    #[test]
    fn headers_and_bodies() {
        let mut request = req("/x")
            .header("X-Trace", "abc")
            .header("X-Ids", &[1, 2])
            .header("X-None", &None::<u8>)
            .json(&serde_json::json!({"a": 1}));
        assert!(request.take_error().is_none());
        assert_eq!(request.headers()["x-trace"], "abc");
        assert_eq!(request.headers()["x-ids"], "1,2");
        assert!(request.headers().get("x-none").is_none());
        assert_eq!(request.content_type().unwrap(), "application/json");
        assert_eq!(request.body().unwrap().as_ref(), br#"{"a":1}"#);

        let request = request.bytes("application/octet-stream", vec![1_u8, 2]);
        assert_eq!(request.content_type().unwrap(), "application/octet-stream");
        assert_eq!(request.body().unwrap().as_ref(), [1, 2]);

        // A `Content-Type` header set explicitly wins over the body's.
        let request = request.header("Content-Type", "application/vnd.x+json");
        assert_eq!(request.content_type(), None);
        assert_eq!(request.headers()[CONTENT_TYPE], "application/vnd.x+json");
    }

    #[test]
    fn encode_failures_are_kept_without_the_value() {
        let mut request = req("/x").header("X-Secret", "line\nbreak");
        let error = request.take_error().unwrap().to_string();
        assert!(
            error.contains("X-Secret") && !error.contains("line"),
            "{error}"
        );

        let mut request = req("/x").header("bad name", "v");
        assert!(request.take_error().is_some());

        let mut map = std::collections::HashMap::new();
        map.insert(vec![1_u8], 1);
        let mut request = req("/x").json(&map).query("later", "ok");
        assert!(request.take_error().is_some());
    }

    #[test]
    fn debug_leaves_values_out() {
        let request = req("/x")
            .query("q", "query-value")
            .header("X-Token", "header-value");
        let debug = format!("{request:?}");
        assert!(
            debug.contains("\"q\"") && debug.contains("x-token"),
            "{debug}"
        );
        assert!(!debug.contains("query-value") && !debug.contains("header-value"));
    }
}
