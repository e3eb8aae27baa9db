//! The page layout of generated files: prettyplease's formatting, with the blank lines
//! rustfmt'd hand-written code has between items and between the items of an impl block.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{File, Item};

/// `file` formatted, one blank line between items (a run of `use` or `mod` declarations
/// stays together) and between the functions, types and constants of an impl block.
pub fn unparse(file: &File) -> String {
    let mut out = String::new();
    // The file's inner attributes alone, then each item alone.
    let mut frame = File {
        items: Vec::new(),
        ..file.clone()
    };
    if !frame.attrs.is_empty() {
        out.push_str(&prettyplease::unparse(&frame));
    }
    frame.attrs.clear();
    frame.shebang = None;
    let mut previous: Option<&Item> = None;
    for item in &file.items {
        frame.items = vec![item.clone()];
        let text = prettyplease::unparse(&frame);
        let together = previous.is_some_and(|p| same_run(p, item));
        if !out.is_empty() && !together {
            out.push('\n');
        }
        if matches!(item, Item::Impl(_) | Item::Trait(_)) && !has_multiline_literal(item) {
            out.push_str(&space_members(&text));
        } else {
            out.push_str(&text);
        }
        previous = Some(item);
    }
    out
}

fn same_run(a: &Item, b: &Item) -> bool {
    matches!(
        (a, b),
        (Item::Use(_), Item::Use(_)) | (Item::Mod(_), Item::Mod(_))
    ) && !matches!(b, Item::Mod(m) if m.content.is_some())
}

/// A blank line after each member of an impl block (at four spaces: its `}` or `;`) that
/// another member follows.
fn space_members(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + lines.len());
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let ends_member = matches!(*line, "    }" | "    };")
            || (member_line(line) && !is_doc_or_attribute(line) && line.ends_with(['}', ';']));
        if ends_member && lines.get(i + 1).is_some_and(|next| member_line(next)) {
            out.push('\n');
        }
    }
    out
}

/// A line of an impl block's own level: not a body, not its closing brace.
fn member_line(line: &str) -> bool {
    line.strip_prefix("    ")
        .is_some_and(|rest| !rest.starts_with([' ', '}', ')']) && !rest.is_empty())
}

/// A doc comment or attribute line, which belongs to the member below it whatever it ends
/// with (`/// a &lt;b&gt;` ends with `;`).
fn is_doc_or_attribute(line: &str) -> bool {
    let rest = line.trim_start();
    rest.starts_with("//") || rest.starts_with('#')
}

/// Whether a string literal in `item` spans lines: the text-level spacing could reach
/// inside it.
fn has_multiline_literal(item: &Item) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            TokenTree::Group(g) => walk(g.stream()),
            TokenTree::Literal(l) => l.to_string().contains('\n'),
            _ => false,
        })
    }
    walk(item.to_token_stream())
}

#[cfg(test)]
mod tests {
    use super::unparse;

    fn layout(source: &str) -> String {
        unparse(&syn::parse_file(source).unwrap())
    }

    #[test]
    fn items_and_impl_members_are_set_apart_and_use_runs_stay_together() {
        let text = layout(
            "use a::b; use c::d; struct A; impl A { const N: u8 = 1; fn f() {} fn g() -> u8 { if true { 1 } else { 2 } } } fn h() {}",
        );
        let expected = "use a::b;\nuse c::d;\n\nstruct A;\n\nimpl A {\n    const N: u8 = 1;\n\n    fn f() {}\n\n    fn g() -> u8 {\n        if true { 1 } else { 2 }\n    }\n}\n\nfn h() {}\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn doc_lines_that_end_like_a_member_stay_with_their_member() {
        let text = layout(
            "impl A { #[doc = \" a &lt;b&gt;\"] #[doc = \" {x}\"] #[inline] fn f() {} fn g() {} }",
        );
        let expected = "impl A {\n    /// a &lt;b&gt;\n    /// {x}\n    #[inline]\n    fn f() {}\n\n    fn g() {}\n}\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn a_string_that_spans_lines_is_left_as_it_is() {
        let source = "impl A { fn f() -> &'static str { r#\"x\n    }\n    fn y\"# } fn g() {} }";
        let text = layout(source);
        assert!(text.contains("x\n    }\n    fn y"), "{text}");
    }
}
