//! What a schema is, read from its keywords: a primitive, an array, an object, a string
//! enum or a composition, before any type is defined for it.

use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty,
};

use crate::ir::Primitive;

/// A schema position: a reference or an inline schema.
#[derive(Clone, Copy)]
pub(super) enum Sub<'a> {
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
pub(super) enum Shape<'a> {
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

pub(super) fn shape(schema: &Schema) -> Shape<'_> {
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

pub(super) fn needs_name(schema: &Schema) -> bool {
    match shape(schema) {
        Shape::Object { properties, .. } => !properties.is_empty(),
        Shape::StringEnum(values) => values.iter().any(Option::is_some),
        Shape::OneOf(_) | Shape::AnyOf(_) | Shape::AllOf(_) => true,
        _ => false,
    }
}
