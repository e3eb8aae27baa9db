//! Spec text as rustdoc: `#[doc]` attributes, never pasted code. The shared sanitizer
//! (`crate::spec_text`) first neutralises raw HTML and links to anything but web addresses
//! and the crate's own items, and closes open fences; then the text is made safe for
//! rustdoc: code blocks are never compiled as doctests, and stray brackets, HTML-like tags
//! and bare URLs do not raise rustdoc warnings.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Docs;
use crate::spec_text::{self, Headings};

/// Doc attributes for an item; `fallback` is used when the schema says nothing.
pub fn attrs(docs: &Docs, fallback: &str) -> TokenStream {
    let mut text = String::new();
    if let Some(s) = &docs.summary {
        text.push_str(s.trim());
    }
    if let Some(d) = &docs.description
        && docs.summary.as_deref().map(str::trim) != Some(d.trim())
    {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(d.trim());
    }
    if text.is_empty() {
        text.push_str(fallback);
    }
    for flag in &docs.flags {
        text.push_str("\n\n**Note:** ");
        text.push_str(flag);
    }
    if docs.deprecated {
        text.push_str("\n\n**Deprecated.**");
    }
    lines(&text)
}

/// Whether the schema says nothing of an item: no summary, description, note or
/// deprecation.
pub fn says_nothing(docs: &Docs) -> bool {
    let empty = |text: &Option<String>| text.as_deref().is_none_or(|t| t.trim().is_empty());
    empty(&docs.summary) && empty(&docs.description) && docs.flags.is_empty() && !docs.deprecated
}

/// Doc attributes for already-assembled Markdown text.
pub fn lines(text: &str) -> TokenStream {
    let lines = sanitize(text);
    quote! { #( #[doc = #lines] )* }
}

/// One string per doc line, each starting with a space as `///` comments do.
pub fn sanitize(text: &str) -> Vec<String> {
    // Intra-doc paths survive: the generator's own text, mixed in, links to items with them.
    let safe = spec_text::sanitize(text, is_intra_doc_path, Headings::Keep);
    rustdoc_lines(&spec_text::close_fences(&safe))
}

/// Whether a link destination is an intra-doc path (`crate::types::Pet`, `Self::send`), as
/// the generator's own text links to items. Such a path cannot act as a URL either: after any
/// scheme's colon comes another colon.
fn is_intra_doc_path(dest: &str) -> bool {
    let identifier = |s: &str| {
        s.chars().next().is_some_and(|c| !c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    dest.contains("::") && dest.split("::").all(identifier)
}

/// Safe Markdown as doc lines that rustdoc reads as written: fenced blocks are `text`, list
/// continuations keep their indent and nothing else is indented into a code block.
fn rustdoc_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    // The column where the text of the list item being written starts: a line that goes on
    // with the item is indented to it (rustdoc would otherwise read a "lazy" continuation).
    let mut item: Option<usize> = None;
    let text = text.replace('\t', "    ");
    for raw in text.lines() {
        let trimmed = raw.trim_start();
        if let Some(marker) = fence_marker(trimmed) {
            match &fence {
                Some(open)
                    if marker.starts_with(open.as_str())
                        && trimmed[marker.len()..].trim().is_empty() =>
                {
                    fence = None;
                    out.push(format!(" {marker}"));
                }
                Some(_) => out.push(format!(" {}", raw)),
                None => {
                    // Only `text` blocks: a fenced block in a description must never run as a doctest.
                    fence = Some(marker.clone());
                    out.push(format!(" {marker}text"));
                }
            }
            continue;
        }
        if fence.is_some() {
            out.push(format!(" {raw}"));
            continue;
        }
        let mut indent = raw.len() - trimmed.len();
        if trimmed.is_empty() {
            item = None;
        } else if let Some(marker) = list_marker(trimmed) {
            // Four spaces would start an indented code block, which rustdoc compiles.
            indent = indent.min(3);
            item = Some(indent + marker);
        } else if let Some(column) = item {
            indent = column;
        } else {
            indent = indent.min(3);
        }
        out.push(format!(
            " {}{}",
            " ".repeat(indent),
            escape_inline(trimmed.trim_end())
        ));
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out
}

/// The width of the list marker (`- `, `* `, `+ `, `1. `, `2) `) that starts `line`, with
/// the spaces after it (one to four: the item's text starts after them).
fn list_marker(line: &str) -> Option<usize> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let marker = match line.as_bytes().get(digits) {
        Some(b'-' | b'*' | b'+') if digits == 0 => 1,
        Some(b'.' | b')') if (1..=9).contains(&digits) => digits + 1,
        _ => return None,
    };
    let spaces = line[marker..].chars().take_while(|c| *c == ' ').count();
    match spaces {
        0 if line.len() == marker => Some(marker),
        0 => None,
        1..=4 => Some(marker + spaces),
        // Five or more start code inside the item: its text is one space in.
        _ => Some(marker + 1),
    }
}

fn fence_marker(line: &str) -> Option<String> {
    for ch in ['`', '~'] {
        let n = line.chars().take_while(|c| *c == ch).count();
        if n >= 3 {
            return Some(ch.to_string().repeat(n));
        }
    }
    None
}

/// Escapes what rustdoc would misread outside inline code: `[x]` without a target,
/// HTML-like `<tags>`, and bare URLs.
fn escape_inline(line: &str) -> String {
    // Most lines hold nothing to escape (every description of a large API passes here).
    if !line.contains(['`', '[', ']', '<', '>', '\\']) && !line.contains("http") {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            // Copy an inline code span verbatim.
            let run = chars[i..].iter().take_while(|x| **x == '`').count();
            let close = (i + run..chars.len()).find(|&j| {
                chars[j..].iter().take_while(|x| **x == '`').count() == run
                    && (j == 0 || chars[j - 1] != '`')
            });
            match close {
                Some(j) => {
                    out.extend(&chars[i..j + run]);
                    i = j + run;
                }
                None => {
                    out.push_str(&"\\`".repeat(run));
                    i += run;
                }
            }
            continue;
        }
        if c == '[' {
            if let Some(len) = link_len(&chars[i..]) {
                out.extend(&chars[i..i + len]);
                i += len;
                continue;
            }
            out.push_str("\\[");
        } else if c == ']' {
            out.push_str("\\]");
        } else if c == '<' {
            out.push_str("&lt;");
        } else if c == '>' {
            out.push_str("&gt;");
        } else if c == '\\' {
            out.push_str("\\\\");
        } else if starts_url(&chars[i..]) {
            let end = (i..chars.len())
                .find(|&j| {
                    chars[j].is_whitespace() || matches!(chars[j], '<' | '>' | '"' | '`' | ')')
                })
                .unwrap_or(chars.len());
            let mut url: String = chars[i..end].iter().collect();
            let mut tail = String::new();
            while url.ends_with(['.', ',', ';', ':', '!', '?']) {
                tail.insert(0, url.pop().unwrap_or_default());
            }
            out.push('<');
            out.push_str(&url);
            out.push('>');
            out.push_str(&tail);
            i = end;
            continue;
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// The length of a Markdown link `[text](target)` starting here, if it is one.
fn link_len(chars: &[char]) -> Option<usize> {
    let close = chars.iter().position(|c| *c == ']')?;
    if chars.get(close + 1) != Some(&'(') || chars[1..close].contains(&'[') {
        return None;
    }
    let end = chars[close..].iter().position(|c| *c == ')')? + close;
    Some(end + 1)
}

fn starts_url(chars: &[char]) -> bool {
    let starts = |prefix: &str| {
        prefix.len() <= chars.len() && prefix.chars().zip(chars).all(|(p, c)| p == *c)
    };
    starts("https://") || starts("http://")
}

/// `word` in code font after its indefinite article: "a `Message`", "an `ExecuteMessage`".
pub fn a_code(word: &str) -> String {
    format!("{} `{word}`", article(word))
}

/// "a" or "an" before `word`, by how English reads its first letters.
fn article(word: &str) -> &'static str {
    let lower = word.to_ascii_lowercase();
    // A `u` read as "you" takes "a": `UserId`, `Uuid`, `UniqueKey`.
    let you = ["uni", "use", "usa", "usu", "uti", "uu", "ur"];
    match lower.chars().next() {
        Some('a' | 'e' | 'i' | 'o') => "an",
        Some('u') if !you.iter().any(|p| lower.starts_with(p)) => "an",
        _ => "a",
    }
}

/// Doc attributes for the generator's own text, which may hold intra-doc links: unlike spec
/// text, it is written as Markdown and is not escaped.
pub fn own(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_words_take_the_article_they_are_read_with() {
        let cases = [
            ("agentExecute", "an `agentExecute`"),
            ("ExecuteMessage", "an `ExecuteMessage`"),
            ("Message", "a `Message`"),
            ("UserId", "a `UserId`"),
            ("UploadError", "an `UploadError`"),
        ];
        for (word, expected) in cases {
            assert_eq!(super::a_code(word), expected);
        }
    }

    #[test]
    fn list_items_keep_their_continuations_and_tabs_become_spaces() {
        let lines = sanitize(
            "Kinds:\n- first\nmore of the first\n10. tenth\nits rest\n*   wide\nrest\n\nAfter\tthe list",
        );
        assert_eq!(
            lines,
            [
                " Kinds:",
                " - first",
                "   more of the first",
                " 10. tenth",
                "     its rest",
                " *   wide",
                "     rest",
                " ",
                " After    the list"
            ]
        );
    }

    #[test]
    fn code_blocks_never_become_doctests() {
        let lines = sanitize("Example:\n```\nfn main() { panic!() }\n```\n    indented code");
        assert_eq!(lines[1], " ```text");
        assert_eq!(lines[3], " ```");
        assert_eq!(lines[4], "    indented code");
    }

    #[test]
    fn escapes_what_rustdoc_misreads() {
        assert_eq!(
            sanitize("see [Foo] and <b>")[0],
            r" see \[Foo\] and &lt;b&gt;"
        );
        assert_eq!(
            sanitize("see [docs](https://x.io) now")[0],
            " see [docs](https://x.io) now"
        );
        assert_eq!(sanitize("at https://x.io/a.")[0], " at <https://x.io/a>.");
        assert_eq!(sanitize("`a[0] <b>`")[0], " `a[0] <b>`");
    }

    #[test]
    fn open_fences_are_closed_as_text_blocks() {
        let lines = sanitize("Example:\n```rust\nfn main() {}");
        assert_eq!(lines, [" Example:", " ```text", " fn main() {}", " ```"]);
    }

    #[test]
    fn unsafe_links_keep_only_their_text() {
        assert_eq!(
            sanitize("see [x](javascript:alert(1)) or <javascript:alert(1)>")[0],
            " see x or javascript:alert(1)"
        );
        assert_eq!(sanitize("in [Vault](/apis/vault)")[0], " in Vault");
        assert_eq!(
            sanitize("see [`Pet`](crate::types::Pet)")[0],
            " see [`Pet`](crate::types::Pet)"
        );
        assert_eq!(
            sanitize("<a href=\"x\">y</a>")[0],
            " &lt;a href=\"x\"&gt;y&lt;/a&gt;"
        );
    }

    #[test]
    fn comment_terminators_stay_text() {
        let lines = sanitize("ends */ here \"quoted\"");
        assert_eq!(lines[0], " ends */ here \"quoted\"");
    }
}
