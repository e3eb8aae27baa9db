//! Spec text (descriptions, which OpenAPI and AsyncAPI define as CommonMark) made safe once,
//! for every back-end: parsed with `pulldown-cmark` and rewritten so that nothing in it can
//! run, load or take over the structure of what it is placed in (a page of the reference, a
//! doc comment). Each back-end then escapes what its own format misreads.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The Markdown extensions spec text is read with (GitHub's tables and strikethrough).
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Which relative link destinations survive besides absolute `http`, `https` and `mailto`
/// addresses: the back-end's own kind of link (a page of the reference, an item of the
/// crate), which only it can tell.
pub(crate) type OwnLinks = fn(&str) -> bool;

/// For text where no relative link leads anywhere.
pub(crate) fn no_own_links(_: &str) -> bool {
    false
}

/// What becomes of headings in spec text.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Headings {
    /// Kept as written.
    Keep,
    /// Bold paragraphs, so that the page's own headings (and their anchors) stay the only ones.
    Demote,
}

/// Whether a link destination may stay wherever spec text goes: absolute `http`, `https`
/// and `mailto` addresses only (no `javascript:`, `data:`, or relative paths that lead
/// nowhere).
pub(crate) fn is_external_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// An open heading or link: the range of the whole element, the range of what is inside it
/// so far, and whether it is to be rewritten.
type Open = (Range<usize>, Option<Range<usize>>, bool);

/// Rewrites user Markdown: raw HTML becomes text (`<` as `&lt;`), links to anything but
/// external addresses and `own_link`'s destinations (and images but of external addresses)
/// keep only their text, and headings are kept or demoted to bold paragraphs.
pub(crate) fn sanitize(text: &str, own_link: OwnLinks, headings: Headings) -> String {
    let demote = headings == Headings::Demote;
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    for (event, range) in Parser::new_ext(&text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => open.push((range, None, demote)),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let keep = is_external_url(&dest_url) || own_link(&dest_url);
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
pub(crate) fn close_fences(text: &str) -> String {
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
