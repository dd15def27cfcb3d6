//! streampeer_tcp: Godot 4's `StreamPeerTCP`, `StreamPeer` and `TCPServer`
//! as a C library.
//!
//! * [`core`] is plain Rust: Godot's state machine, errors and formats, and
//!   the socket layer (`core::sys`, the only place with unsafe socket calls).
//! * [`ffi`] is the C ABI described by `include/streampeer_tcp.h`, which
//!   cbindgen generates from the doc comments there.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod core;
pub mod ffi;
