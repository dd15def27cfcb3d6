//! Where a socket is: an IP address and port, or a Unix domain socket path
//! (Godot master's `NetSocket::Address`).

use std::fmt;
use std::net::SocketAddr;

use super::address::display_endpoint;

/// One end of a stream socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// TCP: an address and a port.
    Ip(SocketAddr),
    /// A Unix domain socket path, as given (UTF-8).
    Path(String),
}

impl Endpoint {
    /// The IP address and port, for a TCP endpoint.
    pub fn ip(&self) -> Option<SocketAddr> {
        match self {
            Endpoint::Ip(a) => Some(*a),
            Endpoint::Path(_) => None,
        }
    }

    /// The path, for a Unix domain endpoint.
    pub fn path(&self) -> Option<&str> {
        match self {
            Endpoint::Path(p) => Some(p),
            Endpoint::Ip(_) => None,
        }
    }
}

/// `host:port` (IPv6 in brackets) or the path, for messages.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Ip(a) => f.write_str(&display_endpoint(*a)),
            Endpoint::Path(p) => f.write_str(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_parts() {
        let v6 = Endpoint::Ip("[::1]:7".parse().unwrap());
        assert_eq!(v6.to_string(), "[::1]:7");
        assert_eq!(v6.path(), None);
        let p = Endpoint::Path("/tmp/game.sock".into());
        assert_eq!(p.to_string(), "/tmp/game.sock");
        assert_eq!(p.ip(), None);
        assert_eq!(p.path(), Some("/tmp/game.sock"));
    }
}
