//! A generator of typed Rust clients from OpenAPI 3.0 and AsyncAPI 3.0 documents.
//!
//! It works like a compiler in three stages: [`load`] reads documents and resolves
//! references, [`lower`] turns them into one [`ir::Api`], and the back-ends ([`rust`],
//! [`docs`]) write files from the IR alone; the spec text they write goes through one
//! sanitizer, `spec_text`. Problems in a document are [`diag::Diagnostic`]s that
//! name the file and JSON pointer; the generator does not panic on input.

pub mod cli;
pub mod diag;
pub mod diff;
pub mod docs;
mod generated_file;
pub mod ir;
pub mod load;
pub mod lower;
pub mod rust;
mod spec_text;

use std::path::{Path, PathBuf};

use diag::{Diagnostic, Diagnostics};
pub use docs::DocsConfig;
pub use generated_file::GeneratedFile;
pub use lower::{Flags, Perspective};
pub use rust::{Grouping, PackageMeta, RUNTIME_VERSION, RustConfig};

/// What to generate from.
#[derive(Clone, Debug)]
pub struct Config {
    /// The OpenAPI document (REST operations and the schemas).
    pub openapi: Option<PathBuf>,
    /// The AsyncAPI document (message channels); its payloads may `$ref` the OpenAPI one.
    pub asyncapi: Option<PathBuf>,
    /// Which side the AsyncAPI document describes.
    pub perspective: Perspective,
    pub flags: Flags,
    pub rust: RustConfig,
    /// The API reference, written under `docs/`; `None` for none.
    pub docs: Option<DocsConfig>,
}

/// The generated files, and warnings about constructs given a fallback.
#[derive(Clone, Debug)]
pub struct Output {
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Diagnostic>,
}

/// Loads, lowers and emits; any error in the documents stops generation.
pub fn generate(config: &Config) -> Result<Output, Diagnostics> {
    let (api, documents) = load(config, true)?;
    let mut files = rust::emit(&api, &config.rust)?;
    // The mock embeds the documents it judges requests by.
    if rust::mock_wanted(&api) {
        files.extend(documents);
    }
    if let Some(docs) = &config.docs {
        for file in docs::emit(&api, docs)? {
            files.push(GeneratedFile::new(
                Path::new("docs").join(&file.path),
                file.contents,
            ));
        }
    }
    Ok(Output {
        files,
        warnings: api.warnings,
    })
}

/// Loads and lowers the configured documents into the IR.
pub fn load_api(config: &Config) -> Result<ir::Api, Diagnostics> {
    load(config, false).map(|(api, _)| api)
}

/// Loads and lowers the configured documents; with `embed`, also returns the files that
/// embed the documents as read (for the mock), written before lowering rewrites them
/// (OpenAPI 3.1 schemas into 3.0 spelling) so that no copy of the documents is kept.
fn load(config: &Config, embed: bool) -> Result<(ir::Api, Vec<GeneratedFile>), Diagnostics> {
    let roots: Vec<&Path> = config
        .openapi
        .iter()
        .chain(&config.asyncapi)
        .map(PathBuf::as_path)
        .collect();
    let sources = load::Sources::load_all(&roots)?;
    let openapi = config.openapi.as_deref().and_then(|p| sources.document(p));
    let asyncapi = config.asyncapi.as_deref().and_then(|p| sources.document(p));
    let value = |loc: &Option<diag::Location>| loc.as_ref().and_then(|l| sources.get(l));
    let documents = match (embed, value(&openapi)) {
        (true, Some(document)) => rust::mock_documents(
            document,
            value(&asyncapi),
            &other_files(&sources, config),
            &config.rust.command,
        ),
        _ => Vec::new(),
    };
    let api = lower::lower_documents(
        sources,
        openapi.as_ref(),
        asyncapi.as_ref(),
        &config.flags,
        config.perspective,
    )?;
    Ok((api, documents))
}

/// The loaded files other than the two roots, by their path relative to the OpenAPI
/// document's folder (`/`-separated); files outside that folder are left out.
fn other_files(sources: &load::Sources, config: &Config) -> Vec<(String, serde_json::Value)> {
    let canonical = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let roots: Vec<PathBuf> = config
        .openapi
        .iter()
        .chain(&config.asyncapi)
        .map(|p| canonical(p))
        .collect();
    let Some(folder) = config
        .openapi
        .as_deref()
        .map(canonical)
        .and_then(|p| p.parent().map(Path::to_owned))
    else {
        return Vec::new();
    };
    sources
        .files()
        .filter(|(path, _)| !roots.contains(&canonical(path)))
        .filter_map(|(path, value)| {
            let relative = canonical(path).strip_prefix(&folder).ok()?.to_owned();
            let parts: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            Some((parts.join("/"), value.clone()))
        })
        .collect()
}
