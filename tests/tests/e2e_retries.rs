//! The generated client retries by default, as the schema's `x-idempotent` allows: a read is
//! retried after a 503, an insert is not (it may have been applied). A 429 is retried for
//! every operation: the server did not process the request. Against the generated
//! `autessa::mock::Mock`, with typed replies per operation.

use autessa::Client;
use autessa::mock::Mock;
use autessa::runtime::mock::Reply;
use autessa::types::{
    AgentInput, AutessaDbColumnValue, ColumnType, ExecuteAgentRequest, GetDataRequest,
    InsertRowRequest, TextInput,
};
use serde_json::json;

async fn start() -> (Mock, Client) {
    let mock = Mock::start().await.expect("the mock starts");
    let client = mock.client().expect("a client of the mock");
    (mock, client)
}

fn statuses(mock: &Mock) -> Vec<u16> {
    mock.requests().iter().map(|r| r.status).collect()
}

#[tokio::test]
async fn a_read_is_retried_after_a_503_by_default() {
    let (mock, client) = start().await;
    mock.on_get_data().respond_once(Reply::example(503));
    let page = client
        .get_data(&GetDataRequest::new(7))
        .await
        .expect("the second attempt succeeds");
    assert_eq!(page.status.as_u16(), 200);
    assert_eq!(statuses(&mock), [503, 200]);
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn an_insert_is_not_retried_once_it_reached_the_server() {
    let (mock, client) = start().await;
    mock.on_insert_row().respond_once(Reply::example(503));
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
    assert_eq!(mock.on_insert_row().requests().len(), 1);
}

#[tokio::test]
async fn an_execution_is_retried_after_a_429_because_it_was_not_processed() {
    let (mock, client) = start().await;
    mock.on_execute_agent().respond_once(Reply::rate_limited(0));
    let input = vec![AgentInput::Text(TextInput::new("Hello"))];
    let response = client
        .execute_agent(&ExecuteAgentRequest::new(5, input))
        .await
        .expect("the attempt after the 429 succeeds");
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(statuses(&mock), [429, 200]);
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn an_execution_is_not_retried_after_a_500_its_outcome_is_unknown() {
    let (mock, client) = start().await;
    mock.on_execute_agent().respond_once(Reply::example(500));
    let input = vec![AgentInput::Text(TextInput::new("Hello"))];
    let error = client
        .execute_agent(&ExecuteAgentRequest::new(5, input))
        .await
        .expect_err("a 500 on an execution comes back as it is");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(mock.on_execute_agent().requests().len(), 1);
}
