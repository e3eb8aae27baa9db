//! Spec values as Rust literals: text literals for the operation examples, tokens for the
//! channel examples. Spec text only ever becomes a literal.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote};
use serde_json::Value;

use super::values::pretty;

/// A Rust string literal (Rust's own escaping).
pub(super) fn str_lit(text: &str) -> String {
    format!("{text:?}")
}

/// A raw string literal holding `text` (never ends early, whatever `text` holds).
pub(super) fn raw_lit(text: &str) -> String {
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{text}\"{h}")
}

/// JSON parsed at run time into whatever type the call expects.
pub(super) fn from_json(value: &Value, indent: &str) -> String {
    let text = pretty(value).replace('\n', &format!("\n{indent}"));
    format!("serde_json::from_str({})?", raw_lit(&text))
}

/// A built value: an expression.
pub(super) enum Expr {
    Tokens(TokenStream),
}

impl ToTokens for Expr {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Expr::Tokens(t) => t.to_tokens(tokens),
        }
    }
}

/// JSON decoded at run time into whatever type the place expects.
pub(super) fn decoded(value: &Value) -> Expr {
    Expr::Tokens(match json_scalar(value) {
        Some(json) => quote!(serde_json::from_value(serde_json::json!(#json))?),
        None => {
            let text = json_text(value);
            quote!(serde_json::from_str(#text)?)
        }
    })
}

pub(super) fn int(n: i64) -> TokenStream {
    let abs = Literal::u64_unsuffixed(n.unsigned_abs());
    if n < 0 { quote!(-#abs) } else { quote!(#abs) }
}

pub(super) fn float(x: f64) -> TokenStream {
    let abs = Literal::f64_unsuffixed(x.abs());
    if x < 0.0 { quote!(-#abs) } else { quote!(#abs) }
}

/// A JSON string, number or boolean as the literal `serde_json::json!` takes (`None` for
/// the others). Integers outside `i32` carry a suffix, so that they never default to `i32`.
pub(super) fn json_scalar(value: &Value) -> Option<TokenStream> {
    Some(match value {
        Value::Bool(b) => quote!(#b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    int(i)
                } else if i < 0 {
                    // `-9223372036854775808i64` is a valid literal; its absolute value is
                    // not an `i64`, so the suffix goes on by hand.
                    let abs: Literal = format!("{}i64", i.unsigned_abs()).parse().ok()?;
                    quote!(-#abs)
                } else {
                    let lit = Literal::i64_suffixed(i);
                    quote!(#lit)
                }
            } else if let Some(u) = n.as_u64() {
                let lit = Literal::u64_suffixed(u);
                quote!(#lit)
            } else {
                float(n.as_f64().filter(|x| x.is_finite())?)
            }
        }
        Value::String(s) => {
            let lit = Literal::string(s);
            quote!(#lit)
        }
        Value::Null | Value::Array(_) | Value::Object(_) => return None,
    })
}

/// JSON text as a string literal: a raw one where the text allows, so that it reads as
/// JSON.
pub(super) fn json_text(value: &Value) -> Literal {
    let text = value.to_string();
    raw_lit(&text)
        .parse::<Literal>()
        .unwrap_or_else(|_| Literal::string(&text))
}
