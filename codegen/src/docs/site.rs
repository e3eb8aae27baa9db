//! The pages of the reference: which page holds what, the anchor of every heading that
//! is linked to, and the views the templates lay out.

use std::collections::BTreeMap;

use askama::Template;
use serde_json::Value;

use super::example::{self, crate_path, pretty, rust_ident};
use super::markdown::{Md, Slugger};
use super::model::{DocsConfig, Examples, JsonExample, RustExample};
use super::synth::{declared, synthesize};
use crate::diag::Diagnostic;
use crate::ir::{
    Api, AuthKind, Body, BodyKind, Channel, Docs, Matcher, Message, MessageKind, Operation,
    ParamLocation, Primitive, Status, Struct, TypeId, TypeKind, TypeRef,
};
use crate::rust::channels::reply_parts;

mod plan;
mod search;

use plan::{Anchor, Plan, TagPlan};
pub use search::SearchEntry;
use search::search_index;

/// One Markdown page.
pub struct Page {
    /// The file name (`README.md`, `agents.md`, ...).
    pub file: String,
    /// The page's id in the HTML reference: `[a-z0-9-]`, never containing `--`.
    pub stem: String,
    pub markdown: String,
}

pub struct Site {
    pub pages: Vec<Page>,
    pub examples: Examples,
    /// What the HTML reference's search finds: every operation, channel, message and type.
    pub index: Vec<SearchEntry>,
}

const OVERVIEW: &str = "README.md";
const CHANGES: &str = "changes.md";
const CHANGES_TITLE: &str = "Changes";
const CHANNELS: &str = "channels.md";
const TYPES: &str = "types.md";
const CHANNELS_TITLE: &str = "Message channels";
const TYPES_TITLE: &str = "Types";

impl Plan {
    fn new(api: &Api) -> Plan {
        // Tags: declared ones first, in order, then the others in order of first use.
        let mut names: Vec<String> = api.tags.iter().map(|t| t.name.clone()).collect();
        for op in &api.operations {
            if let Some(t) = op.tags.first()
                && !names.contains(t)
            {
                names.push(t.clone());
            }
        }
        let mut used_stems: Vec<String> = ["readme", "channels", "types", "reference", "changes"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut tags = Vec::new();
        for name in names {
            let ops: Vec<usize> = (0..api.operations.len())
                .filter(|&i| api.operations[i].tags.first() == Some(&name))
                .collect();
            if ops.is_empty() {
                continue;
            }
            let stem = unique_stem(&stem_of(&name), &mut used_stems);
            tags.push(TagPlan {
                file: format!("{stem}.md"),
                stem,
                title: format!("Operations: {name}"),
                tag: Some(name),
                ops,
            });
        }
        let untagged: Vec<usize> = (0..api.operations.len())
            .filter(|&i| api.operations[i].tags.is_empty())
            .collect();
        if !untagged.is_empty() {
            let stem = unique_stem("operations", &mut used_stems);
            tags.push(TagPlan {
                file: format!("{stem}.md"),
                stem,
                title: if tags.is_empty() {
                    "Operations".into()
                } else {
                    "Other operations".into()
                },
                tag: None,
                ops: untagged,
            });
        }

        // Anchors, in the order the headings appear on each page.
        let mut ops = BTreeMap::new();
        for t in &tags {
            let mut slugs = Slugger::default();
            slugs.slug(&t.title);
            for &i in &t.ops {
                let slug = slugs.slug(&api.operations[i].id);
                ops.insert(
                    i,
                    Anchor {
                        file: t.file.clone(),
                        slug,
                    },
                );
            }
        }
        let mut channels = BTreeMap::new();
        let mut messages = BTreeMap::new();
        let mut slugs = Slugger::default();
        slugs.slug(CHANNELS_TITLE);
        for (ci, c) in api.channels.iter().enumerate() {
            let anchor = |slug| Anchor {
                file: CHANNELS.into(),
                slug,
            };
            channels.insert(ci, anchor(slugs.slug(&c.id)));
            for (outgoing, list) in [(true, &c.outgoing), (false, &c.incoming)] {
                for (mi, m) in list.iter().enumerate() {
                    messages.insert((ci, outgoing, mi), anchor(slugs.slug(&m.id)));
                }
            }
        }
        let mut types = BTreeMap::new();
        let mut slugs = Slugger::default();
        slugs.slug(TYPES_TITLE);
        for id in api.types_by_name() {
            let slug = slugs.slug(&api.ty(id).name);
            types.insert(
                id,
                Anchor {
                    file: TYPES.into(),
                    slug,
                },
            );
        }
        Plan {
            tags,
            ops,
            channels,
            messages,
            types,
        }
    }
}

/// A file stem for a tag: ASCII letters and digits, single `-` between words.
fn stem_of(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() { "tag".into() } else { out }
}

fn unique_stem(base: &str, used: &mut Vec<String>) -> String {
    let mut stem = base.to_owned();
    let mut n = 2;
    while used.contains(&stem) {
        stem = format!("{base}-{n}");
        n += 1;
    }
    used.push(stem.clone());
    stem
}

/// Builds views with links relative to one page.
struct Ctx<'a> {
    api: &'a Api,
    config: &'a DocsConfig,
    plan: &'a Plan,
    /// The file being written: links into it are `#anchor` only.
    here: String,
    examples: &'a mut Examples,
}

impl Ctx<'_> {
    fn href(&self, anchor: &Anchor) -> String {
        if anchor.file == self.here {
            format!("#{}", anchor.slug)
        } else {
            format!("{}#{}", anchor.file, anchor.slug)
        }
    }

    fn type_link(&self, id: TypeId) -> Md {
        let name = Md::text(&self.api.ty(id).name);
        match self.plan.types.get(&id) {
            Some(anchor) => Md::link(&name, &self.href(anchor)),
            None => name,
        }
    }

    /// A use of a type, in words, with named types linked.
    fn type_md(&self, ty: &TypeRef) -> Md {
        match ty {
            TypeRef::Named(id) => self.type_link(*id),
            TypeRef::Primitive(p) => Md::trusted(primitive_name(*p)),
            TypeRef::Array(item) => Md::trusted("array of ").then(self.type_md(item).as_str()),
            TypeRef::Map(value) => {
                Md::trusted("map of string to ").then(self.type_md(value).as_str())
            }
            TypeRef::Nullable(inner) => self.type_md(inner).then(" or null"),
            TypeRef::Any => Md::trusted("any JSON"),
        }
    }

    /// Records a JSON example and returns it as a fenced block.
    fn json_example(
        &mut self,
        context: String,
        ty: &TypeRef,
        value: Value,
        synthesized: bool,
    ) -> Md {
        let block = Md::fenced("json", &pretty(&value));
        self.examples.json.push(JsonExample {
            context,
            ty: ty.clone(),
            value,
            synthesized,
        });
        block
    }

    fn field_rows(&self, s: &Struct, rows: &mut Vec<[Md; 4]>, stack: &mut Vec<TypeId>) {
        for f in &s.fields {
            if f.flatten {
                if let TypeRef::Named(id) = &f.ty
                    && let TypeKind::Struct(inner) = &self.api.ty(*id).kind
                    && !stack.contains(id)
                {
                    stack.push(*id);
                    self.field_rows(inner, rows, stack);
                    stack.pop();
                } else {
                    rows.push([
                        Md::trusted("*(members of ")
                            .then(self.type_md(&f.ty).as_str())
                            .then(")*"),
                        self.type_md(&f.ty),
                        Md::trusted(""),
                        docs_md(&f.docs),
                    ]);
                }
                continue;
            }
            let mut ty = self.type_md(&f.ty);
            if f.nullable && !matches!(f.ty, TypeRef::Nullable(_)) {
                ty = ty.then(" or null");
            }
            let mut notes = vec![docs_md(&f.docs)];
            if let Some(d) = &f.default {
                notes.push(
                    Md::trusted("Default: ")
                        .then(Md::code(&d.to_string()).as_str())
                        .then("."),
                );
            }
            if let Some(e) = &f.docs.example {
                notes.push(
                    Md::trusted("Example: ")
                        .then(Md::code(&e.to_string()).as_str())
                        .then("."),
                );
            }
            notes.extend(flag_notes(&f.docs));
            rows.push([
                Md::code(&f.wire),
                ty,
                Md::trusted(if f.required { "yes" } else { "no" }),
                Md::join(notes, " "),
            ]);
        }
        if let Some(extra) = &s.extra {
            rows.push([
                Md::trusted("*(any other member)*"),
                self.type_md(extra),
                Md::trusted("no"),
                Md::trusted("Members not listed above."),
            ]);
        }
    }

    /// What a body or payload of type `ty` looks like: a line saying what it is, and a
    /// table of its members (or variants, or values) when it has any.
    fn shape(&self, ty: &TypeRef) -> (Md, Md) {
        match ty {
            TypeRef::Named(id) => {
                let def = self.api.ty(*id);
                let link = self.type_link(*id);
                match &def.kind {
                    TypeKind::Struct(s) => {
                        let mut rows = Vec::new();
                        self.field_rows(s, &mut rows, &mut vec![*id]);
                        (
                            link.then(", a JSON object:"),
                            table(&["Field", "Type", "Required", "Description"], rows),
                        )
                    }
                    TypeKind::Enum(e) => (
                        link.then(": one of ")
                            .then(
                                Md::join(
                                    e.values.iter().map(|v| Md::code(&json_str(&v.wire))),
                                    ", ",
                                )
                                .as_str(),
                            )
                            .then("."),
                        Md::default(),
                    ),
                    TypeKind::Union(u) => (
                        link.then(": one of the shapes below.").then(
                            u.discriminator
                                .as_ref()
                                .map(|d| format!(" The {} member says which.", Md::code(d)))
                                .unwrap_or_default()
                                .as_str(),
                        ),
                        self.variants_table(u),
                    ),
                    TypeKind::Alias(t) => {
                        let (line, rows) = self.shape(t);
                        (link.then(": ").then(line.as_str()), rows)
                    }
                }
            }
            TypeRef::Array(item) => {
                let (_, rows) = self.shape(item);
                let line = Md::trusted("A JSON array of ").then(self.type_md(item).as_str());
                let line = if rows.is_empty() {
                    line.then(".")
                } else {
                    line.then("; each item:")
                };
                (line, rows)
            }
            other => (
                Md::trusted("")
                    .then(capitalise(self.type_md(other)).as_str())
                    .then("."),
                Md::default(),
            ),
        }
    }

    fn variants_table(&self, u: &crate::ir::Union) -> Md {
        let tag_head = match &u.discriminator {
            Some(d) => format!("{} value", Md::code(d)),
            None => "Tag".into(),
        };
        let rows = u
            .variants
            .iter()
            .map(|v| {
                [
                    Md::text(&v.name),
                    self.type_md(&v.ty),
                    v.tag
                        .as_deref()
                        .map(|t| Md::code(&json_str(t)))
                        .unwrap_or_default(),
                    Md::join(
                        [docs_md(&v.docs)].into_iter().chain(flag_notes(&v.docs)),
                        " ",
                    ),
                ]
            })
            .collect();
        let head = ["Variant", "Type", tag_head.as_str(), "Description"];
        table(&head, rows)
    }
}

/// `"text"` as JSON.
fn json_str(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

fn capitalise(md: Md) -> Md {
    let s = md.as_str();
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() => {
            Md::trusted(format!("{}{}", c.to_ascii_uppercase(), chars.as_str()))
        }
        _ => md,
    }
}

fn primitive_name(p: Primitive) -> &'static str {
    match p {
        Primitive::String => "string",
        Primitive::Boolean => "boolean",
        Primitive::I32 => "integer (int32)",
        Primitive::I64 => "integer (int64)",
        Primitive::U64 => "integer (uint64)",
        Primitive::F32 => "number (float)",
        Primitive::F64 => "number (double)",
        Primitive::DateTime => "string (date-time)",
        Primitive::Date => "string (date)",
        Primitive::Uuid => "string (uuid)",
        Primitive::Base64 => "string (base64 bytes)",
        Primitive::Binary => "binary",
        Primitive::Uri => "string (uri)",
    }
}

/// Summary and description as Markdown (the description once, if both say the same).
fn docs_md(docs: &Docs) -> Md {
    let summary = docs.summary.as_deref().map(str::trim).unwrap_or("");
    let description = docs.description.as_deref().map(str::trim).unwrap_or("");
    let mut parts = Vec::new();
    if !summary.is_empty() {
        parts.push(Md::markdown(summary));
    }
    if !description.is_empty() && description != summary {
        parts.push(Md::markdown(description));
    }
    Md::join(parts, "\n\n")
}

/// The notes of flagged extensions (and deprecation), each a short Markdown line.
fn flag_notes(docs: &Docs) -> Vec<Md> {
    let mut notes: Vec<Md> = docs
        .flags
        .iter()
        .map(|f| Md::trusted("⚠️ **Note:** ").then(Md::markdown(f).as_str()))
        .collect();
    if docs.deprecated {
        notes.push(Md::trusted("**Deprecated.**"));
    }
    notes
}

/// The same notes as block quotes, for under a heading.
fn note_blocks(docs: &Docs) -> Vec<Md> {
    flag_notes(docs).iter().map(Md::quote).collect()
}

/// A GitHub table; every cell is made a cell (one line, pipes escaped). Empty without rows.
fn table(head: &[&str], rows: Vec<[Md; 4]>) -> Md {
    table_n(head, rows.into_iter().map(|r| r.to_vec()).collect())
}

fn table_n(head: &[&str], rows: Vec<Vec<Md>>) -> Md {
    if rows.is_empty() {
        return Md::default();
    }
    let mut out = format!(
        "| {} |\n|{}|",
        head.join(" | "),
        vec!["---"; head.len()].join("|")
    );
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| c.cell().to_string()).collect();
        out.push_str(&format!("\n| {} |", cells.join(" | ")));
    }
    Md::trusted(out)
}

fn location_name(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn status_name(s: Status) -> String {
    match s {
        Status::Code(c) => c.to_string(),
        Status::Range(r) => format!("{r}XX"),
        Status::Default => "default".into(),
    }
}

fn auth_md(kind: &AuthKind) -> Md {
    match kind {
        AuthKind::ApiKey { location, name } => Md::trusted(
            format!(
                "An API key, sent as is in the {} {} {}.",
                Md::code(name),
                location_name(*location),
                if *location == ParamLocation::Query {
                    "parameter"
                } else {
                    ""
                }
            )
            .replace(" .", "."),
        ),
        AuthKind::Bearer => Md::trusted("A bearer token: `Authorization: Bearer <token>`."),
        AuthKind::Basic => {
            Md::trusted("HTTP basic authentication: `Authorization: Basic <credentials>`.")
        }
        AuthKind::Other(what) => Md::trusted("Described by the document as ")
            .then(Md::code(what).as_str())
            .then("; the generated client does not apply it."),
    }
}

// ---------------------------------------------------------------- templates

#[derive(Template)]
#[template(path = "docs/overview.md", escape = "none")]
struct OverviewPage {
    title: Md,
    version: Md,
    description: Md,
    overview: Md,
    servers: Md,
    security: Md,
    crate_name: Md,
    tag_pages: Vec<IndexGroup>,
    channels: Vec<Md>,
    channels_link: Md,
    types_link: Md,
    type_count: usize,
    changes_link: Option<Md>,
}

struct IndexGroup {
    link: Md,
    description: Md,
    entries: Vec<Md>,
}

#[derive(Template)]
#[template(path = "docs/operations.md", escape = "none")]
struct TagPage {
    title: Md,
    description: Md,
    ops: Vec<OpView>,
}

struct OpView {
    heading: Md,
    request_line: Md,
    summary: Md,
    description: Md,
    notes: Vec<Md>,
    facts: Md,
    params: Md,
    body: Option<BodyView>,
    responses: Md,
    headers: Md,
    response_bodies: Vec<BodyView>,
    rust: Md,
    curl: Md,
}

struct BodyView {
    title: Md,
    line: Md,
    description: Md,
    fields: Md,
    example: Md,
}

#[derive(Template)]
#[template(path = "docs/channels.md", escape = "none")]
struct ChannelsPage {
    title: Md,
    channels: Vec<ChannelView>,
}

struct ChannelView {
    heading: Md,
    title: Md,
    facts: Vec<Md>,
    description: Md,
    notes: Vec<Md>,
    params: Md,
    sends: Vec<Md>,
    receives: Vec<Md>,
    /// Each a line saying what it does and a Rust block.
    examples: Vec<Md>,
    /// Connecting with `websocat`, and a message exchange.
    websocat: Md,
    exchange: Md,
    messages: Vec<MessageView>,
}

struct MessageView {
    heading: Md,
    direction: Md,
    description: Md,
    notes: Vec<Md>,
    recognised: Md,
    line: Md,
    fields: Md,
    example: Md,
}

#[derive(Template)]
#[template(path = "docs/types.md", escape = "none")]
struct TypesPage {
    title: Md,
    intro: Md,
    types: Vec<TypeView>,
}

struct TypeView {
    heading: Md,
    description: Md,
    notes: Vec<Md>,
    line: Md,
    table: Md,
    example: Md,
    rust: Md,
}

// ---------------------------------------------------------------- building

impl Site {
    pub fn build(api: &Api, config: &DocsConfig) -> Result<Site, Diagnostic> {
        Site::pages(api, config).map_err(|e| match e {
            BuildError::Render(e) => super::model::render_error(e),
            BuildError::Example(d) => d,
        })
    }

    fn pages(api: &Api, config: &DocsConfig) -> Result<Site, BuildError> {
        let plan = Plan::new(api);
        let mut examples = Examples::default();
        let mut pages = Vec::new();

        let markdown = {
            let ctx = Ctx {
                api,
                config,
                plan: &plan,
                here: OVERVIEW.into(),
                examples: &mut examples,
            };
            overview_page(&ctx).render()?
        };
        pages.push(page(OVERVIEW, "readme", markdown));

        for t in &plan.tags {
            let mut ctx = Ctx {
                api,
                config,
                plan: &plan,
                here: t.file.clone(),
                examples: &mut examples,
            };
            let view = tag_page(&mut ctx, t);
            pages.push(page(&t.file, &t.stem, view.render()?));
        }
        if !api.channels.is_empty() {
            let mut ctx = Ctx {
                api,
                config,
                plan: &plan,
                here: CHANNELS.into(),
                examples: &mut examples,
            };
            let view = channels_page(&mut ctx).map_err(BuildError::Example)?;
            pages.push(page(CHANNELS, "channels", view.render()?));
        }
        if !api.types.is_empty() {
            let mut ctx = Ctx {
                api,
                config,
                plan: &plan,
                here: TYPES.into(),
                examples: &mut examples,
            };
            let view = types_page(&mut ctx);
            pages.push(page(TYPES, "types", view.render()?));
        }
        if let Some(log) = &config.changelog {
            pages.push(page(CHANGES, "changes", changes_markdown(log)));
        }
        let index = search_index(api, &plan);
        Ok(Site {
            pages,
            examples,
            index,
        })
    }
}

/// Why the site could not be built.
enum BuildError {
    Render(askama::Error),
    Example(Diagnostic),
}

impl From<askama::Error> for BuildError {
    fn from(e: askama::Error) -> Self {
        BuildError::Render(e)
    }
}

/// The change log as a page: its own header comment left out (the page gets the
/// reference's), its text sanitised like the overview.
fn changes_markdown(log: &str) -> String {
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

fn page(file: &str, stem: &str, markdown: String) -> Page {
    Page {
        file: file.into(),
        stem: stem.into(),
        markdown: tidy(&markdown),
    }
}

/// Collapses runs of blank lines and trailing spaces outside fenced code blocks; ends with
/// one newline.
fn tidy(markdown: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut fence: Option<String> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let marker: String = trimmed.chars().take_while(|&c| c == '`').collect();
        match &fence {
            Some(open) => {
                if marker.len() >= open.len() && trimmed[marker.len()..].trim().is_empty() {
                    fence = None;
                }
                out.push(line);
                continue;
            }
            None if marker.len() >= 3 => fence = Some(marker),
            None => {}
        }
        let line = line.trim_end();
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn overview_page(ctx: &Ctx<'_>) -> OverviewPage {
    let api = ctx.api;
    let servers = table_n(
        &["URL", "Description"],
        api.servers
            .iter()
            .map(|s| {
                vec![
                    Md::code(&s.url),
                    s.description
                        .as_deref()
                        .map(Md::markdown)
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    );
    let security = table_n(
        &["Scheme", "How", "Description"],
        api.security
            .iter()
            .map(|s| {
                vec![
                    Md::code(&s.key),
                    auth_md(&s.kind),
                    s.description
                        .as_deref()
                        .map(Md::markdown)
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    );
    let tag_pages = ctx
        .plan
        .tags
        .iter()
        .map(|t| {
            let description = t
                .tag
                .as_ref()
                .and_then(|name| api.tags.iter().find(|x| &x.name == name))
                .and_then(|x| x.description.as_deref())
                .map(Md::markdown)
                .unwrap_or_default()
                .cell();
            let entries = t
                .ops
                .iter()
                .map(|&i| {
                    let op = &api.operations[i];
                    let link = Md::link(&Md::text(&op.id), &ctx.href(&ctx.plan.ops[&i]));
                    let summary = op.docs.summary.as_deref().map(Md::text).unwrap_or_default();
                    Md::join(
                        [
                            link,
                            Md::code(&format!("{} {}", op.method, op.path)),
                            summary,
                        ],
                        " — ",
                    )
                })
                .collect();
            IndexGroup {
                link: Md::link(&Md::text(&t.title), &t.file),
                description,
                entries,
            }
        })
        .collect();
    let channels = api
        .channels
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let link = Md::link(&Md::text(&c.id), &ctx.href(&ctx.plan.channels[&ci]));
            let title = c.docs.summary.as_deref().map(Md::text).unwrap_or_default();
            Md::join([link, Md::code(&c.address), title], " — ")
        })
        .collect();
    OverviewPage {
        title: Md::text(&api.title),
        version: Md::code(&api.version),
        description: api
            .description
            .as_deref()
            .map(Md::markdown)
            .unwrap_or_default(),
        overview: Md::overview(&ctx.config.overview),
        servers,
        security,
        crate_name: Md::code(&crate_path(&ctx.config.crate_name)),
        tag_pages,
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

fn tag_page(ctx: &mut Ctx<'_>, t: &TagPlan) -> TagPage {
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
    let ordered = op.params_in_call_order();
    let params = table_n(
        &["Name", "In", "Type", "Required", "Description"],
        ordered
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
    );

    // The request body, with its example (the schema's, or one made up from the type).
    let mut body_example: Option<Value> = None;
    let body = op.body.as_ref().map(|b| {
        let (example, synthesized) = match example::body_value(api, b) {
            Some((e, synthesized)) => (Some(e), synthesized),
            None => (None, false),
        };
        body_example = example.clone();
        let title = Md::trusted("Request body");
        body_view(
            ctx,
            b,
            title,
            example.map(|e| (format!("{} request body", op.id), e, synthesized)),
            Some(b.required),
        )
    });

    let responses = table_n(
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
    );
    let mut header_rows: Vec<(String, Vec<Md>, Vec<String>)> = Vec::new();
    for r in &op.responses {
        for h in &r.headers {
            let status = status_name(r.status);
            if let Some(row) = header_rows
                .iter_mut()
                .find(|(w, _, _)| w.eq_ignore_ascii_case(&h.wire))
            {
                row.2.push(status);
                continue;
            }
            let mut notes = vec![docs_md(&h.docs)];
            notes.extend(flag_notes(&h.docs));
            header_rows.push((
                h.wire.clone(),
                vec![Md::code(&h.wire), ctx.type_md(&h.ty), Md::join(notes, " ")],
                vec![status],
            ));
        }
    }
    let headers = table_n(
        &["Header", "Type", "Description", "In responses"],
        header_rows
            .into_iter()
            .map(|(_, mut cells, statuses)| {
                cells.push(Md::join(statuses.iter().map(|s| Md::code(s)), ", "));
                cells
            })
            .collect(),
    );
    let mut response_bodies = Vec::new();
    for r in op.responses.iter().filter(|r| r.status.is_success()) {
        let Some(b) = &r.body else { continue };
        let example = b.docs.example.clone().or_else(|| declared(api, &b.ty));
        let status = status_name(r.status);
        let title = Md::trusted("Response ").then(Md::code(&status).as_str());
        response_bodies.push(body_view(
            ctx,
            b,
            title,
            example.map(|e| (format!("{} response {status}", op.id), e, false)),
            None,
        ));
    }

    let rust = example::rust_call(api, op, &ctx.config.crate_name, body_example.as_ref());
    let curl = super::shell::curl(api, op, body_example.as_ref());
    ctx.examples.rust.push(RustExample {
        operation_id: op.id.clone(),
        function: format!("{}_example", op.name),
        code: rust.clone(),
    });

    let mut facts = vec![Md::trusted(if op.authenticated {
        "Authentication: required."
    } else {
        "Authentication: none."
    })];
    facts.push(Md::trusted(if op.is_idempotent() {
        "Safe to retry: repeating it has no further effect."
    } else {
        "Not safe to retry blindly: repeating it may repeat its effect."
    }));
    facts.push(
        Md::trusted("Rust: ")
            .then(Md::code(&format!("Client::{}", example::method_name(op))).as_str())
            .then("."),
    );
    if let Some(stream_name) = &op.stream_name {
        facts.push(
            Md::trusted("Large results: ")
                .then(Md::code(&format!("Client::{stream_name}")).as_str())
                .then(" hands over the raw response body as it arrives, without holding it whole."),
        );
    }

    OpView {
        heading: Md::text(&op.id),
        request_line: Md::trusted(format!(
            "**{}** {}",
            Md::text(&op.method),
            Md::code(&op.path)
        )),
        summary: op.docs.summary.as_deref().map(Md::text).unwrap_or_default(),
        description: op
            .docs
            .description
            .as_deref()
            .filter(|d| Some(d.trim()) != op.docs.summary.as_deref().map(str::trim))
            .map(Md::markdown)
            .unwrap_or_default(),
        notes: note_blocks(&op.docs),
        facts: Md::join(facts, " "),
        params,
        body,
        responses,
        headers,
        response_bodies,
        rust: Md::fenced("rust", &rust),
        curl: Md::fenced("sh", &curl),
    }
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
        BodyKind::Binary => (Md::trusted("Raw bytes."), Md::default()),
        BodyKind::Text => (Md::trusted("Text."), Md::default()),
    };
    let mut head = vec![Md::code(&b.media_type)];
    match required {
        Some(true) => head.push(Md::trusted("required")),
        Some(false) => head.push(Md::trusted("optional")),
        None => {}
    }
    let title = title.then(&format!(" ({})", Md::join(head, ", ")));
    let example = match example {
        Some((context, value, synthesized)) => {
            let caption = if synthesized {
                "Example (made up from the schema, which gives none):"
            } else {
                "Example:"
            };
            let block = ctx.json_example(context, &b.ty, value, synthesized);
            Md::trusted(format!("{caption}\n\n{block}"))
        }
        None => Md::default(),
    };
    BodyView {
        title,
        line,
        description: docs_md(&b.docs),
        fields,
        example,
    }
}

fn channels_page(ctx: &mut Ctx<'_>) -> Result<ChannelsPage, Diagnostic> {
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

/// The Rust examples of a channel (recorded for the tests), each with a line saying what
/// it does.
fn channel_examples(ctx: &mut Ctx<'_>, c: &Channel) -> Result<Vec<Md>, Diagnostic> {
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
        let ids = |ms: &[&Message]| Md::join(ms.iter().map(|m| Md::code(&m.id)), ", ");
        let receive = if reply_parts(c).is_some() {
            "print the parts of the reply until it ends"
        } else {
            "print what arrives"
        };
        let caption = match &scenario {
            example::Scenario::Request(m) => Md::trusted("Send ")
                .then(Md::code(&m.id).as_str())
                .then(" and print the parts of its reply as they arrive, until it ends:"),
            example::Scenario::Binary {
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
            example::Scenario::Listen(Some(m)) => Md::trusted("Send ")
                .then(Md::code(&m.id).as_str())
                .then(" and print what arrives:"),
            example::Scenario::Listen(None) => Md::trusted("Connect and print what arrives:"),
        };
        out.push(Md::trusted(format!(
            "{caption}\n\n{}",
            Md::fenced("rust", &code)
        )));
        ctx.examples.rust.push(RustExample {
            operation_id: c.id.clone(),
            function,
            code,
        });
    }
    Ok(out)
}

fn channel_view(ctx: &mut Ctx<'_>, ci: usize, c: &Channel) -> Result<ChannelView, Diagnostic> {
    let api = ctx.api;
    let mut facts = vec![Md::trusted("Address: ").then(Md::code(&c.address).as_str())];
    for s in api
        .servers
        .iter()
        .filter(|s| s.url.starts_with("ws://") || s.url.starts_with("wss://"))
    {
        let url = format!("{}{}", s.url.trim_end_matches('/'), c.address);
        facts.push(Md::trusted("URL: ").then(Md::code(&url).as_str()));
    }
    if let Some(auth) = &c.auth {
        facts.push(Md::trusted("Authentication: ").then(auth_md(auth).as_str()));
    }
    let params = table_n(
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
    );
    let list = |outgoing: bool, msgs: &[Message]| -> Vec<Md> {
        msgs.iter()
            .enumerate()
            .map(|(mi, m)| {
                let link = Md::link(
                    &Md::text(&m.id),
                    &ctx.href(&ctx.plan.messages[&(ci, outgoing, mi)]),
                );
                Md::join(
                    [
                        link,
                        m.docs.summary.as_deref().map(Md::text).unwrap_or_default(),
                    ],
                    " — ",
                )
            })
            .collect()
    };
    let sends = list(true, &c.outgoing);
    let receives = list(false, &c.incoming);
    let mut messages = Vec::new();
    for (outgoing, msgs) in [(true, &c.outgoing), (false, &c.incoming)] {
        for m in msgs {
            messages.push(message_view(ctx, c, m, outgoing));
        }
    }
    let title = c.docs.summary.as_deref().map(Md::text).unwrap_or_default();
    let description = c
        .docs
        .description
        .as_deref()
        .map(Md::markdown)
        .unwrap_or_default();
    let examples = channel_examples(ctx, c)?;
    Ok(ChannelView {
        heading: Md::text(&c.id),
        title,
        facts,
        description,
        notes: note_blocks(&c.docs),
        params,
        sends,
        receives,
        examples,
        websocat: Md::fenced("sh", &super::shell::websocat(api, c)),
        exchange: Md::fenced("text", &super::shell::exchange(api, c)),
        messages,
    })
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
    let recognised = if outgoing {
        Md::default()
    } else {
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
            None => Md::trusted(
                "Not told apart from the other messages of this channel by its content.",
            ),
        }
    };
    let (line, fields, example) = match m.kind {
        MessageKind::Json => {
            let (line, fields) = ctx.shape(&m.payload);
            let (value, synthesized) =
                match m.docs.example.clone().or_else(|| declared(api, &m.payload)) {
                    Some(v) => (v, false),
                    None => (synthesize(api, &m.payload), true),
                };
            let caption = if synthesized {
                "Example (made up from the schema, which gives none):"
            } else {
                "Example:"
            };
            let block =
                ctx.json_example(format!("{} payload", m.id), &m.payload, value, synthesized);
            (line, fields, Md::trusted(format!("{caption}\n\n{block}")))
        }
        MessageKind::Binary => (Md::trusted("Raw bytes."), Md::default(), Md::default()),
    };
    MessageView {
        heading: Md::text(&m.id),
        direction,
        description: docs_md(&m.docs),
        notes: note_blocks(&m.docs),
        recognised,
        line,
        fields,
        example,
    }
}

fn types_page(ctx: &mut Ctx<'_>) -> TypesPage {
    let api = ctx.api;
    let krate = crate_path(&ctx.config.crate_name);
    let mut types = Vec::new();
    for id in api.types_by_name() {
        let def = api.ty(id);
        let (line, table) = match &def.kind {
            TypeKind::Struct(s) => {
                let mut rows = Vec::new();
                ctx.field_rows(s, &mut rows, &mut vec![id]);
                (
                    Md::trusted("A JSON object."),
                    table(&["Field", "Type", "Required", "Description"], rows),
                )
            }
            TypeKind::Enum(e) => (
                Md::trusted(format!(
                    "A string, one of the values below. Values added later are kept as they are (the {} variant).",
                    Md::code(&e.fallback)
                )),
                table_n(
                    &["Value"],
                    e.values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let mut cell = Md::code(&json_str(&v.wire));
                            if e.default == Some(i) {
                                cell = cell.then(" (default)");
                            }
                            vec![cell]
                        })
                        .collect(),
                ),
            ),
            TypeKind::Union(u) => (
                Md::trusted(format!(
                    "One of several shapes{}. Shapes added later are kept as they are (the {} variant).",
                    u.discriminator
                        .as_ref()
                        .map(|d| format!(", told apart by the {} member", Md::code(d)))
                        .unwrap_or_default(),
                    Md::code(&u.fallback)
                )),
                ctx.variants_table(u),
            ),
            TypeKind::Alias(t) => (
                Md::trusted("Another name for ")
                    .then(ctx.type_md(t).as_str())
                    .then("."),
                Md::default(),
            ),
        };
        let example = match &def.docs.example {
            Some(e) => {
                let block = ctx.json_example(
                    format!("{} type", def.name),
                    &TypeRef::Named(id),
                    e.clone(),
                    false,
                );
                Md::trusted(format!("Example:\n\n{block}"))
            }
            None => Md::default(),
        };
        types.push(TypeView {
            heading: Md::text(&def.name),
            description: docs_md(&def.docs),
            notes: note_blocks(&def.docs),
            line,
            table,
            example,
            rust: Md::trusted("Rust: ")
                .then(Md::code(&format!("{krate}::types::{}", rust_ident(&def.name))).as_str())
                .then("."),
        });
    }
    TypesPage {
        title: Md::trusted(TYPES_TITLE),
        intro: Md::trusted(
            "Every named type of the API, in name order: request and response bodies, message payloads and everything in them.",
        ),
        types,
    }
}
