//! Opening a connection to the server: TCP, TLS (rustls, with the facts of
//! the handshake recorded) or a unix socket, each bounded by the connect
//! timeout. RESP then runs over the stream through the redis crate.

use super::ProbeError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Where the server is.
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    Tcp { host: String, port: u16, tls: bool },
    Unix { path: PathBuf },
}

impl Endpoint {
    /// Loopback or a unix socket: the server runs on this machine.
    pub fn is_local(&self) -> bool {
        match self {
            Endpoint::Unix { .. } => true,
            Endpoint::Tcp { host, .. } => {
                host.eq_ignore_ascii_case("localhost")
                    || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Endpoint::Tcp { host, port, tls } => {
                let scheme = if *tls { "rediss" } else { "redis" };
                if host.contains(':') {
                    format!("{scheme}://[{host}]:{port}")
                } else {
                    format!("{scheme}://{host}:{port}")
                }
            }
            Endpoint::Unix { path } => format!("unix://{}", path.display()),
        }
    }
}

/// Client-side TLS material from the command line.
#[derive(Debug, Clone, Default)]
pub struct TlsFiles {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

/// What the TLS handshake showed.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsFacts {
    pub protocol: String,
    pub cipher: String,
    /// Seconds since the epoch when the server certificate expires.
    pub not_after: Option<i64>,
    /// The chain was valid for the CA except that it has expired (or is not yet valid).
    pub validity_problem: Option<String>,
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, ProbeError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| ProbeError::usage(format!("{}: cannot read certificates: {e}", path.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| ProbeError::usage(format!("{}: invalid PEM certificate: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ProbeError::usage(format!(
            "{}: no PEM certificate in the file",
            path.display()
        )));
    }
    Ok(certs)
}

/// A verifier that checks the chain and name like rustls does, but lets an
/// expired (or not yet valid) certificate through while recording it, so
/// the report can say "expired" instead of failing the probe.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    problem: Mutex<Option<String>>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                error @ (CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. }),
            )) => {
                if let Ok(mut problem) = self.problem.lock() {
                    *problem = Some(format!("{error}"));
                }
                Ok(ServerCertVerified::assertion())
            }
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

fn tls_config(files: &TlsFiles) -> Result<(rustls::ClientConfig, Arc<RecordingVerifier>), ProbeError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    match &files.ca {
        Some(ca) => {
            for cert in read_certs(ca)? {
                roots
                    .add(cert)
                    .map_err(|e| ProbeError::usage(format!("{}: unusable CA certificate: {e}", ca.display())))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let inner = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| ProbeError::usage(format!("TLS: no usable CA certificate ({e}); pass --tls-ca")))?;
    let verifier = Arc::new(RecordingVerifier {
        inner,
        problem: Mutex::new(None),
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ProbeError::usage(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone());
    let config = match (&files.cert, &files.key) {
        (Some(cert), Some(key)) => {
            let chain = read_certs(cert)?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| ProbeError::usage(format!("{}: cannot read the private key: {e}", key.display())))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| ProbeError::usage(format!("TLS client certificate: {e}")))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => return Err(ProbeError::usage("--tls-cert and --tls-key go together")),
    };
    Ok((config, verifier))
}

fn certificate_not_after(der: &CertificateDer<'_>) -> Option<i64> {
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    Some(cert.validity().not_after.timestamp())
}

async fn with_timeout<T>(
    limit: Duration,
    what: &str,
    future: impl std::future::Future<Output = Result<T, ProbeError>>,
) -> Result<T, ProbeError> {
    match tokio::time::timeout(limit, future).await {
        Ok(result) => result,
        Err(_) => Err(ProbeError::unreachable(format!(
            "{what} timed out after {:.1} s",
            limit.as_secs_f64()
        ))),
    }
}

/// Opens a stream to the endpoint; TLS facts when it is TLS.
pub async fn open(
    endpoint: &Endpoint,
    files: &TlsFiles,
    connect_timeout: Duration,
) -> Result<(Box<dyn Stream>, Option<TlsFacts>), ProbeError> {
    match endpoint {
        Endpoint::Unix { path } => {
            let stream = with_timeout(connect_timeout, "connecting", async {
                tokio::net::UnixStream::connect(path).await.map_err(|e| {
                    ProbeError::unreachable(format!(
                        "cannot connect to {}: {}",
                        path.display(),
                        crate::textfile::io_reason(&e)
                    ))
                })
            })
            .await?;
            Ok((Box::new(stream), None))
        }
        Endpoint::Tcp { host, port, tls } => {
            let address = if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            let tcp = with_timeout(connect_timeout, "connecting", async {
                tokio::net::TcpStream::connect(&address).await.map_err(|e| {
                    ProbeError::unreachable(format!("cannot connect to {address}: {}", connect_reason(&e)))
                })
            })
            .await?;
            let _ = tcp.set_nodelay(true);
            if !tls {
                return Ok((Box::new(tcp), None));
            }
            let (config, verifier) = tls_config(files)?;
            let name = ServerName::try_from(host.clone())
                .map_err(|_| ProbeError::usage(format!("`{host}` is not a valid TLS server name")))?;
            let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
            let stream = with_timeout(connect_timeout, "the TLS handshake", async {
                connector
                    .connect(name, tcp)
                    .await
                    .map_err(|e| ProbeError::unreachable(tls_reason(&e)))
            })
            .await
            .map_err(|mut error| {
                // A plaintext Redis waits for the end of a command line and never answers a ClientHello.
                if error.reason.contains("timed out") {
                    error.reason.push_str(" (a plaintext port? use redis:// there)");
                }
                error
            })?;
            let session = stream.get_ref().1;
            let facts = TlsFacts {
                protocol: session
                    .protocol_version()
                    .map(|v| format!("{v:?}").replace('_', "."))
                    .unwrap_or_default(),
                cipher: session
                    .negotiated_cipher_suite()
                    .map(|c| format!("{:?}", c.suite()))
                    .unwrap_or_default(),
                not_after: session
                    .peer_certificates()
                    .and_then(|certs| certs.first())
                    .and_then(certificate_not_after),
                validity_problem: verifier.problem.lock().ok().and_then(|p| p.clone()),
            };
            Ok((Box::new(stream), Some(facts)))
        }
    }
}

fn connect_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused (nothing listens there)".into(),
        _ => e.to_string(),
    }
}

fn tls_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    if text.contains("InvalidContentType") || text.contains("corrupt message") || text.contains("received corrupt") {
        "TLS handshake failed: the server does not speak TLS on this port (a plaintext port? use redis://)".into()
    } else if text.contains("UnknownIssuer") {
        "TLS handshake failed: the server certificate is not signed by a trusted CA (pass --tls-ca)".into()
    } else if text.contains("NotValidForName") {
        "TLS handshake failed: the server certificate is not valid for this host name".into()
    } else if text.contains("CertificateRequired") || text.contains("certificate required") {
        "TLS handshake failed: the server requires a client certificate (pass --tls-cert and --tls-key)".into()
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
        "TLS handshake failed: the server closed the connection (a plaintext port, or a client certificate is required)"
            .into()
    } else {
        format!("TLS handshake failed: {text}")
    }
}
