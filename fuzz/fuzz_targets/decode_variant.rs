//! Any bytes into the Variant decoders (both formats, objects allowed or
//! not). A decoded value must re-encode, decode again to an equal value,
//! and copy and drop without trouble.
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
            if let Ok(bytes) = encode(&v, format, true) {
                let (again, n) = decode(&bytes, format, true).expect("our own encoding decodes");
                assert_eq!(n, bytes.len());
                // Reals may have been f64 on the way in and f32 on the way
                // out, so compare the second encoding instead of values.
                assert_eq!(encode(&again, format, true).expect("re-encodes"), bytes);
            }
        }
    }
});
