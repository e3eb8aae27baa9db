//! The structs of documented success-response headers, read by the runtime's `FromHeaders`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Docs, Header, HeaderSet, Operation, Primitive, SuccessHeaders, TypeRef};
use crate::rust::docs;
use crate::rust::ident::ident;

use super::paths::{Paths, ty};

/// How many operations a header struct's documentation names before "and N more".
const NAMED_OPERATIONS: usize = 4;

/// A header set's struct and its `FromHeaders` impl. Every member is an `Option`: a header
/// that is missing or does not read as its type must not fail a successful call.
pub(super) fn header_set(api: &Api, set: &HeaderSet, p: &Paths) -> TokenStream {
    let name = ident(&set.name);
    let runtime = &p.runtime;
    let doc = docs::own(&struct_doc(set, runtime));
    let fields = set.headers.iter().map(|h| {
        let member = ident(&h.name);
        let value = ty(&header_type(&h.ty), api, p);
        let doc = member_doc(h);
        quote! { #doc pub #member: Option<#value>, }
    });
    let reads = set.headers.iter().map(|h| {
        let member = ident(&h.name);
        let wire = h.wire.to_ascii_lowercase();
        let read = match header_type(&h.ty) {
            TypeRef::Array(_) => quote!(header_list),
            _ => quote!(header),
        };
        quote! { #member: #runtime::#read(headers, #wire), }
    });
    quote! {
        #doc
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #runtime::FromHeaders for #name {
            fn from_headers(headers: &#runtime::reqwest::header::HeaderMap) -> Self {
                Self {
                    #(#reads)*
                }
            }
        }
    }
}

/// `<Call>Headers` of an operation whose headers are read into a struct named otherwise
/// (`headers`, the operation's).
pub(super) fn alias(api: &Api, op: &Operation, headers: &SuccessHeaders) -> TokenStream {
    let target = &api.header_sets[headers.set].name;
    let name = ident(&headers.name);
    let doc = docs::own(&format!(
        "The headers documented for a successful response of `{}`: [`{target}`], which other \
         operations return too. This name stays as long as the operation does.",
        op.id.replace('`', "")
    ));
    let target = ident(target);
    quote! { #doc pub type #name = #target; }
}

/// A header is there or not: its own `null` means nothing more, and bytes come as text.
fn header_type(t: &TypeRef) -> TypeRef {
    match t {
        TypeRef::Nullable(inner) => header_type(inner),
        TypeRef::Array(inner) => TypeRef::Array(Box::new(header_type(inner))),
        TypeRef::Primitive(Primitive::Binary) => TypeRef::Primitive(Primitive::String),
        other => other.clone(),
    }
}

fn struct_doc(set: &HeaderSet, runtime: &TokenStream) -> String {
    let mut ops: Vec<String> = set
        .operations
        .iter()
        .take(NAMED_OPERATIONS)
        .map(|id| format!("`{}`", id.replace('`', "")))
        .collect();
    let more = set.operations.len().saturating_sub(NAMED_OPERATIONS);
    if more > 0 {
        ops.push(format!("{more} more"));
    }
    let list = match ops.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    let runtime = runtime.to_string().replace(' ', "");
    format!(
        "The headers documented for a successful response of {list}.\n\n\
         Read them with [`ApiResponse::typed_headers`]({runtime}::ApiResponse::typed_headers): \
         each is `None` when the response leaves it out or its value does not read as its type."
    )
}

fn member_doc(h: &Header) -> TokenStream {
    let wire = format!("The `{}` header.", h.wire.replace('`', ""));
    let description = match (&h.docs.summary, &h.docs.description) {
        (None, None) => None,
        (summary, description) => {
            let mut text: Vec<&str> = [summary, description]
                .into_iter()
                .flatten()
                .map(|t| t.trim())
                .collect();
            text.dedup();
            Some(format!("{}\n\n{wire}", text.join("\n\n")))
        }
    };
    let docs = Docs {
        summary: None,
        description,
        ..h.docs.clone()
    };
    docs::attrs(&docs, &wire)
}
