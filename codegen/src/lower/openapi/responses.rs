//! An operation's responses: their statuses, bodies and headers.

use openapiv3::{Header as OaHeader, ParameterSchemaOrContent, Response as OaResponse, StatusCode};

use super::bodies::lower_body;
use super::read::{parse, target};
use crate::diag::{Diagnostic, Location};
use crate::ir::{Header, Response, Status, TypeRef};
use crate::lower::names::{self, Scope};
use crate::lower::schema::Types;

/// The responses written at `loc`; types defined for their inline schemas are named after
/// the operation `op`.
pub(super) fn lower_responses(
    types: &mut Types<'_>,
    loc: &Location,
    responses: &openapiv3::Responses,
    op: &str,
) -> Vec<Response> {
    let mut out = Vec::new();
    let entries = responses
        .responses
        .iter()
        .map(|(code, r)| match code {
            StatusCode::Code(c) => (Status::Code(*c), c.to_string(), r),
            StatusCode::Range(r0) => (Status::Range(*r0), format!("{r0}XX"), r),
        })
        .chain(
            responses
                .default
                .iter()
                .map(|r| (Status::Default, "default".to_owned(), r)),
        );
    for (status, key, r) in entries {
        let rloc = loc.join(&key);
        let Some(at) = target(types, &rloc, r) else {
            continue;
        };
        let Some(resp) = parse::<OaResponse>(types, &at, "a response") else {
            continue;
        };
        let hint = match status {
            Status::Code(200) | Status::Code(201) => format!("{op}Response"),
            Status::Default => format!("{op}DefaultResponse"),
            _ => format!("{op}Response{key}"),
        };
        // HTTP gives these statuses no body, whatever the description says.
        let body = match status {
            Status::Code(204 | 205 | 304) => {
                if !resp.content.is_empty() {
                    types.diags.push(Diagnostic::warning(
                        &at.join("content"),
                        format!("a `{key}` response has no body in HTTP: its content is ignored"),
                    ));
                }
                None
            }
            _ => lower_body(types, &at, &resp.content, &hint, false),
        };
        let mut headers = Vec::new();
        let mut scope = Scope::snake();
        for (name, h) in &resp.headers {
            let hloc = at.join("headers").join(name);
            let Some(hat) = target(types, &hloc, h) else {
                continue;
            };
            let Some(header) = parse::<OaHeader>(types, &hat, "a header") else {
                continue;
            };
            let ty = match header.format {
                ParameterSchemaOrContent::Schema(_) => {
                    types.lower_at(&hat.join("schema"), &names::pascal(name, "", "Header"))
                }
                ParameterSchemaOrContent::Content(_) => TypeRef::Any,
            };
            headers.push(Header {
                wire: name.clone(),
                name: scope.claim(names::snake(name, "header")),
                ty,
                required: header.required,
                docs: types.docs_at(&hat),
            });
        }
        out.push(Response {
            status,
            docs: types.docs_at(&at),
            body,
            headers,
        });
    }
    out
}
