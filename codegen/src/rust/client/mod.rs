//! The REST client: one method per operation, calling into the runtime.
//!
//! The client and its calls are written once, generic over the runtime's `Flavour`
//! (`Client<F = Async>`, `CreateThing<'a, F = Async>`): the methods, setters and the request
//! each call builds are the same for both flavours, and only how the request's future is
//! finished differs, which `F::wait` does (hand the future back, or block on it). With the
//! `blocking` feature, `blocking::Client` is `Client<Blocking>`; a second copy of every
//! operation would double the code rustc checks for no difference but that one.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::areas::{AreaFile, AreaPages};
use super::config::RustConfig;
use super::docs;
use super::features::{Groups, gate_method};
use super::imports::Used;
use super::layout::{Members, Module, Page};
use super::types::Paths;
use crate::diag::Diagnostic;
use crate::ir::{Api, AuthKind, ParamLocation, SecurityScheme};

mod body;
mod method_docs;
mod operation;
pub(super) mod responses;
mod upload;

use operation::operation;
use upload::upload_method;

/// The client module: the client, generic over its flavour, and the call types.
pub fn module(
    api: &Api,
    config: &RustConfig,
    rt: &TokenStream,
    groups: Option<&Groups>,
) -> Result<(Module, Vec<AreaFile>), Diagnostic> {
    let p = Paths {
        types: quote!(types::),
        runtime: rt.clone(),
    };
    let default_base = default_base_url(api);
    let struct_doc = client_doc(api, default_base.as_deref());
    let base_const = default_base.as_ref().map(|base| {
        quote! {
            /// The base URL of the API's first server.
            pub const DEFAULT_BASE_URL: &'static str = #base;
        }
    });
    let (quota_const, with_quota) = quota(api);
    let (constructors, env_consts) = match auth_scheme(api) {
        Some((scheme, described)) => keyed_constructors(
            &scheme,
            &described,
            default_base.is_some(),
            &config.env_prefix,
            &with_quota,
        ),
        None => (keyless_constructors(&with_quota), TokenStream::new()),
    };
    let (methods, calls, areas) = operation_items(api, &p, groups)?;
    let client = quote! {
        #struct_doc
        #[derive(Clone, Debug)]
        pub struct Client<F: Flavour = Async> {
            http: F::Http,
        }
    };
    let client_impl = quote! {
        impl<F: Flavour> Client<F> {
            #base_const
            #env_consts
            #quota_const
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
        }
    };
    let mut body = Page::default();
    body.push(client, None);
    body.push_impl(client_impl, methods);
    body.append(calls);
    let files = match groups {
        Some(groups) => areas.finish(groups, &mut body, |used| imports(rt, used)),
        None => Vec::new(),
    };
    Ok((with_imports(body, rt, groups), files))
}

/// The URL of the API's first server, when it is an absolute HTTP(S) one.
fn default_base_url(api: &Api) -> Option<String> {
    api.servers
        .first()
        .map(|s| s.url.trim_end_matches('/').to_owned())
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}

/// The client type's documentation: the API, its default server, and the flavours.
fn client_doc(api: &Api, default_base: Option<&str>) -> TokenStream {
    let mut head = vec![format!("A client for {} {}.", api.title, api.version)];
    if let Some(base) = default_base {
        head.push(format!("Talks to `{base}` unless told otherwise."));
    }
    let head = docs::lines(&head.join("\n\n"));
    let flavours = docs::own(
        "`F` is how calls are sent: [`Async`], the default ([`crate::Client`]), where a call is\n\
         `.await`ed, or `Blocking` (`crate::blocking::Client`, cargo feature `blocking`), where\n\
         its `send` returns the result.",
    );
    quote!(#head #[doc = ""] #flavours)
}

/// The `QUOTA` constant naming where the server reports its request budget
/// (`x-rate-limit`), and the builder call that sets it; both empty when the API says nothing.
fn quota(api: &Api) -> (TokenStream, TokenStream) {
    let Some(quota) = &api.quota else {
        return (TokenStream::new(), TokenStream::new());
    };
    let remaining = &quota.remaining;
    let window = quota.window_seconds;
    let seconds = proc_macro2::Literal::u64_unsuffixed(window);
    let (limit, out_of) = match &quota.limit {
        Some(limit) => (quote!(Some(#limit)), format!(", out of `{limit}`")),
        None => (quote!(None), String::new()),
    };
    let doc = docs::lines(&format!(
        "Where the server reports its request budget: the requests left in `{remaining}`{out_of}, \
         coming back {window} s after the budget is spent."
    ));
    let constant = quote! {
        #doc
        pub const QUOTA: Quota = Quota::new(#remaining, #limit, std::time::Duration::from_secs(#seconds));
    };
    (constant, quote!(.quota(Self::QUOTA)))
}

/// The constructors of a client with an API key (`from_env` only with a default base URL),
/// and the constants naming its auth scheme and environment variables.
fn keyed_constructors(
    scheme: &TokenStream,
    described: &str,
    has_default_base: bool,
    prefix: &str,
    with_quota: &TokenStream,
) -> (TokenStream, TokenStream) {
    let auth_doc = docs::lines(&format!("How requests carry the API key: {described}."));
    let key_env = format!("{prefix}_API_KEY");
    let base_env = format!("{prefix}_BASE_URL");
    let from_env = has_default_base.then(|| {
        let doc = docs::lines(&format!(
            "A client configured from the environment: the key from `{key_env}`, the base URL \
             from `{base_env}` (default [`Self::DEFAULT_BASE_URL`](Self::DEFAULT_BASE_URL))."
        ));
        quote! {
            #doc
            pub fn from_env() -> Result<Self, ConfigError> {
                let builder = Self::builder(Self::DEFAULT_BASE_URL)
                    .env(Self::API_KEY_ENV, Self::BASE_URL_ENV)?;
                F::build(builder).map(Self::from_http)
            }
        }
    });
    let key_doc = docs::lines(&format!(
        "The environment variable holding the API key: `{key_env}`."
    ));
    let base_doc = docs::lines(&format!(
        "The environment variable that overrides the base URL: `{base_env}`."
    ));
    let constructors = quote! {
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
                #with_quota
        }
    };
    let env_consts = quote! {
        #auth_doc
        pub const AUTH: AuthScheme = #scheme;
        #key_doc
        pub const API_KEY_ENV: &'static str = #key_env;
        #base_doc
        pub const BASE_URL_ENV: &'static str = #base_env;
    };
    (constructors, env_consts)
}

/// The constructors of a client without authentication.
fn keyless_constructors(with_quota: &TokenStream) -> TokenStream {
    quote! {
        /// A client for `base_url`.
        pub fn new(base_url: &str) -> Result<Self, ConfigError> {
            F::build(Self::builder(base_url)).map(Self::from_http)
        }

        /// A builder for a client with custom settings and the default retry policy.
        /// Finish it with `build()` (`build_blocking()` for the blocking client) and
        /// [`Client::from_http`].
        pub fn builder(base_url: &str) -> HttpClientBuilder {
            HttpClient::builder(base_url).retry(RetryPolicy::default()) #with_quota
        }
    }
}

/// Every operation's client methods (with its upload, if any) and call type. When the API
/// is split into areas, those of one area go to its file, in an `impl` block of their own;
/// an upload that needs two areas stays in the module, gated on both.
fn operation_items(
    api: &Api,
    p: &Paths,
    groups: Option<&Groups>,
) -> Result<(Members, Page, AreaPages), Diagnostic> {
    let mut methods = Members::default();
    let mut calls = Page::default();
    // Per area: its methods, and its call types.
    let mut by_area: BTreeMap<usize, (Members, Page)> = BTreeMap::new();
    for (index, op) in api.operations.iter().enumerate() {
        let (method, call) = operation(api, op, p)?;
        let (area_methods, area_calls) = match groups {
            Some(groups) => {
                let (m, c) = by_area.entry(groups.operation_area(index)).or_default();
                (m, c)
            }
            None => (&mut methods, &mut calls),
        };
        area_methods.push(method);
        area_calls.push(call, None);
        if let Some(flow) = &op.upload {
            let cfg = groups.map(|groups| groups.operations(&[index, flow.then]));
            let method = upload_method(api, op, flow, p)?;
            methods.push(match &cfg {
                Some(cfg) => gate_method(method, cfg),
                None => method,
            });
        }
    }
    let mut areas = AreaPages::default();
    for (area, (members, area_calls)) in by_area {
        let page = areas.page(area);
        page.push_impl(
            quote!(
                impl<F: Flavour> Client<F> {}
            ),
            members,
        );
        page.append(area_calls);
    }
    Ok((methods, calls, areas))
}

/// The module: its lints and the imports `body` uses, then `body`.
fn with_imports(body: Page, rt: &TokenStream, groups: Option<&Groups>) -> Module {
    let own = imports(rt, body.used());
    // A call's `send` names its result in full, `F::Wait<impl Future<Output = Result<..>>>`,
    // one type for both flavours; clippy finds that complex for deep response types.
    // With some areas left out, some imports go unused.
    let lint = groups.map(|_| quote!(#![allow(unused_imports)]));
    let head = quote! {
        #![allow(clippy::type_complexity)]
        #lint

        #own
    };
    Module { head, body }
}

/// The `use` lines for the names `used`.
fn imports(rt: &TokenStream, used: &Used) -> TokenStream {
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
        "Quota",
        "RequestOptions",
        "RetryPolicy",
        "Upload",
        "UploadError",
    ];
    let runtime = super::imports::imports_used(rt.clone(), &shared, used);
    let types = super::imports::imports_used(quote!(crate), &["types"], used);
    let std = super::imports::std_imports(used);
    quote! {
        #std
        #runtime
        #types
    }
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
