//! One method per channel on the generated `Mock`, the enum of what clients send on it as
//! the mock decodes it, and how the client's enum of server messages goes on the wire.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::super::channels::naming::{ChannelNames, message_variant};
use super::super::docs;
use super::super::ident::ident;
use super::super::types::Paths;
use crate::ir::{Api, Channel, MessageKind};

/// `<Channel>ClientMessage`: what clients send on `c`, decoded.
pub fn client_enum_name(c: &Channel) -> Ident {
    ident(&format!("{}ClientMessage", c.type_stem))
}

/// The client's `<Channel>Message`, everything the server sends on `c`.
fn server_enum_name(c: &Channel) -> Ident {
    ChannelNames::of(c).message
}

/// The `on_<channel>` method.
pub fn method(c: &Channel) -> TokenStream {
    let name = ident(&c.mock_method);
    let client = client_enum_name(c);
    let server = server_enum_name(c);
    let id = &c.id;
    let doc = docs::lines(&format!(
        "The mock of the `{id}` channel (`{}`): its script and the messages it received.",
        c.address
    ));
    quote! {
        #doc
        pub fn #name(&self) -> ChannelMock<'_, #client, channels::#server> {
            ChannelMock::new(self.channels(), #id)
        }
    }
}

/// The client-message enum of `c` and the two trait implementations.
pub fn items(api: &Api, c: &Channel, p: &Paths) -> TokenStream {
    let client = client_enum_name(c);
    let server = server_enum_name(c);
    // Lowering keeps the messages' variants clear of it.
    let other = ident("Other");
    let variants = c.outgoing.iter().map(|m| message_variant(api, m, p));
    let decodes = c.outgoing.iter().map(|m| {
        let name = ident(&m.name);
        let id = &m.id;
        match m.kind {
            MessageKind::Json => quote! { Some(#id) => decode_json(frame).map(Self::#name), },
            MessageKind::Binary => quote! {
                Some(#id) => frame.binary().map(|data| Self::#name(Bytes::copy_from_slice(data))),
            },
        }
    });
    let sends = c.incoming.iter().map(|m| {
        let name = ident(&m.name);
        match m.kind {
            MessageKind::Json => quote! { Self::#name(message) => send_json(message), },
            MessageKind::Binary => {
                quote! { Self::#name(data) => Action::SendBinary(data.to_vec()), }
            }
        }
    });
    // A channel the client sends nothing on has nothing to decode.
    let from_frame = if c.outgoing.is_empty() {
        quote! {
            fn from_frame(_: Option<&str>, frame: &ClientFrame) -> Self {
                Self::#other(frame.clone())
            }
        }
    } else {
        quote! {
            fn from_frame(message: Option<&str>, frame: &ClientFrame) -> Self {
                let decoded = match message {
                    #(#decodes)*
                    _ => None,
                };
                decoded.unwrap_or_else(|| Self::#other(frame.clone()))
            }
        }
    };
    let binary_fallback = (!c.incoming.iter().any(|m| m.kind == MessageKind::Binary))
        .then(|| quote! { Self::UnknownBinary(data) => Action::SendBinary(data.to_vec()), });
    let enum_doc = docs::lines(&format!(
        "A message a client sends on {} connection, as the mock decodes it.",
        docs::a_code(&c.id)
    ));
    quote! {
        #enum_doc
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #client {
            #(#variants)*
            /// A frame that is none of the channel's client messages (the mock records the
            /// violation).
            #other(ClientFrame),
        }

        impl ClientMessage for #client {
            #from_frame
        }

        impl ServerMessage for channels::#server {
            fn to_action(&self) -> Action {
                match self {
                    #(#sends)*
                    #binary_fallback
                    Self::Unknown(value) => Action::SendUnchecked(value.clone()),
                }
            }
        }
    }
}
