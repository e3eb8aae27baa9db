//! What the client calls a channel's items (from the stems lowering chose: this back-end
//! prints them, and so do the reference's Rust examples), and which messages make a
//! streamed reply.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::ir::{Api, Channel, Message, MessageKind, StreamRole};
use crate::rust::docs;
use crate::rust::ident::ident;
use crate::rust::types::{Paths, ty};

/// The names the client gives a channel's items, from the stems lowering chose: this
/// back-end prints them, and so do the reference's Rust examples.
pub struct ChannelNames {
    /// `<Channel>Params`, the connection's query parameters (only when it has any).
    pub params: Ident,
    /// `<Channel>Message`, everything the server may send.
    pub message: Ident,
    /// `<Channel>Connection`.
    pub connection: Ident,
    /// `<Channel>Reply`, a part of a streamed reply (only when [`reply_parts`] is `Some`).
    pub reply: Ident,
    /// `Client::connect_<channel>`.
    pub connect: Ident,
    /// `Client::connect_<channel>_with`.
    pub connect_with: Ident,
}

impl ChannelNames {
    pub fn of(c: &Channel) -> ChannelNames {
        let pascal = &c.type_stem;
        ChannelNames {
            params: ident(&format!("{pascal}Params")),
            message: ident(&format!("{pascal}Message")),
            connection: ident(&format!("{pascal}Connection")),
            reply: ident(&format!("{pascal}Reply")),
            connect: ident(&c.connect),
            connect_with: ident(&c.connect_with),
        }
    }
}

/// The connection's method sending a message the client sends.
pub fn send_method(m: &Message) -> Ident {
    ident(&format!("send_{}", m.method))
}

/// The connection's method sending a `request` message and streaming its reply (only on
/// connections whose [`reply_parts`] are `Some`).
pub fn request_method(m: &Message) -> Ident {
    ident(&format!("request_{}", m.method))
}

/// The connection's getter for the message the server sends first.
pub fn initial_getter(m: &Message) -> Ident {
    ident(&m.method)
}

/// The variant of a message enum that holds `m`: its payload type, or the bytes of a binary
/// frame.
pub(crate) fn message_variant(api: &Api, m: &Message, p: &Paths) -> TokenStream {
    let name = ident(&m.name);
    let doc = docs::attrs(&m.docs, &format!("The `{}` message.", m.id));
    match m.kind {
        MessageKind::Json => {
            let t = ty(&m.payload, api, p);
            quote! { #doc #name(#t), }
        }
        MessageKind::Binary => quote! { #doc #name(Bytes), },
    }
}

/// The incoming messages that are parts of a streamed reply (`chunk`, `final`, `error`), in
/// order; `None` when there is no `final` one, and so no reply stream.
pub fn reply_parts(c: &Channel) -> Option<Vec<&Message>> {
    let parts: Vec<&Message> = c
        .incoming
        .iter()
        .filter(|m| {
            matches!(
                m.role,
                Some(StreamRole::Chunk | StreamRole::Final | StreamRole::Error)
            )
        })
        .collect();
    parts
        .iter()
        .any(|m| m.role == Some(StreamRole::Final))
        .then_some(parts)
}
