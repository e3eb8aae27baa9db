//! The one-call upload of an `x-upload` operation.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::body::body_arg;
use super::operation::param_type;
use super::responses::{api_response, response_types};
use crate::diag::Diagnostic;
use crate::ir::{
    Api, Body, BodyKind, Operation, Param, ParamLocation, Primitive, TypeRef, UploadFlow,
};
use crate::rust::docs;
use crate::rust::ident::ident;
use crate::rust::types::{Paths, ty};

/// The one-call upload of an `x-upload` operation: get the pre-signed URL, `PUT` the bytes
/// there without credentials, then finish with the `then` operation.
pub(super) fn upload_method(
    api: &Api,
    op: &Operation,
    flow: &UploadFlow,
    p: &Paths,
) -> Result<TokenStream, Diagnostic> {
    let then = &api.operations[flow.then];
    let (url, ticket, ticket_ty) = link_members(api, op, flow)?;
    let (then_body, then_success, then_error) = finishing_types(api, op, then, p)?;
    let then_response = api_response(then, p, &then_success);
    // The upload takes every parameter of the link operation, optional ones as `Option`s,
    // and hands them to the calls of both steps.
    let ordered: Vec<&Param> = op
        .params_in_call_order()
        .into_iter()
        .filter(|param| param.location != ParamLocation::Cookie && param.from_body.is_none())
        .collect();
    let args = upload_args(api, &ordered, p);
    let then_args = then_args(op, then)?;
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
    let doc = upload_doc(op, then, flow);
    let mut all_link_args = required_args(op);
    all_link_args.extend(link_body_arg);
    let link_call = with_optional(op, &ordered, quote!(client.#link(#(#all_link_args),*)));
    let then_call = with_optional(
        then,
        &ordered,
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
        ) -> F::Wait<impl Future<Output = Result<#then_response, UploadError<#then_error>>>> {
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

/// An error in `op`'s `x-upload`.
fn upload_error(op: &Operation, what: String) -> Diagnostic {
    Diagnostic::error(&op.origin.join("x-upload"), what)
}

/// The link operation's response members that carry the URL and the ticket: their fields,
/// and the ticket's type.
fn link_members(
    api: &Api,
    op: &Operation,
    flow: &UploadFlow,
) -> Result<(Ident, Ident, TypeRef), Diagnostic> {
    let missing = |wire: &str| {
        upload_error(
            op,
            format!("`{}` has no required response member `{wire}`", op.id),
        )
    };
    let (url, url_ty) = response_member(api, op, &flow.url).ok_or_else(|| missing(&flow.url))?;
    if url_ty != TypeRef::Primitive(Primitive::String)
        && url_ty != TypeRef::Primitive(Primitive::Uri)
    {
        return Err(upload_error(
            op,
            format!("`{}` must be a string to be a URL", flow.url),
        ));
    }
    let (ticket, ticket_ty) =
        response_member(api, op, &flow.ticket).ok_or_else(|| missing(&flow.ticket))?;
    Ok((url, ticket, ticket_ty))
}

/// The field and type of the required member `wire` of `op`'s success body, if it has one.
fn response_member(api: &Api, op: &Operation, wire: &str) -> Option<(Ident, TypeRef)> {
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
}

/// The finishing operation's JSON body, success type and error type (which must be the link
/// operation's error type too, as one `UploadError` carries both).
fn finishing_types<'a>(
    api: &Api,
    op: &Operation,
    then: &'a Operation,
    p: &Paths,
) -> Result<(&'a Body, TokenStream, TokenStream), Diagnostic> {
    let Some(then_body) = then
        .body
        .as_ref()
        .filter(|b| b.kind == BodyKind::Json && b.required)
    else {
        return Err(upload_error(
            op,
            format!("`{}` must take a required JSON body", then.id),
        ));
    };
    let (_, _, link_error) = response_types(api, op, p);
    let (_, then_success, then_error) = response_types(api, then, p);
    if link_error.to_string() != then_error.to_string() {
        return Err(upload_error(
            op,
            format!(
                "`{}` and `{}` must answer errors with the same type",
                op.id, then.id
            ),
        ));
    }
    Ok((then_body, then_success, then_error))
}

/// The upload's parameter arguments, optional ones as `Option`s.
fn upload_args(api: &Api, ordered: &[&Param], p: &Paths) -> Vec<TokenStream> {
    ordered
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
        .collect()
}

/// The names of the required parameters `of`'s client method takes.
fn required_args(of: &Operation) -> Vec<TokenStream> {
    of.params_in_call_order()
        .into_iter()
        .filter(|param| {
            param.required && param.location != ParamLocation::Cookie && param.from_body.is_none()
        })
        .map(|param| {
            let arg = ident(&param.name);
            quote!(#arg)
        })
        .collect()
}

/// The call with the optional parameters of `of` that the upload was given set on it
/// (`of` is the link operation, or the finishing one, which takes the link's by name).
fn with_optional(of: &Operation, ordered: &[&Param], call: TokenStream) -> TokenStream {
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
}

/// The required arguments of the finishing call, checking that the finishing operation's
/// parameters are the link operation's, required alike.
fn then_args(op: &Operation, then: &Operation) -> Result<Vec<TokenStream>, Diagnostic> {
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
                return Err(upload_error(
                    op,
                    format!(
                        "`{}` and `{}` must both require the parameter `{}`, or both not",
                        op.id, then.id, param.wire
                    ),
                ));
            }
            None if !param.required => {}
            None => {
                return Err(upload_error(
                    op,
                    format!(
                        "`{}` needs the parameter `{}`, which `{}` does not take",
                        then.id, param.wire, op.id
                    ),
                ));
            }
        }
        if param.required {
            let arg = ident(&param.name);
            then_args.push(quote!(#arg));
        }
    }
    Ok(then_args)
}

/// The upload method's documentation.
fn upload_doc(op: &Operation, then: &Operation, flow: &UploadFlow) -> TokenStream {
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
    quote!(#doc #[doc = ""] #links)
}
