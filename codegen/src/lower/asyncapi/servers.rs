//! The document's first server: the client's base URL when no OpenAPI document gave one,
//! and the key its connections carry.

use super::document::{Doc, RawScheme, RawServer};
use crate::diag::Location;
use crate::ir::{Api, AuthKind, ParamLocation, Server};
use crate::lower::schema::Types;

/// The key the first server carries (servers, then their `security` references).
pub(super) fn server_auth(
    types: &mut Types<'_>,
    root: &Location,
    doc: &Doc,
    api: &mut Api,
) -> Option<AuthKind> {
    let src = types.sources();
    let (key, _) = doc.servers.first()?;
    let loc = src.follow(&root.join("servers").join(key)).ok()?;
    let server: RawServer = match src.parse(&loc, "a server") {
        Ok(s) => s,
        Err(d) => {
            types.diags.push(d);
            return None;
        }
    };
    if api.servers.is_empty() {
        // The client's base URL is HTTP(S); connections swap the scheme for ws(s).
        let scheme = match server.protocol.as_str() {
            "ws" | "http" => "http",
            _ => "https",
        };
        api.servers.push(Server {
            url: format!(
                "{scheme}://{}{}",
                server.host,
                server.pathname.as_deref().unwrap_or("")
            ),
            description: server.description.clone(),
        });
    }
    let scheme_loc =
        (0..server.security.len()).find_map(|i| src.follow(&loc.join("security").join(i)).ok())?;
    let scheme: RawScheme = src
        .parse(&scheme_loc, "a security scheme")
        .map_err(|d| types.diags.push(d))
        .ok()?;
    Some(
        match (
            scheme.kind.as_str(),
            scheme.location.as_deref(),
            scheme.name,
        ) {
            ("httpApiKey", Some("query"), Some(name)) => AuthKind::ApiKey {
                location: ParamLocation::Query,
                name,
            },
            ("httpApiKey", Some("header"), Some(name)) => AuthKind::ApiKey {
                location: ParamLocation::Header,
                name,
            },
            ("http", _, _)
                if scheme
                    .scheme
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("bearer")) =>
            {
                AuthKind::Bearer
            }
            (other, _, _) => AuthKind::Other(other.to_owned()),
        },
    )
}
