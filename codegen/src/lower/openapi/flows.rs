//! Operations with a streamed or an upload flow (`x-stream-body`, `x-upload`), named once
//! every operation has its name, so that a clash gets a suffix.

use crate::diag::{Diagnostic, Location};
use crate::ir::{Api, UploadFlow};
use crate::lower::names::{self, Scope};
use crate::lower::schema::Types;

/// Names the streaming method of each operation of `streams` (indices into
/// `api.operations`) whose success response has a body.
pub(super) fn name_streams(
    types: &mut Types<'_>,
    api: &mut Api,
    op_names: &mut Scope,
    streams: Vec<usize>,
) {
    for index in streams {
        let op = &api.operations[index];
        let has_body = op
            .responses
            .iter()
            .any(|r| r.status.is_success() && r.body.is_some());
        if !has_body {
            types.diags.push(Diagnostic::warning(
                &op.origin.join("x-stream-body"),
                "the operation's success response has no body to stream; `x-stream-body` is ignored",
            ));
            continue;
        }
        let name = op_names.claim(format!("{}_streaming", op.name));
        api.operations[index].stream_name = Some(name);
    }
}

/// Reads the upload flow of each operation of `uploads` (indices into `api.operations`,
/// with where their `x-upload` is) and names its method.
pub(super) fn name_uploads(
    types: &mut Types<'_>,
    api: &mut Api,
    op_names: &mut Scope,
    uploads: Vec<(usize, Location)>,
) {
    for (index, at) in uploads {
        match upload_flow(types, api, &at) {
            Ok(mut flow) => {
                flow.name = op_names.claim(flow.name);
                api.operations[index].upload = Some(flow);
            }
            Err(d) => types.diags.push(d),
        }
    }
}

/// Reads `x-upload: {name?, url, ticket, then}`.
fn upload_flow(types: &Types<'_>, api: &Api, at: &Location) -> Result<UploadFlow, Diagnostic> {
    #[derive(serde::Deserialize)]
    struct Raw {
        name: Option<String>,
        url: String,
        ticket: String,
        then: String,
    }
    let raw: Raw = types
        .sources()
        .parse(at, "`x-upload: {url, ticket, then}`")?;
    let then = api
        .operations
        .iter()
        .position(|op| op.id == raw.then)
        .ok_or_else(|| {
            Diagnostic::error(
                &at.join("then"),
                format!("no operation has the id `{}`", raw.then),
            )
        })?;
    Ok(UploadFlow {
        name: names::snake(raw.name.as_deref().unwrap_or("upload"), "upload"),
        url: raw.url,
        ticket: raw.ticket,
        then,
    })
}
