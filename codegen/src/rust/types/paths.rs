//! How a use of an IR type is written in Rust.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Primitive, TypeRef};
use crate::rust::ident::ident;

/// How type names are written from the module being emitted.
pub struct Paths {
    /// Prefix for named types (`crate::types::` outside the types module, empty inside).
    pub types: TokenStream,
    /// The runtime crate.
    pub runtime: TokenStream,
}

/// The Rust type for a use of an IR type.
pub fn ty(t: &TypeRef, api: &Api, p: &Paths) -> TokenStream {
    match t {
        TypeRef::Named(id) => {
            let name = ident(&api.ty(*id).name);
            let prefix = &p.types;
            quote!(#prefix #name)
        }
        TypeRef::Primitive(prim) => primitive(*prim, p),
        TypeRef::Array(item) => {
            let item = ty(item, api, p);
            quote!(Vec<#item>)
        }
        TypeRef::Map(value) => {
            let value = ty(value, api, p);
            quote!(BTreeMap<String, #value>)
        }
        TypeRef::Nullable(inner) => {
            let inner = ty(inner, api, p);
            quote!(Option<#inner>)
        }
        TypeRef::Any => quote!(serde_json::Value),
    }
}

fn primitive(prim: Primitive, p: &Paths) -> TokenStream {
    let rt = &p.runtime;
    match prim {
        Primitive::String | Primitive::Uri | Primitive::Binary => quote!(String),
        Primitive::Boolean => quote!(bool),
        Primitive::I32 => quote!(i32),
        Primitive::I64 => quote!(i64),
        Primitive::U64 => quote!(u64),
        Primitive::F32 => quote!(f32),
        Primitive::F64 => quote!(f64),
        Primitive::DateTime => quote!(#rt::DateTime),
        Primitive::Date => quote!(#rt::Date),
        Primitive::Uuid => quote!(#rt::Uuid),
        Primitive::Base64 => quote!(#rt::Base64),
    }
}
