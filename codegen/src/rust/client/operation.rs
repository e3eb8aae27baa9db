//! One operation: the client method that starts a call, and the call type with its
//! setters and its `send`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::diag::Diagnostic;
use crate::ir::{Api, BodyKind, Operation, Param, ParamLocation, Primitive, TypeRef};
use crate::rust::docs;
use crate::rust::ident::ident;
use crate::rust::types::{Paths, ty};

use super::body::{body_arg, form_style};
use super::method_docs::{method_doc, stream_doc};
use super::responses::{api_response, response_types};

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
    let mut parts = param_parts(api, op, p, &lt);
    let (segments, path) = path_expr(op)?;
    let (body_call, optional_body) = body_parts(api, op, p, &lt, &mut parts);
    let build = request_build(op, &parts.calls, segments, path, body_call, optional_body);
    let (send, success, error) = response_types(api, op, p);
    let lifetimes = Lifetimes::of(&parts.args);
    let response = api_response(op, p, &success);
    let output = quote!(Result<#response, Error<#error>>);
    let (send_streaming, streaming) = match &op.stream_name {
        None => (None, None),
        Some(stream_name) => {
            let (send_streaming, streaming) =
                streaming_methods(op, &name, stream_name, &parts, &lifetimes, &build, &error);
            (Some(send_streaming), Some(streaming))
        }
    };
    let doc = docs::lines(&method_doc(api, op));
    let Lifetimes {
        generics,
        self_lt,
        ret_lt,
    } = &lifetimes;
    let args = &parts.args;
    let passed = &parts.passed;
    let method_tokens = quote! {
        #doc
        pub fn #name #generics(&#self_lt self, #(#args),*) -> #call<#ret_lt, F> {
            #call::new(&self.http, #(#passed),*)
        }

        #streaming
    };
    let send = quote! {
        pub fn send(self) -> #output {
            #build
            F::wait(http, F::async_client(http).#send(request))
        }
    };
    let mut items = call_type(op, &name, &call, &parts, send, p);
    if let Some(send_streaming) = send_streaming {
        items.extend(quote! {
            impl<'a, F: Flavour> #call<'a, F> {
                #send_streaming
            }
        });
    }
    Ok((method_tokens, items))
}

/// What a call's parameters and body add to its method, its type and its request.
#[derive(Default)]
struct CallParts {
    /// The client method's arguments, `name: Type`.
    args: Vec<TokenStream>,
    /// The names of those arguments, to pass them on.
    arg_names: Vec<Ident>,
    /// What the client method passes to the call's `new`, one per argument.
    passed: Vec<TokenStream>,
    /// The call type's members for the arguments, `name: Type`.
    fields: Vec<TokenStream>,
    /// The declarations of the setters of optional parameters, `pub fn with_name(name: Type);`.
    setters: Vec<TokenStream>,
    /// The request builder's calls that send the parameters.
    calls: Vec<TokenStream>,
}

/// The parameters' part of the call: arguments, fields, setters and request calls.
fn param_parts(api: &Api, op: &Operation, p: &Paths, lt: &TokenStream) -> CallParts {
    let mut parts = CallParts::default();
    for param in op.params_in_call_order() {
        let arg = ident(&param.name);
        let wire = &param.wire;
        // A parameter the body carries is taken from there: the caller names it once.
        if let Some(member) = &param.from_body {
            let member = ident(member);
            parts.calls.push(match param.location {
                ParamLocation::Header => quote!(.header(#wire, &body.#member)),
                _ => quote!(.query(#wire, &body.#member)),
            });
            continue;
        }
        let Some(used) = param_call(param, &arg) else {
            continue;
        };
        parts.calls.push(used);
        let held = param_type(api, param, p, Some(lt));
        if param.required {
            parts.args.push(quote!(#arg: #held));
            parts.arg_names.push(arg.clone());
            parts.passed.push(quote!(#arg));
            parts.fields.push(quote!(#arg: #held));
        } else {
            parts.setters.push(param_setter(param, &arg, &held));
        }
    }
    parts
}

/// The request builder's call that sends a parameter (empty for a path parameter, which
/// is in the path), or `None` for one that is not sent (a cookie).
fn param_call(param: &Param, arg: &Ident) -> Option<TokenStream> {
    let wire = &param.wire;
    // Read as `self.name`: a binding would take the parameter's name, which may be one
    // lints refuse (`foo`).
    match (param.location, param.style) {
        (ParamLocation::Query, Some(style)) => {
            let style = form_style(style);
            Some(quote!(.query_styled(#wire, &self.#arg, FormStyle::#style)))
        }
        (ParamLocation::Query, None) => Some(quote!(.query(#wire, &self.#arg))),
        (ParamLocation::Header, _) => Some(quote!(.header(#wire, &self.#arg))),
        (ParamLocation::Path, _) => Some(TokenStream::new()),
        (ParamLocation::Cookie, _) => None,
    }
}

/// The declaration of the `with_` setter of an optional parameter, which `call!` makes
/// into an `Option` member and the setter.
fn param_setter(param: &Param, arg: &Ident, value: &TokenStream) -> TokenStream {
    let setter = ident(&format!("with_{}", param.name.trim_start_matches("r#")));
    let place = match param.location {
        ParamLocation::Query => "query parameter",
        _ => "header",
    };
    let doc = docs::lines(&format!("Sets the `{}` {place}.", param.wire));
    quote! {
        #doc
        pub fn #setter(#arg: #value);
    }
}

/// The body's part of the call, added to `parts`; returns the builder call that sends a
/// required body, or the statement that sends an optional one.
fn body_parts(
    api: &Api,
    op: &Operation,
    p: &Paths,
    lt: &TokenStream,
    parts: &mut CallParts,
) -> (Option<TokenStream>, Option<TokenStream>) {
    let Some(body) = &op.body else {
        return (None, None);
    };
    let (arg_ty, held, passed, call) = body_arg(api, body, p, lt);
    parts.args.push(quote!(body: #arg_ty));
    parts.arg_names.push(ident("body"));
    parts.passed.push(passed);
    parts.fields.push(quote!(body: #held));
    if body.required {
        (Some(call), None)
    } else {
        let optional_body = quote! {
            if let Some(body) = body {
                request = request #call;
            }
        };
        (None, Some(optional_body))
    }
}

/// The statements that build the request, binding `http` and `request`.
fn request_build(
    op: &Operation,
    calls: &[TokenStream],
    segments: TokenStream,
    path: TokenStream,
    body_call: Option<TokenStream>,
    optional_body: Option<TokenStream>,
) -> TokenStream {
    let method = proc_macro2::Ident::new(&op.method, proc_macro2::Span::call_site());
    let op_id = &op.id;
    let auth = (!op.authenticated).then(|| quote!(.without_auth()));
    let idempotent = op.is_idempotent().then(|| quote!(.idempotent()));
    let mutable = optional_body.is_some().then(|| quote!(mut));
    let body_binding = op.body.is_some().then(|| quote!(let body = self.body;));
    quote! {
        let http = self.http;
        #body_binding
        #segments
        let #mutable request = F::async_client(http)
            .request(Method::#method, #op_id, #path)
            #(#calls)*
            #body_call
            #idempotent
            #auth;
        #optional_body
    }
}

/// The lifetimes of a client method: its generics, its `self` borrow and its call's.
struct Lifetimes {
    generics: Option<TokenStream>,
    self_lt: Option<TokenStream>,
    ret_lt: TokenStream,
}

impl Lifetimes {
    /// A lifetime is named only when an argument borrows too (else it is elided).
    fn of(args: &[TokenStream]) -> Self {
        if args.iter().any(|a| a.to_string().contains("'a")) {
            Lifetimes {
                generics: Some(quote!(<'a>)),
                self_lt: Some(quote!('a)),
                ret_lt: quote!('a),
            }
        } else {
            Lifetimes {
                generics: None,
                self_lt: None,
                ret_lt: quote!('_),
            }
        }
    }
}

/// The streaming twin (`x-stream-body`): the call's `send_streaming`, and the client method
/// `stream_name` that starts the call and sends it so.
fn streaming_methods(
    op: &Operation,
    name: &Ident,
    stream_name: &str,
    parts: &CallParts,
    lifetimes: &Lifetimes,
    build: &TokenStream,
    error: &TokenStream,
) -> (TokenStream, TokenStream) {
    let doc = docs::lines(&stream_doc(op, &name.to_string()));
    let stream_name = ident(stream_name);
    let args = &parts.args;
    let pass = &parts.arg_names;
    let Lifetimes {
        generics, self_lt, ..
    } = lifetimes;
    let streamed =
        quote!(F::Wait<impl Future<Output = Result<F::Streaming<#error>, Error<#error>>>>);
    let send_streaming = quote! {
        /// Sends the request and hands over a 2xx body as it arrives, undecoded.
        pub fn send_streaming(self) -> #streamed {
            #build
            F::send_streaming(http, request)
        }
    };
    let streaming = quote! {
        #doc
        pub fn #stream_name #generics(&#self_lt self, #(#args),*) -> #streamed {
            self.#name(#(#pass),*).send_streaming()
        }
    };
    (send_streaming, streaming)
}

/// The call type, declared with the runtime's `call!`: its required arguments, its `send`
/// and its setters.
fn call_type(
    op: &Operation,
    name: &Ident,
    call: &Ident,
    parts: &CallParts,
    send: TokenStream,
    p: &Paths,
) -> TokenStream {
    let rt = &p.runtime;
    let call_doc = call_doc(op, name, !parts.setters.is_empty());
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
    let fields = &parts.fields;
    let setters = &parts.setters;
    quote! {
        #rt::call! {
            #call_doc
            #derive
            pub struct #call<'a> {
                #(#fields),*
            }

            #send

            #(#setters)*
        }
    }
}

/// The call type's documentation, which mentions the setters when there are some.
fn call_doc(op: &Operation, name: &Ident, has_setters: bool) -> TokenStream {
    let finish = "`.await` it (or call `send`; in the blocking client, `send` returns the result)";
    docs::lines(&if has_setters {
        format!(
            "The `{}` call that `Client::{name}` returns: set its optional parameters with the \
             `with_` methods, then {finish}.",
            op.id.replace('`', "'")
        )
    } else {
        format!(
            "The `{}` call that `Client::{name}` returns: {finish}.",
            op.id.replace('`', "'")
        )
    })
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
