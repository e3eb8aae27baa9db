//! The pinned third-party tools, as their users see them: which versions ([`pins`]), where
//! each one is, and a runner for Prism ([`prism`]).
//!
//! Installing is `xtask`'s job (`cargo xtask tools`, part of `cargo xtask test`): it installs
//! every tool into a cache outside the repository and names each one in an `AUTESSA_*`
//! environment variable ([`pins::Tool::env`] and its siblings). Tests only read those
//! variables, so that `cargo test` never runs npm, apt or cargo install, nor reaches the
//! network; this crate holds no installer, and the tests crate cannot call one. A test that
//! needs a tool is `#[ignore]`d, and fails with [`HOW`] when it is run anyway without the
//! variable.
//!
//! A leaf crate (nothing of the workspace), so that both `xtask` and the tests depend on it
//! and neither on the other's installers or tests.

mod location;
pub mod pins;
pub mod prism;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use location::{HOW, locate, require};
pub use pins::*;

/// Environment variables set for every tool run through [`command`] (and Prism): no
/// telemetry, no update notices, and `CI=true`, which turns the AsyncAPI CLI's metrics and
/// prompts off.
pub const TOOL_ENV: &[(&str, &str)] = &[
    ("REDOCLY_TELEMETRY", "off"),
    ("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"),
    ("CI", "true"),
];

/// A [`Command`] that runs `tool` (located, see [`Tool::require`]) with the [`TOOL_ENV`]
/// environment and the workspace root as its working directory, so that `redocly.yaml` is
/// found and paths such as `schema/openapi.yaml` work.
pub fn command(tool: &Tool) -> Command {
    let mut command = Command::new(tool.require());
    command
        .envs(TOOL_ENV.iter().copied())
        .current_dir(workspace_root());
    command
}

/// The root of the Cargo workspace (the folder holding `schema/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tools crate lives inside the workspace")
        .to_path_buf()
}

/// A process's stdout and stderr, as text, for error messages.
pub fn combined_output(output: &Output) -> String {
    format!(
        "--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_root_holds_the_schemas() {
        assert!(workspace_root().join("schema").is_dir());
    }
}
