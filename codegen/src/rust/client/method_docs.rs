//! The documentation of an operation's client methods: the method that starts the call and
//! its streaming twin.

use crate::ir::{Api, Operation, Param, ParamLocation, TypeRef};

/// The documentation of the streaming twin of `op` (`x-stream-body`), whose decoding method
/// is `decoding`.
pub(super) fn stream_doc(op: &Operation, decoding: &str) -> String {
    let summary = op
        .docs
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(op.id.as_str());
    let body = "a [`ByteStream`](autessa_runtime::ByteStream) of chunks as they arrive (in the \
                blocking client, a reader, [`Read`](std::io::Read), that is also an iterator of \
                chunks)";
    format!(
        "{summary}, with the body as it arrives.\n\n\
         As [`{decoding}`](Self::{decoding}), but a 2xx body is not decoded: it comes as {body}, \
         for results too large to hold in memory at once. An error status is read whole and \
         decoded as for `{decoding}`. Retries happen only before a 2xx response starts; the \
         timeout and the deadline go on covering the body.\n\n\
         `{} {}` (operation `{}`).",
        op.method,
        op.path,
        op.id.replace('`', "'")
    )
}

/// The documentation of the client method that starts `op`'s call.
pub(super) fn method_doc(api: &Api, op: &Operation) -> String {
    let mut parts = vec![doc_head(op)];
    // The facts in one paragraph: the route, whether it may be repeated, what it returns.
    parts.push(format!(
        "`{} {}` (operation `{}`). {} {}",
        op.method,
        op.path,
        op.id.replace('`', "'"),
        retry_doc(op),
        returns_doc(op)
    ));
    for flag in &op.docs.flags {
        parts.push(format!("**Note:** {flag}"));
    }
    if op.docs.deprecated {
        parts.push("**Deprecated.**".into());
    }
    let args = argument_docs(api, op);
    if !args.is_empty() {
        parts.push(format!("# Arguments\n\n{}", args.join("\n")));
    }
    parts.join("\n\n")
}

/// The opening paragraphs: the summary, then the description when it says more.
fn doc_head(op: &Operation) -> String {
    let mut head = String::new();
    if let Some(s) = &op.docs.summary {
        head.push_str(s.trim());
    }
    if let Some(d) = &op.docs.description
        && op.docs.summary.as_deref().map(str::trim) != Some(d.trim())
    {
        if !head.is_empty() {
            head.push_str("\n\n");
        }
        head.push_str(d.trim());
    }
    if head.is_empty() {
        head = format!("Calls `{}`.", op.id);
    }
    head
}

/// The `# Arguments` list: one line per parameter, then the body.
fn argument_docs(api: &Api, op: &Operation) -> Vec<String> {
    let mut args: Vec<String> = op.params.iter().map(param_doc).collect();
    if let Some(body) = &op.body {
        let what = match &body.ty {
            TypeRef::Named(id) => format!(
                "[`{}`](crate::types::{})",
                api.ty(*id).name,
                api.ty(*id).name
            ),
            _ => format!("`{}`", body.media_type),
        };
        args.push(format!("- `body`: the request, {what}."));
    }
    args
}

/// One parameter's line in the `# Arguments` list.
fn param_doc(p: &Param) -> String {
    let desc = p
        .docs
        .description
        .as_deref()
        .unwrap_or("")
        .trim()
        .replace('\n', " ");
    let place = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    let req = if p.required { "" } else { ", optional" };
    let wire = p.wire.replace('`', "'");
    match &p.from_body {
        Some(member) => format!(
            "- {place} `{wire}`: taken from the body's `{member}` (the same value goes \
             in both places). {desc}"
        ),
        None => format!("- `{}` ({place} `{wire}`{req}): {desc}", p.name),
    }
}

/// What the method returns, naming the setters of the optional parameters.
fn returns_doc(op: &Operation) -> String {
    let optional: Vec<String> = op
        .params
        .iter()
        .filter(|p| !p.required && p.location != ParamLocation::Cookie)
        .map(|p| format!("`with_{}`", p.name.trim_start_matches("r#")))
        .collect();
    let finish = "`.await` it (in the blocking client, call `send` on it)";
    if optional.is_empty() {
        format!("Returns the call: {finish}.")
    } else {
        format!(
            "Returns the call: set optional parameters on it ({}), then {finish}.",
            optional.join(", ")
        )
    }
}

/// Whether the call is safe to repeat.
fn retry_doc(op: &Operation) -> &'static str {
    if op.is_idempotent() {
        "Safe to retry: repeating it has no further effect."
    } else {
        "Not safe to retry blindly: repeating it may repeat its effect."
    }
}
