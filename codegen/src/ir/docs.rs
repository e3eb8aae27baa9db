//! Human-facing text attached to items of the IR.

use serde_json::Value;

/// Human-facing text attached to an item.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Docs {
    pub summary: Option<String>,
    pub description: Option<String>,
    /// Notes raised by flagged vendor extensions (for example "not confirmed").
    pub flags: Vec<String>,
    pub deprecated: bool,
    pub example: Option<Value>,
}
