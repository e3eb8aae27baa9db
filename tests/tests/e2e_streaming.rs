//! The streaming twins of the large AutessaDB reads (`x-stream-body` in the schema:
//! `get_data_streaming`, `query_table_streaming`, `join_query_streaming`), against the mock
//! server: the same request on the wire as the decoding method, the 2xx body handed over
//! raw and in pieces as it arrives, error statuses decoded as usual, and the blocking twin
//! read like a file.

use std::path::PathBuf;

use autessa::types::{GetDataRequest, GetDataResponse, Pagination};
use autessa::{Client, Error, RequestOptions};
use autessa_runtime::reqwest::StatusCode;
use autessa_tests::mock::RATE_LIMIT_HEADERS;
use serde_json::{Value, json};

mod autessa_mock;

const KEY: &str = "sk-stream-5d21";
const TABLE_ID: i64 = 7;

fn schema() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/openapi.yaml")
}

fn request() -> GetDataRequest {
    GetDataRequest::new(TABLE_ID).with_pagination(Pagination::new(0, 100))
}

/// The 200 example of `getData`, read from the schema with serde_yaml.
fn get_data_example() -> Value {
    let text = std::fs::read_to_string(schema()).unwrap();
    let document: Value = serde_yaml::from_str(&text).unwrap();
    document["paths"]["/clients/autessadb/get-data"]["post"]["responses"]["200"]["content"]
        ["application/json"]["example"]
        .clone()
}

/// A page of `rows` rows, valid for `GetDataResponse`.
fn big_page(rows: usize) -> Value {
    let rows: Vec<Value> = (0..rows)
        .map(|n| {
            json!({
                "rowId": n,
                "values": {
                    "name": {"columnType": "STRING", "value": format!("row number {n} with some text")},
                    "score": {"columnType": "NUMBER", "value": n as f64 / 7.0},
                }
            })
        })
        .collect();
    json!({"errors": [], "rows": rows, "totalRecords": rows.len()})
}

#[tokio::test]
async fn the_streaming_twin_sends_the_same_request_and_hands_over_the_body_as_sent() {
    let mock = autessa_mock::start(KEY).await;
    let server = mock.engine().rest();
    let client = Client::new(&server.base_url(), KEY).unwrap();
    let response = client.get_data_streaming(&request()).await.unwrap();
    assert_eq!(response.status, StatusCode::OK);
    let remaining: u64 = RATE_LIMIT_HEADERS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("X-RateLimit-Remaining-Minute"))
        .map(|(_, value)| u64::from(*value))
        .unwrap();
    assert_eq!(response.rate_limit.remaining, Some(remaining));
    let bytes = response.body.collect().await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body, get_data_example());
    let decoded: GetDataResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(decoded.rows.len(), body["rows"].as_array().unwrap().len());

    // On the wire, the same request as `get_data` sends.
    client.get_data(&request()).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for sent in &requests {
        assert_eq!(sent.method, "POST");
        assert_eq!(sent.path, "/clients/autessadb/get-data");
        assert_eq!(sent.query_param("resourceId"), Some("7"));
        assert_eq!(sent.header("authorization"), Some(KEY));
    }
    assert_eq!(requests[0].json(), requests[1].json());
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_large_result_arrives_in_pieces() {
    let mock = autessa_mock::start(KEY).await;
    let server = mock.engine().rest();
    let page = big_page(40_000);
    let expected = serde_json::to_vec(&page).unwrap();
    server.respond_with_body(200, page);
    let client = Client::new(&server.base_url(), KEY).unwrap();
    let mut response = client.get_data_streaming(&request()).await.unwrap();
    let (mut pieces, mut largest) = (0, 0);
    let mut received = Vec::new();
    while let Some(chunk) = response.body.next_chunk().await {
        let chunk = chunk.unwrap();
        pieces += 1;
        largest = largest.max(chunk.len());
        received.extend_from_slice(&chunk);
    }
    assert!(expected.len() > 3_000_000, "{} bytes", expected.len());
    assert_eq!(received, expected);
    assert!(pieces > 10, "{pieces} pieces");
    assert!(largest < expected.len() / 4, "a piece of {largest} bytes");
    let decoded: GetDataResponse = serde_json::from_slice(&received).unwrap();
    assert_eq!(decoded.rows.len(), 40_000);
}

#[tokio::test]
async fn an_error_status_is_a_typed_error_as_for_the_decoding_method() {
    let mock = autessa_mock::start(KEY).await;
    let server = mock.engine().rest();
    server.respond_with(429);
    let client = Client::new(&server.base_url(), KEY)
        .unwrap()
        .with_options(RequestOptions::new().no_retries());
    let streamed = client
        .query_table_streaming(&serde_json::from_value(json!({"tableId": TABLE_ID})).unwrap())
        .await
        .unwrap_err();
    let decoded = client
        .query_table(&serde_json::from_value(json!({"tableId": TABLE_ID})).unwrap())
        .await
        .unwrap_err();
    for error in [&streamed, &decoded] {
        let Error::Api(api) = error else {
            panic!("not an API error: {error:?}")
        };
        assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(!api.body.errors.is_empty());
    }
    let (Error::Api(streamed), Error::Api(decoded)) = (streamed, decoded) else {
        unreachable!()
    };
    assert_eq!(streamed.body, decoded.body);
    assert_eq!(streamed.retry_after, decoded.retry_after);
}

#[test]
fn the_blocking_twin_reads_like_a_file() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime.block_on(autessa_mock::start(KEY));
    let server = mock.engine().rest();
    server.respond_with_body(200, big_page(5_000));
    let client = autessa::blocking::Client::new(&server.base_url(), KEY).unwrap();
    let response = client.get_data_streaming(&request()).unwrap();
    assert_eq!(response.status, StatusCode::OK);
    // Decoded straight from the reader, without the whole body in one buffer first.
    let decoded: GetDataResponse = serde_json::from_reader(response.body).unwrap();
    assert_eq!(decoded.rows.len(), 5_000);
    assert_eq!(decoded.rows[4_999].row_id, 4_999);
    assert_eq!(server.violations(), Vec::<String>::new());
}
