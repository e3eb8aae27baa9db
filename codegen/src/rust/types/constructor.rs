//! How a struct is built: `new` with its required members, a `with_` setter per optional
//! one, and the types they take.

use proc_macro2::TokenStream;
use quote::quote;

use super::paths::{Paths, ty};
use crate::ir::{Api, Field, Files, Primitive, Struct, TypeKind, TypeRef};
use crate::rust::docs;
use crate::rust::ident::ident;

/// The Rust type of a member's value, inside its `Option`s: a file part for the files of a
/// multipart body, the boxed type for a member that closes a cycle.
pub(super) fn member_ty(api: &Api, f: &Field, p: &Paths, multipart: bool) -> TokenStream {
    let rt = &p.runtime;
    match f.files().filter(|_| multipart) {
        Some(Files::One) => quote!(#rt::FilePart),
        Some(Files::Many) => quote!(Vec<#rt::FilePart>),
        None => {
            let t = ty(&f.ty, api, p);
            if f.boxed { quote!(Box<#t>) } else { t }
        }
    }
}

/// Whether a member is a constant, which `new` fills in: a required one-value enum.
pub fn is_constant(api: &Api, f: &Field) -> bool {
    f.required
        && matches!(&f.ty, TypeRef::Named(id) if matches!(&api.ty(*id).kind, TypeKind::Enum(e) if e.values.len() == 1))
        && !f.nullable
}

/// The members `new` takes, in order: the required ones (flattened parts included) that are
/// not constants. Every struct has a `new`: its values cannot be written as struct
/// expressions outside the crate.
pub fn constructor_args<'a>(api: &Api, s: &'a Struct) -> Vec<&'a Field> {
    s.fields
        .iter()
        .filter(|f| (f.required || f.flatten) && !is_constant(api, f))
        .collect()
}

/// Whether a member's Rust type is a plain `String`, which `new` and the setters take as
/// `impl Into<String>` (not a file of a multipart body).
fn is_text(f: &Field, multipart: bool) -> bool {
    matches!(
        f.ty,
        TypeRef::Primitive(Primitive::String | Primitive::Uri | Primitive::Binary)
    ) && !f.boxed
        && !(multipart && f.files().is_some())
}

/// What `new` takes (see [`constructor_args`]), as `name: Type`.
pub(super) fn new_args(api: &Api, s: &Struct, p: &Paths) -> Vec<TokenStream> {
    let multipart = s.multipart;
    constructor_args(api, s)
        .iter()
        .map(|f| {
            let field = ident(&f.name);
            let mut t = member_ty(api, f, p, multipart);
            if f.nullable && !f.flatten {
                t = quote!(Option<#t>);
            } else if is_text(f, multipart) {
                t = quote!(impl Into<String>);
            }
            quote!(#field: #t)
        })
        .collect()
}

/// The doc comment of a written-out `new`, naming what it sets.
fn new_doc(api: &Api, s: &Struct) -> TokenStream {
    let required = constructor_args(api, s);
    let wires: Vec<String> = required
        .iter()
        .map(|f| {
            if f.flatten {
                format!("the members of `{}`", f.name)
            } else {
                format!("`{}`", f.wire)
            }
        })
        .collect();
    let has_optional = s.fields.iter().any(|f| !f.required && !f.flatten);
    let doc = match wires.split_last() {
        None if has_optional => "A value with every optional member left out.".to_owned(),
        None => "The value.".to_owned(),
        Some((last, rest)) => {
            let list = if rest.is_empty() {
                last.clone()
            } else {
                format!("{} and {last}", rest.join(", "))
            };
            if has_optional {
                format!("A value with {list} set and every optional member left out.")
            } else {
                format!("A value with {list} set.")
            }
        }
    };
    docs::lines(&doc)
}

/// `new(required members...)` with every optional member left out (see [`constructor_args`]),
/// and a `with_` setter per optional member: written out, for the structs `model!` does
/// not declare.
pub(super) fn constructor(
    api: &Api,
    name: &proc_macro2::Ident,
    s: &Struct,
    p: &Paths,
) -> TokenStream {
    let (args, doc) = (new_args(api, s, p), new_doc(api, s));
    let multipart = s.multipart;
    let inits = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        if is_constant(api, f) {
            quote!(#field: Default::default())
        } else if is_text(f, multipart) && f.required && !f.nullable {
            quote!(#field: #field.into())
        } else if f.required || f.flatten {
            quote!(#field)
        } else {
            quote!(#field: None)
        }
    });
    let setters = s
        .fields
        .iter()
        .filter(|f| !f.required && !f.flatten)
        .map(|f| setter(api, f, p, multipart));
    let extra = s
        .extra
        .as_ref()
        .map(|_| quote!(additional_properties: BTreeMap::new(),));
    let many = (args.len() > 7).then(|| {
        quote!(#[allow(clippy::too_many_arguments, reason = "one argument per required member")])
    });
    quote! {
        impl #name {
            #doc
            #many
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits,)* #extra }
            }

            #(#setters)*
        }
    }
}

/// A setter's name and what it takes: `impl Into<String>` for text, `Option` of the value
/// where `null` is apart from absent (`Some(None)` sends an explicit null).
pub(super) fn setter_signature(
    api: &Api,
    f: &Field,
    p: &Paths,
    multipart: bool,
) -> (proc_macro2::Ident, TokenStream) {
    let method = ident(&format!("with_{}", f.name.trim_start_matches("r#")));
    let mut t = member_ty(api, f, p, multipart);
    if is_text(f, multipart) && !f.nullable {
        t = quote!(impl Into<String>);
    }
    if f.nullable {
        t = quote!(Option<#t>);
    }
    (method, t)
}

/// `with_<member>(value)`: the value with an optional member set.
fn setter(api: &Api, f: &Field, p: &Paths, multipart: bool) -> TokenStream {
    let field = ident(&f.name);
    let (method, t) = setter_signature(api, f, p, multipart);
    let value = if is_text(f, multipart) && !f.nullable {
        quote!(value.into())
    } else {
        quote!(value)
    };
    let doc = docs::lines(&format!("Sets `{}`.", f.wire));
    quote! {
        #doc
        #[must_use]
        pub fn #method(mut self, value: #t) -> Self {
            self.#field = Some(#value);
            self
        }
    }
}
