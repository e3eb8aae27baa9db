//! Message connections: per channel address, typed connection parameters, one typed send
//! per client message, and one enum of everything the server may send.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::docs;
use super::ident::ident;
use super::types::{Paths, ty};
use crate::ir::{Api, AuthKind, Channel, Message, MessageKind, ParamLocation, Primitive, TypeRef};

pub mod naming;
mod params;
mod recognise;
mod reply;

use naming::{ChannelNames, initial_getter, message_variant, send_method};
use params::params_items;
use recognise::recognition;
use reply::reply_stream;

/// The `channels` module: per channel, its parameters, messages, connection and connect
/// methods.
pub fn module(api: &Api, rt: &TokenStream) -> TokenStream {
    let p = Paths {
        types: quote!(types::),
        runtime: rt.clone(),
    };
    let channels = api.channels.iter().map(|c| channel(api, c, &p));
    quote! { #(#channels)* }
}

fn channel(api: &Api, c: &Channel, p: &Paths) -> TokenStream {
    let params = params_items(api, c, p);
    let message = message_items(api, c, p);
    let connection = connection_items(api, c, p);
    let replies = reply_stream(api, c, p);
    let connect = connect_items(c, p);
    quote! {
        #params
        #message
        #connection
        #replies
        #connect
    }
}

/// `<Channel>Message`, everything the server may send, and how a frame is recognised as one
/// of them.
fn message_items(api: &Api, c: &Channel, p: &Paths) -> TokenStream {
    let message_name = ChannelNames::of(c).message;
    let id = &c.id;
    let rt = &p.runtime;
    let variants = c.incoming.iter().map(|m| message_variant(api, m, p));
    let binary = c.incoming.iter().find(|m| m.kind == MessageKind::Binary);
    let binary_fallback = binary.is_none().then(|| {
        quote! {
            /// A binary frame, which this connection does not declare.
            UnknownBinary(Bytes),
        }
    });
    let binary_decode = match binary {
        Some(m) => {
            let name = ident(&m.name);
            quote!(Self::#name(data))
        }
        None => quote!(Self::UnknownBinary(data)),
    };
    let decode = recognition(c);
    let message_doc = docs::lines(&format!(
        "A message the server sends on {} connection. Messages this client does not \
         recognise arrive as `Unknown`, with the JSON as received.",
        docs::a_code(id)
    ));
    quote! {
        #message_doc
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #message_name {
            #(#variants)*
            #binary_fallback
            /// A JSON message this client does not recognise, kept as received.
            Unknown(serde_json::Value),
        }

        impl #message_name {
            /// Decodes a text frame. A message recognised by its shape must decode fully; one
            /// that is not recognised is `Unknown`. The frame is decoded once, after a scan of
            /// its top-level member names.
            #[inline]
            pub fn from_text(text: &str) -> Result<Self, serde_json::Error> {
                #decode
            }
        }

        impl #rt::ws::ChannelMessage for #message_name {
            const CHANNEL: &'static str = #id;

            #[inline]
            fn from_text(text: &str) -> Result<Self, serde_json::Error> {
                Self::from_text(text)
            }

            fn from_binary(data: Bytes) -> Self {
                #binary_decode
            }
        }
    }
}

/// `<Channel>Connection`: the runtime's typed connection with this channel's sends, and the
/// message the server sends first.
fn connection_items(api: &Api, c: &Channel, p: &Paths) -> TokenStream {
    let ChannelNames {
        params: params_name,
        message: message_name,
        connection: connection_name,
        ..
    } = ChannelNames::of(c);
    let rt = &p.runtime;
    let connection_doc = docs::attrs(&c.docs, &format!("An open `{}` connection.", c.id));
    let sends = c.outgoing.iter().map(|m| send(api, c, m, p));
    let (initial_field, initial_getter) = initial_message(c)
        .map(|m| initial_field_and_getter(api, m, p))
        .unzip();
    // The parameters, kept when a message repeats one and must be checked against it.
    let params_field = c
        .outgoing
        .iter()
        .any(|m| !m.param_members.is_empty())
        .then(|| {
            quote! {
                /// The parameters connected with, which some messages repeat.
                params: #params_name,
            }
        });
    let connection_impls = connection_impls(&connection_name, &message_name, rt);
    quote! {
        #connection_doc
        ///
        /// It dereferences to the runtime's typed connection, which receives (`recv`, or as a
        /// `Stream`) and closes.
        #[derive(Debug)]
        pub struct #connection_name {
            connection: #rt::ws::Connection<#message_name>,
            #initial_field
            #params_field
        }

        impl #connection_name {
            #(#sends)*

            #initial_getter
        }

        #connection_impls
    }
}

/// The connection's field holding the server's first message `m`, and its getter.
fn initial_field_and_getter(api: &Api, m: &Message, p: &Paths) -> (TokenStream, TokenStream) {
    let rt = &p.runtime;
    let getter = initial_getter(m);
    let t = ty(&m.payload, api, p);
    let field_doc = docs::lines(&format!("The `{}` the server sent first.", m.id));
    let getter_doc = docs::lines(&format!(
        "The `{}` the server sent first on this connection, which connecting waits for \
         (`None` if the server sent something else first; that message is then the \
         first one [`recv`]({rt}::ws::Connection::recv) returns).",
        m.id,
        rt = rt.to_string().replace(' ', "")
    ));
    let field = quote! { #field_doc initial: Option<#t>, };
    let getter = quote! {
        #getter_doc
        pub fn #getter(&self) -> Option<&#t> {
            self.initial.as_ref()
        }
    };
    (field, getter)
}

/// The connection's `Deref` and `DerefMut` to the runtime's connection, and its `Stream`.
fn connection_impls(
    connection_name: &Ident,
    message_name: &Ident,
    rt: &TokenStream,
) -> TokenStream {
    quote! {
        impl std::ops::Deref for #connection_name {
            type Target = #rt::ws::Connection<#message_name>;

            fn deref(&self) -> &Self::Target {
                &self.connection
            }
        }

        impl std::ops::DerefMut for #connection_name {
            fn deref_mut(&mut self) -> &mut Self::Target {
                &mut self.connection
            }
        }

        impl Stream for #connection_name {
            type Item = Result<Event<#message_name>, WsError>;

            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                self.get_mut().connection.poll_recv(cx)
            }
        }
    }
}

/// The JSON message the server sends first, which connecting waits for.
fn initial_message(c: &Channel) -> Option<&Message> {
    c.initial
        .map(|i| &c.incoming[i])
        .filter(|m| m.kind == MessageKind::Json)
}

/// `Client::connect_<channel>` and `connect_<channel>_with`.
fn connect_items(c: &Channel, p: &Paths) -> TokenStream {
    let rt = &p.runtime;
    let ChannelNames {
        params: params_name,
        message: message_name,
        connection: connection_name,
        connect,
        connect_with,
        ..
    } = ChannelNames::of(c);
    let (id, address) = (&c.id, &c.address);
    let queries = c
        .params
        .iter()
        .filter(|x| x.location == ParamLocation::Query)
        .map(|param| {
            let name = ident(&param.name);
            let wire = &param.wire;
            quote!(.query(#wire, &params.#name))
        });
    let auth = connect_auth(c);
    let connect_doc = connect_doc(c);
    let (mutable, initial) = match initial_message(c) {
        Some(m) => (Some(quote!(mut)), Some(initial_wait(m, &message_name))),
        None => (None, None),
    };
    let keeps_params = c.outgoing.iter().any(|m| !m.param_members.is_empty());
    let params_init = keeps_params.then(|| quote!(params: params.clone(),));
    let has_params = !c.params.is_empty();
    let params_arg = has_params.then(|| quote!(params: &#params_name,));
    let params_pass = has_params.then(|| quote!(params,));
    quote! {
        impl Client {
            #connect_doc
            pub async fn #connect(&self, #params_arg) -> Result<#connection_name, WsError> {
                self.#connect_with(#params_pass WsConfig::default()).await
            }

            /// Like the plain connect method, with custom heartbeat, buffer and reconnect settings.
            pub async fn #connect_with(&self, #params_arg config: WsConfig) -> Result<#connection_name, WsError> {
                let session = self
                    .http()
                    .websocket(#id, #address)
                    #(#queries)*
                    #auth
                    .config(config)
                    .connect()
                    .await?;
                let #mutable connection = #rt::ws::Connection::new(session);
                Ok(#connection_name { #initial #params_init connection })
            }
        }
    }
}

/// The builder call that applies the channel's security scheme, if it has one.
fn connect_auth(c: &Channel) -> Option<TokenStream> {
    match &c.auth {
        Some(AuthKind::ApiKey {
            location: ParamLocation::Query,
            name,
        }) => Some(quote!(.auth(AuthScheme::Query { name: #name }))),
        Some(AuthKind::ApiKey {
            location: ParamLocation::Header,
            name,
        }) => Some(quote!(.auth(AuthScheme::Header { name: #name, prefix: "" }))),
        Some(AuthKind::Bearer) => {
            Some(quote!(.auth(AuthScheme::Header { name: "Authorization", prefix: "Bearer " })))
        }
        _ => None,
    }
}

/// The documentation of `Client::connect_<channel>`.
fn connect_doc(c: &Channel) -> TokenStream {
    let (id, address) = (&c.id, &c.address);
    docs::lines(&format!(
        "Opens {} connection (`{address}`) and returns once the WebSocket handshake is done \
         (and, where the channel names one, the server's first message has arrived; a server \
         that closes the connection before it fails the call with \
         `WsError::ClosedOnConnect`, which carries the close code and reason).\n\n\
         The base URL's scheme is swapped for `ws`/`wss`; the API key travels as the channel's \
         security scheme says, and is never shown in errors or `Debug` output.",
        docs::a_code(id)
    ))
}

/// The connection's `initial` field, set by waiting for the server's first message `m`.
fn initial_wait(m: &Message, message_name: &Ident) -> TokenStream {
    let variant = ident(&m.name);
    let wait = quote! {
        connection.wait_for_first(|message| match message {
            #message_name::#variant(first) => std::ops::ControlFlow::Break(first),
            other => std::ops::ControlFlow::Continue(other),
        }).await?
    };
    quote!(initial: #wait,)
}

fn send(api: &Api, c: &Channel, m: &Message, p: &Paths) -> TokenStream {
    let channel = &c.id;
    let method = send_method(m);
    let doc = docs::attrs(&m.docs, &format!("Sends {} message.", docs::a_code(&m.id)));
    match m.kind {
        MessageKind::Json => {
            let t = ty(&m.payload, api, p);
            let t = match &m.payload {
                TypeRef::Primitive(Primitive::String) => quote!(str),
                _ => t,
            };
            // Members that repeat a connection parameter must hold its value.
            let checks = m.param_members.iter().map(|pm| {
                let (param, member) = (ident(&pm.param), ident(&pm.member));
                let (param_wire, member_wire) = (&pm.param_wire, &pm.member_wire);
                quote! {
                    WsError::check_same(#channel, #member_wire, #param_wire, &message.#member, &self.params.#param)?;
                }
            });
            quote! {
                #doc
                pub async fn #method(&self, message: &#t) -> Result<(), WsError> {
                    #(#checks)*
                    self.connection.send_json(message).await
                }
            }
        }
        MessageKind::Binary => quote! {
            #doc
            pub async fn #method(&self, data: impl Into<Bytes>) -> Result<(), WsError> {
                self.connection.send_binary(data).await
            }
        },
    }
}
