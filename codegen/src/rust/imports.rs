//! The `use` lines of generated files: each names only what its file uses.

use std::collections::HashSet;

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;
use syn::buffer::{Cursor, TokenBuffer};

/// The identifiers a body uses unqualified, to import only what generated code needs
/// (`types::Upload` does not use an imported `Upload`), and the types it defines at its top
/// level (`struct X`, `enum X`, ...). Collected while the body's items are parsed for
/// layout ([`Used::scan`]), which walks syn's buffer and copies no tokens.
#[derive(Default)]
pub(crate) struct Used {
    names: HashSet<String>,
    defined: HashSet<String>,
}

impl Used {
    pub(crate) fn of(tokens: &TokenStream) -> Self {
        let buffer = TokenBuffer::new2(tokens.clone());
        let mut used = Self::default();
        used.walk(buffer.begin(), None, true);
        used
    }

    /// Adds the tokens of a body's top level from `from` up to `to`.
    pub(crate) fn scan(&mut self, from: Cursor, to: Cursor) {
        self.walk(from, Some(to), true);
    }

    /// Adds the tokens from `from` up to `to` (the end of `from`'s group when `None`);
    /// only the `top` level's item keywords define names.
    fn walk(&mut self, mut from: Cursor, to: Option<Cursor>, top: bool) {
        const ITEMS: [&str; 4] = ["struct", "enum", "type", "trait"];
        // How many `:` come right before the current token.
        let mut colons = 0;
        let mut after_item_keyword = false;
        // The body of a macro call at the top level (`model! { pub struct .. }`) declares
        // items at the top level too.
        let mut after_bang = false;
        while Some(from) != to && !from.eof() {
            if let Some((inside, _, _, next)) = from.any_group() {
                self.walk(inside, None, top && after_bang);
                (colons, after_item_keyword, after_bang, from) = (0, false, false, next);
                continue;
            }
            let Some((tree, next)) = from.token_tree() else {
                break;
            };
            match tree {
                TokenTree::Ident(i) => {
                    let name = i.to_string();
                    let keyword = ITEMS.contains(&name.as_str());
                    if after_item_keyword && top {
                        self.defined.insert(name.clone());
                    }
                    if colons < 2 {
                        self.names.insert(name);
                    }
                    (colons, after_item_keyword) = (0, keyword);
                }
                TokenTree::Punct(p) if p.as_char() == ':' => {
                    (colons, after_item_keyword) = (colons + 1, false);
                }
                TokenTree::Punct(p) if p.as_char() == '!' => {
                    (colons, after_item_keyword, after_bang) = (0, false, true);
                    from = next;
                    continue;
                }
                _ => (colons, after_item_keyword) = (0, false),
            }
            after_bang = false;
            from = next;
        }
    }

    /// Adds what `other` uses and defines.
    pub(crate) fn extend(&mut self, other: Used) {
        self.names.extend(other.names);
        self.defined.extend(other.defined);
    }

    pub(super) fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

/// The standard library types generated code writes without a path, by module. Every file
/// takes its `use` lines for them from [`std_imports`], so none can use one and miss it.
/// (Functions and macros are written with their path: a method may share their name.)
const STD_NAMES: &[(&str, &[&str])] = &[
    ("collections", &["BTreeMap"]),
    ("future", &["Future", "IntoFuture"]),
    ("pin", &["Pin"]),
    ("task", &["Context", "Poll"]),
];

/// The `use std::…` lines for the [`STD_NAMES`] that a body uses; a name the file defines
/// itself (a schema called `Context` in the types module) is its own, not the standard one.
pub(super) fn std_imports(used: &Used) -> TokenStream {
    let defined = &used.defined;
    STD_NAMES
        .iter()
        .map(|(module, names)| {
            let module = proc_macro2::Ident::new(module, proc_macro2::Span::call_site());
            let names: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| !defined.contains(*n))
                .collect();
            imports_used(quote!(std::#module), &names, used)
        })
        .collect()
}

/// `use root::{names...};` for the names in `candidates` among the `used` ones.
pub(super) fn imports_used(root: TokenStream, candidates: &[&str], used: &Used) -> TokenStream {
    let names: Vec<proc_macro2::Ident> = candidates
        .iter()
        .filter(|c| used.contains(c))
        .map(|c| proc_macro2::Ident::new(c, proc_macro2::Span::call_site()))
        .collect();
    match names.len() {
        0 => TokenStream::new(),
        1 => quote!(use #root::#(#names)*;),
        _ => quote!(use #root::{#(#names),*};),
    }
}
