//! Connecting and staying connected (beyond Godot): async connects and
//! Happy Eyeballs, keepalive, half-close, byte counters, I/O timeouts.

use std::time::Duration;

use super::boundary::export;
use super::enums::sptcp_error;
use super::peer::{sptcp_peer, SOCKET, TCP};
use crate::core::sys::Keepalive;

/// Turns async connects on or off for this TCP peer (off by default, as in
/// Godot). With them on, `sptcp_connect_to_host` with a host name checks
/// the status (`SPTCP_ERR_ALREADY_IN_USE`) and the port
/// (`SPTCP_ERR_INVALID_PARAMETER`), then returns `SPTCP_OK` at once with
/// the status CONNECTING: the name is looked up on a small pool of
/// resolver threads shared by every peer (at most 4 lookups at once; idle
/// threads exit after 2 s), and `sptcp_poll` never blocks. A name that
/// does not resolve makes `sptcp_poll` return `SPTCP_ERR_CANT_RESOLVE`
/// with the status ERROR. The addresses are then tried Happy Eyeballs
/// style (`sptcp_set_happy_eyeballs_delay_ms`). The connect timeout covers
/// the lookup and every attempt. IP literals connect as without it.
///
/// Disconnecting or freeing the peer during a lookup never waits for it.
/// `sptcp_get_connected_host` / `_port` give "" / 0 until an address has
/// won. Takes effect at the next connect. NULL and non-TCP peers are
/// ignored (the reason goes to `sptcp_last_error_message`).
///
/// While a connect to a name runs, `sptcp_wait` and poll groups report
/// `SPTCP_EVENT_WRITABLE` (when asked for) as "call `sptcp_poll` now":
/// when the lookup has ended, an attempt has finished, the next attempt is
/// due or the timeout has passed. A group keeps a timer per member for
/// that, and its descriptor (`sptcp_group_get_fd`) becomes readable when
/// one is due, so an outer event loop sees them too.
#[no_mangle]
pub extern "C" fn sptcp_set_async_connect(peer: *mut sptcp_peer, enabled: bool) {
    export!(|cx| {
        cx.kind_mut(peer, &TCP)?.set_async_connect(enabled);
        Ok(())
    })
}

/// Whether async connects are on (false for NULL and non-TCP peers).
#[no_mangle]
pub extern "C" fn sptcp_is_async_connect_enabled(peer: *const sptcp_peer) -> bool {
    export!(|cx| Ok(cx.kind(peer, &TCP)?.async_connect()))
}

/// Sets the Happy Eyeballs attempt delay (RFC 8305; default 250 ms), used
/// by async connects to a name with several addresses: the addresses are
/// ordered to alternate IPv6 and IPv4, starting with the family of the
/// resolver's first, and a new attempt starts every `ms` while the earlier
/// ones are still pending (at once when one fails); the first to connect
/// wins and the others are closed. 0 starts every attempt at once. Read at
/// the next connect. A peer bound with `sptcp_bind` makes one attempt at a
/// time (they would share the local port).
///
/// Without async connects the addresses are tried one at a time in the
/// resolver's order: `sptcp_poll` moves on to the next when an attempt
/// fails, within the one connect timeout. NULL and non-TCP peers are
/// ignored.
#[no_mangle]
pub extern "C" fn sptcp_set_happy_eyeballs_delay_ms(peer: *mut sptcp_peer, ms: u32) {
    export!(|cx| {
        let tcp = cx.kind_mut(peer, &TCP)?;
        tcp.set_attempt_delay(Duration::from_millis(u64::from(ms)));
        Ok(())
    })
}

/// The Happy Eyeballs attempt delay in milliseconds (0 for NULL and
/// non-TCP peers).
#[no_mangle]
pub extern "C" fn sptcp_get_happy_eyeballs_delay_ms(peer: *const sptcp_peer) -> u32 {
    export!(|cx| {
        let ms = cx.kind(peer, &TCP)?.attempt_delay().as_millis();
        Ok(u32::try_from(ms).unwrap_or(u32::MAX))
    })
}

/// TCP keepalive for this peer: `enabled` turns SO_KEEPALIVE on or off;
/// `idle_s` (seconds of silence before the first probe), `interval_s`
/// (seconds between probes) and `count` (unanswered probes before the
/// connection is declared dead) set TCP_KEEPIDLE, TCP_KEEPINTVL and
/// TCP_KEEPCNT where the system has them; 0 keeps the system's default.
/// When keepalive declares a connection dead (a silent far end, after
/// about idle + interval × count seconds), the socket gets an error, which
/// `sptcp_poll` turns into `SPTCP_STATUS_ERROR`.
///
/// Remembered: applied now if the peer has a socket (connecting or
/// connected), and to every socket it gets later (reconnects, every
/// connect attempt). `SPTCP_ERR_INVALID_PARAMETER` for NULL or for
/// `idle_s` / `interval_s` above 32767 or `count` above 127 (the smallest
/// limits among the systems); `SPTCP_ERR_UNAVAILABLE` for non-TCP peers;
/// `SPTCP_FAILED` when the system refuses the option.
#[no_mangle]
pub extern "C" fn sptcp_set_keepalive(
    peer: *mut sptcp_peer,
    enabled: bool,
    idle_s: u32,
    interval_s: u32,
    count: u32,
) -> sptcp_error {
    export!(|cx| {
        cx.kind_mut(peer, &TCP)?.set_keepalive(Keepalive {
            enabled,
            idle_s,
            interval_s,
            count,
        })?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Half-close: sends FIN, so the far side reads to the end of the stream;
/// this side still reads what the far side sends. Later writes give
/// `SPTCP_ERR_UNAVAILABLE` (the status stays CONNECTED). Again on the same
/// connection: `SPTCP_OK`. TCP and Unix domain peers.
///
/// `SPTCP_FAILED` when not CONNECTED; `SPTCP_ERR_UNAVAILABLE` for a
/// buffer; `SPTCP_ERR_INVALID_PARAMETER` for NULL. Godot's rule on the
/// far side's close still holds: once the far side has closed too and
/// every byte is read, the next `sptcp_poll` gives NONE.
#[no_mangle]
pub extern "C" fn sptcp_shutdown_write(peer: *mut sptcp_peer) -> sptcp_error {
    export!(|cx| {
        cx.kind_mut(peer, &SOCKET)?.shutdown_write()?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Whether the far side has closed its side of the connection (FIN), as
/// seen by `sptcp_poll`, `sptcp_wait` or a read; unread bytes may remain
/// (read them: `sptcp_poll` keeps the peer CONNECTED until they are). Stays
/// true after the library closed the connection for that reason; false
/// again after `sptcp_disconnect_from_host` and a new connect. Where the
/// system cannot report a FIN while bytes are unread (not Linux), it shows
/// once they are read. False for NULL and buffers.
#[no_mangle]
pub extern "C" fn sptcp_is_peer_closed(peer: *const sptcp_peer) -> bool {
    export!(|cx| Ok(cx.kind(peer, &SOCKET)?.is_peer_closed()))
}

/// Bytes this connection has taken from the caller (every write call,
/// typed values and length prefixes included) since it was connected or
/// accepted. Kept after the connection closes, until the next connect. 0
/// for NULL and buffers.
#[no_mangle]
pub extern "C" fn sptcp_get_bytes_sent(peer: *const sptcp_peer) -> u64 {
    export!(|cx| Ok(cx.kind(peer, &SOCKET)?.bytes_sent()))
}

/// Bytes this connection has delivered to the caller since it was
/// connected or accepted (bytes a timed-out typed read gave back do not
/// count). Kept after the connection closes, until the next connect. 0 for
/// NULL and buffers.
#[no_mangle]
pub extern "C" fn sptcp_get_bytes_received(peer: *const sptcp_peer) -> u64 {
    export!(|cx| Ok(cx.kind(peer, &SOCKET)?.bytes_received()))
}

/// A time limit for every blocking call on this peer: `sptcp_put_data`,
/// `sptcp_get_data`, the typed values, the strings, `sptcp_put_var` and
/// `sptcp_get_var`. 0 (the default, as in Godot) waits as long as it
/// takes. A call that reaches the limit returns `SPTCP_ERR_TIMEOUT` and
/// leaves the status as it was (CONNECTED); `sptcp_get_data` reports the
/// bytes it took in `*received`, and a timed-out write says in
/// `sptcp_last_error_message` how many bytes it sent (a write cannot be
/// taken back: the far side may see part of it). Typed, string and Variant
/// reads that time out consume nothing: the bytes that had come are read
/// again by the next call, so the stream stays in step. The limit applies
/// to each call as a whole. TCP, Unix domain and TLS peers (a TLS peer's
/// limit covers its waits for the stream); NULL and buffers are ignored.
#[no_mangle]
pub extern "C" fn sptcp_set_io_timeout_ms(peer: *mut sptcp_peer, ms: u32) {
    export!(|cx| {
        let t = (ms > 0).then(|| Duration::from_millis(u64::from(ms)));
        if let Some(tls) = cx.get_mut(peer, "peer")?.tls_mut() {
            tls.set_io_timeout(t);
            return Ok(());
        }
        cx.kind_mut(peer, &SOCKET)?.set_io_timeout(t);
        Ok(())
    })
}

/// The I/O time limit in milliseconds, 0 for none (and for NULL and
/// buffers).
#[no_mangle]
pub extern "C" fn sptcp_get_io_timeout_ms(peer: *const sptcp_peer) -> u32 {
    export!(|cx| {
        let timeout = match cx.get(peer, "peer")?.tls() {
            Some(tls) => tls.io_timeout(),
            None => cx.kind(peer, &SOCKET)?.io_timeout(),
        };
        let ms = timeout.map_or(0, |t| t.as_millis());
        Ok(u32::try_from(ms).unwrap_or(u32::MAX))
    })
}
