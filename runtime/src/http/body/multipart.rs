//! `multipart/form-data` bodies: text, JSON and file parts, encoded by reqwest.
//!
//! A [`Multipart`] keeps its parts, not an encoded body, so that each attempt encodes them
//! again: files are read again from the start and stream factories called again. A body with
//! a one-shot stream ([`FilePart::stream_once`]) is sent once, never retried.

use std::io;

use serde::Serialize;
use serde_json::Value;

use crate::http::body::encode::encode_error;
use crate::http::body::encode::{FormStyle, form_fields, scalar_text};
use crate::http::body::file_part::{DEFAULT_FILE_NAME, FilePart};
use crate::http::body::source::{SourceBody, SourceSlot};

/// A `multipart/form-data` body, built part by part (generated clients build it from a typed
/// body) and set with [`RequestBuilder::multipart`](crate::RequestBuilder::multipart).
///
/// A value that fails to encode does not stop the chain: the first failure is kept and the
/// request fails with [`Error::Encode`](crate::Error::Encode) without being sent.
///
/// ```no_run
/// use autessa_runtime::{FilePart, HttpClient, Method, Multipart};
///
/// # async fn run(http: HttpClient) -> Result<(), Box<dyn std::error::Error>> {
/// let form = Multipart::new()
///     .file("file", FilePart::file("rows.csv"), "text/csv")
///     .value("purpose", "import")
///     .value("tags", &["a", "b"]);
/// let request = http.request(Method::POST, "uploadFile", "/files").multipart(form);
/// http.send_empty::<serde_json::Value, ()>(request).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct Multipart {
    parts: Vec<Part>,
    error: Option<serde_json::Error>,
}

#[derive(Debug)]
struct Part {
    name: String,
    content: Content,
}

#[derive(Debug)]
enum Content {
    Text {
        text: String,
        content_type: Option<String>,
    },
    File {
        file: FilePart,
        /// Set from the file's metadata before the first attempt.
        length: Option<u64>,
    },
}

impl Multipart {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value` as parts named `name`: a string as it is, a number or boolean as its text
    /// (parts without a `Content-Type`, which means `text/plain`), an object as JSON
    /// (`application/json`), an array as one part per item; `null` or `None` adds nothing.
    pub fn value<T: Serialize + ?Sized>(self, name: &str, value: &T) -> Self {
        self.encode(value, |form, value| form.push_value(name, value, None))
    }

    /// Adds `value` as parts named `name` with the given `Content-Type`: one part of JSON text
    /// for a JSON media type (`application/json`, `…+json`), else as [`value`](Self::value)
    /// writes it.
    pub fn value_as<T: Serialize + ?Sized>(
        self,
        name: &str,
        value: &T,
        content_type: &str,
    ) -> Self {
        self.encode(value, |form, value| {
            if is_json(content_type) {
                if !value.is_null() {
                    form.push_text(name, value.to_string(), Some(content_type));
                }
            } else {
                form.push_value(name, value, Some(content_type));
            }
        })
    }

    /// Adds `value` as text parts written in a form `style` (for example `deepObject`: a part
    /// `name[member]` per member), as OpenAPI 3.1 allows for multipart members.
    pub fn styled<T: Serialize + ?Sized>(self, name: &str, value: &T, style: FormStyle) -> Self {
        self.encode(value, |form, value| {
            let mut fields = Vec::new();
            form_fields(name, value, style, &mut fields);
            for (name, text) in fields {
                form.push_text(&name, text, None);
            }
        })
    }

    /// Adds every member of `value` (an object) as [`value`](Self::value) would, each named
    /// after its member (for members merged in from other schemas, and extra members).
    pub fn members<T: Serialize + ?Sized>(self, value: &T) -> Self {
        self.encode(value, |form, value| match value {
            Value::Object(members) => {
                for (name, value) in members {
                    form.push_value(&name, value, None);
                }
            }
            Value::Null => {}
            _ => form.fail("the members of a multipart body must be an object"),
        })
    }

    /// Adds a file part named `name` (nothing for `None`); `default_type` is its
    /// `Content-Type` unless the part sets one.
    pub fn file(
        mut self,
        name: &str,
        part: impl Into<Option<FilePart>>,
        default_type: &str,
    ) -> Self {
        if let Some(mut file) = part.into() {
            if !valid_media_type(file.content_type.as_deref().unwrap_or(default_type)) {
                self.fail("a file part's content type is not a valid media type");
                return self;
            }
            file.content_type
                .get_or_insert_with(|| default_type.to_owned());
            self.parts.push(Part {
                name: name.to_owned(),
                content: Content::File { file, length: None },
            });
        }
        self
    }

    /// Adds one file part named `name` per item, as [`file`](Self::file) does.
    pub fn files(
        self,
        name: &str,
        parts: impl IntoIterator<Item = FilePart>,
        default_type: &str,
    ) -> Self {
        parts
            .into_iter()
            .fold(self, |form, part| form.file(name, part, default_type))
    }

    /// The number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether the body has no part.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    pub(crate) fn take_error(&mut self) -> Option<serde_json::Error> {
        self.error.take()
    }

    /// Whether a part can be read only once, so that the request must not be repeated.
    pub(crate) fn is_once(&self) -> bool {
        self.parts.iter().any(
            |part| matches!(&part.content, Content::File { file, .. } if file.source.is_once()),
        )
    }

    /// Reads the lengths of the file parts, before the first attempt.
    pub(crate) async fn prepare(&mut self) -> io::Result<()> {
        for part in &mut self.parts {
            if let Content::File { file, length } = &mut part.content {
                *length = file.source.length().await?;
            }
        }
        Ok(())
    }

    /// The form of one attempt; the file parts put read errors in `slot`.
    pub(crate) fn form(&mut self, slot: &SourceSlot) -> io::Result<reqwest::multipart::Form> {
        let mut form = reqwest::multipart::Form::new();
        for Part { name, content } in &mut self.parts {
            let part = match content {
                Content::Text { text, content_type } => {
                    let part = reqwest::multipart::Part::text(text.clone());
                    with_type(part, content_type.as_deref())?
                }
                Content::File { file, length } => {
                    let body = SourceBody::new(file.source.open()?, *length, slot.clone());
                    let body = reqwest::Body::wrap(body);
                    let part = match *length {
                        Some(length) => reqwest::multipart::Part::stream_with_length(body, length),
                        None => reqwest::multipart::Part::stream(body),
                    };
                    let file_name = file.file_name.as_deref().unwrap_or(DEFAULT_FILE_NAME);
                    with_type(
                        part.file_name(file_name.to_owned()),
                        file.content_type.as_deref(),
                    )?
                }
            };
            form = form.part(name.clone(), part);
        }
        Ok(form)
    }

    fn encode<T: Serialize + ?Sized>(
        mut self,
        value: &T,
        add: impl FnOnce(&mut Self, Value),
    ) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => add(&mut self, value),
            Err(error) => {
                self.error.get_or_insert(error);
            }
        }
        self
    }

    fn push_value(&mut self, name: &str, value: Value, content_type: Option<&str>) {
        match value {
            Value::Array(items) => {
                for item in items {
                    self.push_value(name, item, content_type);
                }
            }
            object @ Value::Object(_) => {
                let content_type = content_type.unwrap_or("application/json");
                self.push_text(name, object.to_string(), Some(content_type));
            }
            scalar => {
                if let Some(text) = scalar_text(scalar) {
                    self.push_text(name, text, content_type);
                }
            }
        }
    }

    fn push_text(&mut self, name: &str, text: String, content_type: Option<&str>) {
        if content_type.is_some_and(|t| !valid_media_type(t)) {
            self.fail("a part's content type is not a valid media type");
            return;
        }
        self.parts.push(Part {
            name: name.to_owned(),
            content: Content::Text {
                text,
                content_type: content_type.map(str::to_owned),
            },
        });
    }

    fn fail(&mut self, message: &str) {
        self.error
            .get_or_insert_with(|| encode_error(message.to_owned()));
    }
}

fn with_type(
    part: reqwest::multipart::Part,
    content_type: Option<&str>,
) -> io::Result<reqwest::multipart::Part> {
    match content_type {
        None => Ok(part),
        // Checked when the part was added.
        Some(content_type) => part.mime_str(content_type).map_err(io::Error::other),
    }
}

/// Whether reqwest accepts `content_type` as a part's media type.
fn valid_media_type(content_type: &str) -> bool {
    reqwest::multipart::Part::text("")
        .mime_str(content_type)
        .is_ok()
}

/// `application/json` and `…+json` media types.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.len() > 5 && essence[essence.len() - 5..].eq_ignore_ascii_case("+json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use serde_json::json;

    /// Each part as `name: content type: text`, files as `name: content type: file name`.
    fn describe(form: &Multipart) -> Vec<String> {
        form.parts
            .iter()
            .map(|part| match &part.content {
                Content::Text { text, content_type } => {
                    format!(
                        "{}: {}: {text}",
                        part.name,
                        content_type.as_deref().unwrap_or("-")
                    )
                }
                Content::File { file, .. } => format!(
                    "{}: {}: {}",
                    part.name,
                    file.content_type.as_deref().unwrap_or("-"),
                    file.file_name.as_deref().unwrap_or("-")
                ),
            })
            .collect()
    }

    #[test]
    fn values_become_text_json_and_repeated_parts() {
        let form = Multipart::new()
            .value("name", "a b")
            .value("count", &3)
            .value("flag", &false)
            .value("none", &None::<u8>)
            .value("meta", &json!({"k": 1}))
            .value("tags", &["x", "y"])
            .value_as("ids", &[1, 2], "application/json")
            .value_as("note", "hi", "text/plain; charset=utf-8")
            .styled("filter", &json!({"a": 1, "b": [2]}), FormStyle::DeepObject)
            .members(&json!({"extra": "e", "skipped": null}));
        assert!(form.error.is_none());
        assert_eq!(
            describe(&form),
            [
                "name: -: a b",
                "count: -: 3",
                "flag: -: false",
                r#"meta: application/json: {"k":1}"#,
                "tags: -: x",
                "tags: -: y",
                "ids: application/json: [1,2]",
                "note: text/plain; charset=utf-8: hi",
                "filter[a]: -: 1",
                "filter[b][0]: -: 2",
                "extra: -: e",
            ]
        );
    }

    #[test]
    fn files_take_the_default_type_and_a_file_name() {
        let form = Multipart::new()
            .file("doc", FilePart::file("/tmp/report.pdf"), "application/pdf")
            .file(
                "raw",
                FilePart::bytes(&b"x"[..]),
                "application/octet-stream",
            )
            .file("none", None, "image/png")
            .files(
                "images",
                [
                    FilePart::bytes(&b"1"[..])
                        .file_name("1.png")
                        .content_type("image/png"),
                    FilePart::bytes(&b"2"[..]),
                ],
                "image/*",
            );
        assert!(form.error.is_none());
        assert!(!form.is_once());
        assert_eq!(
            describe(&form),
            [
                "doc: application/pdf: report.pdf",
                "raw: application/octet-stream: -",
                "images: image/png: 1.png",
                "images: image/*: -",
            ]
        );
        let once = Multipart::new().file(
            "s",
            FilePart::stream_once(crate::http::body::source::BytesChunks(Bytes::new()), None),
            "text/plain",
        );
        assert!(once.is_once());
    }

    #[test]
    fn bad_values_and_media_types_are_kept_as_the_first_error() {
        let mut form = Multipart::new()
            .file(
                "f",
                FilePart::bytes(&b""[..]).content_type("not a type"),
                "text/plain",
            )
            .value("later", "ok");
        assert!(
            form.take_error()
                .unwrap()
                .to_string()
                .contains("content type")
        );
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1_u8], 1);
        assert!(Multipart::new().value("m", &map).take_error().is_some());
        assert!(Multipart::new().members(&[1]).take_error().is_some());
        assert!(
            Multipart::new()
                .value_as("x", "v", "bad")
                .take_error()
                .is_some()
        );
    }

    #[test]
    fn json_media_types() {
        for json in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/vnd.x+json",
        ] {
            assert!(is_json(json), "{json}");
        }
        for other in ["text/plain", "json", "application/jsonx"] {
            assert!(!is_json(other), "{other}");
        }
    }
}
