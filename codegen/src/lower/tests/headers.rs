//! Documented response headers: the structs they are read into, and `x-rate-limit`.

use serde_json::{Value, json};

use super::*;

/// A document whose operations each answer 200 with `headers`, and whose root has `extra`.
fn with_headers(ops: &[(&str, Value)], extra: Value) -> Value {
    let mut paths = serde_json::Map::new();
    for (id, headers) in ops {
        paths.insert(
            format!("/{id}"),
            json!({"get": {"operationId": id, "responses": {
                "200": {"description": "ok", "headers": headers},
                "default": {"description": "error", "headers": {"X-Error-Only": {"schema": {"type": "string"}}}}
            }}}),
        );
    }
    let mut doc =
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths});
    if let Value::Object(extra) = extra {
        doc.as_object_mut().unwrap().extend(extra);
    }
    doc
}

fn int() -> Value {
    json!({"schema": {"type": "integer"}})
}

#[test]
fn operations_with_the_same_success_headers_share_one_struct() {
    let rate = json!({"X-RateLimit-Limit": int(), "X-RateLimit-Remaining": int()});
    let api = lower(with_headers(
        &[
            ("first", rate.clone()),
            ("second", json!({"x-ratelimit-limit": int(), "X-RateLimit-Remaining": int()})),
            ("third", json!({"ETag": {"schema": {"type": "string"}}, "Link": {"schema": {"type": "string"}}})),
            ("fourth", json!({})),
        ],
        json!({}),
    ))
    .unwrap();
    let names: Vec<&str> = api.header_sets.iter().map(|s| s.name.as_str()).collect();
    // A shared struct is named after the words every header starts with; one operation's
    // after the operation.
    assert_eq!(names, ["RateLimitHeaders", "ThirdHeaders"]);
    let of = |i: usize| {
        let headers = api.operations[i].success_headers.as_ref();
        headers.map(|h| (h.set, h.name.as_str()))
    };
    // Every operation has a name of its own for its headers.
    assert_eq!(
        [of(0), of(1), of(2), of(3)],
        [
            Some((0, "FirstHeaders")),
            Some((0, "SecondHeaders")),
            Some((1, "ThirdHeaders")),
            None
        ]
    );
    assert_eq!(api.header_sets[0].operations, ["first", "second"]);
    let members: Vec<&str> = api.header_sets[0]
        .headers
        .iter()
        .map(|h| h.name.as_str())
        .collect();
    assert_eq!(members, ["x_rate_limit_limit", "x_rate_limit_remaining"]);
}

#[test]
fn header_struct_names_are_claimed_beside_the_schemas() {
    let page = json!({"X-Page-Next": int(), "X-Page-Count": int()});
    let mut doc = with_headers(&[("list", page.clone()), ("more", page)], json!({}));
    doc["components"] =
        json!({"schemas": {"PageHeaders": {"type": "string"}, "ListHeaders": {"type": "string"}}});
    let api = lower(doc).unwrap();
    assert_eq!(api.header_sets[0].name, "PageHeaders2");
    let own = api.operations[0].success_headers.as_ref().unwrap();
    assert_eq!(own.name, "ListHeaders2");
}

#[test]
fn a_shared_struct_without_common_words_takes_its_first_operations_name() {
    let mixed = json!({"ETag": int(), "Link": int()});
    let api = lower(with_headers(
        &[("one", mixed.clone()), ("two", mixed)],
        json!({}),
    ))
    .unwrap();
    assert_eq!(api.header_sets[0].name, "OneHeaders");
    let names: Vec<&str> = api
        .operations
        .iter()
        .map(|op| op.success_headers.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(names, ["OneHeaders", "TwoHeaders"]);
}

#[test]
fn x_rate_limit_names_the_budget_headers_in_lower_case() {
    let headers = json!({"X-Left": int(), "X-Limit": int()});
    let quota =
        json!({"x-rate-limit": {"remaining": "X-Left", "limit": "X-Limit", "window-seconds": 60}});
    let api = lower(with_headers(&[("op", headers.clone())], quota)).unwrap();
    let quota = api.quota.unwrap();
    assert_eq!(
        (
            quota.remaining.as_str(),
            quota.limit.as_deref(),
            quota.window_seconds
        ),
        ("x-left", Some("x-limit"), 60)
    );
    assert!(api.warnings.is_empty(), "{:?}", api.warnings);

    // A header no response documents is most likely a typo.
    let quota = json!({"x-rate-limit": {"remaining": "X-Lfet", "window-seconds": 60}});
    let api = lower(with_headers(&[("op", headers.clone())], quota)).unwrap();
    let warnings: Vec<String> = api.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings[0].contains("no response documents the header `x-lfet`"),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("x-rate-limit"), "{warnings:?}");
}

#[test]
fn a_malformed_x_rate_limit_is_an_error_where_it_stands() {
    let headers = json!({"X-Left": int()});
    let cases = [
        (
            json!({"remaining": "X-Left"}),
            "missing field `window-seconds`",
        ),
        (
            json!({"remaining": "X-Left", "window-seconds": 60, "reset": "X-Reset"}),
            "unknown field `reset`",
        ),
        (
            json!({"remaining": "X Left", "window-seconds": 60}),
            "`X Left` is not an HTTP header name",
        ),
        (
            json!({"remaining": "X-Left", "window-seconds": 0}),
            "`window-seconds` must be at least 1",
        ),
        (json!("X-Left"), "`x-rate-limit` must be"),
    ];
    for (extension, expected) in cases {
        let doc = with_headers(
            &[("op", headers.clone())],
            json!({"x-rate-limit": extension}),
        );
        let errors = lower(doc).unwrap_err().to_string();
        assert!(errors.contains(expected), "{expected}: {errors}");
        assert!(errors.contains("x-rate-limit"), "{errors}");
    }
}
