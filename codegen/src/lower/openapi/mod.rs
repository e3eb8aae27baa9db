//! OpenAPI 3.0 (and 3.1, rewritten to 3.0 spelling) into the IR.
//!
//! This module reads the document's description, servers, tags and components; the
//! operations of each path item are lowered in `operation`, from their `params`, `bodies`
//! and `responses`; `flows` names the streamed and upload methods last. `read` reads an
//! item written inline or through `$ref`.

mod bodies;
mod document;
mod flows;
mod headers;
mod operation;
mod params;
mod read;
mod responses;
mod security;

use openapiv3::SecurityScheme as OaScheme;

use self::flows::{name_streams, name_uploads};
use self::operation::Operations;
use self::read::resolve;
use self::security::security_scheme;
use super::schema::Types;
use crate::diag::{Diagnostic, Location};
use crate::ir::{Api, Server, Tag};

/// Lowers the root document of `types`' sources into `api`.
pub fn lower(types: &mut Types<'_>, api: &mut Api, root: &Location) -> Result<(), Diagnostic> {
    let src = types.sources();
    let root = root.clone();
    let doc: document::Document = src.parse(&root, "an OpenAPI document")?;
    describe(api, &doc);
    components(types, api, &root, &doc);
    let global_auth = doc.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut operations = Operations::new(global_auth);
    for path in doc.paths.keys().filter(|p| p.starts_with('/')) {
        operations.path_item(types, api, &root, path);
    }
    name_streams(types, api, &mut operations.methods, operations.streams);
    name_uploads(types, api, &mut operations.methods, operations.uploads);
    headers::header_sets(types, api);
    headers::quota(types, api, &root);
    Ok(())
}

/// The API's title, version, description, servers and tags.
fn describe(api: &mut Api, doc: &document::Document) {
    api.title = doc.info.title.clone();
    api.version = doc.info.version.clone();
    api.description = doc.info.description.clone();
    api.servers = doc
        .servers
        .iter()
        .map(|s| Server {
            url: s.url.clone(),
            description: s.description.clone(),
        })
        .collect();
    api.tags = doc
        .tags
        .iter()
        .map(|t| Tag {
            name: t.name.clone(),
            description: t.description.clone(),
        })
        .collect();
}

/// The security schemes and the schemas of `#/components`.
fn components(types: &mut Types<'_>, api: &mut Api, root: &Location, doc: &document::Document) {
    let components = root.join("components");
    if let Some(c) = &doc.components {
        for (key, scheme) in &c.security_schemes {
            let loc = components.join("securitySchemes").join(key);
            if let Some(s) = resolve::<OaScheme>(types, &loc, scheme, "a security scheme") {
                api.security.push(security_scheme(key, &s));
            }
        }
        // Every component schema becomes a type, used or not.
        for key in c.schemas.keys() {
            let loc = components.join("schemas").join(key);
            types.lower_named(&loc, key);
        }
    }
}
