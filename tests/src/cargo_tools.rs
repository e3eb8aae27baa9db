//! Pinned tools from crates.io (cargo-semver-checks), built with `cargo install --locked`
//! into the same cache as the npm tools ([`crate::tools::cache_dir`]).
//!
//! As for the npm tools, an install goes to a temporary sibling folder that is renamed to
//! its final name once complete, so a folder with the final name is always a whole install
//! and concurrent installs cannot leave a broken one.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use crate::tools::cache_dir;

/// A binary crate, pinned to one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CargoTool {
    /// The crate name on crates.io.
    pub krate: &'static str,
    /// The exact version to install.
    pub version: &'static str,
    /// The executable it installs.
    pub bin: &'static str,
}

/// cargo-semver-checks: classifies the changes between two versions of a crate's public
/// API (a few minutes to build the first time).
pub const SEMVER_CHECKS: CargoTool = CargoTool {
    krate: "cargo-semver-checks",
    version: "0.51.0",
    bin: "cargo-semver-checks",
};

/// cargo-progenitor: progenitor's generator, the peer in `cargo xtask bench` (never needed
/// by the tests).
pub const PROGENITOR: CargoTool = CargoTool {
    krate: "cargo-progenitor",
    version: "0.15.1",
    bin: "cargo-progenitor",
};

/// Serialises installs within one process (several tests may need the same tool).
static INSTALL: Mutex<()> = Mutex::new(());

impl CargoTool {
    /// `<cache>/<crate>-<version>`.
    pub fn dir(&self) -> PathBuf {
        cache_dir().join(format!("{}-{}", self.krate, self.version))
    }

    /// The executable inside [`CargoTool::dir`].
    pub fn bin_path(&self) -> PathBuf {
        self.dir()
            .join("bin")
            .join(format!("{}{}", self.bin, std::env::consts::EXE_SUFFIX))
    }

    /// Installs the tool unless it is there already; returns its executable. Needs `cargo`
    /// and access to crates.io when it is not installed yet.
    pub fn install(&self) -> Result<PathBuf, String> {
        let bin = self.bin_path();
        let _guard = INSTALL.lock().unwrap_or_else(|p| p.into_inner());
        if bin.exists() {
            return Ok(bin);
        }
        let cache = cache_dir();
        std::fs::create_dir_all(&cache)
            .map_err(|e| format!("cannot create the tools cache {}: {e}", cache.display()))?;
        let temp = cache.join(format!(
            ".{}-{}.tmp-{}",
            self.krate,
            self.version,
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&temp);
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "install",
                "--locked",
                "--quiet",
                self.krate,
                "--version",
                self.version,
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
                self.krate, self.version
            ));
        }
        let _ = std::fs::remove_dir_all(temp.join("target"));
        match std::fs::rename(&temp, self.dir()) {
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
}
