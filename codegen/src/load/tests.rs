use std::path::Path;

use super::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("autessa-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn pointers_are_percent_decoded_then_unescaped() {
    assert_eq!(
        parse_pointer("/paths/~1pets~1%7Bid%7D/get").unwrap(),
        ["paths", "/pets/{id}", "get"]
    );
    assert_eq!(parse_pointer("/a~0b/c%20d").unwrap(), ["a~b", "c d"]);
    assert_eq!(parse_pointer("").unwrap(), Vec::<String>::new());
    assert!(parse_pointer("/bad~2").unwrap_err().contains("~2"));
    assert!(
        parse_pointer("no-slash")
            .unwrap_err()
            .contains("must start with `/`")
    );
}

#[test]
fn follows_references_across_files_and_folders() {
    let dir = temp_dir("cross");
    let root = write(&dir, "root.yaml", "a: { $ref: 'sub/b.json#/defs/B' }\n");
    write(
        &dir,
        "sub/b.json",
        r#"{"defs": {"B": {"$ref": "../c.yaml#/C"}}}"#,
    );
    write(&dir, "c.yaml", "C: { type: string }\n");
    let sources = Sources::load(&root).unwrap();
    let a = sources.root_location().join("a");
    let target = sources.follow(&a).unwrap();
    assert!(target.file().ends_with("c.yaml"), "{target}");
    assert_eq!(target.pointer, "/C");
    assert_eq!(sources.get(&target).unwrap()["type"], "string");
}

#[test]
fn a_missing_file_is_reported_where_it_is_referenced() {
    let dir = temp_dir("missing");
    let root = write(&dir, "root.yaml", "x:\n  y: { $ref: 'nope.yaml#/Z' }\n");
    let error = Sources::load(&root).unwrap_err();
    assert_eq!(error.location.pointer, "/x/y/$ref");
    assert!(error.location.file().ends_with("root.yaml"));
    assert!(
        error.message.contains("cannot read") && error.message.contains("nope.yaml"),
        "{error}"
    );
}

#[test]
fn a_dangling_pointer_names_what_does_not_exist() {
    let sources = Sources::from_value(
        "doc.yaml",
        serde_json::json!({"a": {"$ref": "#/defs/Missing"}, "defs": {}}),
    );
    let error = sources
        .follow(&sources.root_location().join("a"))
        .unwrap_err();
    assert_eq!(error.location.pointer, "/a/$ref");
    assert!(
        error
            .message
            .contains("doc.yaml#/defs/Missing does not exist"),
        "{error}"
    );
}

#[test]
fn reference_cycles_end_with_an_error() {
    let sources = Sources::from_value(
        "doc.yaml",
        serde_json::json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}),
    );
    let error = sources
        .follow(&sources.root_location().join("a"))
        .unwrap_err();
    assert!(error.message.contains("cycle"), "{error}");
}

#[test]
fn invalid_yaml_names_the_file_and_the_problem() {
    let dir = temp_dir("yaml");
    let root = write(&dir, "broken.yaml", "openapi: 3.0.3\ninfo: [unclosed\n");
    let error = Sources::load(&root).unwrap_err();
    assert!(error.location.file().ends_with("broken.yaml"));
    assert!(
        error.message.starts_with("not valid YAML or JSON"),
        "{error}"
    );
    assert!(
        error.to_string().contains("line"),
        "the message should say where: {error}"
    );
}

#[test]
fn yaml_keys_become_strings() {
    let loc = Location::new(Arc::new(PathBuf::from("x.yaml")), "");
    let value = parse_text("responses:\n  200: ok\n  true: yes\n", &loc).unwrap();
    assert_eq!(value["responses"]["200"], "ok");
    assert_eq!(value["responses"]["true"], "yes");
}

#[test]
fn typed_parse_errors_point_at_the_member() {
    let sources = Sources::from_value(
        "doc.yaml",
        serde_json::json!({"op": {"responses": {"200": {"description": 5}}}}),
    );
    let error = sources
        .parse::<openapiv3::Operation>(&sources.root_location().join("op"), "an operation")
        .unwrap_err();
    // serde stops tracking the path at openapiv3's flattened maps, so the pointer names the
    // `responses` object and the message says what was wrong inside it.
    assert_eq!(error.location.pointer, "/op/responses");
    assert!(
        error.message.starts_with("expected an operation"),
        "{error}"
    );
    assert!(error.message.contains("expected a string"), "{error}");
}
