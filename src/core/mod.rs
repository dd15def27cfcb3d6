//! The pure-Rust core: Godot's objects and rules, with no raw pointers.
//! Only `sys` talks to the operating system with `unsafe` calls.

pub mod address;
pub mod buffer;
pub mod codec;
pub mod error;
pub mod stream_peer;
pub mod sys;
pub mod tcp_peer;
pub mod tcp_server;
pub mod variant;
