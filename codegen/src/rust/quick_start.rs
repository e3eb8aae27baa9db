//! The crate docs' quick start: a doctest that builds a client and makes one call, taken
//! from the first operation the schema gives an example for.

use crate::docs::example::{base_url, body_value, call_code, crate_path};
use crate::ir::{Api, Operation};

/// Markdown lines (without the leading space rustdoc strips) of a `no_run` Rust example.
pub fn lines(api: &Api, crate_name: &str, has_key: bool) -> Vec<String> {
    let krate = crate_path(crate_name);
    // The base URL the reference's examples use.
    let base = base_url(api);
    let key_arg = if has_key { ", \"YOUR_API_KEY\"" } else { "" };
    let mut out = vec![
        "# Quick start".to_owned(),
        String::new(),
        "```no_run".to_owned(),
        "# async fn run() -> Result<(), Box<dyn std::error::Error>> {".to_owned(),
        format!("let client = {krate}::Client::new({base:?}{key_arg})?;"),
    ];
    // The first operation that has nothing to make up, else the first.
    let shown = api
        .operations
        .iter()
        .find(|op| {
            op.body
                .as_ref()
                .is_none_or(|body| body.docs.example.is_some())
        })
        .or(api.operations.first());
    if let Some(op) = shown {
        out.extend(call(api, op, crate_name));
    }
    out.extend(["# Ok(())".to_owned(), "# }".to_owned(), "```".to_owned()]);
    out
}

/// The call of `op` as the reference writes it (arguments from the examples, the body with
/// the crate's constructors), then the response printed.
fn call(api: &Api, op: &Operation, crate_name: &str) -> Vec<String> {
    let example = op.body.as_ref().and_then(|body| body_value(api, body));
    let code = call_code(
        api,
        op,
        crate_name,
        example.map(|(value, _)| value).as_ref(),
    );
    // The reference's statements are indented for a function body; these are not.
    let mut lines: Vec<String> = code
        .setup
        .iter()
        .flat_map(|statement| statement.lines())
        .map(|line| line.strip_prefix("    ").unwrap_or(line).to_owned())
        .collect();
    lines.push(format!("let response = {}.await?;", code.call));
    lines.push("println!(\"{:?}\", response.body);".to_owned());
    if op.success_headers.is_some() {
        lines.push("println!(\"{:?}\", response.typed_headers());".to_owned());
    }
    lines
}

/// Whether the client takes an API key.
pub fn has_key(api: &Api) -> bool {
    super::client::applied_scheme(api).is_some()
}
