//! The statements of a channel example and the values in them: constructors and setters
//! for structs, variants for enums and unions, literals for the rest.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{ToTokens, quote};
use serde_json::{Map, Value};

use super::literal::{Expr, decoded, float, int, json_scalar, json_text};
use crate::docs::synth::{MAX_DEPTH, fits, synthesize_within};
use crate::ir::{
    Api, Channel, Field, Message, Primitive, StreamRole, Struct, TypeId, TypeKind, TypeRef,
};
use crate::rust::channels::naming::{ChannelNames, reply_parts};
use crate::rust::ident::ident;
use crate::rust::types::{constructor_args, is_constant};

/// The statements of one example function, with the locals it has named.
pub(super) struct Writer<'a> {
    pub(super) api: &'a Api,
    pub(super) body: Vec<TokenStream>,
    pub(super) locals: BTreeSet<String>,
    /// Items of the `channels` module the example names, in order of first use.
    pub(super) channel_items: Vec<Ident>,
    pub(super) uses_types: bool,
    pub(super) uses_stream_ext: bool,
    /// The path of the crate's `types` module in the example (`types`, imported, or the
    /// crate's full path).
    pub(super) types: TokenStream,
}

impl<'a> Writer<'a> {
    pub(super) fn new(api: &'a Api, krate: &Ident) -> Writer<'a> {
        // Names the example uses itself (and the crate's), which a value's local must not
        // take.
        let locals = [
            "client",
            "params",
            "connection",
            "reply",
            "part",
            "chunk",
            "result",
            "error",
            "other",
            "event",
            "first",
            "data",
            "types",
            "serde_json",
            "futures_util",
            "std",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([krate.to_string()])
        .collect();
        Writer {
            api,
            body: Vec::new(),
            locals,
            channel_items: Vec::new(),
            uses_types: false,
            uses_stream_ext: false,
            types: quote!(types),
        }
    }

    pub(super) fn import(&mut self, item: &Ident) {
        if !self.channel_items.contains(item) {
            self.channel_items.push(item.clone());
        }
    }

    /// A new local, named after `hint` (an IR name, already snake case).
    pub(super) fn local(&mut self, hint: &str) -> Ident {
        let base = ident(hint).to_string().trim_start_matches("r#").to_owned();
        let mut name = base.clone();
        let mut n = 2;
        while self.locals.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.locals.insert(name.clone());
        ident(&name)
    }

    /// A local holding `value` as a `ty`, named after `hint`.
    pub(super) fn bind(&mut self, hint: &str, ty: &TypeRef, value: &Value) -> Ident {
        let Expr::Tokens(expr) = self.value(ty, value, hint, 0);
        let local = self.local(hint);
        self.body.push(quote!(let #local = #expr;));
        local
    }

    /// Prints the parts of a reply (`reply`, a stream of them) until it ends, or, on a
    /// connection without one, every event until the connection closes.
    pub(super) fn receive(&mut self, c: &Channel, names: &ChannelNames, reply: TokenStream) {
        let Some(parts) = reply_parts(c) else {
            // No reply stream (and so no `reply` method).
            self.listen();
            return;
        };
        self.import(&names.reply);
        self.uses_stream_ext = true;
        let reply_enum = &names.reply;
        let arms = parts.iter().map(|m| {
            let variant = ident(&m.name);
            let print = match m.role {
                Some(StreamRole::Chunk) => match self.text_member(m) {
                    Some(member) => quote!(println!("{}", chunk.#member)),
                    None => quote!(println!("{chunk:?}")),
                },
                Some(StreamRole::Final) => quote!(println!("{result:?}")),
                _ => quote!(eprintln!("{error:?}")),
            };
            let binding = match m.role {
                Some(StreamRole::Chunk) => quote!(chunk),
                Some(StreamRole::Final) => quote!(result),
                _ => quote!(error),
            };
            quote!(#reply_enum::#variant(#binding) => #print,)
        });
        self.body.push(quote! {
            let reply = #reply;
            let mut reply = std::pin::pin!(reply);
            while let Some(part) = reply.next().await {
                match part? {
                    #(#arms)*
                    other => println!("{other:?}"),
                }
            }
        });
    }

    /// Prints every event until the connection closes.
    pub(super) fn listen(&mut self) {
        self.body.push(quote! {
            while let Some(event) = connection.recv().await {
                println!("{:?}", event?);
            }
        });
    }

    /// The one text member of a chunk worth printing alone: a struct's only required
    /// member besides constants, when it is a string.
    fn text_member(&self, m: &Message) -> Option<Ident> {
        let TypeRef::Named(id) = &m.payload else {
            return None;
        };
        let TypeKind::Struct(s) = &self.api.ty(*id).kind else {
            return None;
        };
        let members: Vec<&Field> = s
            .fields
            .iter()
            .filter(|f| f.required && !f.flatten && !is_constant(self.api, f))
            .collect();
        match members.as_slice() {
            [only]
                if only.ty == TypeRef::Primitive(Primitive::String)
                    && !only.nullable
                    && !only.boxed =>
            {
                Some(ident(&only.name))
            }
            _ => None,
        }
    }

    /// `value` as a Rust expression of type `ty`: constructors and setters for structs,
    /// variants for enums and unions, literals for the rest; JSON decoded at run time
    /// where the type has no literal form.
    pub(super) fn value(&mut self, ty: &TypeRef, value: &Value, hint: &str, depth: usize) -> Expr {
        if depth > MAX_DEPTH {
            return decoded(value);
        }
        let tokens = match ty {
            TypeRef::Named(id) => return self.named(*id, value, hint, depth),
            TypeRef::Primitive(p) => return self.primitive(*p, value),
            TypeRef::Array(item) => {
                // `Vec::from([..])` rather than `vec![..]`: prettyplease lays out calls, not
                // macro arguments.
                let items: Vec<Expr> = value
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|x| self.value(item, x, hint, depth + 1))
                            .collect()
                    })
                    .unwrap_or_default();
                if items.is_empty() {
                    quote!(Vec::new())
                } else {
                    quote!(Vec::from([#(#items),*]))
                }
            }
            TypeRef::Map(inner) => {
                let entries: Vec<TokenStream> = value
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| {
                                let key = Literal::string(k);
                                let v = self.value(inner, v, hint, depth + 1);
                                quote!((#key.to_owned(), #v))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if entries.is_empty() {
                    quote!(std::collections::BTreeMap::new())
                } else {
                    quote!(std::collections::BTreeMap::from([#(#entries),*]))
                }
            }
            TypeRef::Nullable(inner) => {
                if value.is_null() {
                    quote!(None)
                } else {
                    let inner = self.value(inner, value, hint, depth + 1);
                    quote!(Some(#inner))
                }
            }
            TypeRef::Any => match json_scalar(value) {
                Some(json) => quote!(serde_json::json!(#json)),
                None if value.is_null() => quote!(serde_json::Value::Null),
                None => {
                    let text = json_text(value);
                    quote!(serde_json::from_str(#text)?)
                }
            },
        };
        Expr::Tokens(tokens)
    }

    fn primitive(&mut self, p: Primitive, value: &Value) -> Expr {
        let tokens = match p {
            Primitive::String | Primitive::Uri | Primitive::Binary => {
                let text = match value {
                    Value::String(s) => s.clone(),
                    _ => "string".to_owned(),
                };
                let text = Literal::string(&text);
                quote!(#text.to_owned())
            }
            Primitive::Boolean => {
                let b = value.as_bool().unwrap_or(true);
                quote!(#b)
            }
            Primitive::I32 => int(value
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .map_or(1, i64::from)),
            Primitive::I64 => int(value.as_i64().unwrap_or(1)),
            Primitive::U64 => {
                let n = Literal::u64_unsuffixed(value.as_u64().unwrap_or(1));
                quote!(#n)
            }
            Primitive::F32 | Primitive::F64 => {
                let x = value.as_f64().filter(|x| x.is_finite()).unwrap_or(1.5);
                float(x)
            }
            Primitive::DateTime | Primitive::Date | Primitive::Uuid | Primitive::Base64 => {
                let value = match value {
                    Value::String(_) => value.clone(),
                    _ => crate::docs::synth::primitive(p),
                };
                return decoded(&value);
            }
        };
        Expr::Tokens(tokens)
    }

    fn named(&mut self, id: TypeId, value: &Value, hint: &str, depth: usize) -> Expr {
        let api = self.api;
        let def = api.ty(id);
        let name = ident(&def.name);
        let types = &self.types;
        let path = quote!(#types::#name);
        match &def.kind {
            TypeKind::Struct(s) => self.structure(&path, s, value, depth),
            TypeKind::Enum(e) => {
                let chosen = value
                    .as_str()
                    .and_then(|w| e.values.iter().find(|v| v.wire == w))
                    .or_else(|| e.default.and_then(|i| e.values.get(i)))
                    .or(e.values.first());
                match chosen {
                    Some(v) => {
                        self.uses_types = true;
                        let variant = ident(&v.name);
                        Expr::Tokens(quote!(#path::#variant))
                    }
                    None => decoded(value),
                }
            }
            TypeKind::Union(u) => {
                let variant = match &u.discriminator {
                    Some(d) => value
                        .get(d)
                        .and_then(Value::as_str)
                        .and_then(|tag| u.variants.iter().find(|v| v.tag.as_deref() == Some(tag))),
                    None => u.variants.iter().find(|v| fits(api, &v.ty, value, 0)),
                };
                let Some(variant) = variant else {
                    return decoded(value);
                };
                self.uses_types = true;
                let name = ident(&variant.name);
                let inner = self.value(&variant.ty, value, hint, depth + 1);
                let inner = if variant.boxed {
                    quote!(Box::new(#inner))
                } else {
                    inner.into_token_stream()
                };
                Expr::Tokens(quote!(#path::#name(#inner)))
            }
            TypeKind::Alias(t) => self.value(t, value, hint, depth + 1),
        }
    }

    /// A struct: `new` with the required members, then a `with_` setter for each optional
    /// member the example sets.
    fn structure(&mut self, path: &TokenStream, s: &Struct, value: &Value, depth: usize) -> Expr {
        let empty = Map::new();
        let members = value.as_object().unwrap_or(&empty);
        if s.fields.iter().any(|f| f.flatten) {
            return decoded(value);
        }
        self.uses_types = true;
        let args: Vec<TokenStream> = constructor_args(self.api, s)
            .iter()
            .map(|f| self.member(f, members.get(&f.wire), depth))
            .collect();
        let sets: Vec<TokenStream> = s
            .fields
            .iter()
            .filter(|f| !f.required)
            .filter_map(|f| {
                let held = self.held(f, members.get(&f.wire)?, depth);
                let setter = ident(&format!("with_{}", f.name.trim_start_matches("r#")));
                Some(quote!(.#setter(#held)))
            })
            .collect();
        Expr::Tokens(quote!(#path::new(#(#args),*) #(#sets)*))
    }

    /// A member's value as its field holds it (`Option` when optional or nullable, `Box`
    /// when boxed); a required member the example lacks is made up.
    fn member(&mut self, f: &Field, value: Option<&Value>, depth: usize) -> TokenStream {
        let value = match value {
            Some(v) => v.clone(),
            None if f.required => f
                .docs
                .example
                .clone()
                .or_else(|| f.default.clone())
                .unwrap_or_else(|| synthesize_within(self.api, &f.ty, &f.constraints)),
            None => return quote!(None),
        };
        let held = self.held(f, &value, depth);
        if f.required {
            held
        } else {
            quote!(Some(#held))
        }
    }

    /// A member's value inside the `Option` of an optional member (what its setter takes).
    fn held(&mut self, f: &Field, value: &Value, depth: usize) -> TokenStream {
        if f.nullable && value.is_null() {
            return quote!(None);
        }
        let v = self.value(&f.ty, value, &f.name, depth + 1);
        let v = if f.boxed {
            quote!(Box::new(#v))
        } else {
            v.into_token_stream()
        };
        if f.nullable { quote!(Some(#v)) } else { v }
    }
}
