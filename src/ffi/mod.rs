//! The C ABI. One module per C object; `boundary` holds the shared
//! pointer checks, the panic boundary and the last-error slot.
//!
//! Every function here is `extern "C"`, checks its pointers first, runs its
//! body inside the panic boundary, and has a doc comment that cbindgen
//! copies into `include/streampeer_tcp.h`.

#![allow(non_camel_case_types)]

mod boundary;
pub mod buffer;
pub mod error;
pub mod peer;
pub mod server;
pub mod stream;
pub mod typed;
pub mod uds;
pub mod variant;

/// Bytes that always suffice for `sptcp_get_connected_host` (the longest
/// address text plus the NUL).
pub const SPTCP_HOST_MAX: usize = 64;
