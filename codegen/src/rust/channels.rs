//! Message connections: per channel address, typed connection parameters, one typed send
//! per client message, and one enum of everything the server may send.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::docs;
use super::ident::ident;
use super::types::{Paths, ty};
use crate::ir::{
    Api, AuthKind, Channel, Field, Matcher, Message, MessageKind, ParamLocation, Primitive,
    StreamRole, TypeRef, fields_of,
};
use crate::lower::names;

/// The names the client gives a channel's items. Chosen here, once: this back-end prints
/// them, and so do the reference's Rust examples.
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
        let pascal = names::pascal(&c.name, "Channel", "Channel");
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
pub(super) fn message_variant(api: &Api, m: &Message, p: &Paths) -> TokenStream {
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

/// `<Channel>Params`, the connection's query parameters, with `new` and `with_` setters.
fn params_items(api: &Api, c: &Channel, p: &Paths) -> Option<TokenStream> {
    if c.params.is_empty() {
        return None;
    }
    let params_name = ChannelNames::of(c).params;
    let fields = c.params.iter().map(|param| {
        let name = ident(&param.name);
        let t = ty(&param.ty, api, p);
        let t = if param.required {
            t
        } else {
            quote!(Option<#t>)
        };
        let doc = docs::attrs(
            &param.docs,
            &format!("The `{}` query parameter.", param.wire),
        );
        quote! { #doc pub #name: #t, }
    });
    let required: Vec<_> = c.params.iter().filter(|x| x.required).collect();
    let new_args = required.iter().map(|param| {
        let name = ident(&param.name);
        let t = ty(&param.ty, api, p);
        quote!(#name: #t)
    });
    let new_fields = c.params.iter().map(|param| {
        let name = ident(&param.name);
        if param.required {
            quote!(#name)
        } else {
            quote!(#name: None)
        }
    });
    let params_doc = docs::lines(&format!(
        "The query parameters of {} connection (`{}`).",
        docs::a_code(&c.id),
        c.address
    ));
    let param_setters = c
        .params
        .iter()
        .filter(|param| !param.required)
        .map(|param| {
            let name = ident(&param.name);
            let method = ident(&format!("with_{}", param.name.trim_start_matches("r#")));
            let t = ty(&param.ty, api, p);
            let doc = docs::lines(&format!("Sets `{}`.", param.wire));
            quote! {
                #doc
                #[must_use]
                pub fn #method(mut self, value: #t) -> Self {
                    self.#name = Some(value);
                    self
                }
            }
        });
    Some(quote! {
        #params_doc
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub struct #params_name {
            #(#fields)*
        }

        impl #params_name {
            /// Parameters with the required values set and the optional ones left out.
            pub fn new(#(#new_args),*) -> Self {
                Self { #(#new_fields),* }
            }

            #(#param_setters)*
        }
    })
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
    let initial = initial_message(c).map(|m| {
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
    });
    let (initial_field, initial_getter) = initial.unzip();
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
    let trailing_field = ends_by_flag(c).then(|| {
        quote! {
            /// Whether the last reply ended on a chunk marked as the last one, so that
            /// its final message may still come.
            after_last_chunk: bool,
        }
    });
    quote! {
        #connection_doc
        ///
        /// It dereferences to the runtime's typed connection, which receives (`recv`, or as a
        /// `Stream`) and closes.
        #[derive(Debug)]
        pub struct #connection_name {
            connection: #rt::ws::Connection<#message_name>,
            #initial_field
            #trailing_field
            #params_field
        }

        impl #connection_name {
            #(#sends)*

            #initial_getter
        }

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
    let auth = match &c.auth {
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
    };
    let connect_doc = docs::lines(&format!(
        "Opens {} connection (`{address}`) and returns once the WebSocket handshake is done \
         (and, where the channel names one, the server's first message has arrived; a server \
         that closes the connection before it fails the call with \
         `WsError::ClosedOnConnect`, which carries the close code and reason).\n\n\
         The base URL's scheme is swapped for `ws`/`wss`; the API key travels as the channel's \
         security scheme says, and is never shown in errors or `Debug` output.",
        docs::a_code(id)
    ));
    let (mutable, initial) = match initial_message(c) {
        Some(m) => {
            let variant = ident(&m.name);
            let wait = quote! {
                connection.wait_for_first(|message| match message {
                    #message_name::#variant(first) => std::ops::ControlFlow::Break(first),
                    other => std::ops::ControlFlow::Continue(other),
                }).await?
            };
            (Some(quote!(mut)), Some(quote!(initial: #wait,)))
        }
        None => (None, None),
    };
    let trailing = ends_by_flag(c).then(|| quote!(after_last_chunk: false,));
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
                Ok(#connection_name { #initial #trailing #params_init connection })
            }
        }
    }
}

/// For connections whose messages carry `x-stream-role`: an enum of the parts of a reply
/// and, per request message, a method that sends it and streams the reply.
fn reply_stream(api: &Api, c: &Channel, p: &Paths) -> Option<TokenStream> {
    let parts = reply_parts(c)?;
    let id = &c.id;
    let ChannelNames {
        reply,
        message,
        connection,
        ..
    } = ChannelNames::of(c);
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
    let ends = parts.iter().map(|m| {
        let name = ident(&m.name);
        match m.role {
            Some(StreamRole::Chunk) if !m.end_flag.is_empty() => {
                let flag = flag_test(api, &m.payload, &m.end_flag, quote!(m));
                quote!(Self::#name(m) => #flag,)
            }
            Some(StreamRole::Chunk) => quote!(Self::#name(_) => false,),
            _ => quote!(Self::#name(_) => true,),
        }
    });
    // An event as a part of the reply.
    let arms: Vec<TokenStream> = parts
        .iter()
        .map(|m| {
            let name = ident(&m.name);
            quote!(Event::Message(#message::#name(m)) => #reply::#name(m),)
        })
        .collect();
    let requests = c.outgoing.iter().filter(|m| m.role == Some(StreamRole::Request)).map(|m| {
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
    });
    let reply_doc = docs::lines(&format!(
        "A part of a streamed reply on {} connection, in the order received.",
        docs::a_code(id)
    ));
    let taken: Vec<&str> = parts.iter().map(|m| m.name.as_str()).collect();
    let free = |base: &str| {
        let mut name = base.to_owned();
        while taken.contains(&name.as_str()) {
            name.push_str("Part");
        }
        ident(&name)
    };
    let other = free("Other");
    let flagged = ends_by_flag(c);
    // A reply that ended on a flagged chunk may still be followed by its final message.
    let (previous_variant, previous_arm, previous_doc, body) = if flagged {
        let previous = free("Previous");
        let of_role = |role| -> Vec<TokenStream> {
            parts
                .iter()
                .filter(|m| m.role == Some(role))
                .map(|m| {
                    let name = ident(&m.name);
                    quote!(#reply::#name(_))
                })
                .collect()
        };
        let finals = of_role(StreamRole::Final);
        let chunks = of_role(StreamRole::Chunk);
        (
            Some(quote! {
                /// The final message of the previous reply, which had already ended on a chunk
                /// marked as the last one: it belongs to that reply, and does not end this one.
                #previous(Box<#reply>),
            }),
            Some(quote!(Self::#previous(_) => false,)),
            " A chunk marked as the last one ends it as well: the stream then waits up to \
             `WsConfig::reply_grace` for a final message, which still belongs to this reply; \
             one that comes later opens the next reply as `Previous`, so that nothing is lost \
             or misplaced.",
            quote! {
                // The state: the connection, and whether the reply has had its last chunk.
                stream::unfold(Some((self, false)), |state| async move {
                    let (connection, had_last) = state?;
                    let received = if had_last {
                        let grace = connection.reply_grace();
                        autessa_runtime::ws::within(grace, connection.recv()).await?
                    } else {
                        connection.recv().await
                    };
                    let event = match received? {
                        Ok(event) => event,
                        Err(error) => return Some((Err(error), Some((connection, had_last)))),
                    };
                    let part = match event {
                        #(#arms)*
                        other => #reply::#other(other),
                    };
                    let had_last = match &part {
                        #(#finals)|* if connection.after_last_chunk && !had_last => {
                            connection.after_last_chunk = false;
                            let part = #reply::#previous(Box::new(part));
                            return Some((Ok(part), Some((connection, false))));
                        }
                        #(#chunks)|* => {
                            connection.after_last_chunk = part.is_end();
                            part.is_end()
                        }
                        #reply::#other(_) => had_last,
                        _ => {
                            connection.after_last_chunk = false;
                            return Some((Ok(part), None));
                        }
                    };
                    Some((Ok(part), Some((connection, had_last))))
                })
            },
        )
    } else {
        let body = quote! {
            stream::unfold(Some(self), |connection| async move {
                let connection = connection?;
                let event = match connection.recv().await? {
                    Ok(event) => event,
                    Err(error) => return Some((Err(error), Some(connection))),
                };
                let part = match event {
                    #(#arms)*
                    other => #reply::#other(other),
                };
                let rest = if part.is_end() { None } else { Some(connection) };
                Some((Ok(part), rest))
            })
        };
        (None, None, "", body)
    };
    let reply_fn_doc = docs::lines(&format!(
        "The reply to a request already sent. Errors (such as a message that does not decode) \
         are yielded and the stream goes on; it ends after the part that ends the reply, or \
         when the connection has closed and everything received was delivered.{previous_doc}"
    ));
    Some(quote! {
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
                match self {
                    #(#ends)*
                    #previous_arm
                    Self::#other(_) => false,
                }
            }
        }

        impl #connection {
            #(#requests)*

            #reply_fn_doc
            pub fn reply(&mut self) -> impl Stream<Item = Result<#reply, WsError>> + '_ {
                #body
            }
        }
    })
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

/// The body of `from_text`: which message a text frame is, then one decode as that type.
///
/// Messages recognised by a member only they have come before those recognised by a
/// constant, so that the scan can stop at the first such member (a frame carrying the marks
/// of two messages is not valid for either without undeclared members).
fn recognition(c: &Channel) -> TokenStream {
    let json = c.incoming.iter().filter(|m| m.kind == MessageKind::Json);
    if let Some(only) = json.clone().find(|m| m.matcher == Some(Matcher::Always)) {
        let name = ident(&only.name);
        return quote!(serde_json::from_str(text).map(Self::#name));
    }
    let (has, constant): (Vec<&Message>, Vec<&Message>) = json
        .filter(|m| m.matcher.is_some())
        .partition(|m| matches!(m.matcher, Some(Matcher::Has { .. })));
    let ordered: Vec<&Message> = has.into_iter().chain(constant).collect();
    if ordered.is_empty() {
        return quote!(serde_json::from_str(text).map(Self::Unknown));
    }
    let matchers = ordered.iter().filter_map(|m| match m.matcher.as_ref()? {
        Matcher::Has { property } => Some(quote!(Matcher::Has(#property))),
        Matcher::Const { property, value } => Some(quote!(Matcher::Const(#property, #value))),
        Matcher::Always => None,
    });
    let arms = ordered.iter().enumerate().map(|(i, m)| {
        let name = ident(&m.name);
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        quote!(Some(#i) => serde_json::from_str(text).map(Self::#name),)
    });
    quote! {
        const MATCHERS: &[Matcher] = &[#(#matchers),*];
        match recognise(text, MATCHERS) {
            #(#arms)*
            _ => serde_json::from_str(text).map(Self::Unknown),
        }
    }
}
