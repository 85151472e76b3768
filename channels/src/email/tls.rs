//! TLS for mail servers through rustls: the public web roots, plus the account's own
//! certificate authority when it has one (an office server with a private CA, or the
//! tests' generated certificate). Certificates are always verified.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::sync::Arc;

/// A client configuration trusting the web roots and `extra_ca_pem`.
pub fn client_config(extra_ca_pem: Option<&str>) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_ca_pem {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert =
                cert.map_err(|_| "the account's certificate is not valid PEM".to_string())?;
            roots.add(cert).map_err(|_| {
                "the account's certificate cannot be used as an authority".to_string()
            })?;
            added += 1;
        }
        if added == 0 {
            return Err("the account's certificate holds no certificate".into());
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The name the server's certificate must carry (a host name or an IP address).
pub fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.to_string()).map_err(|_| format!("{host} is not a valid server name"))
}
