//! streampeer_tcp: Godot 4's `StreamPeerTCP`, `StreamPeer` and `TCPServer`
//! as a C library.
//!
//! * [`core`] is plain Rust: Godot's state machine, errors and formats, and
//!   the socket layer (`core::sys`, the only place with unsafe socket calls).
//! * [`ffi`] is the C ABI described by `include/streampeer_tcp.h`, which
//!   cbindgen generates from the doc comments there.

// Policy the compiler holds: `unsafe` only where a module allows it (the
// socket layer `core::sys`; `ffi`, where tests/unsafe_policy.rs keeps it to
// boundary.rs and handle.rs, where C pointers become Rust values), and
// every unsafe block says why it is sound.
#![deny(
    unsafe_code,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

pub mod core;
pub mod ffi;
