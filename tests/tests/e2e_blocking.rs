//! The blocking flavour of the generated client (`autessa::blocking::Client`, cargo feature
//! `blocking`) against the generated mock: the same requests on the wire, the same typed
//! responses and errors, with no async runtime on the calling thread.

use std::time::Duration;

use autessa::blocking::Client;
use autessa::mock::Mock;
use autessa::types::{CreateConversationRequest, GetDataRequest, Pagination};
use autessa::{Error, RequestOptions};

mod autessa_mock;

const KEY: &str = "sk-blocking-91c4";

/// The mock runs on a runtime of its own threads; the test thread stays synchronous.
fn start() -> (tokio::runtime::Runtime, Mock, Client) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mock = runtime.block_on(autessa_mock::start(KEY));
    let client = Client::new(&mock.base_url(), KEY).unwrap();
    (runtime, mock, client)
}

#[test]
fn blocking_calls_send_the_same_requests_and_decode_the_same_responses() {
    let (_runtime, mock, client) = start();
    let server = mock.engine().rest();
    let created = client
        .create_conversation(&CreateConversationRequest::new(42))
        .send()
        .unwrap();
    assert_eq!(created.conversation_id, "conv_abc123");
    assert_eq!(
        created.typed_headers().x_rate_limit_remaining_minute,
        Some(59)
    );
    let page = client
        .get_data(&GetDataRequest::new(7).with_pagination(Pagination::new(0, 10)))
        .send()
        .unwrap();
    assert!(page.total_records >= page.rows.len() as i64);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("authorization"), Some(KEY));
    assert_eq!(requests[1].query_param("resourceId"), Some("7"));
    assert_eq!(server.violations(), Vec::<String>::new());
}

#[test]
fn blocking_errors_are_the_same_typed_errors() {
    let (_runtime, mock, client) = start();
    let server = mock.engine().rest();
    server.respond_with(429);
    let client = client.with_options(
        RequestOptions::new()
            .no_retries()
            .timeout(Duration::from_secs(10)),
    );
    let error = client
        .create_conversation(&CreateConversationRequest::new(42))
        .send()
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status.as_u16(), 429);
    assert!(!api.body.errors.is_empty());
    assert_eq!(
        error
            .retry_after()
            .map(|r| r.delay_from(std::time::SystemTime::now()).as_secs()),
        Some(7)
    );
    assert!(!format!("{error} {error:?} {client:?}").contains(KEY));
    assert_eq!(server.requests().len(), 1);
}
