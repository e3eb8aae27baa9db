//! Project tasks: `cargo xtask codegen [--check]` and `cargo xtask test`.

use std::process::{Command, ExitCode};

use autessa_tests::generation::{self, COMMAND, Stale};
use autessa_tests::tools;

const USAGE: &str = "usage:
  cargo xtask codegen          regenerate generated/ and the snapshot fixtures from their specs
  cargo xtask codegen --check  fail if anything generated is stale
  cargo xtask tools            install the pinned third-party tools the tests use (and Chromium)
  cargo xtask test             install the tools, then run every check and test";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["tools"] => install_tools(),
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
        let files = generation::render(&target)?;
        if check {
            stale_paths.extend(generation::compare(&target, &files).iter().map(describe));
        } else {
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

fn install_tools() -> Result<(), String> {
    for tool in tools::ALL {
        let path = tools::install(tool)?;
        println!("{}@{}: {}", tool.package, tool.version, path.display());
    }
    println!(
        "chromium: {}",
        autessa_tests::browser::ensure_chromium()?.display()
    );
    Ok(())
}

/// Everything CI runs: tools, freshness, formatting, lints, rustdoc, tests.
fn test() -> Result<(), String> {
    install_tools()?;
    codegen(true)?;
    cargo(&["fmt", "--all", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo_with(
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    // The crates users depend on must package and build from their `.crate` files alone
    // (versioned dependencies, nothing outside the package). What is checked is the
    // content, not whether it is committed.
    cargo(&[
        "package",
        "--allow-dirty",
        "-p",
        "autessa-runtime",
        "-p",
        "autessa",
    ])?;
    cargo(&["test", "--workspace", "--no-fail-fast"])
}

fn cargo(args: &[&str]) -> Result<(), String> {
    cargo_with(args, &[])
}

fn cargo_with(args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let shown: String = env.iter().map(|(k, v)| format!("{k}={v:?} ")).collect();
    println!("$ {shown}cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(tools::workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}
