//! What `cargo xtask codegen` generates, and where: the `autessa` crate from `schema/`, and
//! one snapshot crate per fixture spec under `tests/fixtures/`. `cargo xtask codegen --check`
//! and the snapshot tests (which use xtask's library for this module) compare these
//! renderings with the files on disk.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use autessa_codegen::diff::{self, Report};
use autessa_codegen::{
    Config, DocsConfig, Flags, GeneratedFile, Grouping, PackageMeta, RUNTIME_VERSION, RustConfig,
};

use autessa_tools::workspace_root;

/// The command that regenerates every target; named in file headers and in errors.
pub const COMMAND: &str = "cargo xtask codegen";

/// The note attached to everything the schema marks as not confirmed by the public reference.
pub const INFERRED_NOTE: &str =
    "Not confirmed by the public API reference (`x-autessa-inferred`): an inferred design.";

/// One generated crate.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    /// Where the files go, relative to the workspace root.
    pub out: PathBuf,
    pub config: Config,
    /// Whether the crate records its changes: a copy of the documents it was generated
    /// from (`api/`), a version that follows each change, and `CHANGELOG.md`.
    pub records_changes: bool,
}

/// Every target: the `autessa` crate first, then the fixtures in name order.
pub fn targets() -> Vec<Target> {
    let root = workspace_root();
    let fixtures = fixture_specs(&root)
        .into_iter()
        .map(|(name, spec)| fixture_target(name, spec));
    std::iter::once(autessa_target(&root))
        .chain(fixtures)
        .collect()
}

/// The `autessa` crate, from `schema/`, with its reference docs and its change records.
fn autessa_target(root: &Path) -> Target {
    Target {
        name: "autessa".into(),
        out: PathBuf::from("generated"),
        records_changes: true,
        config: Config {
            openapi: Some(root.join("schema/openapi.yaml")),
            asyncapi: Some(root.join("schema/asyncapi.yaml")),
            perspective: Default::default(),
            flags: Flags(vec![("x-autessa-inferred".into(), INFERRED_NOTE.into())]),
            rust: RustConfig {
                features_by: None,
                crate_name: "autessa".into(),
                crate_version: "0.1.0".into(),
                runtime_dependency: format!(
                    "{{ path = \"../runtime\", version = \"{RUNTIME_VERSION}\" }}"
                ),
                env_prefix: "AUTESSA".into(),
                command: COMMAND.into(),
                package: autessa_package(),
            },
            docs: Some(DocsConfig {
                crate_name: "autessa".into(),
                overview: std::fs::read_to_string(root.join("schema/docs-overview.md"))
                    .expect("schema/docs-overview.md holds the reference's overview"),
                command: COMMAND.into(),
                changelog: None,
            }),
        },
    }
}

/// The `autessa` crate's package metadata, for publishing.
fn autessa_package() -> PackageMeta {
    PackageMeta {
        description: "A typed Rust client for the Autessa AI-agent platform: agents, \
                      tools and AutessaDB over REST and WebSocket."
            .into(),
        license: "MIT OR Apache-2.0".into(),
        homepage: "https://autessa.com".into(),
        documentation: "https://docs.rs/autessa".into(),
        keywords: ["autessa", "ai", "agents", "api", "client"]
            .map(Into::into)
            .into(),
        categories: [
            "api-bindings",
            "web-programming::http-client",
            "web-programming::websocket",
        ]
        .map(Into::into)
        .into(),
        publish: true,
        ..PackageMeta::default()
    }
}

/// The snapshot crate of the fixture `name`, whose OpenAPI document is `spec`.
fn fixture_target(name: String, spec: PathBuf) -> Target {
    // A fixture's channels, when it has any, beside its OpenAPI document; and how its
    // crate is split into cargo features, when a `features-by` file says so.
    let asyncapi = spec.with_file_name("asyncapi.yaml");
    let features_by = std::fs::read_to_string(spec.with_file_name("features-by"))
        .ok()
        .and_then(|by| Grouping::parse(by.trim()));
    Target {
        out: PathBuf::from("tests/fixtures").join(&name).join("expected"),
        records_changes: false,
        config: Config {
            openapi: Some(spec),
            asyncapi: asyncapi.is_file().then_some(asyncapi),
            perspective: Default::default(),
            flags: Flags(vec![(
                "x-inferred".into(),
                "Inferred, not documented.".into(),
            )]),
            rust: RustConfig {
                features_by,
                crate_name: format!("fixture-{name}"),
                crate_version: "0.0.0".into(),
                runtime_dependency: "{ path = \"../../../../runtime\" }".into(),
                env_prefix: format!("FIXTURE_{}", name.to_uppercase().replace('-', "_")),
                command: COMMAND.into(),
                package: PackageMeta::default(),
            },
            docs: None,
        },
        name,
    }
}

/// `tests/fixtures/<name>/spec.{yaml,json}`, sorted by name.
fn fixture_specs(root: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(root.join("tests/fixtures")) else {
        return Vec::new();
    };
    let mut specs: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            ["spec.yaml", "spec.json"]
                .iter()
                .map(|f| e.path().join(f))
                .find(|p| p.is_file())
                .map(|p| (name, p))
        })
        .collect();
    specs.sort();
    specs
}

/// Generates a target's files in memory.
pub fn render(target: &Target) -> Result<Vec<GeneratedFile>, String> {
    render_in(target, &workspace_root().join(&target.out)).map(|(files, _)| files)
}

/// Generates a target's files in memory, as they go to `out_dir`; for a target that records
/// its changes, also what changed since the documents in `out_dir/api/`.
pub fn render_in(
    target: &Target,
    out_dir: &Path,
) -> Result<(Vec<GeneratedFile>, Option<Report>), String> {
    let mut config = target.config.clone();
    let mut recorded = Vec::new();
    let mut report = None;
    if target.records_changes {
        let release = release(&config, out_dir)?;
        config.rust.crate_version = release.version;
        recorded = release.files;
        report = release.report;
        // The reference shows the change log as a page.
        if let Some(docs) = &mut config.docs {
            docs.changelog = recorded
                .iter()
                .find(|f| f.path == Path::new("CHANGELOG.md"))
                .map(|f| f.contents.clone());
        }
    }
    let output = autessa_codegen::generate(&config)
        .map_err(|d| format!("generating `{}` failed:\n{d}", target.name))?;
    let mut files = output.files;
    files.extend(recorded);
    Ok((files, report))
}

/// The folder, inside a crate that records its changes, holding the documents it was
/// generated from.
pub const SNAPSHOT_DIR: &str = "api";

/// What a regeneration records: the version, the change log and the documents' copy.
struct Release {
    version: String,
    report: Option<Report>,
    files: Vec<GeneratedFile>,
}

/// Compares the documents with their copy from the last generation (`out_dir/api/`): the
/// version is the last one (read from `out_dir/Cargo.toml`), bumped by the Rust verdict of
/// the changes, and the change log gets an entry for it. Each document must be one file (a
/// `$ref` between the two documents is fine: their copies sit side by side).
fn release(config: &Config, out_dir: &Path) -> Result<Release, String> {
    let current = autessa_codegen::load_api(config)
        .map_err(|d| format!("reading the documents failed:\n{d}"))?;
    let snapshot = out_dir.join(SNAPSHOT_DIR);
    let copy_of = |path: &Option<PathBuf>| {
        path.as_ref()
            .and_then(|p| p.file_name())
            .map(|name| snapshot.join(name))
    };
    let previous = Config {
        openapi: copy_of(&config.openapi),
        asyncapi: copy_of(&config.asyncapi),
        ..config.clone()
    };
    let documents: Vec<(&PathBuf, &PathBuf)> = config
        .openapi
        .iter()
        .zip(&previous.openapi)
        .chain(config.asyncapi.iter().zip(&previous.asyncapi))
        .collect();
    let report = if !documents.is_empty() && documents.iter().all(|(_, copy)| copy.is_file()) {
        let before = autessa_codegen::load_api(&previous).map_err(|d| {
            format!(
                "reading the documents of the last generation ({}) failed:\n{d}",
                snapshot.display()
            )
        })?;
        Some(diff::compare(&before, &current))
    } else {
        None
    };
    let last = std::fs::read_to_string(out_dir.join("Cargo.toml"))
        .ok()
        .and_then(|manifest| package_version(&manifest))
        .unwrap_or_else(|| config.rust.crate_version.clone());
    let version = match report.as_ref().and_then(Report::rust) {
        Some(semver) => diff::bump(&last, semver)?,
        None => last,
    };
    let log = std::fs::read_to_string(out_dir.join("CHANGELOG.md")).ok();
    let mut files = vec![GeneratedFile::new(
        "CHANGELOG.md",
        diff::changelog(
            log.as_deref(),
            &config.rust.crate_name,
            &config.rust.command,
            &version,
            report.as_ref(),
        ),
    )];
    for (document, copy) in documents {
        let mut text = std::fs::read_to_string(document)
            .map_err(|e| format!("cannot read {}: {e}", document.display()))?;
        let name = copy.file_name().unwrap_or_default();
        // A YAML copy says what it is; a JSON one cannot hold a comment.
        if !name.to_string_lossy().ends_with(".json") {
            text = format!(
                "# @generated by `{}`: the document as of the last generation, which the next \
                 one compares with. Do not edit.\n{text}",
                config.rust.command
            );
        }
        files.push(GeneratedFile::new(Path::new(SNAPSHOT_DIR).join(name), text));
    }
    Ok(Release {
        version,
        report,
        files,
    })
}

/// The `version` of a manifest's `[package]`.
fn package_version(manifest: &str) -> Option<String> {
    let package = manifest.split("\n[package]\n").nth(1)?;
    package
        .lines()
        .take_while(|line| !line.starts_with('['))
        .find_map(|line| {
            let value = line.strip_prefix("version = \"")?;
            Some(value.strip_suffix('"')?.to_owned())
        })
}

/// A difference between what the generator produces and what is on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stale {
    Missing(PathBuf),
    Changed {
        path: PathBuf,
        on_disk: String,
        generated: String,
    },
    /// On disk, but no longer generated.
    Extra(PathBuf),
}

impl Stale {
    pub fn path(&self) -> &Path {
        match self {
            Stale::Missing(p) | Stale::Extra(p) | Stale::Changed { path: p, .. } => p,
        }
    }
}

/// Compares rendered files with the target's folder on disk.
pub fn compare(target: &Target, files: &[GeneratedFile]) -> Vec<Stale> {
    let dir = workspace_root().join(&target.out);
    let mut stale = Vec::new();
    let mut expected = BTreeSet::new();
    for file in files {
        let path = target.out.join(&file.path);
        expected.insert(file.path.clone());
        match std::fs::read_to_string(dir.join(&file.path)) {
            Ok(on_disk) if on_disk == file.contents => {}
            Ok(on_disk) => stale.push(Stale::Changed {
                path,
                on_disk,
                generated: file.contents.clone(),
            }),
            Err(_) => stale.push(Stale::Missing(path)),
        }
    }
    for existing in list_files(&dir) {
        if !expected.contains(&existing) {
            stale.push(Stale::Extra(target.out.join(existing)));
        }
    }
    stale
}

/// Writes the rendered files and removes files that are no longer generated.
pub fn write(target: &Target, files: &[GeneratedFile]) -> std::io::Result<usize> {
    let dir = workspace_root().join(&target.out);
    let mut written = 0;
    for stale in compare(target, files) {
        let path = workspace_root().join(stale.path());
        match stale {
            Stale::Extra(_) => std::fs::remove_file(&path)?,
            Stale::Missing(_) | Stale::Changed { .. } => {
                let rel = path.strip_prefix(&dir).unwrap_or(&path).to_path_buf();
                let file = files.iter().find(|f| f.path == rel);
                if let Some(file) = file {
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    std::fs::write(&path, &file.contents)?;
                    written += 1;
                }
            }
        }
    }
    Ok(written)
}

/// Files under `dir`, relative to it (build output and lock files aside).
fn list_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let path = e.path();
            let name = e.file_name();
            if name == "target" || name == "Cargo.lock" {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// A short line diff for error messages: the first differing lines with context.
pub fn line_diff(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.unified_diff()
        .context_radius(2)
        .header("on disk", "generated")
        .to_string()
}
