//! The intermediate representation: one model of an API, whichever document it came
//! from. Lowering builds it; every back-end reads only this.
//!
//! Names here are already case-converted and unique in their scope (type names in
//! `PascalCase`, members in `snake_case`), ASCII, and never start with a digit; a back-end
//! only has to escape its own keywords.
//!
//! The model is split by what it describes: `docs` (text attached to items), `types`
//! (the named types and references to them), `operations` (REST), `security` (how a
//! client authenticates) and `channels` (WebSocket connections and their messages); this
//! module holds the whole [`Api`] and re-exports them all.

mod channels;
mod docs;
mod operations;
mod security;
mod types;

pub use channels::*;
pub use docs::*;
pub use operations::*;
pub use security::*;
pub use types::*;

use crate::diag::Diagnostic;

/// A whole API: types, REST operations and message channels.
#[derive(Clone, Debug, Default)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub servers: Vec<Server>,
    pub security: Vec<SecurityScheme>,
    pub tags: Vec<Tag>,
    /// Indexed by [`TypeId`]; a back-end should emit them in [`Api::types_by_name`] order.
    pub types: Vec<TypeDef>,
    pub operations: Vec<Operation>,
    /// The structs of documented success-response headers, in order of first use.
    pub header_sets: Vec<HeaderSet>,
    /// Where the server reports its request budget, when the document says.
    pub quota: Option<Quota>,
    pub channels: Vec<Channel>,
    /// Problems that did not stop generation (unsupported constructs given a fallback).
    pub warnings: Vec<Diagnostic>,
}

impl Api {
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// Type ids sorted by name, the order in which output is written.
    pub fn types_by_name(&self) -> Vec<TypeId> {
        let mut ids: Vec<TypeId> = (0..self.types.len()).map(TypeId).collect();
        ids.sort_by(|a, b| self.ty(*a).name.cmp(&self.ty(*b).name));
        ids
    }
}

#[derive(Clone, Debug)]
pub struct Server {
    pub url: String,
    pub description: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Tag {
    pub name: String,
    pub description: Option<String>,
}
