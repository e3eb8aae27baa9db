//! Where everything the reference shows goes: page files, and the anchors of operations,
//! channels, messages and types.

use std::collections::BTreeMap;

use crate::docs::markdown::Slugger;
use crate::ir::{Api, TypeId};

pub(super) const OVERVIEW: &str = "README.md";
pub(super) const CHANGES: &str = "changes.md";
pub(super) const CHANGES_TITLE: &str = "Changes";
pub(super) const CHANNELS: &str = "channels.md";
pub(super) const TYPES: &str = "types.md";
pub(super) const CHANNELS_TITLE: &str = "Message channels";
pub(super) const TYPES_TITLE: &str = "Types";

/// Where a heading is: its page's file and its anchor there.
#[derive(Clone, Debug)]
pub(super) struct Anchor {
    pub(super) file: String,
    pub(super) slug: String,
}

/// Page files and the anchors of everything the pages link to.
pub(super) struct Plan {
    /// Tag pages in order: file, stem, title, the tag (None for untagged operations), and
    /// the operations (indexes into `api.operations`).
    pub(super) tags: Vec<TagPlan>,
    pub(super) ops: BTreeMap<usize, Anchor>,
    pub(super) channels: BTreeMap<usize, Anchor>,
    /// `(channel, outgoing?, message index)`.
    pub(super) messages: BTreeMap<(usize, bool, usize), Anchor>,
    pub(super) types: BTreeMap<TypeId, Anchor>,
}

pub(super) struct TagPlan {
    pub(super) file: String,
    pub(super) stem: String,
    pub(super) title: String,
    pub(super) tag: Option<String>,
    pub(super) ops: Vec<usize>,
}

impl Plan {
    pub(super) fn new(api: &Api) -> Plan {
        let tags = tag_plans(api);
        let (ops, channels, messages, types) = anchors(api, &tags);
        Plan {
            tags,
            ops,
            channels,
            messages,
            types,
        }
    }
}

/// The tag pages: declared tags first, in order, then the others in order of first use,
/// then the untagged operations.
fn tag_plans(api: &Api) -> Vec<TagPlan> {
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
    tags
}

type Anchors = (
    BTreeMap<usize, Anchor>,
    BTreeMap<usize, Anchor>,
    BTreeMap<(usize, bool, usize), Anchor>,
    BTreeMap<TypeId, Anchor>,
);

/// The anchors of operations, channels, messages and types, in the order the headings
/// appear on each page.
fn anchors(api: &Api, tags: &[TagPlan]) -> Anchors {
    let mut ops = BTreeMap::new();
    for t in tags {
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
    (ops, channels, messages, types)
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
