//! AsyncAPI 3.0 into the IR: one connection per channel address, seen from the client.
//!
//! In AsyncAPI 3 an operation's `action` is written from the side of the application the
//! document describes. Public API documents describe the server, so by default `receive`
//! (the server receives) is what the client sends and `send` is what it receives; a
//! `reply` goes the other way.
//!
//! The steps, each in its module: `document` reads the typed parts of the document,
//! `servers` the first server, `directions` groups channels by address and sorts their
//! messages into sent and received, `connections` makes each group a channel of the IR
//! from its `messages`, told apart by `matchers`.

mod connections;
mod directions;
mod document;
mod matchers;
mod messages;
mod servers;

pub use directions::Perspective;

use self::connections::channel;
use self::directions::group_messages;
use self::document::Doc;
use self::servers::server_auth;
use super::names::Scope;
use super::schema::Types;
use crate::diag::{Diagnostic, Location};
use crate::ir::Api;

/// Lowers the AsyncAPI document at `root` into `api.channels` (and fills title, version
/// and servers when no OpenAPI document did).
pub fn lower(
    types: &mut Types<'_>,
    api: &mut Api,
    root: &Location,
    perspective: Perspective,
) -> Result<(), Diagnostic> {
    let src = types.sources();
    let doc: Doc = src.parse(root, "an AsyncAPI 3 document")?;
    if !doc.asyncapi.starts_with("3.") {
        return Err(Diagnostic::error(
            &root.join("asyncapi"),
            format!(
                "expected an AsyncAPI 3 document, found `asyncapi: {}`",
                doc.asyncapi
            ),
        ));
    }
    if api.title.is_empty() {
        api.title = doc.info.title.clone();
        api.version = doc.info.version.clone();
        api.description = doc.info.description.clone();
    }
    let default_content_type = doc
        .default_content_type
        .clone()
        .unwrap_or_else(|| "application/json".into());
    let auth = server_auth(types, root, &doc, api);
    let groups = group_messages(types, root, &doc, perspective);

    let mut channel_names = Scope::snake();
    for (address, group) in groups {
        if group.outgoing.is_empty() && group.incoming.is_empty() {
            continue;
        }
        let channel = channel(
            types,
            root,
            address,
            group,
            &mut channel_names,
            &default_content_type,
            auth.clone(),
        );
        api.channels.push(channel);
    }
    Ok(())
}
