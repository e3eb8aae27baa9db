//! The generator must never panic on a document: every node of real specs is replaced by
//! values of the wrong kind, and each mutant must either generate or fail with diagnostics.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use autessa_codegen::diag::Location;
use autessa_codegen::load::{Sources, parse_text};
use autessa_codegen::{Flags, RustConfig, lower, rust};
use serde_json::{Value, json};

fn config() -> RustConfig {
    RustConfig {
        features_by: None,
        crate_name: "mutant".into(),
        crate_version: "0.0.0".into(),
        runtime_dependency: "{ path = \"runtime\" }".into(),
        env_prefix: "MUTANT".into(),
        command: "test".into(),
        package: Default::default(),
    }
}

/// Every JSON pointer in `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Runs every stage on `doc`; returns whether it panicked.
fn survives(doc: Value) -> bool {
    catch_unwind(AssertUnwindSafe(|| {
        if let Ok(api) =
            lower::lower_openapi(Sources::from_value("mutant.yaml", doc), &Flags::default())
        {
            let _ = rust::emit(&api, &config());
        }
    }))
    .is_ok()
}

fn mutate_every_node(spec: &Path, stride: usize) -> usize {
    let text = std::fs::read_to_string(spec).unwrap();
    let doc = parse_text(&text, &Location::new(Default::default(), "")).unwrap();
    let mut all = Vec::new();
    pointers(&doc, String::new(), &mut all);
    let replacements = [
        json!(null),
        json!(42),
        json!("x"),
        json!([]),
        json!({}),
        json!({"$ref": "#/nowhere"}),
    ];
    let mut panics = Vec::new();
    let mut tried = 0;
    for (i, pointer) in all.iter().enumerate().skip(1) {
        let replacement = &replacements[i % replacements.len()];
        if i % stride != 0 {
            continue;
        }
        let mut mutant = doc.clone();
        if let Some(slot) = mutant.pointer_mut(pointer) {
            *slot = replacement.clone();
        }
        tried += 1;
        if !survives(mutant) {
            panics.push(format!("{pointer} = {replacement}"));
        }
    }
    assert!(
        panics.is_empty(),
        "{}: the generator panicked on:\n{}",
        spec.display(),
        panics.join("\n")
    );
    tried
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn fixtures_survive_every_mutation() {
    for name in ["objects", "unions", "operations", "hostile", "openapi31"] {
        let tried = mutate_every_node(&root().join(format!("tests/fixtures/{name}/spec.yaml")), 1);
        assert!(tried > 50, "{name}: only {tried} mutants");
    }
}

#[test]
fn the_autessa_schema_survives_mutations() {
    let tried = mutate_every_node(&root().join("schema/openapi.yaml"), 7);
    assert!(tried > 200, "only {tried} mutants");
}

#[test]
fn unsupported_documents_fail_with_diagnostics() {
    for doc in [
        json!(null),
        json!([]),
        json!("openapi"),
        json!({"openapi": 3}),
        json!({"openapi": "3.0.0"}),
    ] {
        let result = lower::lower_openapi(
            Sources::from_value("bad.yaml", doc.clone()),
            &Flags::default(),
        );
        let errors = result.expect_err(&format!("{doc} should be rejected"));
        assert!(errors.to_string().contains("bad.yaml#"), "{errors}");
    }
}
