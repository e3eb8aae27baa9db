//! The page layout of generated files: prettyplease's formatting, with the blank lines
//! rustfmt'd hand-written code has between items and between the items of an impl block.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Item, ItemImpl};

use super::features::gate_item;
use super::imports::Used;

mod block;
mod members;
mod syntax;

pub use members::Members;
use syntax::{file, has_multiline_literal};

/// A module as its body is built: the body laid out part by part (see [`Page::push`]),
/// and the head (inner attributes, `use` lines) made once the body's names are known.
/// Laid out with one blank line between items (a run of `use` or `mod` declarations stays
/// together) and between the functions, types and constants of an impl block; items are
/// parsed and printed one at a time, so a large file never exists as one syntax tree.
pub struct Module {
    pub head: TokenStream,
    pub body: Page,
}

impl Module {
    /// `preamble`, then `head` and `body`, as one file's text: copied once into a string
    /// of its size, where a growing string would copy a large file several times.
    pub fn unparse(self, preamble: &str) -> syn::Result<String> {
        let mut page = Page::default();
        page.parse(self.head, None, true)?;
        page.append(self.body);
        if let Some(e) = page.error {
            return Err(e);
        }
        let size = page.pieces.iter().map(String::len).sum::<usize>();
        let mut out = String::with_capacity(preamble.len() + size);
        out.push_str(preamble);
        page.pieces.iter().for_each(|piece| out.push_str(piece));
        Ok(out)
    }
}

/// The text laid out so far and what the last item was; a part that does not parse is
/// kept as the error [`Module::unparse`] returns.
#[derive(Default)]
pub struct Page {
    /// The text, an item (or a blank line) a piece, none of them empty.
    pieces: Vec<String>,
    previous: Option<Run>,
    /// The first item's run, and whether it is a module with a body: how the page joins
    /// one above it.
    first: Option<(Run, bool)>,
    used: Used,
    error: Option<syn::Error>,
}

/// The kinds of item that stay together when they follow one another.
#[derive(Clone, Copy, PartialEq)]
enum Run {
    Use,
    Mod,
    Other,
}

impl Page {
    /// Lays out the items of `tokens`, each with the attributes `cfg` (`#[cfg(..)]`) after
    /// its doc comment. Each part is parsed on its own, so the whole body is never one
    /// token stream, and an item is gated without printing and parsing it again.
    pub fn push(&mut self, tokens: TokenStream, cfg: Option<&TokenStream>) {
        if self.error.is_none()
            && let Err(e) = self.parse(tokens, cfg, false)
        {
            self.error = Some(e);
        }
    }

    /// Lays out the impl block `block` with `members` after its own: the block's members
    /// and those laid out apart print the same as if they were one block.
    pub fn push_impl(&mut self, block: TokenStream, members: Members) {
        if self.error.is_none()
            && let Err(e) = self.impl_block(block, members)
        {
            self.error = Some(e);
        }
    }

    fn impl_block(&mut self, block: TokenStream, members: Members) -> syn::Result<()> {
        let (text, multiline) = members.finish()?;
        let parse = |input: ParseStream| {
            let start = input.cursor();
            let item: ItemImpl = input.parse()?;
            self.used.scan(start, input.cursor());
            Ok((item, has_multiline_literal(start, input.cursor())))
        };
        let (item, own_multiline) = parse.parse2(block)?;
        let head = prettyplease::unparse(&file(Vec::new(), vec![Item::Impl(item)]));
        let mut segments = members::join(head, text.pieces);
        if !(multiline || own_multiline) {
            segments = space_segments(&segments);
        }
        self.used.extend(text.used);
        self.place(segments, Run::Other, false);
        Ok(())
    }

    /// The identifiers the items laid out so far use, and the types they define.
    pub fn used(&self) -> &Used {
        &self.used
    }

    /// Adds `below`'s items after this page's, set apart as if laid out here.
    pub fn append(&mut self, below: Page) {
        if let Some(e) = below.error {
            self.error.get_or_insert(e);
        }
        if let Some((run, body)) = below.first {
            if !self.pieces.is_empty() && !self.together(run, body) {
                self.pieces.push("\n".to_owned());
            }
            self.pieces.extend(below.pieces);
            self.first.get_or_insert((run, body));
            self.previous = below.previous;
        }
        self.used.extend(below.used);
    }

    /// Parses and prints `tokens` (with the file's inner attributes first when `inner`).
    fn parse(
        &mut self,
        tokens: TokenStream,
        cfg: Option<&TokenStream>,
        inner: bool,
    ) -> syn::Result<()> {
        let cfg = match cfg {
            Some(cfg) => Attribute::parse_outer.parse2(cfg.clone())?,
            None => Vec::new(),
        };
        let parse = |input: ParseStream| {
            if inner {
                self.inner_attributes(input.call(Attribute::parse_inner)?);
            }
            while !input.is_empty() {
                let start = input.cursor();
                let mut item: Item = input.parse()?;
                self.used.scan(start, input.cursor());
                let spaced = matches!(item, Item::Impl(_) | Item::Trait(_))
                    && !has_multiline_literal(start, input.cursor());
                gate_item(&mut item, &cfg);
                self.item(item, spaced);
            }
            Ok(())
        };
        parse.parse2(tokens)
    }

    /// The file's inner attributes, one a line (prettyplease alone would join them).
    fn inner_attributes(&mut self, attrs: Vec<Attribute>) {
        for attr in attrs {
            let text = prettyplease::unparse(&file(vec![attr], Vec::new()));
            self.pieces.push(format!("{}\n", text.trim_end()));
        }
    }

    /// Whether an item of `run` (a module with a `body`, say) stays with the one before.
    fn together(&self, run: Run, body: bool) -> bool {
        run != Run::Other && self.previous == Some(run) && !body
    }

    /// Prints `item`, its impl members set apart when `spaced`.
    fn item(&mut self, item: Item, spaced: bool) {
        let run = match &item {
            Item::Use(_) => Run::Use,
            Item::Mod(_) => Run::Mod,
            _ => Run::Other,
        };
        // A module with a body starts a run of its own.
        let body = matches!(&item, Item::Mod(m) if m.content.is_some());
        let declared = match &item {
            Item::Macro(call) if is_declaration(call) => {
                block::declarations(call, &attributes(&call.attrs))
            }
            _ => None,
        };
        let mut text = match declared {
            Some(text) => text,
            None => prettyplease::unparse(&file(Vec::new(), vec![item])),
        };
        if spaced {
            text = space_members(&text, None);
        }
        self.place(vec![text], run, body);
    }

    /// Adds an item's text (in `pieces`) after the items before it.
    fn place(&mut self, pieces: Vec<String>, run: Run, body: bool) {
        if !self.pieces.is_empty() && !self.together(run, body) {
            self.pieces.push("\n".to_owned());
        }
        self.pieces
            .extend(pieces.into_iter().filter(|piece| !piece.is_empty()));
        self.first.get_or_insert((run, body));
        self.previous = Some(run);
    }
}

/// Whether a macro call declares items the way the runtime's `model!`, `call!` and
/// `open_enum!` do.
fn is_declaration(call: &syn::ItemMacro) -> bool {
    call.mac.path.segments.last().is_some_and(|last| {
        ["model", "call", "open_enum"]
            .iter()
            .any(|m| last.ident == m)
    })
}

/// Outer attributes as prettyplease prints them, one a line.
fn attributes(attrs: &[Attribute]) -> String {
    if attrs.is_empty() {
        return String::new();
    }
    let unit: Item = syn::parse_quote!(#(#attrs)* struct X;);
    let text = prettyplease::unparse(&file(Vec::new(), vec![unit]));
    text.trim_end().trim_end_matches("struct X;").to_owned()
}

/// A blank line after each member of an impl block (at four spaces: its `}`, `;` or the
/// `);` of a constant written over several lines) that another member follows; `after` is
/// the line after `text`, when it goes on.
fn space_members(text: &str, after: Option<&str>) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + lines.len());
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let ends_member = matches!(*line, "    }" | "    };" | "    );")
            || (member_line(line) && !is_doc_or_attribute(line) && line.ends_with(['}', ';']));
        let next = lines.get(i + 1).copied().or(after);
        if ends_member && next.is_some_and(member_line) {
            out.push('\n');
        }
    }
    out
}

/// [`space_members`] over an impl block in `segments` (each of whole lines).
fn space_segments(segments: &[String]) -> Vec<String> {
    segments
        .iter()
        .enumerate()
        .map(|(i, segment)| {
            let after = segments.get(i + 1).and_then(|next| next.lines().next());
            space_members(segment, after)
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::{Module, Page};

    fn layout(source: &str) -> String {
        let module = Module {
            head: source.parse().unwrap(),
            body: Page::default(),
        };
        module.unparse("").unwrap()
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
    fn a_module_with_a_body_is_set_apart_but_the_declaration_after_it_is_not() {
        let text = layout("mod a; mod b {} mod c; use x::y;");
        assert_eq!(text, "mod a;\n\nmod b {}\nmod c;\n\nuse x::y;\n");
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
    fn a_declaration_macro_is_laid_out_as_the_items_it_declares() {
        let text = layout(
            "struct A; rt::model! { #[doc = \" A pet.\"] #[derive(Clone)] pub struct Pet { #[doc = \" Its name.\"] pub name: String = required \"name\", pub tag: Option<BTreeMap<String, i64>> = optional \"tag\" => with_tag(BTreeMap<String, i64>), } pub fn new(name: impl Into<String>); } rt::call! { pub struct C<'a> {} pub fn send(self) -> u8 { let x = 1; x } #[doc = \" Sets a.\"] pub fn with_a(a: &'a str); #[doc = \" Sets b.\"] pub fn with_b(b: i64); }",
        );
        let expected = "struct A;\n\nrt::model! {\n    /// A pet.\n    #[derive(Clone)]\n    pub struct Pet {\n        /// Its name.\n        pub name: String = required \"name\",\n        pub tag: Option<BTreeMap<String, i64>> = optional \"tag\" => with_tag(BTreeMap<String, i64>),\n    }\n    pub fn new(name: impl Into<String>);\n}\n\nrt::call! {\n    pub struct C<'a> {}\n\n    pub fn send(self) -> u8 {\n        let x = 1;\n        x\n    }\n\n    /// Sets a.\n    pub fn with_a(a: &'a str);\n    /// Sets b.\n    pub fn with_b(b: i64);\n}\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn an_impl_with_members_laid_out_apart_prints_as_one_block() {
        let whole = layout(
            "struct A; impl A { const N: u8 = 1; fn f(&self) -> u8 { if true { 1 } else { 2 } } #[doc = \" g\"] pub fn g() {} fn h() {} }",
        );
        let mut members = super::Members::default();
        members.push(
            "fn f(&self) -> u8 { if true { 1 } else { 2 } }"
                .parse()
                .unwrap(),
        );
        members.push("#[doc = \" g\"] pub fn g() {} fn h() {}".parse().unwrap());
        let mut page = super::Page::default();
        page.push("struct A;".parse().unwrap(), None);
        page.push_impl("impl A { const N: u8 = 1; }".parse().unwrap(), members);
        let module = |body| Module {
            head: super::TokenStream::new(),
            body,
        };
        assert_eq!(module(page).unparse("").unwrap(), whole);
        let mut empty = super::Page::default();
        let mut members = super::Members::default();
        members.push("fn f() {}".parse().unwrap());
        empty.push_impl("impl A {}".parse().unwrap(), members);
        let empty = module(empty).unparse("").unwrap();
        assert_eq!(empty, layout("impl A { fn f() {} }"));
    }

    #[test]
    fn a_string_that_spans_lines_is_left_as_it_is() {
        let source = "impl A { fn f() -> &'static str { r#\"x\n    }\n    fn y\"# } fn g() {} }";
        let text = layout(source);
        assert!(text.contains("x\n    }\n    fn y"), "{text}");
    }
}
