//! Markdown that is safe to write: the [`Md`] type, the only thing templates print, and the
//! escapers that make it from spec text.
//!
//! Spec text reaches a page in one of three ways, each with its own escaper:
//!
//! - names, paths, values: [`Md::text`] (backslash escapes) or [`Md::code`] (a code span
//!   whose fence is longer than any backtick run inside);
//! - descriptions, which OpenAPI and AsyncAPI define as CommonMark: [`Md::markdown`], which
//!   keeps the formatting but turns raw HTML into text, drops links to anything but
//!   `http`, `https` and `mailto` addresses, and turns headings into bold paragraphs so that
//!   the page's own headings (and their anchors) stay the only ones (the sanitizer every
//!   back-end shares, `crate::spec_text`);
//! - JSON and Rust examples: [`CodeBlock`] ([`Md::fenced`]), with a fence longer than any
//!   inside.
//!
//! The block layouts (tables, code blocks) are askama templates under
//! `codegen/templates/docs/blocks/`.

mod audit;
mod code;
mod link;
mod md;
mod slug;
mod syntax;
mod table;
mod tidy;

pub use audit::audit;
pub use code::CodeBlock;
pub use link::is_internal_url;
pub use md::Md;
pub use slug::{Slugger, slug};
pub use table::Table;
pub use tidy::tidy;

#[cfg(test)]
mod tests;
