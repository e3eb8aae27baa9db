//! `cargo xtask bench-report`: how long the change report takes on a large real pair,
//! GitHub's description at `@octokit/openapi` 22.0.0 and 23.0.0 (fetched from npm into the
//! tools cache), measured against its peer in the same run: reading and lowering the two
//! documents, which every report needs first. Rounds alternate the two; medians and their
//! ratio are printed.

use std::time::{Duration, Instant};

use std::path::Path;

use autessa_codegen::ir::Api;
use autessa_codegen::{Config, Flags, PackageMeta, RustConfig, diff, load_api};
use autessa_tools::OCTOKIT as PACKAGE;

use crate::install::octokit::description;
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

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Reads and lowers GitHub's description at `path`.
fn load(path: &Path) -> Result<Api, String> {
    load_api(&Config {
        openapi: Some(path.to_path_buf()),
        asyncapi: None,
        perspective: Default::default(),
        flags: Flags::default(),
        docs: None,
        rust: RustConfig {
            features_by: None,
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
