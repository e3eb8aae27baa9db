//! The types' page: every named type in name order, with its members, variants or values.

use askama::Template;

use super::context::{Ctx, JsonBlock};
use super::plan::TYPES_TITLE;
use super::prose::{docs_md, json_str, note_blocks};
use crate::docs::example::{crate_path, rust_ident};
use crate::docs::markdown::{Md, Table};
use crate::ir::{TypeDef, TypeId, TypeKind, TypeRef};

#[derive(Template)]
#[template(path = "docs/types.md", escape = "none")]
pub(super) struct TypesPage {
    title: Md,
    types: Vec<TypeView>,
}

struct TypeView {
    heading: Md,
    description: Md,
    notes: Vec<Md>,
    line: Md,
    table: Table,
    example: Option<JsonBlock>,
    /// The type's path in the crate, as code.
    rust_path: Md,
}

pub(super) fn types_page(ctx: &mut Ctx<'_>) -> TypesPage {
    let api = ctx.api;
    let krate = crate_path(&ctx.config.crate_name);
    let mut types = Vec::new();
    for id in api.types_by_name() {
        let def = api.ty(id);
        let (line, table) = type_shape(ctx, id, def);
        let example = def.docs.example.as_ref().map(|e| {
            ctx.json_example(
                format!("{} type", def.name),
                &TypeRef::Named(id),
                e.clone(),
                false,
            )
        });
        types.push(TypeView {
            heading: Md::text(&def.name),
            description: docs_md(&def.docs),
            notes: note_blocks(&def.docs),
            line,
            table,
            example,
            rust_path: Md::code(&format!("{krate}::types::{}", rust_ident(&def.name))),
        });
    }
    TypesPage {
        title: Md::trusted(TYPES_TITLE),
        types,
    }
}

/// A line saying what the type is, and its members, values or variants.
fn type_shape(ctx: &Ctx<'_>, id: TypeId, def: &TypeDef) -> (Md, Table) {
    match &def.kind {
        TypeKind::Struct(s) => {
            let mut rows = Vec::new();
            ctx.field_rows(s, &mut rows, &mut vec![id]);
            (
                Md::trusted("A JSON object."),
                Table::new(&["Field", "Type", "Required", "Description"], rows),
            )
        }
        TypeKind::Enum(e) => (
            Md::trusted(format!(
                "A string, one of the values below. Values added later are kept as they are (the {} variant).",
                Md::code(&e.fallback)
            )),
            Table::new(
                &["Value"],
                e.values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let mut cell = Md::code(&json_str(&v.wire));
                        if e.default == Some(i) {
                            cell = cell.then(" (default)");
                        }
                        vec![cell]
                    })
                    .collect(),
            ),
        ),
        TypeKind::Union(u) => (
            Md::trusted(format!(
                "One of several shapes{}. Shapes added later are kept as they are (the {} variant).",
                u.discriminator
                    .as_ref()
                    .map(|d| format!(", told apart by the {} member", Md::code(d)))
                    .unwrap_or_default(),
                Md::code(&u.fallback)
            )),
            ctx.variants_table(u),
        ),
        TypeKind::Alias(t) => (
            Md::trusted("Another name for ")
                .then(ctx.type_md(t).as_str())
                .then("."),
            Table::default(),
        ),
    }
}
