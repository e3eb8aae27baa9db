//! Structs: an object's properties as fields, typed extra members, and the objects an
//! `allOf` merges into one.

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema};
use serde_json::Value;

use super::Types;
use super::keywords::empty_is_valid;
use super::shape::Sub;
use crate::diag::Location;
use crate::ir::{Constraints, Docs, Field, Struct, TypeKind, TypeRef};
use crate::load::parse_value;
use crate::lower::names::{self, Scope};

impl<'s> Types<'s> {
    pub(super) fn additional(
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

    pub(super) fn define_struct(
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

    pub(super) fn define_all_of(
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
}
