//! The Rust examples of a channel: what each does ([`Scenario`]) and the function that
//! does it, written as tokens and laid out by `prettyplease` as the generated crate is.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{ToTokens, quote};
use serde_json::Value;

use super::values::{base_url, client_takes_key, crate_path, message_value};
use super::writer::Writer;
use crate::docs::synth::{declared, synthesize};
use crate::ir::{
    Api, Channel, Message, MessageKind, Param, ParamLocation, Primitive, StreamRole, TypeRef,
};
use crate::lower::names;
use crate::rust::channels::naming::{
    ChannelNames, initial_getter, reply_parts, request_method, send_method,
};
use crate::rust::ident::ident;

/// What a channel example does, after connecting (and printing the message the server
/// sends first, where the channel names one).
#[derive(Clone, Debug)]
pub enum Scenario<'a> {
    /// Sends a `request` message (`x-stream-role`) and prints the parts of its reply as they
    /// arrive, until the reply ends. One per request message, on connections with a reply.
    Request(&'a Message),
    /// Switches the connection's modes on (`modes`: optional boolean query parameters whose
    /// default is `false`), sends the JSON messages without a stream role that the channel
    /// lists before the binary message (`setup`), streams binary frames read from a file,
    /// and receives the reply. One per binary message the client sends.
    Binary {
        modes: Vec<&'a Param>,
        setup: Vec<&'a Message>,
        binary: &'a Message,
    },
    /// Sends the first JSON message the client sends, if any, and prints what arrives: for
    /// channels with neither requests nor binary messages.
    Listen(Option<&'a Message>),
}

/// The examples a channel gets, in order: its requests, its binary messages, or else one
/// that listens.
pub fn channel_scenarios(c: &Channel) -> Vec<Scenario<'_>> {
    let mut out = Vec::new();
    if reply_parts(c).is_some() {
        out.extend(
            c.outgoing
                .iter()
                .filter(|m| m.role == Some(StreamRole::Request) && m.kind == MessageKind::Json)
                .map(Scenario::Request),
        );
    }
    for (i, m) in c.outgoing.iter().enumerate() {
        if m.kind != MessageKind::Binary {
            continue;
        }
        let modes = c
            .params
            .iter()
            .filter(|p| {
                !p.required
                    && p.location == ParamLocation::Query
                    && p.ty == TypeRef::Primitive(Primitive::Boolean)
                    && p.default == Some(Value::Bool(false))
            })
            .collect();
        let setup = c.outgoing[..i]
            .iter()
            .filter(|x| x.kind == MessageKind::Json && x.role.is_none())
            .collect();
        out.push(Scenario::Binary {
            modes,
            setup,
            binary: m,
        });
    }
    if out.is_empty() {
        out.push(Scenario::Listen(
            c.outgoing.iter().find(|m| m.kind == MessageKind::Json),
        ));
    }
    out
}

/// The name an example function would have (`<channel>_<message>_example`); the caller
/// makes it unique.
pub fn scenario_function(c: &Channel, scenario: &Scenario<'_>) -> String {
    match scenario {
        Scenario::Request(m) | Scenario::Binary { binary: m, .. } => {
            format!("{}_{}_example", c.name, names::snake(&m.name, "message"))
        }
        Scenario::Listen(_) => format!("{}_example", c.name),
    }
}

/// A complete Rust example of `scenario` on `c`: an async function named `function` that
/// builds the client, connects and talks. Fails only if the tokens do not form Rust, which
/// would be a bug here.
pub fn rust_channel(
    api: &Api,
    c: &Channel,
    scenario: &Scenario<'_>,
    crate_name: &str,
    function: &str,
) -> Result<String, String> {
    let krate: Ident = syn::parse_str(&crate_path(crate_name))
        .map_err(|e| format!("crate name `{crate_name}` is not a Rust path: {e}"))?;
    let function: Ident = syn::parse_str(function)
        .map_err(|e| format!("`{function}` is not a function name: {e}"))?;
    let mut w = Writer::new(api, &krate);
    let names = ChannelNames::of(c);

    let base = Literal::string(&base_url(api));
    let key = client_takes_key(api).then(|| quote!(, "YOUR_API_KEY"));
    w.body
        .push(quote!(let client = #krate::Client::new(#base #key)?;));
    connect(&mut w, c, &names, scenario);
    talk(&mut w, c, &names, scenario);
    let file = function_file(&w, &krate)
        .map_err(|e| format!("internal error: the `{}` example is not Rust: {e}", c.id))?;
    let code = prettyplease::unparse(&file);
    let rest = code.strip_prefix("async fn example()").ok_or_else(|| {
        format!(
            "internal error: the `{}` example is laid out unexpectedly",
            c.id
        )
    })?;
    Ok(format!("async fn {function}(){}", rest.trim_end()))
}

/// Connects, with the required parameters from their examples and the scenario's modes,
/// and prints the message the server sends first.
fn connect(w: &mut Writer<'_>, c: &Channel, names: &ChannelNames, scenario: &Scenario<'_>) {
    let api = w.api;
    let connect = &names.connect;
    if c.params.is_empty() {
        w.body
            .push(quote!(let mut connection = client.#connect().await?;));
    } else {
        let args: Vec<TokenStream> = c
            .params
            .iter()
            .filter(|p| p.required)
            .map(|p| {
                let value = p
                    .docs
                    .example
                    .clone()
                    .or_else(|| declared(api, &p.ty))
                    .unwrap_or_else(|| synthesize(api, &p.ty));
                w.value(&p.ty, &value, &p.name, 0).into_token_stream()
            })
            .collect();
        let params = &names.params;
        w.import(params);
        let new = quote!(#params::new(#(#args),*));
        match scenario {
            Scenario::Binary { modes, .. } if !modes.is_empty() => {
                w.body.push(quote!(let mut params = #new;));
                for p in modes {
                    let field = ident(&p.name);
                    w.body.push(quote!(params.#field = Some(true);));
                }
            }
            _ => w.body.push(quote!(let params = #new;)),
        }
        w.body
            .push(quote!(let mut connection = client.#connect(&params).await?;));
    }

    // The message the server sends first, which connecting waited for.
    if let Some(first) = c
        .initial
        .and_then(|i| c.incoming.get(i))
        .filter(|m| m.kind == MessageKind::Json)
    {
        let getter = initial_getter(first);
        w.body.push(quote! {
            if let Some(first) = connection.#getter() {
                println!("{first:?}");
            }
        });
    }
}

/// What the scenario sends and receives once connected.
fn talk(w: &mut Writer<'_>, c: &Channel, names: &ChannelNames, scenario: &Scenario<'_>) {
    let api = w.api;
    match scenario {
        Scenario::Request(m) => {
            let message = w.bind("message", &m.payload, &message_value(api, m));
            let request = request_method(m);
            w.receive(c, names, quote!(connection.#request(&#message).await?));
        }
        Scenario::Binary { setup, binary, .. } => {
            for m in setup {
                let hint = names::snake(&m.name, "message");
                let message = w.bind(&hint, &m.payload, &message_value(api, m));
                let send = send_method(m);
                w.body.push(quote!(connection.#send(&#message).await?;));
            }
            let file = Literal::string(&format!("{}.bin", names::snake(&binary.name, "data")));
            w.body.push(quote! {
                let data = std::fs::read(#file)?;
                connection.sender().send_pcm_reader(data.as_slice(), 640).await?;
            });
            w.receive(c, names, quote!(connection.reply()));
        }
        Scenario::Listen(m) => {
            if let Some(m) = m {
                let message = w.bind("message", &m.payload, &message_value(api, m));
                let send = send_method(m);
                w.body.push(quote!(connection.#send(&#message).await?;));
            }
            w.listen();
        }
    }
}

/// The example as a file holding one function named `example` (prettyplease would break a
/// long signature over several lines; the caller puts the real name in).
fn function_file(w: &Writer<'_>, krate: &Ident) -> syn::Result<syn::File> {
    // Channel items by name (they cannot clash: one channel's, each with its own suffix),
    // types through their module (a type may have any name).
    let items = &w.channel_items;
    let channel_uses = match items.len() {
        0 => TokenStream::new(),
        1 => quote!(use #krate::channels::#(#items)*;),
        _ => quote!(use #krate::channels::{#(#items),*};),
    };
    let type_uses = w.uses_types.then(|| quote!(use #krate::types;));
    let stream_ext = w.uses_stream_ext.then(|| {
        quote!(
            use #krate::ws::stream::StreamExt;
        )
    });
    let body = &w.body;
    syn::parse2(quote! {
        async fn example() -> Result<(), Box<dyn std::error::Error>> {
            #channel_uses
            #type_uses
            #stream_ext
            #(#body)*
            Ok(())
        }
    })
}
