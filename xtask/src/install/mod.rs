//! Installs the pinned third-party tools ([`autessa_tools::pins`]): npm packages, crates
//! built with `cargo install`, Debian packages and GitHub's descriptions from npm. Every
//! install is idempotent and goes into a cache outside the repository, so that it survives
//! `cargo clean` and fresh clones.
//!
//! Only xtask installs. [`all`] installs what the tests use and returns the `AUTESSA_*`
//! variables naming each tool, which `cargo xtask test` passes to `cargo test`; the tests
//! locate the tools through them (see `autessa_tools`).

pub mod cache;
pub mod cargo;
pub mod debian;
pub mod npm;
pub mod octokit;

use std::path::PathBuf;

/// Installs every tool the tests use (the npm tools, cargo-semver-checks, GitHub's
/// descriptions, Chromium) and returns the variables that name them, `(name, path)`.
pub fn all() -> Result<Vec<(String, PathBuf)>, String> {
    let mut located = Vec::new();
    for tool in autessa_tools::ALL {
        located.push((tool.env.to_owned(), npm::install(tool)?));
    }
    let semver_checks = autessa_tools::SEMVER_CHECKS;
    located.push((
        semver_checks.env.to_owned(),
        cargo::install(&semver_checks)?,
    ));
    for version in autessa_tools::OCTOKIT_RELEASES {
        located.push((
            autessa_tools::octokit_env(version),
            octokit::description(version)?,
        ));
    }
    let mut chromium = debian::ensure(&[autessa_tools::CHROMIUM])?;
    located.push((autessa_tools::CHROMIUM_ENV.to_owned(), chromium.remove(0)));
    Ok(located)
}
