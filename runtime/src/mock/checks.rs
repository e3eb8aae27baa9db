//! The checks of one request against its operation: security, parameters, body.

use axum::http::HeaderMap;
use serde_json::Value;

use super::forms;
use super::openapi::operation::{
    BodyContent, Operation, Parameter, ParameterLocation, RequestBody, SecurityScheme,
};
use super::openapi::read::is_json;
use super::schema::SchemaValidator;

/// The parts of a request the checks read.
pub(super) struct Incoming<'a> {
    pub(super) query: &'a [(String, String)],
    pub(super) path_parameters: &'a [(String, String)],
    pub(super) headers: &'a HeaderMap,
    pub(super) body: &'a [u8],
}

impl Incoming<'_> {
    fn header_values(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect()
    }

    fn values(&self, location: ParameterLocation, name: &str) -> Vec<String> {
        let pick = |pairs: &[(String, String)]| -> Vec<String> {
            pairs
                .iter()
                .filter(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .collect()
        };
        match location {
            ParameterLocation::Query => pick(self.query),
            ParameterLocation::Path => pick(self.path_parameters),
            ParameterLocation::Header => self.header_values(name),
            ParameterLocation::Cookie => {
                let cookies: Vec<(String, String)> = self
                    .header_values("cookie")
                    .iter()
                    .flat_map(|line| line.split(';'))
                    .filter_map(|pair| {
                        let (key, value) = pair.split_once('=')?;
                        Some((key.trim().to_owned(), value.trim().to_owned()))
                    })
                    .collect();
                pick(&cookies)
            }
        }
    }
}

/// Every check of one request against its operation: the details, without the operation
/// name, and the body as its schema reads it.
pub(super) fn judge(
    validator: &SchemaValidator,
    api_key: &str,
    operation: &Operation,
    request: &Incoming<'_>,
) -> (Vec<String>, Option<Value>) {
    let mut violations = check_security(operation, request, api_key);
    for parameter in &operation.parameters {
        violations.extend(check_parameter(validator, parameter, request));
    }
    violations.extend(check_undeclared_query(operation, request));
    let body = check_body(validator, operation, request, &mut violations);
    (violations, body)
}

pub(super) fn check_security(
    operation: &Operation,
    request: &Incoming<'_>,
    api_key: &str,
) -> Vec<String> {
    // An operation that declares no security (or `security: []`) takes any request.
    let alternatives = &operation.security[..];
    if alternatives.is_empty() || alternatives.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    let mut first_failures = None;
    for requirement in alternatives {
        let failures: Vec<String> = requirement
            .iter()
            .filter_map(|scheme| check_scheme(scheme, request, api_key))
            .collect();
        if failures.is_empty() {
            return Vec::new();
        }
        first_failures.get_or_insert(failures);
    }
    first_failures.unwrap_or_default()
}

fn check_scheme(scheme: &SecurityScheme, request: &Incoming<'_>, api_key: &str) -> Option<String> {
    match scheme {
        SecurityScheme::ApiKey {
            scheme,
            location,
            name,
        } => {
            let values = request.values(*location, name);
            let what = format!("{} {name:?}", location.as_str());
            match values.as_slice() {
                [] => Some(format!(
                    "{what} is missing (security scheme {scheme:?} wants the raw API key)"
                )),
                [value] if value == api_key => None,
                [value] if has_bearer_prefix(value) => Some(format!(
                    "{what} has a \"Bearer \" prefix; security scheme {scheme:?} wants the raw API \
                     key"
                )),
                [_] => Some(format!(
                    "{what} is not the configured API key (security scheme {scheme:?})"
                )),
                _ => Some(format!("{what} is sent {} times", values.len())),
            }
        }
        SecurityScheme::Bearer { scheme } => {
            let values = request.header_values("authorization");
            match values.as_slice() {
                [value] if has_bearer_prefix(value) && value[7..] == *api_key => None,
                [] => Some(format!(
                    "header \"authorization\" is missing (security scheme {scheme:?})"
                )),
                _ => Some(format!(
                    "header \"authorization\" is not \"Bearer <API key>\" (security scheme \
                     {scheme:?})"
                )),
            }
        }
        SecurityScheme::Other { .. } => None,
    }
}

fn has_bearer_prefix(value: &str) -> bool {
    value
        .get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("bearer "))
}

fn check_parameter(
    validator: &SchemaValidator,
    parameter: &Parameter,
    request: &Incoming<'_>,
) -> Vec<String> {
    let what = format!(
        "{} parameter {:?}",
        parameter.location.as_str(),
        parameter.name
    );
    if parameter.deep_object {
        return check_deep_object(validator, parameter, request, &what);
    }
    let values = request.values(parameter.location, &parameter.name);
    let is_array = parameter.json_type.as_deref() == Some("array");
    let instance = match values.as_slice() {
        [] if parameter.required => return vec![format!("{what} is required but missing")],
        [] => return Vec::new(),
        _ if is_array => Value::Array(values.iter().cloned().map(Value::String).collect()),
        [value] => read_scalar(value, parameter.json_type.as_deref()),
        _ => return vec![format!("{what} is sent {} times", values.len())],
    };
    let Some(pointer) = &parameter.schema_pointer else {
        return Vec::new();
    };
    match validator.validate(pointer, &instance) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|error| {
                let error = error.strip_prefix("(root): ").unwrap_or(&error);
                format!("{what}: {error}")
            })
            .collect(),
    }
}

/// A `deepObject` parameter: its `name[member]=value` fields, as one object of strings (one
/// level deep, as the fixtures send them), validated against its schema.
fn check_deep_object(
    validator: &SchemaValidator,
    parameter: &Parameter,
    request: &Incoming<'_>,
    what: &str,
) -> Vec<String> {
    let members: serde_json::Map<String, Value> = request
        .query
        .iter()
        .filter_map(|(key, value)| {
            let member = deep_member(key, &parameter.name)?;
            Some((member.to_owned(), Value::String(value.clone())))
        })
        .collect();
    if members.is_empty() {
        return match parameter.required {
            true => vec![format!("{what} is required but missing")],
            false => Vec::new(),
        };
    }
    let Some(pointer) = &parameter.schema_pointer else {
        return Vec::new();
    };
    match validator.validate(pointer, &Value::Object(members)) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.into_iter().map(|e| format!("{what}: {e}")).collect(),
    }
}

/// `member` of a `deepObject` field `name[member]`.
fn deep_member<'a>(key: &'a str, name: &str) -> Option<&'a str> {
    key.strip_prefix(name)?.strip_prefix('[')?.strip_suffix(']')
}

/// Reads a parameter's text as the JSON value its schema type calls for; text that does not
/// parse stays a string, so that the schema rejects it with a precise message.
fn read_scalar(text: &str, json_type: Option<&str>) -> Value {
    let parsed = match json_type {
        Some("integer") => text
            .parse::<i64>()
            .ok()
            .map(Value::from)
            .or_else(|| text.parse::<u64>().ok().map(Value::from)),
        Some("number") => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        Some("boolean") => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(text.to_owned()))
}

fn check_undeclared_query(operation: &Operation, request: &Incoming<'_>) -> Vec<String> {
    let declared = |name: &str| {
        operation
            .parameters
            .iter()
            .any(|p| {
                p.location == ParameterLocation::Query
                    && (p.name == name || (p.deep_object && deep_member(name, &p.name).is_some()))
            })
            || operation.security.iter().flatten().any(|scheme| {
                matches!(scheme, SecurityScheme::ApiKey { location: ParameterLocation::Query, name: key, .. } if key == name)
            })
    };
    let mut names: Vec<&str> = request
        .query
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| !declared(name))
        .collect();
    names.dedup();
    names
        .into_iter()
        .map(|name| format!("query parameter {name:?} is not declared"))
        .collect()
}

/// Checks the body against the operation's request body; returns it as its schema reads
/// it (see [`read_body`]).
fn check_body(
    validator: &SchemaValidator,
    operation: &Operation,
    request: &Incoming<'_>,
    violations: &mut Vec<String>,
) -> Option<Value> {
    let Some(declared) = &operation.request_body else {
        if !request.body.is_empty() {
            violations.push(format!(
                "the operation declares no request body, but {} bytes were sent",
                request.body.len()
            ));
        }
        return None;
    };
    if request.body.is_empty() {
        if declared.required {
            violations.push("the request body is required, but none was sent".to_owned());
        }
        return None;
    }
    let matched = match_content_type(declared, request, violations);
    // Whatever the header said, judge the body as one of the operation's media types.
    let content = matched.or_else(|| {
        declared
            .content
            .iter()
            .find(|content| is_json(&content.media_type))
    })?;
    let instance = match read_body(validator, content, request) {
        Ok(instance) => instance?,
        Err(error) => {
            violations.push(error);
            return None;
        }
    };
    if let Some(pointer) = &content.schema_pointer
        && let Err(errors) = validator.validate(pointer, &instance)
    {
        violations.extend(
            errors
                .into_iter()
                .map(|error| format!("request body at {error}")),
        );
    }
    Some(instance)
}

/// The body as a JSON instance of the media type's schema: JSON as sent, an urlencoded or
/// multipart form read member by member as the schema says (`None` for other media types,
/// which are not judged).
fn read_body(
    validator: &SchemaValidator,
    content: &BodyContent,
    request: &Incoming<'_>,
) -> Result<Option<Value>, String> {
    let essence = content.media_type.to_ascii_lowercase();
    if is_json(&essence) {
        return serde_json::from_slice(request.body)
            .map(Some)
            .map_err(|error| format!("the request body is not JSON: {error}"));
    }
    let document = validator.document();
    let media = content
        .schema_pointer
        .as_deref()
        .and_then(|pointer| pointer.trim_start_matches('#').strip_suffix("/schema"))
        .and_then(|pointer| document.pointer(pointer))
        .cloned()
        .unwrap_or(Value::Null);
    if essence.starts_with("application/x-www-form-urlencoded") {
        return Ok(Some(forms::urlencoded_instance(
            document,
            &media,
            request.body,
        )));
    }
    if essence.starts_with("multipart/form-data") {
        let header = request
            .header_values("content-type")
            .pop()
            .unwrap_or_default();
        let parts = forms::parse_multipart(&header, request.body)
            .map_err(|error| format!("the request body is not multipart/form-data: {error}"))?;
        let schema = media.get("schema").unwrap_or(&Value::Null);
        return Ok(Some(forms::multipart_instance(document, schema, &parts)));
    }
    Ok(None)
}

/// The declared media type the `Content-Type` header names; what is wrong with the header
/// goes to `violations`.
fn match_content_type<'a>(
    declared: &'a RequestBody,
    request: &Incoming<'_>,
    violations: &mut Vec<String>,
) -> Option<&'a BodyContent> {
    let accepted: Vec<&str> = declared
        .content
        .iter()
        .map(|content| content.media_type.as_str())
        .collect();
    let content_type = request.header_values("content-type");
    match content_type.as_slice() {
        [] => {
            violations.push(format!(
                "header \"content-type\" is missing (the body must be {})",
                accepted.join(" or ")
            ));
            None
        }
        [value] => {
            let found = declared
                .content
                .iter()
                .find(|content| same_media_type(&content.media_type, value));
            if found.is_none() {
                violations.push(format!(
                    "header \"content-type\" is {value:?}, but the body must be {}",
                    accepted.join(" or ")
                ));
            }
            found
        }
        _ => {
            violations.push(format!(
                "header \"content-type\" is sent {} times",
                content_type.len()
            ));
            None
        }
    }
}

/// Compares media types by essence (type/subtype, case-insensitive), ignoring parameters such
/// as `charset`.
fn same_media_type(declared: &str, sent: &str) -> bool {
    let essence = |text: &str| {
        text.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    essence(declared) == essence(sent)
}
