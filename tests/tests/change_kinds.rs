//! The change report, one kind of change at a time, against cargo-semver-checks.
//!
//! `tests/changes/kinds.yaml` lists edits to `tests/changes/base.openapi.yaml`, one kind of
//! change each, with the changes the report must give (kind, wire verdict, Rust verdict).
//! For every edit the test generates the crate before and after, checks the report, and runs
//! cargo-semver-checks (pinned; installed into the tools cache) on the pair as a minor
//! release: it must fail exactly when the report says major, except where the entry says
//! which major change the tool has no lint for.

use std::path::{Path, PathBuf};
use std::process::Command;

use autessa_codegen::diff::{self, Semver};
use autessa_codegen::{Config, Flags, PackageMeta, RustConfig, generate, load_api};
use autessa_tools::SEMVER_CHECKS;
use autessa_tools::workspace_root;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Kind {
    name: String,
    edit: Vec<Edit>,
    /// (kind, wire, Rust) of every change the report gives.
    expect: Vec<(String, String, String)>,
    /// The major change cargo-semver-checks cannot see, when there is one.
    semver_checks_misses: Option<String>,
}

#[derive(Deserialize)]
struct Edit {
    op: String,
    path: String,
    value: Option<Value>,
}

fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Applies one edit: `add` (an object member, an array item at an index or `-`), `remove`,
/// `replace`, at a JSON pointer.
fn apply(doc: &mut Value, edit: &Edit) -> Result<(), String> {
    let (parent, last) = edit
        .path
        .rsplit_once('/')
        .ok_or_else(|| format!("`{}` is not a JSON pointer", edit.path))?;
    let last = last.replace("~1", "/").replace("~0", "~");
    let target = doc
        .pointer_mut(parent)
        .ok_or_else(|| format!("`{parent}` is not in the document"))?;
    let value = || edit.value.clone().ok_or("the edit needs a value");
    match (edit.op.as_str(), target) {
        ("add" | "replace", Value::Object(map)) => {
            map.insert(last, value()?);
        }
        ("remove", Value::Object(map)) => {
            map.remove(&last)
                .ok_or_else(|| format!("`{}` is not in the document", edit.path))?;
        }
        ("add", Value::Array(items)) if last == "-" => items.push(value()?),
        (op, Value::Array(items)) => {
            let at: usize = last
                .parse()
                .map_err(|_| format!("`{last}` is not an index"))?;
            if at > items.len() || (op != "add" && at == items.len()) {
                return Err(format!("`{}` is past the end", edit.path));
            }
            match op {
                "add" => items.insert(at, value()?),
                "replace" => items[at] = value()?,
                _ => {
                    items.remove(at);
                }
            }
        }
        (op, _) => return Err(format!("cannot {op} at `{}`", edit.path)),
    }
    Ok(())
}

fn config(spec: PathBuf) -> Config {
    Config {
        openapi: Some(spec),
        asyncapi: None,
        perspective: Default::default(),
        flags: Flags::default(),
        docs: None,
        rust: RustConfig {
            features_by: None,
            crate_name: "changes".into(),
            crate_version: "1.0.0".into(),
            runtime_dependency: format!(
                "{{ path = {:?} }}",
                workspace_root().join("runtime").display().to_string()
            ),
            env_prefix: "CHANGES".into(),
            command: "autessa-codegen".into(),
            package: PackageMeta {
                license: "MIT".into(),
                publish: true,
                ..PackageMeta::default()
            },
        },
    }
}

/// Writes `doc` as `dir/openapi.yaml` and the crate generated from it into `dir`.
fn generate_into(dir: &Path, doc: &Value) -> Config {
    std::fs::create_dir_all(dir).unwrap();
    let spec = dir.join("openapi.yaml");
    std::fs::write(&spec, serde_yaml::to_string(doc).unwrap()).unwrap();
    let config = config(spec);
    let output = generate(&config).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for file in output.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, file.contents).unwrap();
    }
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}\n[workspace]\n")).unwrap();
    config
}

/// Whether cargo-semver-checks passes `current` as a minor release of `baseline`.
fn semver_checks_passes(baseline: &Path, current: &Path) -> (bool, String) {
    let bin = SEMVER_CHECKS.require();
    let output = Command::new(bin)
        .args(["semver-checks", "check-release", "--manifest-path"])
        .arg(current.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(baseline)
        .args([
            "--release-type",
            "minor",
            "--only-explicit-features",
            "--color",
            "never",
        ])
        .env(
            "CARGO_TARGET_DIR",
            workspace_root().join("target/evolution"),
        )
        .output()
        .expect("cargo-semver-checks runs");
    let text = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    (output.status.success(), text)
}

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn each_kind_of_change_gets_its_verdicts_and_semver_checks_agrees() {
    let root = workspace_root().join("tests/changes");
    let base: Value = read_yaml(&root.join("base.openapi.yaml"));
    let kinds: Vec<Kind> = read_yaml(&root.join("kinds.yaml"));
    assert!(kinds.len() >= 20, "at least 20 kinds of change");

    let dir = std::env::temp_dir().join(format!("autessa-change-kinds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let base_dir = dir.join("base");
    let before = load_api(&generate_into(&base_dir, &base)).unwrap();

    let mut failures = Vec::new();
    let mut table = Vec::new();
    for kind in &kinds {
        let mut doc = base.clone();
        for edit in &kind.edit {
            apply(&mut doc, edit).unwrap_or_else(|e| panic!("{}: {e}", kind.name));
        }
        let variant_dir = dir.join(&kind.name);
        let after = load_api(&generate_into(&variant_dir, &doc))
            .unwrap_or_else(|e| panic!("{}: {e}", kind.name));
        let report = diff::compare(&before, &after);
        let mut got: Vec<(String, String, String)> = report
            .changes
            .iter()
            .map(|c| {
                (
                    c.kind.to_owned(),
                    c.wire.as_str().to_owned(),
                    c.rust.as_str().to_owned(),
                )
            })
            .collect();
        let mut expected = kind.expect.clone();
        got.sort();
        expected.sort();
        if got != expected {
            failures.push(format!(
                "{}: the report gives {got:?}, expected {expected:?}",
                kind.name
            ));
        }
        let major = report.rust() == Some(Semver::Major);
        let (passed, output) = semver_checks_passes(&base_dir, &variant_dir);
        let agrees = match &kind.semver_checks_misses {
            None => passed != major,
            // The tool cannot see it: it passes what the report calls major.
            Some(_) => major && passed,
        };
        if !agrees {
            failures.push(format!(
                "{}: the report says {:?}, cargo-semver-checks {}:\n{output}",
                kind.name,
                report.rust(),
                if passed {
                    "passes it as minor"
                } else {
                    "fails it as minor"
                }
            ));
        }
        table.push(format!(
            "{:<34} {:<6} {}",
            kind.name,
            report.rust().map_or("none", Semver::as_str),
            if passed { "PASS" } else { "FAIL" }
        ));
    }
    println!("{}", table.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
