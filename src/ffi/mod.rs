//! The C ABI, one file per group of C functions a reader looks for
//! together:
//!
//! | file | C functions |
//! |---|---|
//! | `peer.rs` | `sptcp_peer`: new, free, TCP connect/bind, the socket calls (poll, status, disconnect, timeout) |
//! | `uds.rs` | Unix domain peers and servers: `sptcp_uds_*` |
//! | `server.rs` | `sptcp_server`: new, free, listen, take, stop |
//! | `connection.rs` | connecting and staying connected: async connects, Happy Eyeballs, keepalive, half-close, counters, I/O timeouts |
//! | `tls.rs` | StreamPeerTLS and TLSOptions: `sptcp_tls_*`, `sptcp_tls_options_*` |
//! | `stream.rs` | the raw data calls on any peer, endianness, max message size |
//! | `typed.rs` | typed values and strings (`sptcp_put_u32`, `sptcp_get_utf8_string`, …) |
//! | `buffer.rs` | StreamPeerBuffer (`sptcp_buffer_*`) |
//! | `variant/` | `sptcp_variant`: `new.rs` constructors, `container.rs` arrays, dictionaries, objects, `access.rs` reading values, `wire.rs` put_var / get_var and var_to_bytes |
//! | `group.rs` | waiting: `sptcp_wait`, `sptcp_server_wait`, the poll group `sptcp_group_*`, the OS sockets, the event bits |
//! | `error.rs` | error texts, the last error message, the version |
//!
//! And the three that every export uses: `boundary.rs` (the `export!`
//! boundary: panics, fallbacks by return type, the last error, checked
//! arguments), `handle.rs` (one typed cast layer for every handle) and
//! `enums.rs` (the C enums, converted from the core's own types).

#![allow(non_camel_case_types)]
// The `unsafe_code` lint also counts `#[no_mangle]`, which every export
// needs; tests/unsafe_policy.rs holds the rest of the rule here: unsafe
// blocks only in boundary.rs and handle.rs.
#![allow(unsafe_code)]

mod boundary;
pub mod buffer;
pub mod connection;
pub mod enums;
pub mod error;
pub mod group;
mod handle;
pub mod peer;
pub mod server;
pub mod stream;
pub mod tls;
pub mod typed;
pub mod uds;
pub mod variant;

/// Bytes that always suffice for `sptcp_get_connected_host` (the longest
/// address text plus the NUL).
pub const SPTCP_HOST_MAX: usize = 64;
