//! The members of a large impl block (a method per operation), laid out one at a time.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{ImplItem, Item, ItemImpl};

use super::syntax::{file, has_multiline_literal};
use crate::rust::imports::Used;

/// An impl block's members, each parsed and printed alone as soon as it is built, so that
/// a block of thousands of methods never exists as one token stream or syntax tree.
/// prettyplease prints an impl's members one after another at one indent, each the same
/// alone as among others; [`join`] puts them in their block.
#[derive(Default)]
pub struct Members {
    text: Text,
    /// Whether a string literal in a member spans lines (see `Page::push`).
    multiline: bool,
    /// An empty impl block, to print each member in.
    shell: Option<ItemImpl>,
    error: Option<syn::Error>,
}

/// The members' text, a member (or a few) a piece, and the identifiers they use.
#[derive(Default)]
pub(super) struct Text {
    pub pieces: Vec<String>,
    pub used: Used,
}

impl Members {
    /// Lays out `tokens`: one member or more.
    pub fn push(&mut self, tokens: TokenStream) {
        if self.error.is_some() {
            return;
        }
        let parse = |input: ParseStream| {
            let start = input.cursor();
            let mut items = Vec::new();
            while !input.is_empty() {
                items.push(input.parse::<ImplItem>()?);
            }
            self.text.used.scan(start, input.cursor());
            self.multiline |= has_multiline_literal(start, input.cursor());
            Ok(items)
        };
        match parse.parse2(tokens) {
            Ok(items) => self.print(items),
            Err(e) => self.error = Some(e),
        }
    }

    fn print(&mut self, items: Vec<ImplItem>) {
        let mut shell = self
            .shell
            .take()
            .unwrap_or_else(|| syn::parse_quote!(impl X {}));
        shell.items = items;
        let printed = file(Vec::new(), vec![Item::Impl(shell)]);
        let text = prettyplease::unparse(&printed);
        // The lines between the shell's `impl X {` and its `}`.
        let inside = text.split_once('\n').map_or("", |(_, rest)| rest);
        let inside = inside.strip_suffix("}\n").unwrap_or(inside);
        self.text.pieces.push(inside.to_owned());
        if let Some(Item::Impl(mut shell)) = printed.items.into_iter().next() {
            shell.items.clear();
            self.shell = Some(shell);
        }
    }

    /// The text and whether a member has a string literal that spans lines, or the first
    /// member that did not parse.
    pub(super) fn finish(self) -> syn::Result<(Text, bool)> {
        match self.error {
            Some(e) => Err(e),
            None => Ok((self.text, self.multiline)),
        }
    }
}

/// The impl block printed as `head` (with its own members) with `members` (their text)
/// after its own, in pieces of whole lines.
pub(super) fn join(head: String, members: Vec<String>) -> Vec<String> {
    if members.is_empty() {
        return vec![head];
    }
    let open = match head.strip_suffix("{}\n") {
        Some(open) => format!("{open}{{\n"),
        None => head.strip_suffix("}\n").unwrap_or(&head).to_owned(),
    };
    let mut pieces = Vec::with_capacity(members.len() + 2);
    pieces.push(open);
    pieces.extend(members);
    pieces.push("}\n".to_owned());
    pieces
}
