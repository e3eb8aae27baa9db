//! Generated code is stable: each fixture spec's output must match the crate checked in
//! beside it (which the workspace also compiles and lints), and `generated/` must match
//! `schema/`. Update both with `cargo xtask codegen`.

use xtask::generation::{self, COMMAND, Stale, Target};

fn assert_fresh(target: &Target) {
    let files = generation::render(target).unwrap_or_else(|e| panic!("{e}"));
    let stale = generation::compare(target, &files);
    if stale.is_empty() {
        return;
    }
    let mut report = String::new();
    for s in &stale {
        match s {
            Stale::Changed {
                path,
                on_disk,
                generated,
            } => {
                report.push_str(&format!(
                    "{} differs:\n{}\n",
                    path.display(),
                    generation::line_diff(on_disk, generated)
                ));
            }
            Stale::Missing(path) => report.push_str(&format!("{} is missing\n", path.display())),
            Stale::Extra(path) => {
                report.push_str(&format!("{} is no longer generated\n", path.display()))
            }
        }
    }
    panic!(
        "`{}` output is stale:\n{report}\nrun `{COMMAND}` and commit the result",
        target.name
    );
}

fn target(name: &str) -> Target {
    generation::targets()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no generation target `{name}`"))
}

#[test]
fn generated_autessa_crate_is_up_to_date() {
    assert_fresh(&target("autessa"));
}

#[test]
fn every_fixture_has_a_snapshot() {
    let names: Vec<String> = generation::targets().into_iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        [
            "autessa",
            "areas",
            "forms",
            "hostile",
            "objects",
            "openapi31",
            "operations",
            "refs",
            "unions"
        ]
    );
}

#[test]
fn snapshot_areas() {
    assert_fresh(&target("areas"));
}

#[test]
fn snapshot_forms() {
    assert_fresh(&target("forms"));
}

#[test]
fn snapshot_hostile() {
    assert_fresh(&target("hostile"));
}

#[test]
fn snapshot_objects() {
    assert_fresh(&target("objects"));
}

#[test]
fn snapshot_openapi31() {
    assert_fresh(&target("openapi31"));
}

#[test]
fn snapshot_operations() {
    assert_fresh(&target("operations"));
}

#[test]
fn snapshot_refs() {
    assert_fresh(&target("refs"));
}

#[test]
fn snapshot_unions() {
    assert_fresh(&target("unions"));
}

#[test]
fn output_is_deterministic() {
    for target in generation::targets() {
        let first = generation::render(&target).unwrap();
        let second = generation::render(&target).unwrap();
        assert_eq!(first, second, "{} renders differently twice", target.name);
    }
}

#[test]
fn every_generated_file_says_it_is_generated_and_how() {
    for target in generation::targets() {
        for file in generation::render(&target).unwrap() {
            // The header is the first line (after an HTML page's doctype).
            let first = file
                .contents
                .lines()
                .find(|l| !l.starts_with("<!DOCTYPE"))
                .unwrap_or_default();
            assert!(
                first.contains("@generated") && first.contains(COMMAND),
                "{}/{} starts with {first:?}",
                target.out.display(),
                file.path.display()
            );
        }
    }
}

#[test]
fn a_stale_file_is_reported_with_a_diff() {
    let target = target("objects");
    let mut files = generation::render(&target).unwrap();
    files[2].contents.push_str("// drift\n");
    let stale = generation::compare(&target, &files);
    assert_eq!(stale.len(), 1, "{stale:?}");
    let Stale::Changed {
        on_disk, generated, ..
    } = &stale[0]
    else {
        panic!("{stale:?}")
    };
    assert!(generation::line_diff(on_disk, generated).contains("+// drift"));
}
