//! The smoke test: each corpus crate's `smoke-<spec>` example (see [`super::example`]) calls
//! every operation against `prism mock` of its spec. Prism refuses a request that breaks the
//! description (its `sl-violations` header) and answers with the description's examples,
//! which the client must decode. Every operation that does not end `decoded` is a miss; the
//! misses the client cannot help are listed in `tests/corpus/smoke-misses.yaml`, with why.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use autessa_tools::prism::{Prism, PrismOptions};
use autessa_tools::workspace_root;
use serde::Deserialize;

use crate::install::npm;

/// The cargo profile the examples are built with (defined in the corpus workspace): no
/// debug info, no incremental state, for a build that is made once and run once.
pub const PROFILE: &str = "smoke";

/// The profile's section of the corpus workspace's manifest.
pub const PROFILE_TOML: &str = "\n[profile.smoke]\ninherits = \"dev\"\ndebug = false\n\
                                incremental = false\n";

/// The checked-in list of explained misses.
const MISSES: &str = "tests/corpus/smoke-misses.yaml";

/// One spec's smoke run.
#[derive(Default)]
pub struct Smoke {
    pub operations: usize,
    /// Operations whose call was sent (the others' arguments could not be built).
    pub called: usize,
    /// Calls Prism did not refuse.
    pub accepted: usize,
    pub decoded: usize,
    /// Misses the list explains.
    pub explained: usize,
    /// `<operation>: <outcome> <detail>` of each miss the list does not explain.
    pub unexplained: Vec<String>,
    /// Operations the list names that no longer miss.
    pub fixed: Vec<String>,
    pub time: Duration,
    /// Why the spec was not smoke-tested, if it was not.
    pub not_run: Option<String>,
    /// What the crate's own mock found wrong with the requests (its run only).
    pub violations: Vec<String>,
}

impl Smoke {
    /// A spec the list says cannot be smoke-tested.
    pub fn not_run(operations: usize, why: &str) -> Smoke {
        Smoke {
            operations,
            not_run: Some(why.to_owned()),
            ..Smoke::default()
        }
    }
}

/// An entry of the misses list: operations of one spec that miss for one reason; `*` for
/// every operation, when the spec cannot be smoke-tested at all.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    spec: String,
    why: String,
    operations: Vec<String>,
}

/// What the list says about one spec.
#[derive(Default)]
pub struct Listed {
    /// Operations that miss, explained.
    pub operations: BTreeSet<String>,
    /// Why the spec is not smoke-tested at all, if it is not.
    pub not_run: Option<String>,
}

/// The explained misses, by spec.
pub fn explained() -> Result<BTreeMap<String, Listed>, String> {
    let path = workspace_root().join(MISSES);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let entries: Vec<Entry> =
        serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out: BTreeMap<String, Listed> = BTreeMap::new();
    for entry in entries {
        let why = entry.why.split_whitespace().collect::<Vec<_>>().join(" ");
        if why.is_empty() {
            return Err(format!(
                "{MISSES}: an entry of `{}` says no why",
                entry.spec
            ));
        }
        let listed = out.entry(entry.spec).or_default();
        if entry.operations.iter().any(|op| op == "*") {
            listed.not_run = Some(why);
        } else {
            listed.operations.extend(entry.operations);
        }
    }
    Ok(out)
}

/// Builds every named crate's smoke example in one cargo run (one shared target folder);
/// those of `mocked` with the crate's `mock` feature, for [`run_own_mock`].
pub fn build(root: &Path, names: &[&str], mocked: &[&str]) -> Result<(), String> {
    let mut command = Command::new(env!("CARGO"));
    command
        .args([
            "build",
            "--quiet",
            "--profile",
            PROFILE,
            "--no-default-features",
        ])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"));
    for name in names {
        command.args(["-p", &format!("corpus-{name}")]);
        command.args(["--example", &super::example::name(name)]);
        if mocked.contains(name) {
            command.args(["--features", &format!("corpus-{name}/mock")]);
        }
    }
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let text = String::from_utf8_lossy(&output.stderr);
        let first: Vec<&str> = text.lines().take(60).collect();
        Err(format!(
            "building the smoke examples failed:\n{}",
            first.join("\n")
        ))
    }
}

/// Runs the smoke example of `name` against Prism serving `spec`, and judges its lines
/// against the explained misses of the spec.
pub fn run(
    root: &Path,
    name: &str,
    spec: &Path,
    explained: &BTreeSet<String>,
) -> Result<Smoke, String> {
    let started = Instant::now();
    let prism = Prism::start(&PrismOptions {
        prism: Some(npm::install(&autessa_tools::PRISM)?),
        document: spec.to_path_buf(),
        // Made-up answers (where the description has no example) the same on every run.
        seed: Some(1),
        startup_timeout: Duration::from_secs(300),
        ..PrismOptions::default()
    })
    .map_err(|e| format!("{name}: {e}"))?;
    let lines = execute(root, name, prism.base_url(), &log_path(root, name));
    drop(prism);
    let mut smoke = judge(&lines?, explained);
    smoke.time = started.elapsed();
    Ok(smoke)
}

/// Runs the smoke example of `name` against the crate's own mock (`--mock`, built with the
/// `mock` feature): every call must decode, and the mock must find every request right.
pub fn run_own_mock(root: &Path, name: &str) -> Result<Smoke, String> {
    let started = Instant::now();
    let log = root.join(name).join("smoke-own-mock.log");
    let lines = execute(root, name, "--mock", &log)?;
    let mut smoke = judge(&lines, &BTreeSet::new());
    smoke.time = started.elapsed();
    Ok(smoke)
}

/// Runs the smoke example of `name` with `target` (a base URL, or `--mock`), keeps its
/// lines in `log` and returns them.
fn execute(root: &Path, name: &str, target: &str, log: &Path) -> Result<String, String> {
    let binary = root
        .join("target")
        .join(PROFILE)
        .join("examples")
        .join(super::example::name(name));
    // Files the multipart and binary bodies of the examples read.
    let work = root.join(name).join("smoke-files");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    for file in ["upload.bin", "body.bin"] {
        // Base64 text: some descriptions give raw bodies a pattern.
        std::fs::write(work.join(file), b"c21va2U=").map_err(|e| format!("{file}: {e}"))?;
    }
    let output = Command::new(&binary)
        .arg(target)
        .current_dir(&work)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} {target} failed ({}):\n{}",
            binary.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    std::fs::write(log, &output.stdout).map_err(|e| format!("{}: {e}", log.display()))?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Counts a smoke run's lines (`<operation>\t<outcome>\t<detail>`) and sets its misses
/// against the explained ones.
fn judge(lines: &str, explained: &BTreeSet<String>) -> Smoke {
    let mut smoke = Smoke::default();
    let mut missed = BTreeSet::new();
    for line in lines.lines() {
        let mut fields = line.splitn(3, '\t');
        let operation = fields.next().unwrap_or_default();
        let outcome = fields.next().unwrap_or_default();
        let detail = fields.next().unwrap_or_default();
        if operation == VIOLATION {
            smoke
                .violations
                .push(format!("{outcome} {detail}").trim_end().to_owned());
            continue;
        }
        smoke.operations += 1;
        let called = outcome != "arguments";
        smoke.called += usize::from(called);
        smoke.accepted += usize::from(called && outcome != "rejected");
        if outcome == "decoded" {
            smoke.decoded += 1;
            continue;
        }
        missed.insert(operation.to_owned());
        if explained.contains(operation) {
            smoke.explained += 1;
        } else {
            smoke
                .unexplained
                .push(format!("{operation}: {outcome} {detail}"));
        }
    }
    smoke.fixed = explained.difference(&missed).cloned().collect();
    smoke
}

/// The first field of the line an example prints for each violation its mock found.
const VIOLATION: &str = "#violation";

/// Where the lines of a smoke run are kept, for reading after a failure.
pub fn log_path(root: &Path, name: &str) -> PathBuf {
    root.join(name).join("smoke.log")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(ops: &[&str]) -> BTreeSet<String> {
        ops.iter().map(|op| op.to_string()).collect()
    }

    #[test]
    fn outcomes_are_counted() {
        let lines = "a\tdecoded\t200 OK\n\
                     b\trejected\t[{\"message\":\"x\"}]\n\
                     c\tundecodable\tHTTP 200 OK: missing field `id`\n\
                     d\targuments\tinvalid type\n";
        let smoke = judge(lines, &listed(&["b", "c", "d"]));
        assert_eq!(
            (
                smoke.operations,
                smoke.called,
                smoke.accepted,
                smoke.decoded
            ),
            (4, 3, 2, 1)
        );
        assert_eq!(smoke.explained, 3);
        assert!(smoke.unexplained.is_empty() && smoke.fixed.is_empty());
    }

    #[test]
    fn violations_the_mock_found_are_kept_apart_from_the_operations() {
        let lines = "a\tdecoded\t200 OK\n\
                     #violation\tPOST /a: body property \"n\" is not an integer\n";
        let smoke = judge(lines, &listed(&[]));
        assert_eq!((smoke.operations, smoke.decoded), (1, 1));
        assert_eq!(
            smoke.violations,
            ["POST /a: body property \"n\" is not an integer"]
        );
    }

    #[test]
    fn a_miss_not_listed_fails_and_so_does_a_listed_operation_that_passes() {
        let lines = "a\tdecoded\t200 OK\nb\tstatus\t500 boom\n";
        let smoke = judge(lines, &listed(&["a", "gone"]));
        assert_eq!(smoke.unexplained, ["b: status 500 boom"]);
        assert_eq!(smoke.fixed, ["a", "gone"]);
    }
}
