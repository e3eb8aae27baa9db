//! The build graph points from the tests to what they check: xtask (which owns the
//! generation targets and installs the tools) never depends on the tests crate, and the
//! tools crate, which both use, depends on nothing of the workspace.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// Each workspace package's name → the names of the workspace packages it depends on, of
/// any kind (normal, dev, build), as declared.
fn workspace_edges() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let packages = metadata["packages"].as_array().expect("a package list");
    let names: BTreeSet<&str> = packages.iter().filter_map(|p| p["name"].as_str()).collect();
    packages
        .iter()
        .map(|package| {
            let depends: BTreeSet<String> = package["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d["name"].as_str())
                .filter(|name| names.contains(name))
                .map(str::to_owned)
                .collect();
            (
                package["name"].as_str().unwrap_or_default().to_owned(),
                depends,
            )
        })
        .collect()
}

#[test]
fn xtask_does_not_depend_on_the_tests_and_the_tools_crate_is_a_leaf() {
    let edges = workspace_edges();
    // The look must see workspace edges, or the checks below could not fail.
    assert!(
        edges["autessa-tests"].contains("xtask"),
        "the tests crate should use xtask's generation targets: {edges:?}"
    );
    assert!(
        !edges["xtask"].contains("autessa-tests"),
        "xtask depends on the tests crate: {:?}",
        edges["xtask"]
    );
    assert!(
        edges["autessa-tools"].is_empty(),
        "autessa-tools depends on {:?}",
        edges["autessa-tools"]
    );
}
