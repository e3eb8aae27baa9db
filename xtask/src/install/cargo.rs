//! Installs pinned tools from crates.io ([`autessa_tools::CargoTool`]: cargo-semver-checks,
//! cargo-progenitor) with `cargo install --locked` into the tools cache
//! ([`super::cache::cache_dir`]).
//!
//! As for the npm tools, an install goes to a temporary sibling folder that is renamed to
//! its final name once complete, so a folder with the final name is always a whole install
//! and concurrent installs cannot leave a broken one.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use autessa_tools::CargoTool;

use super::cache::cache_dir;

/// Serialises installs within one process (several tests may need the same tool).
static INSTALL: Mutex<()> = Mutex::new(());

/// `<cache>/<crate>-<version>`.
fn dir(tool: &CargoTool) -> PathBuf {
    cache_dir().join(format!("{}-{}", tool.krate, tool.version))
}

/// The executable inside [`dir`].
fn bin_path(tool: &CargoTool) -> PathBuf {
    dir(tool)
        .join("bin")
        .join(format!("{}{}", tool.bin, std::env::consts::EXE_SUFFIX))
}

/// Installs the tool unless it is there already; returns its executable. Needs `cargo`
/// and access to crates.io when it is not installed yet.
pub fn install(tool: &CargoTool) -> Result<PathBuf, String> {
    let bin = bin_path(tool);
    let _guard = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
    if bin.exists() {
        return Ok(bin);
    }
    let cache = cache_dir();
    std::fs::create_dir_all(&cache)
        .map_err(|e| format!("cannot create the tools cache {}: {e}", cache.display()))?;
    let temp = cache.join(format!(
        ".{}-{}.tmp-{}",
        tool.krate,
        tool.version,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&temp);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "install",
            "--locked",
            "--quiet",
            tool.krate,
            "--version",
            tool.version,
        ])
        .arg("--root")
        .arg(&temp)
        // Its own target folder, so that the install neither waits for nor invalidates
        // the workspace build.
        .env("CARGO_TARGET_DIR", temp.join("target"))
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&temp);
        return Err(format!(
            "`cargo install {}@{}` failed ({status})",
            tool.krate, tool.version
        ));
    }
    let _ = std::fs::remove_dir_all(temp.join("target"));
    match std::fs::rename(&temp, dir(tool)) {
        Ok(()) => Ok(bin),
        // Another process finished first: its install is whole.
        Err(_) if bin.exists() => {
            let _ = std::fs::remove_dir_all(&temp);
            Ok(bin)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&temp);
            Err(format!("cannot move the install into place: {e}"))
        }
    }
}
