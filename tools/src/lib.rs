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

pub mod pins;
pub mod prism;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use pins::*;

/// What to run when a tool is not located.
pub const HOW: &str = "The tests that need the pinned tools run with `cargo xtask test`, \
    which installs them and names each in its AUTESSA_* variable; to run one such test \
    alone, `eval \"$(cargo xtask tools)\"` first, then \
    `cargo test -p autessa-tests --test NAME -- --include-ignored`";

/// Environment variables set for every tool run through [`command`] (and Prism): no
/// telemetry, no update notices, and `CI=true`, which turns the AsyncAPI CLI's metrics and
/// prompts off.
pub const TOOL_ENV: &[(&str, &str)] = &[
    ("REDOCLY_TELEMETRY", "off"),
    ("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"),
    ("CI", "true"),
];

/// The path environment variable `var` names, which must exist; `what` names the tool in
/// the error, which also says how to get the variable set ([`HOW`]).
pub fn locate(var: &str, what: &str) -> Result<PathBuf, String> {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        None => Err(format!("{what} is not located: {var} is not set.\n{HOW}")),
        Some(path) => {
            let path = PathBuf::from(path);
            if path.exists() {
                Ok(path)
            } else {
                Err(format!(
                    "{what} is not located: {var}={} does not exist.\n{HOW}",
                    path.display()
                ))
            }
        }
    }
}

/// Like [`locate`], for tests: panics with its message.
pub fn require(var: &str, what: &str) -> PathBuf {
    locate(var, what).unwrap_or_else(|e| panic!("{e}"))
}

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

    #[test]
    fn a_missing_variable_says_what_to_run() {
        let error = locate("AUTESSA_NO_SUCH_TOOL_VARIABLE", "a tool").unwrap_err();
        assert!(
            error.contains("AUTESSA_NO_SUCH_TOOL_VARIABLE is not set"),
            "{error}"
        );
        assert!(error.contains("cargo xtask test"), "{error}");
    }
}
