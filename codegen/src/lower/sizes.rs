//! Boxes the union variants that are much larger than the others (clippy's
//! `large_enum_variant`): every value of an enum takes its largest variant's room.

use crate::ir::{Api, Primitive, TypeId, TypeKind, TypeRef};

/// Clippy's default `enum-variant-size-threshold` is 200 bytes; the estimates below are
/// rough, so variants are boxed a little before that.
const THRESHOLD: usize = 160;

/// What a union's catch-all variant holds: a `serde_json::Value`.
const FALLBACK: usize = 32;

/// Boxes, in each union, the largest variant while it exceeds the next by the threshold.
pub fn box_large_variants(api: &mut Api) {
    let mut sizes = Sizes {
        known: vec![None; api.types.len()],
        busy: vec![false; api.types.len()],
        to_box: Vec::new(),
    };
    for i in 0..api.types.len() {
        sizes.named(api, TypeId(i));
    }
    for (id, j) in sizes.to_box {
        if let TypeKind::Union(u) = &mut api.types[id.0].kind {
            u.variants[j].boxed = true;
        }
    }
}

/// Estimated sizes in bytes of the Rust types (on a 64-bit target), erring large.
struct Sizes {
    known: Vec<Option<usize>>,
    /// Types being measured: one met again is behind a box (cycles are boxed).
    busy: Vec<bool>,
    /// The union variants to box, decided as each union is measured.
    to_box: Vec<(TypeId, usize)>,
}

impl Sizes {
    fn of(&mut self, api: &Api, t: &TypeRef) -> usize {
        match t {
            TypeRef::Named(id) => self.named(api, *id),
            TypeRef::Primitive(p) => primitive(*p),
            TypeRef::Array(_) | TypeRef::Map(_) => 24,
            TypeRef::Nullable(inner) => self.optional(api, inner),
            TypeRef::Any => FALLBACK,
        }
    }

    /// `Option<T>`: numbers need a tag of their own; most other types have a spare value.
    fn optional(&mut self, api: &Api, t: &TypeRef) -> usize {
        match t {
            TypeRef::Primitive(p @ (Primitive::I32 | Primitive::F32)) => primitive(*p) + 4,
            TypeRef::Primitive(p @ (Primitive::I64 | Primitive::U64 | Primitive::F64)) => {
                primitive(*p) + 8
            }
            other => self.of(api, other),
        }
    }

    fn named(&mut self, api: &Api, id: TypeId) -> usize {
        if let Some(size) = self.known[id.0] {
            return size;
        }
        if std::mem::replace(&mut self.busy[id.0], true) {
            return 8;
        }
        let size = match &api.ty(id).kind {
            TypeKind::Struct(s) => {
                let fields: usize = s
                    .fields
                    .iter()
                    .map(|f| match () {
                        _ if f.boxed => 8,
                        _ if f.required && !f.nullable => self.of(api, &f.ty).next_multiple_of(8),
                        _ => self.optional(api, &f.ty).next_multiple_of(8),
                    })
                    .sum();
                fields + if s.extra.is_some() { 24 } else { 0 }
            }
            // Unit variants, and the unknown value's `String`.
            TypeKind::Enum(_) => 24,
            TypeKind::Union(u) => {
                let mut variants: Vec<(usize, usize)> = u
                    .variants
                    .iter()
                    .enumerate()
                    .map(|(j, v)| (if v.boxed { 8 } else { self.of(api, &v.ty) }, j))
                    .collect();
                variants.push((FALLBACK, usize::MAX));
                variants.sort_by(|a, b| b.cmp(a));
                // Box from the largest down while one stands out from the next.
                let mut n = 0;
                while let [(size, j), (next, _), ..] = variants[n..]
                    && j != usize::MAX
                    && size >= next + THRESHOLD
                {
                    self.to_box.push((id, j));
                    n += 1;
                }
                variants[n].0.max(8) + 8
            }
            TypeKind::Alias(t) => self.of(api, t),
        };
        self.busy[id.0] = false;
        self.known[id.0] = Some(size);
        size
    }
}

fn primitive(p: Primitive) -> usize {
    match p {
        Primitive::String | Primitive::Uri | Primitive::Binary | Primitive::Base64 => 24,
        Primitive::Boolean => 1,
        Primitive::I32 | Primitive::F32 => 4,
        Primitive::I64 | Primitive::U64 | Primitive::F64 => 8,
        Primitive::DateTime => 12,
        Primitive::Date => 4,
        Primitive::Uuid => 16,
    }
}
