//! A generator of typed Rust clients from OpenAPI 3.0 and AsyncAPI 3.0 documents.
//!
//! It works like a compiler in three stages: [`load`] reads documents and resolves
//! references, [`lower`] turns them into one [`ir::Api`], and the back-ends ([`rust`])
//! write files from the IR alone. Problems in a document are [`diag::Diagnostic`]s that
//! name the file and JSON pointer; the generator does not panic on input.

pub mod diag;
pub mod ir;
pub mod load;
pub mod lower;
pub mod rust;

use std::path::{Path, PathBuf};

use diag::{Diagnostic, Diagnostics};
pub use lower::Flags;
pub use rust::RustConfig;

/// A file to write, relative to the output folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: PathBuf,
    pub contents: String,
}

impl GeneratedFile {
    pub fn new(path: impl Into<PathBuf>, contents: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            contents: contents.into(),
        }
    }
}

/// What to generate from.
#[derive(Clone, Debug)]
pub struct Config {
    pub openapi: PathBuf,
    pub flags: Flags,
    pub rust: RustConfig,
}

/// The generated files, and warnings about constructs given a fallback.
#[derive(Clone, Debug)]
pub struct Output {
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Diagnostic>,
}

/// Loads, lowers and emits; any error in the documents stops generation.
pub fn generate(config: &Config) -> Result<Output, Diagnostics> {
    let api = load_api(&config.openapi, &config.flags)?;
    let files = rust::emit(&api, &config.rust)?;
    Ok(Output {
        files,
        warnings: api.warnings,
    })
}

/// Loads and lowers an OpenAPI document into the IR.
pub fn load_api(openapi: &Path, flags: &Flags) -> Result<ir::Api, Diagnostics> {
    let sources = load::Sources::load(openapi)?;
    lower::lower_openapi(sources, flags)
}
