//! End to end: the generated `autessa::Client` against the generated `autessa::mock::Mock`
//! (set up as the Autessa server behaves, see `autessa_mock`), over real
//! sockets on 127.0.0.1.
//!
//! Every one of the 16 REST operations is called with a request built from the generated
//! types. After each call the test checks that
//!
//! - the typed response equals the example that `schema/openapi.yaml` gives for the operation
//!   (read from the YAML here, independently of the generator and of the mock), and that
//!   serializing the typed response gives the example back (no field dropped or altered);
//! - the mock recorded exactly one request: `POST`, the operation's path, a single `resourceId`
//!   query parameter with the right id, `Authorization` equal to the raw key (no `Bearer`),
//!   `Content-Type: application/json`, and the JSON of the request that was built;
//! - the mock found no violation (it validates every body against the schema with its own
//!   JSON Schema validator);
//! - the documented response headers are typed values in `response.typed_headers()`, and
//!   the budget the schema's `x-rate-limit` names is in every error's `rate_limit()`.
//!
//! Then: 401, 429, 500 and an undeclared status for every operation, a 200 that carries
//! errors, unknown enum values, `format: int32` properties holding out-of-range values,
//! `Client::from_env`, and the API key staying out of every `Debug` and error message.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use autessa::mock::Mock;
use autessa::types::*;
use autessa::{ApiResponse, Client, ConfigError, Error, RateLimit, RetryAfter};
use autessa_runtime::reqwest::StatusCode;
use autessa_runtime::serde::Serialize;
use autessa_runtime::serde::de::DeserializeOwned;
use autessa_runtime::{Base64, DateTime};
use autessa_tests::mock::{DEFAULT_RETRY_AFTER, MockServer, RATE_LIMIT_HEADERS, RecordedRequest};
use serde_json::{Value, json};

mod autessa_mock;

/// A key that is easy to spot if it leaks anywhere.
const KEY: &str = "sk-e2e-LEAKCHECK-5b7d1e93f0a2";

const AGENT_ID: i64 = 123;
const TOOL_ID: i64 = 456;
const TABLE_ID: i64 = 789;

type Outcome<T> = Result<ApiResponse<T, RateLimitHeaders>, Error<ErrorResponse>>;

// ------------------------------------------------------------------------------------------
// Harness
// ------------------------------------------------------------------------------------------

fn schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/openapi.yaml")
}

/// A fresh generated mock expecting `KEY`, and a client pointed at it.
async fn start() -> (Mock, Client) {
    let mock = autessa_mock::start(KEY).await;
    // One request per call, so that every error status reaches the test as it was sent
    // (retries are on by default; their behaviour is tested in runtime/tests/resilience.rs).
    let client = Client::new(&mock.base_url(), KEY)
        .expect("a client for the mock server")
        .with_options(autessa::RequestOptions::new().no_retries());
    (mock, client)
}

/// `schema/openapi.yaml` as JSON, read with serde_yaml (not with the mock's or the
/// generator's loader).
fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let text = std::fs::read_to_string(schema_path()).expect("schema/openapi.yaml is readable");
        serde_yaml::from_str(&text).expect("schema/openapi.yaml is YAML")
    })
}

/// The JSON example of the `status` response (`"200"`, `"401"`, `"default"`...) of the POST
/// operation at `path`, following a `$ref` into `#/components/responses`.
fn schema_example(path: &str, status: &str) -> Value {
    let document = document();
    let mut response = &document["paths"][path]["post"]["responses"][status];
    if let Some(target) = response.get("$ref").and_then(Value::as_str) {
        let pointer = target.strip_prefix('#').expect("a local $ref");
        response = document
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{path} {status}: dangling $ref {target}"));
    }
    let example = &response["content"]["application/json"]["example"];
    assert!(
        !example.is_null(),
        "the schema gives no JSON example for the {status} response of POST {path}"
    );
    example.clone()
}

/// The value of a rate-limit header the mock sends with every response (its
/// `RATE_LIMIT_HEADERS`).
fn mock_header(name: &str) -> u32 {
    let (_, value) = RATE_LIMIT_HEADERS
        .iter()
        .find(|(header, _)| header.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("the mock sends no {name} header"));
    *value
}

/// The budget the mock reports, as the schema's `x-rate-limit` names it: this minute's.
fn mock_rate_limit() -> RateLimit {
    RateLimit {
        limit: Some(u64::from(mock_header("X-RateLimit-Limit-Minute"))),
        remaining: Some(u64::from(mock_header("X-RateLimit-Remaining-Minute"))),
    }
}

/// The documented headers the mock sends, typed.
fn mock_headers() -> RateLimitHeaders {
    let header = |name| Some(i32::try_from(mock_header(name)).unwrap());
    let mut headers = RateLimitHeaders::default();
    headers.x_rate_limit_limit_minute = header("X-RateLimit-Limit-Minute");
    headers.x_rate_limit_remaining_minute = header("X-RateLimit-Remaining-Minute");
    headers.x_rate_limit_limit_day = header("X-RateLimit-Limit-Day");
    headers.x_rate_limit_remaining_day = header("X-RateLimit-Remaining-Day");
    headers
}

/// An operation as the wire shows it.
#[derive(Clone, Copy, Debug)]
struct Op {
    id: &'static str,
    path: &'static str,
    resource_id: i64,
}

const CREATE_CONVERSATION: Op = Op {
    id: "createConversation",
    path: "/clients/agents/execute-create",
    resource_id: AGENT_ID,
};
const EXECUTE_AGENT: Op = Op {
    id: "executeAgent",
    path: "/clients/agents/execute",
    resource_id: AGENT_ID,
};
const CLOSE_CONVERSATION: Op = Op {
    id: "closeConversation",
    path: "/clients/agents/execute-close",
    resource_id: AGENT_ID,
};
const EXECUTE_TOOL: Op = Op {
    id: "executeTool",
    path: "/clients/tool/execute",
    resource_id: TOOL_ID,
};
const INSERT_ROW: Op = Op {
    id: "insertRow",
    path: "/clients/autessadb/insert",
    resource_id: TABLE_ID,
};
const UPDATE_ROW: Op = Op {
    id: "updateRow",
    path: "/clients/autessadb/update",
    resource_id: TABLE_ID,
};
const BATCH_UPDATE_ROWS: Op = Op {
    id: "batchUpdateRows",
    path: "/clients/autessadb/batch-update",
    resource_id: TABLE_ID,
};
const DELETE_ROW: Op = Op {
    id: "deleteRow",
    path: "/clients/autessadb/delete-row",
    resource_id: TABLE_ID,
};
const BATCH_DELETE_ROWS: Op = Op {
    id: "batchDeleteRows",
    path: "/clients/autessadb/batch-delete",
    resource_id: TABLE_ID,
};
const GET_DATA: Op = Op {
    id: "getData",
    path: "/clients/autessadb/get-data",
    resource_id: TABLE_ID,
};
const GET_SINGLE_ROW: Op = Op {
    id: "getSingleRow",
    path: "/clients/autessadb/get-single-row",
    resource_id: TABLE_ID,
};
const QUERY_TABLE: Op = Op {
    id: "queryTable",
    path: "/clients/autessadb/query",
    resource_id: TABLE_ID,
};
const JOIN_QUERY: Op = Op {
    id: "joinQuery",
    path: "/clients/autessadb/join-query",
    resource_id: TABLE_ID,
};
const SEMANTIC_SEARCH: Op = Op {
    id: "semanticSearch",
    path: "/clients/autessadb/search",
    resource_id: TABLE_ID,
};
const GENERATE_UPLOAD_LINK: Op = Op {
    id: "generateUploadLink",
    path: "/clients/autessadb/generate-upload-link",
    resource_id: TABLE_ID,
};
const INDEX_RECORD: Op = Op {
    id: "indexRecord",
    path: "/clients/autessadb/index-record",
    resource_id: TABLE_ID,
};

const ALL_OPS: [Op; 16] = [
    CREATE_CONVERSATION,
    EXECUTE_AGENT,
    CLOSE_CONVERSATION,
    EXECUTE_TOOL,
    INSERT_ROW,
    UPDATE_ROW,
    BATCH_UPDATE_ROWS,
    DELETE_ROW,
    BATCH_DELETE_ROWS,
    GET_DATA,
    GET_SINGLE_ROW,
    QUERY_TABLE,
    JOIN_QUERY,
    SEMANTIC_SEARCH,
    GENERATE_UPLOAD_LINK,
    INDEX_RECORD,
];

/// Checks the one request the mock recorded since the last check, then forgets it.
#[track_caller]
fn take_request(server: &MockServer, op: Op) -> RecordedRequest {
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        1,
        "{}: the mock should have seen exactly one request, saw {requests:#?}",
        op.id
    );
    let request = requests.into_iter().next().expect("one request");
    assert_eq!(
        server.violations(),
        Vec::<String>::new(),
        "{}: the mock found violations",
        op.id
    );
    assert_eq!(request.method, "POST", "{}: method", op.id);
    assert_eq!(request.path, op.path, "{}: path", op.id);
    assert_eq!(
        request.operation_id.as_deref(),
        Some(op.id),
        "{}: the operation the mock matched",
        op.id
    );
    assert_eq!(
        request.query,
        [("resourceId".to_owned(), op.resource_id.to_string())],
        "{}: the query must be exactly resourceId",
        op.id
    );
    let authorization: Vec<&str> = request
        .headers
        .iter()
        .filter(|(name, _)| name == "authorization")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(
        authorization,
        [KEY],
        "{}: one Authorization header carrying the raw key, no `Bearer`",
        op.id
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/json"),
        "{}: Content-Type",
        op.id
    );
    assert_eq!(
        request.header("accept"),
        Some("application/json"),
        "{}: Accept",
        op.id
    );
    server.clear_records();
    request
}

/// Checks a call that should have succeeded with the schema's 200 example, and the request the
/// mock recorded for it. Returns the response.
#[track_caller]
fn expect_example<T>(server: &MockServer, op: Op, sent: &impl Serialize, outcome: Outcome<T>) -> T
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let response = match outcome {
        Ok(response) => response,
        Err(error) => panic!(
            "{}: expected a 200, got `{error}`: {error:#?}\nmock violations: {:#?}",
            op.id,
            server.violations()
        ),
    };
    let request = take_request(server, op);
    let sent = serde_json::to_value(sent).expect("the request serializes");
    assert_eq!(
        request.json(),
        Some(sent),
        "{}: the body on the wire",
        op.id
    );

    assert_eq!(response.status, StatusCode::OK, "{}: status", op.id);
    assert_eq!(
        response.typed_headers(),
        mock_headers(),
        "{}: the documented headers as typed values",
        op.id
    );
    let example = schema_example(op.path, "200");
    let expected: T = serde_json::from_value(example.clone()).unwrap_or_else(|error| {
        panic!(
            "{}: the schema's 200 example does not decode: {error}",
            op.id
        )
    });
    assert_eq!(
        response.body, expected,
        "{}: the typed response vs the schema's example",
        op.id
    );
    assert_eq!(
        serde_json::to_value(&response.body).expect("the response serializes"),
        example,
        "{}: the typed response lost or changed part of the schema's example",
        op.id
    );
    response.into_body()
}

/// The decoded JSON of the body the mock received in the last checked request.
fn object(request: &RecordedRequest) -> serde_json::Map<String, Value> {
    match request.json() {
        Some(Value::Object(object)) => object,
        other => panic!("the request body is not a JSON object: {other:?}"),
    }
}

fn cell(column_type: ColumnType, value: Value) -> AutessaDbColumnValue {
    AutessaDbColumnValue::new(column_type, value)
}

fn cells<const N: usize>(
    pairs: [(&str, AutessaDbColumnValue); N],
) -> BTreeMap<String, AutessaDbColumnValue> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

fn strings<const N: usize>(pairs: [(&str, &str); N]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

fn json_map<const N: usize>(pairs: [(&str, Value); N]) -> BTreeMap<String, Value> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

fn statement(column: &str, operator: FilterOperator, value: Option<Value>) -> FilterStatement {
    let mut filter_statement = FilterStatement::new(column.to_owned(), operator);
    filter_statement.value = value;
    filter_statement
}

fn filter(operand: LogicalOperand, groups: Vec<FilterGroup>) -> WhereFilter {
    WhereFilter::new(operand, groups)
}

fn group(operand: LogicalOperand, statements: Vec<FilterStatement>) -> FilterGroup {
    FilterGroup::new(operand, statements)
}

fn column(name: &str) -> SelectedColumn {
    SelectedColumn::new(name.to_owned())
}

fn text(content: &str) -> AgentInput {
    AgentInput::Text(TextInput::new(content.to_owned()))
}

// ------------------------------------------------------------------------------------------
// Agents
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_conversation_with_and_without_a_version() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();

    let request = CreateConversationRequest::new(AGENT_ID);
    let outcome = client.create_conversation(&request).await;
    let created = expect_example(server, CREATE_CONVERSATION, &request, outcome);
    assert_eq!(created.conversation_id, "conv_abc123");
    assert_eq!(created.errors, Vec::<String>::new());
    assert_eq!(created.session_token, None);

    let request = CreateConversationRequest::new(AGENT_ID).with_version(
        CustomVersion::new()
            .with_version_state(VersionState::Draft)
            .with_version_number(3),
    );
    let outcome = client.create_conversation(&request).await;
    expect_example(server, CREATE_CONVERSATION, &request, outcome);
}

#[tokio::test]
async fn create_conversation_omits_an_unset_version_on_the_wire() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = CreateConversationRequest::new(AGENT_ID);
    client.create_conversation(&request).await.expect("a 200");
    let sent = object(&take_request(server, CREATE_CONVERSATION));
    assert_eq!(Value::Object(sent), json!({ "agentId": AGENT_ID }));

    let request = CreateConversationRequest::new(AGENT_ID).with_version(
        CustomVersion::new()
            .with_version_state(VersionState::Archived)
            .with_version_number(7),
    );
    client.create_conversation(&request).await.expect("a 200");
    let sent = object(&take_request(server, CREATE_CONVERSATION));
    assert_eq!(
        Value::Object(sent),
        json!({
            "agentId": AGENT_ID,
            "version": { "versionState": "ARCHIVED", "versionNumber": 7 }
        })
    );

    // `versionState` is optional (PUBLISHED by default): unset, it stays off the wire.
    let mut version = CustomVersion::new();
    version.version_number = Some(7);
    let request = CreateConversationRequest::new(AGENT_ID).with_version(version);
    client.create_conversation(&request).await.expect("a 200");
    let sent = object(&take_request(server, CREATE_CONVERSATION));
    assert_eq!(
        Value::Object(sent),
        json!({ "agentId": AGENT_ID, "version": { "versionNumber": 7 } })
    );
}

#[tokio::test]
async fn execute_agent_text_turn_with_every_optional_field() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = ExecuteAgentRequest::new(
        AGENT_ID,
        vec![text("Hello!"), text("What is my order status?")],
    )
    .with_conversation_id("conv_abc123".to_owned())
    .with_output_type(OutputType::Text)
    .with_environment_variables(strings([("CRM_API_KEY", "sk-live-4f9a")]))
    .with_prompt_template_variables(strings([("customerName", "Ada"), ("tier", "gold")]))
    .with_version(CustomVersion::new().with_version_state(VersionState::Draft));
    let outcome = client.execute_agent(&request).await;
    let response = expect_example(server, EXECUTE_AGENT, &request, outcome);
    assert_eq!(response.conversation_id.as_deref(), Some("conv_abc123"));
    assert_eq!(
        response.output,
        [
            AgentOutput::new(OutputType::Text)
                .with_content("Hello! How can I help you?".to_owned())
        ]
    );
}

#[tokio::test]
async fn execute_agent_single_shot_with_audio_input() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    // 4 samples of signed 16-bit little-endian mono PCM.
    let pcm: Vec<u8> = [0_i16, 1200, -1200, 32767]
        .iter()
        .flat_map(|sample| sample.to_le_bytes())
        .collect();
    let format = AudioFormat::new(16000, 16, 1, true, false);
    let request = ExecuteAgentRequest::new(
        AGENT_ID,
        vec![
            AgentInput::Audio(
                AudioInput::new()
                    .with_audio_url("https://uploads.autessa.com/tmp/123/question.wav".to_owned()),
            ),
            AgentInput::Audio(
                AudioInput::new()
                    .with_base64_audio(Base64(pcm))
                    .with_audio_format(format),
            ),
        ],
    )
    .with_output_type(OutputType::Audio);
    // The audio encoding in particular (`expect_example` checks that this is what was sent).
    assert_eq!(
        serde_json::to_value(&request).expect("the request serializes"),
        json!({
            "agentId": AGENT_ID,
            "input": [
                {
                    "inputType": "AUDIO",
                    "audioUrl": "https://uploads.autessa.com/tmp/123/question.wav"
                },
                {
                    "inputType": "AUDIO",
                    "base64Audio": "AACwBFD7/38=",
                    "audioFormat": {
                        "sampleRate": 16000,
                        "sampleSizeInBits": 16,
                        "channels": 1,
                        "signed": true,
                        "bigEndian": false
                    }
                }
            ],
            "outputType": "AUDIO"
        })
    );
    let outcome = client.execute_agent(&request).await;
    let response = expect_example(server, EXECUTE_AGENT, &request, outcome);
    assert_eq!(response.output.len(), 1);
}

#[tokio::test]
async fn close_conversation() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = CloseConversationRequest::new(AGENT_ID, "conv_abc123".to_owned());
    let outcome = client.close_conversation(&request).await;
    let response = expect_example(server, CLOSE_CONVERSATION, &request, outcome);
    assert_eq!(response, CloseConversationResponse::new(Vec::new()));
}

#[tokio::test]
async fn conversation_lifecycle_uses_the_returned_id() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let create = CreateConversationRequest::new(AGENT_ID);
    let outcome = client.create_conversation(&create).await;
    let id = expect_example(server, CREATE_CONVERSATION, &create, outcome).conversation_id;

    let turn = ExecuteAgentRequest::new(AGENT_ID, vec![text("Where is my parcel?")])
        .with_conversation_id(id.clone());
    let outcome = client.execute_agent(&turn).await;
    let output = expect_example(server, EXECUTE_AGENT, &turn, outcome);
    assert_eq!(output.conversation_id.as_ref(), Some(&id));

    let close = CloseConversationRequest::new(AGENT_ID, id);
    let outcome = client.close_conversation(&close).await;
    expect_example(server, CLOSE_CONVERSATION, &close, outcome);
}

// ------------------------------------------------------------------------------------------
// Tools
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn execute_tool_with_variables_version_and_debug() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = ExecuteToolRequest::new(TOOL_ID)
        .with_variables(json_map([
            ("city", json!("Lisbon")),
            ("days", json!(3)),
            ("units", json!({ "temperature": "celsius" })),
            ("stations", json!(["LPPT", null])),
        ]))
        .with_private_variables(json_map([(
            "accountNumber",
            json!("DE89370400440532013000"),
        )]))
        .with_environment_variables(strings([("WEATHER_API_KEY", "wk-93b1")]))
        .with_version(
            CustomVersion::new()
                .with_version_state(VersionState::Published)
                .with_version_number(12),
        )
        .with_debug(true);
    // The request's secrets stay out of logs of it.
    let logged = format!("{request:?}");
    assert!(
        !logged.contains("DE89370400440532013000") && !logged.contains("wk-93b1"),
        "{logged}"
    );
    assert!(logged.contains("Lisbon"), "{logged}");
    let outcome = client.execute_tool(&request).await;
    let response = expect_example(server, EXECUTE_TOOL, &request, outcome);
    assert_eq!(
        response.response_type,
        ExecuteToolResponseResponseType::ExecuteTool
    );
    assert_eq!(response.tool_name, "weather-forecast");
    assert_eq!(response.response["city"], "Lisbon");
    assert_eq!(response.response["forecast"][2]["highCelsius"], 23);
    assert_eq!(
        response.debug_output.as_deref(),
        Some(
            &[
                "GET /forecast?city=Lisbon&days=3 -> 200".to_owned(),
                "parsed 3 forecast days".to_owned()
            ][..]
        )
    );

    let minimal = ExecuteToolRequest::new(TOOL_ID);
    let outcome = client.execute_tool(&minimal).await;
    expect_example(server, EXECUTE_TOOL, &minimal, outcome);
}

// ------------------------------------------------------------------------------------------
// AutessaDB
// ------------------------------------------------------------------------------------------

#[tokio::test]
async fn insert_row_with_every_column_type() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = InsertRowRequest::new(
        TABLE_ID,
        cells([
            ("id", cell(ColumnType::UniqueId, json!("cus_01HZX3"))),
            ("name", cell(ColumnType::String, json!("Ada Lovelace"))),
            ("summary", cell(ColumnType::LongText, Value::Null)),
            ("age", cell(ColumnType::Integer, json!(36))),
            ("balance", cell(ColumnType::Float, json!(1250.75))),
            ("active", cell(ColumnType::Boolean, json!(true))),
            (
                "joined",
                cell(ColumnType::Timestamp, json!("2024-05-01T09:30:00Z")),
            ),
        ]),
    );
    let outcome = client.insert_row(&request).await;
    let response = expect_example(server, INSERT_ROW, &request, outcome);
    assert_eq!(response.inserted_id, 1001);
    assert_eq!(response.new_row.row_id, 1001);
    assert_eq!(
        response.new_row.values["name"],
        cell(ColumnType::String, json!("Ada Lovelace"))
    );
    assert_eq!(
        response.new_row.values["summary"],
        cell(ColumnType::LongText, Value::Null)
    );
    assert_eq!(response.computation_status, ComputationStatus::Computing);
}

#[tokio::test]
async fn update_row() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = UpdateRowRequest::new(
        TABLE_ID,
        1001,
        cells([("age", cell(ColumnType::Integer, json!(37)))]),
    );
    let outcome = client.update_row(&request).await;
    let response = expect_example(server, UPDATE_ROW, &request, outcome);
    assert_eq!(response.updated_row.row_id, 1001);
    assert_eq!(
        response.updated_row.values["age"],
        cell(ColumnType::Integer, json!(37))
    );
    assert_eq!(response.computation_status, ComputationStatus::Complete);
}

#[tokio::test]
async fn batch_update_rows() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = BatchUpdateRowsRequest::new(
        TABLE_ID,
        vec![
            RowUpdate::new(1001, cells([("age", cell(ColumnType::Integer, json!(37)))])),
            RowUpdate::new(
                1002,
                cells([
                    ("name", cell(ColumnType::String, json!("Charles Babbage"))),
                    ("active", cell(ColumnType::Boolean, json!(false))),
                ]),
            ),
        ],
    );
    let outcome = client.batch_update_rows(&request).await;
    let response = expect_example(server, BATCH_UPDATE_ROWS, &request, outcome);
    assert_eq!(response.records_impacted, 1);
    assert_eq!(
        response.failures,
        [RowFailure::new(1002, vec!["Row not found".to_owned()])]
    );
}

#[tokio::test]
async fn delete_row() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = DeleteRowRequest::new(TABLE_ID, 1001);
    let outcome = client.delete_row(&request).await;
    let response = expect_example(server, DELETE_ROW, &request, outcome);
    assert_eq!(response.records_impacted, 1);
}

#[tokio::test]
async fn batch_delete_rows() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = BatchDeleteRowsRequest::new(TABLE_ID, vec![1001, 1002, 1003]);
    let outcome = client.batch_delete_rows(&request).await;
    let response = expect_example(server, BATCH_DELETE_ROWS, &request, outcome);
    assert_eq!(response.records_impacted, 2);
    assert_eq!(
        response.failures,
        [RowFailure::new(1003, vec!["Row not found".to_owned()])]
    );
}

#[tokio::test]
async fn get_data_with_and_without_pagination() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request =
        GetDataRequest::new(TABLE_ID).with_pagination(Pagination::new(1, 2).with_ascending(false));
    let outcome = client.get_data(&request).await;
    let response = expect_example(server, GET_DATA, &request, outcome);
    assert_eq!(response.total_records, 42);
    let ids: Vec<i64> = response.rows.iter().map(|row| row.row_id).collect();
    assert_eq!(ids, [1001, 1002]);
    assert_eq!(
        response.rows[1].values["name"],
        cell(ColumnType::String, json!("Charles Babbage"))
    );

    let request = GetDataRequest::new(TABLE_ID);
    let outcome = client.get_data(&request).await;
    expect_example(server, GET_DATA, &request, outcome);
}

#[tokio::test]
async fn get_single_row() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = GetSingleRowRequest::new(TABLE_ID, 1001);
    let outcome = client.get_single_row(&request).await;
    let response = expect_example(server, GET_SINGLE_ROW, &request, outcome);
    assert_eq!(response.row.row_id, 1001);
    assert_eq!(
        response.row.values["joined"],
        cell(ColumnType::Timestamp, json!("2024-05-01T09:30:00Z"))
    );
    assert_eq!(
        response.row.values["active"],
        cell(ColumnType::Boolean, json!(true))
    );
}

#[tokio::test]
async fn query_table_with_columns_filters_and_pagination() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = QueryTableRequest::new(TABLE_ID)
        .with_selected_columns(vec![
            column("name"),
            SelectedColumn::new("name".to_owned())
                .with_column_alias("nameLength".to_owned())
                .with_functions(vec![AggregateFunction::Length, AggregateFunction::Max]),
            column("age"),
        ])
        .with_filters(filter(
            LogicalOperand::And,
            vec![
                group(
                    LogicalOperand::Or,
                    vec![
                        statement("age", FilterOperator::GreaterThanOrEquals, Some(json!(30))),
                        statement("name", FilterOperator::Like, Some(json!("Ada%"))),
                    ],
                ),
                group(
                    LogicalOperand::And,
                    vec![
                        statement("country", FilterOperator::In, Some(json!(["UK", "PT"]))),
                        statement("deletedAt", FilterOperator::IsNull, None),
                        statement("nickname", FilterOperator::NotEquals, Some(Value::Null)),
                    ],
                ),
            ],
        ))
        .with_pagination(Pagination::new(0, 25).with_ascending(true));
    let outcome = client.query_table(&request).await;
    let response = expect_example(server, QUERY_TABLE, &request, outcome);
    assert_eq!(response.total_records, 1);
    assert_eq!(response.rows[0].row_id, 1001);
    assert_eq!(
        response.rows[0].values["age"],
        cell(ColumnType::Integer, json!(36))
    );

    let minimal = QueryTableRequest::new(TABLE_ID);
    let outcome = client.query_table(&minimal).await;
    expect_example(server, QUERY_TABLE, &minimal, outcome);
}

#[tokio::test]
async fn join_query_with_join_filters() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = JoinQueryRequest::new(
        TABLE_ID,
        "c".to_owned(),
        vec![
            SelectedColumn::new("name".to_owned()).with_table_alias("c".to_owned()),
            SelectedColumn::new("total".to_owned())
                .with_table_alias("o".to_owned())
                .with_column_alias("orderTotal".to_owned())
                .with_functions(vec![AggregateFunction::Sum]),
        ],
        vec![
            JoinStatement::new(
                JoinType::Left,
                790,
                "o".to_owned(),
                "id".to_owned(),
                "customerId".to_owned(),
            )
            .with_join_filters(filter(
                LogicalOperand::And,
                vec![group(
                    LogicalOperand::And,
                    vec![statement(
                        "status",
                        FilterOperator::Equals,
                        Some(json!("PAID")),
                    )],
                )],
            )),
        ],
    )
    .with_filters(filter(
        LogicalOperand::Or,
        vec![group(
            LogicalOperand::And,
            vec![statement("c.active", FilterOperator::IsNotNull, None)],
        )],
    ))
    .with_pagination(Pagination::new(0, 50));
    let outcome = client.join_query(&request).await;
    let response = expect_example(server, JOIN_QUERY, &request, outcome);
    assert_eq!(response.total_records, 1);
    let row = &response.rows[0];
    assert_eq!(
        row.row_ids,
        BTreeMap::from([("c".to_owned(), 1001), ("o".to_owned(), 5001)])
    );
    assert_eq!(
        row.values["orderTotal"],
        cell(ColumnType::Float, json!(129.5))
    );
}

#[tokio::test]
async fn semantic_search_with_limit_and_filters() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = SemanticSearchRequest::new(
        TABLE_ID,
        "summary".to_owned(),
        "mathematician who wrote the first computer program".to_owned(),
    )
    .with_limit(5)
    .with_filters(filter(
        LogicalOperand::And,
        vec![group(
            LogicalOperand::And,
            vec![statement(
                "active",
                FilterOperator::Equals,
                Some(json!(true)),
            )],
        )],
    ));
    let outcome = client.semantic_search(&request).await;
    let response = expect_example(server, SEMANTIC_SEARCH, &request, outcome);
    let ranked: Vec<(i64, f64)> = response
        .results
        .iter()
        .map(|result| (result.row.row_id, result.score))
        .collect();
    assert_eq!(ranked, [(1001, 0.91), (1002, 0.74)]);

    let minimal = SemanticSearchRequest::new(TABLE_ID, "summary".to_owned(), "engines".to_owned());
    let outcome = client.semantic_search(&minimal).await;
    expect_example(server, SEMANTIC_SEARCH, &minimal, outcome);
}

#[tokio::test]
async fn generate_upload_link() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request =
        GenerateUploadLinkRequest::new(TABLE_ID, "customers.json".to_owned(), FileType::Json);
    let outcome = client.generate_upload_link(&request).await;
    let link = expect_example(server, GENERATE_UPLOAD_LINK, &request, outcome);
    assert!(
        link.upload_url
            .starts_with("https://uploads.autessa.com/tmp/789/7c1e2b/customers.csv?"),
        "{}",
        link.upload_url
    );
    assert_eq!(link.temp_path, "tmp/789/7c1e2b/customers.csv");
    let expires: DateTime = "2025-01-15T10:45:00Z".parse().expect("a date-time");
    assert_eq!(link.expires_at, Some(expires));
}

#[tokio::test]
async fn index_record_with_and_without_a_delimiter() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let request = IndexRecordRequest::new(TABLE_ID, "tmp/789/7c1e2b/customers.csv".to_owned())
        .with_file_delimiter(FileDelimiter::Semicolon);
    let outcome = client.index_record(&request).await;
    let response = expect_example(server, INDEX_RECORD, &request, outcome);
    assert_eq!(response.records_impacted, 250);
    assert_eq!(response.computation_status, ComputationStatus::Computing);

    let request = {
        let mut value = request;
        value.file_delimiter = None;
        value
    };
    let outcome = client.index_record(&request).await;
    expect_example(server, INDEX_RECORD, &request, outcome);
}

#[tokio::test]
async fn upload_flow_passes_the_temp_path_on() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let link_request =
        GenerateUploadLinkRequest::new(TABLE_ID, "customers.csv".to_owned(), FileType::Csv);
    let outcome = client.generate_upload_link(&link_request).await;
    let link = expect_example(server, GENERATE_UPLOAD_LINK, &link_request, outcome);

    let index_request =
        IndexRecordRequest::new(TABLE_ID, link.temp_path).with_file_delimiter(FileDelimiter::Comma);
    let outcome = client.index_record(&index_request).await;
    expect_example(server, INDEX_RECORD, &index_request, outcome);
}

// ------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------

/// Calls every operation once with a small valid request, in the order of [`ALL_OPS`], and
/// returns each call's status or error.
async fn call_every_operation(client: &Client) -> Vec<Result<StatusCode, Error<ErrorResponse>>> {
    fn status<T>(outcome: Outcome<T>) -> Result<StatusCode, Error<ErrorResponse>> {
        outcome.map(|response| response.status)
    }
    let row = |row_id| GetSingleRowRequest::new(TABLE_ID, row_id);
    let values = || cells([("age", cell(ColumnType::Integer, json!(40)))]);
    vec![
        status(
            client
                .create_conversation(&CreateConversationRequest::new(AGENT_ID))
                .await,
        ),
        status(
            client
                .execute_agent(&ExecuteAgentRequest::new(AGENT_ID, vec![text("Hi")]))
                .await,
        ),
        status(
            client
                .close_conversation(&CloseConversationRequest::new(
                    AGENT_ID,
                    "conv_abc123".to_owned(),
                ))
                .await,
        ),
        status(client.execute_tool(&ExecuteToolRequest::new(TOOL_ID)).await),
        status(
            client
                .insert_row(&InsertRowRequest::new(TABLE_ID, values()))
                .await,
        ),
        status(
            client
                .update_row(&UpdateRowRequest::new(TABLE_ID, 1001, values()))
                .await,
        ),
        status(
            client
                .batch_update_rows(&BatchUpdateRowsRequest::new(
                    TABLE_ID,
                    vec![RowUpdate::new(1001, values())],
                ))
                .await,
        ),
        status(
            client
                .delete_row(&DeleteRowRequest::new(TABLE_ID, 1001))
                .await,
        ),
        status(
            client
                .batch_delete_rows(&BatchDeleteRowsRequest::new(TABLE_ID, vec![1001]))
                .await,
        ),
        status(client.get_data(&GetDataRequest::new(TABLE_ID)).await),
        status(client.get_single_row(&row(1001)).await),
        status(client.query_table(&QueryTableRequest::new(TABLE_ID)).await),
        status(
            client
                .join_query(&JoinQueryRequest::new(
                    TABLE_ID,
                    "c".to_owned(),
                    vec![column("name")],
                    vec![JoinStatement::new(
                        JoinType::Inner,
                        790,
                        "o".to_owned(),
                        "id".to_owned(),
                        "customerId".to_owned(),
                    )],
                ))
                .await,
        ),
        status(
            client
                .semantic_search(&SemanticSearchRequest::new(
                    TABLE_ID,
                    "summary".to_owned(),
                    "engines".to_owned(),
                ))
                .await,
        ),
        status(
            client
                .generate_upload_link(&GenerateUploadLinkRequest::new(
                    TABLE_ID,
                    "rows.csv".to_owned(),
                    FileType::Csv,
                ))
                .await,
        ),
        status(
            client
                .index_record(&IndexRecordRequest::new(
                    TABLE_ID,
                    "tmp/789/rows.csv".to_owned(),
                ))
                .await,
        ),
    ]
}

/// Checks that every operation's call failed with `Error::Api` carrying `status`, the schema's
/// error example for `response` (`"401"`, `"default"`...), the rate limit and `retry_after`;
/// and that the mock saw one valid request per operation.
#[track_caller]
fn expect_api_errors(
    server: &MockServer,
    outcomes: Vec<Result<StatusCode, Error<ErrorResponse>>>,
    status: StatusCode,
    response: &str,
    retry_after: Option<RetryAfter>,
) {
    assert_eq!(outcomes.len(), ALL_OPS.len());
    let requests = server.requests();
    assert_eq!(server.violations(), Vec::<String>::new());
    assert_eq!(requests.len(), ALL_OPS.len(), "one request per operation");
    for ((op, outcome), request) in ALL_OPS.iter().zip(outcomes).zip(&requests) {
        assert_eq!(request.operation_id.as_deref(), Some(op.id));
        assert_eq!(request.path, op.path);
        assert_eq!(request.status, status.as_u16());

        let expected: ErrorResponse = serde_json::from_value(schema_example(op.path, response))
            .expect("the error example decodes as ErrorResponse");
        assert!(!expected.errors.is_empty());
        let error = match outcome {
            Err(error) => error,
            Ok(got) => panic!("{}: expected HTTP {status}, got {got}", op.id),
        };
        assert_eq!(error.status(), Some(status), "{}: status()", op.id);
        assert_eq!(
            error.rate_limit(),
            Some(mock_rate_limit()),
            "{}: rate_limit()",
            op.id
        );
        assert_eq!(error.retry_after(), retry_after, "{}: retry_after()", op.id);
        assert_eq!(error.operation(), op.id, "{}: operation()", op.id);
        assert_eq!(error.api_body(), Some(&expected), "{}: api_body()", op.id);
        assert_eq!(error.messages(), expected.errors, "{}: messages()", op.id);
        let shown = error.to_string();
        for message in &expected.errors {
            assert!(shown.contains(message.as_str()), "{}: {shown}", op.id);
        }
        match error {
            Error::Api(api) => {
                assert_eq!(api.status, status);
                assert_eq!(api.body, expected, "{}: the typed error body", op.id);
                assert_eq!(api.rate_limit, mock_rate_limit());
                assert_eq!(api.retry_after, retry_after);
            }
            other => panic!("{}: expected Error::Api, got {other:?}", op.id),
        }
    }
    server.clear_records();
}

#[tokio::test]
async fn unauthorized_is_a_typed_api_error_for_every_operation() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    server.respond_with(401);
    let outcomes = call_every_operation(&client).await;
    expect_api_errors(server, outcomes, StatusCode::UNAUTHORIZED, "401", None);
}

#[tokio::test]
async fn rate_limited_is_a_typed_api_error_with_retry_after_for_every_operation() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    server.respond_with(429);
    let outcomes = call_every_operation(&client).await;
    let default_delay = RetryAfter::Delay(Duration::from_secs(DEFAULT_RETRY_AFTER));
    expect_api_errors(
        server,
        outcomes,
        StatusCode::TOO_MANY_REQUESTS,
        "429",
        Some(default_delay),
    );

    server.set_retry_after(30);
    let outcomes = call_every_operation(&client).await;
    let delay = RetryAfter::Delay(Duration::from_secs(30));
    expect_api_errors(
        server,
        outcomes,
        StatusCode::TOO_MANY_REQUESTS,
        "429",
        Some(delay),
    );
}

#[tokio::test]
async fn server_error_is_a_typed_api_error_for_every_operation() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    server.respond_with(500);
    let outcomes = call_every_operation(&client).await;
    expect_api_errors(
        server,
        outcomes,
        StatusCode::INTERNAL_SERVER_ERROR,
        "500",
        None,
    );
}

#[tokio::test]
async fn an_undeclared_status_uses_the_default_error_body() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    server.respond_with(404);
    let outcomes = call_every_operation(&client).await;
    expect_api_errors(server, outcomes, StatusCode::NOT_FOUND, "default", None);
}

#[tokio::test]
async fn one_error_then_success_on_the_same_client() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    server.respond_once(429);
    let request = DeleteRowRequest::new(TABLE_ID, 1001);
    let error = client
        .delete_row(&request)
        .await
        .expect_err("the first call is rate limited");
    take_request(server, DELETE_ROW);
    assert_eq!(error.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(
        error.api_body().map(|body| body.errors.clone()),
        Some(vec!["Rate limit exceeded".to_owned()])
    );
    let outcome = client.delete_row(&request).await;
    expect_example(server, DELETE_ROW, &request, outcome);
}

#[tokio::test]
async fn a_200_with_errors_is_visible_to_the_caller() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();

    // A complete body whose `errors` is not empty: a success, with the errors in the body.
    server.respond_once_with_body(
        200,
        json!({
            "errors": ["Row 1001 is locked by another transaction"],
            "sessionToken": "sess_9d2f",
            "recordsImpacted": 0,
        }),
    );
    let request = DeleteRowRequest::new(TABLE_ID, 1001);
    let response = client
        .delete_row(&request)
        .await
        .expect("a 200 with a complete body decodes");
    take_request(server, DELETE_ROW);
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.typed_headers(), mock_headers());
    assert_eq!(
        response.body,
        DeleteRowResponse::new(
            vec!["Row 1001 is locked by another transaction".to_owned()],
            0
        )
        .with_session_token("sess_9d2f".to_owned())
    );

    // A 200 carrying only the envelope (no endpoint fields): the server refused the request,
    // so the call fails with the typed error body and the server's messages, for every
    // operation that decodes a body.
    server.respond_with_body(
        200,
        json!({ "errors": ["Resource not found", "Try later"] }),
    );
    let outcomes = call_every_operation(&client).await;
    assert_eq!(server.violations(), Vec::<String>::new());
    for (op, outcome) in ALL_OPS.iter().zip(outcomes) {
        let error = match outcome {
            Err(error) => error,
            // Its response is the envelope alone: a complete body, errors and all.
            Ok(_) if op.id == "closeConversation" => continue,
            Ok(got) => panic!("{}: an envelope-only 200 must fail, got {got}", op.id),
        };
        assert_eq!(error.status(), Some(StatusCode::OK), "{}", op.id);
        assert_eq!(error.rate_limit(), Some(mock_rate_limit()), "{}", op.id);
        assert_eq!(
            error.messages(),
            ["Resource not found", "Try later"],
            "{}",
            op.id
        );
        let Error::Api(api) = &error else {
            panic!("{}: expected Error::Api, got {error:?}", op.id);
        };
        assert!(api.status.is_success());
        assert_eq!(api.body.errors, ["Resource not found", "Try later"]);
        assert_eq!(
            error.to_string(),
            format!(
                "operation `{}` failed: HTTP 200 OK with an error body: Resource not found; \
                 Try later",
                op.id
            )
        );
    }
}

#[tokio::test]
async fn unknown_enum_values_from_the_server_are_kept() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    server.respond_once_with_body(
        200,
        json!({
            "errors": [],
            "insertedId": 7,
            "newRow": {
                "rowId": 7,
                "values": { "shape": { "columnType": "GEOMETRY", "value": "POINT(1 2)" } }
            },
            "computationStatus": "QUEUED",
        }),
    );
    let request = InsertRowRequest::new(
        TABLE_ID,
        cells([("shape", cell(ColumnType::String, json!("POINT(1 2)")))]),
    );
    let response = client
        .insert_row(&request)
        .await
        .expect("unknown enum values decode");
    take_request(server, INSERT_ROW);
    assert_eq!(
        response.new_row.values["shape"].column_type,
        ColumnType::Other("GEOMETRY".to_owned())
    );
    assert_eq!(
        response.computation_status,
        ComputationStatus::Unknown("QUEUED".to_owned())
    );
}

// ------------------------------------------------------------------------------------------
// Integer widths
// ------------------------------------------------------------------------------------------

/// A `format: int32` property must not accept a value outside the 32-bit range: the API (and
/// the mock, which validates `format: int32` as a range) rejects it, so a typed client should
/// make it unrepresentable. Each case decodes a body with `2^31` in one int32 property.
#[tokio::test]
async fn int32_properties_cannot_hold_values_the_api_rejects() {
    let too_big = i64::from(i32::MAX) + 1;
    let version = json!({ "versionState": "DRAFT", "versionNumber": too_big });
    let audio = |field: &str| {
        let mut format = json!({
            "sampleRate": 16000, "sampleSizeInBits": 16, "channels": 1,
            "signed": true, "bigEndian": false
        });
        format[field] = json!(too_big);
        format
    };
    let page = |field: &str| {
        let mut page = json!({ "currentPage": 0, "totalRecordsPerPage": 10 });
        page[field] = json!(too_big);
        page
    };
    let accepted: Vec<&str> = [
        (
            "CustomVersion.versionNumber",
            serde_json::from_value::<CustomVersion>(version.clone()).is_ok(),
        ),
        (
            "AudioFormat.sampleRate",
            serde_json::from_value::<AudioFormat>(audio("sampleRate")).is_ok(),
        ),
        (
            "AudioFormat.sampleSizeInBits",
            serde_json::from_value::<AudioFormat>(audio("sampleSizeInBits")).is_ok(),
        ),
        (
            "AudioFormat.channels",
            serde_json::from_value::<AudioFormat>(audio("channels")).is_ok(),
        ),
        (
            "AgentOutput.sampleRate",
            serde_json::from_value::<AgentOutput>(
                json!({ "outputType": "AUDIO", "sampleRate": too_big }),
            )
            .is_ok(),
        ),
        (
            "Pagination.currentPage",
            serde_json::from_value::<Pagination>(page("currentPage")).is_ok(),
        ),
        (
            "Pagination.totalRecordsPerPage",
            serde_json::from_value::<Pagination>(page("totalRecordsPerPage")).is_ok(),
        ),
        (
            "SemanticSearchRequest.limit",
            serde_json::from_value::<SemanticSearchRequest>(json!({
                "tableId": TABLE_ID, "columnName": "summary", "query": "q", "limit": too_big
            }))
            .is_ok(),
        ),
    ]
    .into_iter()
    .filter_map(|(property, accepted)| accepted.then_some(property))
    .collect();
    if accepted.is_empty() {
        return;
    }

    // What that costs end to end: such a request type-checks, and the server rejects it.
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    let end_to_end = match serde_json::from_value::<CreateConversationRequest>(
        json!({ "agentId": AGENT_ID, "version": version }),
    ) {
        Ok(request) => {
            let outcome = client.create_conversation(&request).await;
            format!(
                "createConversation with versionNumber = 2^31 answered {:?}; the mock reports {:?}",
                outcome
                    .map(|response| response.status)
                    .map_err(|error| error.to_string()),
                server.violations(),
            )
        }
        Err(_) => "CustomVersion.versionNumber itself is fine".to_owned(),
    };
    panic!(
        "`format: int32` properties are generated as 64-bit integers, so the client builds \
         requests the API rejects: {accepted:?} accept 2^31. {end_to_end}. \
         Cause: codegen/src/lower/schema.rs `format_str` only returns the `Unknown(..)` variant \
         of openapiv3's `VariantOrUnknownOrEmpty`, but openapiv3 parses `int32` as \
         `Item(IntegerFormat::Int32)`, so `integer_format` never sees \"int32\" and falls back \
         to `Primitive::I64` (the same drops `format: float` to f64)."
    );
}

// ------------------------------------------------------------------------------------------
// Configuration and secrets
// ------------------------------------------------------------------------------------------

/// Restores the variables it saved when dropped, even if the test panics.
struct EnvGuard {
    saved: Vec<(&'static str, Option<std::ffi::OsString>)>,
}

impl EnvGuard {
    fn save(names: &[&'static str]) -> Self {
        let saved = names
            .iter()
            .map(|name| (*name, std::env::var_os(name)))
            .collect();
        EnvGuard { saved }
    }

    fn set(&self, name: &str, value: Option<&str>) {
        assert!(self.saved.iter().any(|(saved, _)| *saved == name));
        // SAFETY: this is the only test in this binary that changes the environment, and it
        // changes only the AUTESSA_* variables it saved, which no other test reads. Other
        // threads read the environment only through `std::env` (reqwest's proxy settings),
        // which std serializes with these writes.
        unsafe {
            match value {
                Some(value) => std::env::set_var(name, value),
                None => std::env::remove_var(name),
            }
        }
    }
}

impl Drop for EnvGuard {
    fn drop(&mut self) {
        for (name, value) in &self.saved {
            // SAFETY: as in `set`.
            unsafe {
                match value {
                    Some(value) => std::env::set_var(name, value),
                    None => std::env::remove_var(name),
                }
            }
        }
    }
}

/// The only test that changes the process environment.
#[tokio::test]
async fn from_env_reads_the_key_and_the_base_url() {
    assert_eq!(Client::API_KEY_ENV, "AUTESSA_API_KEY");
    assert_eq!(Client::BASE_URL_ENV, "AUTESSA_BASE_URL");
    let env = EnvGuard::save(&["AUTESSA_API_KEY", "AUTESSA_BASE_URL"]);
    let mock = autessa_mock::start(KEY).await;
    let server = mock.engine().rest();

    // Both set: the client talks to the mock with the raw key.
    env.set("AUTESSA_API_KEY", Some(KEY));
    env.set("AUTESSA_BASE_URL", Some(&server.base_url()));
    let client = Client::from_env().expect("a client from the environment");
    assert_eq!(
        client.http().base_url().as_str(),
        format!("{}/", server.base_url())
    );
    let request = DeleteRowRequest::new(TABLE_ID, 1001);
    let outcome = client.delete_row(&request).await;
    expect_example(server, DELETE_ROW, &request, outcome);
    assert!(!format!("{client:?}").contains(KEY));

    // No base URL, or an empty one: the documented default.
    for base_url in [None, Some("")] {
        env.set("AUTESSA_BASE_URL", base_url);
        let client = Client::from_env().expect("a client with the default base URL");
        assert_eq!(
            client.http().base_url().as_str(),
            format!("{}/", Client::DEFAULT_BASE_URL),
            "AUTESSA_BASE_URL = {base_url:?}"
        );
    }

    // No key, or an empty one: an error naming the variable.
    for key in [None, Some("")] {
        env.set("AUTESSA_API_KEY", key);
        let error = Client::from_env().expect_err("no key, no client");
        assert!(
            matches!(&error, ConfigError::MissingEnv { name } if name == "AUTESSA_API_KEY"),
            "AUTESSA_API_KEY = {key:?}: {error:?}"
        );
        assert!(error.to_string().contains("AUTESSA_API_KEY"), "{error}");
    }

    // A bad base URL: an error that does not show the key.
    env.set("AUTESSA_API_KEY", Some(KEY));
    env.set("AUTESSA_BASE_URL", Some("ftp://api.autessa.com"));
    let error = Client::from_env().expect_err("ftp is not a base URL");
    assert!(
        matches!(error, ConfigError::InvalidBaseUrl { .. }),
        "{error:?}"
    );
    assert_no_key(&error);
}

/// Asserts that neither `Display`, `Debug` nor any `source()` of `error` contains the key.
#[track_caller]
fn assert_no_key(error: &(dyn std::error::Error + 'static)) {
    let mut texts = vec![format!("{error:?}"), format!("{error:#?}")];
    let mut current = Some(error);
    while let Some(error) = current {
        texts.push(error.to_string());
        current = error.source();
    }
    for text in texts {
        assert!(!text.contains(KEY), "the API key leaked into: {text}");
    }
}

#[tokio::test]
async fn the_api_key_stays_out_of_debug_output_and_errors() {
    let (mock, client) = start().await;
    let server = mock.engine().rest();
    for text in [
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{:?}", client.http()),
    ] {
        assert!(!text.contains(KEY), "the API key leaked into: {text}");
        assert!(text.contains("redacted"), "{text}");
    }

    // API errors (their headers and bodies included in Debug).
    for status in [401, 429, 500, 404] {
        server.respond_once(status);
        let error = client
            .get_single_row(&GetSingleRowRequest::new(TABLE_ID, 1))
            .await
            .expect_err("an error status");
        assert!(matches!(error, Error::Api(_)), "{error:?}");
        assert_no_key(&error);
    }

    // A 200 whose body is not the expected type.
    server.respond_once_with_body(200, json!({ "unexpected": KEY.len() }));
    let error = client
        .get_single_row(&GetSingleRowRequest::new(TABLE_ID, 1))
        .await
        .expect_err("a body that is not a GetSingleRowResponse");
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert_no_key(&error);

    // The mock refusing the key, as the API does (401 with the document's example).
    let wrong_key = autessa_mock::start("another-key").await;
    let client_for_wrong_server =
        Client::new(&wrong_key.base_url(), KEY).expect("a client for the second server");
    let error = client_for_wrong_server
        .delete_row(&DeleteRowRequest::new(TABLE_ID, 1))
        .await
        .expect_err("the second server expects another key");
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert_no_key(&error);
    drop(wrong_key);

    // A connection that fails: nothing listens on the port any more.
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        listener.local_addr().expect("its address")
    };
    let offline = Client::new(&format!("http://{closed}"), KEY).expect("a client");
    let error = offline
        .delete_row(&DeleteRowRequest::new(TABLE_ID, 1))
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_no_key(&error);

    // Configuration errors.
    let error = Client::new("not a url", KEY).expect_err("an invalid base URL");
    assert_no_key(&error);
    let bad_key = format!("{KEY}\n");
    let error = Client::new(&server.base_url(), bad_key.as_str())
        .expect_err("a key that is not a header value");
    assert!(
        matches!(error, ConfigError::InvalidAuth { .. }),
        "{error:?}"
    );
    assert_no_key(&error);
}
