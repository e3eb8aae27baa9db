//! The mock Autessa server and its schema validator, driven by a plain HTTP client.
//!
//! The server tests run against the real `schema/openapi.yaml`; a small fixture
//! (`tests/data/mock-openapi.yaml`) covers what the real schema does not use (path-level and
//! header parameters, `nullable`, named `examples`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use autessa_tests::mock::storage::StorageServer;
use autessa_tests::mock::{
    MockServer, OpenApiIndex, RATE_LIMIT_HEADERS, SchemaValidator, escape_token, resolve,
};
use serde_json::{Value, json};

const KEY: &str = "test-key-123";

fn real_schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/openapi.yaml")
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mock-openapi.yaml")
}

/// A request to send; starts as a valid `executeAgent` call.
#[derive(Clone)]
struct Call {
    method: reqwest::Method,
    path: String,
    query: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Call {
    fn post(path: &str, query: &str, body: &Value) -> Call {
        Call {
            method: reqwest::Method::POST,
            path: path.to_owned(),
            query: query.to_owned(),
            headers: vec![
                ("authorization", KEY.to_owned()),
                ("content-type", "application/json".to_owned()),
            ],
            body: body.to_string().into_bytes(),
        }
    }

    fn header(mut self, name: &'static str, value: Option<&str>) -> Call {
        self.headers.retain(|(key, _)| *key != name);
        if let Some(value) = value {
            self.headers.push((name, value.to_owned()));
        }
        self
    }
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn send(server: &MockServer, call: &Call) -> Answer {
    let separator = if call.query.is_empty() { "" } else { "?" };
    let url = format!(
        "{}{}{separator}{}",
        server.base_url(),
        call.path,
        call.query
    );
    let mut request = reqwest::Client::new()
        .request(call.method.clone(), url)
        .body(call.body.clone());
    for (name, value) in &call.headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("the mock server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a response body");
    let body = serde_json::from_slice(&bytes).expect("a JSON response body");
    Answer {
        status,
        headers,
        body,
    }
}

/// The document as loaded, to read examples from.
fn document(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn pointer<'a>(document: &'a Value, pointer: &str) -> &'a Value {
    document
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} is in the schema"))
}

/// The request body example of an operation of the real schema.
fn request_example(document: &Value, path: &str) -> Value {
    let body = pointer(
        document,
        &format!("/paths/{}/post/requestBody", escape_token(path)),
    );
    let (body, _) = resolve(document, body, "");
    body["content"]["application/json"]["example"].clone()
}

/// The example of a response of an operation (following `$ref`s to components).
fn response_example(document: &Value, path: &str, key: &str) -> Value {
    let response = pointer(
        document,
        &format!("/paths/{}/post/responses/{key}", escape_token(path)),
    );
    let (response, _) = resolve(document, response, "");
    response["content"]["application/json"]["example"].clone()
}

const EXECUTE: &str = "/clients/agents/execute";

fn assert_rate_limit_headers(answer: &Answer) {
    for (name, value) in RATE_LIMIT_HEADERS {
        assert_eq!(
            answer.headers.get(name).map(|v| v.to_str().unwrap()),
            Some(value.to_string().as_str()),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_valid_request_gets_the_example_and_is_recorded() {
    let doc = document(&real_schema());
    let server = autessa_tests::mock::start_rest(&real_schema(), KEY).await;
    let body = request_example(&doc, EXECUTE);
    let answer = send(&server, &Call::post(EXECUTE, "resourceId=123", &body)).await;

    assert_eq!(server.violations(), Vec::<String>::new());
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, response_example(&doc, EXECUTE, "200"));
    assert_eq!(
        answer.headers.get("content-type").unwrap(),
        "application/json"
    );
    assert!(answer.headers.get("retry-after").is_none());
    assert_rate_limit_headers(&answer);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, EXECUTE);
    assert_eq!(request.operation_id.as_deref(), Some("executeAgent"));
    assert_eq!(
        request.query,
        vec![("resourceId".to_owned(), "123".to_owned())]
    );
    assert_eq!(request.header("Authorization"), Some(KEY));
    assert_eq!(request.json(), Some(body));
    assert_eq!(request.status, 200);
    assert!(request.violations.is_empty());
}

#[tokio::test]
async fn every_operation_accepts_its_own_example() {
    let doc = document(&real_schema());
    let server = autessa_tests::mock::start_rest(&real_schema(), KEY).await;
    let index = OpenApiIndex::new(&doc);
    assert_eq!(index.operations().len(), 16);
    for operation in index.operations() {
        let body = request_example(&doc, &operation.path);
        assert!(
            !body.is_null(),
            "{} has a request example",
            operation.name()
        );
        let answer = send(&server, &Call::post(&operation.path, "resourceId=7", &body)).await;
        assert_eq!(
            answer.status,
            200,
            "{}: {:?}",
            operation.name(),
            answer.body
        );
        assert_eq!(
            answer.body,
            response_example(&doc, &operation.path, "200"),
            "{}",
            operation.name()
        );
    }
    assert_eq!(server.violations(), Vec::<String>::new());
    let ids: Vec<String> = server
        .requests()
        .iter()
        .map(|request| request.operation_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "createConversation",
            "executeAgent",
            "closeConversation",
            "executeTool",
            "insertRow",
            "updateRow",
            "batchUpdateRows",
            "deleteRow",
            "batchDeleteRows",
            "getData",
            "getSingleRow",
            "queryTable",
            "joinQuery",
            "semanticSearch",
            "generateUploadLink",
            "indexRecord"
        ]
    );
}

#[tokio::test]
async fn each_kind_of_bad_request_yields_exactly_its_violation() {
    let doc = document(&real_schema());
    let server = autessa_tests::mock::start_rest(&real_schema(), KEY).await;
    let body = request_example(&doc, EXECUTE);
    let good = Call::post(EXECUTE, "resourceId=123", &body);
    let with_body = |body: Value| Call {
        body: body.to_string().into_bytes(),
        ..good.clone()
    };
    let mut without_agent = body.clone();
    without_agent.as_object_mut().unwrap().remove("agentId");
    let mut wrong_type = body.clone();
    wrong_type["agentId"] = json!("123");
    let mut bad_enum = body.clone();
    bad_enum["input"][0]["content"] = json!(5);

    let cases: Vec<(&str, Call, &str)> = vec![
        (
            "Bearer prefix",
            good.clone()
                .header("authorization", Some(&format!("Bearer {KEY}"))),
            "executeAgent: header \"Authorization\" has a \"Bearer \" prefix; security scheme \
             \"ApiKeyAuth\" wants the raw API key",
        ),
        (
            "no key",
            good.clone().header("authorization", None),
            "executeAgent: header \"Authorization\" is missing (security scheme \"ApiKeyAuth\" \
             wants the raw API key)",
        ),
        (
            "wrong key",
            good.clone().header("authorization", Some("other-key")),
            "executeAgent: header \"Authorization\" is not the configured API key (security \
             scheme \"ApiKeyAuth\")",
        ),
        (
            "missing resourceId",
            Call {
                query: String::new(),
                ..good.clone()
            },
            "executeAgent: query parameter \"resourceId\" is required but missing",
        ),
        (
            "resourceId abc",
            Call {
                query: "resourceId=abc".to_owned(),
                ..good.clone()
            },
            "executeAgent: query parameter \"resourceId\": \"abc\" is not of type \"integer\"",
        ),
        (
            "resourceId twice",
            Call {
                query: "resourceId=1&resourceId=2".to_owned(),
                ..good.clone()
            },
            "executeAgent: query parameter \"resourceId\" is sent 2 times",
        ),
        (
            "undeclared query parameter",
            Call {
                query: "resourceId=1&authorization=x".to_owned(),
                ..good.clone()
            },
            "executeAgent: query parameter \"authorization\" is not declared",
        ),
        (
            "wrong content type",
            good.clone().header("content-type", Some("text/plain")),
            "executeAgent: header \"content-type\" is \"text/plain\", but the body must be \
             application/json",
        ),
        (
            "no content type",
            good.clone().header("content-type", None),
            "executeAgent: header \"content-type\" is missing (the body must be \
             application/json)",
        ),
        (
            "body not JSON",
            Call {
                body: b"{agentId: 1}".to_vec(),
                ..good.clone()
            },
            "executeAgent: the request body is not JSON: key must be a string at line 1 column 2",
        ),
        (
            "no body",
            Call {
                body: Vec::new(),
                ..good.clone()
            },
            "executeAgent: the request body is required, but none was sent",
        ),
        (
            "body missing a required field",
            with_body(without_agent),
            "executeAgent: request body at (root): \"agentId\" is a required property",
        ),
        (
            "body with a wrong type",
            with_body(wrong_type),
            "executeAgent: request body at /agentId: \"123\" is not of type \"integer\"",
        ),
        (
            "unknown path",
            Call {
                path: "/clients/agents/run".to_owned(),
                ..good.clone()
            },
            "POST /clients/agents/run: no operation in the schema has this path",
        ),
        (
            "wrong method",
            Call {
                method: reqwest::Method::PUT,
                ..good.clone()
            },
            "PUT /clients/agents/execute: the path declares no PUT operation (only POST)",
        ),
    ];

    for (name, call, expected) in &cases {
        server.clear_records();
        let answer = send(&server, call).await;
        assert_eq!(server.violations(), vec![expected.to_string()], "{name}");
        // A key problem is refused as the API refuses it: 401 with the document's example.
        let status = if expected.contains("security scheme") {
            401
        } else {
            400
        };
        assert_eq!(answer.status, status, "{name}");
        if status == 400 {
            assert_eq!(answer.body, json!({ "errors": [expected] }), "{name}");
        } else {
            assert!(answer.body["errors"].is_array(), "{name}: {}", answer.body);
        }
        assert_rate_limit_headers(&answer);
        let requests = server.requests();
        assert_eq!(requests.len(), 1, "{name}");
        assert_eq!(requests[0].violations, vec![expected.to_string()], "{name}");
        assert_eq!(requests[0].status, status, "{name}");
    }

    // A body error inside a oneOf is reported, with its instance path.
    server.clear_records();
    send(&server, &with_body(bad_enum)).await;
    let violations = server.violations();
    assert!(!violations.is_empty());
    assert!(
        violations
            .iter()
            .all(|v| v.starts_with("executeAgent: request body at /input/0")),
        "{violations:?}"
    );

    // A `charset` parameter is fine; the good request still passes after all that.
    server.clear_records();
    let answer = send(
        &server,
        &good
            .clone()
            .header("content-type", Some("application/json; charset=utf-8")),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn error_statuses_answer_with_their_examples() {
    let doc = document(&real_schema());
    let server = autessa_tests::mock::start_rest(&real_schema(), KEY).await;
    let call = Call::post(EXECUTE, "resourceId=123", &request_example(&doc, EXECUTE));
    let rate_limited = pointer(
        &doc,
        "/components/responses/RateLimited/content/application~1json/example",
    );

    server.respond_with(429);
    let answer = send(&server, &call).await;
    assert_eq!(answer.status, 429);
    assert_eq!(answer.headers.get("retry-after").unwrap(), "7");
    assert_eq!(&answer.body, rate_limited);
    assert_eq!(answer.body, response_example(&doc, EXECUTE, "429"));
    assert!(
        autessa_tests::mock::load_validator(&real_schema())
            .unwrap()
            .validate_component("ErrorResponse", &answer.body)
            .is_ok()
    );
    assert_rate_limit_headers(&answer);

    for (status, key) in [
        (401, "401"),
        (500, "500"),
        (404, "default"),
        (503, "default"),
    ] {
        server.respond_with(status);
        let answer = send(&server, &call).await;
        assert_eq!(answer.status, status);
        assert_eq!(
            answer.body,
            response_example(&doc, EXECUTE, key),
            "{status}"
        );
        assert!(answer.headers.get("retry-after").is_none());
        assert_rate_limit_headers(&answer);
    }

    // One-shot statuses come first, in order, then the sticky one.
    server.respond_with(200);
    server.set_retry_after(1);
    server.respond_once(429);
    server.respond_once_with_body(500, json!({"errors": ["boom"], "extra": 1}));
    let statuses = [
        send(&server, &call).await,
        send(&server, &call).await,
        send(&server, &call).await,
    ];
    assert_eq!(statuses.each_ref().map(|a| a.status), [429, 500, 200]);
    assert_eq!(statuses[0].headers.get("retry-after").unwrap(), "1");
    assert_eq!(statuses[1].body, json!({"errors": ["boom"], "extra": 1}));
    assert_eq!(server.violations(), Vec::<String>::new());

    // A bad request is still a 400, whatever status was asked for.
    server.respond_with(429);
    let answer = send(
        &server,
        &call.clone().header("content-type", Some("text/plain")),
    )
    .await;
    assert_eq!(answer.status, 400);
}

#[tokio::test]
async fn a_reply_for_one_operation_leaves_the_others_alone() {
    let doc = document(&real_schema());
    let server = autessa_tests::mock::start_rest(&real_schema(), KEY).await;
    let link = json!({"errors": [], "uploadUrl": "http://127.0.0.1:9/put", "tempPath": "tmp/x"});
    server.respond_to_operation("generateUploadLink", 200, link.clone());
    let upload = "/clients/autessadb/generate-upload-link";
    let call = Call::post(upload, "resourceId=789", &request_example(&doc, upload));
    assert_eq!(send(&server, &call).await.body, link);
    assert_eq!(send(&server, &call).await.body, link, "it stays");
    let execute = Call::post(EXECUTE, "resourceId=123", &request_example(&doc, EXECUTE));
    assert_eq!(
        send(&server, &execute).await.body,
        response_example(&doc, EXECUTE, "200")
    );
    // A reply queued for the next request comes first.
    server.respond_once(429);
    assert_eq!(send(&server, &call).await.status, 429);
    assert_eq!(send(&server, &call).await.body, link);
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn the_storage_keeps_signed_puts_and_flags_the_key() {
    let storage = StorageServer::start(KEY).await;
    let client = reqwest::Client::new();
    let put = client
        .put(storage.signed_url("/bucket/a"))
        .body("id,name\n1,Ada\n")
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    let stored = client
        .get(format!("{}/bucket/a", storage.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.bytes().await.unwrap(), "id,name\n1,Ada\n");
    assert_eq!(storage.violations(), Vec::<String>::new());

    let refused = client
        .put(format!("{}/bucket/b", storage.base_url()))
        .header("authorization", KEY)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    let violations = storage.violations();
    assert_eq!(violations.len(), 3, "{violations:?}");
    assert!(
        violations[0].contains("query was not sent"),
        "{violations:?}"
    );
    assert!(
        violations[1].contains("authorization header"),
        "{violations:?}"
    );
    assert!(violations[2].contains("API key"), "{violations:?}");
    assert_eq!(storage.uploads().len(), 2);
}

#[tokio::test]
async fn dropping_the_server_closes_its_port_and_its_connections() {
    let doc = document(&real_schema());
    let server = autessa_tests::mock::start_rest(&real_schema(), KEY).await;
    let address = server.address();
    let client = reqwest::Client::new();
    let url = format!("{}{EXECUTE}?resourceId=1", server.base_url());
    let send = || {
        client
            .post(&url)
            .header("authorization", KEY)
            .header("content-type", "application/json")
            .body(request_example(&doc, EXECUTE).to_string())
            .send()
    };
    // Keep-alive: the client now holds a pooled connection to the server.
    assert_eq!(send().await.unwrap().status(), 200);
    drop(server);
    let mut closed = false;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(address).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(closed, "the port still accepts connections");
    assert!(
        send().await.is_err(),
        "the pooled connection still gets answers"
    );
}

/// Every example of the document, with the location of the schema it must match (as
/// `(example location, schema pointer, value)`): the `example` and `examples` of every media
/// type, parameter and header (request bodies, responses, components), and the `example` of
/// every schema object, however deeply nested.
fn collect_examples(document: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    walk_for_examples(document, document, "#", &mut found);
    found
}

fn walk_for_examples(
    document: &Value,
    value: &Value,
    at: &str,
    found: &mut Vec<(String, String, Value)>,
) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (index, item) in items.iter().enumerate() {
                walk_for_examples(document, item, &format!("{at}/{index}"), found);
            }
        }
        return;
    };
    if map.contains_key("schema") {
        // A media type, parameter or header object.
        let schema = format!("{at}/schema");
        if let Some(example) = map.get("example") {
            found.push((format!("{at}/example"), schema.clone(), example.clone()));
        }
        if let Some(Value::Object(examples)) = map.get("examples") {
            for (name, example) in examples {
                let (example, _) = resolve(document, example, "");
                if let Some(value) = example.get("value") {
                    found.push((
                        format!("{at}/examples/{}", escape_token(name)),
                        schema.clone(),
                        value.clone(),
                    ));
                }
            }
        }
    }
    for (key, member) in map {
        let inner = format!("{at}/{}", escape_token(key));
        if key == "schema" || at == "#/components/schemas" {
            collect_schema_examples(member, &inner, found);
        } else if key != "example" && key != "examples" && !key.starts_with("x-") {
            walk_for_examples(document, member, &inner, found);
        }
    }
}

fn collect_schema_examples(schema: &Value, at: &str, found: &mut Vec<(String, String, Value)>) {
    let Value::Object(map) = schema else { return };
    if map.contains_key("$ref") {
        return; // OpenAPI 3.0 ignores a reference's siblings.
    }
    if let Some(example) = map.get("example") {
        found.push((format!("{at}/example"), at.to_owned(), example.clone()));
    }
    if let Some(Value::Object(properties)) = map.get("properties") {
        for (name, property) in properties {
            collect_schema_examples(
                property,
                &format!("{at}/properties/{}", escape_token(name)),
                found,
            );
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = map.get(key) {
            collect_schema_examples(inner, &format!("{at}/{key}"), found);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = map.get(key) {
            for (index, inner) in list.iter().enumerate() {
                collect_schema_examples(inner, &format!("{at}/{key}/{index}"), found);
            }
        }
    }
}

/// How many examples the document has, and those that do not match their schema.
fn example_failures(validator: &SchemaValidator) -> (usize, Vec<String>) {
    let examples = collect_examples(validator.document());
    let failures = examples
        .iter()
        .filter_map(|(at, schema, value)| {
            validator
                .validate(schema, value)
                .err()
                .map(|errors| format!("{at} does not match {schema}: {}", errors.join("; ")))
        })
        .collect();
    (examples.len(), failures)
}

fn check_every_example(path: &Path) -> usize {
    let validator = autessa_tests::mock::load_validator(path).unwrap();
    let (count, failures) = example_failures(&validator);
    assert!(
        failures.is_empty(),
        "{}:\n{}",
        path.display(),
        failures.join("\n")
    );
    count
}

#[test]
fn every_example_of_the_schema_matches_its_schema() {
    let count = check_every_example(&real_schema());
    // 16 operations, each with a request and a 200 example, and the four shared error
    // responses.
    assert!(count >= 16 * 2 + 4, "only {count} examples found");
}

#[test]
fn every_component_schema_compiles() {
    let validator = autessa_tests::mock::load_validator(&real_schema()).unwrap();
    let names: Vec<String> = validator.document()["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(names.len() > 50, "{names:?}");
    for name in names {
        // Compiling errors come back as one message naming the pointer; validation errors as
        // instance paths.
        if let Err(errors) = validator.validate_component(&name, &Value::Null) {
            assert!(
                errors.iter().all(|error| error.starts_with("(root): ")),
                "{name}: {errors:?}"
            );
        }
    }
}

#[test]
fn a_broken_example_is_caught() {
    let mut doc = document(&real_schema());
    let example = doc
        .pointer_mut(
            "/paths/~1clients~1agents~1execute-create/post/requestBody/content/application~1json/example",
        )
        .unwrap();
    example["agentId"] = json!("one two three");
    let validator = SchemaValidator::from_openapi(doc, "file:///broken/openapi.yaml").unwrap();
    let (_, failures) = example_failures(&validator);
    assert_eq!(
        failures,
        vec![
            "#/paths/~1clients~1agents~1execute-create/post/requestBody/content/application~1json/example \
             does not match \
             #/paths/~1clients~1agents~1execute-create/post/requestBody/content/application~1json/schema: \
             /agentId: \"one two three\" is not of type \"integer\""
                .to_owned()
        ]
    );
}

#[test]
fn every_example_of_the_fixture_matches_its_schema() {
    assert!(check_every_example(&fixture()) >= 10);
}

#[test]
fn the_validator_rejects_broken_instances() {
    let validator = autessa_tests::mock::load_validator(&real_schema()).unwrap();
    let doc = validator.document().clone();
    let good = request_example(&doc, EXECUTE);
    assert_eq!(
        validator.validate_component("ExecuteAgentRequest", &good),
        Ok(())
    );
    let body_schema =
        "#/paths/~1clients~1agents~1execute/post/requestBody/content/application~1json/schema";
    assert_eq!(validator.validate(body_schema, &good), Ok(()));

    let broken = [
        json!({"input": good["input"]}),
        json!({"agentId": 1, "input": []}),
        json!({"agentId": 1.5, "input": good["input"]}),
        json!({"agentId": 1, "input": [{"inputType": "VIDEO", "content": "x"}]}),
        json!({"agentId": 1, "input": [{"inputType": "TEXT"}]}),
        json!({"agentId": 1, "input": good["input"], "version": {"versionState": "LATEST"}}),
        json!({"agentId": 1, "input": good["input"], "environmentVariables": {"A": 1}}),
        json!([good.clone()]),
    ];
    for instance in &broken {
        assert!(
            validator.validate(body_schema, instance).is_err(),
            "accepted {instance}"
        );
    }
    let errors = validator.validate(body_schema, &broken[0]).unwrap_err();
    assert_eq!(
        errors,
        vec!["(root): \"agentId\" is a required property".to_owned()]
    );

    // An error response is an envelope with a list of strings.
    assert!(
        validator
            .validate_component("ErrorResponse", &json!({"errors": ["x"]}))
            .is_ok()
    );
    assert!(
        validator
            .validate_component("ErrorResponse", &json!({"errors": [1]}))
            .is_err()
    );
    assert!(
        validator
            .validate_component("ErrorResponse", &json!({}))
            .is_err()
    );
    // A pointer that leads nowhere is an error, not a pass.
    assert!(
        validator
            .validate_component("NoSuchSchema", &json!({}))
            .is_err()
    );
}

#[tokio::test]
async fn the_fixture_exercises_path_level_and_header_parameters_and_nullable() {
    let doc = document(&fixture());
    let server = autessa_tests::mock::start_rest(&fixture(), KEY).await;

    // executeAgent declares resourceId at the path level and its body through a component, and
    // answers from a named `examples` entry.
    let body = request_example(&doc, EXECUTE);
    let answer = send(&server, &Call::post(EXECUTE, "resourceId=5", &body)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body,
        pointer(&doc, "/paths/~1clients~1agents~1execute/post/responses/200/content/application~1json/examples/text/value").clone()
    );
    let answer = send(&server, &Call::post(EXECUTE, "", &body)).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        server.violations(),
        vec!["executeAgent: query parameter \"resourceId\" is required but missing".to_owned()]
    );

    // A nullable property takes null; an optional header parameter is checked when present.
    server.clear_records();
    let insert = "/clients/autessadb/insert";
    let mut row = request_example(&doc, insert);
    row["example"] = Value::Null;
    let call = Call::post(insert, "resourceId=7", &row);
    assert_eq!(send(&server, &call).await.status, 200);
    let call = call.header("x-request-id", Some("not-a-uuid"));
    assert_eq!(send(&server, &call).await.status, 400);
    assert_eq!(
        server.violations(),
        vec![
            "insertRow: header parameter \"X-Request-Id\": \"not-a-uuid\" is not a \"uuid\""
                .to_owned()
        ]
    );
    let call = call.header("x-request-id", Some("5f0c6c2e-7c1a-4c55-9d59-0b1f1f0e2a10"));
    assert_eq!(send(&server, &call).await.status, 200);

    // insertRow has no 429 response of its own: the `default` example answers.
    server.clear_records();
    server.respond_with(429);
    let answer = send(&server, &call).await;
    assert_eq!(answer.status, 429);
    assert_eq!(answer.headers.get("retry-after").unwrap(), "7");
    assert_eq!(answer.body, json!({"errors": ["Resource not found"]}));

    // A status declared without a body answers without one.
    server.clear_records();
    server.respond_with(202);
    let url = format!("{}{insert}?resourceId=7", server.base_url());
    let accepted = reqwest::Client::new()
        .post(url)
        .header("authorization", KEY)
        .header("content-type", "application/json")
        .body(row.to_string())
        .send()
        .await
        .expect("the mock server answers");
    assert_eq!(accepted.status().as_u16(), 202);
    assert!(accepted.bytes().await.expect("a body").is_empty());
    assert_eq!(server.violations(), Vec::<String>::new());

    // A status with a body but without any example is reported, not invented.
    server.respond_with(206);
    let answer = send(&server, &call).await;
    assert_eq!(answer.status, 500);
    let problem = "insertRow: the schema gives no example for a 206 response, so the mock has \
                   nothing to answer";
    assert_eq!(answer.body, json!({ "errors": [problem] }));
    assert_eq!(server.violations(), vec![problem.to_owned()]);
    let index = OpenApiIndex::new(&doc);
    let create = index.operation("createConversation").unwrap();
    assert_eq!(
        index.response_example(create, 418).map(|e| e.response_key),
        Some("default".to_owned())
    );
}

/// An operation answers with its documented success by default: its first `2XX` status,
/// with a body made from the schema where the document gives no example (an `allOf` as one
/// object), and with no body where the response declares none.
#[tokio::test]
async fn the_default_answer_is_the_documented_success() {
    let document = json!({
        "openapi": "3.0.3",
        "info": {"title": "things", "version": "1"},
        "paths": {
            "/things": {"post": {
                "operationId": "createThing",
                "responses": {
                    "201": {"description": "created", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Page"}
                    }}},
                    "default": {"description": "error"}
                }
            }},
            "/things/{id}": {"delete": {
                "operationId": "deleteThing",
                "parameters": [{"name": "id", "in": "path", "required": true,
                                "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "deleted"}}
            }}
        },
        "components": {"schemas": {
            "Base": {"type": "object", "required": ["href", "items"],
                     "properties": {"href": {"type": "string", "example": "/next"}}},
            "Page": {"allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"type": "object", "properties": {"items": {"type": "array",
                    "items": {"type": "integer"}}}}
            ]}
        }}
    });
    let mock =
        autessa_runtime::mock::ApiMock::from_documents(&document.to_string(), None, &[], KEY)
            .await
            .expect("the mock starts");
    let http = reqwest::Client::new();

    let created = http
        .post(format!("{}/things", mock.base_url()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(created.status().as_u16(), 201);
    let body = created.bytes().await.expect("a body");
    let body: Value = serde_json::from_slice(&body).expect("a JSON body");
    assert_eq!(body, json!({"href": "/next", "items": []}));

    let deleted = http
        .delete(format!("{}/things/7", mock.base_url()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(deleted.status().as_u16(), 200);
    assert!(deleted.bytes().await.expect("a body").is_empty());
    assert_eq!(mock.violations(), Vec::<String>::new());
}

/// A channel whose key travels in a header (`httpApiKey` in a header, as the AsyncAPI
/// document says) is opened with that header alone and refused, as the server would, with
/// another key or none.
#[tokio::test]
async fn a_channel_key_in_a_header_is_checked() {
    use autessa_tests::mock::ws::WsMockServer;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let openapi = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
    let openapi = SchemaValidator::from_openapi(openapi, "file:///openapi.json").unwrap();
    let asyncapi = json!({
        "asyncapi": "3.0.0",
        "channels": {"live": {"address": "/live"}},
        "components": {"securitySchemes": {
            "key": {"type": "httpApiKey", "in": "header", "name": "X-Api-Key"}
        }}
    });
    let server = WsMockServer::start_with(&openapi, &asyncapi, KEY)
        .await
        .unwrap();
    let url = format!("{}/live", server.base_url().replacen("http", "ws", 1));
    let connect = async |key: Option<&str>| {
        let mut request = url.as_str().into_client_request().unwrap();
        if let Some(key) = key {
            request
                .headers_mut()
                .insert("x-api-key", key.parse().unwrap());
        }
        let stream = tokio::net::TcpStream::connect(server.address())
            .await
            .unwrap();
        tokio_tungstenite::client_async(request, stream).await
    };

    let (socket, response) = connect(Some(KEY))
        .await
        .expect("the right key opens the channel");
    assert_eq!(response.status().as_u16(), 101);
    drop(socket);
    for key in [Some("another-key"), None] {
        match connect(key).await {
            Err(tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 401),
            other => panic!(
                "{key:?}: expected a 401, got {:?}",
                other.map(|(_, r)| r.status())
            ),
        }
    }
    let violations = server.violations();
    assert_eq!(violations.len(), 2, "{violations:?}");
    assert!(
        violations[0].contains("`X-Api-Key` header is not the API key"),
        "{violations:?}"
    );
    assert!(
        violations[1].contains("no `X-Api-Key` header"),
        "{violations:?}"
    );
}
