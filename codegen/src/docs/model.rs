//! What the reference is made from and what it shows: its configuration and examples.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use crate::diag::{Diagnostic, Location};
use crate::ir;

/// What the reference is for, beyond what the documents say.
#[derive(Clone, Debug, Default)]
pub struct DocsConfig {
    /// The generated crate the Rust examples call (`autessa`; `-` becomes `_` in paths).
    pub crate_name: String,
    /// Markdown placed on the overview page after the API's own description: what is
    /// specific to this API and not in its documents (hosts, authentication, errors, rate
    /// limits, retries, versioning, lifecycles). Its headings stay headings, and it may
    /// link to the reference's pages (`agents.md#executeagent`).
    pub overview: String,
    /// How to regenerate, named in every file's header.
    pub command: String,
    /// The crate's change log (Markdown, as the change report writes it), shown as the
    /// page `changes.md` when given.
    pub changelog: Option<String>,
}

/// The file the HTML reference is written to.
pub const HTML_FILE: &str = "reference.html";

/// A JSON example shown in the reference, with the type it is an example of.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonExample {
    /// Where it is shown (`createItem request body`, `ConnectionStatus payload`, ...).
    pub context: String,
    pub ty: ir::TypeRef,
    pub value: Value,
    /// Made up from the type because the schema gives no example.
    pub synthesized: bool,
}

/// A Rust example shown in the reference: an `async fn` calling one operation, or using
/// one channel's connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustExample {
    /// The operation's id, or the channel's.
    pub operation_id: String,
    /// The example function's name (`<op.name>_example`, `<channel>_<message>_example`),
    /// unique among the reference's examples.
    pub function: String,
    pub code: String,
}

/// Every example the reference shows: for tests that validate the JSON ones against their
/// schemas and compile the Rust ones.
#[derive(Clone, Debug, Default)]
pub struct Examples {
    pub json: Vec<JsonExample>,
    pub rust: Vec<RustExample>,
}

/// A failure of the templates, as a diagnostic.
pub(super) fn render_error(e: askama::Error) -> Diagnostic {
    Diagnostic::error(
        &Location::new(Arc::new(PathBuf::from("<docs templates>")), ""),
        format!("rendering the docs failed: {e}"),
    )
}
