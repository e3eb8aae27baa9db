//! Enums and unions: string enums with a catch-all variant, and `oneOf`/`anyOf` members
//! as the variants of a union, told apart by a discriminator when there is one.

use std::collections::{BTreeSet, HashSet};

use openapiv3::{ReferenceOr, Schema};
use serde_json::Value;

use super::shape::Sub;
use super::{FALLBACK_NAMES, Types, is_component};
use crate::diag::{Diagnostic, Location};
use crate::ir::{Enum, EnumValue, Primitive, TypeKind, TypeRef, Union, Variant};
use crate::lower::names::{self, Scope};

impl<'s> Types<'s> {
    pub(super) fn define_enum(
        &mut self,
        loc: &Location,
        schema: &Schema,
        values: &[Option<String>],
    ) -> Enum {
        let mut scope = Scope::pascal();
        // A value listed twice is one value: one variant, and a warning.
        let mut seen = HashSet::new();
        let mut repeated = BTreeSet::new();
        let mut unique = Vec::new();
        for value in values.iter().flatten() {
            if seen.insert(value.as_str()) {
                unique.push(value);
            } else {
                repeated.insert(value.as_str());
            }
        }
        if !repeated.is_empty() {
            let list: Vec<String> = repeated.iter().map(|v| format!("`{v}`")).collect();
            self.diags.push(Diagnostic::warning(
                &loc.join("enum"),
                format!(
                    "values listed more than once, kept once: {}",
                    list.join(", ")
                ),
            ));
        }
        let values: Vec<EnumValue> = unique
            .into_iter()
            .enumerate()
            .map(|(i, wire)| EnumValue {
                wire: wire.clone(),
                name: scope.claim(names::pascal(wire, "Value", &format!("Value{}", i + 1))),
                description: None,
            })
            .collect();
        // A single-value enum is a constant: its one value is the natural default.
        let default = schema
            .schema_data
            .default
            .as_ref()
            .and_then(Value::as_str)
            .and_then(|d| values.iter().position(|v| v.wire == d))
            .or((values.len() == 1).then_some(0));
        let fallback = scope.claim_first_free(FALLBACK_NAMES);
        Enum {
            values,
            default,
            fallback,
        }
    }

    pub(super) fn define_union(
        &mut self,
        loc: &Location,
        key: &str,
        name: &str,
        members: &[ReferenceOr<Schema>],
        schema: &Schema,
    ) -> Union {
        let mut scope = Scope::pascal();
        let mapping = self.discriminator_mapping(loc, schema);
        let property = schema
            .schema_data
            .discriminator
            .as_ref()
            .map(|d| d.property_name.clone());
        let mut tagged = property.is_some();
        let mut variants = Vec::new();
        for (i, member) in members.iter().enumerate() {
            if self.is_null_schema(member) {
                continue;
            }
            let mloc = loc.join(key).join(i);
            let title = match member {
                ReferenceOr::Item(s) => s.schema_data.title.clone(),
                ReferenceOr::Reference { .. } => None,
            };
            let hint = match &title {
                Some(t) => names::pascal(t, "Type", "Variant"),
                None => format!("{name}Variant{}", i + 1),
            };
            let ty = self.lower_sub(&mloc, Sub::from(member), &hint);
            let tag = match property {
                Some(_) => self.member_tag(&mloc, member, &mapping),
                None => None,
            };
            let is_struct = matches!(&ty, TypeRef::Named(id) if matches!(self.defs[id.0].kind, TypeKind::Struct(_)));
            if tag.is_none() || !is_struct {
                tagged = false;
            }
            let base = match (&tag, &ty, &title) {
                (Some(t), _, _) => names::pascal(t, "Value", "Variant"),
                (_, TypeRef::Named(id), _) => self.defs[id.0].name.clone(),
                (_, _, Some(t)) => names::pascal(t, "Type", "Variant"),
                (_, other, _) => variant_name(other),
            };
            variants.push(Variant {
                name: scope.claim(base),
                ty,
                tag,
                docs: self.docs_at(&mloc),
                boxed: false,
            });
        }
        if property.is_some() && !tagged {
            self.diags.push(Diagnostic::warning(
                loc,
                "discriminator ignored: every member must be a referenced object schema with a known tag; \
                 generating an untagged union",
            ));
        }
        let fallback = scope.claim_first_free(FALLBACK_NAMES);
        Union {
            variants,
            discriminator: if tagged { property } else { None },
            fallback,
        }
    }

    /// The tag of the union member `member` written at `mloc`: its key in the
    /// discriminator's `mapping`, else the name of the schema it references.
    fn member_tag(
        &self,
        mloc: &Location,
        member: &ReferenceOr<Schema>,
        mapping: &[(String, Location)],
    ) -> Option<String> {
        let target = self.target_of(mloc, member)?;
        mapping
            .iter()
            .find(|(_, l)| *l == target)
            .map(|(k, _)| k.clone())
            // Without a mapping the tag is the schema's name; a reference into
            // `paths` (or any other structure) names no schema.
            .or_else(|| match member {
                ReferenceOr::Reference { .. }
                    if is_component(&target) || target.tokens().count() == 1 =>
                {
                    target.tokens().last()
                }
                _ => None,
            })
    }

    /// Where a union member's schema is written (following references).
    fn target_of(&self, mloc: &Location, member: &ReferenceOr<Schema>) -> Option<Location> {
        match member {
            ReferenceOr::Reference { reference } => self
                .src
                .resolve(&mloc.join("$ref"), reference)
                .and_then(|l| self.src.follow(&l))
                .ok(),
            ReferenceOr::Item(_) => Some(mloc.clone()),
        }
    }

    /// `discriminator.mapping` as tag → location; unresolvable entries are warnings.
    fn discriminator_mapping(
        &mut self,
        loc: &Location,
        schema: &Schema,
    ) -> Vec<(String, Location)> {
        let Some(d) = &schema.schema_data.discriminator else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (tag, target) in &d.mapping {
            let at = loc.join("discriminator").join("mapping").join(tag);
            let reference = if target.contains('#')
                || target.contains('/')
                || target.ends_with(".json")
                || target.ends_with(".yaml")
            {
                target.clone()
            } else {
                format!("#/components/schemas/{target}")
            };
            match self
                .src
                .resolve(&at, &reference)
                .and_then(|l| self.src.follow(&l))
            {
                Ok(l) => out.push((tag.clone(), l)),
                Err(d) => self.diags.push(Diagnostic::warning(&d.location, d.message)),
            }
        }
        out
    }
}

fn variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Primitive(Primitive::Boolean) => "Boolean".into(),
        TypeRef::Primitive(Primitive::I32 | Primitive::I64 | Primitive::U64) => "Integer".into(),
        TypeRef::Primitive(Primitive::F32 | Primitive::F64) => "Number".into(),
        TypeRef::Primitive(_) => "String".into(),
        TypeRef::Array(_) => "Array".into(),
        TypeRef::Map(_) => "Map".into(),
        TypeRef::Nullable(inner) => variant_name(inner),
        TypeRef::Named(_) | TypeRef::Any => "Value".into(),
    }
}
