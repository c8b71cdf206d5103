//! TLS for the server's port: the rustls configuration from a PEM certificate chain and key
//! (`--tls-cert`/`--tls-key`), or from a local self-signed certificate kept in the data dir
//! (`--tls-self-signed`). It owns the certificate files it generates; it does not touch sockets
//! (the listener tells TLS from plain HTTP on the same port, see `listener`).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The only protocol version and cipher suite served. CloudTrail records name the TLS version
/// and cipher suite of each call (`tlsDetails`, S3's `additionalEventData.CipherSuite`); serving
/// exactly one pair keeps those records true without passing the session's parameters down to
/// every service. TLS 1.3 and TLS_AES_128_GCM_SHA256 are what every TLS 1.3 client must
/// implement (RFC 8446 §9.1), so no AWS SDK, the aws CLI or boto3 is turned away.
pub const TLS_VERSION: &str = "TLSv1.3";
/// See [`TLS_VERSION`].
pub const CIPHER_SUITE: &str = "TLS_AES_128_GCM_SHA256";

/// The names the self-signed certificate is valid for: the loopback addresses, and `localhost`
/// with the virtual-hosted-style names trailstack serves (`bucket.localhost`,
/// `bucket.s3.localhost`).
const LOCAL_NAMES: [&str; 5] = [
    "localhost",
    "*.localhost",
    "*.s3.localhost",
    "127.0.0.1",
    "::1",
];

/// Where `--tls-self-signed` keeps its certificate and key, under the data dir.
pub fn self_signed_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let dir = data_dir.join("tls");
    (dir.join("cert.pem"), dir.join("key.pem"))
}

/// The server configuration for the PEM certificate chain at `cert` and the PEM private key at
/// `key` (PKCS#8, PKCS#1 or SEC1).
pub fn load(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("reading {}: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("reading {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{} holds no PEM certificate", cert.display()));
    }
    // The message names the file only: a key's bytes never go into an error.
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|_| format!("{} holds no readable PEM private key", key.display()))?;
    config(chain, key)
}

/// The server configuration of `--tls-self-signed`: the certificate kept in the data dir
/// (see [`self_signed_paths`]), generated on first use so that clients told to trust it keep
/// trusting it across restarts. Returns the configuration and the certificate's path.
pub fn self_signed(data_dir: &Path) -> Result<(Arc<ServerConfig>, PathBuf), String> {
    let (cert, key) = self_signed_paths(data_dir);
    if !cert.exists() || !key.exists() {
        generate(&cert, &key)?;
    }
    Ok((load(&cert, &key)?, cert))
}

/// Generates a self-signed certificate for [`LOCAL_NAMES`] into `cert` (0644: anyone may trust
/// it) and its key into `key` (0600), in a directory created 0700.
fn generate(cert: &Path, key: &Path) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("generating a TLS certificate: {e}");
    let dir = cert.parent().unwrap_or(Path::new("."));
    crate::create_private_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let names: Vec<String> = LOCAL_NAMES.iter().map(|n| n.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names).map_err(|e| fail(&e))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "trailstack local certificate");
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    let pair = rcgen::KeyPair::generate().map_err(|e| fail(&e))?;
    let certificate = params.self_signed(&pair).map_err(|e| fail(&e))?;
    write_file(key, pair.serialize_pem().as_bytes(), 0o600)?;
    write_file(cert, certificate.pem().as_bytes(), 0o644)
}

/// Writes `bytes` to `path` created with `mode` (on Unix), replacing what was there.
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

fn config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, String> {
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    provider.cipher_suites =
        vec![rustls::crypto::aws_lc_rs::cipher_suite::TLS13_AES_128_GCM_SHA256];
    let mut config = ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS certificate and key: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn self_signed_is_generated_once_with_a_private_key() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (_, cert) = self_signed(dir.path()).unwrap();
        let (cert_path, key_path) = self_signed_paths(dir.path());
        assert_eq!(cert, cert_path);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&key_path), 0o600);
        assert_eq!(mode(&dir.path().join("tls")), 0o700);
        let first = std::fs::read(&cert_path).unwrap();
        self_signed(dir.path()).unwrap();
        assert_eq!(std::fs::read(&cert_path).unwrap(), first, "regenerated");
    }

    #[test]
    fn bad_files_are_named_without_their_contents() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("c.pem");
        let key = dir.path().join("k.pem");
        std::fs::write(&cert, "not a certificate").unwrap();
        std::fs::write(&key, "SECRET-KEY-BYTES").unwrap();
        let e = load(&cert, &key).unwrap_err();
        assert!(e.contains("c.pem"), "{e}");
        self_signed(dir.path()).unwrap();
        let (good_cert, _) = self_signed_paths(dir.path());
        let e = load(&good_cert, &key).unwrap_err();
        assert!(e.contains("k.pem") && !e.contains("SECRET"), "{e}");
    }
}
