//! The corpus crates: generated with their smoke example, written into one workspace
//! under `target/corpus/`, leaving unchanged files alone.

use std::path::{Path, PathBuf};

use autessa_codegen::{GeneratedFile, load_api};
use autessa_tools::workspace_root;

use super::specs::config;
use super::table::Row;
use super::{example, smoke};

/// The files of a spec's crate: the generated crate, with its smoke example.
pub fn generate_crate(name: &str, spec: &Path) -> Result<Vec<GeneratedFile>, String> {
    let config = config(name, spec);
    let api = load_api(&config).map_err(|e| e.to_string())?;
    // What `generate` writes for a configuration without docs, with the IR kept.
    let mut files = autessa_codegen::rust::emit(&api, &config.rust).map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let document: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", spec.display()))?;
    let source = example::source(
        &api,
        &document,
        &config.rust.crate_name,
        &config.rust.command,
    );
    for file in &mut files {
        if file.path.as_os_str() == "Cargo.toml" {
            file.contents.push_str(&example::manifest(name));
        }
    }
    // The documents the mock embeds (a corpus spec is one file).
    if autessa_codegen::rust::mock_wanted(&api) {
        files.extend(autessa_codegen::rust::mock_documents(
            &document,
            None,
            &[],
            &config.rust.command,
        ));
    }
    files.push(GeneratedFile::new("examples/smoke.rs", source));
    Ok(files)
}

/// Writes a generated crate into `dir`, leaving files that did not change alone (so that
/// cargo does not build them again) and removing the ones no longer generated; returns its
/// Rust lines.
pub fn write(files: &[GeneratedFile], dir: &Path) -> Result<usize, String> {
    let wanted: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path)).collect();
    let mut present = Vec::new();
    files_under(dir, &mut present);
    for stale in present.iter().filter(|p| !wanted.contains(p)) {
        std::fs::remove_file(stale).map_err(|e| format!("{}: {e}", stale.display()))?;
    }
    let mut lines = 0;
    for (file, path) in files.iter().zip(&wanted) {
        if std::fs::read_to_string(path).ok().as_deref() != Some(file.contents.as_str()) {
            std::fs::create_dir_all(path.parent().unwrap_or(dir))
                .map_err(|e| format!("{}: {e}", dir.display()))?;
            std::fs::write(path, &file.contents).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        // The mock (a feature for tests, which embeds the documents) is not counted.
        let mock = file.path.components().any(|c| c.as_os_str() == "mock")
            || file.path.file_stem().is_some_and(|n| n == "mock");
        if file.path.extension().is_some_and(|e| e == "rs") && !mock {
            lines += file.contents.lines().count();
        }
    }
    Ok(lines)
}

/// Every file under `dir`.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// A workspace of the generated crates, apart from ours (its builds neither join nor wait
/// for ours), with our lock file, so that it builds the dependency versions ours was tested
/// with, and our profile.
pub fn write_workspace(root: &Path, rows: &[Row]) -> Result<(), String> {
    let members: Vec<String> = rows
        .iter()
        .filter(|r| r.failure.is_none())
        .map(|r| format!("{:?}", r.name))
        .collect();
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n\
         [profile.dev]\ndebug = \"line-tables-only\"\n\n\
         [profile.dev.package.\"*\"]\ndebug = false\n{}",
        members.join(", "),
        smoke::PROFILE_TOML
    );
    std::fs::write(root.join("Cargo.toml"), manifest).map_err(|e| format!("{e}"))?;
    std::fs::copy(workspace_root().join("Cargo.lock"), root.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;
    Ok(())
}
