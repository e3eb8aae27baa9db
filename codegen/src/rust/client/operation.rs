//! One operation: the client method that starts a call, and the call type with its
//! setters and its `send`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::diag::Diagnostic;
use crate::ir::{Api, BodyKind, Operation, Param, ParamLocation, Primitive, TypeRef};
use crate::rust::docs;
use crate::rust::ident::ident;
use crate::rust::types::{Paths, ty};

use super::body::{body_arg, form_style};
use super::responses::response_types;

/// One operation: a client method that starts a call with the required arguments, and the
/// call type, on which optional parameters are set before it is awaited (or sent). A new
/// optional parameter is then one more setter, which breaks no caller.
pub(super) fn operation(
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
pub(super) fn param_type(
    api: &Api,
    param: &Param,
    p: &Paths,
    lifetime: Option<&TokenStream>,
) -> TokenStream {
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
