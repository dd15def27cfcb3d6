//! StreamPeerTLS (`sptcp_tls_*`) and TLSOptions (`sptcp_tls_options_*`).

use std::ffi::c_char;

use super::boundary::export;
use super::enums::{sptcp_error, sptcp_tls_status};
use super::handle::{free_box, give_boxed, new_box, take_boxed, Castable};
use super::peer::{sptcp_peer, Kind};
use crate::core::error::Error;
use crate::core::peer::{Peer, PeerIo};
use crate::core::tls_peer::{TlsOptions, TlsPeer};

/// Godot's TLSOptions: a client's trust settings, or a server's key and
/// certificate. Opaque; made by `sptcp_tls_options_client`,
/// `sptcp_tls_options_client_unsafe` or `sptcp_tls_options_server`, freed
/// by `sptcp_tls_options_free`. A peer keeps what it needs: the options may
/// be freed right after `sptcp_tls_connect_to_stream` /
/// `sptcp_tls_accept_stream`.
pub struct sptcp_tls_options {
    _private: [u8; 0],
}

impl Castable for sptcp_tls_options {
    type RustType = TlsOptions;
}

/// TLS calls on another kind of peer: `SPTCP_ERR_UNAVAILABLE`.
const TLS: Kind<TlsPeer<Box<Peer>>> = Kind {
    get: Peer::tls,
    get_mut: Peer::tls_mut,
    code: Error::ERR_UNAVAILABLE,
    other: "this peer is not a TLS peer (make one with sptcp_tls_new)",
};

/// Client options (Godot's `TLSOptions.client`): the server's certificate
/// must chain to `trusted_chain_pem` (PEM text, one or more certificates),
/// or, when it is NULL, to the default roots: Mozilla's root certificates
/// (the webpki-roots bundle, built in, as Godot ships Mozilla's bundle; the
/// system's store is not read, so a program behaves the same everywhere).
/// A server certificate that is itself one of the trusted certificates,
/// byte for byte, is accepted also when it is marked as a CA (a
/// self-signed certificate as `openssl req -x509` or Godot make them, which
/// a chain check refuses as a server's own; mbedtls, Godot's TLS, accepts
/// it); its name is checked, its dates are not.
/// The name is checked against the certificate: `common_name_override`
/// (NULL or "" = none) replaces the name given to
/// `sptcp_tls_connect_to_stream` for that check and for SNI.
///
/// TLS 1.2 and 1.3 (rustls with the ring provider). Returns NULL when the
/// PEM text holds no certificate or a bad one (the reason is in
/// `sptcp_last_error_message`). Free with `sptcp_tls_options_free`.
#[no_mangle]
pub extern "C" fn sptcp_tls_options_client(
    trusted_chain_pem: *const c_char,
    common_name_override: *const c_char,
) -> *mut sptcp_tls_options {
    export!(|cx| {
        let chain = cx.opt_str(trusted_chain_pem, "trusted_chain_pem")?;
        let name = cx.opt_str(common_name_override, "common_name_override")?;
        Ok(new_box(TlsOptions::client(chain, name)?))
    })
}

/// Client options that verify nothing (Godot's `TLSOptions.client_unsafe`):
/// any certificate, any name. For tests against self-signed servers only:
/// anyone in the middle can read and change the traffic. A non-NULL
/// `trusted_chain_pem` must parse, but is not used. NULL on bad PEM.
#[no_mangle]
pub extern "C" fn sptcp_tls_options_client_unsafe(
    trusted_chain_pem: *const c_char,
) -> *mut sptcp_tls_options {
    export!(|cx| {
        let chain = cx.opt_str(trusted_chain_pem, "trusted_chain_pem")?;
        Ok(new_box(TlsOptions::client_unsafe(chain)?))
    })
}

/// Server options (Godot's `TLSOptions.server`): the private key (PEM:
/// PKCS#8, PKCS#1 RSA or SEC1 EC) and the certificate chain (PEM, the
/// server's own certificate first). NULL for a NULL or bad key or chain,
/// or a key that does not match (the reason in `sptcp_last_error_message`).
#[no_mangle]
pub extern "C" fn sptcp_tls_options_server(
    private_key_pem: *const c_char,
    certificate_chain_pem: *const c_char,
) -> *mut sptcp_tls_options {
    export!(|cx| {
        let key = cx.str(private_key_pem, "private_key_pem")?;
        let chain = cx.str(certificate_chain_pem, "certificate_chain_pem")?;
        Ok(new_box(TlsOptions::server(key, chain)?))
    })
}

/// Frees options. NULL is fine; freeing twice is undefined behaviour.
/// Peers made with them keep working.
#[no_mangle]
pub extern "C" fn sptcp_tls_options_free(options: *mut sptcp_tls_options) {
    export!(|_cx| {
        free_box(options);
        Ok(())
    })
}

/// Creates a TLS peer (Godot's StreamPeerTLS): no stream,
/// `SPTCP_TLS_STATUS_DISCONNECTED`. Give it a stream with
/// `sptcp_tls_connect_to_stream` (client) or `sptcp_tls_accept_stream`
/// (server), drive it with `sptcp_tls_poll`; once
/// `SPTCP_TLS_STATUS_CONNECTED`, every data call of the StreamPeer API
/// works on it (blocking calls block, partial calls never do,
/// `sptcp_get_available_bytes` counts decrypted bytes buffered; data calls
/// before that give `SPTCP_ERR_UNCONFIGURED`), and so do `sptcp_wait`, poll
/// groups (READABLE also while decrypted bytes are buffered; a readable TLS
/// peer may still give 0 bytes when only part of a record came) and the
/// I/O timeout. The socket calls (`sptcp_poll`, `sptcp_get_status`,
/// `sptcp_bind`, ...) answer `SPTCP_ERR_UNAVAILABLE` or their nothing value:
/// use the `sptcp_tls_` ones. Free with `sptcp_peer_free`, which sends
/// close_notify first when connected and frees the stream too.
#[no_mangle]
pub extern "C" fn sptcp_tls_new() -> *mut sptcp_peer {
    export!(|_cx| Ok(new_box(Peer::new(PeerIo::Tls(Box::default())))))
}

/// The checks both ways of starting share: handles, not itself, options.
fn start(
    tls: *mut sptcp_peer,
    stream: *mut sptcp_peer,
    options: *const sptcp_tls_options,
    cx: &super::boundary::Call,
) -> crate::core::error::Result<()> {
    cx.kind_mut(tls, &TLS)?;
    cx.need(stream, "stream")?;
    if std::ptr::eq(tls, stream) {
        return Err(cx.fail(
            Error::ERR_INVALID_PARAMETER,
            "a TLS peer cannot be its own stream",
        ));
    }
    let _ = options;
    Ok(())
}

/// Starts the client side over `stream` (Godot's
/// `StreamPeerTLS.connect_to_stream`): any peer (TCP, Unix domain, a
/// buffer, even a TLS peer), also one still CONNECTING (then
/// `sptcp_tls_poll` polls it and starts the handshake once it is
/// CONNECTED). `common_name` is the server's name, checked against its
/// certificate and sent as SNI (an IP literal is checked as an address).
/// `options` NULL = `sptcp_tls_options_client(NULL, NULL)` (the default
/// roots).
///
/// `SPTCP_OK`: the TLS peer owns `stream` now (it is freed with the TLS
/// peer; `sptcp_tls_get_stream` gives it back borrowed) and the status is
/// HANDSHAKING: the handshake runs in `sptcp_tls_poll`. On any failure the
/// stream stays the caller's. A connection already there is closed first.
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL handle or common name, server
/// options, a name that is neither a host name nor an IP address, or a TLS
/// peer given itself as its stream; `SPTCP_ERR_UNAVAILABLE` when `tls` is
/// not a TLS peer.
#[no_mangle]
pub extern "C" fn sptcp_tls_connect_to_stream(
    tls: *mut sptcp_peer,
    stream: *mut sptcp_peer,
    common_name: *const c_char,
    options: *const sptcp_tls_options,
) -> sptcp_error {
    export!(|cx| {
        start(tls, stream, options, cx)?;
        let name = cx.str(common_name, "common_name")?.to_string();
        let default;
        let opts = if options.is_null() {
            default = TlsOptions::client(None, None)?;
            &default
        } else {
            cx.get::<sptcp_tls_options>(options, "options")?
        };
        let t = cx.kind_mut(tls, &TLS)?;
        let Some(boxed) = take_boxed::<sptcp_peer>(stream) else {
            return Err(cx.fail(Error::ERR_INVALID_PARAMETER, "stream is NULL"));
        };
        if let Err((f, back)) = t.connect_to_stream(boxed, &name, opts) {
            // The caller keeps its stream: the same handle again.
            let _same = give_boxed::<sptcp_peer>(back);
            return Err(f);
        }
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Starts the server side over `stream` (Godot's
/// `StreamPeerTLS.accept_stream`), with server `options`
/// (`sptcp_tls_options_server`; required). Ownership and status as in
/// `sptcp_tls_connect_to_stream`. `SPTCP_ERR_INVALID_PARAMETER` for NULL
/// handles or options, client options, or a TLS peer given itself.
#[no_mangle]
pub extern "C" fn sptcp_tls_accept_stream(
    tls: *mut sptcp_peer,
    stream: *mut sptcp_peer,
    options: *const sptcp_tls_options,
) -> sptcp_error {
    export!(|cx| {
        start(tls, stream, options, cx)?;
        let opts = cx.get::<sptcp_tls_options>(options, "options")?;
        let t = cx.kind_mut(tls, &TLS)?;
        let Some(boxed) = take_boxed::<sptcp_peer>(stream) else {
            return Err(cx.fail(Error::ERR_INVALID_PARAMETER, "stream is NULL"));
        };
        if let Err((f, back)) = t.accept_stream(boxed, opts) {
            let _same = give_boxed::<sptcp_peer>(back);
            return Err(f);
        }
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Drives the TLS peer (Godot's `StreamPeerTLS.poll`): polls its stream,
/// moves records both ways, runs the handshake (HANDSHAKING → CONNECTED);
/// never blocks. Verification failures end in `SPTCP_TLS_STATUS_ERROR`
/// (a wrong name in `SPTCP_TLS_STATUS_ERROR_HOSTNAME_MISMATCH`) with
/// `SPTCP_FAILED` and the reason in `sptcp_last_error_message`
/// ("certificate expired", "UnknownIssuer"); the stream ending without
/// close_notify is ERROR (`SPTCP_ERR_CONNECTION_ERROR`, a truncation); the
/// far side's close_notify gives DISCONNECTED once the decrypted bytes
/// were read. In DISCONNECTED or ERROR nothing happens (`SPTCP_OK`).
#[no_mangle]
pub extern "C" fn sptcp_tls_poll(tls: *mut sptcp_peer) -> sptcp_error {
    export!(|cx| {
        cx.kind_mut(tls, &TLS)?.poll()?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// The TLS peer's status; `SPTCP_TLS_STATUS_DISCONNECTED` for NULL and for
/// other kinds of peer. A plain getter: `sptcp_tls_poll` changes it.
#[no_mangle]
pub extern "C" fn sptcp_tls_get_status(tls: *const sptcp_peer) -> sptcp_tls_status {
    export!(|cx| Ok(cx.kind(tls, &TLS)?.status().into()))
}

/// The stream under the TLS peer: the very pointer given to
/// `sptcp_tls_connect_to_stream` / `sptcp_tls_accept_stream`, borrowed
/// (never free it: the TLS peer does). NULL when there is none (before,
/// after `sptcp_tls_disconnect_from_stream`, after an error).
#[no_mangle]
pub extern "C" fn sptcp_tls_get_stream(tls: *mut sptcp_peer) -> *mut sptcp_peer {
    export!(|cx| {
        let t = cx.kind_mut(tls, &TLS)?;
        Ok(t.stream_mut()
            .map_or(std::ptr::null_mut(), |b| (&mut **b as *mut Peer).cast()))
    })
}

/// Sends close_notify (as far as the stream takes it without waiting),
/// then closes and frees the stream: DISCONNECTED. Safe in any state. NULL
/// and other kinds of peer are ignored.
#[no_mangle]
pub extern "C" fn sptcp_tls_disconnect_from_stream(tls: *mut sptcp_peer) {
    export!(|cx| {
        cx.kind_mut(tls, &TLS)?.disconnect_from_stream();
        Ok(())
    })
}
