//! The crate docs' quick start: a doctest that builds a client and makes one call, taken
//! from the first operation the schema gives an example for.

use crate::ir::{Api, BodyKind, Operation, ParamLocation, Primitive, TypeRef};

use super::ident::ident;

/// Markdown lines (without the leading space rustdoc strips) of a `no_run` Rust example.
pub fn lines(api: &Api, crate_name: &str, has_key: bool) -> Vec<String> {
    let krate = crate_name.replace('-', "_");
    let base = api
        .servers
        .first()
        .map(|s| s.url.clone())
        .filter(|u| u.starts_with("http"))
        .unwrap_or_else(|| "https://api.example.com".into());
    let key_arg = if has_key { ", \"YOUR_API_KEY\"" } else { "" };
    let mut out = vec![
        "# Quick start".to_owned(),
        String::new(),
        "```no_run".to_owned(),
        "# async fn run() -> Result<(), Box<dyn std::error::Error>> {".to_owned(),
        format!("let client = {krate}::Client::new({base:?}{key_arg})?;"),
    ];
    if let Some(call) = api.operations.iter().find_map(|op| call(api, op, &krate)) {
        out.extend(call);
    }
    out.extend(["# Ok(())".to_owned(), "# }".to_owned(), "```".to_owned()]);
    out
}

/// `let response = client.op(args).await?;` with every argument built from the schema, or
/// `None` when an argument has no literal form.
fn call(api: &Api, op: &Operation, krate: &str) -> Option<Vec<String>> {
    let mut lines = Vec::new();
    let mut args = Vec::new();
    let ordered = op.params_in_call_order();
    for param in ordered {
        // Optional parameters are set on the call with `with_` methods; left out here.
        if !param.required || param.location == ParamLocation::Cookie || param.from_body.is_some() {
            continue;
        }
        let example = param.docs.example.as_ref();
        let literal = match (&param.ty, example) {
            (TypeRef::Primitive(Primitive::String), Some(serde_json::Value::String(s))) => {
                format!("{s:?}")
            }
            (TypeRef::Primitive(Primitive::String), _) => "\"id\"".to_owned(),
            (TypeRef::Primitive(Primitive::I32 | Primitive::I64 | Primitive::U64), Some(v))
                if v.is_u64() =>
            {
                v.to_string()
            }
            (TypeRef::Primitive(Primitive::I32 | Primitive::I64 | Primitive::U64), _) => {
                "1".to_owned()
            }
            (TypeRef::Primitive(Primitive::Boolean), _) => "true".to_owned(),
            _ => return None,
        };
        args.push(literal);
    }
    if let Some(body) = &op.body {
        let (BodyKind::Json, TypeRef::Named(id), Some(example)) =
            (body.kind, &body.ty, &body.docs.example)
        else {
            return None;
        };
        let json = serde_json::to_string_pretty(example).ok()?;
        let hashes = "#".repeat(longest_hash_run(&json) + 1);
        let type_name = &api.ty(*id).name;
        lines.push(format!(
            "let body: {krate}::types::{type_name} = serde_json::from_str(r{hashes}\""
        ));
        lines.extend(json.lines().map(str::to_owned));
        lines.push(format!("\"{hashes})?;"));
        args.push("&body".to_owned());
    }
    let method = ident(&op.name);
    lines.push(format!(
        "let response = client.{method}({}).await?;",
        args.join(", ")
    ));
    lines.push(
        "println!(\"{:?} (rate limit: {:?})\", response.body, response.rate_limit);".to_owned(),
    );
    Some(lines)
}

/// The longest run of `#` right after a `"`, so a raw string's delimiter never appears inside.
fn longest_hash_run(text: &str) -> usize {
    text.split('"')
        .skip(1)
        .map(|rest| rest.chars().take_while(|c| *c == '#').count())
        .max()
        .unwrap_or(0)
}

/// Whether the client takes an API key.
pub fn has_key(api: &Api) -> bool {
    super::client::applied_scheme(api).is_some()
}
