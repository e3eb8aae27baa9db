//! The operations of an OpenAPI 3.0 document, indexed for a server that has to judge requests:
//! method and path matching, parameters, request bodies, security and response examples, with
//! every `$ref` to a component (parameters, request bodies, responses, examples) followed.
//!
//! This module holds the index and its lookups; the model of an `operation` is in its
//! module, `read` reads its parts from the document and `paths` matches path templates.

pub(super) mod operation;
mod paths;
pub(super) mod read;

use serde_json::Value;

use self::operation::{Operation, Parameter};
use self::paths::match_template;
use self::read::{read_parameters, read_request_body, read_security, resolve};
use super::schema::escape_token;

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
        if let Some(Value::Object(paths)) = document.get("paths") {
            for (path, item) in paths {
                let item_pointer = format!("#/paths/{}", escape_token(path));
                let (item, item_pointer) = resolve(document, item, &item_pointer);
                for method in METHODS {
                    if let Some(operation) = item.get(method) {
                        operations.push(read_operation(
                            document,
                            path,
                            item,
                            &item_pointer,
                            method,
                            operation,
                        ));
                    }
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

/// The operation `method` of the path item `item` (at `item_pointer`): its parameters
/// (its own replacing the path item's of the same name and location), request body and
/// security (the document's when it has none).
fn read_operation(
    document: &Value,
    path: &str,
    item: &Value,
    item_pointer: &str,
    method: &str,
    operation: &Value,
) -> Operation {
    let pointer = format!("{item_pointer}/{method}");
    let mut parameters = read_parameters(
        document,
        item.get("parameters"),
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
    let request_body = operation
        .get("requestBody")
        .map(|body| read_request_body(document, body, &format!("{pointer}/requestBody")));
    let security = read_security(
        document,
        operation.get("security").or(document.get("security")),
    );
    Operation {
        method: method.to_ascii_uppercase(),
        path: path.to_owned(),
        operation_id: operation
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned),
        pointer,
        parameters,
        request_body,
        security,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
