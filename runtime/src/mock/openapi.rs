//! The operations of an OpenAPI 3.0 document, indexed for a server that has to judge requests:
//! method and path matching, parameters, request bodies, security and response examples, with
//! every `$ref` to a component (parameters, request bodies, responses, examples) followed.

use serde_json::Value;

use super::schema::escape_token;

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParameterLocation {
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A segment of the path.
    Path,
    /// A cookie.
    Cookie,
}

impl ParameterLocation {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "query" => Some(ParameterLocation::Query),
            "header" => Some(ParameterLocation::Header),
            "path" => Some(ParameterLocation::Path),
            "cookie" => Some(ParameterLocation::Cookie),
            _ => None,
        }
    }

    /// The word the OpenAPI document uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Path => "path",
            ParameterLocation::Cookie => "cookie",
        }
    }
}

/// A declared parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// The name on the wire.
    pub name: String,
    /// Where it travels.
    pub location: ParameterLocation,
    /// Whether it must be sent.
    pub required: bool,
    /// JSON pointer (with `#`) of its schema, if it has one.
    pub schema_pointer: Option<String>,
    /// The JSON type of the schema (`integer`, `string`, ...), following `$ref`s; used to read
    /// the parameter's text as a JSON value before validation.
    pub json_type: Option<String>,
    /// `style: deepObject`: sent as `name[member]=value` fields.
    pub deep_object: bool,
}

/// A declared request body media type.
#[derive(Clone, Debug)]
pub struct BodyContent {
    /// The media type, e.g. `application/json`.
    pub media_type: String,
    /// JSON pointer (with `#`) of the media type's schema.
    pub schema_pointer: Option<String>,
}

/// A declared request body.
#[derive(Clone, Debug)]
pub struct RequestBody {
    /// Whether a body must be sent.
    pub required: bool,
    /// The media types it may be sent in.
    pub content: Vec<BodyContent>,
}

/// How one security scheme carries the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecurityScheme {
    /// `type: apiKey`: the raw key in a header, query parameter or cookie.
    ApiKey {
        /// The scheme's name in the document.
        scheme: String,
        /// Where the key travels.
        location: ParameterLocation,
        /// The header, query parameter or cookie name.
        name: String,
    },
    /// `type: http, scheme: bearer`: `Authorization: Bearer <key>`.
    Bearer {
        /// The scheme's name in the document.
        scheme: String,
    },
    /// Anything else (not checked).
    Other {
        /// The scheme's name in the document.
        scheme: String,
    },
}

/// One operation of the document.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Upper case, e.g. `POST`.
    pub method: String,
    /// The path template, e.g. `/clients/agents/execute`.
    pub path: String,
    /// The operation id, if the document gives one.
    pub operation_id: Option<String>,
    /// JSON pointer (with `#`) of the operation object.
    pub pointer: String,
    /// Path-level and operation-level parameters merged (the operation's win).
    pub parameters: Vec<Parameter>,
    /// The declared request body.
    pub request_body: Option<RequestBody>,
    /// Alternatives: the request must satisfy every scheme of at least one of them. Empty when
    /// the operation needs no authentication.
    pub security: Vec<Vec<SecurityScheme>>,
}

impl Operation {
    /// The operation id, or `METHOD path` when there is none.
    pub fn name(&self) -> String {
        match &self.operation_id {
            Some(id) => id.clone(),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

/// A response example found in the document.
#[derive(Clone, Debug)]
pub struct ResponseExample {
    /// The key of the response it came from: `200`, `4XX`, `default`, ...
    pub response_key: String,
    /// The media type of the example.
    pub media_type: String,
    /// The example.
    pub value: Value,
}

/// The result of looking up a request's method and path.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// An operation has this method and path.
    Found {
        /// The operation.
        operation: &'a Operation,
        /// The path parameters read from the path.
        path_parameters: Vec<(String, String)>,
    },
    /// The path exists, but not with this method.
    MethodNotAllowed {
        /// The methods the path declares.
        allowed: Vec<String>,
    },
    /// No path matches.
    NotFound,
}

/// Every operation of an OpenAPI 3.0 document.
#[derive(Clone, Debug)]
pub struct OpenApiIndex {
    pub(super) document: Value,
    operations: Vec<Operation>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl OpenApiIndex {
    /// Indexes the operations of `document` (an OpenAPI 3.0 document, as loaded).
    pub fn new(document: &Value) -> Self {
        let mut operations = Vec::new();
        let global_security = document.get("security");
        if let Some(Value::Object(paths)) = document.get("paths") {
            for (path, item) in paths {
                let item_pointer = format!("#/paths/{}", escape_token(path));
                let (item, item_pointer) = resolve(document, item, &item_pointer);
                let item_parameters = item.get("parameters");
                for method in METHODS {
                    let Some(operation) = item.get(method) else {
                        continue;
                    };
                    let pointer = format!("{item_pointer}/{method}");
                    let mut parameters = read_parameters(
                        document,
                        item_parameters,
                        &format!("{item_pointer}/parameters"),
                    );
                    for parameter in read_parameters(
                        document,
                        operation.get("parameters"),
                        &format!("{pointer}/parameters"),
                    ) {
                        parameters.retain(|p: &Parameter| {
                            !(p.name == parameter.name && p.location == parameter.location)
                        });
                        parameters.push(parameter);
                    }
                    let request_body = operation.get("requestBody").map(|body| {
                        read_request_body(document, body, &format!("{pointer}/requestBody"))
                    });
                    let security =
                        read_security(document, operation.get("security").or(global_security));
                    operations.push(Operation {
                        method: method.to_ascii_uppercase(),
                        path: path.clone(),
                        operation_id: operation
                            .get("operationId")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        pointer,
                        parameters,
                        request_body,
                        security,
                    });
                }
            }
        }
        OpenApiIndex {
            document: document.clone(),
            operations,
        }
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this id.
    pub fn operation(&self, operation_id: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| op.operation_id.as_deref() == Some(operation_id))
    }

    /// Finds the operation for a method and a request path (without the query). Literal paths
    /// win over templated ones.
    pub fn find(&self, method: &str, path: &str) -> Lookup<'_> {
        let mut found: Option<Lookup<'_>> = None;
        let mut allowed = Vec::new();
        for operation in &self.operations {
            let Some(captures) = match_template(&operation.path, path) else {
                continue;
            };
            if !operation.method.eq_ignore_ascii_case(method) {
                allowed.push(operation.method.clone());
                continue;
            }
            let better = match &found {
                Some(Lookup::Found {
                    path_parameters, ..
                }) => captures.len() < path_parameters.len(),
                _ => true,
            };
            if better {
                found = Some(Lookup::Found {
                    operation,
                    path_parameters: captures,
                });
            }
        }
        match found {
            Some(found) => found,
            None if !allowed.is_empty() => {
                allowed.sort();
                allowed.dedup();
                Lookup::MethodNotAllowed { allowed }
            }
            None => Lookup::NotFound,
        }
    }
}

/// Whether a media type is JSON (`application/json`, `application/problem+json`, ...).
pub fn is_json(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Follows `$ref`s (to `#/...` locations) from `value`, returning the target and its pointer.
pub fn resolve<'a>(document: &'a Value, value: &'a Value, pointer: &str) -> (&'a Value, String) {
    let mut current = value;
    let mut pointer = pointer.to_owned();
    for _ in 0..32 {
        let Some(target) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(local) = target.strip_prefix('#') else {
            break;
        };
        let Some(next) = document.pointer(local) else {
            break;
        };
        current = next;
        pointer = target.to_owned();
    }
    (current, pointer)
}

fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let template_segments: Vec<&str> = template.split('/').collect();
    let path_segments: Vec<&str> = path.split('/').collect();
    if template_segments.len() != path_segments.len() {
        return None;
    }
    let mut captures = Vec::new();
    for (pattern, segment) in template_segments.iter().zip(&path_segments) {
        if !match_segment(pattern, segment, &mut captures) {
            return None;
        }
    }
    Some(captures)
}

/// Matches one segment of a template, whose placeholders may sit between literals
/// (`{Sid}.json`, `v{major}.{minor}`); each captured value is non-empty.
fn match_segment(pattern: &str, segment: &str, captures: &mut Vec<(String, String)>) -> bool {
    let (mut pattern, mut rest) = (pattern, segment);
    while let Some(open) = pattern.find('{') {
        let Some(after) = rest.strip_prefix(&pattern[..open]) else {
            return false;
        };
        let Some(close) = pattern[open..].find('}').map(|at| open + at) else {
            break;
        };
        let name = &pattern[open + 1..close];
        pattern = &pattern[close + 1..];
        // The value runs to the next literal: to the end for a trailing literal.
        let literal = pattern.split('{').next().unwrap_or_default();
        let end = if literal.len() == pattern.len() {
            after.strip_suffix(literal).map(str::len)
        } else if literal.is_empty() {
            None // two placeholders side by side cannot be told apart
        } else {
            after.find(literal)
        };
        match end {
            Some(end) if end > 0 => {
                captures.push((name.to_owned(), after[..end].to_owned()));
                rest = &after[end..];
            }
            _ => return false,
        }
    }
    pattern == rest
}

fn read_parameters(document: &Value, list: Option<&Value>, pointer: &str) -> Vec<Parameter> {
    let Some(Value::Array(list)) = list else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .filter_map(|(index, parameter)| {
            let (parameter, pointer) = resolve(document, parameter, &format!("{pointer}/{index}"));
            let name = parameter.get("name")?.as_str()?.to_owned();
            let location = ParameterLocation::parse(parameter.get("in")?.as_str()?)?;
            let required = location == ParameterLocation::Path
                || parameter.get("required") == Some(&Value::Bool(true));
            let schema = parameter.get("schema");
            let json_type = schema.and_then(|schema| json_type(document, schema));
            let deep_object = parameter.get("style").and_then(Value::as_str) == Some("deepObject");
            Some(Parameter {
                name,
                location,
                required,
                schema_pointer: schema.map(|_| format!("{pointer}/schema")),
                json_type,
                deep_object,
            })
        })
        .collect()
}

fn json_type(document: &Value, schema: &Value) -> Option<String> {
    let (schema, _) = resolve(document, schema, "");
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        return Some(kind.to_owned());
    }
    ["allOf", "oneOf", "anyOf"].iter().find_map(|key| {
        schema
            .get(*key)?
            .as_array()?
            .iter()
            .find_map(|inner| json_type(document, inner))
    })
}

fn read_request_body(document: &Value, body: &Value, pointer: &str) -> RequestBody {
    let (body, pointer) = resolve(document, body, pointer);
    let content = match body.get("content") {
        Some(Value::Object(content)) => content
            .iter()
            .map(|(media_type, media)| BodyContent {
                media_type: media_type.clone(),
                schema_pointer: media
                    .get("schema")
                    .map(|_| format!("{pointer}/content/{}/schema", escape_token(media_type))),
            })
            .collect(),
        _ => Vec::new(),
    };
    RequestBody {
        required: body.get("required") == Some(&Value::Bool(true)),
        content,
    }
}

fn read_security(document: &Value, security: Option<&Value>) -> Vec<Vec<SecurityScheme>> {
    let Some(Value::Array(alternatives)) = security else {
        return Vec::new();
    };
    alternatives
        .iter()
        .filter_map(Value::as_object)
        .map(|requirement| {
            requirement
                .keys()
                .map(|scheme| read_scheme(document, scheme))
                .collect()
        })
        .collect()
}

fn read_scheme(document: &Value, name: &str) -> SecurityScheme {
    let other = SecurityScheme::Other {
        scheme: name.to_owned(),
    };
    let Some(definition) = document
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(|s| s.get(name))
    else {
        return other;
    };
    let (definition, _) = resolve(document, definition, "");
    let field = |key: &str| definition.get(key).and_then(Value::as_str);
    match (field("type"), field("in"), field("name"), field("scheme")) {
        (Some("apiKey"), Some(location), Some(header), _) => {
            match ParameterLocation::parse(location) {
                Some(location) => SecurityScheme::ApiKey {
                    scheme: name.to_owned(),
                    location,
                    name: header.to_owned(),
                },
                None => other,
            }
        }
        (Some("http"), _, _, Some(scheme)) if scheme.eq_ignore_ascii_case("bearer") => {
            SecurityScheme::Bearer {
                scheme: name.to_owned(),
            }
        }
        _ => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_may_sit_between_literals_in_a_segment() {
        let capture = |template, path| match_template(template, path);
        let pairs = |list: &[(&str, &str)]| {
            let owned = list.iter().map(|(n, v)| (n.to_string(), v.to_string()));
            Some(owned.collect::<Vec<_>>())
        };
        assert_eq!(
            capture("/Accounts/{Sid}.json", "/Accounts/AC12.json"),
            pairs(&[("Sid", "AC12")])
        );
        assert_eq!(
            capture("/v{major}.{minor}/x", "/v1.2/x"),
            pairs(&[("major", "1"), ("minor", "2")])
        );
        assert_eq!(capture("/Accounts/{Sid}.json", "/Accounts/.json"), None);
        assert_eq!(capture("/Accounts/{Sid}.json", "/Accounts/AC12"), None);
        assert_eq!(capture("/{a}{b}", "/xy"), None);
        assert_eq!(capture("/a/{id}", "/a/"), None);
    }

    #[test]
    fn paths_match_literally_before_templates() {
        let index = OpenApiIndex::new(&json!({
            "paths": {
                "/a/{id}": {"get": {"operationId": "byId"}},
                "/a/me": {"get": {"operationId": "me"}, "post": {"operationId": "postMe"}}
            }
        }));
        let found = |method, path| match index.find(method, path) {
            Lookup::Found {
                operation,
                path_parameters,
            } => (operation.name(), path_parameters),
            other => panic!("{other:?}"),
        };
        assert_eq!(found("GET", "/a/me").0, "me");
        assert_eq!(
            found("GET", "/a/7"),
            ("byId".to_owned(), vec![("id".to_owned(), "7".to_owned())])
        );
        assert!(matches!(
            index.find("DELETE", "/a/me"),
            Lookup::MethodNotAllowed { .. }
        ));
        assert!(matches!(index.find("GET", "/b"), Lookup::NotFound));
    }
}
