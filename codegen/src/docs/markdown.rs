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
//!   the page's own headings (and their anchors) stay the only ones;
//! - JSON and Rust examples: [`Md::fenced`], with a fence longer than any inside.

use std::fmt;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Markdown text that is safe to print as is: built only by the escapers of this module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Md(String);

impl fmt::Display for Md {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Markdown extensions every page uses (GitHub's tables and strikethrough).
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
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
        Md(close_fences(sanitize(text, Links::External, true).trim()))
    }

    /// Markdown written by the maintainers for this API (the overview): like
    /// [`Md::markdown`], but headings are kept and links to the reference's own pages
    /// (`page.md`, `page.md#anchor`, `#anchor`) are allowed.
    pub fn overview(text: &str) -> Md {
        Md(close_fences(sanitize(text, Links::Internal, false).trim()))
    }

    /// A fenced code block.
    pub fn fenced(info: &str, code: &str) -> Md {
        let code = code.trim_end_matches('\n');
        let fence = "`".repeat(longest_run(code, '`').max(2) + 1);
        Md(format!("{fence}{info}\n{code}\n{fence}"))
    }

    /// A link to an anchor of the reference (`page.md#anchor`): `label` is already Markdown.
    pub fn link(label: &Md, target: &str) -> Md {
        Md(format!("[{label}]({target})"))
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

/// Text on one line: line breaks and tabs become spaces, the ends are trimmed.
fn one_line(text: &str) -> String {
    let joined: Vec<&str> = text.split(['\n', '\r']).map(str::trim).collect();
    joined
        .join(" ")
        .replace('\t', " ")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

fn longest_run(text: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for x in text.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Which link destinations survive in spec text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Links {
    /// `http`, `https` and `mailto` only.
    External,
    /// Also relative links to the reference's own pages and anchors.
    Internal,
}

/// Whether a link destination may stay in a page: absolute `http`, `https` and `mailto`
/// addresses only (no `javascript:`, `data:`, or relative paths that lead nowhere).
pub fn is_external_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
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

/// An open heading or link: the range of the whole element, the range of what is inside it
/// so far, and whether it is to be rewritten.
type Open = (Range<usize>, Option<Range<usize>>, bool);

/// Rewrites user Markdown: raw HTML becomes text (`<` as `&lt;`), unsafe links keep only
/// their text, and (with `demote`) headings become bold paragraphs.
fn sanitize(text: &str, links: Links, demote: bool) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    for (event, range) in Parser::new_ext(&text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => open.push((range, None, demote)),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let keep = is_external_url(&dest_url)
                    || (links == Links::Internal && is_internal_url(&dest_url));
                open.push((range, None, !keep));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let keep = is_external_url(&dest_url);
                open.push((range, None, !keep));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((outer, inner, true)) = open.pop() {
                    match inner {
                        Some(inner) => {
                            edits.push((outer.start..inner.start, "**".into()));
                            let tail = if text[inner.end..outer.end].contains('\n') {
                                "**\n\n"
                            } else {
                                "**"
                            };
                            edits.push((inner.end..outer.end, tail.into()));
                        }
                        None => edits.push((outer, String::new())),
                    }
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some((outer, inner, true)) = open.pop() {
                    match inner {
                        Some(inner) => {
                            edits.push((outer.start..inner.start, String::new()));
                            edits.push((inner.end..outer.end, String::new()));
                        }
                        None => edits.push((outer, String::new())),
                    }
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                let escaped = text[range.clone()]
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;");
                edits.push((range.clone(), escaped));
                extend(&mut open, range);
            }
            _ => extend(&mut open, range),
        }
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue; // inside an edit already made
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Closes a fenced code block left open at the end of `text`, which would otherwise
/// swallow the rest of the page it is placed in.
fn close_fences(text: &str) -> String {
    let mut open: Option<(char, usize)> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > 3 {
            continue;
        }
        let trimmed = &line[indent..];
        let Some(c) = trimmed.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let run = trimmed.chars().take_while(|&x| x == c).count();
        if run < 3 {
            continue;
        }
        match open {
            None if !(c == '`' && trimmed[run..].contains('`')) => open = Some((c, run)),
            Some((o, n)) if o == c && run >= n && trimmed[run..].trim().is_empty() => open = None,
            _ => {}
        }
    }
    match open {
        Some((c, n)) => format!("{text}\n{}", c.to_string().repeat(n)),
        None => text.to_owned(),
    }
}

/// Widens the inner range of every open heading or link to cover `range`.
fn extend(open: &mut [Open], range: Range<usize>) {
    for (_, inner, _) in open.iter_mut() {
        *inner = Some(match inner.take() {
            Some(r) => r.start.min(range.start)..r.end.max(range.end),
            None => range.clone(),
        });
    }
}

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

/// Heading anchors the way GitHub makes them: lower case, punctuation dropped, spaces
/// as `-`, and `-1`, `-2`, ... for repeats on the same page.
#[derive(Default)]
pub struct Slugger {
    seen: std::collections::BTreeMap<String, usize>,
}

impl Slugger {
    pub fn slug(&mut self, heading_text: &str) -> String {
        let base = slug(heading_text);
        let mut candidate = base.clone();
        let mut n = self.seen.get(&base).copied().unwrap_or(0);
        while self.seen.contains_key(&candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        self.seen.insert(base.clone(), n);
        self.seen.entry(candidate.clone()).or_insert(0);
        candidate
    }
}

/// The GitHub anchor of a heading's text (as [`Md::text`] writes it: on one line), before
/// de-duplication.
pub fn slug(text: &str) -> String {
    one_line(text)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_syntax() {
        assert_eq!(Md::text("a*b_c").as_str(), "a\\*b\\_c");
        assert_eq!(Md::text("<script>").as_str(), "\\<script\\>");
        assert_eq!(Md::text("1. first").as_str(), "1\\. first");
        assert_eq!(Md::text("- item").as_str(), "\\- item");
        assert_eq!(Md::text("line\nbreak").as_str(), "line break");
        assert_eq!(Md::text("a & b").as_str(), "a \\& b");
    }

    #[test]
    fn code_spans_outgrow_backticks() {
        assert_eq!(Md::code("x").as_str(), "`x`");
        assert_eq!(Md::code("a`b").as_str(), "``a`b``");
        assert_eq!(Md::code("`a").as_str(), "`` `a ``");
        assert_eq!(Md::code("").as_str(), "*(empty)*");
    }

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(Md::fenced("json", "1").as_str(), "```json\n1\n```");
        assert_eq!(
            Md::fenced("text", "a ```` b").as_str(),
            "`````text\na ```` b\n`````"
        );
    }

    #[test]
    fn markdown_neutralises_html_links_and_headings() {
        let md = Md::markdown(
            "# Title\nText <b>bold</b> and [x](javascript:alert(1)).\n\n<script>alert(1)</script>\n",
        );
        let s = md.as_str();
        assert!(
            s.starts_with("**Title**\n\nText &lt;b&gt;bold&lt;/b&gt; and x."),
            "{s}"
        );
        assert!(s.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{s}");
        let kept = Md::markdown("See [the site](https://example.com) and `<b>`.");
        assert_eq!(
            kept.as_str(),
            "See [the site](https://example.com) and `<b>`."
        );
        assert_eq!(
            Md::markdown("<javascript:alert(1)>").as_str(),
            "javascript:alert(1)"
        );
        assert_eq!(
            Md::markdown("[a](#x) [b](page.md#y)").as_str(),
            "a b",
            "relative links lead nowhere in a description"
        );
        assert_eq!(
            Md::overview("[a](#x) [b](page.md#y)").as_str(),
            "[a](#x) [b](page.md#y)"
        );
    }

    #[test]
    fn open_fences_are_closed() {
        assert_eq!(Md::markdown("```\n</code>").as_str(), "```\n</code>\n```");
        assert_eq!(Md::markdown("~~~~\nx\n~~~").as_str(), "~~~~\nx\n~~~\n~~~~");
        assert_eq!(Md::markdown("```\nx\n```").as_str(), "```\nx\n```");
        assert_eq!(Md::markdown("``` a ` b").as_str(), "``` a ` b");
    }

    #[test]
    fn cells_escape_pipes_once() {
        assert_eq!(Md::code("a|b").cell().as_str(), "`a\\|b`");
        assert_eq!(
            Md::trusted("one\n\ntwo | three").cell().as_str(),
            "one two \\| three"
        );
    }

    #[test]
    fn slugs_follow_github() {
        let mut s = Slugger::default();
        assert_eq!(s.slug("Hello, World!"), "hello-world");
        assert_eq!(s.slug("Hello World"), "hello-world-1");
        assert_eq!(s.slug("hello-world-1"), "hello-world-1-1");
        assert_eq!(s.slug("createConversation"), "createconversation");
        assert_eq!(s.slug("foo_bar baz"), "foo_bar-baz");
        assert_eq!(s.slug("日本語"), "日本語");
    }
}
