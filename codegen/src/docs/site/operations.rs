//! A tag's page: each operation with its parameters, bodies, responses and examples.

use askama::Template;
use serde_json::Value;

use super::context::{Ctx, JsonBlock};
use super::plan::TagPlan;
use super::prose::{docs_md, flag_notes, location_name, note_blocks, status_name};
use crate::docs::example;
use crate::docs::markdown::{CodeBlock, Md, Table};
use crate::docs::model::RustExample;
use crate::docs::shell;
use crate::docs::synth::declared;
use crate::ir::{Body, BodyKind, Operation};

#[derive(Template)]
#[template(path = "docs/operations.md", escape = "none")]
pub(super) struct TagPage {
    title: Md,
    description: Md,
    ops: Vec<OpView>,
}

struct OpView {
    heading: Md,
    method: Md,
    path: Md,
    summary: Md,
    description: Md,
    notes: Vec<Md>,
    /// For the sentences on authentication, retries and the Rust methods.
    authenticated: bool,
    safe_to_retry: bool,
    /// `Client::<method>`, and the method that streams a large result, if there is one.
    rust_method: Md,
    stream_method: Option<Md>,
    params: Table,
    body: Option<BodyView>,
    responses: Table,
    headers: Table,
    /// The Rust struct a successful response's documented headers are read into.
    rust_headers: Option<Md>,
    response_bodies: Vec<BodyView>,
    rust: CodeBlock,
    curl: CodeBlock,
}

/// A request or response body.
struct BodyView {
    /// `Request body`, `Response` and the status.
    title: Md,
    media_type: Md,
    /// `required` or `optional`, for a request body.
    presence: Option<&'static str>,
    line: Md,
    description: Md,
    fields: Table,
    example: Option<JsonBlock>,
}

pub(super) fn tag_page(ctx: &mut Ctx<'_>, t: &TagPlan) -> TagPage {
    let description = t
        .tag
        .as_ref()
        .and_then(|name| ctx.api.tags.iter().find(|x| &x.name == name))
        .and_then(|x| x.description.as_deref())
        .map(Md::markdown)
        .unwrap_or_default();
    let ops = t
        .ops
        .iter()
        .map(|&i| op_view(ctx, &ctx.api.operations[i]))
        .collect();
    TagPage {
        title: Md::text(&t.title),
        description,
        ops,
    }
}

fn op_view(ctx: &mut Ctx<'_>, op: &Operation) -> OpView {
    let api = ctx.api;
    // The request body, with its example (the schema's, or one made up from the type).
    let mut body_example: Option<Value> = None;
    let body = op.body.as_ref().map(|b| {
        let (example, synthesized) = match example::body_value(api, b) {
            Some((e, synthesized)) => (Some(e), synthesized),
            None => (None, false),
        };
        body_example = example.clone();
        let example = example.map(|e| (format!("{} request body", op.id), e, synthesized));
        body_view(
            ctx,
            b,
            Md::trusted("Request body"),
            example,
            Some(b.required),
        )
    });
    let response_bodies = response_bodies(ctx, op);

    let rust = example::rust_call(api, op, &ctx.config.crate_name, body_example.as_ref());
    let curl = shell::curl(api, op, body_example.as_ref());
    ctx.examples.rust.push(RustExample {
        operation_id: op.id.clone(),
        function: format!("{}_example", op.name),
        code: rust.clone(),
    });

    OpView {
        heading: Md::text(&op.id),
        method: Md::text(&op.method),
        path: Md::code(&op.path),
        summary: op.docs.summary.as_deref().map(Md::text).unwrap_or_default(),
        description: op
            .docs
            .description
            .as_deref()
            .filter(|d| Some(d.trim()) != op.docs.summary.as_deref().map(str::trim))
            .map(Md::markdown)
            .unwrap_or_default(),
        notes: note_blocks(&op.docs),
        authenticated: op.authenticated,
        safe_to_retry: op.is_idempotent(),
        rust_method: Md::code(&format!("Client::{}", example::method_name(op))),
        stream_method: op
            .stream_name
            .as_ref()
            .map(|name| Md::code(&format!("Client::{name}"))),
        params: params_table(ctx, op),
        body,
        responses: responses_table(ctx, op),
        headers: headers_table(ctx, op),
        rust_headers: op.success_headers.as_ref().map(|h| {
            let krate = example::crate_path(&ctx.config.crate_name);
            Md::code(&format!("{krate}::types::{}", example::rust_ident(&h.name)))
        }),
        response_bodies,
        rust: CodeBlock::new("rust", &rust),
        curl: CodeBlock::new("sh", &curl),
    }
}

fn params_table(ctx: &Ctx<'_>, op: &Operation) -> Table {
    Table::new(
        &["Name", "In", "Type", "Required", "Description"],
        op.params_in_call_order()
            .iter()
            .map(|p| {
                let mut notes = vec![docs_md(&p.docs)];
                if let Some(e) = &p.docs.example {
                    notes.push(
                        Md::trusted("Example: ")
                            .then(Md::code(&e.to_string()).as_str())
                            .then("."),
                    );
                }
                notes.extend(flag_notes(&p.docs));
                vec![
                    Md::code(&p.wire),
                    Md::trusted(location_name(p.location)),
                    ctx.type_md(&p.ty),
                    Md::trusted(if p.required { "yes" } else { "no" }),
                    Md::join(notes, " "),
                ]
            })
            .collect(),
    )
}

fn responses_table(ctx: &Ctx<'_>, op: &Operation) -> Table {
    Table::new(
        &["Status", "Description", "Body"],
        op.responses
            .iter()
            .map(|r| {
                let body = match &r.body {
                    Some(b) => Md::join([ctx.type_md(&b.ty), Md::code(&b.media_type)], " as "),
                    None => Md::trusted("none"),
                };
                vec![
                    Md::code(&status_name(r.status)),
                    Md::join(
                        [docs_md(&r.docs)].into_iter().chain(flag_notes(&r.docs)),
                        " ",
                    ),
                    body,
                ]
            })
            .collect(),
    )
}

/// The response headers, each once (names compared without case) with the statuses that
/// send it.
fn headers_table(ctx: &Ctx<'_>, op: &Operation) -> Table {
    let mut rows: Vec<(String, Vec<Md>, Vec<String>)> = Vec::new();
    for r in &op.responses {
        for h in &r.headers {
            let status = status_name(r.status);
            if let Some(row) = rows
                .iter_mut()
                .find(|(w, _, _)| w.eq_ignore_ascii_case(&h.wire))
            {
                row.2.push(status);
                continue;
            }
            let mut notes = vec![docs_md(&h.docs)];
            notes.extend(flag_notes(&h.docs));
            rows.push((
                h.wire.clone(),
                vec![Md::code(&h.wire), ctx.type_md(&h.ty), Md::join(notes, " ")],
                vec![status],
            ));
        }
    }
    Table::new(
        &["Header", "Type", "Description", "In responses"],
        rows.into_iter()
            .map(|(_, mut cells, statuses)| {
                cells.push(Md::join(statuses.iter().map(|s| Md::code(s)), ", "));
                cells
            })
            .collect(),
    )
}

/// The bodies of the success responses, with the examples the schema gives.
fn response_bodies(ctx: &mut Ctx<'_>, op: &Operation) -> Vec<BodyView> {
    let api = ctx.api;
    let mut out = Vec::new();
    for r in op.responses.iter().filter(|r| r.status.is_success()) {
        let Some(b) = &r.body else { continue };
        let example = b.docs.example.clone().or_else(|| declared(api, &b.ty));
        let status = status_name(r.status);
        let title = Md::trusted("Response ").then(Md::code(&status).as_str());
        let example = example.map(|e| (format!("{} response {status}", op.id), e, false));
        out.push(body_view(ctx, b, title, example, None));
    }
    out
}

fn body_view(
    ctx: &mut Ctx<'_>,
    b: &Body,
    title: Md,
    example: Option<(String, Value, bool)>,
    required: Option<bool>,
) -> BodyView {
    let (line, fields) = match b.kind {
        BodyKind::Json | BodyKind::Form | BodyKind::Multipart => ctx.shape(&b.ty),
        BodyKind::Binary => (Md::trusted("Raw bytes."), Table::default()),
        BodyKind::Text => (Md::trusted("Text."), Table::default()),
    };
    let example = example
        .map(|(context, value, synthesized)| ctx.json_example(context, &b.ty, value, synthesized));
    BodyView {
        title,
        media_type: Md::code(&b.media_type),
        presence: required.map(|r| if r { "required" } else { "optional" }),
        line,
        description: docs_md(&b.docs),
        fields,
        example,
    }
}
