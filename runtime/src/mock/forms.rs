//! Request bodies that are not JSON, read as their schema describes them: an
//! `application/x-www-form-urlencoded` or `multipart/form-data` body becomes a JSON instance
//! of the body's schema (to validate it and to decode it into the operation's type), and a
//! multipart body's parts are kept as received.

use bytes::Bytes;
use futures_util::FutureExt;
use serde_json::{Map, Value};

use super::openapi::read::resolve;
use crate::http::body::encode::FormStyle;

/// One part of a `multipart/form-data` body, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedPart {
    /// The form field's name.
    pub name: String,
    /// The file name, for a file part.
    pub file_name: Option<String>,
    /// The part's own `Content-Type`, if it has one.
    pub content_type: Option<String>,
    /// The part's bytes.
    pub data: Bytes,
}

/// The parts of a `multipart/form-data` body, in the order received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parts(pub Vec<ReceivedPart>);

impl Parts {
    /// The first part named `name`.
    pub fn get(&self, name: &str) -> Option<&ReceivedPart> {
        self.0.iter().find(|part| part.name == name)
    }

    /// Every part named `name` (a repeated field, such as a list of files).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ReceivedPart> + 'a {
        self.0.iter().filter(move |part| part.name == name)
    }

    /// The first part named `name` as text.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|part| String::from_utf8_lossy(&part.data).into_owned())
    }
}

/// Parses a `multipart/form-data` body whose `Content-Type` header is `content_type`.
///
/// # Errors
///
/// When the header names no boundary or the body is not well-formed multipart.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Parts, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|error| error.to_string())?;
    let chunk = Bytes::copy_from_slice(body);
    let stream = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(chunk)]);
    let mut multipart = multer::Multipart::new(stream, boundary);
    // The whole body is in memory: every future is ready at once.
    let broke_off = || "the multipart body broke off".to_owned();
    let mut parts = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .now_or_never()
        .ok_or_else(broke_off)?
        .map_err(|error| error.to_string())?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let data = field
            .bytes()
            .now_or_never()
            .ok_or_else(broke_off)?
            .map_err(|error| error.to_string())?;
        parts.push(ReceivedPart {
            name,
            file_name,
            content_type,
            data,
        });
    }
    Ok(Parts(parts))
}

/// An `application/x-www-form-urlencoded` body as a JSON instance of the schema of `media`
/// (its media type object, inside `document`): each member read as its `encoding` wrote it
/// (OpenAPI's `style` and `explode`; exploded `form` by default) and as its type says.
/// Fields no member claims are kept as text, for the validator to judge.
pub(super) fn urlencoded_instance(document: &Value, media: &Value, body: &[u8]) -> Value {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let mut taken = vec![false; pairs.len()];
    let schema = media.get("schema").cloned().unwrap_or(Value::Null);
    let mut object = Map::new();
    for (name, member) in members(document, &schema) {
        let encoding = media.pointer(&format!("/encoding/{}", escape(&name)));
        let style = form_style(encoding);
        let mut take = |wanted: &dyn Fn(&str) -> bool| -> Vec<(String, String)> {
            let mut found = Vec::new();
            for (pair, used) in pairs.iter().zip(taken.iter_mut()) {
                if !*used && wanted(&pair.0) {
                    *used = true;
                    found.push(pair.clone());
                }
            }
            found
        };
        let value = match (type_of(document, &member), style) {
            (_, FormStyle::DeepObject) => {
                let prefix = format!("{name}[");
                let fields = take(&|key| key.starts_with(&prefix));
                deep_value(document, &member, &name, &fields)
            }
            (Some("array"), FormStyle::Exploded) => {
                let fields = take(&|key| key == name);
                let item = item_schema(document, &member);
                (!fields.is_empty()).then(|| {
                    Value::Array(
                        fields
                            .iter()
                            .map(|(_, t)| read(document, &item, t))
                            .collect(),
                    )
                })
            }
            (Some("object"), FormStyle::Exploded) => {
                let inner = members(document, &member);
                let mut value = Map::new();
                for (key, schema) in inner {
                    if let Some((_, text)) = take(&|k| k == key).into_iter().next() {
                        value.insert(key.clone(), read(document, &schema, &text));
                    }
                }
                (!value.is_empty()).then_some(Value::Object(value))
            }
            (kind, style) => take(&|key| key == name)
                .into_iter()
                .next()
                .map(|(_, text)| delimited(document, &member, kind, style, &text)),
        };
        if let Some(value) = value {
            object.insert(name, value);
        }
    }
    for ((key, text), used) in pairs.into_iter().zip(taken) {
        if !used {
            object.entry(key).or_insert(Value::String(text));
        }
    }
    Value::Object(object)
}

/// How `encoding` (a member's encoding object, if any) says the member is written.
fn form_style(encoding: Option<&Value>) -> FormStyle {
    let style = encoding
        .and_then(|e| e.get("style"))
        .and_then(Value::as_str);
    let explode = encoding
        .and_then(|e| e.get("explode"))
        .and_then(Value::as_bool);
    match style.unwrap_or("form") {
        "deepObject" => FormStyle::DeepObject,
        "spaceDelimited" => FormStyle::Space,
        "pipeDelimited" => FormStyle::Pipe,
        _ if explode == Some(false) => FormStyle::Comma,
        _ => FormStyle::Exploded,
    }
}

/// One field's text: an array split at its style's separator, an object from `key,value`
/// pairs (`form`, not exploded), anything else read as its type says.
fn delimited(
    document: &Value,
    member: &Value,
    kind: Option<&str>,
    style: FormStyle,
    text: &str,
) -> Value {
    let separator = match style {
        FormStyle::Space => ' ',
        FormStyle::Pipe => '|',
        _ => ',',
    };
    match kind {
        Some("array") => {
            let item = item_schema(document, member);
            Value::Array(
                text.split(separator)
                    .map(|t| read(document, &item, t))
                    .collect(),
            )
        }
        Some("object") => {
            let items: Vec<&str> = text.split(separator).collect();
            let value = items.chunks(2).filter_map(|pair| {
                let [key, text] = pair else { return None };
                let schema = member_schema(document, member, key);
                Some(((*key).to_owned(), read(document, &schema, text)))
            });
            Value::Object(value.collect())
        }
        _ => read(document, member, text),
    }
}

/// The `deepObject` fields of `name` (`name[a]`, `name[a][0]`, ...) as a value of `schema`.
fn deep_value(
    document: &Value,
    schema: &Value,
    name: &str,
    fields: &[(String, String)],
) -> Option<Value> {
    let mut root = Value::Null;
    for (key, text) in fields {
        let path: Vec<&str> = key[name.len()..]
            .split('[')
            .map(|segment| segment.trim_end_matches(']'))
            .filter(|segment| !segment.is_empty())
            .collect();
        place(document, schema, &mut root, &path, text);
    }
    (!root.is_null()).then_some(root)
}

/// Puts `text` at `path` inside `slot` (whose schema is `schema`): an index of an array
/// member, or a member of an object.
fn place(document: &Value, schema: &Value, slot: &mut Value, path: &[&str], text: &str) {
    let Some((key, rest)) = path.split_first() else {
        *slot = read(document, schema, text);
        return;
    };
    if type_of(document, schema) == Some("array") {
        let item = item_schema(document, schema);
        if !slot.is_array() {
            *slot = Value::Array(Vec::new());
        }
        if let Value::Array(items) = slot {
            let index = key.parse().unwrap_or(items.len()).min(items.len());
            if index == items.len() {
                items.push(Value::Null);
            }
            place(document, &item, &mut items[index], rest, text);
        }
        return;
    }
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(members) = slot {
        let member = member_schema(document, schema, key);
        let inner = members.entry((*key).to_owned()).or_insert(Value::Null);
        place(document, &member, inner, rest, text);
    }
}

/// A `multipart/form-data` body's parts as a JSON instance of `schema` (inside
/// `document`): each part read as its member's type says (a JSON part as JSON, a file as
/// its bytes' text), repeated parts as the items of an array member.
pub(super) fn multipart_instance(document: &Value, schema: &Value, parts: &Parts) -> Value {
    let mut object = Map::new();
    for part in &parts.0 {
        let member = member_schema(document, schema, &part.name);
        let text = String::from_utf8_lossy(&part.data);
        let json = part
            .content_type
            .as_deref()
            .is_some_and(super::openapi::read::is_json);
        let parsed = json
            .then(|| serde_json::from_str::<Value>(&text).ok())
            .flatten();
        let one_per_item = type_of(document, &member) == Some("array")
            && !parsed.as_ref().is_some_and(Value::is_array);
        let value = match (parsed, one_per_item) {
            (Some(value), _) => value,
            (None, true) => read(document, &item_schema(document, &member), &text),
            (None, false) => read(document, &member, &text),
        };
        match object.get_mut(&part.name) {
            Some(Value::Array(items)) if one_per_item => items.push(value),
            _ if one_per_item => {
                object.insert(part.name.clone(), Value::Array(vec![value]));
            }
            _ => {
                object.insert(part.name.clone(), value);
            }
        }
    }
    Value::Object(object)
}

/// The members an object schema declares (through `$ref`s and `allOf`s), with their schemas.
fn members(document: &Value, schema: &Value) -> Vec<(String, Value)> {
    let (schema, _) = resolve(document, schema, "");
    let mut found: Vec<(String, Value)> = Vec::new();
    if let Some(Value::Object(properties)) = schema.get("properties") {
        found.extend(properties.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for (name, member) in members(document, part) {
            if !found.iter().any(|(known, _)| *known == name) {
                found.push((name, member));
            }
        }
    }
    found
}

/// The schema of an array's items.
fn item_schema(document: &Value, schema: &Value) -> Value {
    let (schema, _) = resolve(document, schema, "");
    schema.get("items").cloned().unwrap_or(Value::Null)
}

/// The schema of the member `key` of an object schema (through `$ref`s and `allOf`s); an
/// empty schema when it declares none.
fn member_schema(document: &Value, schema: &Value, key: &str) -> Value {
    let (schema, _) = resolve(document, schema, "");
    if let Some(member) = schema.pointer(&format!("/properties/{}", escape(key))) {
        return member.clone();
    }
    let parts = schema.get("allOf").and_then(Value::as_array);
    parts
        .into_iter()
        .flatten()
        .map(|part| member_schema(document, part, key))
        .find(|member| member.as_object().is_some_and(|m| !m.is_empty()))
        .or_else(|| {
            schema
                .get("additionalProperties")
                .filter(|a| a.is_object())
                .cloned()
        })
        .unwrap_or_else(|| Value::Object(Map::new()))
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The `type` of a schema, through `$ref`s and a one-member `allOf`.
fn type_of<'a>(document: &'a Value, schema: &'a Value) -> Option<&'a str> {
    let (schema, _) = resolve(document, schema, "");
    match schema.get("allOf").and_then(Value::as_array) {
        Some(parts) if parts.len() == 1 => type_of(document, &parts[0]),
        _ => schema.get("type").and_then(Value::as_str),
    }
}

/// A field's text as a value of `schema`: what does not read as the type stays text, for
/// the validator to report.
fn read(document: &Value, schema: &Value, text: &str) -> Value {
    let parsed = || serde_json::from_str::<Value>(text).ok();
    let value = match type_of(document, schema) {
        Some("integer" | "number") => parsed().filter(Value::is_number),
        Some("boolean") => parsed().filter(Value::is_boolean),
        Some("object" | "array") => parsed().filter(|v| v.is_object() || v.is_array()),
        Some("null") => parsed().filter(Value::is_null),
        _ => None,
    };
    value.unwrap_or_else(|| Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_form_reads_as_its_encoding_wrote_it_and_as_its_schema_says() {
        let document = json!({"components": {"schemas": {"Range": {
            "type": "object",
            "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}}
        }}}});
        let media = json!({
            "schema": {"type": "object", "properties": {
                "q": {"type": "string"},
                "exact": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "ids": {"type": "array", "items": {"type": "integer"}},
                "sort": {"type": "array", "items": {"type": "string"}},
                "filter": {"type": "object", "properties": {
                    "range": {"$ref": "#/components/schemas/Range"},
                    "list": {"type": "array", "items": {"type": "integer"}}
                }},
                "page": {"type": "object", "properties": {
                    "size": {"type": "integer"}, "cursor": {"type": "string"}
                }}
            }},
            "encoding": {
                "ids": {"explode": false},
                "sort": {"style": "pipeDelimited"},
                "filter": {"style": "deepObject", "explode": true}
            }
        });
        let body = "q=42&exact=true&tags=a&tags=b&ids=1,2&sort=x%7Cy\
                    &filter%5Brange%5D%5Bmin%5D=1&filter%5Brange%5D%5Bmax%5D=x\
                    &filter%5Blist%5D%5B0%5D=5&size=10&cursor=c&other=5";
        assert_eq!(
            urlencoded_instance(&document, &media, body.as_bytes()),
            json!({
                "q": "42", "exact": true, "tags": ["a", "b"], "ids": [1, 2], "sort": ["x", "y"],
                "filter": {"range": {"min": 1, "max": "x"}, "list": [5]},
                "page": {"size": 10, "cursor": "c"}, "other": "5"
            })
        );
    }

    #[test]
    fn multipart_parts_are_parsed_with_their_file_names_and_types() {
        let body = "--XyZ\r\n\
                    Content-Disposition: form-data; name=\"meta\"\r\n\
                    Content-Type: application/json\r\n\r\n\
                    {\"n\":1}\r\n\
                    --XyZ\r\n\
                    Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\
                    Content-Type: application/octet-stream\r\n\r\n\
                    abc\r\n\
                    --XyZ\r\n\
                    Content-Disposition: form-data; name=\"n\"\r\n\r\n\
                    7\r\n\
                    --XyZ--\r\n";
        let parts = parse_multipart("multipart/form-data; boundary=XyZ", body.as_bytes()).unwrap();
        let file = parts.get("file").unwrap();
        assert_eq!(file.file_name.as_deref(), Some("a.bin"));
        assert_eq!(file.data, Bytes::from_static(b"abc"));
        assert_eq!(parts.text("meta").as_deref(), Some("{\"n\":1}"));
        let schema = json!({"type": "object", "properties": {
            "meta": {"type": "object"},
            "file": {"type": "string", "format": "binary"},
            "n": {"type": "array", "items": {"type": "integer"}}
        }});
        assert_eq!(
            multipart_instance(&json!({}), &schema, &parts),
            json!({"meta": {"n": 1}, "file": "abc", "n": [7]})
        );
        assert!(parse_multipart("multipart/form-data; boundary=XyZ", b"--XyZ\r\nbroken").is_err());
        assert!(parse_multipart("multipart/form-data", body.as_bytes()).is_err());
    }
}
