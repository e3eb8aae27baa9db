//! Shared by the conformance test binaries (`conformance_prism`, `conformance_messages`):
//! the schema, a stricter validator, seeds and proptest runners, JSON comparison, and the
//! random value generators ([`schema_gen`] from JSON Schema, [`strategies`] for the generated
//! Rust types).

pub mod schema_gen;
pub mod strategies;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use autessa_tests::mock::{SchemaValidator, escape_token};
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{Value, json};

/// The environment variable that fixes the seed of every random test (printed on failure).
pub const SEED_ENV: &str = "AUTESSA_CONFORMANCE_SEED";

pub fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema")
}

/// The validator of `schema/openapi.yaml`, loaded once per test binary.
pub fn validator() -> Arc<SchemaValidator> {
    static VALIDATOR: OnceLock<Arc<SchemaValidator>> = OnceLock::new();
    Arc::clone(VALIDATOR.get_or_init(|| {
        let path = schema_dir().join("openapi.yaml");
        let validator = autessa_tests::mock::load_validator(&path)
            .unwrap_or_else(|error| panic!("cannot load {}: {error}", path.display()));
        Arc::new(validator)
    }))
}

/// `schema/openapi.yaml` as JSON (OpenAPI 3.0, not converted).
pub fn openapi() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| validator().document().clone())
}

/// `schema/asyncapi.yaml` as JSON.
pub fn asyncapi() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let path = schema_dir().join("asyncapi.yaml");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        serde_yaml::from_str(&text)
            .unwrap_or_else(|error| panic!("{} is not YAML: {error}", path.display()))
    })
}

/// The pointer of component schema `name`.
pub fn component(name: &str) -> String {
    format!("#/components/schemas/{}", escape_token(name))
}

// ------------------------------------------------------------------------------------------
// Validation
// ------------------------------------------------------------------------------------------

/// Validates with [`SchemaValidator`], and in addition checks `format: byte`, which the JSON
/// Schema validator does not know (it ignores unknown formats): such a string must be
/// canonical base64 (RFC 4648, padded, standard alphabet), as OpenAPI 3.0 defines the format.
pub fn check(pointer: &str, instance: &Value) -> Result<(), Vec<String>> {
    validator().validate(pointer, instance).map_err(|errors| {
        errors
            .into_iter()
            .map(|error| format!("SchemaValidator: {error}"))
            .collect::<Vec<_>>()
    })?;
    let byte = byte_validator(pointer);
    let errors: Vec<String> = byte
        .iter_errors(instance)
        .map(|error| {
            let path = error.instance_path().as_str().to_owned();
            let path = if path.is_empty() {
                "(root)".into()
            } else {
                path
            };
            format!("format byte: {path}: {error}")
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A validator of the converted document at `pointer` that knows `format: byte`.
fn byte_validator(pointer: &str) -> Arc<jsonschema::Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = cache.get(pointer) {
        return Arc::clone(found);
    }
    let mut root = validator().json_schema_document().clone();
    root.as_object_mut()
        .expect("the converted document is an object")
        .insert(
            "$ref".into(),
            json!(format!("#{}", pointer.trim_start_matches('#'))),
        );
    let built = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .with_format("byte", is_canonical_base64)
        .build(&root)
        .unwrap_or_else(|error| panic!("the schema at {pointer} does not compile: {error}"));
    let built = Arc::new(built);
    cache.insert(pointer.to_owned(), Arc::clone(&built));
    built
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (written here, independently of the client's encoder).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(
                    BASE64_ALPHABET[((n >> (18 - 6 * i)) & 63) as usize],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Whether `text` is canonical padded standard base64 (what [`base64_encode`] produces for
/// some bytes).
pub fn is_canonical_base64(text: &str) -> bool {
    if !text.len().is_multiple_of(4) {
        return false;
    }
    let value = |c: u8| BASE64_ALPHABET.iter().position(|&a| a == c);
    let bytes = text.as_bytes();
    let padding = bytes.iter().rev().take_while(|&&c| c == b'=').count();
    if padding > 2
        || bytes[..bytes.len() - padding]
            .iter()
            .any(|&c| value(c).is_none())
    {
        return false;
    }
    // The unused bits before the padding must be zero.
    match (
        padding,
        bytes.len().checked_sub(padding + 1).map(|i| bytes[i]),
    ) {
        (1, Some(last)) => value(last).is_some_and(|v| v & 0b11 == 0),
        (2, Some(last)) => value(last).is_some_and(|v| v & 0b1111 == 0),
        _ => true,
    }
}

// ------------------------------------------------------------------------------------------
// Seeds and runners
// ------------------------------------------------------------------------------------------

/// The seed of this run: `$AUTESSA_CONFORMANCE_SEED`, or one made from the clock.
pub fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| match std::env::var(SEED_ENV) {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{SEED_ENV}={text} is not a u64")),
        _ => {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            fnv(&format!("{nanos}-{}", std::process::id()))
        }
    })
}

/// How to run a test binary again with the same random values.
pub fn rerun(test: &str) -> String {
    format!(
        "seed {seed}; rerun with {SEED_ENV}={seed} cargo test -p autessa-tests --test {test}",
        seed = seed()
    )
}

/// A 64-bit FNV-1a hash (to derive one seed per label from the run's seed).
pub fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A proptest runner for `cases` cases, seeded from the run's seed and `label` (so each
/// property has its own reproducible stream), with no failure files and bounded shrinking.
pub fn runner(label: &str, cases: u32) -> TestRunner {
    let mut config = Config::with_cases(cases);
    config.failure_persistence = None;
    config.rng_seed = RngSeed::Fixed(seed() ^ fnv(label));
    config.max_shrink_iters = 256;
    config.max_global_rejects = cases.saturating_mul(16);
    TestRunner::new(config)
}

/// Draws `count` values from `strategy` with the runner of `label` (no shrinking).
pub fn sample<S: proptest::strategy::Strategy>(
    label: &str,
    strategy: &S,
    count: usize,
) -> Vec<S::Value> {
    use proptest::strategy::ValueTree;
    let mut runner = runner(label, 1);
    (0..count)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .unwrap_or_else(|reason| panic!("{label}: no value: {reason}"))
                .current()
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// Comparing JSON
// ------------------------------------------------------------------------------------------

/// Every property name declared anywhere in the OpenAPI document's schemas.
pub fn declared_property_names() -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        fn walk(value: &Value, names: &mut BTreeSet<String>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::Object(properties)) = map.get("properties") {
                        names.extend(properties.keys().cloned());
                    }
                    map.values().for_each(|v| walk(v, names));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, names)),
                _ => {}
            }
        }
        let mut names = BTreeSet::new();
        walk(openapi(), &mut names);
        names
    })
}

/// How `decoded` (a value as the client decoded and serialized it again) differs from
/// `received` (what was on the wire). Properties of `received` whose name the schema declares
/// nowhere are unknown to the client and may be dropped; every other difference is reported,
/// as `path: what`. Numbers are compared by value (`1` equals `1.0`) and strings that are both
/// RFC 3339 date-times by the instant they denote.
pub fn differences(received: &Value, decoded: &Value) -> Vec<String> {
    let mut out = Vec::new();
    compare(received, decoded, "", &mut out);
    out
}

fn compare(received: &Value, decoded: &Value, path: &str, out: &mut Vec<String>) {
    match (received, decoded) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let inner = format!("{path}/{}", escape_token(key));
                match b.get(key) {
                    Some(other) => compare(value, other, &inner, out),
                    None if declared_property_names().contains(key) => out.push(format!(
                        "{inner}: the declared property was dropped (received {value})"
                    )),
                    None => {}
                }
            }
            for (key, value) in b {
                if !a.contains_key(key) {
                    out.push(format!(
                        "{path}/{}: added by the client (not received): {value}",
                        escape_token(key)
                    ));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y, &format!("{path}/{index}"), out);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let same = match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
                (Some(x), Some(y), _, _) => x == y,
                (_, _, Some(x), Some(y)) => x == y,
                _ => a.as_f64() == b.as_f64(),
            };
            if !same {
                out.push(format!("{path}: received {a}, decoded {b}"));
            }
        }
        (Value::String(a), Value::String(b)) if a != b => {
            let instant = |text: &str| {
                serde_json::from_value::<autessa_runtime::DateTime>(Value::String(text.into())).ok()
            };
            match (instant(a), instant(b)) {
                (Some(x), Some(y)) if x == y => {}
                _ => out.push(format!("{path}: received {a:?}, decoded {b:?}")),
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!(
            "{}: received {a}, decoded {b}",
            if path.is_empty() { "(root)" } else { path }
        )),
    }
}

/// Pretty JSON for failure messages.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_encoding_and_canonical_check() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(&[0, 1, 2, 255]), "AAEC/w==");
        for good in ["", "Zg==", "Zm8=", "Zm9v", "AAEC/w=="] {
            assert!(is_canonical_base64(good), "{good}");
        }
        for bad in [
            "Zg",
            "Zh==",
            "Zm9=",
            "Zm9v=",
            "Z===",
            "9TPWsh7",
            "Xb4e_q=Pg",
            "ab c",
        ] {
            assert!(!is_canonical_base64(bad), "{bad}");
        }
    }
}
