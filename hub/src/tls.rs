//! TLS for `appcare serve`: the admin's certificate and key, or a self-signed pair made on
//! first start and kept in the data folder (`hub-tls/`, the key readable by its owner
//! only). Its SHA-256 fingerprint is printed so clients can pin it on first use. The
//! listener runs each handshake in its connection's own task, with a deadline
//! (`appcare_channels::listen`), so a client that says nothing holds up no one else.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

pub const GENERATED_DIR: &str = "hub-tls";

/// The certificate chain and key the hub serves, with where they came from.
pub struct ServerCert {
    pub chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    /// `AB:CD:…`, the SHA-256 of the leaf certificate.
    pub fingerprint: String,
    pub cert_path: PathBuf,
    pub generated: bool,
}

impl std::fmt::Debug for ServerCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCert")
            .field("fingerprint", &self.fingerprint)
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

/// The SHA-256 fingerprint of a DER certificate, as colon-separated upper-case hex: the
/// client's own function, so what `appcare serve` prints is what a desktop pins.
pub use appcare_client::fingerprint;

/// Where a generated certificate and key live in a data folder.
pub fn generated_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let dir = data_dir.join(GENERATED_DIR);
    (dir.join("cert.pem"), dir.join("key.pem"))
}

fn read_pair(
    cert_path: &Path,
    key_path: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let cert_pem = std::fs::read(cert_path)
        .map_err(|e| format!("cannot read the certificate {}: {e}", cert_path.display()))?;
    let key_pem = Zeroizing::new(
        std::fs::read(key_path)
            .map_err(|e| format!("cannot read the key {}: {e}", key_path.display()))?,
    );
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{} is not a PEM certificate", cert_path.display()))?;
    if chain.is_empty() {
        return Err(format!("{} holds no certificate", cert_path.display()));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|_| format!("{} is not a PEM private key", key_path.display()))?;
    Ok((chain, key))
}

/// The admin's pair when given, else the generated one (made now if missing) for the
/// host `names` (DNS names or IP addresses).
pub fn load_or_generate(
    data_dir: &Path,
    given: Option<(&Path, &Path)>,
    names: &[String],
) -> Result<ServerCert, String> {
    let (cert_path, key_path, generated) = match given {
        Some((cert, key)) => (cert.to_path_buf(), key.to_path_buf(), false),
        None => {
            let (cert, key) = generated_paths(data_dir);
            if !cert.is_file() || !key.is_file() {
                generate(&cert, &key, names)?;
            }
            (cert, key, true)
        }
    };
    let (chain, key) = read_pair(&cert_path, &key_path)?;
    // The pair must belong together: rustls checks the key against the certificate.
    let checked = acceptor_for(chain.clone(), key.clone_key())?;
    drop(checked);
    Ok(ServerCert {
        fingerprint: fingerprint(&chain[0]),
        chain,
        key,
        cert_path,
        generated,
    })
}

fn generate(cert_path: &Path, key_path: &Path, names: &[String]) -> Result<(), String> {
    let mut names: Vec<String> = names
        .iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        names = vec!["localhost".into(), "127.0.0.1".into()];
    }
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|e| format!("cannot make a certificate: {e}"))?;
    let dir = cert_path.parent().ok_or("no folder for the certificate")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Key first, then the certificate: a pair is complete only once cert.pem exists,
    // and each file appears whole (written aside, then renamed).
    let key_pem = Zeroizing::new(certified.signing_key.serialize_pem());
    write_private(key_path, key_pem.as_bytes())?;
    write_private(cert_path, certified.cert.pem().as_bytes())?;
    Ok(())
}

/// Writes a file only its owner can read: a new file beside it, made 0600 before a byte
/// is written, synced, then renamed over `path` (an old file's mode never carries over).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let aside = path.with_extension("new");
    let _ = std::fs::remove_file(&aside);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&aside).map_err(fail)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(fail)?;
    std::fs::rename(&aside, path).map_err(fail)
}

fn acceptor_for(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<tokio_rustls::TlsAcceptor, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("the certificate and key do not go together: {e}"))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

impl ServerCert {
    pub fn acceptor(&self) -> Result<tokio_rustls::TlsAcceptor, String> {
        acceptor_for(self.chain.clone(), self.key.clone_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_pair_is_kept_private_reused_and_fingerprinted() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let first = load_or_generate(dir.path(), None, &["hub.example.test".into()])?;
        assert!(first.generated);
        assert_eq!(first.fingerprint.len(), 32 * 3 - 1);
        let (_, key) = generated_paths(dir.path());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key)
                .map_err(|e| e.to_string())?
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = load_or_generate(dir.path(), None, &[])?;
        assert_eq!(
            again.fingerprint, first.fingerprint,
            "made once, then reused"
        );
        assert!(!format!("{again:?}").contains("PRIVATE"));
        Ok(())
    }

    #[test]
    fn a_mismatched_or_missing_pair_is_refused_in_plain_words() -> Result<(), String> {
        let a = tempfile::tempdir().map_err(|e| e.to_string())?;
        let b = tempfile::tempdir().map_err(|e| e.to_string())?;
        load_or_generate(a.path(), None, &[])?;
        load_or_generate(b.path(), None, &[])?;
        let (cert_a, _) = generated_paths(a.path());
        let (_, key_b) = generated_paths(b.path());
        let err = load_or_generate(a.path(), Some((&cert_a, &key_b)), &[])
            .err()
            .unwrap_or_default();
        assert!(err.contains("do not go together"), "{err}");
        let missing = a.path().join("nope.pem");
        let err = load_or_generate(a.path(), Some((&missing, &key_b)), &[])
            .err()
            .unwrap_or_default();
        assert!(err.contains("cannot read the certificate"), "{err}");
        Ok(())
    }
}
