//! The generated `autessa::mock::Mock`, set up as the Autessa server behaves: the four
//! rate-limit headers on every response, and a `ConnectionStatus` with the connection number
//! first on every WebSocket connection (what `autessa_tests::mock` adds to the engine).

use autessa::mock::Mock;
use autessa_tests::mock::{greet_with_connection_status, send_rate_limit_headers};

/// The mock, expecting `key`.
pub async fn start(key: &str) -> Mock {
    let mock = Mock::start_with_key(key).await.expect("the mock starts");
    send_rate_limit_headers(mock.engine().rest());
    if let Some(channels) = mock.engine().ws() {
        greet_with_connection_status(channels);
    }
    mock
}
