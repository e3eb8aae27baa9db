//! A link to a page or heading of the reference, laid out by `blocks/link.md`, and what
//! such a link looks like.

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

/// Whether a destination points into the reference itself (`page.md`, `page.md#a`, `#a`).
pub fn is_internal_url(url: &str) -> bool {
    let (file, _) = url.split_once('#').unwrap_or((url, ""));
    (file.is_empty() && url.starts_with('#'))
        || (file.ends_with(".md")
            && file[..file.len() - 3]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}
