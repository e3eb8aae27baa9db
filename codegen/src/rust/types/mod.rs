//! Models: one Rust item per IR type.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::areas::{AreaFile, AreaPages};
use super::docs;
use super::features::{Groups, Place};
use super::ident::ident;
use super::imports::Used;
use super::layout::{Module, Page};
use crate::ir::{Api, Enum, Field, Struct, TypeDef, TypeId, TypeKind, TypeRef};

mod constructor;
mod headers;
mod paths;
mod union;

use constructor::{constructor, member_ty, new_args, setter_signature};
pub use constructor::{constructor_args, is_constant};
pub use paths::{Paths, ty};
use union::union;

/// The whole `types` module, each type laid out as soon as it is built; split into areas
/// when the crate is, with the files of its areas.
pub fn module(
    api: &Api,
    runtime: &TokenStream,
    groups: Option<&Groups>,
) -> (Module, Vec<AreaFile>) {
    let p = Paths {
        types: TokenStream::new(),
        runtime: runtime.clone(),
    };
    let mut defaults = DefaultCache::default();
    let mut body = Page::default();
    let mut areas = AreaPages::default();
    for entry in entries(api) {
        let (items, place) = match entry {
            Entry::Type(id) => {
                let def = api.ty(id);
                let items = match &def.kind {
                    TypeKind::Struct(s) => {
                        structure(api, def, s, &p, defaults.has_default(api, id))
                    }
                    TypeKind::Enum(e) => enumeration(def, e, &p),
                    TypeKind::Union(u) => union(api, def, u, &p),
                    TypeKind::Alias(t) => {
                        let name = ident(&def.name);
                        let doc = docs::attrs(&def.docs, &format!("`{}`.", def.name));
                        let target = ty(t, api, &p);
                        quote! { #doc pub type #name = #target; }
                    }
                };
                (items, groups.map(|groups| groups.type_place(id)))
            }
            Entry::HeaderSet(index) => {
                let items = headers::header_set(api, &api.header_sets[index], &p);
                (
                    items,
                    groups.map(|groups| groups.header_set_place(api, index)),
                )
            }
            Entry::HeadersAlias(index) => {
                let op = &api.operations[index];
                let items = match &op.success_headers {
                    Some(own) => headers::alias(api, op, own),
                    None => TokenStream::new(),
                };
                let area = groups.map(|groups| Place::Area(groups.operation_area(index)));
                (items, area)
            }
        };
        match place {
            None | Some(Place::Module(None)) => body.push(items, None),
            Some(Place::Module(Some(cfg))) => body.push(items, Some(&cfg)),
            Some(Place::Area(area)) => areas.page(area).push(items, None),
        }
    }
    let files = match groups {
        Some(groups) => areas.finish(groups, &mut body, imports),
        None => Vec::new(),
    };
    // With some areas left out, some imports go unused.
    let lint = groups.map(|_| quote!(#![allow(unused_imports)]));
    let own = imports(body.used());
    let head = quote! {
        #lint

        #own
    };
    (Module { head, body }, files)
}

/// The `use` lines for the names `used`.
fn imports(used: &Used) -> TokenStream {
    let std = super::imports::std_imports(used);
    // A document without schemas has no types to derive anything for.
    let serde = super::imports::imports_used(quote!(serde), &["Deserialize", "Serialize"], used);
    quote! {
        #std
        #serde
    }
}

/// An item of the types module.
enum Entry {
    Type(TypeId),
    /// A struct of documented response headers.
    HeaderSet(usize),
    /// An operation's own name for its header struct, when the struct is named otherwise.
    HeadersAlias(usize),
}

/// The module's items in order of name: types, header structs and their aliases share one
/// namespace.
fn entries(api: &Api) -> Vec<Entry> {
    let types = api.types_by_name().into_iter().map(Entry::Type);
    if api.header_sets.is_empty() {
        return types.collect();
    }
    let name = |entry: &Entry| -> &str {
        match entry {
            Entry::Type(id) => &api.ty(*id).name,
            Entry::HeaderSet(index) => &api.header_sets[*index].name,
            Entry::HeadersAlias(index) => api.operations[*index]
                .success_headers
                .as_ref()
                .map_or("", |h| h.name.as_str()),
        }
    };
    let sets = (0..api.header_sets.len()).map(Entry::HeaderSet);
    let aliases = api.operations.iter().enumerate().filter_map(|(index, op)| {
        let headers = op.success_headers.as_ref()?;
        (api.header_sets[headers.set].name != headers.name).then_some(Entry::HeadersAlias(index))
    });
    let mut entries: Vec<Entry> = types.chain(sets).chain(aliases).collect();
    entries.sort_by(|a, b| name(a).cmp(name(b)));
    entries
}

fn structure(api: &Api, def: &TypeDef, s: &Struct, p: &Paths, default: bool) -> TokenStream {
    let name = ident(&def.name);
    if s.multipart {
        return multipart_structure(api, def, s, p);
    }
    let doc = || docs::attrs(&def.docs, &format!("`{}`.", def.name));
    let redacted = s
        .fields
        .iter()
        .any(|f| f.sensitive)
        .then(|| redacted_debug(def, s, p));
    let mut derives = vec![quote!(Clone)];
    derives.extend(redacted.is_none().then(|| quote!(Debug)));
    derives.extend(default.then(|| quote!(Default)));
    derives.push(quote!(PartialEq));
    // serde's derives serve a struct only where members are flattened into it; elsewhere
    // the runtime's `model!` declares it, with serde at a fraction of the code for rustc.
    if s.extra.is_none() && !s.fields.iter().any(|f| f.flatten) {
        // `model!` documents a struct the schema says nothing of with its name.
        let doc = (!docs::says_nothing(&def.docs)).then(doc);
        let model = model(api, &name, s, p, (doc, derives));
        return quote! {
            #model

            #redacted
        };
    }
    let doc = doc();
    let fields = s.fields.iter().map(|f| {
        let (doc, ty) = (field_doc(f), field_ty(api, f, p));
        let name = ident(&f.name);
        if f.flatten {
            quote! { #doc #[serde(flatten)] pub #name: #ty, }
        } else {
            let attr = serde_attribute(f, &name);
            quote! { #doc #attr pub #name: #ty, }
        }
    });
    let extra = s.extra.as_ref().map(|t| {
        let value = ty(t, api, p);
        quote! {
            /// Members not listed above.
            #[serde(flatten)]
            pub additional_properties: BTreeMap<String, #value>,
        }
    });
    let constructor = constructor(api, &name, s, p);
    // Non-exhaustive, so that a new member is a minor change: values are built with `new`
    // and the `with_` setters, read and changed through the public fields.
    quote! {
        #doc
        #[derive(#(#derives,)* Serialize, Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #extra
        }

        #redacted

        #constructor
    }
}

/// `Debug` for a struct with secrets: each secret shows whether it is set, never its value.
fn redacted_debug(def: &TypeDef, s: &Struct, p: &Paths) -> TokenStream {
    let name = ident(&def.name);
    let rt = &p.runtime;
    let label = &def.name;
    let fields = s.fields.iter().map(|f| {
        let member = ident(&f.name);
        let label = f.name.trim_start_matches("r#");
        let shown = match (f.sensitive, f.option_layers()) {
            (false, _) => quote!(&self.#member),
            (true, 0) => quote!(&#rt::Redacted),
            (true, 1) => quote!(&self.#member.as_ref().map(|_| #rt::Redacted)),
            (true, _) => quote!(&self.#member.as_ref().map(|v| v.as_ref().map(|_| #rt::Redacted))),
        };
        quote!(.field(#label, #shown))
    });
    let extra = s
        .extra
        .as_ref()
        .map(|_| quote!(.field("additional_properties", &self.additional_properties)));
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#label) #(#fields)* #extra .finish()
            }
        }
    }
}

/// The body of `multipart/form-data` requests: the client sends each member as parts, so it is
/// built, not serialized (no serde), and its files are `FilePart`s, which are neither
/// `Clone` nor comparable (a stream).
fn multipart_structure(api: &Api, def: &TypeDef, s: &Struct, p: &Paths) -> TokenStream {
    let name = ident(&def.name);
    let doc = docs::attrs(
        &def.docs,
        &format!("`{}`: a `multipart/form-data` body.", def.name),
    );
    let fields = s.fields.iter().map(|f| {
        let member = ident(&f.name);
        let doc = docs::attrs(&f.docs, &format!("The `{}` part.", f.wire));
        let t = member_ty(api, f, p, true);
        let t = match f.option_layers() {
            0 => t,
            1 => quote!(Option<#t>),
            _ => quote!(Option<Option<#t>>),
        };
        quote! { #doc pub #member: #t, }
    });
    let extra = s.extra.as_ref().map(|t| {
        let value = ty(t, api, p);
        quote! {
            /// Members not listed above, each sent as a part.
            pub additional_properties: BTreeMap<String, #value>,
        }
    });
    let constructor = constructor(api, &name, s, p);
    // Without required members `new()` takes nothing, and `Default` is the same value.
    let default = constructor_args(api, s).is_empty().then(|| {
        quote! {
            impl Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(Debug)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #extra
        }

        #constructor
        #default
    }
}

/// `model! { struct .. fn new(..); }`: the runtime declares the struct with its `new`,
/// setters and serde from each member's type, mode, wire name and setter. The mode says
/// how an absent or `null` member reads and when the member is written.
fn model(
    api: &Api,
    name: &proc_macro2::Ident,
    s: &Struct,
    p: &Paths,
    (doc, derives): (Option<TokenStream>, Vec<TokenStream>),
) -> TokenStream {
    let rt = &p.runtime;
    let members = s.fields.iter().map(|f| {
        let member = ident(&f.name);
        // `model!` documents a member the schema says nothing of as "The `wire` member.".
        let doc = (!docs::says_nothing(&f.docs) || f.default.is_some()).then(|| field_doc(f));
        let ty = field_ty(api, f, p);
        let wire = &f.wire;
        let mode = match (f.required, f.nullable, present(f)) {
            _ if is_constant(api, f) => quote!(constant),
            (true, false, _) => quote!(required),
            (true, true, _) => quote!(nullable),
            (false, _, true) => quote!(present),
            (false, _, false) => quote!(optional),
        };
        let read_only = f.read_only.then(|| quote!(read_only));
        let setter = (!f.required).then(|| {
            let (method, arg) = setter_signature(api, f, p, false);
            quote!(=> #method(#arg))
        });
        quote! { #doc pub #member: #ty = #mode #wire #read_only #setter }
    });
    let args = new_args(api, s, p);
    let new = (!args.is_empty()).then(|| quote!(pub fn new(#(#args),*);));
    quote! {
        #rt::model! {
            #doc
            #[derive(#(#derives),*)]
            pub struct #name {
                #(#members),*
            }
            #new
        }
    }
}

/// Whether an optional member reads `null` as `Some` (`Some(None)`, or `Some(Value::Null)`),
/// apart from absent.
fn present(f: &Field) -> bool {
    !f.required && (f.nullable || f.ty == TypeRef::Any)
}

/// A member's doc comment, with its default.
fn field_doc(f: &Field) -> TokenStream {
    let mut fallback = format!("The `{}` member.", f.wire);
    if let Some(d) = &f.default {
        fallback = format!("{fallback} Defaults to `{d}`.");
    }
    let mut text_docs = f.docs.clone();
    if let (Some(d), Some(desc)) = (&f.default, &text_docs.description) {
        text_docs.description = Some(format!("{desc}\n\nDefaults to `{d}` when absent."));
    }
    docs::attrs(&text_docs, &fallback)
}

/// A member's Rust type. An optional member that may be `null` keeps "absent" and "null"
/// apart: `None` is absent, `Some(None)` (or `Some(Value::Null)`) is an explicit null.
fn field_ty(api: &Api, f: &Field, p: &Paths) -> TokenStream {
    let mut inner = ty(&f.ty, api, p);
    if f.boxed {
        inner = quote!(Box<#inner>);
    }
    if f.flatten {
        return inner;
    }
    match (f.required, f.nullable) {
        (true, false) => inner,
        (true, true) | (false, false) => quote!(Option<#inner>),
        (false, true) => quote!(Option<Option<#inner>>),
    }
}

/// The one `#[serde(..)]` of a member, for serde's derives.
fn serde_attribute(f: &Field, name: &proc_macro2::Ident) -> Option<TokenStream> {
    // serde names a field after its identifier without `r#`; anything else needs a rename.
    let wire = &f.wire;
    let rename =
        (name.to_string().trim_start_matches("r#") != f.wire).then(|| quote!(rename = #wire));
    let mut args: Vec<TokenStream> = rename.into_iter().collect();
    if !f.required {
        args.push(quote!(default));
    }
    // What only the server writes is read, never sent.
    if f.read_only {
        args.push(quote!(skip_serializing));
    } else if !f.required {
        args.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    if present(f) {
        args.push(quote!(deserialize_with = "autessa_runtime::present"));
    }
    (!args.is_empty()).then(|| quote!(#[serde(#(#args),*)]))
}

/// `open_enum! { enum .. }`: the runtime declares the enum, documents each variant with its
/// wire value, and gives it what its wire form does (`as_str`, `From<&str>`, serde,
/// comparison as the wire value). Unknown values are kept in the fallback variant.
fn enumeration(def: &TypeDef, e: &Enum, p: &Paths) -> TokenStream {
    let name = ident(&def.name);
    let rt = &p.runtime;
    // `open_enum!` documents an enum the schema says nothing of with its name.
    let doc = (!docs::says_nothing(&def.docs))
        .then(|| docs::attrs(&def.docs, &format!("`{}`.", def.name)));
    let fallback = ident(&e.fallback);
    let variants = e.values.iter().enumerate().map(|(i, v)| {
        let var = ident(&v.name);
        let wire = &v.wire;
        // The macro writes the wire value as the first line; a description, or a value
        // that does not read plainly in backticks, follows as a paragraph of its own.
        let plain = format!("`{wire}`") == wire_doc(wire);
        let doc = match (&v.description, plain) {
            (Some(text), true) => docs::lines(&format!("\n{text}")),
            (Some(text), false) => docs::lines(&format!("\n{}: {text}", wire_doc(wire))),
            (None, true) => TokenStream::new(),
            (None, false) => docs::lines(&format!("\n{}", wire_doc(wire))),
        };
        let default = (e.default == Some(i)).then(|| quote!(#[default]));
        quote! { #doc #default #var = #wire, }
    });
    let derive_default = e.default.map(|_| quote!(, Default));
    quote! {
        #rt::open_enum! {
            #doc
            #[derive(Clone, Debug #derive_default)]
            pub enum #name {
                #(#variants)*
                _ = #fallback,
            }
        }
    }
}

/// A wire value as inline code, quoted when it would not read plainly.
fn wire_doc(wire: &str) -> String {
    if wire.is_empty()
        || wire.contains('`')
        || wire.chars().any(char::is_control)
        || wire.trim() != wire
    {
        // A double-backtick span may hold single backticks.
        format!("`` {wire:?} ``")
    } else {
        format!("`{wire}`")
    }
}

/// Which named types can derive `Default`.
#[derive(Default)]
struct DefaultCache(HashMap<TypeId, bool>);

impl DefaultCache {
    fn has_default(&mut self, api: &Api, id: TypeId) -> bool {
        if let Some(known) = self.0.get(&id) {
            return *known;
        }
        // Assume no while deciding, which also ends cycles.
        self.0.insert(id, false);
        let result = match &api.ty(id).kind {
            // A multipart body is built with `new`: a file has no default.
            TypeKind::Struct(s) if s.multipart => false,
            // Only a value whose members may all be absent has a default: a made-up
            // required member (an empty id) would be sent as if the caller meant it. A
            // constant (a one-value enumeration) is the exception: it has one value.
            TypeKind::Struct(s) => s.fields.iter().all(|f| {
                !f.required || f.nullable || is_constant(api, f) && self.type_default(api, &f.ty)
            }),
            TypeKind::Enum(e) => e.default.is_some(),
            TypeKind::Union(_) => false,
            TypeKind::Alias(t) => self.type_default(api, t),
        };
        self.0.insert(id, result);
        result
    }

    fn type_default(&mut self, api: &Api, t: &TypeRef) -> bool {
        match t {
            TypeRef::Named(id) => self.has_default(api, *id),
            _ => true,
        }
    }
}
