//! The REST client: one async method per operation, calling into the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::RustConfig;
use super::docs;
use super::ident::ident;
use super::types::{Paths, ty};
use crate::diag::Diagnostic;
use crate::ir::{
    Api, AuthKind, Body, BodyKind, Operation, Param, ParamLocation, Primitive, Status, TypeRef,
};

/// Client methods that operations must not shadow.
const RESERVED: &[&str] = &["new", "from_env", "builder", "from_http", "http"];

/// The client module; `blocking` gives the synchronous variant (same methods, no `async`).
pub fn module(
    api: &Api,
    config: &RustConfig,
    rt: &TokenStream,
    blocking: bool,
) -> Result<TokenStream, Diagnostic> {
    let p = Paths {
        types: quote!(types::),
        runtime: rt.clone(),
    };
    let auth = auth_scheme(api);
    let default_base = api
        .servers
        .first()
        .map(|s| s.url.trim_end_matches('/').to_owned())
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let title = if blocking {
        format!(
            "A blocking client for {} {}, for programs without an async runtime. It runs \
             each call on a runtime of its own; do not use it from async code.",
            api.title, api.version
        )
    } else {
        format!("A client for {} {}.", api.title, api.version)
    };
    let build = if blocking {
        quote!(build_blocking)
    } else {
        quote!(build)
    };
    let mut head = vec![title];
    if let Some(base) = &default_base {
        head.push(format!("Talks to `{base}` unless told otherwise."));
    }
    let struct_doc = docs::lines(&head.join("\n\n"));
    let base_const = default_base.as_ref().map(|base| {
        quote! {
            /// The base URL of the API's first server.
            pub const DEFAULT_BASE_URL: &'static str = #base;
        }
    });
    let prefix = config.env_prefix.clone();
    let (constructors, env_consts) = match &auth {
        Some((scheme, described)) => {
            let auth_doc = docs::lines(&format!("How requests carry the API key: {described}."));
            let key_env = format!("{prefix}_API_KEY");
            let base_env = format!("{prefix}_BASE_URL");
            let from_env = default_base.as_ref().map(|_| {
                let doc = docs::lines(&format!(
                    "A client configured from the environment: the key from `{key_env}`, the base URL \
                     from `{base_env}` (default [`Self::DEFAULT_BASE_URL`](Self::DEFAULT_BASE_URL))."
                ));
                quote! {
                    #doc
                    pub fn from_env() -> Result<Self, ConfigError> {
                        let http = HttpClient::from_env(Self::API_KEY_ENV, Self::BASE_URL_ENV, Self::DEFAULT_BASE_URL, Self::AUTH)?;
                        Ok(Self::from_http(http.with_options(RequestOptions::new().retry(RetryPolicy::default()))))
                    }
                }
            });
            let key_doc = docs::lines(&format!(
                "The environment variable holding the API key: `{key_env}`."
            ));
            let base_doc = docs::lines(&format!(
                "The environment variable that overrides the base URL: `{base_env}`."
            ));
            (
                quote! {
                    /// A client for `base_url` that authenticates with `api_key`.
                    pub fn new(base_url: &str, api_key: impl Into<ApiKey>) -> Result<Self, ConfigError> {
                        Self::builder(base_url).api_key(api_key).#build().map(Self::from_http)
                    }

                    #from_env

                    /// A builder for a client with custom settings (retries, timeouts, a rate
                    /// limiter, hooks, your own `reqwest::Client`), with this API's
                    /// authentication and the default retry policy set: three attempts with
                    /// jittered backoff on connection errors, 408, 429 and 5xx, `Retry-After`
                    /// honoured up to a cap; apart from a 429 (not processed), only safe
                    /// operations are retried once a request may have reached the server.
                    /// Finish it with [`Client::from_http`].
                    pub fn builder(base_url: &str) -> HttpClientBuilder {
                        autessa_runtime::HttpClient::builder(base_url)
                            .auth(Self::AUTH)
                            .retry(RetryPolicy::default())
                    }
                },
                quote! {
                    #auth_doc
                    pub const AUTH: AuthScheme = #scheme;
                    #key_doc
                    pub const API_KEY_ENV: &'static str = #key_env;
                    #base_doc
                    pub const BASE_URL_ENV: &'static str = #base_env;
                },
            )
        }
        None => (
            quote! {
                /// A client for `base_url`.
                pub fn new(base_url: &str) -> Result<Self, ConfigError> {
                    Self::builder(base_url).#build().map(Self::from_http)
                }

                /// A builder for a client with custom settings and the default retry policy.
                /// Finish it with [`Client::from_http`].
                pub fn builder(base_url: &str) -> HttpClientBuilder {
                    autessa_runtime::HttpClient::builder(base_url).retry(RetryPolicy::default())
                }
            },
            TokenStream::new(),
        ),
    };
    let mut methods = Vec::new();
    for op in &api.operations {
        methods.push(operation(api, op, &p, blocking)?);
        if let Some(flow) = &op.upload {
            methods.push(upload_method(api, op, flow, &p, blocking)?);
        }
    }
    let body = quote! {
        #struct_doc
        #[derive(Clone, Debug)]
        pub struct Client {
            http: HttpClient,
        }

        impl Client {
            #base_const
            #env_consts
            #constructors

            /// Wraps an already configured HTTP client.
            pub fn from_http(http: HttpClient) -> Self {
                Self { http }
            }

            /// The HTTP client underneath.
            pub fn http(&self) -> &HttpClient {
                &self.http
            }

            /// A copy of this client whose calls use other settings (timeouts, deadline,
            /// retries); it shares the connection pool and the key.
            pub fn with_options(&self, options: RequestOptions) -> Self {
                Self::from_http(self.http.with_options(options))
            }

            #(#methods)*
        }
    };
    // The two names each flavour takes from its own module (`autessa_runtime::blocking` for
    // the blocking one).
    let flavour = if blocking {
        quote!(autessa_runtime::blocking)
    } else {
        rt.clone()
    };
    let http = super::imports(flavour, &["HttpClient", "StreamingResponse"], &body);
    let shared = [
        "path_segment",
        "ApiKey",
        "ApiResponse",
        "AuthScheme",
        "Bytes",
        "ConfigError",
        "Error",
        "HttpClientBuilder",
        "Method",
        "RequestOptions",
        "RetryPolicy",
        "Upload",
        "UploadError",
    ];
    let runtime = super::imports(rt.clone(), &shared, &body);
    let types = super::imports(quote!(crate), &["types"], &body);
    Ok(quote! {
        #runtime
        #http
        #types

        #body
    })
}

/// The runtime's auth scheme for the first scheme the client can apply, and its wording.
fn auth_scheme(api: &Api) -> Option<(TokenStream, String)> {
    api.security.iter().find_map(|s| match &s.kind {
        AuthKind::ApiKey {
            location: ParamLocation::Header,
            name,
        } => Some((
            quote!(AuthScheme::Header { name: #name, prefix: "" }),
            format!("the raw key in the `{name}` header"),
        )),
        AuthKind::ApiKey {
            location: ParamLocation::Query,
            name,
        } => Some((
            quote!(AuthScheme::Query { name: #name }),
            format!("the key in the `{name}` query parameter"),
        )),
        AuthKind::Bearer => Some((
            quote!(AuthScheme::Header {
                name: "Authorization",
                prefix: "Bearer "
            }),
            "`Authorization: Bearer <key>`".to_owned(),
        )),
        _ => None,
    })
}

fn operation(
    api: &Api,
    op: &Operation,
    p: &Paths,
    blocking: bool,
) -> Result<TokenStream, Diagnostic> {
    let asyncness = (!blocking).then(|| quote!(async));
    let wait = (!blocking).then(|| quote!(.await));
    let name = if RESERVED.contains(&op.name.as_str()) {
        ident(&format!("{}_operation", op.name))
    } else {
        ident(&op.name)
    };
    let mut args = Vec::new();
    let mut calls = Vec::new();
    let ordered = op.params_in_call_order();
    for param in &ordered {
        let arg = ident(&param.name);
        let arg_ty = param_type(api, param, p);
        args.push(quote!(#arg: #arg_ty));
        let wire = &param.wire;
        match param.location {
            ParamLocation::Query => calls.push(quote!(.query(#wire, &#arg))),
            ParamLocation::Header => calls.push(quote!(.header(#wire, &#arg))),
            ParamLocation::Path | ParamLocation::Cookie => {}
        }
    }
    let (segments, path) = path_expr(op)?;
    let mut optional_body = None;
    let body_call = op.body.as_ref().and_then(|body| {
        let (arg_ty, call) = body_arg(api, body, p);
        args.push(quote!(body: #arg_ty));
        if body.required {
            Some(call)
        } else {
            optional_body = Some(quote! {
                if let Some(body) = body {
                    request = request #call;
                }
            });
            None
        }
    });
    let method = proc_macro2::Ident::new(&op.method, proc_macro2::Span::call_site());
    let op_id = &op.id;
    let (send, success, error) = response_types(api, op, p);
    let doc = docs::lines(&method_doc(api, op));
    let auth = (!op.authenticated).then(|| quote!(.without_auth()));
    let idempotent = op.is_idempotent().then(|| quote!(.idempotent()));
    let mutable = optional_body.is_some().then(|| quote!(mut));
    let build = quote! {
        #segments
        let #mutable request = self
            .http
            .request(Method::#method, #op_id, #path)
            #(#calls)*
            #body_call
            #idempotent
            #auth;
        #optional_body
    };
    let streaming = op.stream_name.as_ref().map(|stream_name| {
        let doc = docs::lines(&stream_doc(op, &name.to_string(), blocking));
        let stream_name = ident(stream_name);
        quote! {
            #doc
            pub #asyncness fn #stream_name(&self, #(#args),*) -> Result<StreamingResponse<#error>, Error<#error>> {
                #build
                self.http.send_streaming(request) #wait
            }
        }
    });
    Ok(quote! {
        #doc
        pub #asyncness fn #name(&self, #(#args),*) -> Result<ApiResponse<#success>, Error<#error>> {
            #build
            self.http.#send(request) #wait
        }

        #streaming
    })
}

/// The documentation of the streaming twin of `op` (`x-stream-body`), whose decoding method
/// is `decoding`.
fn stream_doc(op: &Operation, decoding: &str, blocking: bool) -> String {
    let summary = op
        .docs
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(op.id.as_str());
    let body = if blocking {
        "a reader ([`Read`](std::io::Read)) that is also an iterator of chunks"
    } else {
        "a [`ByteStream`](autessa_runtime::ByteStream) of chunks as they arrive"
    };
    format!(
        "{summary}, with the body as it arrives.\n\n\
         As [`{decoding}`](Self::{decoding}), but a 2xx body is not decoded: it comes as {body}, \
         for results too large to hold in memory at once. An error status is read whole and \
         decoded as for `{decoding}`. Retries happen only before a 2xx response starts; the \
         timeout and the deadline go on covering the body.\n\n\
         `{} {}` (operation `{}`).",
        op.method,
        op.path,
        op.id.replace('`', "'")
    )
}

fn param_type(api: &Api, param: &Param, p: &Paths) -> TokenStream {
    let base = match &param.ty {
        TypeRef::Primitive(Primitive::String | Primitive::Uri | Primitive::Binary) => quote!(&str),
        TypeRef::Array(item) => {
            let item = ty(item, api, p);
            quote!(&[#item])
        }
        t @ TypeRef::Primitive(
            Primitive::Boolean
            | Primitive::I32
            | Primitive::I64
            | Primitive::U64
            | Primitive::F32
            | Primitive::F64,
        ) => ty(t, api, p),
        other => {
            let t = ty(other, api, p);
            quote!(&#t)
        }
    };
    if param.required {
        base
    } else {
        quote!(Option<#base>)
    }
}

/// The request path, with each path parameter percent-encoded into its segment.
/// The request path: `let` statements percent-encoding each path parameter, then the
/// path expression using them.
fn path_expr(op: &Operation) -> Result<(TokenStream, TokenStream), Diagnostic> {
    let mut format = String::new();
    let mut lets = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else {
            return Err(Diagnostic::error(
                &op.origin,
                format!("path `{}` has an unclosed `{{`", op.path),
            ));
        };
        format.push_str(&rest[..open].replace('}', "}}"));
        let wire = &rest[open + 1..close];
        let Some(param) = op
            .params
            .iter()
            .find(|x| x.location == ParamLocation::Path && x.wire == wire)
        else {
            return Err(Diagnostic::error(
                &op.origin,
                format!(
                    "path `{}` uses `{{{wire}}}` but the operation declares no path parameter `{wire}`",
                    op.path
                ),
            ));
        };
        let arg = ident(&param.name);
        let segment = format!("{}_segment", param.name);
        format.push_str(&format!("{{{segment}}}"));
        let segment = ident(&segment);
        lets.push(quote!(let #segment = path_segment(&#arg);));
        rest = &rest[close + 1..];
    }
    format.push_str(&rest.replace('}', "}}"));
    if lets.is_empty() {
        let literal = &op.path;
        Ok((TokenStream::new(), quote!(#literal)))
    } else {
        Ok((quote!(#(#lets)*), quote!(format!(#format))))
    }
}

fn body_arg(api: &Api, body: &Body, p: &Paths) -> (TokenStream, TokenStream) {
    let media = &body.media_type;
    match body.kind {
        BodyKind::Json | BodyKind::Form => {
            let t = ty(&body.ty, api, p);
            let method = if body.kind == BodyKind::Json {
                quote!(json)
            } else {
                quote!(form)
            };
            let arg = if body.required {
                quote!(&#t)
            } else {
                quote!(Option<&#t>)
            };
            (arg, quote!(.#method(body)))
        }
        BodyKind::Binary | BodyKind::Text => {
            let arg = if body.required {
                quote!(impl Into<Bytes>)
            } else {
                quote!(Option<Bytes>)
            };
            (arg, quote!(.bytes(#media, body)))
        }
    }
}

/// The runtime send method, the success type and the error body type.
fn response_types(api: &Api, op: &Operation, p: &Paths) -> (TokenStream, TokenStream, TokenStream) {
    let success: Vec<&crate::ir::Response> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    let failure: Vec<&crate::ir::Response> = op
        .responses
        .iter()
        .filter(|r| !r.status.is_success())
        .collect();
    let success = if success.is_empty() {
        op.responses
            .iter()
            .filter(|r| r.status == Status::Default)
            .collect()
    } else {
        success
    };
    let json_type = |rs: &[&crate::ir::Response]| -> Option<TypeRef> {
        let mut types = rs
            .iter()
            .filter_map(|r| r.body.as_ref())
            .filter(|b| b.kind == BodyKind::Json)
            .map(|b| &b.ty);
        let first = types.next()?.clone();
        Some(if types.all(|t| *t == first) {
            first
        } else {
            TypeRef::Any
        })
    };
    let error = match json_type(&failure) {
        Some(t) => ty(&t, api, p),
        None => quote!(serde_json::Value),
    };
    let bodies: Vec<&Body> = success.iter().filter_map(|r| r.body.as_ref()).collect();
    if bodies.is_empty() {
        return (quote!(send_empty), quote!(()), error);
    }
    if bodies.iter().all(|b| b.kind == BodyKind::Json) {
        let t = json_type(&success).unwrap_or(TypeRef::Any);
        return (quote!(send_json), ty(&t, api, p), error);
    }
    (quote!(send_bytes), quote!(Bytes), error)
}

fn method_doc(api: &Api, op: &Operation) -> String {
    let mut parts = Vec::new();
    let mut head = String::new();
    if let Some(s) = &op.docs.summary {
        head.push_str(s.trim());
    }
    if let Some(d) = &op.docs.description
        && op.docs.summary.as_deref().map(str::trim) != Some(d.trim())
    {
        if !head.is_empty() {
            head.push_str("\n\n");
        }
        head.push_str(d.trim());
    }
    if head.is_empty() {
        head = format!("Calls `{}`.", op.id);
    }
    parts.push(head);
    parts.push(format!(
        "`{} {}` (operation `{}`).",
        op.method,
        op.path,
        op.id.replace('`', "'")
    ));
    for flag in &op.docs.flags {
        parts.push(format!("**Note:** {flag}"));
    }
    if op.docs.deprecated {
        parts.push("**Deprecated.**".into());
    }
    let mut args: Vec<String> = op
        .params
        .iter()
        .map(|p| {
            let desc = p
                .docs
                .description
                .as_deref()
                .unwrap_or("")
                .trim()
                .replace('\n', " ");
            let place = match p.location {
                ParamLocation::Path => "path",
                ParamLocation::Query => "query",
                ParamLocation::Header => "header",
                ParamLocation::Cookie => "cookie",
            };
            let req = if p.required { "" } else { ", optional" };
            format!(
                "- `{}` ({place} `{}`{req}): {desc}",
                p.name,
                p.wire.replace('`', "'")
            )
        })
        .collect();
    if let Some(body) = &op.body {
        let what = match &body.ty {
            TypeRef::Named(id) => format!(
                "[`{}`](crate::types::{})",
                api.ty(*id).name,
                api.ty(*id).name
            ),
            _ => format!("`{}`", body.media_type),
        };
        args.push(format!("- `body`: the request, {what}."));
    }
    if !args.is_empty() {
        parts.push(format!("# Arguments\n\n{}", args.join("\n")));
    }
    let retry = if op.is_idempotent() {
        "Safe to retry: repeating it has no further effect."
    } else {
        "Not safe to retry blindly: repeating it may repeat its effect."
    };
    parts.push(retry.to_owned());
    parts.join("\n\n")
}

/// The one-call upload of an `x-upload` operation: get the pre-signed URL, `PUT` the bytes
/// there without credentials, then finish with the `then` operation.
fn upload_method(
    api: &Api,
    op: &Operation,
    flow: &crate::ir::UploadFlow,
    p: &Paths,
    blocking: bool,
) -> Result<TokenStream, Diagnostic> {
    let then = &api.operations[flow.then];
    let fail = |what: String| Diagnostic::error(&op.origin.join("x-upload"), what);
    let member = |op: &Operation, wire: &str| -> Option<(proc_macro2::Ident, TypeRef)> {
        let body = op
            .responses
            .iter()
            .filter(|r| r.status.is_success())
            .find_map(|r| r.body.as_ref())?;
        let TypeRef::Named(id) = body.ty else {
            return None;
        };
        let crate::ir::TypeKind::Struct(s) = &api.ty(id).kind else {
            return None;
        };
        let field = s.fields.iter().find(|f| f.wire == wire && f.required)?;
        Some((ident(&field.name), field.ty.clone()))
    };
    let (url, url_ty) = member(op, &flow.url).ok_or_else(|| {
        fail(format!(
            "`{}` has no required response member `{}`",
            op.id, flow.url
        ))
    })?;
    if url_ty != TypeRef::Primitive(Primitive::String)
        && url_ty != TypeRef::Primitive(Primitive::Uri)
    {
        return Err(fail(format!("`{}` must be a string to be a URL", flow.url)));
    }
    let (ticket, ticket_ty) = member(op, &flow.ticket).ok_or_else(|| {
        fail(format!(
            "`{}` has no required response member `{}`",
            op.id, flow.ticket
        ))
    })?;
    let Some(then_body) = then
        .body
        .as_ref()
        .filter(|b| b.kind == BodyKind::Json && b.required)
    else {
        return Err(fail(format!(
            "`{}` must take a required JSON body",
            then.id
        )));
    };
    let (_, _, link_error) = response_types(api, op, p);
    let (_, then_success, then_error) = response_types(api, then, p);
    if link_error.to_string() != then_error.to_string() {
        return Err(fail(format!(
            "`{}` and `{}` must answer errors with the same type",
            op.id, then.id
        )));
    }
    let ordered = op.params_in_call_order();
    let args: Vec<TokenStream> = ordered
        .iter()
        .map(|param| {
            let arg = ident(&param.name);
            let t = param_type(api, param, p);
            quote!(#arg: #t)
        })
        .collect();
    let link_args: Vec<TokenStream> = ordered
        .iter()
        .map(|param| {
            let arg = ident(&param.name);
            quote!(#arg)
        })
        .collect();
    let then_ordered = then.params_in_call_order();
    let mut then_args = Vec::new();
    for param in then_ordered {
        match op
            .params
            .iter()
            .find(|x| x.wire == param.wire && x.location == param.location)
        {
            Some(same) => {
                let arg = ident(&same.name);
                then_args.push(quote!(#arg));
            }
            None if !param.required => then_args.push(quote!(None)),
            None => {
                return Err(fail(format!(
                    "`{}` needs the parameter `{}`, which `{}` does not take",
                    then.id, param.wire, op.id
                )));
            }
        }
    }
    let body_ty = ty(&then_body.ty, api, p);
    let ticket_ty = ty(&ticket_ty, api, p);
    let link_body = op.body.as_ref().map(|b| {
        let (arg_ty, _) = body_arg(api, b, p);
        quote!(body: #arg_ty,)
    });
    let link_body_arg = op.body.as_ref().map(|_| quote!(body));
    let name = ident(&flow.name);
    let link = ident(&op.name);
    let finish = ident(&then.name);
    let doc = docs::lines(&format!(
        "Uploads a file in one call: `{}` for a pre-signed URL, a `PUT` of `upload` to it \
         (without the API key; retried when the source can be read again), then `{}` with \
         the request `finish` builds from the returned `{}`.\n\n\
         Progress is reported through [`Upload::on_progress`]; each step's failure is its own \
         [`UploadError`] variant.",
        op.id, then.id, flow.ticket
    ));
    let mut all_link_args = link_args.clone();
    all_link_args.extend(link_body_arg);
    let call = if blocking {
        quote! {
            self.http.upload_file(
                upload,
                || {
                    let link = self.#link(#(#all_link_args),*)?.into_body();
                    Ok((link.#url, link.#ticket))
                },
                |ticket| self.#finish(#(#then_args,)* &finish(ticket)),
            )
        }
    } else {
        quote! {
            self.http
                .upload_file(
                    upload,
                    || async {
                        let link = self.#link(#(#all_link_args),*).await?.into_body();
                        Ok((link.#url, link.#ticket))
                    },
                    |ticket| async move { self.#finish(#(#then_args,)* &finish(ticket)).await },
                )
                .await
        }
    };
    let asyncness = (!blocking).then(|| quote!(async));
    Ok(quote! {
        #doc
        pub #asyncness fn #name(
            &self,
            #(#args,)*
            #link_body
            upload: Upload,
            finish: impl FnOnce(#ticket_ty) -> #body_ty,
        ) -> Result<ApiResponse<#then_success>, UploadError<#then_error>> {
            #call
        }
    })
}
