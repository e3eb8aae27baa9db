//! Where everything the reference shows goes: page files, and the anchors of operations,
//! channels, messages and types.

use std::collections::BTreeMap;

use crate::ir::TypeId;

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
