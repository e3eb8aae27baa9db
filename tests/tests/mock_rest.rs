//! The generated `autessa::mock::Mock` (feature `mock`) on the REST side: the documents'
//! examples by default, typed replies and handlers per operation, typed errors, faults, the
//! key refused as the API refuses it, and every request validated and recorded.

use std::time::Duration;

use autessa::mock::Mock;
use autessa::runtime::mock::{Fault, Reply};
use autessa::types::{CreateConversationRequest, CreateConversationResponse, ErrorResponse};
use autessa::{Client, Error, RequestOptions, RetryAfter};

async fn start() -> (Mock, Client) {
    let mock = Mock::start().await.expect("the mock starts");
    let client = mock.client().expect("a client of the mock");
    (mock, client)
}

/// One attempt per call, so that each reply reaches the test as sent.
fn once(client: &Client) -> Client {
    client.with_options(RequestOptions::new().no_retries())
}

#[tokio::test]
async fn an_operation_answers_with_its_example_until_told_otherwise() {
    let (mock, client) = start().await;
    let request = CreateConversationRequest::new(123);
    let example = client.create_conversation(&request).await.unwrap();
    assert_eq!(example.conversation_id, "conv_abc123");
    // The response headers the document declares arrive with their examples.
    assert_eq!(example.typed_headers().x_rate_limit_limit_minute, Some(60));

    mock.on_create_conversation().respond_with(|request| {
        let agent = request.body.as_ref().map_or(0, |body| body.agent_id);
        Reply::ok(CreateConversationResponse::new(
            vec![],
            format!("conv-{agent}"),
        ))
    });
    let typed = client
        .create_conversation(&CreateConversationRequest::new(7))
        .await
        .unwrap();
    assert_eq!(typed.conversation_id, "conv-7");

    let seen = mock.on_create_conversation().requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].body.as_ref().map(|body| body.agent_id), Some(7));
    assert_eq!(seen[1].query("resourceId"), Some("7"));
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_matcher_picks_the_requests_its_reply_is_for() {
    let (mock, client) = start().await;
    mock.on_create_conversation().respond_when(
        |request| {
            request
                .body
                .as_ref()
                .is_some_and(|body| body.agent_id == 13)
        },
        |_| Reply::error(403, ErrorResponse::new(vec!["agent 13 is retired".into()])),
    );
    let refused = once(&client)
        .create_conversation(&CreateConversationRequest::new(13))
        .await
        .unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(refused.messages(), ["agent 13 is retired"]);
    let other = client
        .create_conversation(&CreateConversationRequest::new(14))
        .await
        .unwrap();
    assert_eq!(other.conversation_id, "conv_abc123");
}

#[tokio::test]
async fn a_rate_limited_write_is_retried_after_the_servers_pause() {
    let (mock, client) = start().await;
    mock.on_create_conversation()
        .respond_once(Reply::rate_limited(1));
    let request = CreateConversationRequest::new(5);

    let limited = once(&client)
        .create_conversation(&request)
        .await
        .unwrap_err();
    match &limited {
        Error::Api(error) => {
            assert_eq!(error.status.as_u16(), 429);
            let pause = matches!(error.retry_after, Some(RetryAfter::Delay(d)) if d == Duration::from_secs(1));
            assert!(pause, "{:?}", error.retry_after);
        }
        other => panic!("expected a 429, got {other:?}"),
    }
    // The default policy retries a 429 after `Retry-After`.
    mock.on_create_conversation()
        .respond_once(Reply::rate_limited(1));
    let answered = client.create_conversation(&request).await.unwrap();
    assert_eq!(answered.conversation_id, "conv_abc123");
    assert_eq!(mock.on_create_conversation().requests().len(), 3);
    assert_eq!(mock.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn faults_reach_the_client_as_the_errors_it_is_built_for() {
    let (mock, client) = start().await;
    let client = once(&client);
    let request = CreateConversationRequest::new(1);
    let conversation = mock.on_create_conversation();

    conversation.respond_once(Reply::example(503));
    let unavailable = client.create_conversation(&request).await.unwrap_err();
    assert_eq!(unavailable.status().map(|s| s.as_u16()), Some(503));

    conversation.respond_once(Reply::fault(Fault::Reset));
    let reset = client.create_conversation(&request).await.unwrap_err();
    assert!(
        reset.status().is_none(),
        "a reset is no HTTP answer: {reset:?}"
    );

    conversation.respond_once(Reply::fault(Fault::Stall));
    let impatient = client.with_options(
        RequestOptions::new()
            .no_retries()
            .timeout(Duration::from_millis(300)),
    );
    let stalled = impatient.create_conversation(&request).await.unwrap_err();
    assert!(
        stalled.to_string().contains("timed out") || stalled.status().is_none(),
        "{stalled}"
    );

    let slow = Fault::SlowBody {
        chunk: 8,
        delay: Duration::from_millis(2),
    };
    conversation.respond_once(Reply::fault(slow));
    let complete = client.create_conversation(&request).await.unwrap();
    assert_eq!(complete.conversation_id, "conv_abc123");
}

#[tokio::test]
async fn a_wrong_key_is_refused_and_a_bad_request_reported() {
    let (mock, _) = start().await;
    let stranger = Client::new(&mock.base_url(), "not-the-key").unwrap();
    let refused = once(&stranger)
        .create_conversation(&CreateConversationRequest::new(1))
        .await
        .unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401));
    let violations = mock.violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        violations[0].contains("not the configured API key"),
        "{violations:?}"
    );

    // A request the document does not allow (here: no body) is answered 400 and reported.
    let raw = reqwest::Client::new()
        .post(format!(
            "{}/clients/agents/execute-create?resourceId=1",
            mock.base_url()
        ))
        .header("authorization", Mock::API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    assert_eq!(mock.violations().len(), 2);
    assert_eq!(mock.requests().len(), 2);
}
