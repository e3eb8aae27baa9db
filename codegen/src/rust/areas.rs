//! Modules split into areas: what one area alone needs is written to a file of its own,
//! `<module>/<area>.rs`, declared under the area's feature, so that a build without the area
//! never parses it (for the largest specs, parsing is most of the cost).

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::features::Groups;
use super::ident::ident;
use super::imports::Used;
use super::layout::{Module, Page};

/// The items of one module's areas, laid out as they come.
#[derive(Default)]
pub struct AreaPages {
    pages: BTreeMap<usize, Page>,
}

/// The file of one area of a module.
pub struct AreaFile {
    /// The module's name, which is also the file's.
    pub name: String,
    pub module: Module,
}

impl AreaPages {
    /// The page of `area`.
    pub fn page(&mut self, area: usize) -> &mut Page {
        self.pages.entry(area).or_default()
    }

    /// Puts the areas into `module`, ahead of its items: each declared under its feature,
    /// with its items re-exported. Gives the areas' files: the module's names in scope,
    /// and the imports `imports` gives for the names each area uses.
    pub fn finish(
        self,
        groups: &Groups,
        module: &mut Page,
        imports: impl Fn(&Used) -> TokenStream,
    ) -> Vec<AreaFile> {
        let mut mods = Page::default();
        let mut uses = Page::default();
        let mut files = Vec::new();
        for (area, page) in self.pages {
            let id = ident(&groups.area_module(area));
            // A keyword is a raw identifier; its file is named without the `r#`.
            let name = id.to_string().trim_start_matches("r#").to_owned();
            let cfg = groups.area_cfg(area);
            mods.push(quote!(mod #id;), Some(&cfg));
            uses.push(quote!(pub use #id::*;), Some(&cfg));
            let doc = format!(
                " What only the `{}` area needs: compiled with its cargo feature.",
                groups.features()[area]
            );
            let own = imports(page.used());
            let head = quote! {
                #![doc = #doc]

                #own
                use super::*;
            };
            files.push(AreaFile {
                name,
                module: Module { head, body: page },
            });
        }
        mods.append(uses);
        mods.append(std::mem::take(module));
        *module = mods;
        files
    }
}
