//! Request bodies: how a method takes a body, how the call holds it, and how the request
//! builder attaches it (JSON, a form, multipart parts, text or bytes).

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Body, BodyKind, Encoding, Files, FormStyle, TypeKind, TypeRef, resolve};
use crate::rust::ident::ident;
use crate::rust::types::{Paths, ty};

/// A body as the method takes it, as the call holds it, what the method passes on, and the
/// request builder call that attaches it.
pub(super) fn body_arg(
    api: &Api,
    body: &Body,
    p: &Paths,
    lifetime: &TokenStream,
) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
    let media = &body.media_type;
    match body.kind {
        BodyKind::Json | BodyKind::Form => {
            let t = ty(&body.ty, api, p);
            let call = if body.kind == BodyKind::Json {
                quote!(.json(body))
            } else {
                form_call(body)
            };
            let (arg, held) = if body.required {
                (quote!(&#lifetime #t), quote!(&#lifetime #t))
            } else {
                (quote!(Option<&#lifetime #t>), quote!(Option<&#lifetime #t>))
            };
            (arg, held, quote!(body), call)
        }
        // Taken by value: its files are moved into the request.
        BodyKind::Multipart => {
            let t = ty(&body.ty, api, p);
            let t = if body.required { t } else { quote!(Option<#t>) };
            let parts = multipart_parts(api, body);
            (t.clone(), t, quote!(body), quote!(.multipart(#parts)))
        }
        BodyKind::Binary | BodyKind::Text => {
            if body.required {
                (
                    quote!(impl Into<Bytes>),
                    quote!(Bytes),
                    quote!(body.into()),
                    quote!(.bytes(#media, body)),
                )
            } else {
                (
                    quote!(Option<Bytes>),
                    quote!(Option<Bytes>),
                    quote!(body),
                    quote!(.bytes(#media, body)),
                )
            }
        }
    }
}

/// `.form(body)`, or `.form_styled(body, styles)` for members the encoding gives a style.
fn form_call(body: &Body) -> TokenStream {
    let styles: Vec<TokenStream> = body
        .encoding
        .iter()
        .filter_map(|e| {
            let style = e.style.filter(|s| *s != FormStyle::Exploded)?;
            let member = &e.member;
            let style = form_style(style);
            Some(quote!((#member, FormStyle::#style)))
        })
        .collect();
    if styles.is_empty() {
        quote!(.form(body))
    } else {
        quote!(.form_styled(body, &[#(#styles),*]))
    }
}

pub(super) fn form_style(style: FormStyle) -> proc_macro2::Ident {
    let name = match style {
        FormStyle::Exploded => "Exploded",
        FormStyle::Comma => "Comma",
        FormStyle::Space => "Space",
        FormStyle::Pipe => "Pipe",
        FormStyle::DeepObject => "DeepObject",
    };
    proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
}

/// The `Multipart` a multipart body (`body`, owned) becomes: files as file parts, other
/// members as text or JSON parts (as their encoding says), merged and extra members each as
/// their own parts.
fn multipart_parts(api: &Api, body: &Body) -> TokenStream {
    let TypeRef::Named(id) = resolve(&api.types, &body.ty) else {
        return quote!(Multipart::new());
    };
    let TypeKind::Struct(s) = &api.ty(*id).kind else {
        return quote!(Multipart::new());
    };
    let parts = s.fields.iter().map(|f| {
        let member = ident(&f.name);
        let wire = &f.wire;
        let encoding = body.encoding_of(wire);
        if f.flatten {
            return quote!(.members(&body.#member));
        }
        let media = encoding
            .and_then(|e| e.content_type.as_deref())
            .and_then(concrete_media);
        match f.files() {
            Some(files) => {
                let media = media.unwrap_or("application/octet-stream");
                match files {
                    Files::One => quote!(.file(#wire, body.#member, #media)),
                    Files::Many if f.required => quote!(.files(#wire, body.#member, #media)),
                    Files::Many => {
                        quote!(.files(#wire, body.#member.unwrap_or_default(), #media))
                    }
                }
            }
            None => match (media, encoding.and_then(|e: &Encoding| e.style)) {
                (Some(media), _) => quote!(.value_as(#wire, &body.#member, #media)),
                (None, Some(style)) => {
                    let style = form_style(style);
                    quote!(.styled(#wire, &body.#member, FormStyle::#style))
                }
                (None, None) => quote!(.value(#wire, &body.#member)),
            },
        }
    });
    let extra = s
        .extra
        .as_ref()
        .map(|_| quote!(.members(&body.additional_properties)));
    quote!(Multipart::new() #(#parts)* #extra)
}

/// The first concrete media type of an `encoding` content type, which may be a list
/// (`image/png, image/jpeg`) or hold wildcards (`image/*`).
fn concrete_media(list: &str) -> Option<&str> {
    list.split(',')
        .map(str::trim)
        .find(|m| m.contains('/') && !m.contains('*') && !m.contains(char::is_whitespace))
}
