//! What every page builds its views with: links relative to the page, types in words,
//! the member tables of objects and unions, and the JSON examples it records.

use askama::Template;
use serde_json::Value;

use super::plan::{Anchor, Plan};
use super::prose::{capitalise, docs_md, flag_notes, json_str, primitive_name};
use crate::docs::example::pretty;
use crate::docs::markdown::{CodeBlock, Md, Table};
use crate::docs::model::{DocsConfig, Examples, JsonExample};
use crate::ir::{Api, Struct, TypeId, TypeKind, TypeRef, Union};

/// A JSON example as a page shows it: the block, and whether it was made up from the
/// schema (the caption says so).
#[derive(Template)]
#[template(path = "docs/json_example.md", escape = "none")]
pub(super) struct JsonBlock {
    pub(super) made_up: bool,
    pub(super) code: CodeBlock,
}

/// Builds views with links relative to one page.
pub(super) struct Ctx<'a> {
    pub(super) api: &'a Api,
    pub(super) config: &'a DocsConfig,
    pub(super) plan: &'a Plan,
    /// The file being written: links into it are `#anchor` only.
    pub(super) here: String,
    pub(super) examples: &'a mut Examples,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        api: &'a Api,
        config: &'a DocsConfig,
        plan: &'a Plan,
        here: &str,
        examples: &'a mut Examples,
    ) -> Ctx<'a> {
        Ctx {
            api,
            config,
            plan,
            here: here.into(),
            examples,
        }
    }

    pub(super) fn href(&self, anchor: &Anchor) -> String {
        if anchor.file == self.here {
            format!("#{}", anchor.slug)
        } else {
            format!("{}#{}", anchor.file, anchor.slug)
        }
    }

    pub(super) fn type_link(&self, id: TypeId) -> Md {
        let name = Md::text(&self.api.ty(id).name);
        match self.plan.types.get(&id) {
            Some(anchor) => Md::link(&name, &self.href(anchor)),
            None => name,
        }
    }

    /// A use of a type, in words, with named types linked.
    pub(super) fn type_md(&self, ty: &TypeRef) -> Md {
        match ty {
            TypeRef::Named(id) => self.type_link(*id),
            TypeRef::Primitive(p) => Md::trusted(primitive_name(*p)),
            TypeRef::Array(item) => Md::trusted("array of ").then(self.type_md(item).as_str()),
            TypeRef::Map(value) => {
                Md::trusted("map of string to ").then(self.type_md(value).as_str())
            }
            TypeRef::Nullable(inner) => self.type_md(inner).then(" or null"),
            TypeRef::Any => Md::trusted("any JSON"),
        }
    }

    /// Records a JSON example and returns it as shown.
    pub(super) fn json_example(
        &mut self,
        context: String,
        ty: &TypeRef,
        value: Value,
        synthesized: bool,
    ) -> JsonBlock {
        let block = JsonBlock {
            made_up: synthesized,
            code: CodeBlock::new("json", &pretty(&value)),
        };
        self.examples.json.push(JsonExample {
            context,
            ty: ty.clone(),
            value,
            synthesized,
        });
        block
    }

    pub(super) fn field_rows(&self, s: &Struct, rows: &mut Vec<Vec<Md>>, stack: &mut Vec<TypeId>) {
        for f in &s.fields {
            if f.flatten {
                if let TypeRef::Named(id) = &f.ty
                    && let TypeKind::Struct(inner) = &self.api.ty(*id).kind
                    && !stack.contains(id)
                {
                    stack.push(*id);
                    self.field_rows(inner, rows, stack);
                    stack.pop();
                } else {
                    rows.push(vec![
                        Md::trusted("*(members of ")
                            .then(self.type_md(&f.ty).as_str())
                            .then(")*"),
                        self.type_md(&f.ty),
                        Md::trusted(""),
                        docs_md(&f.docs),
                    ]);
                }
                continue;
            }
            let mut ty = self.type_md(&f.ty);
            if f.nullable && !matches!(f.ty, TypeRef::Nullable(_)) {
                ty = ty.then(" or null");
            }
            let mut notes = vec![docs_md(&f.docs)];
            if let Some(d) = &f.default {
                notes.push(
                    Md::trusted("Default: ")
                        .then(Md::code(&d.to_string()).as_str())
                        .then("."),
                );
            }
            if let Some(e) = &f.docs.example {
                notes.push(
                    Md::trusted("Example: ")
                        .then(Md::code(&e.to_string()).as_str())
                        .then("."),
                );
            }
            notes.extend(flag_notes(&f.docs));
            rows.push(vec![
                Md::code(&f.wire),
                ty,
                Md::trusted(if f.required { "yes" } else { "no" }),
                Md::join(notes, " "),
            ]);
        }
        if let Some(extra) = &s.extra {
            rows.push(vec![
                Md::trusted("*(any other member)*"),
                self.type_md(extra),
                Md::trusted("no"),
                Md::trusted("Members not listed above."),
            ]);
        }
    }

    /// What a body or payload of type `ty` looks like: a line saying what it is, and a
    /// table of its members (or variants, or values) when it has any.
    pub(super) fn shape(&self, ty: &TypeRef) -> (Md, Table) {
        match ty {
            TypeRef::Named(id) => {
                let def = self.api.ty(*id);
                let link = self.type_link(*id);
                match &def.kind {
                    TypeKind::Struct(s) => {
                        let mut rows = Vec::new();
                        self.field_rows(s, &mut rows, &mut vec![*id]);
                        (
                            link.then(", a JSON object:"),
                            Table::new(&["Field", "Type", "Required", "Description"], rows),
                        )
                    }
                    TypeKind::Enum(e) => (
                        link.then(": one of ")
                            .then(
                                Md::join(
                                    e.values.iter().map(|v| Md::code(&json_str(&v.wire))),
                                    ", ",
                                )
                                .as_str(),
                            )
                            .then("."),
                        Table::default(),
                    ),
                    TypeKind::Union(u) => (
                        link.then(": one of the shapes below.").then(
                            u.discriminator
                                .as_ref()
                                .map(|d| format!(" The {} member says which.", Md::code(d)))
                                .unwrap_or_default()
                                .as_str(),
                        ),
                        self.variants_table(u),
                    ),
                    TypeKind::Alias(t) => {
                        let (line, rows) = self.shape(t);
                        (link.then(": ").then(line.as_str()), rows)
                    }
                }
            }
            TypeRef::Array(item) => {
                let (_, rows) = self.shape(item);
                let line = Md::trusted("A JSON array of ").then(self.type_md(item).as_str());
                let line = if rows.is_empty() {
                    line.then(".")
                } else {
                    line.then("; each item:")
                };
                (line, rows)
            }
            other => (
                Md::trusted("")
                    .then(capitalise(self.type_md(other)).as_str())
                    .then("."),
                Table::default(),
            ),
        }
    }

    pub(super) fn variants_table(&self, u: &Union) -> Table {
        let tag_head = match &u.discriminator {
            Some(d) => format!("{} value", Md::code(d)),
            None => "Tag".into(),
        };
        let rows = u
            .variants
            .iter()
            .map(|v| {
                vec![
                    Md::text(&v.name),
                    self.type_md(&v.ty),
                    v.tag
                        .as_deref()
                        .map(|t| Md::code(&json_str(t)))
                        .unwrap_or_default(),
                    Md::join(
                        [docs_md(&v.docs)].into_iter().chain(flag_notes(&v.docs)),
                        " ",
                    ),
                ]
            })
            .collect();
        let head = ["Variant", "Type", tag_head.as_str(), "Description"];
        Table::new(&head, rows)
    }
}
