//! JSON Schema (as OpenAPI 3.0 writes it) to IR types.
//!
//! Every schema is lowered from its location, so a schema reached twice (through `$ref`,
//! or as an `allOf` member merged into several structs) becomes one type.

use std::collections::{BTreeSet, HashMap, HashSet};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::names::{self, Scope};
use crate::diag::{Diagnostic, Location};
use crate::ir::{
    Constraints, Docs, Enum, EnumValue, Field, Primitive, Struct, TypeDef, TypeId, TypeKind,
    TypeRef, Union, Variant,
};
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

/// A schema position: a reference or an inline schema.
#[derive(Clone, Copy)]
enum Sub<'a> {
    Ref(&'a str),
    Inline(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for Sub<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => Sub::Ref(reference),
            ReferenceOr::Item(s) => Sub::Inline(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for Sub<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => Sub::Ref(reference),
            ReferenceOr::Item(s) => Sub::Inline(s),
        }
    }
}

/// What a schema describes, whichever way it was spelled.
enum Shape<'a> {
    Object {
        properties: Vec<(&'a String, Sub<'a>)>,
        required: &'a [String],
        additional: Option<&'a AdditionalProperties>,
    },
    Array(Option<Sub<'a>>),
    StringEnum(Vec<Option<String>>),
    Primitive(Primitive),
    OneOf(&'a [ReferenceOr<Schema>]),
    AnyOf(&'a [ReferenceOr<Schema>]),
    AllOf(&'a [ReferenceOr<Schema>]),
    Null,
    Any,
}

fn shape(schema: &Schema) -> Shape<'_> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
            Shape::StringEnum(s.enumeration.clone())
        }
        SchemaKind::Type(Type::String(s)) => Shape::Primitive(string_format(&s.format)),
        SchemaKind::Type(Type::Integer(i)) => Shape::Primitive(match &i.format {
            VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => Primitive::I32,
            other => integer_format(format_str(other)),
        }),
        SchemaKind::Type(Type::Number(n)) => Shape::Primitive(match &n.format {
            VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float) => Primitive::F32,
            other => number_format(format_str(other)),
        }),
        SchemaKind::Type(Type::Boolean(_)) => Shape::Primitive(Primitive::Boolean),
        SchemaKind::Type(Type::Array(a)) => Shape::Array(a.items.as_ref().map(Sub::from)),
        SchemaKind::Type(Type::Object(o)) => Shape::Object {
            properties: o
                .properties
                .iter()
                .map(|(k, v)| (k, Sub::from(v)))
                .collect(),
            required: &o.required,
            additional: o.additional_properties.as_ref(),
        },
        SchemaKind::OneOf { one_of } => Shape::OneOf(one_of),
        SchemaKind::AnyOf { any_of } => Shape::AnyOf(any_of),
        SchemaKind::AllOf { all_of } => Shape::AllOf(all_of),
        SchemaKind::Not { .. } => Shape::Any,
        SchemaKind::Any(a) => {
            let typ = a.typ.as_deref();
            if !a.all_of.is_empty() {
                Shape::AllOf(&a.all_of)
            } else if !a.one_of.is_empty() {
                Shape::OneOf(&a.one_of)
            } else if !a.any_of.is_empty() {
                Shape::AnyOf(&a.any_of)
            } else if typ == Some("object")
                // Object keywords beside another type only apply to objects, which the type
                // rules out (`type: string` with `additionalProperties: true`).
                || (typ.is_none()
                    && (!a.properties.is_empty() || a.additional_properties.is_some()))
            {
                Shape::Object {
                    properties: a
                        .properties
                        .iter()
                        .map(|(k, v)| (k, Sub::from(v)))
                        .collect(),
                    required: &a.required,
                    additional: a.additional_properties.as_ref(),
                }
            } else if typ == Some("array") || a.items.is_some() {
                Shape::Array(a.items.as_ref().map(Sub::from))
            } else if typ == Some("null") {
                Shape::Null
            } else if !a.enumeration.is_empty()
                && a.enumeration.iter().all(|v| v.is_string() || v.is_null())
            {
                Shape::StringEnum(
                    a.enumeration
                        .iter()
                        .map(|v| v.as_str().map(String::from))
                        .collect(),
                )
            } else {
                match typ {
                    Some("string") => Shape::Primitive(string_format(&match a.format.as_deref() {
                        Some(f) => VariantOrUnknownOrEmpty::Unknown(f.to_owned()),
                        None => VariantOrUnknownOrEmpty::Empty,
                    })),
                    Some("integer") => Shape::Primitive(integer_format(a.format.as_deref())),
                    Some("number") => Shape::Primitive(number_format(a.format.as_deref())),
                    Some("boolean") => Shape::Primitive(Primitive::Boolean),
                    _ => Shape::Any,
                }
            }
        }
    }
}

fn format_str<T>(f: &VariantOrUnknownOrEmpty<T>) -> Option<&str> {
    match f {
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s),
        _ => None,
    }
}

fn string_format(f: &VariantOrUnknownOrEmpty<openapiv3::StringFormat>) -> Primitive {
    use openapiv3::StringFormat as F;
    match f {
        VariantOrUnknownOrEmpty::Item(F::DateTime) => Primitive::DateTime,
        VariantOrUnknownOrEmpty::Item(F::Date) => Primitive::Date,
        VariantOrUnknownOrEmpty::Item(F::Byte) => Primitive::Base64,
        VariantOrUnknownOrEmpty::Item(F::Binary) => Primitive::Binary,
        VariantOrUnknownOrEmpty::Unknown(s) => match s.as_str() {
            "date-time" => Primitive::DateTime,
            "date" => Primitive::Date,
            "byte" => Primitive::Base64,
            "binary" => Primitive::Binary,
            "uuid" => Primitive::Uuid,
            "uri" | "url" => Primitive::Uri,
            _ => Primitive::String,
        },
        _ => Primitive::String,
    }
}

fn integer_format(f: Option<&str>) -> Primitive {
    match f {
        Some("int32") => Primitive::I32,
        Some("uint64") | Some("uint32") => Primitive::U64,
        _ => Primitive::I64,
    }
}

fn number_format(f: Option<&str>) -> Primitive {
    match f {
        Some("float") => Primitive::F32,
        _ => Primitive::F64,
    }
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

    fn additional(
        &mut self,
        loc: &Location,
        additional: Option<&AdditionalProperties>,
        hint: &str,
    ) -> TypeRef {
        match additional {
            Some(AdditionalProperties::Schema(sub)) => self.lower_sub(
                &loc.join("additionalProperties"),
                Sub::from(&**sub),
                &format!("{hint}Value"),
            ),
            _ => TypeRef::Any,
        }
    }

    fn define_struct(
        &mut self,
        loc: &Location,
        name: &str,
        properties: &[(&String, Sub<'_>)],
        required: &[String],
        additional: Option<&AdditionalProperties>,
    ) -> Struct {
        let props: Vec<(Location, String, Sub<'_>)> = properties
            .iter()
            .map(|(k, sub)| (loc.join("properties").join(k), (*k).clone(), *sub))
            .collect();
        let fields = self.fields(name, &props, required);
        let extra = match additional {
            Some(AdditionalProperties::Schema(_)) => Some(self.additional(loc, additional, name)),
            _ => None,
        };
        Struct {
            fields,
            extra,
            multipart: false,
        }
    }

    fn fields(
        &mut self,
        owner: &str,
        props: &[(Location, String, Sub<'_>)],
        required: &[String],
    ) -> Vec<Field> {
        let mut scope = Scope::snake();
        let mut fields: Vec<Field> = props
            .iter()
            .map(|(ploc, wire, sub)| {
                let hint = format!("{owner}{}", names::pascal(wire, "", "Value"));
                let ty = self.lower_sub(ploc, *sub, &hint);
                let (ty, nullable) = match ty {
                    TypeRef::Nullable(inner) => (*inner, true),
                    other => (other, false),
                };
                let mut docs = self.docs_at(ploc);
                if docs.description.is_none()
                    && let TypeRef::Named(id) = &ty
                {
                    docs.description = self.defs[id.0].docs.description.clone();
                }
                let default = self.src.get(ploc).and_then(|v| v.get("default")).cloned();
                // Followed once for the four things read from it.
                let found = self.schema_at(ploc);
                let object = found.as_ref().map(|(map, _)| *map);
                Field {
                    wire: wire.clone(),
                    name: scope.claim(names::snake(wire, "value")),
                    ty,
                    required: required.contains(wire),
                    nullable,
                    docs,
                    default,
                    boxed: false,
                    flatten: false,
                    empty_is_valid: object.is_none_or(empty_is_valid),
                    constraints: found
                        .as_ref()
                        .map(|(map, at)| self.constraints_of(map, at, 4))
                        .unwrap_or_default(),
                    read_only: object
                        .is_some_and(|m| m.get("readOnly") == Some(&Value::Bool(true))),
                    sensitive: object.is_some_and(|m| {
                        m.get("format").and_then(Value::as_str) == Some("password")
                            || m.get("x-sensitive") == Some(&Value::Bool(true))
                    }),
                }
            })
            .collect();
        // A required member the schema does not describe may hold anything, but must be
        // there.
        for wire in required {
            if props.iter().any(|(_, w, _)| w == wire) || fields.iter().any(|f| &f.wire == wire) {
                continue;
            }
            fields.push(Field {
                wire: wire.clone(),
                name: scope.claim(names::snake(wire, "value")),
                ty: TypeRef::Any,
                required: true,
                nullable: false,
                docs: Docs::default(),
                default: None,
                boxed: false,
                flatten: false,
                empty_is_valid: true,
                constraints: Constraints::default(),
                read_only: false,
                sensitive: false,
            });
        }
        fields
    }

    /// The schema object written at `loc`, through `$ref` and one-member `allOf`.
    fn schema_object(&self, loc: &Location) -> Option<&serde_json::Map<String, Value>> {
        self.schema_at(loc).map(|(map, _)| map)
    }

    /// The schema object at `loc` and where it is, past `$ref`s and one-member `allOf`s.
    fn schema_at(&self, loc: &Location) -> Option<(&serde_json::Map<String, Value>, Location)> {
        let mut at = loc.clone();
        for _ in 0..16 {
            let followed = self.src.follow(&at).ok()?;
            let Value::Object(map) = self.src.get(&followed)? else {
                return None;
            };
            match map.get("allOf") {
                Some(Value::Array(members)) if members.len() == 1 => {
                    at = followed.join("allOf").join(0);
                }
                _ => return Some((map, followed)),
            }
        }
        None
    }

    /// The validation keywords written at `loc`.
    pub fn constraints(&self, loc: &Location) -> Constraints {
        self.schema_at(loc)
            .map(|(map, at)| self.constraints_of(map, &at, 4))
            .unwrap_or_default()
    }

    /// The validation keywords of the schema object `map` found at `at`, with those of its
    /// items `depth` arrays deep.
    fn constraints_of(
        &self,
        map: &serde_json::Map<String, Value>,
        at: &Location,
        depth: usize,
    ) -> Constraints {
        let mut found = constraints(map);
        if depth > 0 && matches!(map.get("items"), Some(Value::Object(_))) {
            let items = self
                .schema_at(&at.join("items"))
                .map(|(map, at)| self.constraints_of(map, &at, depth - 1))
                .unwrap_or_default();
            found.items = (items != Constraints::default()).then(|| Box::new(items));
        }
        found
    }

    fn define_enum(&mut self, loc: &Location, schema: &Schema, values: &[Option<String>]) -> Enum {
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

    fn define_union(
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
            let target = self.target_of(&mloc, member);
            let tag = property.as_ref().and_then(|_| {
                let target = target.as_ref()?;
                mapping
                    .iter()
                    .find(|(_, l)| l == target)
                    .map(|(k, _)| k.clone())
                    // Without a mapping the tag is the schema's name; a reference into
                    // `paths` (or any other structure) names no schema.
                    .or_else(|| match member {
                        ReferenceOr::Reference { .. }
                            if is_component(target) || target.tokens().count() == 1 =>
                        {
                            target.tokens().last()
                        }
                        _ => None,
                    })
            });
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

    fn define_all_of(
        &mut self,
        loc: &Location,
        name: &str,
        members: &[ReferenceOr<Schema>],
        schema: &Schema,
    ) -> TypeKind {
        if let Some((i, nullable)) = self.scalar_all_of(loc) {
            let member = Sub::from(&members[i]);
            let ty = self.lower_sub(&loc.join("allOf").join(i), member, name);
            return TypeKind::Alias(if nullable && !matches!(ty, TypeRef::Nullable(_)) {
                TypeRef::Nullable(Box::new(ty))
            } else {
                ty
            });
        }
        let mut props: IndexMap<String, (Location, Value)> = IndexMap::new();
        let mut required = Vec::new();
        let own = self.src.get(loc).cloned().unwrap_or(Value::Null);
        if self.collect_object(loc, &own, &mut props, &mut required, 0) {
            let props: Vec<(Location, String, Value)> =
                props.into_iter().map(|(k, (l, v))| (l, k, v)).collect();
            let parsed: Vec<(Location, String, ReferenceOr<Schema>)> = props
                .into_iter()
                .filter_map(|(l, k, v)| {
                    match parse_value::<ReferenceOr<Schema>>(&v, &l, "a schema") {
                        Ok(s) => Some((l, k, s)),
                        Err(d) => {
                            self.diags.push(d);
                            None
                        }
                    }
                })
                .collect();
            let subs: Vec<(Location, String, Sub<'_>)> = parsed
                .iter()
                .map(|(l, k, s)| (l.clone(), k.clone(), Sub::from(s)))
                .collect();
            let fields = self.fields(name, &subs, &required);
            return TypeKind::Struct(Struct {
                fields,
                ..Struct::default()
            });
        }
        // Not every member is an object: flatten each member into the struct.
        let _ = schema;
        let mut scope = Scope::snake();
        let fields = members
            .iter()
            .enumerate()
            .map(|(i, member)| {
                let mloc = loc.join("allOf").join(i);
                let ty = self.lower_sub(&mloc, Sub::from(member), &format!("{name}Part{}", i + 1));
                let base = match &ty {
                    TypeRef::Named(id) => names::snake(&self.defs[id.0].name, "part"),
                    _ => format!("part_{}", i + 1),
                };
                Field {
                    wire: String::new(),
                    name: scope.claim(base),
                    ty,
                    required: true,
                    nullable: false,
                    docs: self.docs_at(&mloc),
                    default: None,
                    boxed: false,
                    flatten: true,
                    empty_is_valid: true,
                    constraints: Constraints::default(),
                    read_only: false,
                    sensitive: false,
                }
            })
            .collect();
        TypeKind::Struct(Struct {
            fields,
            ..Struct::default()
        })
    }

    /// Gathers the properties of an object-like schema, following `$ref` and nested
    /// `allOf`. Returns false when some member is not an object.
    fn collect_object(
        &self,
        loc: &Location,
        value: &Value,
        props: &mut IndexMap<String, (Location, Value)>,
        required: &mut Vec<String>,
        depth: usize,
    ) -> bool {
        if depth > 32 {
            return false;
        }
        let Value::Object(map) = value else {
            return false;
        };
        if let Some(Value::String(reference)) = map.get("$ref") {
            let Ok(target) = self.src.resolve(&loc.join("$ref"), reference) else {
                return false;
            };
            let Some(v) = self.src.get(&target) else {
                return false;
            };
            return self.collect_object(&target, v, props, required, depth + 1);
        }
        if map.contains_key("oneOf") || map.contains_key("anyOf") {
            return false;
        }
        match map.get("type").and_then(Value::as_str) {
            Some("object") | None => {}
            Some(_) => return false,
        }
        if let Some(Value::Array(members)) = map.get("allOf") {
            for (i, m) in members.iter().enumerate() {
                if !self.collect_object(&loc.join("allOf").join(i), m, props, required, depth + 1) {
                    return false;
                }
            }
        } else if !map.contains_key("properties") && map.get("type").is_none() {
            // A member with no structure at all (only a description, say) adds nothing.
            return map
                .keys()
                .all(|k| !matches!(k.as_str(), "items" | "enum" | "format"));
        }
        if let Some(Value::Object(p)) = map.get("properties") {
            for (k, v) in p {
                props.insert(k.clone(), (loc.join("properties").join(k), v.clone()));
            }
        }
        if let Some(Value::Array(r)) = map.get("required") {
            for name in r.iter().filter_map(Value::as_str) {
                if !required.iter().any(|x| x == name) {
                    required.push(name.to_owned());
                }
            }
        }
        true
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

/// Whether an empty value (`0`, `""`, `[]`, `{}`) passes the constraints of the schema
/// object `map`.
fn empty_is_valid(map: &serde_json::Map<String, Value>) -> bool {
    let number = |k: &str| map.get(k).and_then(Value::as_f64);
    let exclusive = matches!(map.get("exclusiveMinimum"), Some(Value::Bool(true)));
    let too_small = |k: &str| number(k).is_some_and(|n| n > 0.0);
    !(too_small("minItems")
        || too_small("minLength")
        || too_small("minProperties")
        || number("minimum").is_some_and(|n| n > 0.0 || (exclusive && n >= 0.0))
        || number("maximum").is_some_and(|n| n < 0.0)
        || map.contains_key("pattern")
        || matches!(
            map.get("format").and_then(Value::as_str),
            Some("uri" | "url" | "email" | "hostname" | "ipv4" | "ipv6" | "uri-reference")
        ))
}

/// The validation keywords of the schema object `map`.
fn constraints(map: &serde_json::Map<String, Value>) -> Constraints {
    let count = |k: &str| map.get(k).and_then(Value::as_u64);
    let bound = |k: &str, exclusive: &str| {
        let flag = matches!(map.get(exclusive), Some(Value::Bool(true)));
        map.get(k).and_then(Value::as_f64).map(|n| (n, flag))
    };
    Constraints {
        min_length: count("minLength"),
        max_length: count("maxLength"),
        pattern: map
            .get("pattern")
            .and_then(Value::as_str)
            .map(str::to_owned),
        min_items: count("minItems"),
        max_items: count("maxItems"),
        minimum: bound("minimum", "exclusiveMinimum"),
        maximum: bound("maximum", "exclusiveMaximum"),
        format: map
            .get("format")
            .and_then(Value::as_str)
            .filter(|_| map.get("type").and_then(Value::as_str) == Some("string"))
            .map(str::to_owned),
        items: None,
    }
}

fn needs_name(schema: &Schema) -> bool {
    match shape(schema) {
        Shape::Object { properties, .. } => !properties.is_empty(),
        Shape::StringEnum(values) => values.iter().any(Option::is_some),
        Shape::OneOf(_) | Shape::AnyOf(_) | Shape::AllOf(_) => true,
        _ => false,
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
