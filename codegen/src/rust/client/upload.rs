//! The one-call upload of an `x-upload` operation.

use proc_macro2::TokenStream;
use quote::quote;

use super::body::body_arg;
use super::operation::param_type;
use super::responses::response_types;
use crate::diag::Diagnostic;
use crate::ir::{Api, BodyKind, Operation, Param, ParamLocation, Primitive, TypeRef};
use crate::rust::docs;
use crate::rust::ident::ident;
use crate::rust::types::{Paths, ty};

/// The one-call upload of an `x-upload` operation: get the pre-signed URL, `PUT` the bytes
/// there without credentials, then finish with the `then` operation.
pub(super) fn upload_method(
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
