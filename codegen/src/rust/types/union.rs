//! Unions: an enum with a variant per alternative, and one that keeps what it does not
//! recognise.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::paths::{Paths, ty};
use crate::ir::{Api, TypeDef, TypeRef, Union, Variant};
use crate::rust::docs;
use crate::rust::ident::ident;

/// A union: an enum with a variant per alternative and one that keeps an unknown value,
/// tagged when the union has a discriminator.
pub(super) fn union(api: &Api, def: &TypeDef, u: &Union, p: &Paths) -> TokenStream {
    let name = ident(&def.name);
    let doc = docs::attrs(&def.docs, &format!("`{}`.", def.name));
    let fallback = ident(&u.fallback);
    let variants = union_variants(api, u, p);
    let froms = union_froms(api, &name, u, p);
    let fallback_variant = quote! {
        /// A value this client does not recognise, kept as received.
        #[serde(untagged)]
        #fallback(serde_json::Value),
    };
    match &u.discriminator {
        Some(tag) => {
            let deserialize = tagged_deserialize(api, &name, &fallback, tag, u, p);
            quote! {
                #doc
                #[derive(Clone, Debug, PartialEq, Serialize)]
                #[serde(tag = #tag)]
                #[non_exhaustive]
                pub enum #name {
                    #(#variants)*
                    #fallback_variant
                }

                #deserialize

                #(#froms)*
            }
        }
        None => quote! {
            #doc
            #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
            #[serde(untagged)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                #fallback_variant
            }

            #(#froms)*
        },
    }
}

/// The type a union variant holds: its alternative's type, boxed when it is recursive.
fn variant_payload(api: &Api, v: &Variant, p: &Paths) -> TokenStream {
    let t = ty(&v.ty, api, p);
    if v.boxed { quote!(Box<#t>) } else { t }
}

/// A union's variants, one per alternative, renamed to their tags.
fn union_variants(api: &Api, u: &Union, p: &Paths) -> Vec<TokenStream> {
    u.variants
        .iter()
        .map(|v| {
            let var = ident(&v.name);
            let t = variant_payload(api, v, p);
            let fallback_doc = match &v.tag {
                Some(tag) => format!("`{tag}`."),
                None => format!("{}.", capitalized(&docs::a_code(&v.name))),
            };
            let doc = docs::attrs(&v.docs, &fallback_doc);
            let rename = v.tag.as_ref().map(|tag| quote!(#[serde(rename = #tag)]));
            quote! { #doc #rename #var(#t), }
        })
        .collect()
}

/// `From` for each variant whose payload type appears once (aliases followed: two aliases
/// of `String` are one type to the compiler).
fn union_froms(api: &Api, name: &Ident, u: &Union, p: &Paths) -> Vec<TokenStream> {
    let same_type = |v: &Variant| ty(&unaliased(&v.ty, api), api, p).to_string();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for v in &u.variants {
        *counts.entry(same_type(v)).or_default() += 1;
    }
    u.variants
        .iter()
        .filter(|v| counts[&same_type(v)] == 1)
        .map(|v| {
            let var = ident(&v.name);
            let t = ty(&v.ty, api, p);
            let value = if v.boxed {
                quote!(Box::new(value))
            } else {
                quote!(value)
            };
            quote! {
                impl From<#t> for #name {
                    fn from(value: #t) -> Self {
                        Self::#var(#value)
                    }
                }
            }
        })
        .collect()
}

/// A tagged union's `Deserialize`, which dispatches on the tag `tag`.
fn tagged_deserialize(
    api: &Api,
    name: &Ident,
    fallback: &Ident,
    tag: &str,
    u: &Union,
    p: &Paths,
) -> TokenStream {
    let arms = u.variants.iter().map(|v| {
        let var = ident(&v.name);
        let wire = v.tag.as_deref().unwrap_or_default();
        // `Box<T>::` would read as a comparison: a generic type goes in `<>`.
        let t = variant_payload(api, v, p);
        let t = if v.boxed { quote!(<#t>) } else { t };
        quote! {
            Some(#wire) => #t::deserialize(value).map(Self::#var),
        }
    });
    quote! {
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // Dispatch on the tag: a known tag must decode strictly, an unknown
                // one is kept whole.
                let value = serde_json::Value::deserialize(deserializer)?;
                let decoded = match value.get(#tag).and_then(serde_json::Value::as_str) {
                    #(#arms)*
                    _ => return Ok(Self::#fallback(value)),
                };
                decoded.map_err(serde::de::Error::custom)
            }
        }
    }
}

/// `t` with aliases followed, down through arrays, maps and nullables.
fn unaliased(t: &TypeRef, api: &Api) -> TypeRef {
    match crate::ir::resolve(&api.types, t) {
        TypeRef::Array(item) => TypeRef::Array(Box::new(unaliased(item, api))),
        TypeRef::Map(value) => TypeRef::Map(Box::new(unaliased(value, api))),
        TypeRef::Nullable(inner) => TypeRef::Nullable(Box::new(unaliased(inner, api))),
        other => other.clone(),
    }
}

/// `text` with its first letter in upper case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
