//! The generated client retries by default, as the schema's `x-idempotent` allows: a read is
//! retried after a 503, an insert is not (it may have been applied). A 429 is retried for
//! every operation: the server did not process the request.

use std::path::PathBuf;

use autessa::Client;
use autessa::types::{
    AgentInput, AutessaDbColumnValue, ColumnType, ExecuteAgentRequest, GetDataRequest,
    InsertRowRequest, TextInput,
};
use autessa_tests::mock::MockServer;
use serde_json::json;

const KEY: &str = "sk-retries-77f0";

async fn start() -> (MockServer, Client) {
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/openapi.yaml");
    let server = autessa_tests::mock::start_rest(&schema, KEY).await;
    let client = Client::new(&server.base_url(), KEY).unwrap();
    (server, client)
}

#[tokio::test]
async fn a_read_is_retried_after_a_503_by_default() {
    let (server, client) = start().await;
    server.respond_once(503);
    let page = client
        .get_data(&GetDataRequest::new(7))
        .await
        .expect("the second attempt succeeds");
    assert_eq!(page.status.as_u16(), 200);
    assert_eq!(
        server
            .requests()
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        [503, 200]
    );
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn an_insert_is_not_retried_once_it_reached_the_server() {
    let (server, client) = start().await;
    server.respond_once(503);
    let values = [(
        "name".to_owned(),
        AutessaDbColumnValue::new(ColumnType::String, json!("Ada")),
    )]
    .into();
    let error = client
        .insert_row(&InsertRowRequest::new(7, values))
        .await
        .expect_err("a 503 on an insert comes back as it is");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn an_execution_is_retried_after_a_429_because_it_was_not_processed() {
    let (server, client) = start().await;
    server.set_retry_after(0);
    server.respond_once(429);
    let input = vec![AgentInput::Text(TextInput::new("Hello"))];
    let response = client
        .execute_agent(&ExecuteAgentRequest::new(5, input))
        .await
        .expect("the attempt after the 429 succeeds");
    assert_eq!(response.status.as_u16(), 200);
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn an_execution_is_not_retried_after_a_500_its_outcome_is_unknown() {
    let (server, client) = start().await;
    server.respond_once(500);
    let input = vec![AgentInput::Text(TextInput::new("Hello"))];
    let error = client
        .execute_agent(&ExecuteAgentRequest::new(5, input))
        .await
        .expect_err("a 500 on an execution comes back as it is");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(server.requests().len(), 1);
}
