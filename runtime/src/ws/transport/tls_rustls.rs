//! TLS over rustls (cargo feature `rustls`, without `native-tls`).

use std::io;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig};
use url::Host;

/// The TLS handshake with `host`; on failure the reason and the I/O error.
pub(super) async fn connect(
    host: Host<&str>,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, (String, Option<io::Error>)> {
    let server_name = match host {
        Host::Domain(domain) => {
            ServerName::try_from(domain.to_owned()).map_err(|error| (error.to_string(), None))?
        }
        Host::Ipv4(ip) => ServerName::from(IpAddr::V4(ip)),
        Host::Ipv6(ip) => ServerName::from(IpAddr::V6(ip)),
    };
    let config = config().map_err(|reason| (reason, None))?;
    TlsConnector::from(config)
        .connect(server_name, tcp)
        .await
        .map_err(|error| (format!("TLS: {error}"), Some(error)))
}

/// The TLS settings, built once: the process's default crypto provider if one is
/// installed, else aws-lc-rs, and the platform's certificate verifier (what reqwest uses
/// too).
pub(super) fn config() -> Result<Arc<ClientConfig>, String> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = rustls::crypto::CryptoProvider::get_default()
                .cloned()
                .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
            let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
                .map_err(|error| format!("TLS verifier: {error}"))?;
            let mut config = ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|error| format!("TLS settings: {error}"))?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Ok(Arc::new(config))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    #[test]
    fn config_builds() {
        let config = super::config().unwrap();
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
    }
}
