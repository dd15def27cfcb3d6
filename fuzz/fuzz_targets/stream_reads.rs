//! Any bytes in a StreamPeerBuffer, read with the typed, string and
//! Variant readers in an order chosen by the input: errors are fine,
//! panics and unbounded allocations are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use streampeer_tcp::core::buffer::BufferPeer;
use streampeer_tcp::core::peer::{Peer, PeerIo};

fuzz_target!(|data: &[u8]| {
    let Some((&plan, rest)) = data.split_first() else {
        return;
    };
    let mut buf = BufferPeer::new();
    buf.set_data(rest);
    let mut p = Peer::new(PeerIo::Buffer(buf));
    p.big_endian = plan & 1 != 0;
    p.max_message_size = 1 << 16;
    for step in 0..16u8 {
        let _ = match (plan >> 1).wrapping_add(step) % 6 {
            0 => p.get_string(-1).map(drop),
            1 => p.get_utf8_string(-1).map(drop),
            2 => p.get_var(true).map(drop),
            3 => p.get_half().map(drop),
            4 => p.get_fixed::<8>().map(drop),
            _ => p.get_string(i32::from(step)).map(drop),
        };
    }
});
