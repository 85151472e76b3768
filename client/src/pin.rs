//! Trust on first use: the hub's leaf certificate must have the SHA-256 fingerprint the
//! user accepted. A probe connects without a pin only to show that fingerprint; it sends
//! nothing but a request for the hub's name.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `AB:CD:…`: the SHA-256 of a DER certificate, as `appcare serve` prints it.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Fingerprints compare without regard to case, colons or spaces.
pub(crate) fn normalise(fingerprint: &str) -> String {
    fingerprint
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn colons(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// Checks the hub's certificate against the pin; remembers what it saw, so a refused
/// handshake can be explained.
#[derive(Debug)]
pub(crate) struct PinVerifier {
    pinned: Option<String>,
    seen: Mutex<Option<String>>,
    provider: Arc<CryptoProvider>,
}

impl PinVerifier {
    pub(crate) fn new(pinned: Option<&str>) -> Self {
        Self {
            pinned: pinned.map(normalise),
            seen: Mutex::new(None),
            provider: Arc::new(rustls::crypto::aws_lc_rs::default_provider()),
        }
    }

    /// The fingerprint of the last certificate the hub showed.
    pub(crate) fn seen(&self) -> Option<String> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The pinned and the seen fingerprint, when the last handshake was refused because
    /// the certificate changed.
    pub(crate) fn mismatch(&self) -> Option<(String, String)> {
        let seen = self.seen()?;
        let pinned = self.pinned.as_ref()?;
        (normalise(&seen) != *pinned).then(|| (colons(pinned), seen))
    }

    pub(crate) fn client_config(self: &Arc<Self>) -> Arc<rustls::ClientConfig> {
        let config = rustls::ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .expect("the default provider supports the default TLS versions")
            .dangerous()
            .with_custom_certificate_verifier(self.clone())
            .with_no_client_auth();
        Arc::new(config)
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let seen = fingerprint(end_entity);
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(seen.clone());
        match &self.pinned {
            None => Ok(ServerCertVerified::assertion()),
            Some(pinned) if *pinned == normalise(&seen) => Ok(ServerCertVerified::assertion()),
            Some(_) => Err(rustls::Error::General(
                "the hub's certificate is not the pinned one".into(),
            )),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What a first connection shows the user before they trust the hub.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HubProbe {
    pub url: String,
    pub fingerprint: String,
    pub workspace: String,
}

/// Connects once without a pin and returns the certificate's fingerprint, after checking
/// that an Appcare hub answers there.
pub fn probe_hub(address: &crate::HubAddress) -> appcare_core::error::Result<HubProbe> {
    let verifier = Arc::new(PinVerifier::new(None));
    let agent = ureq::AgentBuilder::new()
        .tls_config(verifier.client_config())
        .timeout_connect(Duration::from_secs(10))
        .timeout(Duration::from_secs(20))
        .build();
    let answer: serde_json::Value = agent
        .get(&address.url("hello"))
        .call()
        .map_err(|e| crate::remote::transport_error(e, None))?
        .into_json()
        .map_err(|_| not_a_hub())?;
    if answer.get("service").and_then(|v| v.as_str()) != Some("appcare-hub") {
        return Err(not_a_hub());
    }
    let fingerprint = verifier.seen().ok_or_else(|| {
        appcare_core::CoreError::HubUnreachable("no certificate was shown".into())
    })?;
    Ok(HubProbe {
        url: address.base().to_owned(),
        fingerprint,
        workspace: answer
            .get("workspace")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned(),
    })
}

fn not_a_hub() -> appcare_core::CoreError {
    appcare_core::CoreError::HubUnreachable(
        "something answered at that address, but it is not an Appcare hub".into(),
    )
}
