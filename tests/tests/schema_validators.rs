//! Checks of `schema/openapi.yaml` and `schema/asyncapi.yaml`: the pinned validators
//! (Redocly, the AsyncAPI CLI) must accept them, and the structural facts the rest of the
//! project relies on (operation ids, paths, responses, descriptions, examples, message
//! directions) must hold.
//!
//! The validator tests run the tools `cargo xtask test` installs and names (see
//! `autessa_tools`); a plain `cargo test` ignores them.

use std::collections::{BTreeMap, BTreeSet};

use autessa_tools::{self as tools, ASYNCAPI, REDOCLY};
use serde_yaml::Value;

const OPENAPI: &str = "schema/openapi.yaml";
const ASYNCAPI_DOC: &str = "schema/asyncapi.yaml";

/// Every REST operation of the contract: operation id and path (all `POST`).
const OPERATIONS: &[(&str, &str)] = &[
    ("createConversation", "/clients/agents/execute-create"),
    ("executeAgent", "/clients/agents/execute"),
    ("closeConversation", "/clients/agents/execute-close"),
    ("executeTool", "/clients/tool/execute"),
    ("insertRow", "/clients/autessadb/insert"),
    ("updateRow", "/clients/autessadb/update"),
    ("batchUpdateRows", "/clients/autessadb/batch-update"),
    ("deleteRow", "/clients/autessadb/delete-row"),
    ("batchDeleteRows", "/clients/autessadb/batch-delete"),
    ("getData", "/clients/autessadb/get-data"),
    ("getSingleRow", "/clients/autessadb/get-single-row"),
    ("queryTable", "/clients/autessadb/query"),
    ("joinQuery", "/clients/autessadb/join-query"),
    ("semanticSearch", "/clients/autessadb/search"),
    (
        "generateUploadLink",
        "/clients/autessadb/generate-upload-link",
    ),
    ("indexRecord", "/clients/autessadb/index-record"),
];

/// The operations that are pure reads, and so safe to retry (`x-idempotent: true`).
const IDEMPOTENT: &[&str] = &[
    "getData",
    "getSingleRow",
    "queryTable",
    "joinQuery",
    "semanticSearch",
];

/// The responses every operation must declare.
const RESPONSES: &[&str] = &["200", "401", "429", "500", "default"];

/// Every WebSocket message and whether the client sends it (true) or receives it (false).
const MESSAGES: &[(&str, bool)] = &[
    ("ExecuteMessage", true),
    ("VoiceSetupMessage", true),
    ("AudioFrame", true),
    ("CloseConversationMessage", true),
    ("ExecuteToolMessage", true),
    ("ConnectionStatus", false),
    ("StreamedOutputMessage", false),
    ("ExecutionResult", false),
    ("ErrorMessage", false),
    ("ToolDebugMessage", false),
    ("ToolResultMessage", false),
];

// ---------------------------------------------------------------- validators

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn redocly_lint_reports_no_errors() {
    let output = tools::command(&REDOCLY)
        .args(["lint", OPENAPI, "--format=json"])
        .output()
        .expect("run redocly");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "redocly lint did not print a JSON report ({e});\n{}",
            tools::combined_output(&output)
        )
    });
    let problems: Vec<String> = report["problems"]
        .as_array()
        .map(|problems| {
            problems
                .iter()
                .map(|p| {
                    format!(
                        "{} {} at {}: {}",
                        p["severity"].as_str().unwrap_or("?"),
                        p["ruleId"].as_str().unwrap_or("?"),
                        p["location"][0]["pointer"].as_str().unwrap_or("?"),
                        p["message"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    for problem in &problems {
        eprintln!("redocly: {problem}");
    }
    let errors = report["totals"]["errors"].as_u64();
    assert!(
        output.status.success() && errors == Some(0),
        "redocly lint {OPENAPI} failed ({}, {errors:?} errors):\n{}\n\nfull output:\n{}",
        output.status,
        problems.join("\n"),
        tools::combined_output(&output)
    );
}

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn asyncapi_validate_reports_no_errors() {
    let output = tools::command(&ASYNCAPI)
        .args(["validate", ASYNCAPI_DOC, "--diagnostics-format", "json"])
        .output()
        .expect("run asyncapi");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The JSON diagnostics follow a line of text saying whether the document is valid.
    let diagnostics: Vec<serde_json::Value> = stdout
        .find("\n[")
        .and_then(|start| serde_json::from_str(&stdout[start..]).ok())
        .unwrap_or_default();
    // Spectral severities: 0 error, 1 warning, 2 information, 3 hint.
    let describe = |d: &serde_json::Value| {
        format!(
            "severity {} {} at {}: {}",
            d["severity"],
            d["code"].as_str().unwrap_or("?"),
            d["path"],
            d["message"].as_str().unwrap_or("?")
        )
    };
    for diagnostic in &diagnostics {
        eprintln!("asyncapi: {}", describe(diagnostic));
    }
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d["severity"].as_u64() == Some(0))
        .map(describe)
        .collect();
    assert!(
        output.status.success() && errors.is_empty() && stdout.contains("is valid"),
        "asyncapi validate {ASYNCAPI_DOC} failed ({}):\n{}\n\nfull output:\n{}",
        output.status,
        errors.join("\n"),
        tools::combined_output(&output)
    );
}

#[test]
#[ignore = "needs the pinned tools: cargo xtask test"]
fn pinned_tools_report_their_pinned_versions() {
    for tool in tools::ALL.iter().filter(|t| !t.bin.is_empty()) {
        let output = tools::command(tool)
            .arg("--version")
            .output()
            .expect("run the tool");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains(tool.version),
            "`{} --version` does not report {}:\n{}",
            tool.bin,
            tool.version,
            tools::combined_output(&output)
        );
    }
}

// ---------------------------------------------------------------- OpenAPI structure

fn load(relative: &str) -> Value {
    let path = tools::workspace_root().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()))
}

fn openapi() -> Value {
    load(OPENAPI)
}

fn asyncapi() -> Value {
    load(ASYNCAPI_DOC)
}

fn str_of(value: &Value) -> Option<&str> {
    value.as_str()
}

fn entries(value: &Value) -> Vec<(String, &Value)> {
    value
        .as_mapping()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.as_str().unwrap_or("?").to_owned(), v))
                .collect()
        })
        .unwrap_or_default()
}

/// Every operation of the document: (JSON pointer, operation id, operation).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in entries(&doc["paths"]) {
        for (method, op) in entries(item) {
            let id = str_of(&op["operationId"])
                .unwrap_or("<no operationId>")
                .to_owned();
            out.push((format!("paths/{path}/{method}"), id, op));
        }
    }
    out
}

/// Follows a local `$ref` (`#/a/b`) if `value` is one.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match str_of(&value["$ref"]) {
        Some(reference) => {
            let pointer = reference
                .strip_prefix("#/")
                .unwrap_or_else(|| panic!("not a local $ref: {reference}"));
            pointer.split('/').fold(doc, |node, key| {
                &node[key.replace("~1", "/").replace("~0", "~").as_str()]
            })
        }
        None => value,
    }
}

#[test]
fn openapi_has_exactly_the_contract_operations_at_their_paths() {
    let doc = openapi();
    let expected: BTreeMap<String, String> = OPERATIONS
        .iter()
        .map(|(id, path)| (id.to_string(), format!("paths/{path}/post")))
        .collect();
    let actual: BTreeMap<String, String> = operations(&doc)
        .into_iter()
        .map(|(pointer, id, _)| (id, pointer))
        .collect();
    assert_eq!(actual, expected, "operation ids and their paths (all POST)");
}

#[test]
fn every_operation_takes_resource_id() {
    let doc = openapi();
    let parameter = &doc["components"]["parameters"]["ResourceId"];
    assert_eq!(
        str_of(&parameter["name"]),
        Some("resourceId"),
        "ResourceId name"
    );
    assert_eq!(
        str_of(&parameter["in"]),
        Some("query"),
        "ResourceId location"
    );
    assert_eq!(
        parameter["required"].as_bool(),
        Some(true),
        "ResourceId required"
    );
    assert_eq!(
        str_of(&parameter["schema"]["type"]),
        Some("integer"),
        "ResourceId type"
    );
    assert_eq!(
        str_of(&parameter["schema"]["format"]),
        Some("int64"),
        "ResourceId format"
    );
    let missing: Vec<String> = operations(&doc)
        .into_iter()
        .filter(|(_, _, op)| {
            !op["parameters"].as_sequence().is_some_and(|params| {
                params
                    .iter()
                    .any(|p| str_of(&p["$ref"]) == Some("#/components/parameters/ResourceId"))
            })
        })
        .map(|(_, id, _)| id)
        .collect();
    assert!(
        missing.is_empty(),
        "operations without the ResourceId parameter: {missing:?}"
    );
}

#[test]
fn every_operation_declares_the_standard_responses() {
    let doc = openapi();
    let mut missing = Vec::new();
    for (_, id, op) in operations(&doc) {
        for status in RESPONSES {
            if op["responses"][*status].is_null() {
                missing.push(format!("{id} {status}"));
            }
        }
    }
    assert!(missing.is_empty(), "missing responses: {missing:?}");
}

#[test]
fn every_response_carries_the_rate_limit_headers_and_429_retry_after() {
    let doc = openapi();
    let headers = [
        "X-RateLimit-Limit-Minute",
        "X-RateLimit-Remaining-Minute",
        "X-RateLimit-Limit-Day",
        "X-RateLimit-Remaining-Day",
    ];
    let mut missing = Vec::new();
    for (_, id, op) in operations(&doc) {
        for (status, response) in entries(&op["responses"]) {
            let response = resolve(&doc, response);
            for header in headers {
                if response["headers"][header].is_null() {
                    missing.push(format!("{id} {status} {header}"));
                }
            }
            if status == "429" && response["headers"]["Retry-After"].is_null() {
                missing.push(format!("{id} {status} Retry-After"));
            }
        }
    }
    assert!(missing.is_empty(), "missing response headers: {missing:?}");
}

#[test]
fn every_operation_says_whether_it_is_idempotent() {
    let doc = openapi();
    let mut wrong = Vec::new();
    for (_, id, op) in operations(&doc) {
        let expected = IDEMPOTENT.contains(&id.as_str());
        let actual = op["x-idempotent"].as_bool();
        if actual != Some(expected) {
            wrong.push(format!(
                "{id}: x-idempotent is {actual:?}, expected {expected}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Collects the JSON pointers of properties without a description, recursing through
/// inline schemas (component schemas are checked on their own).
fn undescribed_properties(schema: &Value, pointer: &str, out: &mut Vec<String>) {
    for (name, property) in entries(&schema["properties"]) {
        let at = format!("{pointer}/properties/{name}");
        if str_of(&property["description"]).is_none_or(str::is_empty) {
            out.push(at.clone());
        }
        undescribed_properties(property, &at, out);
    }
    for keyword in ["allOf", "oneOf", "anyOf"] {
        for (i, part) in schema[keyword]
            .as_sequence()
            .into_iter()
            .flatten()
            .enumerate()
        {
            undescribed_properties(part, &format!("{pointer}/{keyword}/{i}"), out);
        }
    }
    for keyword in ["items", "additionalProperties", "not"] {
        if schema[keyword].is_mapping() {
            undescribed_properties(&schema[keyword], &format!("{pointer}/{keyword}"), out);
        }
    }
}

fn has_description(value: &Value) -> bool {
    str_of(&value["description"]).is_some_and(|d| !d.trim().is_empty())
}

#[test]
fn everything_in_openapi_is_described() {
    let doc = openapi();
    let mut missing = Vec::new();
    for (pointer, _, op) in operations(&doc) {
        for field in ["summary", "description"] {
            if str_of(&op[field]).is_none_or(|s| s.trim().is_empty()) {
                missing.push(format!("{pointer} {field}"));
            }
        }
        for (i, parameter) in op["parameters"]
            .as_sequence()
            .into_iter()
            .flatten()
            .enumerate()
        {
            if parameter["$ref"].is_null() && !has_description(parameter) {
                missing.push(format!("{pointer}/parameters/{i}"));
            }
        }
    }
    for section in ["parameters", "headers", "responses", "securitySchemes"] {
        for (name, item) in entries(&doc["components"][section]) {
            if !has_description(item) {
                missing.push(format!("components/{section}/{name}"));
            }
        }
    }
    for (name, schema) in entries(&doc["components"]["schemas"]) {
        let pointer = format!("components/schemas/{name}");
        if !has_description(schema) {
            missing.push(pointer.clone());
        }
        undescribed_properties(schema, &pointer, &mut missing);
    }
    assert!(missing.is_empty(), "without a description: {missing:#?}");
}

#[test]
fn every_request_and_response_body_has_an_example() {
    let doc = openapi();
    let mut missing = Vec::new();
    let mut check_content = |pointer: String, content: &Value| {
        let media = entries(content);
        if media.is_empty() {
            missing.push(format!("{pointer}: no content"));
        }
        for (media_type, item) in media {
            if item["example"].is_null() && item["examples"].is_null() {
                missing.push(format!("{pointer}/content/{media_type}"));
            }
        }
    };
    for (pointer, _, op) in operations(&doc) {
        check_content(
            format!("{pointer}/requestBody"),
            &op["requestBody"]["content"],
        );
        for (status, response) in entries(&op["responses"]) {
            if response["$ref"].is_null() {
                check_content(
                    format!("{pointer}/responses/{status}"),
                    &response["content"],
                );
            }
        }
    }
    for (name, response) in entries(&doc["components"]["responses"]) {
        check_content(format!("components/responses/{name}"), &response["content"]);
    }
    assert!(
        missing.is_empty(),
        "bodies without an example: {missing:#?}"
    );
}

/// Every `$ref` string in `value`.
fn refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Mapping(map) => {
            for (key, item) in map {
                match (key.as_str(), item.as_str()) {
                    (Some("$ref"), Some(reference)) => {
                        out.insert(reference.to_owned());
                    }
                    _ => refs(item, out),
                }
            }
        }
        Value::Sequence(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

/// Replaces the `no-unused-components` lint rule, which redocly.yaml turns off because the
/// WebSocket payload schemas are used only from asyncapi.yaml.
#[test]
fn every_component_schema_is_used_by_one_of_the_documents() {
    let doc = openapi();
    let mut used = BTreeSet::new();
    refs(&doc, &mut used);
    let mut from_asyncapi = BTreeSet::new();
    refs(&asyncapi(), &mut from_asyncapi);
    used.extend(
        from_asyncapi
            .iter()
            .filter_map(|r| r.strip_prefix("./openapi.yaml"))
            .map(str::to_owned),
    );
    let unused: Vec<String> = entries(&doc["components"]["schemas"])
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !used.contains(&format!("#/components/schemas/{name}")))
        .collect();
    assert!(
        unused.is_empty(),
        "component schemas no document refers to: {unused:?}"
    );
}

#[test]
fn inferred_marker_is_only_ever_true() {
    fn walk(value: &Value, pointer: &str, out: &mut Vec<String>) {
        if let Value::Mapping(map) = value {
            for (key, item) in map {
                let key = key.as_str().unwrap_or("?");
                let at = format!("{pointer}/{key}");
                if key == "x-autessa-inferred" && item.as_bool() != Some(true) {
                    out.push(at.clone());
                }
                walk(item, &at, out);
            }
        } else if let Value::Sequence(items) = value {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{pointer}/{i}"), out);
            }
        }
    }
    let mut wrong = Vec::new();
    walk(&openapi(), OPENAPI, &mut wrong);
    walk(&asyncapi(), ASYNCAPI_DOC, &mut wrong);
    assert!(
        wrong.is_empty(),
        "x-autessa-inferred must be `true` or absent: {wrong:?}"
    );
}

// ---------------------------------------------------------------- AsyncAPI structure

#[test]
fn asyncapi_channels_have_the_contract_addresses_and_query() {
    let doc = asyncapi();
    for (channel, address, query) in [
        (
            "agentExecute",
            "/ws/clients/agents/execute",
            &[
                "resourceId",
                "versionState",
                "versionNumber",
                "voiceModeEnabled",
            ][..],
        ),
        (
            "toolExecute",
            "/ws/clients/tools/execute",
            &["resourceId", "versionState", "versionNumber"][..],
        ),
    ] {
        let item = &doc["channels"][channel];
        assert_eq!(
            str_of(&item["address"]),
            Some(address),
            "address of channel {channel}"
        );
        let schema = &item["bindings"]["ws"]["query"];
        let names: Vec<String> = entries(&schema["properties"])
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, query, "query parameters of channel {channel}");
        let required: Vec<&str> = schema["required"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            required,
            ["resourceId"],
            "required query parameters of channel {channel}"
        );
    }
}

/// The component message name behind an operation's message reference
/// (`#/channels/c/messages/m`, which is itself a `$ref` to `#/components/messages/Name`).
fn message_name(doc: &Value, reference: &Value) -> String {
    let message = resolve(doc, reference);
    let target = str_of(&message["$ref"]).unwrap_or_else(|| {
        panic!("channel message {reference:?} is not a $ref to components/messages")
    });
    target
        .strip_prefix("#/components/messages/")
        .unwrap_or_else(|| panic!("{target} is not in #/components/messages/"))
        .to_owned()
}

#[test]
fn asyncapi_actions_match_message_directions() {
    let doc = asyncapi();
    let direction: BTreeMap<&str, bool> = MESSAGES.iter().copied().collect();
    let mut wrong = Vec::new();
    let mut covered = BTreeSet::new();
    for (name, op) in entries(&doc["operations"]) {
        let action = str_of(&op["action"]).unwrap_or("<none>");
        for reference in op["messages"].as_sequence().into_iter().flatten() {
            let message = message_name(&doc, reference);
            // The document describes the server: it receives what the client sends.
            let expected = match direction.get(message.as_str()) {
                Some(true) => "receive",
                Some(false) => "send",
                None => {
                    wrong.push(format!("operation {name}: unknown message {message}"));
                    continue;
                }
            };
            if action != expected {
                wrong.push(format!(
                    "operation {name}: action {action} for {message}, expected {expected}"
                ));
            }
            covered.insert(message);
        }
    }
    let uncovered: Vec<&str> = MESSAGES
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| !covered.contains(*m))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(
        uncovered.is_empty(),
        "messages in no operation: {uncovered:?}"
    );
}

#[test]
fn asyncapi_description_explains_the_server_point_of_view() {
    let doc = asyncapi();
    let description = str_of(&doc["info"]["description"]).unwrap_or_default();
    for phrase in [
        "describes the Autessa server",
        "action: receive",
        "client sends",
        "action: send",
        "client receives",
    ] {
        assert!(
            description.contains(phrase),
            "info.description does not mention `{phrase}`"
        );
    }
}

#[test]
fn asyncapi_json_payloads_are_openapi_component_schemas() {
    let doc = asyncapi();
    let openapi = openapi();
    let mut wrong = Vec::new();
    for (name, message) in entries(&doc["components"]["messages"]) {
        let payload = &message["payload"];
        if str_of(&message["contentType"]) == Some("application/octet-stream") {
            if str_of(&payload["format"]) != Some("binary") {
                wrong.push(format!(
                    "{name}: binary message without a `format: binary` payload"
                ));
            }
            continue;
        }
        let reference = str_of(&payload["schema"]["$ref"]).unwrap_or_default();
        match reference.strip_prefix("./openapi.yaml#/components/schemas/") {
            Some(schema) if !openapi["components"]["schemas"][schema].is_null() => {
                if !str_of(&payload["schemaFormat"])
                    .is_some_and(|f| f.starts_with("application/vnd.oai.openapi"))
                {
                    wrong.push(format!("{name}: payload schemaFormat is not OpenAPI"));
                }
            }
            _ => wrong.push(format!(
                "{name}: payload {reference:?} is not an OpenAPI component schema"
            )),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn everything_in_asyncapi_is_described() {
    let doc = asyncapi();
    let mut missing = Vec::new();
    for section in ["channels", "operations"] {
        for (name, item) in entries(&doc[section]) {
            if !has_description(item) {
                missing.push(format!("{section}/{name}"));
            }
        }
    }
    for (name, channel) in entries(&doc["channels"]) {
        undescribed_properties(
            &channel["bindings"]["ws"]["query"],
            &format!("channels/{name}/bindings/ws/query"),
            &mut missing,
        );
    }
    for section in ["messages", "securitySchemes"] {
        for (name, item) in entries(&doc["components"][section]) {
            if !has_description(item) {
                missing.push(format!("components/{section}/{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "without a description: {missing:#?}");
}
