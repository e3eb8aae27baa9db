//! The Rust example of an operation: the client built, the required parameters and the
//! body given from their examples, the call awaited.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::literal::{from_json, str_lit};
use super::values::{
    base_url, body_json, client_takes_key, crate_path, method_name, param_value, rust_ident,
};
use super::writer::Writer;
use crate::docs::conform::conform;
use crate::docs::synth::synthesize_within;
use crate::ir::{
    Api, Body, BodyKind, Field, Operation, Param, ParamLocation, Primitive, TypeKind, TypeRef,
};
use crate::rust::ident::ident;
use crate::rust::types::constructor_args;

/// The argument for a required parameter: its example (or a value made up within its
/// limits) written as the Rust type the method takes.
fn param_arg(api: &Api, param: &Param) -> String {
    let example = param_value(api, param);
    match &param.ty {
        TypeRef::Array(item) => {
            let items = match example {
                Value::Array(items) => items,
                one => vec![one],
            };
            let items: Vec<String> = items.iter().map(|v| item_arg(item, v)).collect();
            format!("&[{}]", items.join(", "))
        }
        TypeRef::Primitive(p) if scalar_arg(*p, &example).is_some() => {
            scalar_arg(*p, &example).unwrap_or_default()
        }
        _ => format!("&{}", from_json(&example, "    ")),
    }
}

/// A scalar parameter as the method takes it (text borrowed, numbers by value).
fn scalar_arg(p: Primitive, example: &Value) -> Option<String> {
    Some(match p {
        Primitive::String | Primitive::Uri | Primitive::Binary => match example {
            Value::String(s) => str_lit(s),
            other => str_lit(&other.to_string()),
        },
        Primitive::Boolean => example.as_bool().unwrap_or(true).to_string(),
        Primitive::I32 => {
            let n = example.as_i64().and_then(|n| i32::try_from(n).ok());
            n.unwrap_or(1).to_string()
        }
        Primitive::I64 => example.as_i64().unwrap_or(1).to_string(),
        Primitive::U64 => example.as_u64().unwrap_or(1).to_string(),
        Primitive::F32 | Primitive::F64 => {
            let x = example.as_f64().filter(|x| x.is_finite()).unwrap_or(1.5);
            format!("{x:?}")
        }
        _ => return None,
    })
}

/// An item of a list parameter (`&[T]`): owned text, numbers as they are, other types
/// decoded from their JSON.
fn item_arg(item: &TypeRef, value: &Value) -> String {
    match item {
        TypeRef::Primitive(Primitive::String | Primitive::Uri | Primitive::Binary) => {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{}.to_owned()", str_lit(&text))
        }
        TypeRef::Primitive(
            p @ (Primitive::Boolean
            | Primitive::I32
            | Primitive::I64
            | Primitive::U64
            | Primitive::F32
            | Primitive::F64),
        ) => scalar_arg(*p, value).unwrap_or_default(),
        _ => from_json(value, "    "),
    }
}

/// An operation called with example arguments, as Rust text to put in a function that
/// returns `Result<_, Box<dyn std::error::Error>>` and has `client` in scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallCode {
    /// Statements building the arguments, each indented by four spaces.
    pub setup: Vec<String>,
    /// The method call, not awaited: `client.method(args)`.
    pub call: String,
}

/// The call of `op` with its required parameters and body taken from examples (see
/// [`body_value`](super::values::body_value)), or made up from their types.
pub fn call_code(
    api: &Api,
    op: &Operation,
    crate_name: &str,
    body_example: Option<&Value>,
) -> CallCode {
    let krate = crate_path(crate_name);
    let mut setup = Vec::new();
    // Optional parameters are set on the call with its `with_` methods; the example leaves
    // them out.
    let mut args: Vec<String> = Vec::new();
    for param in op.params_in_call_order() {
        if param.required && param.location != ParamLocation::Cookie && param.from_body.is_none() {
            args.push(param_arg(api, param));
        }
    }
    if let Some(body) = &op.body {
        args.push(body_arg(api, body, &krate, body_example, &mut setup));
    }
    CallCode {
        setup,
        call: format!("client.{}({})", method_name(op), args.join(", ")),
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
    let code = call_code(api, op, crate_name, body_example);
    lines.extend(code.setup);
    lines.push(format!("    let response = {}.await?;", code.call));
    lines.push("    println!(\"{:?}\", response.body);".into());
    lines.push("    Ok(())".into());
    lines.push("}".into());
    lines.join("\n")
}

/// `let body = ...;` building `value` with the crate's constructors and setters (JSON
/// decoded at run time only where a type has no literal form), indented for a function body.
fn typed_body(api: &Api, ty: &TypeRef, value: &Value, krate: &str) -> String {
    let path: TokenStream = krate.parse().unwrap_or_else(|_| quote!(crate));
    let mut w = Writer::new(api, &ident("__crate"));
    w.types = quote!(#path::types);
    let expr = w.value(ty, value, "body", 0);
    let item = quote!(fn wrapper() { let body = #expr; });
    let text = syn::parse2::<syn::File>(item)
        .map(|file| prettyplease::unparse(&file))
        .unwrap_or_default();
    // The statement, as prettyplease laid it out inside the wrapper.
    let statement: Vec<&str> = text
        .lines()
        .skip(1)
        .take_while(|line| *line != "}")
        .collect();
    match statement.is_empty() {
        true => format!("    let body = {};", from_json(value, "    ")),
        false => statement.join("\n"),
    }
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
            let value = body_json(api, body, example);
            lines.push(typed_body(api, &body.ty, &value, krate));
            if body.required {
                "&body".into()
            } else {
                "Some(&body)".into()
            }
        }
        BodyKind::Multipart => {
            let body_value = example.cloned().unwrap_or(Value::Null);
            lines.push(format!(
                "    let body = {};",
                multipart_body(api, body, krate, &body_value)
            ));
            if body.required {
                "body".into()
            } else {
                "Some(body)".into()
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

/// A multipart body built with `new` and `with_` setters: files read from disk, text as
/// literals, other members decoded from their example JSON. Optional members are set where
/// the example gives them, and optional files always (an upload says little without one).
fn multipart_body(api: &Api, body: &Body, krate: &str, example: &Value) -> String {
    let TypeRef::Named(id) = crate::ir::resolve(&api.types, &body.ty) else {
        return String::new();
    };
    let TypeKind::Struct(s) = &api.ty(*id).kind else {
        return String::new();
    };
    let file = format!("{krate}::FilePart::file(\"upload.bin\")");
    let given = |f: &Field| {
        example
            .get(&f.wire)
            .or(f.docs.example.as_ref())
            .map(|example| conform(api, &f.ty, example))
    };
    let part = |f: &Field, value: Value| match (f.files(), &f.ty) {
        (Some(crate::ir::Files::One), _) => file.clone(),
        (Some(crate::ir::Files::Many), _) => format!("vec![{file}]"),
        (None, TypeRef::Primitive(Primitive::String | Primitive::Uri))
            if !f.nullable && !f.boxed =>
        {
            match value {
                Value::String(text) => str_lit(&text),
                other => str_lit(&other.to_string()),
            }
        }
        (None, _) => from_json(&value, "    "),
    };
    let args: Vec<String> = constructor_args(api, s)
        .iter()
        .map(|f| {
            let value = given(f).unwrap_or_else(|| synthesize_within(api, &f.ty, &f.constraints));
            part(f, value)
        })
        .collect();
    let sets: Vec<String> = s
        .fields
        .iter()
        .filter(|f| !f.required && !f.nullable && !f.boxed && !f.flatten)
        .filter_map(|f| {
            let value = match (given(f), f.files()) {
                (Some(value), _) => value,
                (None, Some(_)) => Value::Null,
                (None, None) => return None,
            };
            let setter = rust_ident(&format!("with_{}", f.name.trim_start_matches("r#")));
            Some(format!(".{setter}({})", part(f, value)))
        })
        .collect();
    format!(
        "{krate}::types::{}::new({}){}",
        rust_ident(&api.ty(*id).name),
        args.join(", "),
        sets.concat()
    )
}
