//! `cargo xtask downstream`: the packaged crates, used as a downstream crate uses them.
//!
//! `tests/downstream` is a crate outside the workspace whose only dependencies are `autessa`
//! and tokio. It is built (with `-D warnings`) against the unpacked `cargo package` output,
//! `autessa` and `autessa-runtime` patched in with `--config`, in its own target folder
//! (`<target>/downstream`), and run against the mock servers of `autessa-mock` (REST,
//! WebSocket, storage). The run fails when the program fails a check, or when the mock saw
//! a request the schema does not allow. Then its tests run (`cargo test`): its own code
//! against `autessa::mock::Mock`, the `mock` feature of the packaged crate.

use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};

use autessa_tools::workspace_root;
use serde_json::Value;

use crate::run_cargo::{cargo_stdout, cargo_with};

/// The key the mock expects and the program sends.
const API_KEY: &str = "sk-downstream-7b3e";

/// The published crates, in dependency order, and their version.
const PACKAGES: [&str; 2] = ["autessa-runtime", "autessa"];
const VERSION: &str = "0.1.0";

/// Packages `autessa-runtime` and `autessa`, and unpacks each `.crate` file next to it
/// (`<target>/package/<name>-<version>/`), which is what the downstream build compiles: the
/// packages must build from their own files (versioned dependencies, nothing outside the
/// package). Cargo's own verification is skipped: it compiles the same files through a
/// temporary registry whose unpacked copies cargo keeps between runs of one version, so a
/// changed package could be verified against a stale copy.
pub fn package() -> Result<(), String> {
    cargo_with(
        &[
            "package",
            "--allow-dirty",
            "--no-verify",
            "-p",
            PACKAGES[0],
            "-p",
            PACKAGES[1],
        ],
        &[],
    )?;
    let packages = target_directory()?.join("package");
    for name in PACKAGES {
        let unpacked = packages.join(format!("{name}-{VERSION}"));
        if unpacked.exists() {
            std::fs::remove_dir_all(&unpacked)
                .map_err(|e| format!("cannot remove {}: {e}", unpacked.display()))?;
        }
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(packages.join(format!("{name}-{VERSION}.crate")))
            .arg("-C")
            .arg(&packages)
            .status()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        if !status.success() {
            return Err(format!(
                "unpacking {name}-{VERSION}.crate failed ({status})"
            ));
        }
    }
    Ok(())
}

/// Builds the downstream crate against what [`package`] left in `<target>/package` and runs
/// it against the mock servers.
pub fn run() -> Result<(), String> {
    let target = target_directory()?;
    let root = workspace_root();
    let manifest = root.join("tests/downstream/Cargo.toml");

    cargo_with(
        &["build", "-p", "autessa-tests", "--bin", "autessa-mock"],
        &[],
    )?;
    let mock = target
        .join("debug")
        .join(format!("autessa-mock{}", std::env::consts::EXE_SUFFIX));

    // The workspace's lock file seeds the downstream one: the same dependency versions as
    // the tests of the workspace (cargo drops what the crate does not use).
    std::fs::copy(
        root.join("Cargo.lock"),
        root.join("tests/downstream/Cargo.lock"),
    )
    .map_err(|e| format!("seeding tests/downstream/Cargo.lock: {e}"))?;
    let patches = patches(&target)?;
    let downstream_target = target.join("downstream");
    let program = build(&downstream_target, &manifest, &patches)?;

    let mut mock = Mock::start(&mock)?;
    let environment = mock.environment()?;
    println!("$ {}", program.display());
    let status = Command::new(&program)
        .envs(environment)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", program.display()));
    let report = mock.stop()?;
    let status = status?;

    judge(&report, status)
}

/// The `--config` patches that put the packaged crates in place of crates.io's.
fn patches(target: &Path) -> Result<Vec<String>, String> {
    let mut patches = Vec::new();
    for name in PACKAGES {
        let unpacked = target.join("package").join(format!("{name}-{VERSION}"));
        if !unpacked.join("Cargo.toml").is_file() {
            return Err(format!(
                "{} is missing: run `cargo package -p autessa-runtime -p autessa` first",
                unpacked.display()
            ));
        }
        patches.push(format!(
            "patch.crates-io.{name}.path={}",
            toml_string(&unpacked)?
        ));
    }
    Ok(patches)
}

/// Builds the downstream crate (with `-D warnings`) and runs its tests, with the packaged
/// crates patched in; returns the program built.
fn build(downstream_target: &Path, manifest: &Path, patches: &[String]) -> Result<PathBuf, String> {
    let downstream_target_arg = utf8(downstream_target)?;
    let manifest_arg = utf8(manifest)?;
    let mut args = vec![
        "build",
        "--manifest-path",
        manifest_arg,
        "--target-dir",
        downstream_target_arg,
    ];
    for patch in patches {
        args.extend(["--config", patch.as_str()]);
    }
    cargo_with(&args, &[("RUSTFLAGS", "-D warnings")])?;
    // The crate's own tests, against `autessa::mock` (the packaged `mock` feature).
    args[0] = "test";
    cargo_with(&args, &[("RUSTFLAGS", "-D warnings")])?;
    Ok(downstream_target.join("debug").join(format!(
        "autessa-downstream{}",
        std::env::consts::EXE_SUFFIX
    )))
}

/// Whether the run passed: the program succeeded, and the mock servers saw REST requests,
/// WebSocket messages and uploads, none of them against the schema.
fn judge(report: &Value, status: ExitStatus) -> Result<(), String> {
    let violations: Vec<String> = report["violations"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut problems = Vec::new();
    if !status.success() {
        problems.push(format!("the downstream program failed ({status})"));
    }
    if !violations.is_empty() {
        problems.push(format!(
            "the mock servers saw what the schema does not allow:\n  {}",
            violations.join("\n  ")
        ));
    }
    for (count, what) in [
        ("restRequests", "REST requests"),
        ("wsMessages", "WebSocket messages"),
        ("uploads", "uploads"),
    ] {
        if report[count].as_u64().unwrap_or(0) == 0 {
            problems.push(format!("the mock servers received no {what}"));
        }
    }
    if problems.is_empty() {
        println!(
            "downstream: ok ({} REST requests, {} WebSocket messages, {} upload(s), no violations)",
            report["restRequests"], report["wsMessages"], report["uploads"]
        );
        Ok(())
    } else {
        Err(format!("downstream: {}", problems.join("\n")))
    }
}

/// The running `autessa-mock`: it serves until its stdin closes, then reports.
struct Mock {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Mock {
    fn start(binary: &Path) -> Result<Mock, String> {
        println!("$ {} --api-key <key>", binary.display());
        let mut child = Command::new(binary)
            .args(["--api-key", API_KEY])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("autessa-mock: no stdout")?;
        Ok(Mock {
            child,
            lines: BufReader::new(stdout).lines(),
        })
    }

    fn next_json(&mut self, what: &str) -> Result<Value, String> {
        let line = self
            .lines
            .next()
            .ok_or_else(|| format!("autessa-mock ended before printing {what}"))?
            .map_err(|e| format!("reading autessa-mock's {what}: {e}"))?;
        serde_json::from_str(&line).map_err(|e| format!("autessa-mock's {what} {line:?}: {e}"))
    }

    /// The environment variables its first line names.
    fn environment(&mut self) -> Result<Vec<(String, String)>, String> {
        let first = self.next_json("addresses")?;
        let object = first
            .as_object()
            .ok_or_else(|| format!("autessa-mock's addresses are not an object: {first}"))?;
        object
            .iter()
            .map(|(name, value)| match value.as_str() {
                Some(value) => Ok((name.clone(), value.to_owned())),
                None => Err(format!("autessa-mock: {name} is not a string: {value}")),
            })
            .collect()
    }

    /// Closes its stdin and returns its report.
    fn stop(mut self) -> Result<Value, String> {
        drop(self.child.stdin.take());
        let report = self.next_json("report");
        let status = self
            .child
            .wait()
            .map_err(|e| format!("waiting for autessa-mock: {e}"))?;
        let report = report?;
        // A non-zero exit means violations, which the report lists.
        if !status.success() && report["violations"].as_array().is_none_or(Vec::is_empty) {
            return Err(format!("autessa-mock failed ({status})"));
        }
        Ok(report)
    }
}

impl Drop for Mock {
    /// Stops the mock when the run ends early (it is already gone after [`Mock::stop`]).
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The workspace's target folder, as cargo resolves it (`CARGO_TARGET_DIR`, configuration).
fn target_directory() -> Result<PathBuf, String> {
    let metadata = cargo_stdout(&["metadata", "--format-version", "1", "--no-deps"])?;
    let metadata: Value =
        serde_json::from_str(&metadata).map_err(|e| format!("`cargo metadata`: {e}"))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "`cargo metadata` names no target_directory".to_owned())
}

fn utf8(path: &Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("{} is not UTF-8", path.display()))
}

/// `path` as a TOML basic string, for `--config`.
fn toml_string(path: &Path) -> Result<String, String> {
    Ok(Value::String(utf8(path)?.to_owned()).to_string())
}
