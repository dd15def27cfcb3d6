//! The pure-Rust core: Godot's objects and rules, with no raw pointers.
//! Only `sys` talks to the operating system with `unsafe` calls.
//!
//! The files follow Godot master's classes; each imports only those above
//! it in this list, so there is no import circle:
//!
//! | file | what it holds |
//! |---|---|
//! | `error.rs` | Godot's error numbers, their texts, the `Failure` value |
//! | `codec.rs` | half floats, Latin-1 and UTF-8 string rules |
//! | `variant/` | the Variant value and its Godot 4 / Godot 3 formats |
//! | `sys/` | the socket layer: open, send, recv, poll, FIONREAD, files at paths |
//! | `address.rs` | IP literals, Godot's formatting, "*", name resolution |
//! | `resolver.rs` | name lookups on a small shared pool of threads (async connects) |
//! | `endpoint.rs` | an endpoint: IP and port, or a path (Godot's `NetSocket::Address`) |
//! | `socket_file.rs` | Unix domain paths: length rule, stale files, removing what a bind made |
//! | `connector.rs` | connecting to a name: the lookup, attempts one at a time or Happy Eyeballs |
//! | `group.rs` | poll groups: members, their links, timers, the level-triggered wait |
//! | `stream_peer.rs` | the `StreamPeer` trait: the raw data calls of every peer |
//! | `buffer.rs` | StreamPeerBuffer |
//! | `socket_stream.rs` | StreamPeerSocket: status machine, poll, send/recv loops, read-ahead |
//! | `tcp_peer.rs` | StreamPeerTCP: bind, resolve and connect, host and port, no-delay, keepalive |
//! | `uds_peer.rs` | StreamPeerUDS: bind and connect to a path, the connected path |
//! | `socket_server.rs` | SocketServer: listening socket, pending connections, take, stop |
//! | `tcp_server.rs` | TCPServer: listen on an address and port |
//! | `uds_server.rs` | UDSServer: listen on a path |
//! | `tls_peer.rs` | StreamPeerTLS (rustls) over any stream: options, status, handshake, records |
//! | `peer.rs` | a C peer: its kind, StreamPeer settings, typed values, strings, Variants |
//! | `server.rs` | a C server: its kind and the calls every kind has |

pub mod address;
pub mod buffer;
pub mod codec;
pub mod connector;
pub mod endpoint;
pub mod error;
pub mod group;
pub mod peer;
pub mod resolver;
pub mod server;
pub mod socket_file;
pub mod socket_server;
pub mod socket_stream;
pub mod stream_peer;
pub mod sys;
pub mod tcp_peer;
pub mod tcp_server;
pub mod tls_peer;
pub mod uds_peer;
pub mod uds_server;
pub mod variant;
