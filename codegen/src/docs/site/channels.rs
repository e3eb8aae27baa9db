//! The message channels' page: each channel with its connection, its messages and its
//! examples.

use askama::Template;

use super::context::{Ctx, JsonBlock};
use super::plan::CHANNELS_TITLE;
use super::prose::{auth_md, capitalise, docs_md, flag_notes, json_str, note_blocks};
use crate::diag::Diagnostic;
use crate::docs::example::{self, Scenario};
use crate::docs::markdown::{CodeBlock, Md, Table};
use crate::docs::model::RustExample;
use crate::docs::shell;
use crate::docs::synth::{declared, synthesize};
use crate::ir::{Channel, Matcher, Message, MessageKind};
use crate::rust::channels::naming::reply_parts;

#[derive(Template)]
#[template(path = "docs/channels.md", escape = "none")]
pub(super) struct ChannelsPage {
    title: Md,
    channels: Vec<ChannelView>,
}

struct ChannelView {
    heading: Md,
    title: Md,
    /// The address, its URL on each WebSocket server, and the authentication.
    address: Md,
    urls: Vec<Md>,
    auth: Option<Md>,
    description: Md,
    notes: Vec<Md>,
    params: Table,
    sends: Vec<MessageEntry>,
    receives: Vec<MessageEntry>,
    examples: Vec<ChannelExample>,
    /// Connecting with `websocat`, and a message exchange.
    websocat: CodeBlock,
    exchange: CodeBlock,
    messages: Vec<MessageView>,
}

/// A message in a channel's lists: a link to it and its summary.
struct MessageEntry {
    link: Md,
    summary: Md,
}

/// A Rust example of a channel: a line saying what it does, and the code.
struct ChannelExample {
    caption: Md,
    code: CodeBlock,
}

struct MessageView {
    heading: Md,
    direction: Md,
    description: Md,
    notes: Vec<Md>,
    recognised: Md,
    line: Md,
    fields: Table,
    example: Option<JsonBlock>,
}

pub(super) fn channels_page(ctx: &mut Ctx<'_>) -> Result<ChannelsPage, Diagnostic> {
    let channels = ctx
        .api
        .channels
        .iter()
        .enumerate()
        .map(|(ci, c)| channel_view(ctx, ci, c))
        .collect::<Result<_, _>>()?;
    Ok(ChannelsPage {
        title: Md::trusted(CHANNELS_TITLE),
        channels,
    })
}

/// The Rust examples of a channel (recorded for the tests).
fn channel_examples(ctx: &mut Ctx<'_>, c: &Channel) -> Result<Vec<ChannelExample>, Diagnostic> {
    let api = ctx.api;
    let mut out = Vec::new();
    for scenario in example::channel_scenarios(c) {
        let base = example::scenario_function(c, &scenario);
        let mut function = base.clone();
        let mut n = 2;
        while ctx.examples.rust.iter().any(|e| e.function == function) {
            function = format!("{base}_{n}");
            n += 1;
        }
        let code = example::rust_channel(api, c, &scenario, &ctx.config.crate_name, &function)
            .map_err(|e| Diagnostic::error(&c.origin, e))?;
        out.push(ChannelExample {
            caption: scenario_caption(c, &scenario),
            code: CodeBlock::new("rust", &code),
        });
        ctx.examples.rust.push(RustExample {
            operation_id: c.id.clone(),
            function,
            code,
        });
    }
    Ok(out)
}

/// What an example does, in a line ending with `:`.
fn scenario_caption(c: &Channel, scenario: &Scenario<'_>) -> Md {
    let ids = |ms: &[&Message]| Md::join(ms.iter().map(|m| Md::code(&m.id)), ", ");
    let receive = if reply_parts(c).is_some() {
        "print the parts of the reply until it ends"
    } else {
        "print what arrives"
    };
    match scenario {
        Scenario::Request(m) => Md::trusted("Send ")
            .then(Md::code(&m.id).as_str())
            .then(" and print the parts of its reply as they arrive, until it ends:"),
        Scenario::Binary {
            modes,
            setup,
            binary,
        } => {
            let mut steps = Vec::new();
            if !modes.is_empty() {
                steps.push(
                    Md::trusted("connect with ").then(
                        Md::join(
                            modes.iter().map(|p| Md::code(&format!("{}=true", p.wire))),
                            ", ",
                        )
                        .as_str(),
                    ),
                );
            }
            if !setup.is_empty() {
                steps.push(Md::trusted("send ").then(ids(setup).as_str()));
            }
            steps.push(
                Md::trusted("stream ")
                    .then(Md::code(&binary.id).as_str())
                    .then(" binary frames read from a file"),
            );
            steps.push(Md::trusted("and ").then(receive));
            capitalise(Md::join(steps, ", ")).then(":")
        }
        Scenario::Listen(Some(m)) => Md::trusted("Send ")
            .then(Md::code(&m.id).as_str())
            .then(" and print what arrives:"),
        Scenario::Listen(None) => Md::trusted("Connect and print what arrives:"),
    }
}

/// The channel's URL on each WebSocket server.
fn channel_urls(ctx: &Ctx<'_>, c: &Channel) -> Vec<Md> {
    ctx.api
        .servers
        .iter()
        .filter(|s| s.url.starts_with("ws://") || s.url.starts_with("wss://"))
        .map(|s| Md::code(&format!("{}{}", s.url.trim_end_matches('/'), c.address)))
        .collect()
}

fn channel_params(ctx: &Ctx<'_>, c: &Channel) -> Table {
    Table::new(
        &["Name", "Type", "Required", "Description"],
        c.params
            .iter()
            .map(|p| {
                let mut notes = vec![docs_md(&p.docs)];
                notes.extend(flag_notes(&p.docs));
                vec![
                    Md::code(&p.wire),
                    ctx.type_md(&p.ty),
                    Md::trusted(if p.required { "yes" } else { "no" }),
                    Md::join(notes, " "),
                ]
            })
            .collect(),
    )
}

/// The messages one way (`outgoing`: the client sends them), linked.
fn message_entries(
    ctx: &Ctx<'_>,
    ci: usize,
    outgoing: bool,
    msgs: &[Message],
) -> Vec<MessageEntry> {
    msgs.iter()
        .enumerate()
        .map(|(mi, m)| MessageEntry {
            link: Md::link(
                &Md::text(&m.id),
                &ctx.href(&ctx.plan.messages[&(ci, outgoing, mi)]),
            ),
            summary: m.docs.summary.as_deref().map(Md::text).unwrap_or_default(),
        })
        .collect()
}

fn channel_view(ctx: &mut Ctx<'_>, ci: usize, c: &Channel) -> Result<ChannelView, Diagnostic> {
    let api = ctx.api;
    let mut messages = Vec::new();
    for (outgoing, msgs) in [(true, &c.outgoing), (false, &c.incoming)] {
        for m in msgs {
            messages.push(message_view(ctx, c, m, outgoing));
        }
    }
    let examples = channel_examples(ctx, c)?;
    Ok(ChannelView {
        heading: Md::text(&c.id),
        title: c.docs.summary.as_deref().map(Md::text).unwrap_or_default(),
        address: Md::code(&c.address),
        urls: channel_urls(ctx, c),
        auth: c.auth.as_ref().map(auth_md),
        description: c
            .docs
            .description
            .as_deref()
            .map(Md::markdown)
            .unwrap_or_default(),
        notes: note_blocks(&c.docs),
        params: channel_params(ctx, c),
        sends: message_entries(ctx, ci, true, &c.outgoing),
        receives: message_entries(ctx, ci, false, &c.incoming),
        examples,
        websocat: CodeBlock::new("sh", &shell::websocat(api, c)),
        exchange: CodeBlock::new("text", &shell::exchange(api, c)),
        messages,
    })
}

/// How the client tells a message the server sends from the others.
fn recognised(m: &Message) -> Md {
    match &m.matcher {
        Some(Matcher::Const { property, value }) => Md::trusted(format!(
            "Recognised by its {} member, which is {}.",
            Md::code(property),
            Md::code(&json_str(value))
        )),
        Some(Matcher::Has { property }) => Md::trusted(format!(
            "Recognised by having a {} member, which no other message of this channel has.",
            Md::code(property)
        )),
        Some(Matcher::Always) => {
            Md::trusted("Recognised as the only JSON message the server sends on this channel.")
        }
        None if m.kind == MessageKind::Binary => Md::trusted("Recognised as a binary frame."),
        None => {
            Md::trusted("Not told apart from the other messages of this channel by its content.")
        }
    }
}

fn message_view(ctx: &mut Ctx<'_>, c: &Channel, m: &Message, outgoing: bool) -> MessageView {
    let api = ctx.api;
    let frame = match m.kind {
        MessageKind::Json => "a text frame holding JSON",
        MessageKind::Binary => "a binary frame",
    };
    let direction = Md::trusted(format!(
        "*{}* on {}: {frame} ({}).",
        if outgoing {
            "Client → server"
        } else {
            "Server → client"
        },
        Md::code(&c.id),
        Md::code(&m.content_type),
    ));
    let (line, fields, example) = match m.kind {
        MessageKind::Json => {
            let (line, fields) = ctx.shape(&m.payload);
            let (value, synthesized) =
                match m.docs.example.clone().or_else(|| declared(api, &m.payload)) {
                    Some(v) => (v, false),
                    None => (synthesize(api, &m.payload), true),
                };
            let example =
                ctx.json_example(format!("{} payload", m.id), &m.payload, value, synthesized);
            (line, fields, Some(example))
        }
        MessageKind::Binary => (Md::trusted("Raw bytes."), Table::default(), None),
    };
    MessageView {
        heading: Md::text(&m.id),
        direction,
        description: docs_md(&m.docs),
        notes: note_blocks(&m.docs),
        recognised: if outgoing {
            Md::default()
        } else {
            recognised(m)
        },
        line,
        fields,
        example,
    }
}
