//! [`Md`]: Markdown that is safe to print as is, and the escapers that make it.

use std::fmt;

use super::code::CodeBlock;
use super::link::{Link, is_internal_url};
use super::syntax::{longest_run, one_line};
use crate::spec_text::{Headings, close_fences, no_own_links, sanitize};

/// Markdown text that is safe to print as is: built only by the escapers of this module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Md(String);

impl fmt::Display for Md {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Md {
    /// Markdown written by the generator itself, with no spec text in it.
    pub(crate) fn trusted(text: impl Into<String>) -> Md {
        Md(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// Plain text on one line: every character Markdown could read as syntax is escaped.
    pub fn text(text: &str) -> Md {
        let line = one_line(text);
        let mut out = String::with_capacity(line.len());
        for (i, c) in line.chars().enumerate() {
            let at_start = i == 0;
            match c {
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '~' | '&' | '#' | '{'
                | '}' | '|' | '$' => {
                    out.push('\\');
                    out.push(c);
                }
                '-' | '+' | '=' if at_start => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        // `1. ` or `1) ` at the start of a line would open an ordered list.
        let digits = out.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && matches!(out[digits..].chars().next(), Some('.' | ')')) {
            out.insert(digits, '\\');
        }
        Md(out)
    }

    /// A code span holding `text` verbatim (on one line).
    pub fn code(text: &str) -> Md {
        let line = one_line(text);
        if line.trim().is_empty() {
            return Md::trusted(if line.is_empty() {
                "*(empty)*"
            } else {
                "*(blank)*"
            });
        }
        let fence = "`".repeat(longest_run(&line, '`') + 1);
        let pad = line.starts_with('`')
            || line.ends_with('`')
            || (line.starts_with(' ') && line.ends_with(' '));
        let pad = if pad { " " } else { "" };
        Md(format!("{fence}{pad}{line}{pad}{fence}"))
    }

    /// A spec description (CommonMark), made safe: see the module documentation.
    pub fn markdown(text: &str) -> Md {
        Md(close_fences(
            sanitize(text, no_own_links, Headings::Demote).trim(),
        ))
    }

    /// Markdown written by the maintainers for this API (the overview): like
    /// [`Md::markdown`], but headings are kept and links to the reference's own pages
    /// (`page.md`, `page.md#anchor`, `#anchor`) are allowed.
    pub fn overview(text: &str) -> Md {
        Md(close_fences(
            sanitize(text, is_internal_url, Headings::Keep).trim(),
        ))
    }

    /// A fenced code block.
    pub fn fenced(info: &str, code: &str) -> Md {
        Md(CodeBlock::new(info, code).to_string())
    }

    /// A link to an anchor of the reference (`page.md#anchor`): `label` is already Markdown.
    pub fn link(label: &Md, target: &str) -> Md {
        Md(Link::new(label, target).to_string())
    }

    /// Joins pieces with `sep`, skipping empty ones.
    pub fn join(parts: impl IntoIterator<Item = Md>, sep: &str) -> Md {
        let parts: Vec<String> = parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(|p| p.0)
            .collect();
        Md(parts.join(sep))
    }

    /// Appends trusted text.
    pub fn then(mut self, more: &str) -> Md {
        self.0.push_str(more);
        self
    }

    /// For a table cell: on one line, and `|` escaped (GitHub reads `\|` as a pipe even
    /// inside code spans of a table).
    pub fn cell(&self) -> Md {
        let line: Vec<&str> = self
            .0
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let line = line.join(" ");
        let mut out = String::with_capacity(line.len());
        let mut backslashes = 0;
        for c in line.chars() {
            if c == '|' && backslashes % 2 == 0 {
                out.push('\\');
            }
            backslashes = if c == '\\' { backslashes + 1 } else { 0 };
            out.push(c);
        }
        Md(out)
    }

    /// As a block quote.
    pub fn quote(&self) -> Md {
        let lines: Vec<String> = self
            .0
            .lines()
            .map(|l| {
                if l.is_empty() {
                    ">".to_owned()
                } else {
                    format!("> {l}")
                }
            })
            .collect();
        Md(lines.join("\n"))
    }
}
