//! Lowering decisions, from small inline documents: `schemas` (JSON Schema to types),
//! `operations` (OpenAPI paths and operations) and `channels` (AsyncAPI channels and
//! messages); the helpers they share are here.

mod channels;
mod headers;
mod operations;
mod schemas;

use serde_json::{Value, json};

use super::*;
use crate::ir::{Primitive, TypeId, TypeKind, TypeRef};

fn lower(doc: Value) -> Result<Api, Diagnostics> {
    lower_openapi(Sources::from_value("spec.yaml", doc), &Flags::default())
}

fn spec(schemas: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}})
}

fn named<'a>(api: &'a Api, name: &str) -> &'a crate::ir::TypeDef {
    api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no type {name}; have {:?}",
                api.types.iter().map(|t| &t.name).collect::<Vec<_>>()
            )
        })
}
