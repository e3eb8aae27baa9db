//! No TLS in this build (neither cargo feature `rustls` nor `native-tls`): `wss` is refused.

use std::io;

use tokio::net::TcpStream;
use url::Host;

/// Always the reason there is no TLS.
pub(super) async fn connect(
    _host: Host<&str>,
    _tcp: TcpStream,
) -> Result<TcpStream, (String, Option<io::Error>)> {
    Err((
        "this build has no TLS: `wss` needs the cargo feature `rustls` or `native-tls`".into(),
        None,
    ))
}
