//! One method per REST operation on the generated `Mock`: the operation's mock, typed with
//! its request body, success body and error body.

use proc_macro2::TokenStream;
use quote::quote;

use super::super::client::responses::response_types;
use super::super::docs;
use super::super::features::{Groups, gate_method};
use super::super::ident::ident;
use super::super::layout::Members;
use super::super::types::{Paths, ty};
use crate::ir::{Api, BodyKind, Operation};
use crate::lower::names;

/// `on_<operation>` for every operation, laid out into `out`.
pub fn methods(api: &Api, p: &Paths, groups: Option<&Groups>, out: &mut Members) {
    for (index, op) in api.operations.iter().enumerate() {
        let method = method(api, op, p);
        out.push(match groups {
            Some(groups) => gate_method(method, &groups.operation(index)),
            None => method,
        });
    }
}

fn method(api: &Api, op: &Operation, p: &Paths) -> TokenStream {
    let name = ident(&names::mock_method(&op.name));
    let request = match &op.body {
        Some(body) if matches!(body.kind, BodyKind::Json | BodyKind::Form) => ty(&body.ty, api, p),
        // Parts carry files, which are sent, not decoded.
        Some(body) if body.kind == BodyKind::Multipart => quote!(Parts),
        _ => quote!(()),
    };
    let (send, success, error) = response_types(api, op, p);
    let (success, encoding) = match send.to_string().as_str() {
        "send_empty" => (quote!(()), quote!(Empty)),
        "send_json" => (success, quote!(Json)),
        _ => (quote!(String), quote!(Text)),
    };
    let route = format!("{} {}", op.method.to_ascii_uppercase(), op.path);
    let doc = docs::lines(&format!(
        "The mock of `{}` (`{route}`): its replies and the requests it received.\n\n\
         Handlers see the request body as `{}`\nand answer with `{}`\nor, for an error \
         status, `{}`.",
        op.id,
        plain(&request),
        plain(&success),
        plain(&error),
    ));
    quote! {
        #doc
        pub fn #name(&self) -> OperationMock<'_, #request, #success, #error> {
            OperationMock::new(self.api.rest(), #route, ResponseEncoding::#encoding)
        }
    }
}

/// A type as the docs show it: `types::Pet` rather than `crate :: types :: Pet`.
fn plain(tokens: &TokenStream) -> String {
    tokens
        .to_string()
        .replace(" :: ", "::")
        .replace("crate::", "")
        .replace(" < ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
}
