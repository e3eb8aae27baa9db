//! JSON Schema as OpenAPI 3.1 and AsyncAPI write it, spelled the OpenAPI 3.0 way, so that
//! one lowering serves every document.
//!
//! Only schemas are rewritten. They are found by walking the document's structure and
//! following `$ref` (into other files too), so that a property named `const`, `type` or
//! `examples` stays a property, and a schema in a file of its own is still a schema.

mod schema;

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Location};
use crate::load::Sources;
use schema::Dialect;

/// Rewrites the schemas of the OpenAPI 3.1 document at `root`; returns warnings.
pub fn openapi(sources: &mut Sources, root: &Location) -> Vec<Diagnostic> {
    walk(sources, root, Kind::OpenApi, Dialect::Draft2020)
}

/// Rewrites the schemas of the AsyncAPI document at `root`; returns warnings.
pub fn asyncapi(sources: &mut Sources, root: &Location) -> Vec<Diagnostic> {
    walk(sources, root, Kind::AsyncApi, Dialect::Draft07)
}

/// What is written at a location, as far as finding schemas goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    OpenApi,
    PathItem,
    Operation,
    /// A parameter or a header: a `schema` or a `content` map.
    Parameter,
    RequestBody,
    Response,
    MediaType,
    AsyncApi,
    Channel,
    Message,
    Schema,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn walk(sources: &mut Sources, root: &Location, kind: Kind, dialect: Dialect) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut seen = HashSet::new();
    let mut queue = vec![(root.clone(), kind)];
    while let Some((loc, kind)) = queue.pop() {
        if !seen.insert((loc.clone(), kind)) {
            continue;
        }
        if kind == Kind::Schema
            && let Some(value) = sources.get_mut(&loc)
        {
            schema::rewrite(value, &loc, dialect, &mut diags);
        }
        let Some(Value::Object(map)) = sources.get(&loc) else {
            continue;
        };
        // A broken reference is reported where it is lowered.
        if let Some(Value::String(reference)) = map.get("$ref")
            && let Ok(target) = sources.resolve(&loc.join("$ref"), reference)
        {
            queue.push((target, kind));
        }
        let mut found = Found {
            map,
            loc: &loc,
            out: &mut queue,
        };
        found.children(kind);
    }
    diags
}

/// The places under one object that hold something worth walking.
struct Found<'a> {
    map: &'a Map<String, Value>,
    loc: &'a Location,
    out: &'a mut Vec<(Location, Kind)>,
}

impl<'a> Found<'a> {
    fn children(&mut self, kind: Kind) {
        match kind {
            Kind::OpenApi => {
                if let Some(Value::Object(paths)) = self.map.get("paths") {
                    for path in paths.keys().filter(|p| p.starts_with('/')) {
                        let at = self.loc.join("paths").join(path);
                        self.out.push((at, Kind::PathItem));
                    }
                }
                self.each(&["components", "schemas"], Kind::Schema);
            }
            Kind::PathItem => {
                self.each(&["parameters"], Kind::Parameter);
                for method in METHODS {
                    self.one(&[method], Kind::Operation);
                }
            }
            Kind::Operation => {
                self.each(&["parameters"], Kind::Parameter);
                self.one(&["requestBody"], Kind::RequestBody);
                self.each(&["responses"], Kind::Response);
            }
            Kind::Parameter => {
                self.one(&["schema"], Kind::Schema);
                self.each(&["content"], Kind::MediaType);
            }
            Kind::RequestBody => self.each(&["content"], Kind::MediaType),
            Kind::Response => {
                self.each(&["headers"], Kind::Parameter);
                self.each(&["content"], Kind::MediaType);
            }
            Kind::MediaType => self.one(&["schema"], Kind::Schema),
            Kind::AsyncApi => {
                self.each(&["channels"], Kind::Channel);
                self.each(&["components", "channels"], Kind::Channel);
                self.each(&["components", "messages"], Kind::Message);
                self.each(&["components", "schemas"], Kind::Schema);
            }
            Kind::Channel => {
                self.each(&["messages"], Kind::Message);
                self.one(&["bindings", "ws", "query"], Kind::Schema);
                self.one(&["bindings", "ws", "headers"], Kind::Schema);
            }
            Kind::Message => {
                self.one(&["headers"], Kind::Schema);
                // A multi-format schema object wraps the schema.
                match self.map.get("payload") {
                    Some(Value::Object(p)) if p.contains_key("schemaFormat") => {
                        self.one(&["payload", "schema"], Kind::Schema);
                    }
                    _ => self.one(&["payload"], Kind::Schema),
                }
            }
            Kind::Schema => {
                for at in schema::children(self.map, self.loc) {
                    self.out.push((at, Kind::Schema));
                }
            }
        }
    }

    /// The value at `path`, if there is one.
    fn one(&mut self, path: &[&str], kind: Kind) {
        if self.get(path).is_some() {
            self.out.push((self.at(path), kind));
        }
    }

    /// Every member of the map or list at `path`.
    fn each(&mut self, path: &[&str], kind: Kind) {
        let at = self.at(path);
        match self.get(path) {
            Some(Value::Object(map)) => {
                for key in map.keys() {
                    self.out.push((at.join(key), kind));
                }
            }
            Some(Value::Array(items)) => {
                for i in 0..items.len() {
                    self.out.push((at.join(i), kind));
                }
            }
            _ => {}
        }
    }

    fn get(&self, path: &[&str]) -> Option<&'a Value> {
        let map: &'a Map<String, Value> = self.map;
        let (first, rest) = path.split_first()?;
        rest.iter().try_fold(map.get(*first)?, |v, key| v.get(key))
    }

    fn at(&self, path: &[&str]) -> Location {
        path.iter().fold(self.loc.clone(), |at, key| at.join(key))
    }
}

#[cfg(test)]
mod tests;
