//! A GitHub table, laid out by `blocks/table.md`.

use askama::Template;

use super::md::Md;

/// A table whose cells are already made cells (one line, pipes escaped); prints nothing
/// without rows.
#[derive(Template, Default)]
#[template(path = "docs/blocks/table.md", escape = "none")]
pub struct Table {
    head: Vec<String>,
    rows: Vec<Vec<Md>>,
}

impl Table {
    /// `head` is written by the generator; each cell is made a cell here.
    pub fn new(head: &[&str], rows: Vec<Vec<Md>>) -> Table {
        Table {
            head: head.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .map(|row| row.iter().map(Md::cell).collect())
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
