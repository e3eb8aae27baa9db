//! What a change is: its place, its kind and its two verdicts.

/// The effect of a change on a client built for the old documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Wire {
    /// Old clients keep working.
    Compatible,
    /// Old clients that reject what they do not know break (a new enum value or message in
    /// what the server sends); generated ones keep it as unknown.
    StrictDecoders,
    /// Old clients break: a request they send is refused, or a response they expect is gone.
    Breaking,
}

/// The semver effect on code that uses the generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Semver {
    Patch,
    Minor,
    Major,
}

/// One change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// A stable identifier of the kind of change, such as `request-member-added-required`.
    pub kind: &'static str,
    /// Where, in the documents' own names (`operation createItem`, `schema Item, member id`).
    pub place: String,
    /// What happened, in words.
    pub detail: String,
    pub wire: Wire,
    pub rust: Semver,
}

/// Every change between two versions, in a stable order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub changes: Vec<Change>,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The strongest Rust verdict; `None` when nothing changed.
    pub fn rust(&self) -> Option<Semver> {
        self.changes.iter().map(|c| c.rust).max()
    }

    /// The worst wire verdict; `None` when nothing changed.
    pub fn wire(&self) -> Option<Wire> {
        self.changes.iter().map(|c| c.wire).max()
    }
}
