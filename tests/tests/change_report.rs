//! `cargo xtask codegen` on the Autessa schema after each of the common edits: the change
//! report's verdicts, the version that follows, and the change log, regenerated one edit
//! after the other as a maintainer would (in a copy of `schema/` and of the crate's record).

use std::path::Path;

use autessa_codegen::diff::{Semver, Wire};
use autessa_tools::workspace_root;
use xtask::generation::{self, SNAPSHOT_DIR, Target};

/// Copies what a regeneration reads: the schema, and the crate's manifest, change log and
/// document copies.
fn copy_state(schema: &Path, out: &Path) {
    let root = workspace_root();
    std::fs::create_dir_all(schema).unwrap();
    std::fs::create_dir_all(out.join(SNAPSHOT_DIR)).unwrap();
    for name in ["openapi.yaml", "asyncapi.yaml"] {
        std::fs::copy(root.join("schema").join(name), schema.join(name)).unwrap();
        std::fs::copy(
            root.join("generated").join(SNAPSHOT_DIR).join(name),
            out.join(SNAPSHOT_DIR).join(name),
        )
        .unwrap();
    }
    for name in ["Cargo.toml", "CHANGELOG.md"] {
        std::fs::copy(root.join("generated").join(name), out.join(name)).unwrap();
    }
}

/// A change as (kind, place, wire verdict, Rust verdict).
type Verdict = (String, String, Wire, Semver);

/// Regenerates into `out` and returns the version, the change log and the report's changes.
fn regenerate(target: &Target, out: &Path) -> (String, String, Vec<Verdict>) {
    let (files, report) = generation::render_in(target, out).unwrap();
    for file in &files {
        let path = out.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.contents).unwrap();
    }
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .unwrap()
        .trim_end_matches('"')
        .to_owned();
    let changes = report
        .map(|r| {
            r.changes
                .into_iter()
                .map(|c| (c.kind.to_owned(), c.place, c.wire, c.rust))
                .collect()
        })
        .unwrap_or_default();
    (
        version,
        std::fs::read_to_string(out.join("CHANGELOG.md")).unwrap(),
        changes,
    )
}

fn edit(schema: &Path, from: &str, to: &str) {
    let path = schema.join("openapi.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "the schema no longer holds {from:?}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn common_schema_edits_give_their_verdicts_versions_and_changelog() {
    let dir = std::env::temp_dir().join(format!("autessa-changes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (schema, out) = (dir.join("schema"), dir.join("generated"));
    copy_state(&schema, &out);
    let mut target = generation::targets().remove(0);
    assert_eq!(target.name, "autessa");
    target.config.openapi = Some(schema.join("openapi.yaml"));
    target.config.asyncapi = Some(schema.join("asyncapi.yaml"));

    let (start, _, changes) = regenerate(&target, &out);
    assert_eq!(changes, [], "the committed crate is up to date");
    let next = |version: &str, semver| autessa_codegen::diff::bump(version, semver).unwrap();

    // An optional member: minor, compatible.
    edit(
        &schema,
        "        totalRecordsPerPage:\n",
        "        cursor:\n          type: string\n          description: Where the next page starts.\n        totalRecordsPerPage:\n",
    );
    let (v1, log, changes) = regenerate(&target, &out);
    assert_eq!(
        changes,
        [(
            "member-added-optional".into(),
            "type Pagination".into(),
            Wire::Compatible,
            Semver::Minor
        )]
    );
    assert_eq!(v1, next(&start, Semver::Minor));

    // An enum value of what clients receive (and send): minor; strict decoders break.
    edit(&schema, "enum: [TEXT, AUDIO]", "enum: [TEXT, AUDIO, VIDEO]");
    let (v2, _, changes) = regenerate(&target, &out);
    assert_eq!(
        changes,
        [(
            "enum-value-added".into(),
            "type OutputType".into(),
            Wire::StrictDecoders,
            Semver::Minor
        )]
    );
    assert_eq!(v2, next(&v1, Semver::Minor));

    // A member made required in a request: major, and old clients break.
    edit(
        &schema,
        "      required: [tableId, columnName, query]\n",
        "      required: [tableId, columnName, query, limit]\n",
    );
    let (v3, _, changes) = regenerate(&target, &out);
    assert!(
        changes.contains(&(
            "member-required".into(),
            "type SemanticSearchRequest".into(),
            Wire::Breaking,
            Semver::Major
        )),
        "{changes:?}"
    );
    assert_eq!(v3, next(&v2, Semver::Major));

    // An operation removed: major, breaking.
    let text = std::fs::read_to_string(schema.join("openapi.yaml")).unwrap();
    let start_at = text.find("  /clients/autessadb/batch-delete:\n").unwrap();
    let end_at = start_at + 1 + text[start_at + 1..].find("\n  /").unwrap();
    std::fs::write(
        schema.join("openapi.yaml"),
        format!("{}{}", &text[..start_at], &text[end_at + 1..]),
    )
    .unwrap();
    let (v4, log4, changes) = regenerate(&target, &out);
    assert!(
        changes.contains(&(
            "operation-removed".into(),
            "operation batchDeleteRows".into(),
            Wire::Breaking,
            Semver::Major
        )),
        "{changes:?}"
    );
    assert_eq!(v4, next(&v3, Semver::Major));

    // Nothing more: the same version and change log.
    let (again, log_again, changes) = regenerate(&target, &out);
    assert_eq!((again.as_str(), changes.len()), (v4.as_str(), 0));
    assert_eq!(log_again, log4);

    // The change log: newest first, each entry with its verdicts.
    let headings: Vec<&str> = log4.lines().filter(|l| l.starts_with("## ")).collect();
    let expected: Vec<String> = [&v4, &v3, &v2, &v1, &start]
        .iter()
        .map(|v| format!("## {v}"))
        .collect();
    assert_eq!(headings, expected);
    assert!(
        log.contains("| optional member `cursor` added | type Pagination | minor | compatible |"),
        "{log}"
    );
    assert!(
        log4.contains("Rust: **major**. Wire: **breaking**"),
        "{log4}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
