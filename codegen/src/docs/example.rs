//! Examples: JSON values for a type (the schema's own where it has one, otherwise made up
//! from the type), the Rust snippet that calls an operation through the generated client,
//! and the Rust snippets that use a channel's connection.
//!
//! Channel examples are written as tokens (`quote!`, with the names the Rust back-end
//! gives) and formatted by `prettyplease`, as the generated crate itself is: spec text only
//! ever becomes literals and sanitized identifiers.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{ToTokens, quote};
use serde_json::{Map, Value};

use super::conform::conform;
use super::synth::{MAX_DEPTH, declared, fits, synthesize, synthesize_within};
use crate::ir::{
    Api, Body, BodyKind, Channel, Field, Message, MessageKind, Operation, Param, ParamLocation,
    Primitive, StreamRole, Struct, TypeId, TypeKind, TypeRef,
};
use crate::lower::names;
use crate::rust::channels::{
    ChannelNames, initial_getter, reply_parts, request_method, send_method,
};
use crate::rust::ident::ident;
use crate::rust::types::{constructor_args, is_constant};

/// JSON as shown in the docs: pretty, two-space indents.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// The method the Rust back-end gives an operation (`op.name`, chosen in lowering clear of
/// the client's own methods; keywords are raw identifiers).
pub fn method_name(op: &Operation) -> String {
    rust_ident(&op.name)
}

/// An identifier for an IR name, escaped as the Rust back-end escapes it.
pub fn rust_ident(name: &str) -> String {
    ident(name).to_string()
}

/// The Rust path of the crate (`my-api` is used as `my_api`).
pub fn crate_path(crate_name: &str) -> String {
    crate_name.replace('-', "_")
}

/// Whether the generated client takes an API key.
pub fn client_takes_key(api: &Api) -> bool {
    crate::rust::client::applied_scheme(api).is_some()
}

/// The base URL the examples use: the first HTTP server, else a placeholder.
pub fn base_url(api: &Api) -> String {
    api.servers
        .iter()
        .map(|s| s.url.trim_end_matches('/'))
        .find(|u| u.starts_with("http://") || u.starts_with("https://"))
        .unwrap_or("https://api.example.com")
        .to_owned()
}

/// A Rust string literal (Rust's own escaping).
fn str_lit(text: &str) -> String {
    format!("{text:?}")
}

/// A raw string literal holding `text` (never ends early, whatever `text` holds).
fn raw_lit(text: &str) -> String {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{text}\"{h}")
}

/// JSON parsed at run time into whatever type the call expects.
fn from_json(value: &Value, indent: &str) -> String {
    let text = pretty(value).replace('\n', &format!("\n{indent}"));
    format!("serde_json::from_str({})?", raw_lit(&text))
}

/// The value a parameter's examples give: its example (or its type's), made to fit its
/// type, or one made up within its limits; a list is never empty (that would leave the
/// parameter out).
pub fn param_value(api: &Api, param: &Param) -> Value {
    let example = param
        .docs
        .example
        .clone()
        .or_else(|| declared(api, &param.ty))
        .map(|example| conform(api, &param.ty, &example))
        .unwrap_or_else(|| synthesize_within(api, &param.ty, &param.constraints));
    match (&param.ty, example) {
        (TypeRef::Array(item), Value::Array(items)) if items.is_empty() => {
            Value::Array(vec![synthesize(api, item)])
        }
        (_, example) => example,
    }
}

/// The argument for a required parameter: its example (or a value made up within its
/// limits) written as the Rust type the method takes.
fn param_arg(api: &Api, param: &Param) -> String {
    let example = param_value(api, param);
    match &param.ty {
        TypeRef::Array(item) => {
            let items = match example {
                Value::Array(items) => items,
                one => vec![one],
            };
            let items: Vec<String> = items.iter().map(|v| item_arg(item, v)).collect();
            format!("&[{}]", items.join(", "))
        }
        TypeRef::Primitive(p) if scalar_arg(*p, &example).is_some() => {
            scalar_arg(*p, &example).unwrap_or_default()
        }
        _ => format!("&{}", from_json(&example, "    ")),
    }
}

/// A scalar parameter as the method takes it (text borrowed, numbers by value).
fn scalar_arg(p: Primitive, example: &Value) -> Option<String> {
    Some(match p {
        Primitive::String | Primitive::Uri | Primitive::Binary => match example {
            Value::String(s) => str_lit(s),
            other => str_lit(&other.to_string()),
        },
        Primitive::Boolean => example.as_bool().unwrap_or(true).to_string(),
        Primitive::I32 => {
            let n = example.as_i64().and_then(|n| i32::try_from(n).ok());
            n.unwrap_or(1).to_string()
        }
        Primitive::I64 => example.as_i64().unwrap_or(1).to_string(),
        Primitive::U64 => example.as_u64().unwrap_or(1).to_string(),
        Primitive::F32 | Primitive::F64 => {
            let x = example.as_f64().filter(|x| x.is_finite()).unwrap_or(1.5);
            format!("{x:?}")
        }
        _ => return None,
    })
}

/// An item of a list parameter (`&[T]`): owned text, numbers as they are, other types
/// decoded from their JSON.
fn item_arg(item: &TypeRef, value: &Value) -> String {
    match item {
        TypeRef::Primitive(Primitive::String | Primitive::Uri | Primitive::Binary) => {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{}.to_owned()", str_lit(&text))
        }
        TypeRef::Primitive(
            p @ (Primitive::Boolean
            | Primitive::I32
            | Primitive::I64
            | Primitive::U64
            | Primitive::F32
            | Primitive::F64),
        ) => scalar_arg(*p, value).unwrap_or_default(),
        _ => from_json(value, "    "),
    }
}

/// The example of an operation's request body: the body's own, its type's, or (for JSON and
/// form bodies) one made up from the type; and whether it was made up.
pub fn body_value(api: &Api, body: &Body) -> Option<(Value, bool)> {
    match (&body.docs.example, declared(api, &body.ty)) {
        (Some(e), _) => Some((e.clone(), false)),
        (None, Some(e)) => Some((e, false)),
        (None, None) if matches!(body.kind, BodyKind::Json | BodyKind::Form) => {
            Some((synthesize(api, &body.ty), true))
        }
        _ => None,
    }
}

/// The JSON (or form) body an example sends: `example` made to fit the body's type, or one
/// made up from the type.
pub fn body_json(api: &Api, body: &Body, example: Option<&Value>) -> Value {
    match example {
        Some(example) => conform(api, &body.ty, example),
        None => synthesize(api, &body.ty),
    }
}

/// An operation called with example arguments, as Rust text to put in a function that
/// returns `Result<_, Box<dyn std::error::Error>>` and has `client` in scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallCode {
    /// Statements building the arguments, each indented by four spaces.
    pub setup: Vec<String>,
    /// The method call, not awaited: `client.method(args)`.
    pub call: String,
}

/// The call of `op` with its required parameters and body taken from examples (see
/// [`body_value`]), or made up from their types.
pub fn call_code(
    api: &Api,
    op: &Operation,
    crate_name: &str,
    body_example: Option<&Value>,
) -> CallCode {
    let krate = crate_path(crate_name);
    let mut setup = Vec::new();
    // Optional parameters are set on the call with its `with_` methods; the example leaves
    // them out.
    let mut args: Vec<String> = Vec::new();
    for param in op.params_in_call_order() {
        if param.required && param.location != ParamLocation::Cookie && param.from_body.is_none() {
            args.push(param_arg(api, param));
        }
    }
    if let Some(body) = &op.body {
        args.push(body_arg(api, body, &krate, body_example, &mut setup));
    }
    CallCode {
        setup,
        call: format!("client.{}({})", method_name(op), args.join(", ")),
    }
}

/// A complete Rust example calling `op`: an async function that builds the client and the
/// request, calls the method and prints the decoded body.
pub fn rust_call(
    api: &Api,
    op: &Operation,
    crate_name: &str,
    body_example: Option<&Value>,
) -> String {
    let krate = crate_path(crate_name);
    let base = str_lit(&base_url(api));
    let mut lines = vec![format!(
        "async fn {}_example() -> Result<(), Box<dyn std::error::Error>> {{",
        op.name
    )];
    if client_takes_key(api) {
        lines.push(format!(
            "    let client = {krate}::Client::new({base}, \"YOUR_API_KEY\")?;"
        ));
    } else {
        lines.push(format!("    let client = {krate}::Client::new({base})?;"));
    }
    let code = call_code(api, op, crate_name, body_example);
    lines.extend(code.setup);
    lines.push(format!("    let response = {}.await?;", code.call));
    lines.push("    println!(\"{:?}\", response.body);".into());
    lines.push("    Ok(())".into());
    lines.push("}".into());
    lines.join("\n")
}

/// `let body = ...;` building `value` with the crate's constructors and setters (JSON
/// decoded at run time only where a type has no literal form), indented for a function body.
fn typed_body(api: &Api, ty: &TypeRef, value: &Value, krate: &str) -> String {
    let path: TokenStream = krate.parse().unwrap_or_else(|_| quote!(crate));
    let mut w = Writer::new(api, &ident("__crate"));
    w.types = quote!(#path::types);
    let expr = w.value(ty, value, "body", 0);
    let item = quote!(fn wrapper() { let body = #expr; });
    let text = syn::parse2::<syn::File>(item)
        .map(|file| prettyplease::unparse(&file))
        .unwrap_or_default();
    // The statement, as prettyplease laid it out inside the wrapper.
    let statement: Vec<&str> = text
        .lines()
        .skip(1)
        .take_while(|line| *line != "}")
        .collect();
    match statement.is_empty() {
        true => format!("    let body = {};", from_json(value, "    ")),
        false => statement.join("\n"),
    }
}

fn body_arg(
    api: &Api,
    body: &Body,
    krate: &str,
    example: Option<&Value>,
    lines: &mut Vec<String>,
) -> String {
    match body.kind {
        BodyKind::Json | BodyKind::Form => {
            let value = body_json(api, body, example);
            lines.push(typed_body(api, &body.ty, &value, krate));
            if body.required {
                "&body".into()
            } else {
                "Some(&body)".into()
            }
        }
        BodyKind::Multipart => {
            let body_value = example.cloned().unwrap_or(Value::Null);
            lines.push(format!(
                "    let body = {};",
                multipart_body(api, body, krate, &body_value)
            ));
            if body.required {
                "body".into()
            } else {
                "Some(body)".into()
            }
        }
        BodyKind::Binary => {
            if body.required {
                "std::fs::read(\"body.bin\")?".into()
            } else {
                "Some(std::fs::read(\"body.bin\")?.into())".into()
            }
        }
        BodyKind::Text => {
            if body.required {
                "\"text\"".into()
            } else {
                "Some(\"text\".into())".into()
            }
        }
    }
}

/// A multipart body built with `new` and `with_` setters: files read from disk, text as
/// literals, other members decoded from their example JSON. Optional members are set where
/// the example gives them, and optional files always (an upload says little without one).
fn multipart_body(api: &Api, body: &Body, krate: &str, example: &Value) -> String {
    let TypeRef::Named(id) = crate::ir::resolve(&api.types, &body.ty) else {
        return String::new();
    };
    let TypeKind::Struct(s) = &api.ty(*id).kind else {
        return String::new();
    };
    let file = format!("{krate}::FilePart::file(\"upload.bin\")");
    let given = |f: &Field| {
        example
            .get(&f.wire)
            .or(f.docs.example.as_ref())
            .map(|example| conform(api, &f.ty, example))
    };
    let part = |f: &Field, value: Value| match (f.files(), &f.ty) {
        (Some(crate::ir::Files::One), _) => file.clone(),
        (Some(crate::ir::Files::Many), _) => format!("vec![{file}]"),
        (None, TypeRef::Primitive(Primitive::String | Primitive::Uri))
            if !f.nullable && !f.boxed =>
        {
            match value {
                Value::String(text) => str_lit(&text),
                other => str_lit(&other.to_string()),
            }
        }
        (None, _) => from_json(&value, "    "),
    };
    let args: Vec<String> = constructor_args(api, s)
        .iter()
        .map(|f| {
            let value = given(f).unwrap_or_else(|| synthesize_within(api, &f.ty, &f.constraints));
            part(f, value)
        })
        .collect();
    let sets: Vec<String> = s
        .fields
        .iter()
        .filter(|f| !f.required && !f.nullable && !f.boxed && !f.flatten)
        .filter_map(|f| {
            let value = match (given(f), f.files()) {
                (Some(value), _) => value,
                (None, Some(_)) => Value::Null,
                (None, None) => return None,
            };
            let setter = rust_ident(&format!("with_{}", f.name.trim_start_matches("r#")));
            Some(format!(".{setter}({})", part(f, value)))
        })
        .collect();
    format!(
        "{krate}::types::{}::new({}){}",
        rust_ident(&api.ty(*id).name),
        args.join(", "),
        sets.concat()
    )
}

// ---------------------------------------------------------------- channel examples

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

/// The JSON a message example sends: the message's example, its payload type's, or one
/// made up from the type.
pub fn message_value(api: &Api, m: &Message) -> Value {
    m.docs
        .example
        .clone()
        .or_else(|| declared(api, &m.payload))
        .unwrap_or_else(|| synthesize(api, &m.payload))
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

    // Connection parameters: the required ones from their examples, and the modes.
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

    match scenario {
        Scenario::Request(m) => {
            let message = w.bind("message", &m.payload, &message_value(api, m));
            let request = request_method(m);
            w.receive(c, &names, quote!(connection.#request(&#message).await?));
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
            w.receive(c, &names, quote!(connection.reply()));
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
    // Laid out under a short name, which the real one replaces: prettyplease would break a
    // long signature over several lines.
    let item = quote! {
        async fn example() -> Result<(), Box<dyn std::error::Error>> {
            #channel_uses
            #type_uses
            #stream_ext
            #(#body)*
            Ok(())
        }
    };
    let file: syn::File = syn::parse2(item)
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

/// A built value: an expression.
enum Expr {
    Tokens(TokenStream),
}

impl ToTokens for Expr {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Expr::Tokens(t) => t.to_tokens(tokens),
        }
    }
}

/// The statements of one example function, with the locals it has named.
struct Writer<'a> {
    api: &'a Api,
    body: Vec<TokenStream>,
    locals: BTreeSet<String>,
    /// Items of the `channels` module the example names, in order of first use.
    channel_items: Vec<Ident>,
    uses_types: bool,
    uses_stream_ext: bool,
    /// The path of the crate's `types` module in the example (`types`, imported, or the
    /// crate's full path).
    types: TokenStream,
}

impl<'a> Writer<'a> {
    fn new(api: &'a Api, krate: &Ident) -> Writer<'a> {
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

    fn import(&mut self, item: &Ident) {
        if !self.channel_items.contains(item) {
            self.channel_items.push(item.clone());
        }
    }

    /// A new local, named after `hint` (an IR name, already snake case).
    fn local(&mut self, hint: &str) -> Ident {
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
    fn bind(&mut self, hint: &str, ty: &TypeRef, value: &Value) -> Ident {
        let Expr::Tokens(expr) = self.value(ty, value, hint, 0);
        let local = self.local(hint);
        self.body.push(quote!(let #local = #expr;));
        local
    }

    /// Prints the parts of a reply (`reply`, a stream of them) until it ends, or, on a
    /// connection without one, every event until the connection closes.
    fn receive(&mut self, c: &Channel, names: &ChannelNames, reply: TokenStream) {
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
    fn listen(&mut self) {
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
    fn value(&mut self, ty: &TypeRef, value: &Value, hint: &str, depth: usize) -> Expr {
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
                    _ => super::synth::primitive(p),
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

/// JSON decoded at run time into whatever type the place expects.
fn decoded(value: &Value) -> Expr {
    Expr::Tokens(match json_scalar(value) {
        Some(json) => quote!(serde_json::from_value(serde_json::json!(#json))?),
        None => {
            let text = json_text(value);
            quote!(serde_json::from_str(#text)?)
        }
    })
}

fn int(n: i64) -> TokenStream {
    let abs = Literal::u64_unsuffixed(n.unsigned_abs());
    if n < 0 { quote!(-#abs) } else { quote!(#abs) }
}

fn float(x: f64) -> TokenStream {
    let abs = Literal::f64_unsuffixed(x.abs());
    if x < 0.0 { quote!(-#abs) } else { quote!(#abs) }
}

/// A JSON string, number or boolean as the literal `serde_json::json!` takes (`None` for
/// the others). Integers outside `i32` carry a suffix, so that they never default to `i32`.
fn json_scalar(value: &Value) -> Option<TokenStream> {
    Some(match value {
        Value::Bool(b) => quote!(#b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    int(i)
                } else if i < 0 {
                    // `-9223372036854775808i64` is a valid literal; its absolute value is
                    // not an `i64`, so the suffix goes on by hand.
                    let abs: Literal = format!("{}i64", i.unsigned_abs()).parse().ok()?;
                    quote!(-#abs)
                } else {
                    let lit = Literal::i64_suffixed(i);
                    quote!(#lit)
                }
            } else if let Some(u) = n.as_u64() {
                let lit = Literal::u64_suffixed(u);
                quote!(#lit)
            } else {
                float(n.as_f64().filter(|x| x.is_finite())?)
            }
        }
        Value::String(s) => {
            let lit = Literal::string(s);
            quote!(#lit)
        }
        Value::Null | Value::Array(_) | Value::Object(_) => return None,
    })
}

/// JSON text as a string literal: a raw one where the text allows, so that it reads as
/// JSON.
fn json_text(value: &Value) -> Literal {
    let text = value.to_string();
    raw_lit(&text)
        .parse::<Literal>()
        .unwrap_or_else(|_| Literal::string(&text))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn raw_literals_outlast_their_content() {
        assert_eq!(raw_lit("{}"), "r#\"{}\"#");
        assert_eq!(raw_lit("a\"#b"), "r##\"a\"#b\"##");
    }

    #[test]
    fn a_multipart_body_is_built_with_new_and_file_parts() {
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/up": {"post": {"operationId": "up", "requestBody": {"required": true, "content": {
                "multipart/form-data": {"schema": {"type": "object", "required": ["file", "kind", "n"], "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "kind": {"type": "string", "enum": ["a", "b"]},
                    "n": {"type": "integer"},
                    "name": {"type": "string"},
                    "note": {"type": "string", "example": "hi"},
                    "thumb": {"type": "string", "format": "binary"}
                }}}
            }}, "responses": {"204": {"description": "ok"}}}}}
        });
        let api = crate::lower::lower_openapi(
            crate::load::Sources::from_value("spec.yaml", doc),
            &crate::Flags::default(),
        )
        .unwrap();
        let call = rust_call(&api, &api.operations[0], "x", None);
        assert!(
            call.contains(
                "let body = x::types::UpRequest::new(x::FilePart::file(\"upload.bin\"), \
                 serde_json::from_str(r#\"\"a\"\"#)?, serde_json::from_str(r#\"1\"#)?)\
                 .with_note(\"hi\").with_thumb(x::FilePart::file(\"upload.bin\"));"
            ),
            "{call}"
        );
        assert!(call.contains("client.up(body).await?"), "{call}");
    }

    #[test]
    fn a_made_up_body_meets_the_limits_of_nested_array_items() {
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/answer": {"post": {"operationId": "answer", "requestBody": {"required": true, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}
            }}, "responses": {"204": {"description": "ok"}}}}},
            "components": {"schemas": {"Answer": {"type": "object", "required": ["pairs"], "properties": {
                "pairs": {"type": "array", "minItems": 1, "items": {
                    "type": "array", "minItems": 2, "maxItems": 2,
                    "items": {"type": "string", "minLength": 3}
                }}
            }}}}
        });
        let api = crate::lower::lower_openapi(
            crate::load::Sources::from_value("spec.yaml", doc),
            &crate::Flags::default(),
        )
        .unwrap();
        let body = api.operations[0].body.as_ref().unwrap();
        let (value, made_up) = body_value(&api, body).unwrap();
        assert!(made_up);
        let pairs = value["pairs"].as_array().unwrap();
        assert_eq!(pairs.len(), 1);
        let pair = pairs[0].as_array().unwrap();
        assert_eq!(pair.len(), 2, "{value}");
        assert!(
            pair.iter().all(|s| s.as_str().unwrap().len() >= 3),
            "{value}"
        );
    }

    #[test]
    fn reserved_and_keyword_methods() {
        assert_eq!(rust_ident("type"), "r#type");
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(rust_ident("list_items"), "list_items");
    }

    /// A WebSocket document unlike Autessa's: keyword names, a hostile example string,
    /// types without a literal form, a binary-only channel and a receive-only one.
    fn events() -> Api {
        let doc = json!({
            "asyncapi": "3.0.0", "info": {"title": "Events", "version": "1"},
            "servers": {"prod": {"host": "events.example.com", "protocol": "wss"}},
            "channels": {
                "type": {
                    "address": "/type",
                    "messages": {
                        "ask": {"$ref": "#/components/messages/ask"},
                        "part": {"$ref": "#/components/messages/part"},
                        "done": {"$ref": "#/components/messages/done"}
                    },
                    "bindings": {"ws": {"query": {"type": "object", "required": ["self"], "properties": {
                        "self": {"type": "string"},
                        "loud": {"type": "boolean", "default": false}
                    }}}}
                },
                "feed": {
                    "address": "/feed",
                    "messages": {"bytes": {"$ref": "#/components/messages/bytes"}, "note": {"$ref": "#/components/messages/note"}}
                },
                "watch": {
                    "address": "/watch",
                    "messages": {"note": {"$ref": "#/components/messages/note"}}
                }
            },
            "operations": {
                "ask": {"action": "receive", "channel": {"$ref": "#/channels/type"}, "messages": [{"$ref": "#/channels/type/messages/ask"}]},
                "answer": {"action": "send", "channel": {"$ref": "#/channels/type"}, "messages": [
                    {"$ref": "#/channels/type/messages/part"}, {"$ref": "#/channels/type/messages/done"}
                ]},
                "feed": {"action": "receive", "channel": {"$ref": "#/channels/feed"}, "messages": [{"$ref": "#/channels/feed/messages/bytes"}]},
                "notes": {"action": "send", "channel": {"$ref": "#/channels/feed"}, "messages": [{"$ref": "#/channels/feed/messages/note"}]},
                "watch": {"action": "send", "channel": {"$ref": "#/channels/watch"}, "messages": [{"$ref": "#/channels/watch/messages/note"}]}
            },
            "components": {"messages": {
                "ask": {
                    "x-stream-role": "request",
                    "payload": {"type": "object", "required": ["type", "when", "inner"], "properties": {
                        "type": {"type": "string"},
                        "when": {"type": "string", "format": "date-time"},
                        "maybe": {"type": ["string", "null"]},
                        "fn": {"type": "boolean"},
                        "extra": {"type": "object", "additionalProperties": {}},
                        "inner": {"type": "object", "required": ["n"], "properties": {
                            "n": {"type": "integer", "format": "int64"},
                            "tags": {"type": "array", "items": {"type": "string"}}
                        }}
                    }},
                    "examples": [{"payload": {
                        "type": "\"#); panic!(\"x",
                        "when": "2024-01-01T00:00:00Z",
                        "maybe": null,
                        "fn": false,
                        "extra": {"deep": {"a": [1, 2]}, "big": 5000000000i64},
                        "inner": {"n": -3, "tags": ["a"]}
                    }}]
                },
                "part": {"x-stream-role": "chunk", "payload": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}},
                "done": {"x-stream-role": "final", "payload": {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}},
                "bytes": {"contentType": "application/octet-stream", "payload": {"type": "string", "format": "binary"}},
                "note": {"payload": {"type": "object", "required": ["seen"], "properties": {"seen": {"type": "integer"}}}}
            }}
        });
        let sources = crate::load::Sources::from_value("events.yaml", doc);
        let root = sources.root_location();
        crate::lower::lower_documents(
            sources,
            None,
            Some(&root),
            &crate::Flags::default(),
            crate::Perspective::Server,
        )
        .unwrap()
    }

    fn examples_of(api: &Api, channel: &str) -> Vec<String> {
        let c = api.channels.iter().find(|c| c.id == channel).unwrap();
        channel_scenarios(c)
            .iter()
            .map(|s| {
                let code = rust_channel(api, c, s, "my-api", &scenario_function(c, s)).unwrap();
                syn::parse_file(&code).unwrap_or_else(|e| panic!("{e}:\n{code}"));
                code
            })
            .collect()
    }

    #[test]
    fn a_request_example_builds_its_message_from_the_example() {
        let api = events();
        let [code] = examples_of(&api, "type").try_into().unwrap();
        assert!(
            code.starts_with(
                "async fn type_ask_example() -> Result<(), Box<dyn std::error::Error>> {\n"
            ),
            "{code}"
        );
        for part in [
            "use my_api::channels::{TypeParams, TypeReply};",
            "let params = TypeParams::new(\"string\".to_owned());",
            "let mut connection = client.connect_type(&params).await?;",
            // Text stays a literal; keyword members are escaped.
            "    \"\\\"#); panic!(\\\"x\".to_owned(),\n",
            ".with_fn(false)",
            "serde_json::from_value(serde_json::json!(\"2024-01-01T00:00:00Z\"))?",
            // Optional members, nested ones too, are set with their setters.
            "types::AskInner::new(-3).with_tags(Vec::from([\"a\".to_owned()])),",
            "serde_json::from_str(r#\"{\"a\":[1,2]}\"#)?",
            "serde_json::json!(5000000000i64)",
            ".with_maybe(None)",
            "connection.request_ask(&message).await?;",
            "TypeReply::Part(chunk) => println!(\"{}\", chunk.text),",
            "TypeReply::Done(result) => println!(\"{result:?}\"),",
            "other => println!(\"{other:?}\"),",
        ] {
            assert!(code.contains(part), "{part}\n{code}");
        }
        // The mode stays off: it only serves binary messages.
        assert!(!code.contains("loud"), "{code}");
    }

    #[test]
    fn a_binary_example_streams_frames_and_a_quiet_channel_is_listened_to() {
        let api = events();
        let [feed] = examples_of(&api, "feed").try_into().unwrap();
        for part in [
            "let mut connection = client.connect_feed().await?;",
            "let data = std::fs::read(\"bytes.bin\")?;",
            "connection.sender().send_pcm_reader(data.as_slice(), 640).await?;",
            "while let Some(event) = connection.recv().await {",
        ] {
            assert!(feed.contains(part), "{part}\n{feed}");
        }
        assert!(!feed.contains("StreamExt"), "{feed}");
        let [watch] = examples_of(&api, "watch").try_into().unwrap();
        assert!(watch.contains("async fn watch_example()"), "{watch}");
        assert!(watch.contains("while let Some(event) = connection.recv().await {"));
    }
}
