//! Streamed replies: for connections whose messages carry `x-stream-role`, the parts of a
//! reply and the methods that send a request and stream its reply.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::ir::{Api, Channel, Field, Message, MessageKind, StreamRole, TypeRef, fields_of};
use crate::rust::docs;
use crate::rust::ident::ident;
use crate::rust::types::{Paths, ty};

use super::naming::{ChannelNames, reply_parts, request_method, send_method};

/// For connections whose messages carry `x-stream-role`: an enum of the parts of a reply
/// and, per request message, a method that sends it and streams the reply.
pub(super) fn reply_stream(api: &Api, c: &Channel, p: &Paths) -> Option<TokenStream> {
    let parts = reply_parts(c)?;
    let ChannelNames {
        reply,
        message,
        connection,
        ..
    } = ChannelNames::of(c);
    let flagged = ends_by_flag(c);
    // Lowering keeps the messages' variants clear of these.
    let names = ReplyNames {
        other: ident("Other"),
        // A reply that ended on a flagged chunk may still be followed by its final message.
        previous: flagged.then(|| ident("Previous")),
        reply,
        message,
    };
    let reply_enum = reply_enum(api, c, p, &parts, &names);
    let reply_part = reply_part_impl(api, &parts, &names);
    let requests = request_methods(api, c, p, &names.reply);
    let previous_doc = if flagged {
        " A chunk marked as the last one ends it as well: the stream then waits up to \
         `WsConfig::reply_grace` for a final message, which still belongs to this reply; \
         one that comes later opens the next reply as `Previous`, so that nothing is lost \
         or misplaced."
    } else {
        ""
    };
    let reply_fn_doc = docs::lines(&format!(
        "The reply to a request already sent. Errors (such as a message that does not decode) \
         are yielded and the stream goes on; it ends after the part that ends the reply, or \
         when the connection has closed and everything received was delivered.{previous_doc}"
    ));
    let reply = &names.reply;
    Some(quote! {
        #reply_enum

        #reply_part

        impl #connection {
            #(#requests)*

            #reply_fn_doc
            pub fn reply(&mut self) -> impl Stream<Item = Result<#reply, WsError>> + '_ {
                self.connection.reply()
            }
        }
    })
}

/// The names a streamed reply's code uses.
struct ReplyNames {
    /// The reply enum.
    reply: Ident,
    /// The channel's message enum.
    message: Ident,
    /// The reply's variant for anything else that arrived.
    other: Ident,
    /// The reply's variant for the previous reply's final message, when chunks end by a flag.
    previous: Option<Ident>,
}

/// The reply enum, one variant per part, and its `is_end`.
fn reply_enum(
    api: &Api,
    c: &Channel,
    p: &Paths,
    parts: &[&Message],
    names: &ReplyNames,
) -> TokenStream {
    let ReplyNames {
        reply,
        message,
        other,
        previous,
    } = names;
    let variants = parts.iter().map(|m| {
        let name = ident(&m.name);
        let t = match m.kind {
            MessageKind::Json => ty(&m.payload, api, p),
            MessageKind::Binary => quote!(Bytes),
        };
        let role = match m.role {
            Some(StreamRole::Chunk) => "A chunk of the reply",
            Some(StreamRole::Final) => "The end of the reply",
            _ => "The reply failed; this ends it",
        };
        let doc = docs::lines(&format!("{role}: {} message.", docs::a_code(&m.id)));
        quote! { #doc #name(#t), }
    });
    let previous_variant = previous.as_ref().map(|previous| {
        quote! {
            /// The final message of the previous reply, which had already ended on a chunk
            /// marked as the last one: it belongs to that reply, and does not end this one.
            #previous(Box<#reply>),
        }
    });
    let reply_doc = docs::lines(&format!(
        "A part of a streamed reply on {} connection, in the order received.",
        docs::a_code(&c.id)
    ));
    quote! {
        #reply_doc
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #reply {
            #(#variants)*
            #previous_variant
            /// Anything else that arrived meanwhile (a status, an unknown message, a reconnect),
            /// kept so that nothing is lost.
            #other(Event<#message>),
        }

        impl #reply {
            /// Whether this part ends the reply: a final or error message, or a chunk marked
            /// as the last one.
            pub fn is_end(&self) -> bool {
                ReplyPart::is_end(self)
            }
        }
    }
}

/// How the reply enum is a `ReplyPart` of the channel's messages: the part each message is,
/// and each part's role (a chunk is the last one by its flag).
fn reply_part_impl(api: &Api, parts: &[&Message], names: &ReplyNames) -> TokenStream {
    let ReplyNames {
        reply,
        message,
        other,
        previous,
    } = names;
    let from_event = parts.iter().map(|m| {
        let name = ident(&m.name);
        quote!(Event::Message(#message::#name(m)) => Self::#name(m),)
    });
    let roles = parts.iter().map(|m| {
        let name = ident(&m.name);
        match m.role {
            Some(StreamRole::Chunk) if !m.end_flag.is_empty() => {
                let flag = flag_test(api, &m.payload, &m.end_flag, quote!(m));
                quote!(Self::#name(m) => ReplyRole::Chunk { last: #flag },)
            }
            Some(StreamRole::Chunk) => quote!(Self::#name(_) => ReplyRole::Chunk { last: false },),
            Some(StreamRole::Final) => quote!(Self::#name(_) => ReplyRole::Final,),
            _ => quote!(Self::#name(_) => ReplyRole::Error,),
        }
    });
    let previous_items = previous.as_ref().map(|previous| {
        quote! {
            const FINAL_AFTER_LAST_CHUNK: bool = true;

            fn previous(self) -> Self {
                Self::#previous(Box::new(self))
            }
        }
    });
    let previous_arm = previous
        .as_ref()
        .map(|previous| quote!(Self::#previous(_) => ReplyRole::Other,));
    quote! {
        impl ReplyPart<#message> for #reply {
            #previous_items

            fn from_event(event: Event<#message>) -> Self {
                match event {
                    #(#from_event)*
                    other => Self::#other(other),
                }
            }

            fn role(&self) -> ReplyRole {
                match self {
                    #(#roles)*
                    #previous_arm
                    Self::#other(_) => ReplyRole::Other,
                }
            }
        }
    }
}

/// Per request message, the connection's method that sends it and streams its reply.
fn request_methods(api: &Api, c: &Channel, p: &Paths, reply: &Ident) -> Vec<TokenStream> {
    c.outgoing.iter().filter(|m| m.role == Some(StreamRole::Request)).map(|m| {
        let method = request_method(m);
        let send = send_method(m);
        let t = ty(&m.payload, api, p);
        let doc = docs::lines(&format!(
            "Sends {} message and streams its reply: each part as it arrives, ending after \
             the part that ends it (see `{reply}::is_end`).",
            docs::a_code(&m.id)
        ));
        quote! {
            #doc
            pub async fn #method(&mut self, message: &#t) -> Result<impl Stream<Item = Result<#reply, WsError>> + '_, WsError> {
                self.#send(message).await?;
                Ok(self.reply())
            }
        }
    }).collect()
}

/// Whether a chunk of the channel's streamed replies can end a reply by a flag (and a final
/// message may then follow the end).
fn ends_by_flag(c: &Channel) -> bool {
    let has = |role| c.incoming.iter().any(|m| m.role == Some(role));
    has(StreamRole::Final)
        && c.incoming
            .iter()
            .any(|m| m.role == Some(StreamRole::Chunk) && !m.end_flag.is_empty())
}

/// A `bool` expression testing the end flag at `path` (wire names, checked in lowering) of
/// `value`, a reference to a `payload`; `false` where a member is absent.
fn flag_test(api: &Api, payload: &TypeRef, path: &[String], value: TokenStream) -> TokenStream {
    let mut at = payload;
    let mut steps = Vec::new();
    for wire in path {
        let Some(field) =
            fields_of(&api.types, at).and_then(|fields| fields.iter().find(|f| &f.wire == wire))
        else {
            return quote!(false);
        };
        steps.push(field);
        at = &field.ty;
    }
    flag_steps(value, &steps)
}

/// `base`'s end flag through `steps`: plain member access while members are required, a
/// test inside each optional one.
fn flag_steps(base: TokenStream, steps: &[&Field]) -> TokenStream {
    let Some((field, rest)) = steps.split_first() else {
        return quote!(false);
    };
    let name = ident(&field.name);
    let access = quote!(#base.#name);
    let layers = field.option_layers();
    if rest.is_empty() {
        return match layers {
            0 => access,
            1 => quote!(#access == Some(true)),
            _ => quote!(#access == Some(Some(true))),
        };
    }
    let inner = flag_steps(quote!(v), rest);
    match layers {
        0 => flag_steps(access, rest),
        1 => quote!(#access.as_ref().is_some_and(|v| #inner)),
        _ => quote!(#access.as_ref().and_then(Option::as_ref).is_some_and(|v| #inner)),
    }
}
