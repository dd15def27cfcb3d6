//! The core TCP objects used directly from Rust.

use std::thread::sleep;
use std::time::{Duration, Instant};

use streampeer_tcp::core::error::Error;
use streampeer_tcp::core::socket_stream::Status;
use streampeer_tcp::core::stream_peer::StreamPeer;
use streampeer_tcp::core::tcp_peer::TcpPeer;
use streampeer_tcp::core::tcp_server::TcpServer;

fn poll_until(p: &mut TcpPeer, want: Status) -> Status {
    let end = Instant::now() + Duration::from_secs(5);
    while p.stream.status() != want && Instant::now() < end {
        let _ = p.stream.poll();
        sleep(Duration::from_millis(1));
    }
    p.stream.status()
}

fn take(server: &mut TcpServer) -> TcpPeer {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(peer) = server.take_connection() {
            return peer;
        }
        assert!(Instant::now() < end, "no connection within 5 s");
        sleep(Duration::from_millis(1));
    }
}

#[test]
fn connect_exchange_and_close() {
    let mut server = TcpServer::new();
    server.listen(0, "127.0.0.1").unwrap();
    let port = server.local_port().unwrap();
    let mut client = TcpPeer::new();
    client
        .connect_to_host("127.0.0.1", i32::from(port))
        .unwrap();
    assert_eq!(client.stream.status(), Status::STATUS_CONNECTING);
    let mut accepted = take(&mut server);
    assert_eq!(accepted.stream.status(), Status::STATUS_CONNECTED);
    assert_eq!(
        poll_until(&mut client, Status::STATUS_CONNECTED),
        Status::STATUS_CONNECTED
    );

    assert!(!client.no_delay(), "Nagle stays on by default, as in Godot");
    client.set_no_delay(true).unwrap();
    assert!(client.no_delay());
    assert!(
        !accepted.no_delay(),
        "accepted sockets do not get TCP_NODELAY"
    );

    client.stream.put_data(b"abcdef").unwrap();
    let mut buf = [0u8; 6];
    let (n, r) = accepted.stream.get_data(&mut buf);
    assert_eq!((n, r), (6, Ok(())));
    assert_eq!(&buf, b"abcdef");

    accepted.stream.disconnect_from_host();
    assert_eq!(
        poll_until(&mut client, Status::STATUS_NONE),
        Status::STATUS_NONE
    );
    assert_eq!(client.connected_host(), "");
    assert_eq!(client.stream.available(), -1);
}

#[test]
fn connect_timeout_is_per_peer_and_read_at_connect() {
    let mut p = TcpPeer::new();
    assert_eq!(p.stream.connect_timeout(), Duration::from_secs(30));
    p.stream.set_connect_timeout(Duration::from_millis(250));
    assert_eq!(p.stream.connect_timeout(), Duration::from_millis(250));
    let err = p.connect_to_host("127.0.0.1", 0).unwrap_err();
    assert_eq!(err.code, Error::ERR_INVALID_PARAMETER);
    assert!(
        err.message.contains("between 1 and 65535"),
        "{}",
        err.message
    );
}
