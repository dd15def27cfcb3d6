//! Any bytes into the Variant decoders (both formats, objects allowed or
//! not). A decoded value must copy, re-encode and decode again, and after
//! one such round the encoding must be stable. (One round may change it:
//! the format itself is lossy for a null Object, sent as NIL, so two keys
//! that differed can become one; reals sent as f64 come back as f32.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use streampeer_tcp::core::variant::{decode::decode, encode::encode, Format};

fuzz_target!(|data: &[u8]| {
    for format in [Format::Godot4, Format::Godot3] {
        for allow_objects in [false, true] {
            let Ok((v, used)) = decode(data, format, allow_objects) else {
                continue;
            };
            assert!(used <= data.len() + 3, "used {used} of {}", data.len());
            let copy = v.clone();
            assert!(copy.same_key(&v));
            if let Ok(first) = encode(&v, format, true) {
                let (v2, n) = decode(&first, format, true).expect("our own encoding decodes");
                assert_eq!(n, first.len());
                let second = encode(&v2, format, true).expect("re-encodes");
                let (v3, _) = decode(&second, format, true).expect("decodes again");
                assert_eq!(encode(&v3, format, true).expect("re-encodes"), second);
            }
        }
    }
});
