//! A link to a page or heading of the reference, laid out by `blocks/link.md`.

use std::fmt::Display;

use askama::Template;

/// A link whose label is already Markdown (an `Md`) and whose target the generator made.
#[derive(Template)]
#[template(path = "docs/blocks/link.md", escape = "none")]
pub struct Link {
    label: String,
    href: String,
}

impl Link {
    pub fn new(label: &impl Display, href: impl Into<String>) -> Link {
        Link {
            label: label.to_string(),
            href: href.into(),
        }
    }
}
