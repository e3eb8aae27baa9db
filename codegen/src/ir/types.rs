//! Named types (structs, enums, unions, aliases), their members and the references
//! between them.

use serde_json::Value;

use super::docs::Docs;
use crate::diag::Location;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A named type.
#[derive(Clone, Debug)]
pub struct TypeDef {
    pub name: String,
    pub docs: Docs,
    pub kind: TypeKind,
    /// Where the schema was written.
    pub origin: Location,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    Struct(Struct),
    Enum(Enum),
    Union(Union),
    /// A name for another type (`type Ids = Vec<i64>`).
    Alias(TypeRef),
}

#[derive(Clone, Debug, Default)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// Typed extra members (`additionalProperties` beside `properties`).
    pub extra: Option<TypeRef>,
    /// The body of `multipart/form-data` requests only: built by the caller and sent as
    /// parts, never serialized whole; its binary members ([`Field::files`]) hold files.
    pub multipart: bool,
}

/// What `ty` stands for once aliases are followed (`defs` are an API's types, indexed by
/// [`TypeId`]); the bound only guards against an alias cycle.
pub fn resolve<'a>(defs: &'a [TypeDef], mut ty: &'a TypeRef) -> &'a TypeRef {
    for _ in 0..=defs.len() {
        match ty {
            TypeRef::Named(id) => match &defs[id.0].kind {
                TypeKind::Alias(target) => ty = target,
                _ => break,
            },
            _ => break,
        }
    }
    ty
}

/// The members of the object `ty` names (through aliases); `None` for anything else.
pub fn fields_of<'a>(defs: &'a [TypeDef], ty: &'a TypeRef) -> Option<&'a [Field]> {
    match resolve(defs, ty) {
        TypeRef::Named(id) => match &defs[id.0].kind {
            TypeKind::Struct(s) => Some(&s.fields),
            _ => None,
        },
        _ => None,
    }
}

/// How a member of a multipart body holds files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Files {
    /// One file part (`format: binary`).
    One,
    /// One file part per item (an array of binary strings).
    Many,
}

impl Field {
    /// Whether the member is a file, or a list of files, in a multipart body.
    pub fn files(&self) -> Option<Files> {
        let binary = |t: &TypeRef| {
            matches!(t, TypeRef::Primitive(Primitive::Binary))
                || matches!(t, TypeRef::Nullable(inner) if **inner == TypeRef::Primitive(Primitive::Binary))
        };
        match &self.ty {
            t if binary(t) => Some(Files::One),
            TypeRef::Array(item) if binary(item) => Some(Files::Many),
            _ => None,
        }
    }

    /// How many `Option`s wrap the member's type in Rust: none when required, one when
    /// optional or nullable, two when both (absent and `null` kept apart).
    pub fn option_layers(&self) -> usize {
        match (self.required, self.nullable) {
            (true, false) => 0,
            (false, true) => 2,
            _ => 1,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub wire: String,
    pub name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub docs: Docs,
    pub default: Option<Value>,
    /// Set when the field closes a cycle of directly contained types.
    pub boxed: bool,
    /// A member of an `allOf` that could not be merged, flattened into this struct.
    pub flatten: bool,
    /// Whether the empty value of the type (`0`, `""`, `[]`) meets the schema's constraints
    /// (`minItems`, `minLength`, `minimum`, `pattern`, formats such as `uri`).
    pub empty_is_valid: bool,
    /// The limits the schema puts on the member's values.
    pub constraints: Constraints,
    /// `readOnly`: the server sends it, a request never carries it (OpenAPI: "SHOULD NOT be
    /// sent as part of the request"; required only in responses).
    pub read_only: bool,
    /// A secret (`format: password`, or `x-sensitive: true`): `Debug` shows that it is set,
    /// never its value.
    pub sensitive: bool,
}

/// JSON Schema's validation keywords on a value: what a server may refuse although the
/// type fits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<String>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// The lower bound and whether it is exclusive.
    pub minimum: Option<(f64, bool)>,
    /// The upper bound and whether it is exclusive.
    pub maximum: Option<(f64, bool)>,
    /// The `format` of a string the IR keeps as text (`email`, `hostname`, `ipv4`, ...).
    pub format: Option<String>,
    /// The limits on an array's items, when it has any.
    pub items: Option<Box<Constraints>>,
}

/// A closed set of string values, plus a fallback for values added later.
#[derive(Clone, Debug)]
pub struct Enum {
    pub values: Vec<EnumValue>,
    /// Name of the catch-all variant holding values this client does not know.
    pub fallback: String,
    /// Index into `values` of the schema's default.
    pub default: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct EnumValue {
    pub wire: String,
    pub name: String,
    /// What the value means, when the description says.
    pub description: Option<String>,
}

/// One of several shapes.
#[derive(Clone, Debug)]
pub struct Union {
    pub variants: Vec<Variant>,
    /// Name of the catch-all variant holding shapes this client does not know.
    pub fallback: String,
    /// The property whose value says which variant a value is, when every variant is a
    /// struct that carries it.
    pub discriminator: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    pub ty: TypeRef,
    /// The discriminator value selecting this variant.
    pub tag: Option<String>,
    pub docs: Docs,
    /// Set when the variant closes a cycle of directly contained types.
    pub boxed: bool,
}

/// A use of a type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeRef {
    Named(TypeId),
    Primitive(Primitive),
    Array(Box<TypeRef>),
    /// A JSON object used as a map from string keys.
    Map(Box<TypeRef>),
    /// A value that may be `null`.
    Nullable(Box<TypeRef>),
    /// Any JSON value.
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Primitive {
    String,
    Boolean,
    I32,
    I64,
    U64,
    F32,
    F64,
    /// RFC 3339 `date-time`.
    DateTime,
    /// RFC 3339 `full-date`.
    Date,
    Uuid,
    /// `format: byte`: base64 text carrying bytes.
    Base64,
    /// `format: binary`: raw bytes (a body, not a JSON member).
    Binary,
    /// `format: uri`: kept as text.
    Uri,
}
