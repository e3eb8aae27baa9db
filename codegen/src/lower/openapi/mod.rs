//! OpenAPI 3.0 (and 3.1, rewritten to 3.0 spelling) into the IR.

mod document;

use openapiv3::{
    APIKeyLocation, Header as OaHeader, Parameter, ParameterSchemaOrContent, ReferenceOr,
    RequestBody, Response as OaResponse, SecurityScheme as OaScheme, StatusCode,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::forms;
use super::names::{self, Scope};
use super::schema::{Types, docs_of};
use crate::diag::{Diagnostic, Location};
use crate::ir::{
    Api, AuthKind, Body, BodyKind, Constraints, Docs, FormStyle, Header, Operation, Param,
    ParamLocation, Primitive, Response, SecurityScheme, Server, Status, Tag, TypeRef, fields_of,
};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Lowers the root document of `types`' sources into `api`.
pub fn lower(types: &mut Types<'_>, api: &mut Api, root: &Location) -> Result<(), Diagnostic> {
    let src = types.sources();
    let root = root.clone();
    let doc: document::Document = src.parse(&root, "an OpenAPI document")?;
    api.title = doc.info.title.clone();
    api.version = doc.info.version.clone();
    api.description = doc.info.description.clone();
    api.servers = doc
        .servers
        .iter()
        .map(|s| Server {
            url: s.url.clone(),
            description: s.description.clone(),
        })
        .collect();
    api.tags = doc
        .tags
        .iter()
        .map(|t| Tag {
            name: t.name.clone(),
            description: t.description.clone(),
        })
        .collect();
    let components = root.join("components");
    if let Some(c) = &doc.components {
        for (key, scheme) in &c.security_schemes {
            let loc = components.join("securitySchemes").join(key);
            if let Some(s) = resolve::<OaScheme>(types, &loc, scheme, "a security scheme") {
                api.security.push(security_scheme(key, &s));
            }
        }
        // Every component schema becomes a type, used or not.
        for key in c.schemas.keys() {
            let loc = components.join("schemas").join(key);
            types.lower_named(&loc, key);
        }
    }
    let global_auth = doc.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut op_names = Scope::snake();
    for taken in names::CLIENT_METHODS {
        op_names.reserve(taken);
    }
    let mut call_names = Scope::pascal();
    for used in CLIENT_MODULE_NAMES {
        call_names.reserve(used);
    }
    let mut uploads = Vec::new();
    let mut streams = Vec::new();
    for path in doc.paths.keys().filter(|p| p.starts_with('/')) {
        // A path item may be a reference (to `#/components/pathItems/..`, another file).
        let item_loc = match src.follow(&root.join("paths").join(path)) {
            Ok(l) => l,
            Err(d) => {
                types.diags.push(d);
                continue;
            }
        };
        let Some(Value::Object(item_value)) = src.get(&item_loc) else {
            types
                .diags
                .push(Diagnostic::error(&item_loc, "expected a path item object"));
            continue;
        };
        let shared = item_value.get("parameters").cloned();
        for method in METHODS {
            if !item_value.contains_key(method) {
                continue;
            }
            let op_loc = item_loc.join(method);
            let op: document::Operation = match src.parse(&op_loc, "an operation") {
                Ok(op) => op,
                Err(d) => {
                    types.diags.push(d);
                    continue;
                }
            };
            let extension = |key: &str| item_value.get(method).and_then(|op| op.get(key));
            let id = op
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{method} {path}"));
            let name = names::claim_operation_method(&mut op_names, names::snake(&id, "operation"));
            let pascal = names::pascal(&id, "Op", "Operation");
            let call = call_names.claim(pascal.clone());
            let authenticated = match &op.security {
                Some(reqs) => !reqs.is_empty(),
                None => global_auth,
            };
            let mut params = Vec::new();
            let mut param_scope = Scope::snake();
            // Back-ends pass the request body as `body`.
            param_scope.reserve("body");
            // ... and the call types hold the client as `client`.
            param_scope.reserve("client");
            if shared.is_some() {
                lower_params(
                    types,
                    &item_loc.join("parameters"),
                    &pascal,
                    &mut param_scope,
                    &mut params,
                );
            }
            lower_params(
                types,
                &op_loc.join("parameters"),
                &pascal,
                &mut param_scope,
                &mut params,
            );
            undeclared_path_params(
                path,
                &op_loc,
                &mut param_scope,
                &mut params,
                &mut types.diags,
            );
            let body = op.request_body.as_ref().and_then(|rb| {
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
            });
            if let Some(map) = extension("x-param-from-body")
                && let Err(d) = params_from_body(types, map, &mut params, body.as_ref())
            {
                types
                    .diags
                    .push(Diagnostic::error(&op_loc.join("x-param-from-body"), d));
            }
            let responses =
                lower_responses(types, &op_loc.join("responses"), &op.responses, &pascal);
            let idempotent = extension("x-idempotent").and_then(Value::as_bool);
            if extension("x-upload").is_some() {
                uploads.push((api.operations.len(), op_loc.join("x-upload")));
            }
            match extension("x-stream-body") {
                None | Some(Value::Bool(false)) => {}
                Some(Value::Bool(true)) => streams.push(api.operations.len()),
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
                path: path.clone(),
                docs: types.docs_at(&op_loc),
                tags: op.tags.clone(),
                params,
                body,
                responses,
                idempotent,
                authenticated,
                upload: None,
                stream_name: None,
                origin: op_loc,
            });
        }
    }
    // Named once every operation has its name, so that a clash gets a suffix.
    for index in streams {
        let op = &api.operations[index];
        let has_body = op
            .responses
            .iter()
            .any(|r| r.status.is_success() && r.body.is_some());
        if !has_body {
            types.diags.push(Diagnostic::warning(
                &op.origin.join("x-stream-body"),
                "the operation's success response has no body to stream; `x-stream-body` is ignored",
            ));
            continue;
        }
        let name = op_names.claim(format!("{}_streaming", op.name));
        api.operations[index].stream_name = Some(name);
    }
    for (index, at) in uploads {
        match upload_flow(types, api, &at) {
            Ok(mut flow) => {
                flow.name = op_names.claim(flow.name);
                api.operations[index].upload = Some(flow);
            }
            Err(d) => types.diags.push(d),
        }
    }
    Ok(())
}

/// Reads `x-param-from-body: {<parameter>: <body member>}`: each parameter's value is the
/// body member's, so that the caller names it once. The member must be a required,
/// non-nullable member of the required JSON body, of the parameter's type.
fn params_from_body(
    types: &Types<'_>,
    map: &Value,
    params: &mut [Param],
    body: Option<&Body>,
) -> Result<(), String> {
    let Value::Object(map) = map else {
        return Err("expected a map from parameter names to body member names".into());
    };
    let Some(body) = body.filter(|b| b.required && b.kind == BodyKind::Json) else {
        return Err("the operation has no required JSON body to take parameters from".into());
    };
    let Some(fields) = fields_of(&types.defs, &body.ty) else {
        return Err("the body is not an object".into());
    };
    for (wire, member) in map {
        let Some(member) = member.as_str() else {
            return Err(format!("`{wire}`: expected the name of a body member"));
        };
        let Some(param) = params.iter_mut().find(|p| &p.wire == wire) else {
            return Err(format!("the operation has no parameter `{wire}`"));
        };
        let Some(field) = fields.iter().find(|f| f.wire == member && !f.flatten) else {
            return Err(format!("`{wire}`: the body has no member `{member}`"));
        };
        if !field.required || field.nullable {
            return Err(format!(
                "`{wire}`: the body member `{member}` must be required and not nullable"
            ));
        }
        if field.ty != param.ty {
            return Err(format!(
                "`{wire}`: the body member `{member}` is not of the parameter's type"
            ));
        }
        param.from_body = Some(field.name.clone());
    }
    Ok(())
}

/// Names the client modules of the back-ends use beside the call types: the clients, what
/// they import, and the prelude's.
const CLIENT_MODULE_NAMES: &[&str] = &[
    "Client",
    "ApiResponse",
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

/// Reads `x-upload: {name?, url, ticket, then}`.
fn upload_flow(
    types: &Types<'_>,
    api: &Api,
    at: &Location,
) -> Result<crate::ir::UploadFlow, Diagnostic> {
    #[derive(serde::Deserialize)]
    struct Raw {
        name: Option<String>,
        url: String,
        ticket: String,
        then: String,
    }
    let raw: Raw = types
        .sources()
        .parse(at, "`x-upload: {url, ticket, then}`")?;
    let then = api
        .operations
        .iter()
        .position(|op| op.id == raw.then)
        .ok_or_else(|| {
            Diagnostic::error(
                &at.join("then"),
                format!("no operation has the id `{}`", raw.then),
            )
        })?;
    Ok(crate::ir::UploadFlow {
        name: names::snake(raw.name.as_deref().unwrap_or("upload"), "upload"),
        url: raw.url,
        ticket: raw.ticket,
        then,
    })
}

fn security_scheme(key: &str, s: &OaScheme) -> SecurityScheme {
    let (kind, description) = match s {
        OaScheme::APIKey {
            location,
            name,
            description,
            ..
        } => (
            AuthKind::ApiKey {
                location: match location {
                    APIKeyLocation::Header => ParamLocation::Header,
                    APIKeyLocation::Query => ParamLocation::Query,
                    APIKeyLocation::Cookie => ParamLocation::Cookie,
                },
                name: name.clone(),
            },
            description.clone(),
        ),
        OaScheme::HTTP {
            scheme,
            description,
            ..
        } => (
            match scheme.to_ascii_lowercase().as_str() {
                "bearer" => AuthKind::Bearer,
                "basic" => AuthKind::Basic,
                other => AuthKind::Other(format!("http {other}")),
            },
            description.clone(),
        ),
        OaScheme::OAuth2 { description, .. } => {
            (AuthKind::Other("oauth2".into()), description.clone())
        }
        OaScheme::OpenIDConnect { description, .. } => {
            (AuthKind::Other("openIdConnect".into()), description.clone())
        }
    };
    SecurityScheme {
        key: key.to_owned(),
        kind,
        description,
    }
}

/// The location of an item written inline or through `$ref`.
fn target<T>(types: &mut Types<'_>, loc: &Location, item: &ReferenceOr<T>) -> Option<Location> {
    match item {
        ReferenceOr::Item(_) => Some(loc.clone()),
        ReferenceOr::Reference { reference } => {
            match types
                .sources()
                .resolve(&loc.join("$ref"), reference)
                .and_then(|l| types.sources().follow(&l))
            {
                Ok(l) => Some(l),
                Err(d) => {
                    types.diags.push(d);
                    None
                }
            }
        }
    }
}

fn parse<T: DeserializeOwned>(types: &mut Types<'_>, loc: &Location, what: &str) -> Option<T> {
    match types.sources().parse(loc, what) {
        Ok(v) => Some(v),
        Err(d) => {
            types.diags.push(d);
            None
        }
    }
}

fn resolve<T: DeserializeOwned>(
    types: &mut Types<'_>,
    loc: &Location,
    item: &ReferenceOr<T>,
    what: &str,
) -> Option<T> {
    let at = target(types, loc, item)?;
    parse(types, &at, what)
}

fn lower_params(
    types: &mut Types<'_>,
    list: &Location,
    op: &str,
    scope: &mut Scope,
    out: &mut Vec<Param>,
) {
    let Some(Value::Array(items)) = types.sources().get(list) else {
        return;
    };
    for i in 0..items.len() {
        let loc = list.join(i);
        let Ok(at) = types
            .sources()
            .follow(&loc)
            .map_err(|d| types.diags.push(d))
        else {
            continue;
        };
        let Some(p) = parse::<Parameter>(types, &at, "a parameter") else {
            continue;
        };
        let location = match &p {
            Parameter::Path { .. } => ParamLocation::Path,
            Parameter::Query { .. } => ParamLocation::Query,
            Parameter::Header { .. } => ParamLocation::Header,
            Parameter::Cookie { .. } => ParamLocation::Cookie,
        };
        let data = p.parameter_data_ref();
        // OpenAPI has these three headers ignored: the media types and the security schemes
        // say what goes in them.
        if location == ParamLocation::Header
            && ["accept", "content-type", "authorization"]
                .iter()
                .any(|h| data.name.eq_ignore_ascii_case(h))
        {
            continue;
        }
        let style = match &p {
            Parameter::Query { style, .. } => query_style(style, data.explode),
            _ => None,
        };
        let hint = format!("{op}{}", names::pascal(&data.name, "", "Param"));
        let ty = match &data.format {
            ParameterSchemaOrContent::Schema(_) => types.lower_at(&at.join("schema"), &hint),
            ParameterSchemaOrContent::Content(_) => TypeRef::Any,
        };
        let ty = match ty {
            TypeRef::Nullable(inner) => *inner,
            other => other,
        };
        // An operation's parameter replaces a path item's one of the same name and place.
        if let Some(existing) = out
            .iter_mut()
            .find(|x| x.wire == data.name && x.location == location)
        {
            existing.ty = ty;
            existing.required = data.required || location == ParamLocation::Path;
            existing.docs = types.docs_at(&at);
            existing.default = types.default_at(&at.join("schema"));
            existing.style = style;
            existing.constraints = types.constraints(&at.join("schema"));
            continue;
        }
        out.push(Param {
            from_body: None,
            wire: data.name.clone(),
            name: scope.claim(names::snake(&data.name, "param")),
            location,
            ty,
            required: data.required || location == ParamLocation::Path,
            docs: types.docs_at(&at),
            default: types.default_at(&at.join("schema")),
            style,
            constraints: types.constraints(&at.join("schema")),
        });
    }
}

/// The `{name}`s of `path` that no parameter declares: each a required string, with a
/// warning (the document is wrong, but the request can still be made).
fn undeclared_path_params(
    path: &str,
    op_loc: &Location,
    scope: &mut Scope,
    params: &mut Vec<Param>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else {
            return;
        };
        let wire = &rest[open + 1..close];
        rest = &rest[close + 1..];
        let declared = params
            .iter()
            .any(|p| p.location == ParamLocation::Path && p.wire == wire);
        if declared || wire.is_empty() {
            continue;
        }
        diags.push(Diagnostic::warning(
            &op_loc.join("parameters"),
            format!("the path uses `{{{wire}}}` but declares no such parameter; it is taken as a required string"),
        ));
        params.push(Param {
            from_body: None,
            wire: wire.to_owned(),
            name: scope.claim(names::snake(wire, "param")),
            location: ParamLocation::Path,
            ty: TypeRef::Primitive(Primitive::String),
            required: true,
            docs: Docs::default(),
            default: None,
            style: None,
            constraints: Constraints::default(),
        });
    }
}

/// A query parameter's `style` and `explode`, unless they are the default (`form`,
/// exploded); exploded, the delimited styles repeat the field as `form` does.
fn query_style(style: &openapiv3::QueryStyle, explode: Option<bool>) -> Option<FormStyle> {
    use openapiv3::QueryStyle;
    let exploded = explode.unwrap_or(matches!(style, QueryStyle::Form));
    match style {
        QueryStyle::DeepObject => Some(FormStyle::DeepObject),
        _ if exploded => None,
        QueryStyle::Form => Some(FormStyle::Comma),
        QueryStyle::SpaceDelimited => Some(FormStyle::Space),
        QueryStyle::PipeDelimited => Some(FormStyle::Pipe),
    }
}

/// Picks the media type the client will use and lowers its schema: JSON first, then a form,
/// text, other types, and multipart last. A `request` body's multipart object becomes typed
/// parts; anything else of a type the client cannot encode is sent as raw bytes.
fn lower_body(
    types: &mut Types<'_>,
    loc: &Location,
    content: &indexmap::IndexMap<String, openapiv3::MediaType>,
    hint: &str,
    request: bool,
) -> Option<Body> {
    let rank = |m: &str| -> u8 {
        let m = m.to_ascii_lowercase();
        if m == "application/json" {
            0
        } else if m.ends_with("+json") || m.contains("/json") {
            1
        } else if m == "application/x-www-form-urlencoded" {
            2
        } else if m.starts_with("text/") {
            3
        } else if m.starts_with("multipart/") {
            5
        } else {
            4
        }
    };
    let (media, mt) = content.iter().min_by_key(|(m, _)| rank(m))?;
    let mloc = loc.join("content").join(media);
    let mut kind = match rank(media) {
        0 | 1 => BodyKind::Json,
        2 => BodyKind::Form,
        3 => BodyKind::Text,
        5 if request && media.eq_ignore_ascii_case("multipart/form-data") => BodyKind::Multipart,
        _ => BodyKind::Binary,
    };
    let ty = match (&mt.schema, kind) {
        (Some(_), BodyKind::Json | BodyKind::Form | BodyKind::Multipart) => {
            types.lower_at(&mloc.join("schema"), hint)
        }
        (_, BodyKind::Text) => TypeRef::Primitive(Primitive::String),
        (None, BodyKind::Multipart) | (_, BodyKind::Binary) => {
            TypeRef::Primitive(Primitive::Binary)
        }
        (None, _) => TypeRef::Any,
    };
    let ty = if kind == BodyKind::Multipart && fields_of(&types.defs, &ty).is_none() {
        kind = BodyKind::Binary;
        TypeRef::Primitive(Primitive::Binary)
    } else {
        ty
    };
    if rank(media) == 5 && kind == BodyKind::Binary {
        let message = if request {
            format!(
                "`{media}` bodies without an object schema are sent as raw bytes: the caller \
                 encodes the parts"
            )
        } else {
            format!("`{media}` responses are returned as raw bytes")
        };
        types.diags.push(Diagnostic::warning(&mloc, message));
    }
    let encoding = match kind {
        BodyKind::Form | BodyKind::Multipart => forms::encodings(types, &mloc),
        _ => Vec::new(),
    };
    let docs = Docs {
        example: media_example(types, &mloc),
        ..Docs::default()
    };
    Some(Body {
        media_type: media.clone(),
        kind,
        ty,
        required: true,
        docs,
        encoding,
    })
}

/// A media type's example: its `example`, or the value of the first of its `examples`
/// (through a `$ref` to `components/examples`).
fn media_example(types: &mut Types<'_>, mloc: &Location) -> Option<Value> {
    let media = types.sources().get(mloc)?;
    if let Some(example) = media.get("example") {
        return Some(example.clone());
    }
    let (name, _) = media.get("examples")?.as_object()?.iter().next()?;
    let at = mloc.join("examples").join(name);
    let at = types
        .sources()
        .follow(&at)
        .map_err(|d| types.diags.push(d))
        .ok()?;
    types.sources().get(&at)?.get("value").cloned()
}

fn lower_responses(
    types: &mut Types<'_>,
    loc: &Location,
    responses: &openapiv3::Responses,
    op: &str,
) -> Vec<Response> {
    let mut out = Vec::new();
    let entries = responses
        .responses
        .iter()
        .map(|(code, r)| match code {
            StatusCode::Code(c) => (Status::Code(*c), c.to_string(), r),
            StatusCode::Range(r0) => (Status::Range(*r0), format!("{r0}XX"), r),
        })
        .chain(
            responses
                .default
                .iter()
                .map(|r| (Status::Default, "default".to_owned(), r)),
        );
    for (status, key, r) in entries {
        let rloc = loc.join(&key);
        let Some(at) = target(types, &rloc, r) else {
            continue;
        };
        let Some(resp) = parse::<OaResponse>(types, &at, "a response") else {
            continue;
        };
        let hint = match status {
            Status::Code(200) | Status::Code(201) => format!("{op}Response"),
            Status::Default => format!("{op}DefaultResponse"),
            _ => format!("{op}Response{key}"),
        };
        // HTTP gives these statuses no body, whatever the description says.
        let body = match status {
            Status::Code(204 | 205 | 304) => {
                if !resp.content.is_empty() {
                    types.diags.push(Diagnostic::warning(
                        &at.join("content"),
                        format!("a `{key}` response has no body in HTTP: its content is ignored"),
                    ));
                }
                None
            }
            _ => lower_body(types, &at, &resp.content, &hint, false),
        };
        let mut headers = Vec::new();
        let mut scope = Scope::snake();
        for (name, h) in &resp.headers {
            let hloc = at.join("headers").join(name);
            let Some(hat) = target(types, &hloc, h) else {
                continue;
            };
            let Some(header) = parse::<OaHeader>(types, &hat, "a header") else {
                continue;
            };
            let ty = match header.format {
                ParameterSchemaOrContent::Schema(_) => {
                    types.lower_at(&hat.join("schema"), &names::pascal(name, "", "Header"))
                }
                ParameterSchemaOrContent::Content(_) => TypeRef::Any,
            };
            headers.push(Header {
                wire: name.clone(),
                name: scope.claim(names::snake(name, "header")),
                ty,
                required: header.required,
                docs: types.docs_at(&hat),
            });
        }
        out.push(Response {
            status,
            docs: types.docs_at(&at),
            body,
            headers,
        });
    }
    out
}
