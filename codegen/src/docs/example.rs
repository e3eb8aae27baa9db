//! Examples: JSON values for a type (the schema's own where it has one, otherwise made up
//! from the type), and the Rust snippet that calls an operation through the generated
//! client.

use serde_json::{Map, Value, json};

use crate::ir::{
    Api, AuthKind, Body, BodyKind, Operation, Param, ParamLocation, Primitive, TypeId, TypeKind,
    TypeRef,
};

/// How deep a made-up example goes before it stops adding optional structure.
const MAX_DEPTH: usize = 8;

/// The schema's example for a use of a type, if it has one.
pub fn declared(api: &Api, ty: &TypeRef) -> Option<Value> {
    match ty {
        TypeRef::Named(id) => api.ty(*id).docs.example.clone(),
        TypeRef::Nullable(inner) => declared(api, inner),
        _ => None,
    }
}

/// A value of the type: the schema's example where there is one, otherwise the required
/// members only, with the first enum value, the first union variant, and one array item.
pub fn synthesize(api: &Api, ty: &TypeRef) -> Value {
    Synth {
        api,
        stack: Vec::new(),
    }
    .value(ty)
}

struct Synth<'a> {
    api: &'a Api,
    stack: Vec<TypeId>,
}

impl Synth<'_> {
    fn value(&mut self, ty: &TypeRef) -> Value {
        match ty {
            TypeRef::Named(id) => self.named(*id),
            TypeRef::Primitive(p) => primitive(*p),
            TypeRef::Array(item) => {
                if self.stack.len() >= MAX_DEPTH || self.recursive(item) {
                    json!([])
                } else {
                    json!([self.value(item)])
                }
            }
            TypeRef::Map(_) => json!({}),
            TypeRef::Nullable(inner) => self.value(inner),
            TypeRef::Any => json!({}),
        }
    }

    /// Whether a type refers (directly) to one being built.
    fn recursive(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named(id) => self.stack.contains(id),
            TypeRef::Array(t) | TypeRef::Map(t) | TypeRef::Nullable(t) => self.recursive(t),
            _ => false,
        }
    }

    fn named(&mut self, id: TypeId) -> Value {
        let def = self.api.ty(id);
        if let Some(example) = &def.docs.example {
            return example.clone();
        }
        if self.stack.contains(&id) || self.stack.len() >= MAX_DEPTH {
            return json!({});
        }
        self.stack.push(id);
        let value = match &def.kind {
            TypeKind::Struct(s) => {
                let mut map = Map::new();
                self.fields(s, &mut map);
                Value::Object(map)
            }
            TypeKind::Enum(e) => e
                .default
                .and_then(|i| e.values.get(i))
                .or(e.values.first())
                .map(|v| Value::String(v.wire.clone()))
                .unwrap_or(Value::Null),
            TypeKind::Union(u) => match u.variants.first() {
                Some(v) => {
                    let mut value = self.value(&v.ty);
                    if let (Some(prop), Some(tag), Value::Object(map)) =
                        (&u.discriminator, &v.tag, &mut value)
                    {
                        map.insert(prop.clone(), Value::String(tag.clone()));
                    }
                    value
                }
                None => json!({}),
            },
            TypeKind::Alias(t) => self.value(t),
        };
        self.stack.pop();
        value
    }

    fn fields(&mut self, s: &crate::ir::Struct, map: &mut Map<String, Value>) {
        for f in &s.fields {
            if f.flatten {
                if let TypeRef::Named(id) = &f.ty
                    && let TypeKind::Struct(inner) = &self.api.ty(*id).kind
                    && !self.stack.contains(id)
                {
                    self.stack.push(*id);
                    self.fields(inner, map);
                    self.stack.pop();
                }
                continue;
            }
            if !f.required {
                continue;
            }
            let value = match (&f.docs.example, &f.default) {
                (Some(example), _) => example.clone(),
                (None, Some(default)) => default.clone(),
                (None, None) => self.value(&f.ty),
            };
            map.insert(f.wire.clone(), value);
        }
    }
}

fn primitive(p: Primitive) -> Value {
    match p {
        Primitive::String => json!("string"),
        Primitive::Boolean => json!(true),
        Primitive::I32 | Primitive::I64 | Primitive::U64 => json!(1),
        Primitive::F32 | Primitive::F64 => json!(1.5),
        Primitive::DateTime => json!("2024-01-01T00:00:00Z"),
        Primitive::Date => json!("2024-01-01"),
        Primitive::Uuid => json!("00000000-0000-0000-0000-000000000000"),
        Primitive::Base64 => json!("aGVsbG8="),
        Primitive::Binary => json!(""),
        Primitive::Uri => json!("https://example.com/"),
    }
}

/// JSON as shown in the docs: pretty, two-space indents.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// The method the Rust back-end gives an operation (`op.name`; names the client already
/// uses get an `_operation` suffix; keywords are raw identifiers).
pub fn method_name(op: &Operation) -> String {
    const RESERVED: &[&str] = &["new", "from_env", "builder", "from_http", "http"];
    if RESERVED.contains(&op.name.as_str()) {
        format!("{}_operation", op.name)
    } else {
        rust_ident(&op.name)
    }
}

/// An identifier for an IR name, escaped as the Rust back-end escapes it.
pub fn rust_ident(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do",
        "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in",
        "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
        "return", "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe",
        "unsized", "use", "virtual", "where", "while", "yield",
    ];
    if matches!(name, "crate" | "self" | "Self" | "super" | "_") {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// The Rust path of the crate (`my-api` is used as `my_api`).
pub fn crate_path(crate_name: &str) -> String {
    crate_name.replace('-', "_")
}

/// Whether the generated client takes an API key (the schemes the Rust back-end applies).
pub fn client_takes_key(api: &Api) -> bool {
    api.security.iter().any(|s| {
        matches!(
            &s.kind,
            AuthKind::ApiKey {
                location: ParamLocation::Header | ParamLocation::Query,
                ..
            } | AuthKind::Bearer
        )
    })
}

/// The base URL the examples use: the first HTTP server, else a placeholder.
pub fn base_url(api: &Api) -> String {
    api.servers
        .iter()
        .map(|s| s.url.trim_end_matches('/'))
        .find(|u| u.starts_with("http://") || u.starts_with("https://"))
        .unwrap_or("https://api.example.com")
        .to_owned()
}

/// A Rust string literal (Rust's own escaping).
fn str_lit(text: &str) -> String {
    format!("{text:?}")
}

/// A raw string literal holding `text` (never ends early, whatever `text` holds).
fn raw_lit(text: &str) -> String {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{text}\"{h}")
}

/// JSON parsed at run time into whatever type the call expects.
fn from_json(value: &Value, indent: &str) -> String {
    let text = pretty(value).replace('\n', &format!("\n{indent}"));
    format!("serde_json::from_str({})?", raw_lit(&text))
}

/// The argument for a parameter: its example (or a made-up value) written as the Rust
/// type the method takes, `None` for optional ones.
fn param_arg(api: &Api, param: &Param) -> String {
    if !param.required {
        return "None".into();
    }
    let example = param
        .docs
        .example
        .clone()
        .or_else(|| declared(api, &param.ty))
        .unwrap_or_else(|| synthesize(api, &param.ty));
    match &param.ty {
        TypeRef::Primitive(Primitive::String | Primitive::Uri | Primitive::Binary) => match example
        {
            Value::String(s) => str_lit(&s),
            other => str_lit(&other.to_string()),
        },
        TypeRef::Primitive(Primitive::Boolean) => example.as_bool().unwrap_or(true).to_string(),
        TypeRef::Primitive(Primitive::I32) => {
            let n = example.as_i64().and_then(|n| i32::try_from(n).ok());
            n.unwrap_or(1).to_string()
        }
        TypeRef::Primitive(Primitive::I64) => example.as_i64().unwrap_or(1).to_string(),
        TypeRef::Primitive(Primitive::U64) => example.as_u64().unwrap_or(1).to_string(),
        TypeRef::Primitive(Primitive::F32 | Primitive::F64) => {
            let x = example.as_f64().filter(|x| x.is_finite()).unwrap_or(1.5);
            format!("{x:?}")
        }
        TypeRef::Array(_) => "&[]".into(),
        _ => format!("&{}", from_json(&example, "    ")),
    }
}

/// A complete Rust example calling `op`: an async function that builds the client and the
/// request, calls the method and prints the decoded body.
pub fn rust_call(
    api: &Api,
    op: &Operation,
    crate_name: &str,
    body_example: Option<&Value>,
) -> String {
    let krate = crate_path(crate_name);
    let base = str_lit(&base_url(api));
    let mut lines = vec![format!(
        "async fn {}_example() -> Result<(), Box<dyn std::error::Error>> {{",
        op.name
    )];
    if client_takes_key(api) {
        lines.push(format!(
            "    let client = {krate}::Client::new({base}, \"YOUR_API_KEY\")?;"
        ));
    } else {
        lines.push(format!("    let client = {krate}::Client::new({base})?;"));
    }
    let mut args: Vec<String> = Vec::new();
    for param in op.params_in_call_order() {
        args.push(param_arg(api, param));
    }
    if let Some(body) = &op.body {
        args.push(body_arg(api, body, &krate, body_example, &mut lines));
    }
    lines.push(format!(
        "    let response = client.{}({}).await?;",
        method_name(op),
        args.join(", ")
    ));
    lines.push("    println!(\"{:?}\", response.body);".into());
    lines.push("    Ok(())".into());
    lines.push("}".into());
    lines.join("\n")
}

fn body_arg(
    api: &Api,
    body: &Body,
    krate: &str,
    example: Option<&Value>,
    lines: &mut Vec<String>,
) -> String {
    match body.kind {
        BodyKind::Json | BodyKind::Form => {
            let value = example
                .cloned()
                .unwrap_or_else(|| synthesize(api, &body.ty));
            let annotation = match &body.ty {
                TypeRef::Named(id) => {
                    format!(": {krate}::types::{}", rust_ident(&api.ty(*id).name))
                }
                _ => String::new(),
            };
            lines.push(format!(
                "    let body{annotation} = {};",
                from_json(&value, "    ")
            ));
            if body.required {
                "&body".into()
            } else {
                "Some(&body)".into()
            }
        }
        BodyKind::Binary => {
            if body.required {
                "std::fs::read(\"body.bin\")?".into()
            } else {
                "Some(std::fs::read(\"body.bin\")?.into())".into()
            }
        }
        BodyKind::Text => {
            if body.required {
                "\"text\"".into()
            } else {
                "Some(\"text\".into())".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_literals_outlast_their_content() {
        assert_eq!(raw_lit("{}"), "r#\"{}\"#");
        assert_eq!(raw_lit("a\"#b"), "r##\"a\"#b\"##");
    }

    #[test]
    fn reserved_and_keyword_methods() {
        assert_eq!(rust_ident("type"), "r#type");
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(rust_ident("list_items"), "list_items");
    }
}
