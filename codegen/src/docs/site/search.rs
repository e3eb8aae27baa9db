//! What the HTML reference's search finds: every operation, channel, message and type,
//! with the anchor of its heading.

use super::plan::{Anchor, Plan};
use crate::ir::{Api, Docs};

/// One thing the HTML reference's search finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchEntry {
    /// `operation`, `channel`, `message` or `type`.
    pub kind: &'static str,
    pub name: String,
    /// A short line shown beside the name (`GET /items`, the channel's address, ...).
    pub detail: String,
    /// Where its heading is: the page's file and the heading's anchor there.
    pub file: String,
    pub slug: String,
}

/// The search index, in the order of the pages: operations, channels with their messages,
/// types.
pub(super) fn search_index(api: &Api, plan: &Plan) -> Vec<SearchEntry> {
    let entry = |kind, name: &str, detail: String, a: &Anchor| SearchEntry {
        kind,
        name: name.to_owned(),
        detail,
        file: a.file.clone(),
        slug: a.slug.clone(),
    };
    let mut out = Vec::new();
    for t in &plan.tags {
        for &i in &t.ops {
            let op = &api.operations[i];
            let mut detail = format!("{} {}", op.method, op.path);
            if let Some(summary) = &op.docs.summary {
                detail = format!("{detail} — {summary}");
            }
            out.push(entry("operation", &op.id, detail, &plan.ops[&i]));
        }
    }
    for (ci, c) in api.channels.iter().enumerate() {
        out.push(entry(
            "channel",
            &c.id,
            c.address.clone(),
            &plan.channels[&ci],
        ));
        for (outgoing, list) in [(true, &c.outgoing), (false, &c.incoming)] {
            for (mi, m) in list.iter().enumerate() {
                let direction = if outgoing { "sent on" } else { "received on" };
                let detail = format!("{direction} {}", c.id);
                out.push(entry(
                    "message",
                    &m.id,
                    detail,
                    &plan.messages[&(ci, outgoing, mi)],
                ));
            }
        }
    }
    for id in api.types_by_name() {
        let ty = api.ty(id);
        let detail = short_docs(&ty.docs);
        out.push(entry("type", &ty.name, detail, &plan.types[&id]));
    }
    out
}

/// The summary, else the first line of the description, cut to 100 characters.
fn short_docs(docs: &Docs) -> String {
    let text = docs
        .summary
        .as_deref()
        .or(docs.description.as_deref())
        .and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("");
    match text.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}
