//! The audit of a finished page: what in it could run or load something when rendered.

use pulldown_cmark::{Event, Parser, Tag};

use super::link::is_internal_url;
use crate::spec_text::{is_external_url, options};

/// What in a Markdown page could run or load something when rendered: raw HTML, and links
/// or images to anything but `http`, `https`, `mailto` or the reference's own pages. The
/// generated pages have none but their header comment; tests check that.
pub fn audit(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => found.push(format!("raw HTML {html:?}")),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if !is_external_url(&dest_url) && !is_internal_url(&dest_url) =>
            {
                found.push(format!("link to {dest_url:?}"));
            }
            _ => {}
        }
    }
    found
}
