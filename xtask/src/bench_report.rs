//! `cargo xtask bench-report`: how long the change report takes on a large real pair,
//! GitHub's description at `@octokit/openapi` 22.0.0 and 23.0.0 (fetched from npm into the
//! tools cache), measured against its peer in the same run: reading and lowering the two
//! documents, which every report needs first. Rounds alternate the two; medians and their
//! ratio are printed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use autessa_codegen::{Config, Flags, PackageMeta, RustConfig, diff, load_api};
use autessa_tests::tools::cache_dir;

const PACKAGE: &str = "@octokit/openapi";
const PAIR: [&str; 2] = ["22.0.0", "23.0.0"];
const ROUNDS: usize = 5;

pub fn run() -> Result<(), String> {
    let [old, new] = PAIR.map(description);
    let (old, new) = (old?, new?);
    let (mut loads, mut reports) = (Vec::new(), Vec::new());
    let mut changes = 0;
    for round in 0..ROUNDS {
        let started = Instant::now();
        let before = load(&old)?;
        let after = load(&new)?;
        let loaded = started.elapsed() / 2;
        let started = Instant::now();
        let report = diff::compare(&before, &after);
        let compared = started.elapsed();
        changes = report.changes.len();
        println!(
            "round {}: load and lower one document {:>7.1} ms, report {:>7.1} ms",
            round + 1,
            millis(loaded),
            millis(compared)
        );
        loads.push(loaded);
        reports.push(compared);
    }
    let (load, report) = (median(&mut loads), median(&mut reports));
    println!(
        "{PACKAGE} {} -> {}: {changes} changes; median report {:.1} ms, median load of one \
         document {:.1} ms; report / load = {:.3}",
        PAIR[0],
        PAIR[1],
        millis(report),
        millis(load),
        report.as_secs_f64() / load.as_secs_f64()
    );
    Ok(())
}

fn load(path: &Path) -> Result<autessa_codegen::ir::Api, String> {
    load_api(&Config {
        openapi: Some(path.to_path_buf()),
        asyncapi: None,
        perspective: Default::default(),
        flags: Flags::default(),
        docs: None,
        rust: RustConfig {
            crate_name: "github".into(),
            crate_version: "0.0.0".into(),
            runtime_dependency: String::new(),
            env_prefix: "GITHUB".into(),
            command: String::new(),
            package: PackageMeta::default(),
        },
    })
    .map_err(|d| format!("{}: {d}", path.display()))
}

/// `generated/api.github.com.json` of one release, fetched with `npm pack` once.
fn description(version: &str) -> Result<PathBuf, String> {
    let dir = cache_dir().join(format!("octokit-openapi-{version}"));
    let file = dir.join("package/generated/api.github.com.json");
    if file.is_file() {
        return Ok(file);
    }
    let temp = cache_dir().join(format!(
        ".octokit-openapi-{version}.tmp-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&temp);
    std::fs::create_dir_all(&temp).map_err(|e| format!("{}: {e}", temp.display()))?;
    let packed = Command::new("npm")
        .args(["pack", "--silent", &format!("{PACKAGE}@{version}")])
        .current_dir(&temp)
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    let tarball = String::from_utf8_lossy(&packed.stdout).trim().to_owned();
    if !packed.status.success() || tarball.is_empty() {
        return Err(format!("npm pack {PACKAGE}@{version} failed"));
    }
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .current_dir(&temp)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if !status.success() {
        return Err(format!("unpacking {tarball} failed"));
    }
    let _ = std::fs::remove_file(temp.join(&tarball));
    if std::fs::rename(&temp, &dir).is_err() && !file.is_file() {
        return Err(format!("cannot move {} into place", temp.display()));
    }
    let _ = std::fs::remove_dir_all(&temp);
    Ok(file)
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
