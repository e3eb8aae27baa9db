//! JSON Schema (as OpenAPI 3.0 writes it) to IR types.
//!
//! Every schema is lowered from its location, so a schema reached twice (through `$ref`,
//! or as an `allOf` member merged into several structs) becomes one type.
//!
//! This module holds the builder, [`Types`], and the walk from a location to a type;
//! `shape` classifies a schema, `keywords` reads its validation keywords, `objects` defines
//! structs (also merged from `allOf`) and `variants` defines enums and unions.

mod keywords;
mod objects;
mod shape;
mod variants;

use std::collections::HashMap;

use openapiv3::{ReferenceOr, Schema, SchemaKind};
use serde_json::Value;

use self::shape::{Shape, Sub, needs_name, shape};
use super::names::{self, Scope};
use crate::diag::{Diagnostic, Location};
use crate::ir::{Docs, TypeDef, TypeId, TypeKind, TypeRef};
use crate::load::{Sources, parse_value};

/// Vendor extensions whose presence adds a note to an item's docs.
#[derive(Clone, Debug, Default)]
pub struct Flags(pub Vec<(String, String)>);

/// Builds the named types of an API.
pub struct Types<'s> {
    src: &'s Sources,
    flags: &'s Flags,
    pub defs: Vec<TypeDef>,
    by_loc: HashMap<Location, TypeId>,
    names: Scope,
    pub diags: Vec<Diagnostic>,
}

impl<'s> Types<'s> {
    pub fn new(src: &'s Sources, flags: &'s Flags) -> Self {
        Self {
            src,
            flags,
            defs: Vec::new(),
            by_loc: HashMap::new(),
            names: Scope::type_names(),
            diags: Vec::new(),
        }
    }

    /// Claims a new type name made from `base` (with a suffix when it is taken).
    pub fn claim_name(&mut self, base: &str) -> String {
        self.names.claim(names::pascal(base, "Type", "Unnamed"))
    }

    pub fn sources(&self) -> &'s Sources {
        self.src
    }

    pub fn flags(&self) -> &'s Flags {
        self.flags
    }

    /// Lowers the schema written at `loc`; `hint` names a type created for an inline
    /// object, enum or union.
    pub fn lower_at(&mut self, loc: &Location, hint: &str) -> TypeRef {
        let Some(value) = self.src.get(loc) else {
            self.diags
                .push(Diagnostic::error(loc, "expected a schema, found nothing"));
            return TypeRef::Any;
        };
        if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            return self.lower_ref(loc, reference, hint);
        }
        match parse_value::<Schema>(value, loc, "a schema") {
            Ok(schema) => self.lower_schema(loc, &schema, hint),
            Err(d) => {
                self.diags.push(d);
                TypeRef::Any
            }
        }
    }

    /// Lowers the schema at a reference target: it gets a type of its own, named after
    /// its key.
    pub fn lower_named(&mut self, loc: &Location, hint: &str) -> TypeRef {
        if let Some(id) = self.by_loc.get(loc) {
            return TypeRef::Named(*id);
        }
        let Some(value) = self.src.get(loc) else {
            self.diags
                .push(Diagnostic::error(loc, "expected a schema, found nothing"));
            return TypeRef::Any;
        };
        if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            if !is_component(loc) {
                return self.lower_ref(loc, reference, hint);
            }
            // A component that only points elsewhere is a second name for that type.
            let name = self.ref_name(loc, hint);
            let id = self.reserve(name, loc);
            let target = self.lower_ref(loc, reference, hint);
            self.defs[id.0].kind = TypeKind::Alias(target);
            return TypeRef::Named(id);
        }
        let schema = match parse_value::<Schema>(value, loc, "a schema") {
            Ok(s) => s,
            Err(d) => {
                self.diags.push(d);
                return TypeRef::Any;
            }
        };
        let name = self.ref_name(loc, hint);
        let id = self.reserve(name, loc);
        let kind = match self.define(loc, &schema, id) {
            Some(kind) => kind,
            None => TypeKind::Alias(self.structural(loc, &schema)),
        };
        self.defs[id.0].kind = kind;
        TypeRef::Named(id)
    }

    /// A use of the schema `reference` points at; `null` is a value of it when the target
    /// says `nullable: true` (which names the schema, not each use).
    fn lower_ref(&mut self, at: &Location, reference: &str, hint: &str) -> TypeRef {
        match self.src.resolve(&at.join("$ref"), reference) {
            Ok(target) => {
                let ty = self.lower_named(&target, hint);
                let nullable = self
                    .src
                    .get(&target)
                    .and_then(|schema| schema.get("nullable"))
                    == Some(&Value::Bool(true));
                if nullable && !matches!(ty, TypeRef::Nullable(_) | TypeRef::Any) {
                    TypeRef::Nullable(Box::new(ty))
                } else {
                    ty
                }
            }
            Err(d) => {
                self.diags.push(d);
                TypeRef::Any
            }
        }
    }

    fn lower_sub(&mut self, loc: &Location, sub: Sub<'_>, hint: &str) -> TypeRef {
        match sub {
            Sub::Ref(reference) => self.lower_ref(loc, reference, hint),
            Sub::Inline(schema) => self.lower_schema(loc, schema, hint),
        }
    }

    /// An inline schema: objects, enums and unions get a named type, the rest is
    /// structural.
    fn lower_schema(&mut self, loc: &Location, schema: &Schema, hint: &str) -> TypeRef {
        let mut nullable = schema.schema_data.nullable || self.has_null_member(schema);
        let ty = if let Some(id) = self.by_loc.get(loc) {
            TypeRef::Named(*id)
        } else if let Some((member_loc, sub)) = self.single_member(loc, schema) {
            self.lower_sub(&member_loc, sub, hint)
        } else if let (Shape::AllOf(members), Some((i, null))) =
            (shape(schema), self.scalar_all_of(loc))
        {
            nullable |= null;
            self.lower_sub(&loc.join("allOf").join(i), Sub::from(&members[i]), hint)
        } else if needs_name(schema) {
            let base = schema.schema_data.title.as_deref().unwrap_or(hint);
            let name = self.names.claim(names::pascal(base, "Type", "Unnamed"));
            let id = self.reserve(name, loc);
            let kind = self
                .define(loc, schema, id)
                .expect("needs_name implies a defining shape");
            self.defs[id.0].kind = kind;
            TypeRef::Named(id)
        } else {
            self.structural(loc, schema)
        };
        if nullable && !matches!(ty, TypeRef::Nullable(_) | TypeRef::Any) {
            TypeRef::Nullable(Box::new(ty))
        } else {
            ty
        }
    }

    /// `allOf: [X]`, `oneOf: [X, null]` and the like stand for their one real member.
    fn single_member<'a>(&self, loc: &Location, schema: &'a Schema) -> Option<(Location, Sub<'a>)> {
        let (key, members) = match shape(schema) {
            Shape::AllOf(m) => ("allOf", m),
            Shape::OneOf(m) => ("oneOf", m),
            Shape::AnyOf(m) => ("anyOf", m),
            _ => return None,
        };
        let mut real = members
            .iter()
            .enumerate()
            .filter(|(_, m)| !self.is_null_schema(m));
        let (i, only) = real.next()?;
        if real.next().is_some() {
            return None;
        }
        // Members of its own (or members it requires) make it more than its one member.
        let own = self.src.get(loc);
        if ["properties", "required"]
            .iter()
            .any(|k| own.and_then(|v| v.get(*k)).is_some())
        {
            return None;
        }
        Some((loc.join(key).join(i), Sub::from(only)))
    }

    /// An `allOf` whose members all describe one kind of scalar or array (a `$ref` to a
    /// string beside a nullable string, say) stands for the first member that says which,
    /// not for a struct of them: its index, and whether a member allows `null`.
    fn scalar_all_of(&self, loc: &Location) -> Option<(usize, bool)> {
        let count = self.src.get(loc)?.get("allOf")?.as_array()?.len();
        let (mut kind, mut first, mut nullable) = (None, None, false);
        for i in 0..count {
            let map = self.schema_object(&loc.join("allOf").join(i))?;
            let structured = [
                "properties",
                "additionalProperties",
                "allOf",
                "oneOf",
                "anyOf",
            ];
            if structured.iter().any(|k| map.contains_key(*k)) {
                return None;
            }
            nullable |= map.get("nullable") == Some(&Value::Bool(true));
            match map.get("type").and_then(Value::as_str) {
                Some("object") => return None,
                Some(t) if kind.is_some_and(|k| k != t) => return None,
                Some(t) => {
                    kind = Some(t);
                    first.get_or_insert(i);
                }
                None if map.contains_key("enum") || map.contains_key("items") => return None,
                None => {}
            }
        }
        Some((first?, nullable))
    }

    fn is_null_schema(&self, member: &ReferenceOr<Schema>) -> bool {
        match member {
            ReferenceOr::Item(s) => match shape(s) {
                Shape::Null => true,
                Shape::StringEnum(values) => values.iter().all(Option::is_none),
                _ => false,
            },
            ReferenceOr::Reference { .. } => false,
        }
    }

    fn has_null_member(&self, schema: &Schema) -> bool {
        match shape(schema) {
            Shape::OneOf(m) | Shape::AnyOf(m) => m.iter().any(|m| self.is_null_schema(m)),
            Shape::StringEnum(values) => values.iter().any(Option::is_none),
            _ => false,
        }
    }

    fn reserve(&mut self, name: String, loc: &Location) -> TypeId {
        let id = TypeId(self.defs.len());
        self.defs.push(TypeDef {
            name,
            docs: self.docs_at(loc),
            kind: TypeKind::Alias(TypeRef::Any),
            origin: loc.clone(),
        });
        self.by_loc.insert(loc.clone(), id);
        id
    }

    /// The name of a reference target: the last token of its pointer (a key under
    /// `components/schemas`, a top-level key of another file, a property name), unless
    /// that token is structure (`schema`, `items`, an index), in which case the hint of its
    /// first user.
    fn ref_name(&mut self, loc: &Location, hint: &str) -> String {
        let last = loc.tokens().last().unwrap_or_default();
        let structural = last.is_empty()
            || last.chars().all(|c| c.is_ascii_digit())
            || matches!(
                last.as_str(),
                "schema"
                    | "items"
                    | "additionalProperties"
                    | "not"
                    | "allOf"
                    | "oneOf"
                    | "anyOf"
                    | "content"
            );
        let base = if structural { hint.to_owned() } else { last };
        self.names.claim(names::pascal(&base, "Type", "Unnamed"))
    }

    /// The body of a named type, or `None` when the schema is not an object, enum or union.
    fn define(&mut self, loc: &Location, schema: &Schema, id: TypeId) -> Option<TypeKind> {
        let name = self.defs[id.0].name.clone();
        match shape(schema) {
            Shape::Object {
                properties,
                required,
                additional,
            } if !properties.is_empty() => Some(TypeKind::Struct(self.define_struct(
                loc,
                &name,
                &properties,
                required,
                additional,
            ))),
            Shape::StringEnum(values) => {
                Some(TypeKind::Enum(self.define_enum(loc, schema, &values)))
            }
            Shape::OneOf(members) | Shape::AnyOf(members) => {
                let key = if matches!(schema.schema_kind, SchemaKind::AnyOf { .. }) {
                    "anyOf"
                } else {
                    "oneOf"
                };
                let key = match &schema.schema_kind {
                    SchemaKind::Any(a) if !a.any_of.is_empty() && a.one_of.is_empty() => "anyOf",
                    _ => key,
                };
                Some(TypeKind::Union(
                    self.define_union(loc, key, &name, members, schema),
                ))
            }
            Shape::AllOf(members) => Some(self.define_all_of(loc, &name, members, schema)),
            _ => None,
        }
    }

    /// A type for schemas that need no name of their own.
    fn structural(&mut self, loc: &Location, schema: &Schema) -> TypeRef {
        let hint = self.hint_from(loc);
        match shape(schema) {
            Shape::Primitive(p) => TypeRef::Primitive(p),
            Shape::Array(items) => {
                let item = match items {
                    Some(sub) => self.lower_sub(&loc.join("items"), sub, &format!("{hint}Item")),
                    None => TypeRef::Any,
                };
                TypeRef::Array(Box::new(item))
            }
            Shape::Object { additional, .. } => {
                TypeRef::Map(Box::new(self.additional(loc, additional, &hint)))
            }
            _ => TypeRef::Any,
        }
    }

    fn hint_from(&self, loc: &Location) -> String {
        self.by_loc
            .get(loc)
            .map(|id| self.defs[id.0].name.clone())
            .unwrap_or_else(|| {
                names::pascal(&loc.tokens().last().unwrap_or_default(), "Type", "Value")
            })
    }

    /// Description, summary, deprecation, example and flags written at `loc`.
    pub fn docs_at(&self, loc: &Location) -> Docs {
        docs_of(self.src.get(loc), self.flags)
    }

    /// The `default` written at `loc` (a schema), if any.
    pub fn default_at(&self, loc: &Location) -> Option<Value> {
        self.src.get(loc).and_then(|v| v.get("default")).cloned()
    }
}

/// Reads the human-facing members of any object (schema, operation, parameter...).
pub fn docs_of(value: Option<&Value>, flags: &Flags) -> Docs {
    let Some(Value::Object(map)) = value else {
        return Docs::default();
    };
    let text = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .filter(|s| !s.trim().is_empty())
    };
    Docs {
        summary: text("summary").or_else(|| text("title")),
        description: text("description"),
        flags: flags
            .0
            .iter()
            .filter(|(ext, _)| matches!(map.get(ext), Some(Value::Bool(true))))
            .map(|(_, note)| note.clone())
            .collect(),
        deprecated: matches!(map.get("deprecated"), Some(Value::Bool(true))),
        example: map.get("example").cloned(),
    }
}

/// Names for the catch-all variant of enums and unions, in order of preference.
pub(super) const FALLBACK_NAMES: &[&str] = &["Unknown", "Other", "UnknownValue"];

/// Whether `loc` is a named schema of a components section.
pub(crate) fn is_component(loc: &Location) -> bool {
    // `/…/parent/name`, the parent compared unescaped: the names it is compared with have
    // no escapes.
    let mut parts = loc.pointer.rsplitn(3, '/');
    let (_name, parent, before) = (parts.next(), parts.next(), parts.next());
    before.is_some() && matches!(parent, Some("schemas" | "definitions" | "$defs"))
}
