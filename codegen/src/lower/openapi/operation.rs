//! The operations of a path item: each one's names, parameters, request body, responses
//! and the extensions that shape its methods.

use openapiv3::RequestBody;
use serde_json::{Map, Value};

use super::bodies::lower_body;
use super::document;
use super::params::{lower_params, params_from_body, undeclared_path_params};
use super::read::{parse, target};
use super::responses::lower_responses;
use crate::diag::{Diagnostic, Location};
use crate::ir::{Api, Body, Docs, Operation, Param};
use crate::lower::names::{self, Scope};
use crate::lower::schema::{Types, docs_of};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Names the client modules of the back-ends use beside the call types: the clients, what
/// they import, and the prelude's.
const CLIENT_MODULE_NAMES: &[&str] = &[
    "Client",
    "ApiResponse",
    "Quota",
    "Error",
    "Method",
    "HttpClient",
    "HttpClientBuilder",
    "Bytes",
    "StreamingResponse",
    "RequestOptions",
    "RetryPolicy",
    "ConfigError",
    "AuthScheme",
    "Upload",
    "UploadError",
    "Multipart",
    "FilePart",
    "FormStyle",
    "UploadProgress",
    "ByteSource",
    "IntoFuture",
    "Future",
    "Pin",
    "Send",
    "Sync",
    "Box",
    "Option",
    "Result",
    "Some",
    "None",
    "Ok",
    "Err",
    "String",
    "Vec",
    "BTreeMap",
];

/// The scopes operations are named in, and what is named once every operation has its name.
pub(super) struct Operations {
    /// The client's methods.
    pub(super) methods: Scope,
    /// The call types, beside what the client modules of the back-ends use.
    calls: Scope,
    /// Whether operations without their own `security` are authenticated.
    global_auth: bool,
    /// Operations with `x-upload`: their index and where it is written.
    pub(super) uploads: Vec<(usize, Location)>,
    /// Operations with `x-stream-body: true`.
    pub(super) streams: Vec<usize>,
}

impl Operations {
    pub(super) fn new(global_auth: bool) -> Self {
        let mut methods = Scope::snake();
        for taken in names::CLIENT_METHODS {
            methods.reserve(taken);
        }
        let mut calls = Scope::pascal();
        for used in CLIENT_MODULE_NAMES {
            calls.reserve(used);
        }
        Operations {
            methods,
            calls,
            global_auth,
            uploads: Vec::new(),
            streams: Vec::new(),
        }
    }

    /// Lowers every operation of the path item at `#/paths/<path>` into `api.operations`.
    pub(super) fn path_item(
        &mut self,
        types: &mut Types<'_>,
        api: &mut Api,
        root: &Location,
        path: &str,
    ) {
        let src = types.sources();
        // A path item may be a reference (to `#/components/pathItems/..`, another file).
        let item_loc = match src.follow(&root.join("paths").join(path)) {
            Ok(l) => l,
            Err(d) => {
                types.diags.push(d);
                return;
            }
        };
        let Some(Value::Object(item_value)) = src.get(&item_loc) else {
            types
                .diags
                .push(Diagnostic::error(&item_loc, "expected a path item object"));
            return;
        };
        for method in METHODS {
            if item_value.contains_key(method) {
                self.operation(types, api, path, &item_loc, item_value, method);
            }
        }
    }

    /// Lowers the operation `method` of the path item `item_value` written at `item_loc`.
    fn operation(
        &mut self,
        types: &mut Types<'_>,
        api: &mut Api,
        path: &str,
        item_loc: &Location,
        item_value: &Map<String, Value>,
        method: &str,
    ) {
        let src = types.sources();
        let op_loc = item_loc.join(method);
        let op: document::Operation = match src.parse(&op_loc, "an operation") {
            Ok(op) => op,
            Err(d) => {
                types.diags.push(d);
                return;
            }
        };
        let extension = |key: &str| item_value.get(method).and_then(|op| op.get(key));
        let id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{method} {path}"));
        let name = names::claim_operation_method(&mut self.methods, names::snake(&id, "operation"));
        let pascal = names::pascal(&id, "Op", "Operation");
        let call = self.calls.claim(pascal.clone());
        let authenticated = match &op.security {
            Some(reqs) => !reqs.is_empty(),
            None => self.global_auth,
        };
        let shared = item_value.contains_key("parameters");
        let mut params = operation_params(types, path, item_loc, &op_loc, &pascal, shared);
        let body = request_body(types, &op_loc, &op, &pascal);
        if let Some(map) = extension("x-param-from-body")
            && let Err(d) = params_from_body(types, map, &mut params, body.as_ref())
        {
            types
                .diags
                .push(Diagnostic::error(&op_loc.join("x-param-from-body"), d));
        }
        let responses = lower_responses(types, &op_loc.join("responses"), &op.responses, &pascal);
        let idempotent = extension("x-idempotent").and_then(Value::as_bool);
        if extension("x-upload").is_some() {
            self.uploads
                .push((api.operations.len(), op_loc.join("x-upload")));
        }
        match extension("x-stream-body") {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => self.streams.push(api.operations.len()),
            Some(_) => types.diags.push(Diagnostic::error(
                &op_loc.join("x-stream-body"),
                "expected `true` or `false`",
            )),
        }
        api.operations.push(Operation {
            id,
            name,
            call,
            method: method.to_uppercase(),
            path: path.to_owned(),
            docs: types.docs_at(&op_loc),
            tags: op.tags.clone(),
            params,
            body,
            responses,
            success_headers: None,
            idempotent,
            authenticated,
            upload: None,
            stream_name: None,
            origin: op_loc,
        });
    }
}

/// The operation's parameters: the path item's `shared` ones, its own, then the path's
/// undeclared ones.
fn operation_params(
    types: &mut Types<'_>,
    path: &str,
    item_loc: &Location,
    op_loc: &Location,
    pascal: &str,
    shared: bool,
) -> Vec<Param> {
    let mut params = Vec::new();
    let mut param_scope = Scope::snake();
    // Back-ends pass the request body as `body`.
    param_scope.reserve("body");
    // ... and the call types hold the HTTP client as `http`.
    param_scope.reserve("http");
    if shared {
        lower_params(
            types,
            &item_loc.join("parameters"),
            pascal,
            &mut param_scope,
            &mut params,
        );
    }
    lower_params(
        types,
        &op_loc.join("parameters"),
        pascal,
        &mut param_scope,
        &mut params,
    );
    undeclared_path_params(
        path,
        op_loc,
        &mut param_scope,
        &mut params,
        &mut types.diags,
    );
    params
}

/// The operation's request body, if it has one that can be read.
fn request_body(
    types: &mut Types<'_>,
    op_loc: &Location,
    op: &document::Operation,
    pascal: &str,
) -> Option<Body> {
    let src = types.sources();
    let rb = op.request_body.as_ref()?;
    let loc = op_loc.join("requestBody");
    let rb_loc = target(types, &loc, rb)?;
    let rb: RequestBody = parse(types, &rb_loc, "a request body")?;
    let mut body = lower_body(
        types,
        &rb_loc,
        &rb.content,
        &format!("{pascal}Request"),
        true,
    )?;
    body.required = rb.required;
    // The example sits on the media type; the description and flags on the body.
    body.docs = Docs {
        example: body.docs.example.take(),
        ..docs_of(src.get(&rb_loc), types.flags())
    };
    Some(body)
}
