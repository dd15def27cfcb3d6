//! StreamPeerTLS: TLS (rustls, TLS 1.2 and 1.3) over any stream peer.
//!
//! Godot 4's `StreamPeerTLS` (`stream_peer_mbedtls.cpp`) in shape: a client
//! (`connect_to_stream`) or server (`accept_stream`) side on top of another
//! stream, driven by `poll`, with Godot's five statuses. The stream may
//! still be connecting: `poll` polls it too and starts the handshake once
//! it is connected. Once CONNECTED the data calls of [`StreamPeer`] work on
//! the plaintext. Nothing here blocks except the blocking data calls.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{self, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, Connection, DigitallySignedStruct, RootCertStore};
use rustls::{ServerConfig, SignatureScheme};

use super::error::{fail, Error, Failure, Result};
use super::group::{self, Link, Member};
use super::stream_peer::StreamPeer;
use super::sys::RawSock;

/// Godot's `StreamPeerTLS.Status`.
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsStatus {
    /// No stream (new, or after `disconnect_from_stream` or the far side's
    /// close_notify once its bytes were read).
    STATUS_DISCONNECTED = 0,
    /// The handshake (or the stream's own connect) is in progress.
    STATUS_HANDSHAKING = 1,
    /// Data flows.
    STATUS_CONNECTED = 2,
    /// The handshake failed, the stream broke, or it ended without
    /// close_notify.
    STATUS_ERROR = 3,
    /// The certificate is valid but not for the name asked.
    STATUS_ERROR_HOSTNAME_MISMATCH = 4,
}

/// What a TLS peer needs from the stream under it.
pub trait Transport: StreamPeer {
    /// The stream's own poll (a socket's status), nothing for a buffer.
    fn poll_transport(&mut self) -> Result<()>;
    /// Where the stream is.
    fn state(&self) -> StreamState;
    /// Waits up to `timeout` for `interest` (event bits of `group`);
    /// returns the bits that hold (0 on timeout).
    fn wait_for(&self, interest: u32, timeout: Option<Duration>) -> Result<u32>;
    /// The OS socket under it, for a poll group.
    fn os_socket(&self) -> Option<RawSock>;
}

/// Where the stream under a TLS peer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamState {
    Connecting,
    Open,
    Closed,
}

/// Godot's TLSOptions: a client's trust and name rules, or a server's key
/// and certificate.
#[derive(Debug, Clone)]
pub enum TlsOptions {
    Client {
        config: Arc<ClientConfig>,
        /// The name to verify (and send as SNI) instead of the common name.
        name_override: Option<String>,
    },
    Server {
        config: Arc<ServerConfig>,
    },
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(crypto::ring::default_provider())
}

/// TLS 1.3 and 1.2.
static VERSIONS: &[&rustls::SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

fn versions() -> &'static [&'static rustls::SupportedProtocolVersion] {
    VERSIONS
}

fn certs_of(pem: &str, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs: std::result::Result<Vec<_>, _> =
        CertificateDer::pem_slice_iter(pem.as_bytes()).collect();
    match certs {
        Ok(c) if !c.is_empty() => Ok(c),
        Ok(_) => fail(
            Error::ERR_INVALID_PARAMETER,
            format!("{what}: no PEM certificate in the text"),
        ),
        Err(e) => fail(
            Error::ERR_INVALID_PARAMETER,
            format!("{what}: bad PEM certificate: {e}"),
        ),
    }
}

fn config_error(what: &str, e: rustls::Error) -> Failure {
    Failure::new(Error::ERR_INVALID_PARAMETER, format!("{what}: {e}"))
}

impl TlsOptions {
    /// Godot's `TLSOptions.client(trusted_chain, common_name_override)`:
    /// verification against `trusted` (PEM), or Mozilla's roots
    /// (webpki-roots, the bundle Godot ships) when None.
    pub fn client(trusted: Option<&str>, name_override: Option<&str>) -> Result<TlsOptions> {
        let what = "tls_options_client";
        let mut roots = RootCertStore::empty();
        let mut pinned = Vec::new();
        match trusted {
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            Some(pem) => {
                for cert in certs_of(pem, what)? {
                    roots.add(cert.clone()).map_err(|e| config_error(what, e))?;
                    pinned.push(cert);
                }
            }
        }
        let p = provider();
        let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::clone(&p),
        )
        .build()
        .map_err(|e| Failure::new(Error::ERR_INVALID_PARAMETER, format!("{what}: {e}")))?;
        let verifier = Arc::new(PinnedOrChain {
            chain: webpki,
            pinned,
        });
        let config = ClientConfig::builder_with_provider(p)
            .with_protocol_versions(versions())
            .map_err(|e| config_error(what, e))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(TlsOptions::Client {
            config: Arc::new(config),
            name_override: name_override.filter(|n| !n.is_empty()).map(str::to_string),
        })
    }

    /// Godot's `TLSOptions.client_unsafe(trusted_chain)`: no verification
    /// at all (any certificate, any name). For tests only. The chain, when
    /// given, must parse but is not used.
    pub fn client_unsafe(trusted: Option<&str>) -> Result<TlsOptions> {
        let what = "tls_options_client_unsafe";
        if let Some(pem) = trusted {
            // It must be certificates, as for `client`, though unused.
            let mut check = RootCertStore::empty();
            for cert in certs_of(pem, what)? {
                check.add(cert).map_err(|e| config_error(what, e))?;
            }
        }
        let p = provider();
        let config = ClientConfig::builder_with_provider(Arc::clone(&p))
            .with_protocol_versions(versions())
            .map_err(|e| config_error(what, e))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnything(p)))
            .with_no_client_auth();
        Ok(TlsOptions::Client {
            config: Arc::new(config),
            name_override: None,
        })
    }

    /// Godot's `TLSOptions.server(key, certificate)`: a private key and the
    /// certificate chain (leaf first), both PEM.
    pub fn server(key_pem: &str, chain_pem: &str) -> Result<TlsOptions> {
        let what = "tls_options_server";
        let chain = certs_of(chain_pem, what)?;
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| {
            Failure::new(
                Error::ERR_INVALID_PARAMETER,
                format!("{what}: bad PEM private key: {e}"),
            )
        })?;
        let config = ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(versions())
            .map_err(|e| config_error(what, e))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| config_error(what, e))?;
        // No TLS 1.3 session tickets (Godot's server sends none, and a
        // client that never reads them would reset the connection when it
        // closes).
        let mut config = config;
        config.send_tls13_tickets = 0;
        Ok(TlsOptions::Server {
            config: Arc::new(config),
        })
    }

    pub fn is_server(&self) -> bool {
        matches!(self, TlsOptions::Server { .. })
    }
}

/// A client's verifier: the usual chain check, and one more case Godot's
/// (mbedtls) accepts: a server certificate that is itself one of the
/// trusted certificates, byte for byte, though marked as a CA (what a
/// self-signed certificate made with `openssl req -x509`, or by Godot,
/// is). Its name is still checked.
#[derive(Debug)]
struct PinnedOrChain {
    chain: Arc<rustls::client::WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for PinnedOrChain {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self.chain.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            // webpki refuses a CA certificate as the server's own; the
            // error has no variant of its own in rustls (it is `Other`).
            Err(e)
                if format!("{e:?}").contains("CaUsedAsEndEntity")
                    && self
                        .pinned
                        .iter()
                        .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                Ok(ServerCertVerified::assertion())
            }
            r => r,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.chain.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.chain.supported_verify_schemes()
    }
}

/// `client_unsafe`'s verifier: every certificate and name is accepted; the
/// handshake signatures are still checked (they prove the far end holds
/// the key of the certificate it sent).
#[derive(Debug)]
struct AcceptAnything(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Bytes read from the stream at a time.
const CHUNK: usize = 16 * 1024 + 512;

/// Godot's StreamPeerTLS over a stream `T`.
pub struct TlsPeer<T: Transport> {
    stream: Option<T>,
    conn: Option<Connection>,
    status: TlsStatus,
    /// TLS bytes made but not taken by the stream yet.
    outbox: Vec<u8>,
    /// TLS bytes from the stream that rustls has not taken yet.
    inbox: Vec<u8>,
    /// Plaintext given back by a typed read that timed out.
    ahead: Vec<u8>,
    /// The far side sent close_notify.
    peer_closed: bool,
    /// The limit of blocking calls (None: none).
    io_timeout: Option<Duration>,
    /// Decrypted bytes rustls holds, as of its last processing.
    plain: usize,
    /// The poll group this peer is in, and what it was last told (the
    /// socket, buffered plaintext).
    member: Option<Link>,
    told: (Option<RawSock>, bool),
}

impl<T: Transport> std::fmt::Debug for TlsPeer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsPeer")
            .field("status", &self.status)
            .field("has_stream", &self.stream.is_some())
            .finish()
    }
}

impl<T: Transport> Default for TlsPeer<T> {
    fn default() -> Self {
        TlsPeer::new()
    }
}

impl<T: Transport> TlsPeer<T> {
    pub fn new() -> TlsPeer<T> {
        TlsPeer {
            stream: None,
            conn: None,
            status: TlsStatus::STATUS_DISCONNECTED,
            outbox: Vec::new(),
            inbox: Vec::new(),
            ahead: Vec::new(),
            peer_closed: false,
            io_timeout: None,
            plain: 0,
            member: None,
            told: (None, false),
        }
    }

    /// Tells the group (if any) about a new socket or buffered plaintext.
    fn sync_link(&mut self) {
        let Some(link) = &self.member else {
            return;
        };
        let now = (self.raw_socket(), self.buffered());
        if now.0 != self.told.0 {
            link.socket_changed(now.0);
        }
        if now.1 != self.told.1 {
            link.user_events_changed(if now.1 { group::READABLE } else { 0 });
        }
        self.told = now;
    }

    pub fn status(&self) -> TlsStatus {
        self.status
    }

    pub fn stream(&self) -> Option<&T> {
        self.stream.as_ref()
    }

    pub fn stream_mut(&mut self) -> Option<&mut T> {
        self.stream.as_mut()
    }

    pub fn io_timeout(&self) -> Option<Duration> {
        self.io_timeout
    }

    pub fn set_io_timeout(&mut self, t: Option<Duration>) {
        self.io_timeout = t;
    }

    fn start(&mut self, stream: T, conn: Connection) {
        self.disconnect_from_stream();
        self.stream = Some(stream);
        self.conn = Some(conn);
        self.status = TlsStatus::STATUS_HANDSHAKING;
        self.peer_closed = false;
        self.sync_link();
    }

    /// Godot's `connect_to_stream`: the client side. Server options, or a
    /// name that is neither a DNS name nor an IP address, are refused
    /// (the stream comes back with the failure). OK: HANDSHAKING.
    pub fn connect_to_stream(
        &mut self,
        stream: T,
        common_name: &str,
        options: &TlsOptions,
    ) -> std::result::Result<(), (Failure, T)> {
        let TlsOptions::Client {
            config,
            name_override,
        } = options
        else {
            let f = Failure::new(
                Error::ERR_INVALID_PARAMETER,
                "tls_connect_to_stream: these are server options (use tls_options_client)",
            );
            return Err((f, stream));
        };
        let name = name_override.as_deref().unwrap_or(common_name);
        let server_name = match ServerName::try_from(name.to_string()) {
            Ok(n) => n,
            Err(e) => {
                let f = Failure::new(
                    Error::ERR_INVALID_PARAMETER,
                    format!(
                        "tls_connect_to_stream: '{name}' is not a host name or IP address: {e}"
                    ),
                );
                return Err((f, stream));
            }
        };
        match rustls::ClientConnection::new(Arc::clone(config), server_name) {
            Ok(c) => {
                self.start(stream, Connection::Client(c));
                Ok(())
            }
            Err(e) => Err((
                Failure::new(Error::FAILED, format!("tls_connect_to_stream: {e}")),
                stream,
            )),
        }
    }

    /// Godot's `accept_stream`: the server side. Client options are
    /// refused. OK: HANDSHAKING.
    pub fn accept_stream(
        &mut self,
        stream: T,
        options: &TlsOptions,
    ) -> std::result::Result<(), (Failure, T)> {
        let TlsOptions::Server { config } = options else {
            let f = Failure::new(
                Error::ERR_INVALID_PARAMETER,
                "tls_accept_stream: these are client options (use tls_options_server)",
            );
            return Err((f, stream));
        };
        match rustls::ServerConnection::new(Arc::clone(config)) {
            Ok(c) => {
                self.start(stream, Connection::Server(c));
                Ok(())
            }
            Err(e) => Err((
                Failure::new(Error::FAILED, format!("tls_accept_stream: {e}")),
                stream,
            )),
        }
    }

    /// Sends close_notify (as far as the stream takes it now) and closes the
    /// stream: DISCONNECTED, no stream.
    pub fn disconnect_from_stream(&mut self) {
        if self.status == TlsStatus::STATUS_CONNECTED {
            if let Some(conn) = self.conn.as_mut() {
                conn.send_close_notify();
            }
            let _ = self.flush(false);
            // Take what already came (so closing the socket with unread
            // bytes does not reset the connection before the far side has
            // read the close_notify).
            if let Some(stream) = self.stream.as_mut() {
                let mut sink = [0u8; CHUNK];
                for _ in 0..16 {
                    match stream.get_partial_data(&mut sink) {
                        (n, Ok(())) if n > 0 => {}
                        _ => break,
                    }
                }
            }
        }
        self.conn = None;
        self.stream = None;
        self.outbox.clear();
        self.inbox.clear();
        self.ahead.clear();
        self.plain = 0;
        self.status = TlsStatus::STATUS_DISCONNECTED;
        self.sync_link();
    }

    fn enter_error(&mut self, status: TlsStatus, f: Failure) -> Failure {
        self.conn = None;
        self.stream = None;
        self.outbox.clear();
        self.inbox.clear();
        self.plain = 0;
        self.status = status;
        self.sync_link();
        f
    }

    fn rustls_failure(&mut self, e: &rustls::Error) -> Failure {
        let mismatch = matches!(
            e,
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        );
        let status = if mismatch {
            TlsStatus::STATUS_ERROR_HOSTNAME_MISMATCH
        } else {
            TlsStatus::STATUS_ERROR
        };
        // Plain words first (as Godot's messages), rustls's own after.
        let words = match e {
            rustls::Error::InvalidCertificate(c) => match c {
                CertificateError::UnknownIssuer => "unknown issuer: ",
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    "certificate expired: "
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    "certificate not valid yet: "
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => {
                    "certificate not valid for the name: "
                }
                CertificateError::Revoked => "certificate revoked: ",
                _ => "bad certificate: ",
            },
            _ => "",
        };
        let f = Failure::new(Error::FAILED, format!("tls: {words}{e}"));
        self.enter_error(status, f)
    }

    /// Godot's `poll`: drives the stream's connect, the handshake, and
    /// the records in both directions. Never blocks.
    pub fn poll(&mut self) -> Result<()> {
        let r = self.poll_inner();
        self.sync_link();
        r
    }

    fn poll_inner(&mut self) -> Result<()> {
        match self.status {
            TlsStatus::STATUS_HANDSHAKING | TlsStatus::STATUS_CONNECTED => {}
            _ => return Ok(()),
        }
        let Some(stream) = self.stream.as_mut() else {
            return Ok(());
        };
        if let Err(f) = stream.poll_transport() {
            return Err(self.enter_error(TlsStatus::STATUS_ERROR, f));
        }
        match stream.state() {
            StreamState::Connecting => return Ok(()),
            StreamState::Closed if self.outbox.is_empty() && !self.has_plaintext() => {
                if self.status == TlsStatus::STATUS_CONNECTED && self.peer_closed {
                    self.disconnect_from_stream();
                    return Ok(());
                }
                let f = Failure::new(
                    Error::ERR_CONNECTION_ERROR,
                    "tls: the stream closed without a TLS close_notify",
                );
                return Err(self.enter_error(TlsStatus::STATUS_ERROR, f));
            }
            _ => {}
        }
        self.pump()?;
        if self.status == TlsStatus::STATUS_CONNECTED && self.peer_closed && !self.has_plaintext() {
            self.disconnect_from_stream();
        }
        Ok(())
    }

    /// Moves TLS bytes both ways without waiting, processes what came, and
    /// leaves HANDSHAKING when the handshake is done. Returns whether the
    /// stream gave anything.
    fn pump(&mut self) -> Result<bool> {
        self.flush(false)?;
        let got = self.read_records()?;
        self.flush(false)?;
        if self.status == TlsStatus::STATUS_HANDSHAKING
            && self.conn.as_ref().is_some_and(|c| !c.is_handshaking())
        {
            self.status = TlsStatus::STATUS_CONNECTED;
        }
        Ok(got)
    }

    /// Hands the TLS bytes rustls has ready to the stream: all of them
    /// (`block`), or what it takes now (the rest waits in the outbox).
    fn flush(&mut self, block: bool) -> Result<()> {
        if let Some(conn) = self.conn.as_mut() {
            while conn.wants_write() {
                if conn.write_tls(&mut self.outbox).is_err() {
                    break;
                }
            }
        }
        if self.outbox.is_empty() {
            return Ok(());
        }
        let Some(stream) = self.stream.as_mut() else {
            return Ok(());
        };
        if block {
            let Some(limit) = self.io_timeout else {
                let r = stream.put_data(&self.outbox);
                self.outbox.clear();
                return r;
            };
            // Within the I/O timeout: what the stream takes, waiting for
            // room in between.
            let deadline = Instant::now() + limit;
            while !self.outbox.is_empty() {
                let (n, r) = stream.put_partial_data(&self.outbox);
                self.outbox.drain(..n);
                r?;
                if n == 0 {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() || stream.wait_for(group::WRITABLE, Some(left))? == 0 {
                        return fail(Error::ERR_TIMEOUT, "put_data: timed out (I/O timeout)");
                    }
                }
            }
            return Ok(());
        }
        let (n, r) = stream.put_partial_data(&self.outbox);
        self.outbox.drain(..n);
        r
    }

    /// Reads what the stream has now into rustls and processes it.
    /// Returns whether bytes came.
    fn read_records(&mut self) -> Result<bool> {
        if self.conn.is_none() {
            return Ok(false);
        }
        let mut buf = [0u8; CHUNK];
        let mut got_any = false;
        loop {
            // rustls takes a bounded amount at a time: what it does not take
            // yet waits in the inbox.
            self.feed()?;
            let (Some(stream), Some(conn)) = (self.stream.as_mut(), self.conn.as_ref()) else {
                return Ok(got_any);
            };
            if !conn.wants_read() || !self.inbox.is_empty() {
                return Ok(got_any);
            }
            let (n, r) = stream.get_partial_data(&mut buf);
            self.inbox.extend_from_slice(&buf[..n]);
            got_any |= n > 0;
            match r {
                Ok(()) if n == 0 => {
                    self.feed()?;
                    return Ok(got_any);
                }
                Ok(()) => {}
                Err(f) if f.code == Error::ERR_FILE_EOF => {
                    self.feed()?;
                    // The stream ended: tell rustls (an end without
                    // close_notify shows when the plaintext is read).
                    if let Some(conn) = self.conn.as_mut() {
                        let _ = conn.read_tls(&mut &[][..]);
                    }
                    self.process()?;
                    return Ok(got_any);
                }
                Err(f) if f.code == Error::ERR_TIMEOUT => return Err(f),
                Err(f) => return Err(self.enter_error(TlsStatus::STATUS_ERROR, f)),
            }
        }
    }

    /// Gives rustls what it takes of the inbox, processing as it goes.
    fn feed(&mut self) -> Result<()> {
        while !self.inbox.is_empty() {
            let Some(conn) = self.conn.as_mut() else {
                return Ok(());
            };
            match conn.read_tls(&mut &self.inbox[..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    self.inbox.drain(..n);
                }
            }
            self.process()?;
        }
        self.process()
    }

    /// Processes the records rustls holds: the plaintext count, the far
    /// side's close_notify, or a TLS failure (its alert is sent first).
    fn process(&mut self) -> Result<()> {
        let Some(conn) = self.conn.as_mut() else {
            return Ok(());
        };
        match conn.process_new_packets() {
            Ok(state) => {
                if state.peer_has_closed() {
                    self.peer_closed = true;
                }
                self.plain = state.plaintext_bytes_to_read();
                Ok(())
            }
            Err(e) => {
                let _ = conn.write_tls(&mut self.outbox);
                if let Some(stream) = self.stream.as_mut() {
                    let _ = stream.put_partial_data(&self.outbox);
                }
                Err(self.rustls_failure(&e))
            }
        }
    }

    fn has_plaintext(&self) -> bool {
        !self.ahead.is_empty() || self.plain > 0
    }

    /// Refreshes the count of decrypted bytes rustls holds (a process call
    /// with nothing new is cheap).
    fn count_plain(&mut self) {
        self.plain = match self.conn.as_mut().map(|c| c.process_new_packets()) {
            Some(Ok(state)) => state.plaintext_bytes_to_read(),
            _ => 0,
        };
    }

    /// Decrypted bytes waiting to be read (0 when not connected, as Godot).
    pub fn available(&self) -> usize {
        if self.status != TlsStatus::STATUS_CONNECTED {
            return 0;
        }
        self.ahead.len() + self.plain
    }

    fn not_connected(&self, what: &str) -> Failure {
        Failure::new(
            Error::ERR_UNCONFIGURED,
            format!(
                "{what}: the TLS peer is not connected (status {:?})",
                self.status
            ),
        )
    }

    fn deadline(&self) -> Option<Instant> {
        self.io_timeout.map(|t| Instant::now() + t)
    }

    /// Takes plaintext already decrypted (and given back) into `buf`.
    fn take_plain(&mut self, buf: &mut [u8]) -> Result<usize> {
        let mut n = self.ahead.len().min(buf.len());
        buf[..n].copy_from_slice(&self.ahead[..n]);
        self.ahead.drain(..n);
        let Some(conn) = self.conn.as_mut() else {
            return Ok(n);
        };
        while n < buf.len() {
            match conn.reader().read(&mut buf[n..]) {
                Ok(0) => {
                    self.peer_closed = true;
                    break;
                }
                Ok(m) => n += m,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    let f = Failure::new(
                        Error::ERR_CONNECTION_ERROR,
                        format!("tls: the stream ended without a TLS close_notify ({e})"),
                    );
                    return Err(self.enter_error(TlsStatus::STATUS_ERROR, f));
                }
            }
        }
        self.count_plain();
        Ok(n)
    }

    /// Waits for the stream to become readable, up to `deadline`.
    fn wait_stream(&mut self, deadline: Option<Instant>, what: &str) -> Result<()> {
        let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if timeout == Some(Duration::ZERO) {
            return fail(
                Error::ERR_TIMEOUT,
                format!("{what}: timed out (I/O timeout)"),
            );
        }
        let Some(stream) = self.stream.as_ref() else {
            return Err(self.not_connected(what));
        };
        let bits = stream.wait_for(super::group::READABLE, timeout)?;
        match (bits, timeout) {
            (0, Some(_)) => fail(
                Error::ERR_TIMEOUT,
                format!("{what}: timed out (I/O timeout)"),
            ),
            // A stream that cannot wait (a buffer with nothing left).
            (0, None) => fail(
                Error::FAILED,
                format!("{what}: the stream has no more bytes and cannot wait for any"),
            ),
            _ => Ok(()),
        }
    }

    fn read(&mut self, buf: &mut [u8], block: bool) -> (usize, Result<()>) {
        let what = if block {
            "get_data"
        } else {
            "get_partial_data"
        };
        if self.status != TlsStatus::STATUS_CONNECTED {
            return (0, Err(self.not_connected(what)));
        }
        let deadline = if block { self.deadline() } else { None };
        let mut got = 0;
        loop {
            match self.take_plain(&mut buf[got..]) {
                Ok(n) => got += n,
                Err(f) => return (got, Err(f)),
            }
            if got == buf.len() || (!block && got > 0) {
                return (got, Ok(()));
            }
            if self.peer_closed {
                let closed = Failure::new(
                    Error::ERR_FILE_EOF,
                    format!(
                        "{what}: the far side closed the TLS connection after {got} of {} bytes",
                        buf.len()
                    ),
                );
                if !block && got == 0 {
                    return (0, Ok(()));
                }
                return (got, Err(closed));
            }
            if let Err(f) = self.flush(false) {
                return (got, Err(f));
            }
            let came = if block {
                match self.read_records() {
                    Ok(true) => true,
                    Ok(false) => {
                        if let Err(f) = self.wait_stream(deadline, what) {
                            return (got, Err(f));
                        }
                        match self.read_records() {
                            Ok(c) => c,
                            Err(f) => return (got, Err(f)),
                        }
                    }
                    Err(f) => return (got, Err(f)),
                }
            } else {
                match self.read_records() {
                    Ok(c) => c,
                    Err(f) => return (got, Err(f)),
                }
            };
            if !block && !came {
                // One more look at what that read decrypted.
                match self.take_plain(&mut buf[got..]) {
                    Ok(n) => got += n,
                    Err(f) => return (got, Err(f)),
                }
                return (got, Ok(()));
            }
            if self.stream.is_none() {
                return (got, Err(self.not_connected(what)));
            }
        }
    }

    fn write(&mut self, data: &[u8], block: bool) -> (usize, Result<()>) {
        let what = if block {
            "put_data"
        } else {
            "put_partial_data"
        };
        if self.status != TlsStatus::STATUS_CONNECTED {
            return (0, Err(self.not_connected(what)));
        }
        let mut sent = 0;
        loop {
            let Some(conn) = self.conn.as_mut() else {
                return (sent, Err(self.not_connected(what)));
            };
            let n = match conn.writer().write(&data[sent..]) {
                Ok(n) => n,
                Err(e) => {
                    return (
                        sent,
                        Err(Failure::new(Error::FAILED, format!("{what}: {e}"))),
                    )
                }
            };
            sent += n;
            if !block || sent == data.len() {
                break;
            }
            // rustls holds a bounded amount: hand it to the stream, then
            // give it more.
            if let Err(f) = self.flush(true) {
                return (sent, Err(f));
            }
        }
        let r = self.flush(block);
        (sent, r)
    }

    /// Gives plaintext back to the front of what is read next.
    pub fn unread(&mut self, bytes: &[u8]) {
        let mut v = bytes.to_vec();
        v.append(&mut self.ahead);
        self.ahead = v;
    }

    /// `sptcp_wait` on a TLS peer: READABLE at once while decrypted bytes
    /// wait here, else the stream's socket. No stream: UNAVAILABLE.
    pub fn wait(&self, interest: u32, timeout: Option<Duration>) -> Result<u32> {
        let Some(stream) = &self.stream else {
            return fail(Error::ERR_UNAVAILABLE, "wait: the TLS peer has no stream");
        };
        if self.buffered() && interest & group::READABLE != 0 {
            return Ok(group::READABLE);
        }
        stream.wait_for(interest, timeout)
    }

    /// Whether decrypted bytes wait here (a group reports READABLE).
    pub fn buffered(&self) -> bool {
        self.status == TlsStatus::STATUS_CONNECTED && self.has_plaintext()
    }
}

impl<T: Transport> Drop for TlsPeer<T> {
    fn drop(&mut self) {
        // Freeing a connected peer sends close_notify first.
        self.disconnect_from_stream();
    }
}

impl<T: Transport> Member for TlsPeer<T> {
    fn link(&self) -> Option<&Link> {
        self.member.as_ref()
    }

    fn set_link(&mut self, link: Option<Link>) {
        self.member = link;
        self.told = (self.raw_socket(), self.buffered());
    }

    fn raw_socket(&self) -> Option<RawSock> {
        self.stream.as_ref().and_then(Transport::os_socket)
    }

    fn user_events(&self) -> u32 {
        if self.buffered() {
            group::READABLE
        } else {
            0
        }
    }

    fn is_server(&self) -> bool {
        false
    }
}

impl<T: Transport> StreamPeer for TlsPeer<T> {
    fn put_data(&mut self, data: &[u8]) -> Result<()> {
        let r = self.write(data, true).1;
        self.sync_link();
        r
    }

    fn put_partial_data(&mut self, data: &[u8]) -> (usize, Result<()>) {
        let r = self.write(data, false);
        self.sync_link();
        r
    }

    fn get_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>) {
        let r = self.read(buf, true);
        self.sync_link();
        r
    }

    fn get_partial_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>) {
        let r = self.read(buf, false);
        self.sync_link();
        r
    }

    fn available_bytes(&self) -> i32 {
        i32::try_from(self.available()).unwrap_or(i32::MAX)
    }

    fn unread(&mut self, bytes: &[u8]) {
        TlsPeer::unread(self, bytes);
        self.sync_link();
    }
}
