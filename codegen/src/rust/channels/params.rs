//! A connection's query parameters: `<Channel>Params`, with `new` and `with_` setters.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Channel};
use crate::rust::docs;
use crate::rust::ident::ident;
use crate::rust::types::{Paths, ty};

use super::naming::ChannelNames;

/// `<Channel>Params`, the connection's query parameters, with `new` and `with_` setters.
pub(super) fn params_items(api: &Api, c: &Channel, p: &Paths) -> Option<TokenStream> {
    if c.params.is_empty() {
        return None;
    }
    let params_name = ChannelNames::of(c).params;
    let fields = c.params.iter().map(|param| {
        let name = ident(&param.name);
        let t = ty(&param.ty, api, p);
        let t = if param.required {
            t
        } else {
            quote!(Option<#t>)
        };
        let doc = docs::attrs(
            &param.docs,
            &format!("The `{}` query parameter.", param.wire),
        );
        quote! { #doc pub #name: #t, }
    });
    let required: Vec<_> = c.params.iter().filter(|x| x.required).collect();
    let new_args = required.iter().map(|param| {
        let name = ident(&param.name);
        let t = ty(&param.ty, api, p);
        quote!(#name: #t)
    });
    let new_fields = c.params.iter().map(|param| {
        let name = ident(&param.name);
        if param.required {
            quote!(#name)
        } else {
            quote!(#name: None)
        }
    });
    let params_doc = docs::lines(&format!(
        "The query parameters of {} connection (`{}`).",
        docs::a_code(&c.id),
        c.address
    ));
    let param_setters = c
        .params
        .iter()
        .filter(|param| !param.required)
        .map(|param| {
            let name = ident(&param.name);
            let method = ident(&format!("with_{}", param.name.trim_start_matches("r#")));
            let t = ty(&param.ty, api, p);
            let doc = docs::lines(&format!("Sets `{}`.", param.wire));
            quote! {
                #doc
                #[must_use]
                pub fn #method(mut self, value: #t) -> Self {
                    self.#name = Some(value);
                    self
                }
            }
        });
    Some(quote! {
        #params_doc
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub struct #params_name {
            #(#fields)*
        }

        impl #params_name {
            /// Parameters with the required values set and the optional ones left out.
            pub fn new(#(#new_args),*) -> Self {
                Self { #(#new_fields),* }
            }

            #(#param_setters)*
        }
    })
}
