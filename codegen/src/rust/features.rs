//! Cargo features that split a large crate by area, so that a program compiles only the
//! areas it uses: each operation belongs to the feature of its group (its first tag, or
//! that tag's first dotted segment), and a type to the features of the operations that
//! reach it. A type every group reaches, or no operation does, is always compiled.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;

use crate::ir::{Api, TypeId};
use crate::lower::graph::{named_in, reachable};

/// How operations are grouped into cargo features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// One feature per first tag.
    Tag,
    /// One feature per first segment of the first tag (`users` for `users.user`).
    TagPrefix,
}

impl Grouping {
    /// The grouping a command-line value names: `tag` or `tag-prefix`.
    pub fn parse(value: &str) -> Option<Grouping> {
        match value {
            "tag" => Some(Grouping::Tag),
            "tag-prefix" => Some(Grouping::TagPrefix),
            _ => None,
        }
    }
}

/// The features the crate's operations are grouped into, and what each item needs.
pub struct Groups {
    /// Feature names, in order of first use.
    features: Vec<String>,
    /// The feature of each operation.
    of_operation: Vec<usize>,
    /// The features of each type; empty when the type is always compiled.
    of_type: Vec<Vec<usize>>,
}

/// Where an item of a module split into areas is written.
pub enum Place {
    /// In the module's own file, under this `#[cfg(..)]` when some areas need it.
    Module(Option<TokenStream>),
    /// In the file of this area, which the area's feature brings in: a build without the
    /// area does not even parse it.
    Area(usize),
}

/// Features the generated crate has whatever the grouping.
const TAKEN: &[&str] = &["default", "blocking", "rustls", "native-tls", "mock", "ws"];

impl Groups {
    pub fn new(api: &Api, grouping: Grouping) -> Groups {
        let mut features: Vec<String> = Vec::new();
        let mut of_group: Vec<(String, usize)> = Vec::new();
        let of_operation = api
            .operations
            .iter()
            .map(|op| {
                let tag = op.tags.first().map_or("untagged", String::as_str);
                let group = match grouping {
                    Grouping::Tag => tag,
                    Grouping::TagPrefix => tag.split('.').next().unwrap_or(tag),
                };
                if let Some((_, index)) = of_group.iter().find(|(g, _)| g == group) {
                    return *index;
                }
                let name = feature_name(group, &features);
                features.push(name);
                of_group.push((group.to_owned(), features.len() - 1));
                features.len() - 1
            })
            .collect();
        let mut groups = Groups {
            features,
            of_operation,
            of_type: vec![Vec::new(); api.types.len()],
        };
        groups.of_type = groups.reach(api);
        groups
    }

    /// For each type, the groups whose operations reach it; empty when all or none do.
    fn reach(&self, api: &Api) -> Vec<Vec<usize>> {
        let mut reached: Vec<Vec<usize>> = vec![Vec::new(); api.types.len()];
        for group in 0..self.features.len() {
            let mut roots = Vec::new();
            let ops = api.operations.iter().enumerate();
            for (_, op) in ops.filter(|(i, _)| self.of_operation[*i] == group) {
                op.params.iter().for_each(|p| named_in(&p.ty, &mut roots));
                op.body.iter().for_each(|b| named_in(&b.ty, &mut roots));
                for r in &op.responses {
                    r.body.iter().for_each(|b| named_in(&b.ty, &mut roots));
                    r.headers.iter().for_each(|h| named_in(&h.ty, &mut roots));
                }
            }
            for (id, seen) in reachable(api, roots).into_iter().enumerate() {
                if seen {
                    reached[id].push(group);
                }
            }
        }
        // Channels are not grouped, and a type no operation reaches is kept as it is: what
        // either reaches is always compiled.
        let mut roots: Vec<TypeId> = (0..api.types.len())
            .filter(|&id| reached[id].is_empty())
            .map(TypeId)
            .collect();
        for c in &api.channels {
            c.params.iter().for_each(|p| named_in(&p.ty, &mut roots));
            let messages = c.outgoing.iter().chain(&c.incoming);
            messages.for_each(|m| named_in(&m.payload, &mut roots));
        }
        let always = reachable(api, roots);
        for (id, groups) in reached.iter_mut().enumerate() {
            if always[id] || groups.len() == self.features.len() {
                groups.clear();
            }
        }
        reached
    }

    /// `#[cfg(feature = "…")]` for an operation.
    pub fn operation(&self, index: usize) -> TokenStream {
        cfg(&[self.of_operation[index]], &self.features)
    }

    /// The `#[cfg(..)]` of an item that needs the operations `indices` (an upload needs two).
    pub fn operations(&self, indices: &[usize]) -> TokenStream {
        let mut groups: Vec<usize> = indices.iter().map(|&i| self.of_operation[i]).collect();
        groups.sort_unstable();
        groups.dedup();
        let names = groups.iter().map(|&g| self.features[g].as_str());
        match groups.len() {
            1 => cfg(&groups, &self.features),
            _ => quote!(#[cfg(all(#(feature = #names),*))]),
        }
    }

    /// Where a type is written: in the file of the one area that needs it, else in the
    /// module (gated when some areas need it).
    pub fn type_place(&self, id: TypeId) -> Place {
        self.place(&self.of_type[id.0])
    }

    /// Where the header set `index` is written: with the features of the operations
    /// returning it, as a type's.
    pub fn header_set_place(&self, api: &Api, index: usize) -> Place {
        let mut groups: Vec<usize> = api
            .operations
            .iter()
            .enumerate()
            .filter(|(_, op)| op.success_headers.as_ref().is_some_and(|h| h.set == index))
            .map(|(i, _)| self.of_operation[i])
            .collect();
        groups.sort_unstable();
        groups.dedup();
        if groups.len() == self.features.len() {
            groups.clear();
        }
        self.place(&groups)
    }

    /// The area of an operation.
    pub fn operation_area(&self, index: usize) -> usize {
        self.of_operation[index]
    }

    fn place(&self, groups: &[usize]) -> Place {
        match groups {
            [] => Place::Module(None),
            [one] => Place::Area(*one),
            many => Place::Module(Some(cfg(many, &self.features))),
        }
    }

    /// The module that holds an area's items: its feature's name in snake case.
    pub fn area_module(&self, area: usize) -> String {
        self.features[area].replace('-', "_")
    }

    /// `#[cfg(feature = "…")]` for an area.
    pub fn area_cfg(&self, area: usize) -> TokenStream {
        cfg(&[area], &self.features)
    }

    /// The `[features]` entries, and the names `default` turns on.
    pub fn features(&self) -> &[String] {
        &self.features
    }
}

/// `#[cfg(feature = "a")]`, or `#[cfg(any(feature = "a", ..))]`.
fn cfg(groups: &[usize], features: &[String]) -> TokenStream {
    let names = groups.iter().map(|&g| features[g].as_str());
    match groups {
        [one] => {
            let name = features[*one].as_str();
            quote!(#[cfg(feature = #name)])
        }
        _ => quote!(#[cfg(any(#(feature = #names),*))]),
    }
}

/// A cargo feature name for a group: kebab-case ASCII, apart from the crate's other
/// features and the groups named before.
fn feature_name(group: &str, taken: &[String]) -> String {
    let mut base = heck::ToKebabCase::to_kebab_case(group)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>();
    if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base = format!("group-{base}").trim_end_matches('-').to_owned();
    }
    let mut name = base.clone();
    let mut n = 2;
    while TAKEN.contains(&name.as_str()) || taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// `item` with `cfg` after its doc comment.
pub fn gate_item(item: &mut syn::Item, cfg: &[syn::Attribute]) {
    if cfg.is_empty() {
        return;
    }
    if let Some(attrs) = attributes(item) {
        let at = attrs
            .iter()
            .take_while(|a| a.path().is_ident("doc"))
            .count();
        attrs.splice(at..at, cfg.iter().cloned());
    }
}

/// `tokens` (one method of an impl block) with `cfg` after its doc comment; tokens that
/// are not one method (a method and its streaming twin) are left as they are. Done on the
/// tokens: parsing and printing every method was most of the client's build time.
pub fn gate_method(tokens: TokenStream, cfg: &TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut at = 0;
    while let [TokenTree::Punct(hash), TokenTree::Group(attr), ..] = &trees[at..]
        && hash.as_char() == '#'
        && is_doc(attr)
    {
        at += 2;
    }
    if !one_function(&trees[at..]) {
        return trees.into_iter().collect();
    }
    let mut out: TokenStream = trees[..at].iter().cloned().collect();
    out.extend(cfg.clone());
    out.extend(trees.into_iter().skip(at));
    out
}

/// Whether `attr` is the bracketed part of a `#[doc ..]` attribute.
fn is_doc(attr: &Group) -> bool {
    let mut inside = attr.stream().into_iter();
    attr.delimiter() == Delimiter::Bracket
        && matches!(inside.next(), Some(TokenTree::Ident(i)) if i == "doc")
        && !matches!(inside.next(), Some(TokenTree::Punct(p)) if p.as_char() == ':')
}

/// Whether `trees` (after the doc comment) are one function: attributes, `fn`, and a body
/// that ends them. Generated signatures hold no braces outside groups.
fn one_function(trees: &[TokenTree]) -> bool {
    let brace =
        |t: &TokenTree| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace);
    let semicolon = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == ';');
    let is_fn = |t: &TokenTree| matches!(t, TokenTree::Ident(i) if i == "fn");
    !trees.is_empty()
        && trees.iter().position(brace) == Some(trees.len() - 1)
        && !trees.iter().any(semicolon)
        && trees.iter().filter(|t| is_fn(t)).count() == 1
}

fn attributes(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    use syn::Item;
    match item {
        Item::Struct(i) => Some(&mut i.attrs),
        Item::Enum(i) => Some(&mut i.attrs),
        Item::Impl(i) => Some(&mut i.attrs),
        Item::Macro(i) => Some(&mut i.attrs),
        Item::Type(i) => Some(&mut i.attrs),
        Item::Fn(i) => Some(&mut i.attrs),
        Item::Const(i) => Some(&mut i.attrs),
        Item::Mod(i) => Some(&mut i.attrs),
        Item::Use(i) => Some(&mut i.attrs),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Grouping, Groups, feature_name};
    use crate::ir::Api;
    use crate::load::Sources;
    use crate::lower::{Flags, lower_openapi};

    /// Tagged operations `a` (tag `pets.cats`), `b` (`pets.dogs`), `c` (`stores`) and an
    /// untagged `d`; `Shared` is reached by all, `Pet` by the pets and stores, `Owner`
    /// through `Pet` and through `Unused`, which no operation reaches, `Store` by the stores
    /// alone.
    fn api() -> Api {
        let body = |schema: &str| json!({"content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
        let answer = |schema: &str| json!({"200": {"description": "ok", "content": body(schema)["content"].clone()}});
        let op = |id: &str, tag: Option<&str>, schema: &str| {
            let mut op = json!({"operationId": id, "responses": answer(schema), "requestBody": body("Shared")});
            if let Some(tag) = tag {
                op["tags"] = json!([tag]);
            }
            op
        };
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {"post": op("a", Some("pets.cats"), "Pet")},
                "/b": {"post": op("b", Some("pets.dogs"), "Pet")},
                "/c": {"post": op("c", Some("stores"), "Store")},
                "/d": {"post": op("d", None, "Shared")},
            },
            "components": {"schemas": {
                "Shared": {"type": "object", "properties": {"x": {"type": "string"}}},
                "Pet": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/Owner"}}},
                "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Store": {"type": "object", "properties": {"stock": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}},
                "Unused": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/Owner"}}},
            }},
        });
        lower_openapi(Sources::from_value("spec.yaml", doc), &Flags::default()).unwrap()
    }

    /// Where a type goes: `None` always compiled, else the cfg it is compiled under.
    fn cfg_of(api: &Api, groups: &Groups, name: &str) -> Option<String> {
        let id = api
            .types_by_name()
            .into_iter()
            .find(|&id| api.ty(id).name == name)
            .unwrap();
        match groups.type_place(id) {
            super::Place::Module(cfg) => cfg.map(|cfg| cfg.to_string()),
            super::Place::Area(area) => Some(groups.area_cfg(area).to_string()),
        }
    }

    #[test]
    fn operations_and_the_types_only_they_reach_are_gated_by_their_area() {
        let api = api();
        let groups = Groups::new(&api, Grouping::TagPrefix);
        assert_eq!(groups.features(), ["pets", "stores", "untagged"]);
        assert_eq!(
            groups.operation(1).to_string(),
            r#"# [cfg (feature = "pets")]"#
        );
        assert_eq!(cfg_of(&api, &groups, "Shared"), None);
        let pets_or_stores =
            Some(r#"# [cfg (any (feature = "pets" , feature = "stores"))]"#.to_owned());
        assert_eq!(cfg_of(&api, &groups, "Pet"), pets_or_stores);
        // `Owner` is reached by `Pet`, and by `Unused`, which no operation reaches and which
        // is therefore always compiled, with what it needs.
        assert_eq!(cfg_of(&api, &groups, "Unused"), None);
        assert_eq!(cfg_of(&api, &groups, "Owner"), None);
        assert_eq!(
            cfg_of(&api, &groups, "Store"),
            Some(r#"# [cfg (feature = "stores")]"#.to_owned())
        );
        let by_tag = Groups::new(&api, Grouping::Tag);
        assert_eq!(
            by_tag.features(),
            ["pets-cats", "pets-dogs", "stores", "untagged"]
        );
    }

    #[test]
    fn a_method_is_gated_after_its_doc_comment_and_two_are_left_alone() {
        let cfg = quote::quote!(#[cfg(feature = "pets")]);
        let one = quote::quote! { #[doc = " A."] #[must_use] pub fn a(&self) -> X<'_> { X } };
        let gated = super::gate_method(one, &cfg).to_string();
        assert_eq!(
            gated,
            quote::quote! { #[doc = " A."] #[cfg(feature = "pets")] #[must_use] pub fn a(&self) -> X<'_> { X } }
                .to_string()
        );
        let two = quote::quote! { #[doc = " A."] pub fn a() {} pub fn b() {} };
        assert_eq!(
            super::gate_method(two.clone(), &cfg).to_string(),
            two.to_string()
        );
    }

    #[test]
    fn feature_names_are_kebab_case_and_apart_from_the_crates_own() {
        assert_eq!(feature_name("deviceManagement", &[]), "device-management");
        assert_eq!(feature_name("mock", &[]), "mock-2");
        assert_eq!(feature_name("Users", &["users".to_owned()]), "users-2");
        assert_eq!(feature_name("3d", &[]), "group-3d");
    }
}
