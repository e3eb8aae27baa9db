//! What a call's `send` decodes: the runtime send method, the success type and the error
//! body type.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Body, BodyKind, Operation, Status, TypeRef};
use crate::rust::ident::ident;
use crate::rust::types::{Paths, ty};

/// `ApiResponse<success>`, with the struct of the headers the success responses document
/// when there is one.
pub(crate) fn api_response(op: &Operation, p: &Paths, success: &TokenStream) -> TokenStream {
    match &op.success_headers {
        Some(headers) => {
            let headers = ident(&headers.name);
            let prefix = &p.types;
            quote!(ApiResponse<#success, #prefix #headers>)
        }
        None => quote!(ApiResponse<#success>),
    }
}

/// The runtime send method, the success type and the error body type.
pub(crate) fn response_types(
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
