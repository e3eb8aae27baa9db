//! The phrases the pages are written in: descriptions and notes, the names of primitive
//! types, parameter places, statuses and authentication.

use serde_json::Value;

use crate::docs::markdown::Md;
use crate::ir::{AuthKind, Docs, ParamLocation, Primitive, Status};

/// `"text"` as JSON.
pub(super) fn json_str(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

pub(super) fn capitalise(md: Md) -> Md {
    let s = md.as_str();
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() => {
            Md::trusted(format!("{}{}", c.to_ascii_uppercase(), chars.as_str()))
        }
        _ => md,
    }
}

pub(super) fn primitive_name(p: Primitive) -> &'static str {
    match p {
        Primitive::String => "string",
        Primitive::Boolean => "boolean",
        Primitive::I32 => "integer (int32)",
        Primitive::I64 => "integer (int64)",
        Primitive::U64 => "integer (uint64)",
        Primitive::F32 => "number (float)",
        Primitive::F64 => "number (double)",
        Primitive::DateTime => "string (date-time)",
        Primitive::Date => "string (date)",
        Primitive::Uuid => "string (uuid)",
        Primitive::Base64 => "string (base64 bytes)",
        Primitive::Binary => "binary",
        Primitive::Uri => "string (uri)",
    }
}

/// Summary and description as Markdown (the description once, if both say the same).
pub(super) fn docs_md(docs: &Docs) -> Md {
    let summary = docs.summary.as_deref().map(str::trim).unwrap_or("");
    let description = docs.description.as_deref().map(str::trim).unwrap_or("");
    let mut parts = Vec::new();
    if !summary.is_empty() {
        parts.push(Md::markdown(summary));
    }
    if !description.is_empty() && description != summary {
        parts.push(Md::markdown(description));
    }
    Md::join(parts, "\n\n")
}

/// The notes of flagged extensions (and deprecation), each a short Markdown line.
pub(super) fn flag_notes(docs: &Docs) -> Vec<Md> {
    let mut notes: Vec<Md> = docs
        .flags
        .iter()
        .map(|f| Md::trusted("⚠️ **Note:** ").then(Md::markdown(f).as_str()))
        .collect();
    if docs.deprecated {
        notes.push(Md::trusted("**Deprecated.**"));
    }
    notes
}

/// The same notes as block quotes, for under a heading.
pub(super) fn note_blocks(docs: &Docs) -> Vec<Md> {
    flag_notes(docs).iter().map(Md::quote).collect()
}

pub(super) fn location_name(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

pub(super) fn status_name(s: Status) -> String {
    match s {
        Status::Code(c) => c.to_string(),
        Status::Range(r) => format!("{r}XX"),
        Status::Default => "default".into(),
    }
}

pub(super) fn auth_md(kind: &AuthKind) -> Md {
    match kind {
        AuthKind::ApiKey { location, name } => Md::trusted(
            format!(
                "An API key, sent as is in the {} {} {}.",
                Md::code(name),
                location_name(*location),
                if *location == ParamLocation::Query {
                    "parameter"
                } else {
                    ""
                }
            )
            .replace(" .", "."),
        ),
        AuthKind::Bearer => Md::trusted("A bearer token: `Authorization: Bearer <token>`."),
        AuthKind::Basic => {
            Md::trusted("HTTP basic authentication: `Authorization: Basic <credentials>`.")
        }
        AuthKind::Other(what) => Md::trusted("Described by the document as ")
            .then(Md::code(what).as_str())
            .then("; the generated client does not apply it."),
    }
}
