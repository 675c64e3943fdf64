//! TLS for PostgreSQL connections with rustls (pure Rust, the ring provider), with libpq's
//! `sslmode` meanings.
//!
//! tokio-postgres does the `SSLRequest` exchange and calls our [`MakeRustlsConnect`] for the
//! handshake. How the server's certificate is checked depends on the mode:
//!
//! - `verify-full`: the chain must lead to a trusted root and the certificate must name the
//!   host connected to (rustls's standard webpki verifier);
//! - `verify-ca`, and `require`/`prefer`/`allow` when a root certificate is present: the chain
//!   must lead to a trusted root; the host name is not checked ([`ChainOnly`]);
//! - `require`/`prefer`/`allow` without a root certificate: any certificate, but the
//!   handshake signature must still be made with its key ([`AnyCertificate`]).
//!
//! The certificate's `tls-server-end-point` hash is offered for SCRAM channel binding.

use std::fmt;
use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use anyhow::{Context as _, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

use crate::error::Hinted;
use crate::settings::{RootCert, SslMode, Tls};

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Chain and host name.
    Full,
    /// Chain only.
    Chain,
    /// Nothing but the handshake signature.
    Nothing,
}

/// What is checked for `mode` with or without a root certificate (libpq's rule: a root
/// certificate makes `require` behave as `verify-ca`).
pub fn verify_level(mode: SslMode, has_root: bool) -> Verify {
    match mode {
        SslMode::VerifyFull => Verify::Full,
        SslMode::VerifyCa => Verify::Chain,
        _ if has_root => Verify::Chain,
        _ => Verify::Nothing,
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Build the rustls client configuration for the TLS settings. Fails, with what to change,
/// when a file cannot be read or a verifying mode has no root certificate.
pub fn client_config(tls: &Tls) -> Result<Arc<ClientConfig>> {
    let provider = provider();
    let mode = tls.mode.value;
    let roots = match &tls.root_cert {
        Some(root) => Some(load_roots(&root.value)?),
        None if matches!(mode, SslMode::VerifyCa | SslMode::VerifyFull) => {
            let default = tls
                .default_root_cert
                .as_ref()
                .map(|p| format!("`{}`", p.display()))
                .unwrap_or_else(|| "`~/.postgresql/root.crt`".into());
            return Err(Hinted::new(
                format!(
                    "sslmode `{mode}` needs a root certificate to verify the server, \
                     and {default} does not exist"
                ),
                "set PGSSLROOTCERT (or sslrootcert=) to the server's CA bundle (for AWS RDS: \
                 global-bundle.pem), use `system` for the system's trusted roots, \
                 or choose sslmode `require` to skip verification",
            )
            .into());
        }
        None => None,
    };
    let level = verify_level(mode, roots.is_some());
    let verifier: Arc<dyn ServerCertVerifier> = match (level, roots) {
        (Verify::Nothing, _) | (_, None) => Arc::new(AnyCertificate {
            provider: provider.clone(),
        }),
        (level, Some(roots)) => {
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .context("could not set up certificate verification")?;
            if level == Verify::Full {
                webpki
            } else {
                Arc::new(ChainOnly { inner: webpki })
            }
        }
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("could not set up TLS")?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match client_identity(tls)? {
        Some((certs, key)) => builder.with_client_auth_cert(certs, key).with_context(|| {
            let shown = |p: Option<&crate::settings::Sourced<std::path::PathBuf>>| {
                p.map(|c| c.value.display().to_string()).unwrap_or_default()
            };
            format!(
                "could not use client certificate `{}` with key `{}`",
                shown(tls.client_cert.as_ref()),
                shown(tls.client_key.as_ref())
            )
        })?,
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// The trusted roots: every certificate of a PEM file (the RDS bundle holds many), or the
/// system's.
fn load_roots(root: &RootCert) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match root {
        RootCert::System => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(Hinted::new(
                    "sslrootcert=system, but no trusted root certificates were found on this system",
                    "install the system's CA certificates (Debian: `apt-get install ca-certificates`) \
                     or set PGSSLROOTCERT to a CA bundle file",
                )
                .into());
            }
        }
        RootCert::File(path) => {
            let certs = read_certs(path, "root certificate file")?;
            let (added, ignored) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(Hinted::new(
                    format!(
                        "root certificate file `{}` holds no usable certificate{}",
                        path.display(),
                        if ignored > 0 {
                            " (none could be parsed)"
                        } else {
                            ""
                        }
                    ),
                    "it must hold PEM certificates (`-----BEGIN CERTIFICATE-----`)",
                )
                .into());
            }
        }
    }
    Ok(store)
}

fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let data = std::fs::read(path).map_err(|err| {
        anyhow::Error::new(err).context(format!("could not read {what} `{}`", path.display()))
    })?;
    rustls_pemfile::certs(&mut data.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{what} `{}` is not valid PEM", path.display()))
}

/// The client certificate and key, when a certificate file exists (libpq skips a missing
/// one silently; a certificate without its key is an error).
fn client_identity(
    tls: &Tls,
) -> Result<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>> {
    let Some(cert) = &tls.client_cert else {
        return Ok(None);
    };
    if !cert.value.exists() {
        return Ok(None);
    }
    let certs = read_certs(&cert.value, "client certificate")?;
    if certs.is_empty() {
        anyhow::bail!(
            "client certificate `{}` holds no PEM certificate",
            cert.value.display()
        );
    }
    let Some(key_path) = &tls.client_key else {
        return Err(Hinted::new(
            format!(
                "client certificate `{}` is present, but no private key",
                cert.value.display()
            ),
            "set PGSSLKEY (or sslkey=) to the key file",
        )
        .into());
    };
    let data = std::fs::read(&key_path.value).map_err(|err| {
        anyhow::Error::new(err).context(format!(
            "could not read private key file `{}`",
            key_path.value.display()
        ))
    })?;
    let key = rustls_pemfile::private_key(&mut data.as_slice())
        .ok()
        .flatten()
        .ok_or_else(|| {
            anyhow::anyhow!(
                "private key file `{}` holds no unencrypted PEM private key",
                key_path.value.display()
            )
        })?;
    Ok(Some((certs, key)))
}

/// Accepts a chain that leads to a trusted root whatever names the certificate holds
/// (`verify-ca`).
#[derive(Debug)]
struct ChainOnly {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the chain first and the name last, so a name error means the chain
        // was good.
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Accepts any certificate (`require` without a root certificate), but still checks that
/// the server holds the certificate's key.
#[derive(Debug)]
struct AnyCertificate {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
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

/// What happened during one connection attempt, so that a failure can be explained: did
/// the socket connect (tokio-postgres asks for a connector only then), did the server agree
/// to TLS (tokio-postgres starts the handshake only then)?
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub socket_connected: bool,
    pub handshake_started: bool,
    pub handshake_done: bool,
}

/// tokio-postgres's connector factory, for one connection attempt.
#[derive(Clone)]
pub struct MakeRustlsConnect {
    config: Arc<ClientConfig>,
    progress: Arc<Mutex<Progress>>,
}

impl MakeRustlsConnect {
    pub fn new(config: Arc<ClientConfig>) -> Self {
        Self {
            config,
            progress: Arc::default(),
        }
    }

    /// What the attempt got to (the last socket's progress).
    pub fn progress(&self) -> Progress {
        self.progress.lock().map(|p| *p).unwrap_or_default()
    }
}

impl<S> MakeTlsConnect<S> for MakeRustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> io::Result<RustlsConnect> {
        if let Ok(mut p) = self.progress.lock() {
            *p = Progress {
                socket_connected: true,
                ..Progress::default()
            };
        }
        let name = ServerName::try_from(domain.trim_start_matches('[').trim_end_matches(']'))
            .map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("`{domain}` is not a valid host name for TLS"),
                )
            })?
            .to_owned();
        Ok(RustlsConnect {
            config: self.config.clone(),
            name,
            progress: self.progress.clone(),
        })
    }
}

/// The handshake for one socket.
pub struct RustlsConnect {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
    progress: Arc<Mutex<Progress>>,
}

impl<S> TlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        if let Ok(mut p) = self.progress.lock() {
            p.handshake_started = true;
        }
        let connector = tokio_rustls::TlsConnector::from(self.config);
        let progress = self.progress;
        Box::pin(async move {
            let stream = connector.connect(self.name, stream).await?;
            if let Ok(mut p) = progress.lock() {
                p.handshake_done = true;
            }
            Ok(RustlsStream(Box::new(stream)))
        })
    }
}

/// An established TLS stream.
pub struct RustlsStream<S>(Box<tokio_rustls::client::TlsStream<S>>);

impl<S> RustlsStream<S> {
    /// The protocol version, e.g. `TLSv1.3`.
    pub fn protocol(&self) -> Option<String> {
        self.0.get_ref().1.protocol_version().map(|v| {
            v.as_str()
                .map(|s| s.replace("TLSv1_", "TLSv1."))
                .unwrap_or_else(|| format!("{v:?}"))
        })
    }
}

impl<S> fmt::Debug for RustlsStream<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RustlsStream")
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        let cert = self
            .0
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|certs| certs.first());
        match cert.and_then(|c| tls_server_end_point(c.as_ref())) {
            Some(hash) => ChannelBinding::tls_server_end_point(hash),
            None => ChannelBinding::none(),
        }
    }
}

/// RFC 5929 `tls-server-end-point`: the certificate hashed with the hash of its signature
/// algorithm (SHA-256 for MD5 and SHA-1). `None` for algorithms without one (Ed25519,
/// RSA-PSS), where SCRAM then runs without channel binding.
pub fn tls_server_end_point(der: &[u8]) -> Option<Vec<u8>> {
    use ring::digest;
    let oid = signature_algorithm_oid(der)?;
    // Object identifiers, DER content bytes.
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
    const ECDSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04];
    let algorithm = match oid {
        [rest @ .., last] if rest == RSA => match last {
            0x04 | 0x05 | 0x0b => &digest::SHA256, // md5, sha1, sha256 WithRSAEncryption
            0x0c => &digest::SHA384,
            0x0d => &digest::SHA512,
            _ => return None,
        },
        [rest @ .., 0x01] if rest == ECDSA => &digest::SHA256, // ecdsa-with-SHA1
        [rest @ .., 0x03, last] if rest == ECDSA => match last {
            0x02 => &digest::SHA256,
            0x03 => &digest::SHA384,
            0x04 => &digest::SHA512,
            _ => return None,
        },
        _ => return None,
    };
    Some(digest::digest(algorithm, der).as_ref().to_vec())
}

/// The signature algorithm's OID in a DER certificate:
/// `SEQUENCE { tbsCertificate, SEQUENCE { OID, ... }, BIT STRING }`.
fn signature_algorithm_oid(der: &[u8]) -> Option<&[u8]> {
    let (tag, cert, _) = der_element(der)?;
    if tag != 0x30 {
        return None;
    }
    let (_, _, rest) = der_element(cert)?; // tbsCertificate
    let (tag, algorithm, _) = der_element(rest)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, oid, _) = der_element(algorithm)?;
    (tag == 0x06).then_some(oid)
}

/// One DER element: its tag, its contents and what follows it.
fn der_element(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *data.first()?;
    let first = *data.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*data.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some((tag, data.get(header..end)?, data.get(end..)?))
}

/// A TLS failure as a person reads it: `certificate verify failed: <reason>` for a
/// certificate the verifier refused, else the handshake error.
pub fn describe_failure(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(rustls_err) = inner.downcast_ref::<rustls::Error>() {
                    return Some(describe_rustls(rustls_err));
                }
            }
        }
        if let Some(rustls_err) = e.downcast_ref::<rustls::Error>() {
            return Some(describe_rustls(rustls_err));
        }
        cause = e.source();
    }
    None
}

fn describe_rustls(err: &rustls::Error) -> String {
    match err {
        rustls::Error::InvalidCertificate(cert) => {
            let reason = match cert {
                CertificateError::UnknownIssuer => {
                    "the server's certificate is not signed by a trusted root certificate \
                     (unknown issuer)"
                        .to_string()
                }
                CertificateError::NotValidForName => {
                    "the server's certificate is not valid for the host name".to_string()
                }
                CertificateError::NotValidForNameContext {
                    expected,
                    presented,
                } => format!(
                    "the server's certificate is not valid for `{}`; it names {}",
                    server_name_text(expected),
                    if presented.is_empty() {
                        "no host".to_string()
                    } else {
                        presented
                            .iter()
                            .map(|p| format!("`{}`", presented_name(p)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    "the server's certificate has expired".to_string()
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    "the server's certificate is not valid yet".to_string()
                }
                CertificateError::Revoked => "the server's certificate was revoked".to_string(),
                CertificateError::BadSignature => {
                    "a signature in the server's certificate chain is invalid".to_string()
                }
                other => format!("{other:?}"),
            };
            format!("certificate verify failed: {reason}")
        }
        other => format!("TLS handshake failed: {other}"),
    }
}

/// rustls shows presented names as `DnsName("localhost")` or `IpAddress(..)`: keep the name.
fn presented_name(text: &str) -> &str {
    text.strip_prefix("DnsName(\"")
        .and_then(|t| t.strip_suffix("\")"))
        .unwrap_or(text)
}

fn server_name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(dns) => dns.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_levels_follow_libpq() {
        assert_eq!(verify_level(SslMode::Require, false), Verify::Nothing);
        assert_eq!(verify_level(SslMode::Require, true), Verify::Chain);
        assert_eq!(verify_level(SslMode::Prefer, true), Verify::Chain);
        assert_eq!(verify_level(SslMode::VerifyCa, true), Verify::Chain);
        assert_eq!(verify_level(SslMode::VerifyFull, true), Verify::Full);
    }

    #[test]
    fn der_lengths() {
        assert_eq!(
            der_element(&[0x30, 0x02, 1, 2, 9]),
            Some((0x30, &[1u8, 2][..], &[9u8][..]))
        );
        assert_eq!(
            der_element(&[0x04, 0x81, 0x01, 7]),
            Some((0x04, &[7u8][..], &[][..]))
        );
        assert_eq!(der_element(&[0x30, 0x05, 1]), None);
        assert_eq!(der_element(&[0x30]), None);
    }

    #[test]
    fn end_point_hash_of_a_sha256_certificate() {
        // A minimal structure: SEQUENCE { SEQUENCE {}, SEQUENCE { OID sha256WithRSA }, ... }.
        let oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
        let mut alg = vec![0x30, (oid.len() + 2) as u8, 0x06, oid.len() as u8];
        alg.extend_from_slice(&oid);
        let mut body = vec![0x30, 0x00];
        body.extend_from_slice(&alg);
        let mut cert = vec![0x30, body.len() as u8];
        cert.extend_from_slice(&body);
        let hash = tls_server_end_point(&cert).unwrap();
        assert_eq!(hash.len(), 32);
        assert_eq!(tls_server_end_point(&[0x30, 0x00]), None);
    }
}
