//! The REST client: one method per operation, calling into the runtime.
//!
//! The client and its calls are written once, generic over the runtime's `Flavour`
//! (`Client<F = Async>`, `CreateThing<'a, F = Async>`): the methods, setters and the request
//! each call builds are the same for both flavours, and only how the request's future is
//! finished differs, which `F::wait` does (hand the future back, or block on it). With the
//! `blocking` feature, `blocking::Client` is `Client<Blocking>`; a second copy of every
//! operation would double the code rustc checks for no difference but that one.

use proc_macro2::TokenStream;
use quote::quote;

use super::config::RustConfig;
use super::docs;
use super::features::{Groups, gate_items, gate_method};
use super::ident::ident;
use super::types::{Paths, ty};
use crate::diag::Diagnostic;
use crate::ir::{
    Api, AuthKind, Body, BodyKind, Encoding, Files, FormStyle, Operation, Param, ParamLocation,
    Primitive, SecurityScheme, Status, TypeKind, TypeRef, resolve,
};

/// The client module: the client, generic over its flavour, and the call types.
pub fn module(
    api: &Api,
    config: &RustConfig,
    rt: &TokenStream,
    groups: Option<&Groups>,
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
    let mut head = vec![format!("A client for {} {}.", api.title, api.version)];
    if let Some(base) = &default_base {
        head.push(format!("Talks to `{base}` unless told otherwise."));
    }
    let head = docs::lines(&head.join("\n\n"));
    let flavours = docs::own(
        "`F` is how calls are sent: [`Async`], the default ([`crate::Client`]), where a call is\n\
         `.await`ed, or `Blocking` (`crate::blocking::Client`, cargo feature `blocking`), where\n\
         its `send` returns the result.",
    );
    let struct_doc = quote!(#head #[doc = ""] #flavours);
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
                        let http = HttpClient::from_env(Self::API_KEY_ENV, Self::BASE_URL_ENV, Self::DEFAULT_BASE_URL, Self::AUTH)?
                            .with_options(RequestOptions::new().retry(RetryPolicy::default()));
                        F::from_async(http).map(Self::from_http)
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
                        F::build(Self::builder(base_url).api_key(api_key)).map(Self::from_http)
                    }

                    #from_env

                    /// A builder for a client with custom settings (retries, timeouts, a rate
                    /// limiter, hooks, your own `reqwest::Client`), with this API's
                    /// authentication and the default retry policy set: three attempts with
                    /// jittered backoff on connection errors, 408, 429 and 5xx, `Retry-After`
                    /// honoured up to a cap; apart from a 429 (not processed), only safe
                    /// operations are retried once a request may have reached the server.
                    /// Finish it with `build()` (`build_blocking()` for the blocking client) and
                    /// [`Client::from_http`].
                    pub fn builder(base_url: &str) -> HttpClientBuilder {
                        HttpClient::builder(base_url)
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
                    F::build(Self::builder(base_url)).map(Self::from_http)
                }

                /// A builder for a client with custom settings and the default retry policy.
                /// Finish it with `build()` (`build_blocking()` for the blocking client) and
                /// [`Client::from_http`].
                pub fn builder(base_url: &str) -> HttpClientBuilder {
                    HttpClient::builder(base_url).retry(RetryPolicy::default())
                }
            },
            TokenStream::new(),
        ),
    };
    let mut methods = Vec::new();
    let mut calls = Vec::new();
    for (index, op) in api.operations.iter().enumerate() {
        let (method, call) = operation(api, op, &p)?;
        let cfg = groups.map(|groups| groups.operation(index));
        methods.push(match &cfg {
            Some(cfg) => gate_method(method, cfg),
            None => method,
        });
        calls.push(match &cfg {
            Some(cfg) => gate_items(call, cfg),
            None => call,
        });
        if let Some(flow) = &op.upload {
            let cfg = groups.map(|groups| groups.operations(&[index, flow.then]));
            let method = upload_method(api, op, flow, &p)?;
            methods.push(match &cfg {
                Some(cfg) => gate_method(method, cfg),
                None => method,
            });
        }
    }
    let body = quote! {
        #struct_doc
        #[derive(Clone, Debug)]
        pub struct Client<F: Flavour = Async> {
            http: F::Http,
        }

        impl<F: Flavour> Client<F> {
            #base_const
            #env_consts
            #constructors

            /// Wraps an already configured HTTP client (a `blocking::HttpClient` for the
            /// blocking client).
            pub fn from_http(http: F::Http) -> Self {
                Self { http }
            }

            /// The HTTP client underneath.
            pub fn http(&self) -> &F::Http {
                &self.http
            }

            /// A copy of this client whose calls use other settings (timeouts, deadline,
            /// retries); it shares the connection pool and the key.
            pub fn with_options(&self, options: RequestOptions) -> Self {
                Self::from_http(F::with_options(&self.http, options))
            }

            #(#methods)*
        }

        #(#calls)*
    };
    let used = super::imports::Used::of(&body);
    let shared = [
        "path_segment",
        "ApiKey",
        "ApiResponse",
        "Async",
        "AuthScheme",
        "Bytes",
        "ConfigError",
        "Error",
        "Flavour",
        "FormStyle",
        "HttpClient",
        "HttpClientBuilder",
        "Method",
        "Multipart",
        "RequestOptions",
        "RetryPolicy",
        "Upload",
        "UploadError",
    ];
    let runtime = super::imports::imports_used(rt.clone(), &shared, &used);
    let types = super::imports::imports_used(quote!(crate), &["types"], &used);
    let std = super::imports::std_imports(&body, &used);
    // A call's `send` names its result in full, `F::Wait<impl Future<Output = Result<..>>>`,
    // one type for both flavours; clippy finds that complex for deep response types.
    // With some areas left out, some imports go unused.
    let lint = groups.map(|_| quote!(#![allow(unused_imports)]));
    Ok(quote! {
        #![allow(clippy::type_complexity)]
        #lint

        #std
        #runtime
        #types

        #body
    })
}

/// The security scheme the client applies: the first one it can (an API key in a header or
/// the query, or a bearer token).
pub fn applied_scheme(api: &Api) -> Option<&SecurityScheme> {
    api.security.iter().find(|s| {
        matches!(
            s.kind,
            AuthKind::Bearer
                | AuthKind::ApiKey {
                    location: ParamLocation::Header | ParamLocation::Query,
                    ..
                }
        )
    })
}

/// The runtime's auth scheme for the scheme the client applies, and its wording.
fn auth_scheme(api: &Api) -> Option<(TokenStream, String)> {
    applied_scheme(api).and_then(|s| match &s.kind {
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

/// One operation: a client method that starts a call with the required arguments, and the
/// call type, on which optional parameters are set before it is awaited (or sent). A new
/// optional parameter is then one more setter, which breaks no caller.
fn operation(
    api: &Api,
    op: &Operation,
    p: &Paths,
) -> Result<(TokenStream, TokenStream), Diagnostic> {
    let name = ident(&op.name);
    let call = ident(&op.call);
    let lt = quote!('a);
    let mut args = Vec::new();
    let mut arg_names = Vec::new();
    let mut fields = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut calls = Vec::new();
    for param in op.params_in_call_order() {
        let arg = ident(&param.name);
        let wire = &param.wire;
        // A parameter the body carries is taken from there: the caller names it once.
        if let Some(member) = &param.from_body {
            let member = ident(member);
            calls.push(match param.location {
                ParamLocation::Header => quote!(.header(#wire, &body.#member)),
                _ => quote!(.query(#wire, &body.#member)),
            });
            continue;
        }
        // Read as `self.name`: a binding would take the parameter's name, which may be one
        // lints refuse (`foo`).
        let used = match (param.location, param.style) {
            (ParamLocation::Query, Some(style)) => {
                let style = form_style(style);
                Some(quote!(.query_styled(#wire, &self.#arg, FormStyle::#style)))
            }
            (ParamLocation::Query, None) => Some(quote!(.query(#wire, &self.#arg))),
            (ParamLocation::Header, _) => Some(quote!(.header(#wire, &self.#arg))),
            (ParamLocation::Path, _) => Some(TokenStream::new()),
            (ParamLocation::Cookie, _) => None,
        };
        let Some(used) = used else {
            continue;
        };
        calls.push(used);
        let held = param_type(api, param, p, Some(&lt));
        if param.required {
            args.push(quote!(#arg: #held));
            arg_names.push(arg.clone());
            fields.push(quote!(#arg: #held,));
            inits.push(quote!(#arg,));
        } else {
            let value = held.clone();
            let inner = quote!(Option<#held>);
            let setter = ident(&format!("with_{}", param.name.trim_start_matches("r#")));
            let place = match param.location {
                ParamLocation::Query => "query parameter",
                _ => "header",
            };
            let doc = docs::lines(&format!("Sets the `{}` {place}.", param.wire));
            setters.push(quote! {
                #doc
                pub fn #setter(mut self, value: #value) -> Self {
                    self.#arg = Some(value);
                    self
                }
            });
            fields.push(quote!(#arg: #inner,));
            inits.push(quote!(#arg: None,));
        }
    }
    let (segments, path) = path_expr(op)?;
    let mut optional_body = None;
    let body_call = op.body.as_ref().and_then(|body| {
        let (arg_ty, held, init, call) = body_arg(api, body, p, &lt);
        args.push(quote!(body: #arg_ty));
        arg_names.push(ident("body"));
        fields.push(quote!(body: #held,));
        inits.push(init);
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
    let body_binding = op.body.is_some().then(|| quote!(let body = self.body;));
    let build = quote! {
        let http = &self.client.http;
        #body_binding
        #segments
        let #mutable request = F::async_client(http)
            .request(Method::#method, #op_id, #path)
            #(#calls)*
            #body_call
            #idempotent
            #auth;
        #optional_body
    };
    // A lifetime is named only when an argument borrows too (else it is elided).
    let borrows = args.iter().any(|a| a.to_string().contains("'a"));
    let (generics, self_lt, ret_lt) = if borrows {
        (Some(quote!(<'a>)), Some(quote!('a)), quote!('a))
    } else {
        (None, None, quote!('_))
    };
    let output = quote!(Result<ApiResponse<#success>, Error<#error>>);
    // What `send` returns: the future (async) or its output (blocking).
    let sent = quote!(F::Wait<impl Future<Output = #output>>);
    let (send_streaming, streaming) = match &op.stream_name {
        None => (None, None),
        Some(stream_name) => {
            let doc = docs::lines(&stream_doc(op, &name.to_string()));
            let stream_name = ident(stream_name);
            let pass = &arg_names;
            let streamed =
                quote!(F::Wait<impl Future<Output = Result<F::Streaming<#error>, Error<#error>>>>);
            (
                Some(quote! {
                    /// Sends the request and hands over a 2xx body as it arrives, undecoded.
                    pub fn send_streaming(self) -> #streamed {
                        #build
                        F::send_streaming(http, request)
                    }
                }),
                Some(quote! {
                    #doc
                    pub fn #stream_name #generics(&#self_lt self, #(#args),*) -> #streamed {
                        self.#name(#(#pass),*).send_streaming()
                    }
                }),
            )
        }
    };
    let finish = "`.await` it (or call `send`; in the blocking client, `send` returns the result)";
    let call_doc = docs::lines(&if setters.is_empty() {
        format!(
            "The `{}` call that `Client::{name}` returns: {finish}.",
            op.id.replace('`', "'")
        )
    } else {
        format!(
            "The `{}` call that `Client::{name}` returns: set its optional parameters with the \
             `with_` methods, then {finish}.",
            op.id.replace('`', "'")
        )
    });
    let send_doc = docs::lines(
        "Sends the request and decodes the response: a future to `.await` in the async \
         client, the result in the blocking one.",
    );
    let into_future = {
        quote! {
            impl<'a> IntoFuture for #call<'a, Async> {
                type Output = #output;
                type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

                fn into_future(self) -> Self::IntoFuture {
                    Box::pin(self.send())
                }
            }
        }
    };
    let method_tokens = quote! {
        #doc
        pub fn #name #generics(&#self_lt self, #(#args),*) -> #call<#ret_lt, F> {
            #call { client: self, #(#inits)* }
        }

        #streaming
    };
    // A multipart body holds its files, which may be one-shot streams.
    let derive = if op
        .body
        .as_ref()
        .is_some_and(|b| b.kind == BodyKind::Multipart)
    {
        quote!(#[derive(Debug)])
    } else {
        quote!(#[derive(Clone, Debug)])
    };
    let item_tokens = quote! {
        #call_doc
        #derive
        #[must_use = "a call does nothing until it is sent"]
        pub struct #call<'a, F: Flavour = Async> {
            client: &'a Client<F>,
            #(#fields)*
        }

        impl<'a, F: Flavour> #call<'a, F> {
            #(#setters)*

            #send_doc
            pub fn send(self) -> #sent {
                #build
                F::wait(http, F::async_client(http).#send(request))
            }

            #send_streaming
        }

        #into_future
    };
    Ok((method_tokens, item_tokens))
}

/// The documentation of the streaming twin of `op` (`x-stream-body`), whose decoding method
/// is `decoding`.
fn stream_doc(op: &Operation, decoding: &str) -> String {
    let summary = op
        .docs
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(op.id.as_str());
    let body = "a [`ByteStream`](autessa_runtime::ByteStream) of chunks as they arrive (in the \
                blocking client, a reader, [`Read`](std::io::Read), that is also an iterator of \
                chunks)";
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

/// A parameter's value as a method takes it (`lifetime` names the borrow, for a field of a
/// call): text and lists borrowed, numbers and booleans by value. Without its `Option`.
fn param_type(api: &Api, param: &Param, p: &Paths, lifetime: Option<&TokenStream>) -> TokenStream {
    match &param.ty {
        TypeRef::Primitive(Primitive::String | Primitive::Uri | Primitive::Binary) => {
            quote!(&#lifetime str)
        }
        TypeRef::Array(item) => {
            let item = ty(item, api, p);
            quote!(&#lifetime [#item])
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
            quote!(&#lifetime #t)
        }
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
        lets.push(quote!(let #segment = path_segment(&self.#arg);));
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

/// A body as the method takes it, as the call holds it, the call's initializer, and the
/// request builder call that attaches it.
fn body_arg(
    api: &Api,
    body: &Body,
    p: &Paths,
    lifetime: &TokenStream,
) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
    let media = &body.media_type;
    match body.kind {
        BodyKind::Json | BodyKind::Form => {
            let t = ty(&body.ty, api, p);
            let call = if body.kind == BodyKind::Json {
                quote!(.json(body))
            } else {
                form_call(body)
            };
            let (arg, held) = if body.required {
                (quote!(&#lifetime #t), quote!(&#lifetime #t))
            } else {
                (quote!(Option<&#lifetime #t>), quote!(Option<&#lifetime #t>))
            };
            (arg, held, quote!(body,), call)
        }
        // Taken by value: its files are moved into the request.
        BodyKind::Multipart => {
            let t = ty(&body.ty, api, p);
            let t = if body.required { t } else { quote!(Option<#t>) };
            let parts = multipart_parts(api, body);
            (t.clone(), t, quote!(body,), quote!(.multipart(#parts)))
        }
        BodyKind::Binary | BodyKind::Text => {
            if body.required {
                (
                    quote!(impl Into<Bytes>),
                    quote!(Bytes),
                    quote!(body: body.into(),),
                    quote!(.bytes(#media, body)),
                )
            } else {
                (
                    quote!(Option<Bytes>),
                    quote!(Option<Bytes>),
                    quote!(body,),
                    quote!(.bytes(#media, body)),
                )
            }
        }
    }
}

/// `.form(body)`, or `.form_styled(body, styles)` for members the encoding gives a style.
fn form_call(body: &Body) -> TokenStream {
    let styles: Vec<TokenStream> = body
        .encoding
        .iter()
        .filter_map(|e| {
            let style = e.style.filter(|s| *s != FormStyle::Exploded)?;
            let member = &e.member;
            let style = form_style(style);
            Some(quote!((#member, FormStyle::#style)))
        })
        .collect();
    if styles.is_empty() {
        quote!(.form(body))
    } else {
        quote!(.form_styled(body, &[#(#styles),*]))
    }
}

fn form_style(style: FormStyle) -> proc_macro2::Ident {
    let name = match style {
        FormStyle::Exploded => "Exploded",
        FormStyle::Comma => "Comma",
        FormStyle::Space => "Space",
        FormStyle::Pipe => "Pipe",
        FormStyle::DeepObject => "DeepObject",
    };
    proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
}

/// The `Multipart` a multipart body (`body`, owned) becomes: files as file parts, other
/// members as text or JSON parts (as their encoding says), merged and extra members each as
/// their own parts.
fn multipart_parts(api: &Api, body: &Body) -> TokenStream {
    let TypeRef::Named(id) = resolve(&api.types, &body.ty) else {
        return quote!(Multipart::new());
    };
    let TypeKind::Struct(s) = &api.ty(*id).kind else {
        return quote!(Multipart::new());
    };
    let parts = s.fields.iter().map(|f| {
        let member = ident(&f.name);
        let wire = &f.wire;
        let encoding = body.encoding_of(wire);
        if f.flatten {
            return quote!(.members(&body.#member));
        }
        let media = encoding
            .and_then(|e| e.content_type.as_deref())
            .and_then(concrete_media);
        match f.files() {
            Some(files) => {
                let media = media.unwrap_or("application/octet-stream");
                match files {
                    Files::One => quote!(.file(#wire, body.#member, #media)),
                    Files::Many if f.required => quote!(.files(#wire, body.#member, #media)),
                    Files::Many => {
                        quote!(.files(#wire, body.#member.unwrap_or_default(), #media))
                    }
                }
            }
            None => match (media, encoding.and_then(|e: &Encoding| e.style)) {
                (Some(media), _) => quote!(.value_as(#wire, &body.#member, #media)),
                (None, Some(style)) => {
                    let style = form_style(style);
                    quote!(.styled(#wire, &body.#member, FormStyle::#style))
                }
                (None, None) => quote!(.value(#wire, &body.#member)),
            },
        }
    });
    let extra = s
        .extra
        .as_ref()
        .map(|_| quote!(.members(&body.additional_properties)));
    quote!(Multipart::new() #(#parts)* #extra)
}

/// The first concrete media type of an `encoding` content type, which may be a list
/// (`image/png, image/jpeg`) or hold wildcards (`image/*`).
fn concrete_media(list: &str) -> Option<&str> {
    list.split(',')
        .map(str::trim)
        .find(|m| m.contains('/') && !m.contains('*') && !m.contains(char::is_whitespace))
}

/// The runtime send method, the success type and the error body type.
pub(super) fn response_types(
    api: &Api,
    op: &Operation,
    p: &Paths,
) -> (TokenStream, TokenStream, TokenStream) {
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
            let wire = p.wire.replace('`', "'");
            match &p.from_body {
                Some(member) => format!(
                    "- {place} `{wire}`: taken from the body's `{member}` (the same value goes \
                     in both places). {desc}"
                ),
                None => format!("- `{}` ({place} `{wire}`{req}): {desc}", p.name),
            }
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
    let optional: Vec<String> = op
        .params
        .iter()
        .filter(|p| !p.required && p.location != ParamLocation::Cookie)
        .map(|p| format!("`with_{}`", p.name.trim_start_matches("r#")))
        .collect();
    let finish = "`.await` it (in the blocking client, call `send` on it)";
    parts.push(if optional.is_empty() {
        format!("Returns the call: {finish}.")
    } else {
        format!(
            "Returns the call: set optional parameters on it ({}), then {finish}.",
            optional.join(", ")
        )
    });
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
    // The upload takes every parameter of the link operation, optional ones as `Option`s,
    // and hands them to the calls of both steps.
    let ordered: Vec<&Param> = op
        .params_in_call_order()
        .into_iter()
        .filter(|param| param.location != ParamLocation::Cookie && param.from_body.is_none())
        .collect();
    let args: Vec<TokenStream> = ordered
        .iter()
        .map(|param| {
            let arg = ident(&param.name);
            let t = param_type(api, param, p, None);
            if param.required {
                quote!(#arg: #t)
            } else {
                quote!(#arg: Option<#t>)
            }
        })
        .collect();
    let required = |of: &Operation| -> Vec<TokenStream> {
        of.params_in_call_order()
            .into_iter()
            .filter(|param| {
                param.required
                    && param.location != ParamLocation::Cookie
                    && param.from_body.is_none()
            })
            .map(|param| {
                let arg = ident(&param.name);
                quote!(#arg)
            })
            .collect()
    };
    // The call with the optional parameters of `of` that the upload was given set on it
    // (`of` is the link operation, or the finishing one, which takes the link's by name).
    let optional = |of: &Operation, call: TokenStream| -> TokenStream {
        let sets: Vec<TokenStream> = of
            .params
            .iter()
            .filter(|param| !param.required && param.location != ParamLocation::Cookie)
            .filter_map(|param| {
                let given = ordered
                    .iter()
                    .find(|x| x.wire == param.wire && x.location == param.location)?;
                let arg = ident(&given.name);
                let setter = ident(&format!("with_{}", param.name.trim_start_matches("r#")));
                Some(quote! {
                    if let Some(value) = #arg {
                        call = call.#setter(value);
                    }
                })
            })
            .collect();
        if sets.is_empty() {
            return call;
        }
        quote! {{
            let mut call = #call;
            #(#sets)*
            call
        }}
    };
    let link_args = required(op);
    let mut then_args = Vec::new();
    for param in then.params_in_call_order() {
        if param.location == ParamLocation::Cookie || param.from_body.is_some() {
            continue;
        }
        match op
            .params
            .iter()
            .find(|x| x.wire == param.wire && x.location == param.location)
        {
            Some(same) if same.required == param.required => {}
            Some(_) => {
                return Err(fail(format!(
                    "`{}` and `{}` must both require the parameter `{}`, or both not",
                    op.id, then.id, param.wire
                )));
            }
            None if !param.required => {}
            None => {
                return Err(fail(format!(
                    "`{}` needs the parameter `{}`, which `{}` does not take",
                    then.id, param.wire, op.id
                )));
            }
        }
        if param.required {
            let arg = ident(&param.name);
            then_args.push(quote!(#arg));
        }
    }
    let body_ty = ty(&then_body.ty, api, p);
    let ticket_ty = ty(&ticket_ty, api, p);
    let link_body = op.body.as_ref().map(|b| {
        let (arg_ty, _, _, _) = body_arg(api, b, p, &TokenStream::new());
        quote!(body: #arg_ty,)
    });
    let link_body_arg = op.body.as_ref().map(|_| quote!(body));
    let name = ident(&flow.name);
    let link = ident(&op.name);
    let finish = ident(&then.name);
    let doc = docs::lines(&format!(
        "Uploads a file in one call: `{}` for a pre-signed URL, a `PUT` of `upload` to it \
         (without the API key; retried when the source can be read again), then `{}` with \
         the request `finish` builds from the returned `{}`.",
        op.id, then.id, flow.ticket
    ));
    let links = docs::own(
        "Progress is reported through [`Upload::on_progress`]; each step's failure is its own \
         [`UploadError`] variant.",
    );
    let doc = quote!(#doc #[doc = ""] #links);
    let mut all_link_args = link_args.clone();
    all_link_args.extend(link_body_arg);
    let link_call = optional(op, quote!(client.#link(#(#all_link_args),*)));
    let then_call = optional(
        then,
        quote!(client.#finish(#(#then_args,)* &finish(ticket))),
    );
    Ok(quote! {
        #doc
        pub fn #name(
            &self,
            #(#args,)*
            #link_body
            upload: Upload,
            finish: impl FnOnce(#ticket_ty) -> #body_ty,
        ) -> F::Wait<impl Future<Output = Result<ApiResponse<#then_success>, UploadError<#then_error>>>> {
            // The steps are the async client's calls, whichever the flavour: the flavour
            // finishes the upload as a whole.
            let client = Client::<Async>::from_http(F::async_client(&self.http).clone());
            F::wait(&self.http, async move {
                client
                    .http
                    .upload_file(
                        upload,
                        || async {
                            let link = #link_call.send().await?.into_body();
                            Ok((link.#url, link.#ticket))
                        },
                        |ticket| async { #then_call.send().await },
                    )
                    .await
            })
        }
    })
}

/// The blocking module: the client in its blocking flavour. Its methods and calls are the
/// client's own (`Client<F>` is generic over the flavour); only the name is its own.
pub fn blocking_module(api: &Api) -> TokenStream {
    let head = docs::lines(&format!(
        "A blocking client for {} {}, for programs without an async runtime.",
        api.title, api.version
    ));
    let rest = docs::own(
        "The methods of [`crate::Client`], whose calls are sent with `send`, which returns the\n\
         result. It runs each call on a runtime of its own; do not use it from async code.",
    );
    let doc = quote!(#head #[doc = ""] #rest);
    quote! {
        use autessa_runtime::blocking::Blocking;

        #doc
        pub type Client = crate::client::Client<Blocking>;
    }
}
