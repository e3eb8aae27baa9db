//! TLS through the platform's library (cargo feature `native-tls`; chosen over `rustls`
//! when both are on, as reqwest does).

use std::io;
use std::sync::OnceLock;

use tokio::net::TcpStream;
use tokio_native_tls::{TlsConnector, TlsStream};
use url::Host;

/// The TLS handshake with `host`; on failure the reason and the I/O error.
pub(super) async fn connect(
    host: Host<&str>,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, (String, Option<io::Error>)> {
    // An IP address is checked against the certificate's IP names, without brackets.
    let domain = match host {
        Host::Domain(domain) => domain.to_owned(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    };
    connector()
        .map_err(|reason| (reason, None))?
        .connect(&domain, tcp)
        .await
        .map_err(|error| (format!("TLS: {error}"), Some(io::Error::other(error))))
}

/// The connector, built once: the platform's trust store, HTTP/1.1 offered by ALPN.
pub(super) fn connector() -> Result<&'static TlsConnector, String> {
    static CONNECTOR: OnceLock<Result<TlsConnector, String>> = OnceLock::new();
    CONNECTOR
        .get_or_init(|| {
            native_tls::TlsConnector::builder()
                .request_alpns(&["http/1.1"])
                .build()
                .map(TlsConnector::from)
                .map_err(|error| format!("TLS settings: {error}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    #[test]
    fn connector_builds() {
        super::connector().unwrap();
    }
}
