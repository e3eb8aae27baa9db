//! JSON Schema validation against an OpenAPI 3.0 document.
//!
//! OpenAPI 3.0 schema objects are a dialect of JSON Schema draft 4/5, not JSON Schema itself, so
//! the document is first converted (see [`openapi_to_json_schema`]) and then registered whole,
//! under a `file://` URI, as one draft 2020-12 resource. Validating against a location is then a
//! compile of `{"$ref": "<document uri>#<pointer>"}`: every internal `$ref` resolves against the
//! same document, and nothing is ever fetched (the crate is built without its HTTP and file
//! resolvers).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Map, Value, json};

/// A failure to load a schema document.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The converted document is not a JSON Schema resource the validator accepts.
    #[error("cannot register {uri} as a JSON Schema resource: {message}")]
    Registry {
        /// The URI the document was to be registered under.
        uri: String,
        /// The validator's complaint.
        message: String,
    },
}

/// Validates JSON instances against any schema location of an OpenAPI 3.0 document, with an
/// independent JSON Schema validator (the `jsonschema` crate, draft 2020-12).
///
/// Load it once and validate any instance against any pointer, for example
/// `#/components/schemas/ExecuteAgentRequest` or
/// `#/paths/~1clients~1agents~1execute/post/requestBody/content/application~1json/schema`.
/// Compiled validators are cached per pointer.
pub struct SchemaValidator {
    uri: String,
    document: Value,
    /// The other files the document refers to, by URI (registered as they are).
    files: Vec<(String, Value)>,
    converted: Arc<Value>,
    registry: Registry<'static>,
    cache: Mutex<HashMap<String, Arc<Validator>>>,
}

impl std::fmt::Debug for SchemaValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaValidator")
            .field("uri", &self.uri)
            .finish_non_exhaustive()
    }
}

impl SchemaValidator {
    /// Uses an already parsed OpenAPI 3.0 document; `uri` names it (relative references from
    /// other documents resolve against it).
    pub fn from_openapi(document: Value, uri: &str) -> Result<Self, SchemaError> {
        Self::from_openapi_with_files(document, uri, Vec::new())
    }

    /// Like [`from_openapi`](Self::from_openapi), with the other files its references reach,
    /// each named by its URI (relative references resolve against `uri`). They are
    /// registered as they are: the OpenAPI 3.0 schema keywords that JSON Schema reads
    /// differently (`nullable`, boolean `exclusiveMinimum`) are not converted in them.
    pub fn from_openapi_with_files(
        document: Value,
        uri: &str,
        files: Vec<(String, Value)>,
    ) -> Result<Self, SchemaError> {
        let converted = Arc::new(openapi_to_json_schema(&document));
        let others = files.iter().map(|(uri, file)| {
            (
                uri.clone(),
                Draft::Draft202012.create_resource(file.clone()),
            )
        });
        let registry = Registry::new()
            .add(
                uri,
                Draft::Draft202012.create_resource((*converted).clone()),
            )
            .and_then(|builder| builder.extend(others))
            .and_then(|builder| builder.prepare())
            .map_err(|error| SchemaError::Registry {
                uri: uri.to_owned(),
                message: error.to_string(),
            })?;
        Ok(SchemaValidator {
            uri: uri.to_owned(),
            document,
            files,
            converted,
            registry,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The document as loaded (OpenAPI 3.0, unconverted).
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The document after conversion to JSON Schema 2020-12 (what the validator reads).
    pub fn json_schema_document(&self) -> &Value {
        &self.converted
    }

    /// The other files the document refers to, by URI.
    pub fn files(&self) -> &[(String, Value)] {
        &self.files
    }

    /// The URI the document is registered under.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// Validates `instance` against the schema at `pointer` (a JSON pointer into the document,
    /// with or without a leading `#`). On failure, returns one message per validation error, each
    /// starting with the instance path of the offending value (`(root)` for the whole instance).
    /// A pointer that leads nowhere, or to a schema that does not compile, is an error too.
    pub fn validate(&self, pointer: &str, instance: &Value) -> Result<(), Vec<String>> {
        let validator = self.validator(pointer).map_err(|error| vec![error])?;
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|error| {
                let path = error.instance_path().as_str();
                let path = if path.is_empty() { "(root)" } else { path };
                format!("{path}: {error}")
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Validates `instance` against `#/components/schemas/{name}`.
    pub fn validate_component(&self, name: &str, instance: &Value) -> Result<(), Vec<String>> {
        self.validate(
            &format!("#/components/schemas/{}", escape_token(name)),
            instance,
        )
    }

    fn validator(&self, pointer: &str) -> Result<Arc<Validator>, String> {
        let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(validator) = cache.get(pointer) {
            return Ok(Arc::clone(validator));
        }
        if self.converted.pointer(pointer).is_none() {
            return Err(format!("no schema at #{pointer} in {}", self.uri));
        }
        let reference = json!({ "$ref": format!("{}#{}", self.uri, encode_fragment(pointer)) });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .build(&reference)
            .map_err(|error| format!("the schema at #{pointer} does not compile: {error}"))?;
        let validator = Arc::new(validator);
        cache.insert(pointer.to_owned(), Arc::clone(&validator));
        Ok(validator)
    }
}

/// Escapes one JSON pointer reference token (`~` → `~0`, `/` → `~1`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A `file://` URI for an absolute path, to name a document loaded from a file.
pub fn file_uri(path: &Path) -> String {
    let path = path.to_string_lossy().replace('\\', "/");
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    format!("file://{}", encode_fragment(&path))
}

/// Percent-encodes what may not appear literally in a URI path or fragment.
fn encode_fragment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Converts an OpenAPI 3.0 document into one whose schema objects are JSON Schema 2020-12.
///
/// Only schema positions are converted: `#/components/schemas/*` and every `schema` member of
/// parameters, headers and media types. Everything else is copied, except `example`, `examples`
/// and `x-*` members outside schemas, which are data rather than schemas and are copied
/// untouched. See [`convert_schema`] for what happens inside a schema.
pub fn openapi_to_json_schema(document: &Value) -> Value {
    convert_document(document, &[])
}

fn convert_document(value: &Value, path: &[&str]) -> Value {
    match value {
        Value::Object(map) => {
            let in_component_schemas = path == ["components", "schemas"];
            let mut out = Map::new();
            for (key, member) in map {
                let converted = if in_component_schemas || key == "schema" {
                    convert_schema(member)
                } else if key == "example" || key == "examples" || key.starts_with("x-") {
                    member.clone()
                } else {
                    let mut inner = path.to_vec();
                    inner.push(key);
                    convert_document(member, &inner)
                };
                out.insert(key.clone(), converted);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| convert_document(item, path))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Converts one OpenAPI 3.0 schema object into JSON Schema 2020-12:
///
/// - `$ref`: OpenAPI 3.0 ignores a reference's siblings, so they are dropped.
/// - `nullable: true`: `type: T` becomes `type: [T, "null"]` (and `null` joins an `enum`); a
///   schema without `type`, or with `allOf`/`anyOf`/`oneOf`/`not`, becomes
///   `anyOf: [<schema>, {type: null}]`.
/// - `exclusiveMinimum`/`exclusiveMaximum`: the draft 4 booleans become the 2020-12 numbers.
/// - `format: int32` on an integer adds the int32 bounds (`format` only checks strings).
/// - `discriminator`, `example`, `xml`, `externalDocs`, `deprecated` and `x-*` are annotations
///   and are dropped; `readOnly`/`writeOnly` are kept as the annotations they are in 2020-12.
pub fn convert_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    if let Some(reference) = map.get("$ref") {
        return json!({ "$ref": reference });
    }
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match key.as_str() {
            "nullable" | "discriminator" | "example" | "xml" | "externalDocs" | "deprecated" => {
                continue;
            }
            key if key.starts_with("x-") => continue,
            "properties" | "patternProperties" => match value {
                Value::Object(properties) => Value::Object(
                    properties
                        .iter()
                        .map(|(name, schema)| (name.clone(), convert_schema(schema)))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" | "additionalProperties" | "not" => convert_schema(value),
            "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(schemas) => Value::Array(schemas.iter().map(convert_schema).collect()),
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(is_exclusive)) = out.get(exclusive).cloned() {
            out.remove(exclusive);
            if is_exclusive && let Some(limit) = out.remove(bound) {
                out.insert(exclusive.to_owned(), limit);
            }
        }
    }
    if out.get("type") == Some(&json!("integer")) && out.get("format") == Some(&json!("int32")) {
        let bounds = json!({ "minimum": i32::MIN, "maximum": i32::MAX });
        match out.get_mut("allOf") {
            Some(Value::Array(all)) => all.push(bounds),
            _ => {
                out.insert("allOf".to_owned(), json!([bounds]));
            }
        }
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        let composite = ["allOf", "anyOf", "oneOf", "not"]
            .iter()
            .any(|key| out.contains_key(*key));
        match out.get("type").cloned() {
            Some(Value::String(single)) if !composite => {
                out.insert("type".to_owned(), json!([single, "null"]));
                if let Some(Value::Array(values)) = out.get_mut("enum")
                    && !values.contains(&Value::Null)
                {
                    values.push(Value::Null);
                }
            }
            _ => return json!({ "anyOf": [Value::Object(out), { "type": "null" }] }),
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator(document: Value) -> SchemaValidator {
        SchemaValidator::from_openapi(document, "file:///virtual/openapi.yaml").unwrap()
    }

    #[test]
    fn nullable_becomes_a_type_array_or_an_any_of() {
        assert_eq!(
            convert_schema(&json!({"type": "string", "nullable": true, "enum": ["A"]})),
            json!({"type": ["string", "null"], "enum": ["A", null]})
        );
        assert_eq!(
            convert_schema(&json!({"allOf": [{"$ref": "#/x"}], "nullable": true})),
            json!({"anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]})
        );
        assert_eq!(
            convert_schema(&json!({"$ref": "#/x", "nullable": true, "description": "d"})),
            json!({"$ref": "#/x"})
        );
    }

    #[test]
    fn draft4_exclusive_bounds_and_annotations() {
        assert_eq!(
            convert_schema(&json!({
                "type": "number", "minimum": 1, "exclusiveMinimum": true,
                "maximum": 9, "exclusiveMaximum": false,
                "example": 3, "x-foo": 1, "discriminator": {"propertyName": "t"}
            })),
            json!({"type": "number", "exclusiveMinimum": 1, "maximum": 9})
        );
    }

    #[test]
    fn property_names_that_are_keywords_survive() {
        let converted = convert_schema(&json!({
            "type": "object",
            "properties": {"example": {"type": "string", "example": "x"}, "x-y": {}}
        }));
        assert_eq!(
            converted,
            json!({"type": "object", "properties": {"example": {"type": "string"}, "x-y": {}}})
        );
    }

    #[test]
    fn references_resolve_across_the_document_and_errors_carry_paths() {
        let v = validator(json!({
            "openapi": "3.0.3",
            "paths": {"/a/{id}": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Outer"}}}}}}},
            "components": {"schemas": {
                "Outer": {"type": "object", "required": ["inner"],
                          "properties": {"inner": {"$ref": "#/components/schemas/Inner"}}},
                "Inner": {"type": "integer", "nullable": true, "format": "int32"},
                "With Space": {"type": "string"}
            }}
        }));
        assert!(v.validate_component("Outer", &json!({"inner": 5})).is_ok());
        assert!(
            v.validate_component("Outer", &json!({"inner": null}))
                .is_ok()
        );
        let errors = v
            .validate_component("Outer", &json!({"inner": "x"}))
            .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("/inner: "), "{errors:?}");
        let errors = v
            .validate_component("Outer", &json!({"inner": 1_i64 << 40}))
            .unwrap_err();
        assert!(errors[0].starts_with("/inner: "), "{errors:?}");
        let errors = v.validate_component("Outer", &json!({})).unwrap_err();
        assert!(errors[0].starts_with("(root): "), "{errors:?}");
        // Pointers with characters that must be escaped in a URI fragment.
        let body = "#/paths/~1a~1{id}/post/requestBody/content/application~1json/schema";
        assert!(v.validate(body, &json!({"inner": 1})).is_ok());
        assert!(v.validate(body, &json!({"inner": true})).is_err());
        assert!(v.validate_component("With Space", &json!("s")).is_ok());
        assert!(v.validate_component("With Space", &json!(1)).is_err());
        assert!(v.validate_component("Missing", &json!(1)).is_err());
    }

    #[test]
    fn formats_are_checked() {
        let v = validator(json!({"components": {"schemas": {
            "Uri": {"type": "string", "format": "uri"},
            "Long": {"type": "integer", "format": "int64"},
            "When": {"type": "string", "format": "date-time"}
        }}}));
        assert!(
            v.validate_component("Uri", &json!("https://x.test/a"))
                .is_ok()
        );
        assert!(v.validate_component("Uri", &json!("not a uri")).is_err());
        assert!(v.validate_component("Long", &json!(1_i64 << 40)).is_ok());
        assert!(
            v.validate_component("When", &json!("2024-01-01T00:00:00Z"))
                .is_ok()
        );
        assert!(v.validate_component("When", &json!("yesterday")).is_err());
    }
}
