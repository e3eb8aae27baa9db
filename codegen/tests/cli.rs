//! The generator's command line: the change report against previous documents, given as
//! files or as a git revision.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SPEC: &str = r#"openapi: 3.0.3
info: {title: Items, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: limit, in: query, schema: {$ref: 'parts.yaml#/Limit'}}
      responses:
        '200': {description: The items., content: {application/json: {schema: {type: array, items: {type: string}}}}}
"#;

const PARTS: &str = "Limit: {type: integer, format: int32}\n";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("autessa-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("schema")).unwrap();
    dir
}

fn codegen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_autessa-codegen"))
        .current_dir(dir)
        .args(["--openapi", "schema/openapi.yaml", "--out", "out"])
        .args(args)
        .output()
        .unwrap()
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// The schema of `SPEC` with the operation removed and one added, in `dir`.
fn edit(dir: &Path) {
    let changed = SPEC
        .replace("listItems", "listAllItems")
        .replace("/items:", "/all-items:");
    std::fs::write(dir.join("schema/openapi.yaml"), changed).unwrap();
}

#[test]
fn previous_documents_give_a_report_as_text_and_json() {
    let dir = scratch("files");
    std::fs::write(dir.join("schema/parts.yaml"), PARTS).unwrap();
    std::fs::write(dir.join("schema/before.yaml"), SPEC).unwrap();
    edit(&dir);
    let output = codegen(
        &dir,
        &[
            "--previous-openapi",
            "schema/before.yaml",
            "--report-json",
            "report.json",
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("2 change(s): wire breaking, Rust major"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    let kinds: Vec<&str> = json["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["operation-removed", "operation-added"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_git_revision_gives_the_previous_documents_with_the_files_they_refer_to() {
    let dir = scratch("git");
    std::fs::write(dir.join("schema/parts.yaml"), PARTS).unwrap();
    std::fs::write(dir.join("schema/openapi.yaml"), SPEC).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "first"]);

    let unchanged = codegen(&dir, &["--since", "HEAD"]);
    assert!(
        unchanged.status.success(),
        "{}",
        String::from_utf8_lossy(&unchanged.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&unchanged.stdout),
        "no change to the API\n"
    );

    // The referenced file changes too: the report reads both at the revision.
    edit(&dir);
    std::fs::write(dir.join("schema/parts.yaml"), "Limit: {type: string}\n").unwrap();
    let changed = codegen(&dir, &["--since", "HEAD"]);
    let stdout = String::from_utf8_lossy(&changed.stdout);
    assert!(
        changed.status.success(),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );
    assert!(
        stdout.contains("operation listItems: `GET /items` removed"),
        "{stdout}"
    );

    let missing = codegen(&dir, &["--since", "no-such-revision"]);
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(!missing.status.success());
    assert!(stderr.contains("no-such-revision"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The generator run with `args` only (no `--out`).
fn codegen_alone(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_autessa-codegen"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn docs_alone_write_the_reference_and_no_crate() {
    let dir = scratch("docs");
    std::fs::write(dir.join("schema/parts.yaml"), PARTS).unwrap();
    std::fs::write(dir.join("schema/openapi.yaml"), SPEC).unwrap();
    std::fs::write(dir.join("overview.md"), "## Hosts\n\nOur own words.\n").unwrap();
    let output = codegen_alone(
        &dir,
        &[
            "--openapi",
            "schema/openapi.yaml",
            "--docs",
            "docs",
            "--crate-name",
            "items-client",
            "--docs-overview",
            "overview.md",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut files: Vec<String> = std::fs::read_dir(dir.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["README.md", "operations.md", "reference.html", "types.md"]
    );
    assert!(!dir.join("out").exists() && !dir.join("Cargo.toml").exists());
    let readme = std::fs::read_to_string(dir.join("docs/README.md")).unwrap();
    assert!(readme.contains("## Hosts\n\nOur own words."), "{readme}");
    let ops = std::fs::read_to_string(dir.join("docs/operations.md")).unwrap();
    assert!(ops.contains("items_client::Client::new"), "{ops}");
    assert!(
        ops.contains("curl 'https://api.example.com/items'"),
        "{ops}"
    );
    let html = std::fs::read_to_string(dir.join("docs/reference.html")).unwrap();
    assert!(
        html.contains("[\"operation\",\"listItems\",\"GET /items\",\"#operations--listitems\"]")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn docs_with_previous_documents_show_the_changes() {
    let dir = scratch("docs-changes");
    std::fs::write(dir.join("schema/parts.yaml"), PARTS).unwrap();
    std::fs::write(dir.join("schema/before.yaml"), SPEC).unwrap();
    edit(&dir);
    let output = codegen(
        &dir,
        &["--previous-openapi", "schema/before.yaml", "--docs", "docs"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        dir.join("out/Cargo.toml").is_file(),
        "the crate is written too"
    );
    let changes = std::fs::read_to_string(dir.join("docs/changes.md")).unwrap();
    assert!(changes.contains("# Changes to `api-client`"), "{changes}");
    assert!(changes.contains("listItems"), "{changes}");
    let readme = std::fs::read_to_string(dir.join("docs/README.md")).unwrap();
    assert!(readme.contains("[Changes](changes.md)"), "{readme}");
    let html = std::fs::read_to_string(dir.join("docs/reference.html")).unwrap();
    assert!(
        html.contains("<section id=\"changes\""),
        "no change log page"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn docs_options_need_docs_and_something_to_write() {
    let dir = scratch("docs-usage");
    std::fs::write(
        dir.join("schema/openapi.yaml"),
        SPEC.replace("parts.yaml#/Limit", "#/x"),
    )
    .unwrap();
    let neither = codegen_alone(&dir, &["--openapi", "schema/openapi.yaml"]);
    assert!(!neither.status.success());
    assert!(String::from_utf8_lossy(&neither.stderr).starts_with("--out or --docs is required"));
    let stray = codegen_alone(
        &dir,
        &[
            "--openapi",
            "schema/openapi.yaml",
            "--out",
            "out",
            "--changelog",
            "x.md",
        ],
    );
    assert!(!stray.status.success());
    assert!(String::from_utf8_lossy(&stray.stderr).contains("go with --docs"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_crate_written_by_the_command_line_embeds_the_documents_its_mock_judges_by() {
    let dir = scratch("mock");
    std::fs::write(dir.join("schema/openapi.yaml"), SPEC).unwrap();
    std::fs::write(dir.join("schema/parts.yaml"), PARTS).unwrap();
    let output = codegen(&dir, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mock = std::fs::read_to_string(dir.join("out/src/mock.rs")).unwrap();
    assert!(mock.contains("mod documents;"), "{mock}");
    let documents = std::fs::read_to_string(dir.join("out/src/mock/documents.rs")).unwrap();
    assert!(
        documents.contains("\"operationId\": \"listItems\""),
        "{documents}"
    );
    // The file the document refers to is embedded too.
    assert!(documents.contains("\"parts.yaml\""), "{documents}");
    let _ = std::fs::remove_dir_all(&dir);
}
