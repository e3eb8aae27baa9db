//! The whole reference as one HTML page: every Markdown page converted with
//! `pulldown-cmark`, one `<section>` each, with a table of contents.
//!
//! The page must be safe whatever the spec says, so the conversion does not trust the
//! Markdown either (the escapers already neutralised spec text; this is the second line):
//! raw HTML is written as text, links survive only to `http`, `https` and `mailto`
//! addresses or to the reference's own headings, images become links (the page loads
//! nothing from outside), and a Content-Security-Policy forbids scripts and remote
//! resources anyway. The one script allowed (by its hash) is the search, which reads its
//! index from a JSON data block and builds its results with `textContent` only; without
//! JavaScript the search form stays hidden and the rest of the page works as before.
//!
//! Anchors: a heading of page `p` with GitHub anchor `a` gets the id `p--a` (page stems
//! never contain `--`); `x.md#a` and `#a` links are rewritten to match, so the links that
//! work between the Markdown files work inside the page.

use std::collections::BTreeMap;

use askama::Template;
use pulldown_cmark::{CowStr, Event, LinkType, Parser, Tag, TagEnd};

use super::markdown::Slugger;
use super::model::{DocsConfig, HTML_FILE};
use super::sha256;
use super::site::{SearchEntry, Site};
use crate::ir::Api;
use crate::spec_text::{is_external_url, options};

#[derive(Template)]
#[template(path = "docs/page.html")]
struct HtmlPage<'a> {
    title: &'a str,
    command: &'a str,
    toc: Vec<TocEntry>,
    sections: Vec<Section>,
    /// The search index as JSON, safe inside a `<script>` element.
    index: String,
    script: &'static str,
    /// The Content-Security-Policy hash of `script`.
    script_hash: String,
}

/// The search, run by the page (its text is hashed into the page's policy).
const SEARCH_JS: &str = include_str!("../../templates/docs/search.js");

struct TocEntry {
    level: usize,
    id: String,
    text: String,
}

struct Section {
    stem: String,
    html: String,
}

pub fn render(api: &Api, config: &DocsConfig, site: &Site) -> Result<String, askama::Error> {
    let pages = &site.pages;
    let files: BTreeMap<String, String> = pages
        .iter()
        .map(|p| (p.file.clone(), p.stem.clone()))
        .collect();
    let mut toc = Vec::new();
    let mut sections = Vec::new();
    for page in pages {
        let html = convert(&page.markdown, &page.stem, &files, &mut toc);
        sections.push(Section {
            stem: page.stem.clone(),
            html,
        });
    }
    let title = format!("{} {} reference", api.title, api.version);
    let page = HtmlPage {
        title: &title,
        command: &config.command,
        toc,
        sections,
        index: search_json(&site.index, &files),
        script: SEARCH_JS,
        script_hash: sha256::base64(&sha256::digest(SEARCH_JS.as_bytes())),
    };
    let mut out = page.render()?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// The search index as a JSON array of `[kind, name, detail, href]`, with `<`, `>` and `&`
/// written as JSON escapes so that nothing in it can close the `<script>` element.
fn search_json(index: &[SearchEntry], files: &BTreeMap<String, String>) -> String {
    let rows: Vec<[String; 4]> = index
        .iter()
        .filter_map(|e| {
            let stem = files.get(&e.file)?;
            let href = format!("#{}", html_id(stem, &e.slug));
            Some([e.kind.to_owned(), e.name.clone(), e.detail.clone(), href])
        })
        .collect();
    serde_json::to_string(&rows)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The id of the heading with GitHub anchor `slug` on page `stem`: ASCII letters, digits,
/// `-` and `_` as they are, anything else as `.` and its code point in hex.
pub fn html_id(stem: &str, slug: &str) -> String {
    let mut out = format!("{stem}--");
    for c in slug.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            out.push_str(&format!(".{:x}", c as u32));
        }
    }
    out
}

/// The in-page target of a link in page `stem`, or `None` to drop the link.
fn target(dest: &str, stem: &str, files: &BTreeMap<String, String>) -> Option<String> {
    if is_external_url(dest) {
        return Some(dest.to_owned());
    }
    let (file, fragment) = match dest.split_once('#') {
        Some((file, fragment)) => (file, Some(fragment)),
        None => (dest, None),
    };
    let page = if file.is_empty() {
        stem
    } else if file == HTML_FILE {
        return fragment.map(|f| format!("#{}", percent_decode(f)));
    } else {
        files.get(file)?.as_str()
    };
    Some(match fragment {
        Some(f) if !f.is_empty() => format!("#{}", html_id(page, &percent_decode(f))),
        _ => format!("#{page}"),
    })
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Converts one page, giving every heading its id and adding it to the contents.
fn convert(
    markdown: &str,
    stem: &str,
    files: &BTreeMap<String, String>,
    toc: &mut Vec<TocEntry>,
) -> String {
    let mut slugs = Slugger::default();
    let mut out: Vec<Event<'_>> = Vec::new();
    // For each open link or image: whether its tags were kept.
    let mut links: Vec<bool> = Vec::new();
    // The open heading: its level, and where its start tag is in `out`.
    let mut heading: Option<(pulldown_cmark::HeadingLevel, usize, String)> = None;
    for event in Parser::new_ext(markdown, options()) {
        let event = match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level, out.len(), String::new()));
                Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((_, at, text)) = heading.take() {
                    let id = html_id(stem, &slugs.slug(&text));
                    out[at] = Event::Start(Tag::Heading {
                        level,
                        id: Some(CowStr::from(id.clone())),
                        classes: Vec::new(),
                        attrs: Vec::new(),
                    });
                    let level = level as usize;
                    if level <= 3 {
                        toc.push(TocEntry {
                            level,
                            id,
                            text: text.trim().to_owned(),
                        });
                    }
                }
                Event::End(TagEnd::Heading(level))
            }
            event @ (Event::Start(Tag::Link { .. } | Tag::Image { .. })
            | Event::End(TagEnd::Link | TagEnd::Image)) => {
                match link_event(event, stem, files, &mut links) {
                    Some(event) => event,
                    None => continue,
                }
            }
            Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::FootnoteReference(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                Event::Text(text)
            }
            other => other,
        };
        if let Some((_, _, text)) = &mut heading
            && let Event::Text(t) | Event::Code(t) = &event
        {
            text.push_str(t);
        }
        out.push(event);
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    html
}

/// A link or image event of page `stem`, rewritten: links to the page's target (or dropped
/// with their tags, keeping the text), images as links (the page loads nothing). `links`
/// says, for each open link or image, whether its tags were kept.
fn link_event<'a>(
    event: Event<'a>,
    stem: &str,
    files: &BTreeMap<String, String>,
    links: &mut Vec<bool>,
) -> Option<Event<'a>> {
    Some(match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => match target(&dest_url, stem, files) {
            Some(dest) => {
                links.push(true);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest.into(),
                    title,
                    id,
                })
            }
            None => {
                links.push(false);
                return None;
            }
        },
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => {
            // No remote images: the page must load nothing. A link to it instead.
            if is_external_url(&dest_url) {
                links.push(true);
                Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url,
                    title,
                    id: CowStr::from(""),
                })
            } else {
                links.push(false);
                return None;
            }
        }
        Event::End(TagEnd::Link | TagEnd::Image) => {
            if links.pop() == Some(true) {
                Event::End(TagEnd::Link)
            } else {
                return None;
            }
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> BTreeMap<String, String> {
        [("README.md", "readme"), ("agents.md", "agents")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_search_index_cannot_close_its_script_and_the_script_is_hashed() {
        let entry = SearchEntry {
            kind: "type",
            name: "</script><script>alert(1)</script>".into(),
            detail: "a & b".into(),
            file: "README.md".into(),
            slug: "x".into(),
        };
        let json = search_json(&[entry], &files());
        assert!(
            !json.contains('<') && !json.contains('>') && !json.contains('&'),
            "{json}"
        );
        let rows: Vec<Vec<String>> = serde_json::from_str(&json).unwrap();
        assert_eq!(rows[0][1], "</script><script>alert(1)</script>");
        assert_eq!(rows[0][3], "#readme--x");
        // The page's tag-level checks read every `<` as a tag: the script has none.
        assert!(!SEARCH_JS.contains('<'));
        // The hash in the policy is the script's, as browsers compute it.
        assert_eq!(
            sha256::base64(&sha256::digest(b"alert(1)")),
            "bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }

    #[test]
    fn links_are_rewritten_or_dropped() {
        let f = files();
        assert_eq!(target("#x", "agents", &f).unwrap(), "#agents--x");
        assert_eq!(
            target("README.md#a-b", "agents", &f).unwrap(),
            "#readme--a-b"
        );
        assert_eq!(target("agents.md", "readme", &f).unwrap(), "#agents");
        assert_eq!(
            target("https://e.com/", "readme", &f).unwrap(),
            "https://e.com/"
        );
        assert_eq!(target("javascript:alert(1)", "readme", &f), None);
        assert_eq!(target("other.md#x", "readme", &f), None);
        assert_eq!(
            target("#caf%C3%A9", "readme", &f).unwrap(),
            "#readme--caf.e9"
        );
    }

    #[test]
    fn raw_html_becomes_text_and_headings_get_ids() {
        let mut toc = Vec::new();
        let html = convert(
            "# Title\n\n<script>alert(1)</script>\n\nInline <b>x</b> ![i](https://e.com/i.png) [j](javascript:x)\n\n## Title\n",
            "readme",
            &files(),
            &mut toc,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("<h1 id=\"readme--title\">"), "{html}");
        assert!(html.contains("<h2 id=\"readme--title-1\">"), "{html}");
        assert_eq!(toc.len(), 2);
    }
}
