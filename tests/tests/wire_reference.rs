//! The change report's wire verdicts against a reference breaking-change tool, on real
//! history: GitHub's description between releases of `@octokit/openapi`, compared by
//! `api-smart-diff` (pinned, installed by `cargo xtask test`) and by the report.
//!
//! Each operation one side calls broken and the other does not is a disagreement. Every
//! disagreement must be explained, by the kinds of change behind it, in
//! `tests/tests/data/wire-reference.yaml`: the reference's kinds the report judges
//! otherwise, and the report's kinds the reference does not see. An unexplained one fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use autessa_codegen::diff;
use autessa_codegen::ir::Api;
use autessa_tests::octokit;
use autessa_tools::{self as tools, API_SMART_DIFF};
use serde::Deserialize;

const EXPLANATIONS: &str = "tests/tests/data/wire-reference.yaml";
const SCRIPT: &str = "tests/scripts/breaking-operations.cjs";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Explanations {
    /// Kinds of difference the reference calls breaking and the report does not, and why.
    reference: BTreeMap<String, String>,
    /// Kinds of change the report calls breaking and the reference does not, and why.
    report: BTreeMap<String, String>,
}

/// Operation (`METHOD /path`) → the kinds of its breaking changes.
type Broken = BTreeMap<String, BTreeSet<String>>;

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn a_major_github_release_agrees_with_the_reference_or_is_explained() {
    let used = agree("22.0.0", "23.0.0");
    let explanations = explanations();
    let stale: Vec<&String> = explanations
        .reference
        .keys()
        .chain(explanations.report.keys())
        .filter(|k| !used.contains(*k))
        .collect();
    assert!(
        stale.is_empty(),
        "{EXPLANATIONS} explains kinds no disagreement has: {stale:?}"
    );
}

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn a_patch_github_release_agrees_with_the_reference_or_is_explained() {
    agree("23.0.1", "23.0.2");
}

/// Compares the two verdicts on one pair, prints the agreement, fails on an unexplained
/// disagreement, and returns the explanations it used.
fn agree(old: &str, new: &str) -> BTreeSet<String> {
    let (old_file, new_file) = (description(old), description(new));
    let reference = reference(&old_file, &new_file);
    let report = report(&old_file, &new_file);
    let explanations = explanations();

    let mut used = BTreeSet::new();
    let mut unexplained = Vec::new();
    let mut check = |op: &str, kinds: &BTreeSet<String>, known: &BTreeMap<String, String>, who| {
        for kind in kinds {
            if known.contains_key(kind) {
                used.insert(kind.clone());
            } else {
                unexplained.push(format!("{op}: {who} only, for `{kind}`"));
            }
        }
    };
    let mut both = 0;
    for (op, kinds) in &reference {
        match report.contains_key(op) {
            true => both += 1,
            false => check(op, kinds, &explanations.reference, "the reference"),
        }
    }
    for (op, kinds) in &report {
        if !reference.contains_key(op) {
            check(op, kinds, &explanations.report, "the report");
        }
    }
    println!(
        "@octokit/openapi {old} -> {new}: operations broken per the reference {}, per the \
         report {}, per both {both}",
        reference.len(),
        report.len()
    );
    assert!(
        unexplained.is_empty(),
        "{} unexplained disagreement(s) with api-smart-diff on {old} -> {new} \
         (explain the kind in {EXPLANATIONS} or fix the report):\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    used
}

fn description(version: &str) -> std::path::PathBuf {
    octokit::description(version)
}

/// The reference's breaking operations.
fn reference(old: &Path, new: &Path) -> Broken {
    let library = API_SMART_DIFF.require();
    let modules = library
        .ancestors()
        .find(|p| p.ends_with("node_modules"))
        .expect("the library lies in node_modules");
    let output = Command::new("node")
        .arg(tools::workspace_root().join(SCRIPT))
        .args([old, new])
        .env("NODE_PATH", modules)
        .output()
        .expect("run node");
    assert!(
        output.status.success(),
        "{SCRIPT} failed:\n{}",
        tools::combined_output(&output)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

/// The report's breaking operations, named as the reference names them.
fn report(old: &Path, new: &Path) -> Broken {
    let load = |p: &Path| octokit::load(p).unwrap_or_else(|e| panic!("{e}"));
    let (before, after) = (load(old), load(new));
    let report = diff::compare(&before, &after);
    let names = |api: &Api| {
        api.operations
            .iter()
            .map(|o| (o.id.clone(), format!("{} {}", o.method, o.path)))
            .collect::<BTreeMap<_, _>>()
    };
    // A moved operation goes by its old place, which old clients call.
    let (mut names, older) = (names(&after), names(&before));
    names.extend(older);
    diff::breaking_operations(&report, &before, &after)
        .into_iter()
        .map(|(id, changes)| {
            (
                names[&id].clone(),
                changes.iter().map(|c| c.kind.to_owned()).collect(),
            )
        })
        .collect()
}

fn explanations() -> Explanations {
    let path = tools::workspace_root().join(EXPLANATIONS);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
