//! The `use` lines of generated files: each names only what its file uses.

use proc_macro2::TokenStream;
use quote::quote;

/// The identifiers a body uses unqualified, to import only what generated code needs
/// (`types::Upload` does not use an imported `Upload`). Collected once per body: a walk of
/// a large module copies every group's tokens, so each `use` line must not walk it again.
pub(crate) struct Used(std::collections::HashSet<String>);

impl Used {
    pub(crate) fn of(tokens: &TokenStream) -> Self {
        let mut out = std::collections::HashSet::new();
        let mut stack: Vec<TokenStream> = vec![tokens.clone()];
        while let Some(ts) = stack.pop() {
            // How many `:` come right before the current token.
            let mut colons = 0;
            for tt in ts {
                match tt {
                    proc_macro2::TokenTree::Ident(i) => {
                        if colons < 2 {
                            out.insert(i.to_string());
                        }
                        colons = 0;
                    }
                    proc_macro2::TokenTree::Punct(p) if p.as_char() == ':' => colons += 1,
                    proc_macro2::TokenTree::Group(g) => {
                        stack.push(g.stream());
                        colons = 0;
                    }
                    _ => colons = 0,
                }
            }
        }
        Self(out)
    }

    pub(super) fn contains(&self, name: &str) -> bool {
        self.0.contains(name)
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

/// The `use std::…` lines for the [`STD_NAMES`] that `body` uses (its identifiers are
/// `used`); a name the file defines itself (a schema called `Context` in the types module)
/// is its own, not the standard one.
pub(super) fn std_imports(body: &TokenStream, used: &Used) -> TokenStream {
    let defined = defined(body);
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

/// The names of the types a file defines at its top level (`struct X`, `enum X`, ...).
fn defined(tokens: &TokenStream) -> std::collections::HashSet<String> {
    const ITEMS: [&str; 4] = ["struct", "enum", "type", "trait"];
    let mut out = std::collections::HashSet::new();
    let mut after_item_keyword = false;
    for tt in tokens.clone() {
        if let proc_macro2::TokenTree::Ident(i) = &tt {
            let name = i.to_string();
            if after_item_keyword {
                out.insert(name.clone());
            }
            after_item_keyword = ITEMS.contains(&name.as_str());
        } else {
            after_item_keyword = false;
        }
    }
    out
}

/// `use root::{names...};` for the names in `candidates` that `body` uses.
pub(super) fn imports(root: TokenStream, candidates: &[&str], body: &TokenStream) -> TokenStream {
    imports_used(root, candidates, &Used::of(body))
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
