//! The overview page (`README.md`): the API, its servers and security schemes, and the
//! index of every page; and the change log's page.

use askama::Template;

use super::context::Ctx;
use super::plan::{CHANGES, CHANGES_TITLE, CHANNELS, CHANNELS_TITLE, TYPES, TYPES_TITLE};
use super::prose::auth_md;
use crate::docs::example::crate_path;
use crate::docs::markdown::{Md, Table};

#[derive(Template)]
#[template(path = "docs/overview.md", escape = "none")]
pub(super) struct OverviewPage {
    title: Md,
    version: Md,
    description: Md,
    overview: Md,
    servers: Table,
    security: Table,
    crate_name: Md,
    tag_pages: Vec<IndexGroup>,
    channels: Vec<IndexEntry>,
    channels_link: Md,
    types_link: Md,
    type_count: usize,
    changes_link: Option<Md>,
}

/// A tag page in the index, with its operations.
struct IndexGroup {
    link: Md,
    /// One line (a table cell's rules).
    description: Md,
    entries: Vec<IndexEntry>,
}

/// An operation or channel in the index: its link, what it is (`GET /x`, an address), and
/// its summary.
struct IndexEntry {
    link: Md,
    what: Md,
    summary: Md,
}

fn optional_markdown(text: Option<&str>) -> Md {
    text.map(Md::markdown).unwrap_or_default()
}

fn optional_text(text: Option<&str>) -> Md {
    text.map(Md::text).unwrap_or_default()
}

pub(super) fn overview_page(ctx: &Ctx<'_>) -> OverviewPage {
    let api = ctx.api;
    let servers = Table::new(
        &["URL", "Description"],
        api.servers
            .iter()
            .map(|s| {
                vec![
                    Md::code(&s.url),
                    optional_markdown(s.description.as_deref()),
                ]
            })
            .collect(),
    );
    let security = Table::new(
        &["Scheme", "How", "Description"],
        api.security
            .iter()
            .map(|s| {
                vec![
                    Md::code(&s.key),
                    auth_md(&s.kind),
                    optional_markdown(s.description.as_deref()),
                ]
            })
            .collect(),
    );
    let channels = api
        .channels
        .iter()
        .enumerate()
        .map(|(ci, c)| IndexEntry {
            link: Md::link(&Md::text(&c.id), &ctx.href(&ctx.plan.channels[&ci])),
            what: Md::code(&c.address),
            summary: optional_text(c.docs.summary.as_deref()),
        })
        .collect();
    OverviewPage {
        title: Md::text(&api.title),
        version: Md::code(&api.version),
        description: optional_markdown(api.description.as_deref()),
        overview: Md::overview(&ctx.config.overview),
        servers,
        security,
        crate_name: Md::code(&crate_path(&ctx.config.crate_name)),
        tag_pages: index_groups(ctx),
        channels,
        channels_link: Md::link(&Md::trusted(CHANNELS_TITLE), CHANNELS),
        types_link: Md::link(&Md::trusted(TYPES_TITLE), TYPES),
        type_count: api.types.len(),
        changes_link: ctx
            .config
            .changelog
            .as_ref()
            .map(|_| Md::link(&Md::trusted(CHANGES_TITLE), CHANGES)),
    }
}

/// The tag pages in the index, each with its operations.
fn index_groups(ctx: &Ctx<'_>) -> Vec<IndexGroup> {
    let api = ctx.api;
    ctx.plan
        .tags
        .iter()
        .map(|t| {
            let description = t
                .tag
                .as_ref()
                .and_then(|name| api.tags.iter().find(|x| &x.name == name))
                .and_then(|x| x.description.as_deref());
            let entries = t
                .ops
                .iter()
                .map(|&i| {
                    let op = &api.operations[i];
                    IndexEntry {
                        link: Md::link(&Md::text(&op.id), &ctx.href(&ctx.plan.ops[&i])),
                        what: Md::code(&format!("{} {}", op.method, op.path)),
                        summary: optional_text(op.docs.summary.as_deref()),
                    }
                })
                .collect();
            IndexGroup {
                link: Md::link(&Md::text(&t.title), &t.file),
                description: optional_markdown(description).cell(),
                entries,
            }
        })
        .collect()
}

/// The change log as a page: its own header comment left out (the page gets the
/// reference's), its text sanitised like the overview.
pub(super) fn changes_markdown(log: &str) -> String {
    let text = match log.trim_start().strip_prefix("<!--") {
        Some(rest) => rest.split_once("-->").map_or("", |(_, after)| after),
        None => log,
    };
    let text = text.trim_start();
    let md = Md::overview(text);
    if text.starts_with("# ") {
        format!("{md}\n")
    } else {
        format!("# {CHANGES_TITLE}\n\n{md}\n")
    }
}
