//! Variant wire format tests: Godot's reference vectors, every type both
//! ways, truncation, hostile counts, depth, and random round trips.

use super::decode::decode;
use super::encode::encode;
use super::*;
use crate::core::error::Error;

fn t(s: &str) -> Text {
    Text::new(s).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn g4(v: &Variant) -> Vec<u8> {
    encode(v, Format::Godot4, false).unwrap()
}

fn back(bytes: &[u8]) -> Variant {
    let (v, used) = decode(bytes, Format::Godot4, false).unwrap();
    assert_eq!(used, bytes.len());
    v
}

const X: i64 = 0xf123_4567_89ab_cdef_u64 as i64;

#[test]
fn values_are_small() {
    // An array of n NILs is 4n bytes on the wire; keep memory per element
    // close to Godot's own 24-byte Variant.
    assert!(
        std::mem::size_of::<Variant>() <= 32,
        "{}",
        std::mem::size_of::<Variant>()
    );
}

#[test]
fn godot_reference_vectors() {
    let cases: Vec<(Variant, &str)> = vec![
        (Variant::Nil, "00000000"),
        (Variant::Int(0x1234_5678), "02000000 78563412"),
        (Variant::Int(X), "02000100 efcdab8967452 3f1"),
        (Variant::Float(0.15625), "03000000 0000203e"),
        (Variant::Float(1.0 / 3.0), "03000100 555555555555d53f"),
        (Variant::array(Array::default()), "1c000000 00000000"),
        (Variant::dictionary(Dictionary::default()), "1b000000 00000000"),
        (
            Variant::array(Array {
                elem_type: ContainerType::Builtin(VariantType::TYPE_INT),
                items: vec![Variant::Int(X)],
            }),
            "1c000100 02000000 01000000 02000100 efcdab89674523f1",
        ),
        (
            Variant::array(Array {
                elem_type: ContainerType::None,
                items: vec![Variant::String(t("Hello, World!")), Variant::Int(42)],
            }),
            "1c000000 02000000 04000000 0d000000 48656c6c6f2c20576f726c6421 000000 02000000 2a000000",
        ),
    ];
    for (v, want) in cases {
        let bytes = g4(&v);
        assert_eq!(bytes, hex(want), "{v:?}");
        assert!(back(&bytes).same_key(&v), "{v:?}");
    }
    let mut d = Dictionary::default();
    d.key_type = ContainerType::Builtin(VariantType::TYPE_INT);
    d.value_type = ContainerType::Builtin(VariantType::TYPE_INT);
    d.set(Variant::Int(X), Variant::Int(X));
    let bytes = g4(&Variant::dictionary(d));
    assert_eq!(
        bytes,
        hex("1b000500 02000000 02000000 01000000 02000100 efcdab89674523f1 02000100 efcdab89674523f1")
    );
    let Variant::Dictionary(d2) = back(&bytes) else {
        panic!()
    };
    assert_eq!(d2.key_type, ContainerType::Builtin(VariantType::TYPE_INT));
    assert_eq!(d2.value_type, ContainerType::Builtin(VariantType::TYPE_INT));
    assert!(d2.get(&Variant::Int(X)).is_some());
}

#[test]
fn godot_decode_errors() {
    let e = decode(&[0], Format::Godot4, false).unwrap_err();
    assert_eq!(e.code, Error::ERR_INVALID_DATA);
    let e = decode(&hex("ff000000"), Format::Godot4, false).unwrap_err();
    assert_eq!(e.code, Error::ERR_INVALID_DATA);
    let e = decode(&hex("27000000"), Format::Godot4, false).unwrap_err(); // type 39
    assert_eq!(e.code, Error::ERR_INVALID_DATA);
    let e = decode(&hex("1b000000"), Format::Godot3, false).unwrap_err(); // type 27 in Godot 3
    assert_eq!(e.code, Error::ERR_INVALID_DATA);
    // A string cut short: ERR_FILE_EOF.
    let e = decode(&hex("04000000 05000000 6162"), Format::Godot4, false).unwrap_err();
    assert_eq!(e.code, Error::ERR_FILE_EOF);
    // Invalid UTF-8 in a string.
    let e = decode(&hex("04000000 02000000 c328 0000"), Format::Godot4, false).unwrap_err();
    assert_eq!(e.code, Error::ERR_INVALID_DATA);
    // NodePath in the old format.
    let e = decode(
        &hex("16000000 01000000 00000000 00000000"),
        Format::Godot4,
        false,
    )
    .unwrap_err();
    assert_eq!(e.code, Error::ERR_INVALID_DATA);
    // A full object without allow_objects.
    let obj = hex("18000000 04000000 4e6f6465 00000000");
    let e = decode(&obj, Format::Godot4, false).unwrap_err();
    assert_eq!(e.code, Error::ERR_UNAUTHORIZED);
    let (v, _) = decode(&obj, Format::Godot4, true).unwrap();
    assert!(matches!(v, Variant::Object(Object::Full(ref f)) if f.class.as_str() == "Node"));
}

#[test]
fn hostile_counts_allocate_nothing_big() {
    // Counts far beyond the bytes present, for every container kind.
    for h in [
        "1c000000 ffffff7f",
        "1b000000 ffffff7f",
        "1d000000 ffffff7f",
        "1e000000 ffffff7f",
        "1f000000 ffffff0f",
        "22000000 ffffff0f",
        "23000000 ffffff0f",
        "26000000 ffffff0f",
        "1d000000 ffffffff",
        "16000000 ffffffff ffffffff 00000000",
        "18000000 04000000 4e6f6465 ffffff7f",
    ] {
        let e = decode(&hex(h), Format::Godot4, true).unwrap_err();
        assert_eq!(e.code, Error::ERR_INVALID_DATA, "{h}");
    }
}

#[test]
fn nesting_is_bounded() {
    // 1025 nested arrays around an empty one decode; one more level fails.
    let nested = |levels: usize| {
        let mut b = Vec::new();
        for _ in 0..levels {
            b.extend_from_slice(&hex("1c000000 01000000"));
        }
        b.extend_from_slice(&hex("1c000000 00000000"));
        b
    };
    assert!(decode(&nested(1024), Format::Godot4, false).is_ok());
    let e = decode(&nested(1025), Format::Godot4, false).unwrap_err();
    assert_eq!(e.code, Error::ERR_OUT_OF_MEMORY);
    // The encoder has the same bound.
    let (deep, _) = decode(&nested(1024), Format::Godot4, false).unwrap();
    assert_eq!(deep.depth(), 1024);
    assert!(encode(&deep, Format::Godot4, false).is_ok());
    let deeper = Variant::array(Array {
        elem_type: ContainerType::None,
        items: vec![deep],
    });
    assert_eq!(
        encode(&deeper, Format::Godot4, false).unwrap_err().code,
        Error::ERR_OUT_OF_MEMORY
    );
}

fn every_type() -> Vec<Variant> {
    use VariantType::*;
    let mut d = Dictionary::default();
    d.set(
        Variant::String(t("pos")),
        Variant::math(TYPE_VECTOR2, &[1.0, 2.0]).unwrap(),
    );
    d.set(Variant::String(t("hp")), Variant::Int(42));
    d.set(
        Variant::String(t("tags")),
        Variant::array(Array {
            elem_type: ContainerType::None,
            items: vec![Variant::String(t("a")), Variant::String(t("b"))],
        }),
    );
    let mut v = vec![
        Variant::Nil,
        Variant::Bool(true),
        Variant::Bool(false),
        Variant::Int(-1),
        Variant::Int(i64::MIN),
        Variant::Float(-0.0),
        Variant::Float(f64::INFINITY),
        Variant::Float(1e300),
        Variant::String(t("")),
        Variant::String(t("héllo✩")),
        Variant::StringName(t("name")),
        Variant::node_path(NodePath::parse("/root/Main:position:x").unwrap()),
        Variant::node_path(NodePath::parse("a/b").unwrap()),
        Variant::Rid(0x1234_5678_9abc),
        Variant::Object(Object::Id(77)),
        Variant::Callable,
        Variant::Signal {
            name: Box::new(t("hit")),
            object: 5,
        },
        Variant::dictionary(d),
        Variant::array(Array {
            elem_type: ContainerType::ClassName(t("Node")),
            items: vec![Variant::Object(Object::Id(3))],
        }),
        Variant::array(Array {
            elem_type: ContainerType::Builtin(VariantType::TYPE_STRING),
            items: vec![Variant::String(t("x"))],
        }),
        Variant::PackedBytes(vec![1, 2, 3, 4, 5, 6, 7, 8]),
        Variant::PackedInt32(vec![i32::MIN, 0, i32::MAX]),
        Variant::PackedInt64(vec![i64::MIN, i64::MAX]),
        Variant::PackedFloat32(vec![1.5, -0.0, f32::INFINITY]),
        Variant::PackedFloat64(vec![1.0 / 3.0]),
        Variant::PackedStrings(vec![t("one"), t(""), t("✩✩")]),
        Variant::PackedVector2(vec![[1.0, 2.0], [3.0, 4.0]]),
        Variant::PackedVector3(vec![[1.0, 2.0, 3.0]]),
        Variant::PackedColor(vec![[0.0, 0.5, 1.0, 1.0]]),
        Variant::PackedVector4(vec![[1.0, 2.0, 3.0, 4.0]]),
    ];
    for ty in ALL_TYPES {
        if let Some(n) = ty.math_len() {
            let c: Vec<f64> = (0..n)
                .map(|i| i as f64 - 2.5 + if ty.is_integer_math() { 0.5 } else { 0.0 })
                .collect();
            v.push(Variant::math(ty, &c).unwrap());
        }
    }
    v
}

#[test]
fn every_type_round_trips_and_truncations_fail() {
    let values = every_type();
    let covered: std::collections::HashSet<_> =
        values.iter().map(|v| v.get_type() as u32).collect();
    // Every type is here (full objects are tested with `objects`).
    assert_eq!(covered.len(), 39);
    for v in &values {
        let bytes = g4(v);
        assert_eq!(bytes.len() % 4, 0, "{v:?}");
        let got = back(&bytes);
        assert!(got.same_key(v), "{v:?} came back as {got:?}");
        for cut in 0..bytes.len() {
            assert!(
                decode(&bytes[..cut], Format::Godot4, false).is_err(),
                "{v:?} cut at {cut}"
            );
        }
    }
}

#[test]
fn godot3_format() {
    // Godot 3 ids: INT 2, REAL 3, QUAT 10, TRANSFORM 13, COLOR 14, POOL_* 20..26.
    let quat = Variant::math(VariantType::TYPE_QUATERNION, &[0.0, 0.0, 0.0, 1.0]).unwrap();
    let b = encode(&quat, Format::Godot3, false).unwrap();
    assert_eq!(&b[..4], &hex("0a000000")[..]);
    let (back3, _) = decode(&b, Format::Godot3, false).unwrap();
    assert!(back3.same_key(&quat));
    let arr = Variant::array(Array {
        elem_type: ContainerType::Builtin(VariantType::TYPE_INT),
        items: vec![Variant::Int(1)],
    });
    // Godot 3 has no typed arrays: written untyped.
    assert_eq!(
        encode(&arr, Format::Godot3, false).unwrap(),
        hex("13000000 01000000 02000000 01000000")
    );
    for missing in [
        Variant::StringName(t("x")),
        Variant::math(VariantType::TYPE_VECTOR2I, &[1.0, 2.0]).unwrap(),
        Variant::Callable,
        Variant::PackedInt64(vec![]),
        Variant::PackedFloat64(vec![]),
        Variant::PackedVector4(vec![]),
    ] {
        let e = encode(&missing, Format::Godot3, false).unwrap_err();
        assert_eq!(e.code, Error::ERR_INVALID_PARAMETER, "{missing:?}");
    }
    // RID has no payload in Godot 3.
    assert_eq!(
        encode(&Variant::Rid(9), Format::Godot3, false).unwrap(),
        hex("10000000")
    );
    let (rid, used) = decode(&hex("10000000"), Format::Godot3, false).unwrap();
    assert!(rid.same_key(&Variant::Rid(0)) && used == 4);
    let pool = encode(
        &Variant::PackedColor(vec![[1.0, 0.0, 0.0, 1.0]]),
        Format::Godot3,
        false,
    )
    .unwrap();
    assert_eq!(&pool[..8], &hex("1a000000 01000000")[..]);
}

#[test]
fn objects() {
    let full = Variant::Object(Object::full(
        t("Node2D"),
        vec![
            (t("name"), Variant::String(t("Player"))),
            (t("z"), Variant::Int(3)),
        ],
    ));
    assert_eq!(
        encode(&full, Format::Godot4, false).unwrap_err().code,
        Error::ERR_INVALID_PARAMETER
    );
    let b = encode(&full, Format::Godot4, true).unwrap();
    assert_eq!(
        decode(&b, Format::Godot4, false).unwrap_err().code,
        Error::ERR_UNAUTHORIZED
    );
    let (v, used) = decode(&b, Format::Godot4, true).unwrap();
    assert_eq!(used, b.len());
    assert!(v.same_key(&full));
    for cut in 0..b.len() {
        assert!(decode(&b[..cut], Format::Godot4, true).is_err());
    }
    // A null object is a bare NIL; an id always decodes.
    assert_eq!(g4(&Variant::Object(Object::Id(0))), hex("00000000"));
    let id = g4(&Variant::Object(Object::Id(5)));
    assert_eq!(id, hex("18000100 0500000000000000"));
    assert!(back(&id).same_key(&Variant::Object(Object::Id(5))));
}

#[test]
fn packed_bytes_padding_may_be_missing_at_the_end() {
    let b = g4(&Variant::PackedBytes(vec![1, 2, 3]));
    assert_eq!(b, hex("1d000000 03000000 01020300"));
    // Godot does not need the padding at the very end (and counts it in
    // r_len); `used` counts only the bytes that are there.
    for format in [Format::Godot4, Format::Godot3] {
        let b = encode(&Variant::PackedBytes(vec![1, 2, 3]), format, false).unwrap();
        let (v, used) = decode(&b[..11], format, false).unwrap();
        assert!(v.same_key(&Variant::PackedBytes(vec![1, 2, 3])));
        assert_eq!(used, 11);
        assert_eq!(decode(&b, format, false).unwrap().1, 12);
    }
}

/// The reference vectors of these tests, and every type, in both formats.
fn reference_vectors() -> Vec<(Vec<u8>, Format)> {
    let mut out = Vec::new();
    for v in every_type() {
        for format in [Format::Godot4, Format::Godot3] {
            if let Ok(b) = encode(&v, format, false) {
                out.push((b, format));
            }
        }
    }
    for h in [
        "00000000",
        "02000000 78563412",
        "02000100 efcdab89674523f1",
        "03000100 555555555555d53f",
        "1c000100 02000000 01000000 02000100 efcdab89674523f1",
        "1c000000 02000000 04000000 0d000000 48656c6c6f2c20576f726c6421 000000 02000000 2a000000",
        "1b000500 02000000 02000000 01000000 02000100 efcdab89674523f1 02000100 efcdab89674523f1",
        "1d000000 03000000 01020300",
        "1c000000 01000000 1d000000 01000000 07000000",
    ] {
        out.push((hex(h), Format::Godot4));
    }
    out
}

#[test]
fn used_never_exceeds_the_bytes_given() {
    let vectors = reference_vectors();
    assert!(vectors.len() > 60);
    let mut decoded_prefixes = 0;
    for (bytes, format) in &vectors {
        for cut in 0..=bytes.len() {
            if let Ok((_, used)) = decode(&bytes[..cut], *format, false) {
                assert!(
                    used <= cut,
                    "{format:?} {bytes:02x?} cut at {cut}: used {used}"
                );
                decoded_prefixes += 1;
            }
        }
    }
    // The whole vectors decode, and so do the ones missing final padding.
    assert!(decoded_prefixes > vectors.len(), "{decoded_prefixes}");
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn f32(&mut self) -> f32 {
        match self.below(8) {
            0 => 0.0,
            1 => -0.0,
            2 => f32::INFINITY,
            _ => {
                f32::from_bits(self.next() as u32 & 0x7f7f_ffff)
                    * if self.below(2) == 0 { 1.0 } else { -1.0 }
            }
        }
    }

    fn text(&mut self) -> Text {
        let alphabet = ["a", "Z", "é", "✩", "😀", " ", "_", "9"];
        let n = self.below(12);
        Text::new(
            &(0..n)
                .map(|_| alphabet[self.below(8) as usize])
                .collect::<String>(),
        )
        .unwrap()
    }

    fn value(&mut self, depth: usize, g3: bool) -> Variant {
        let kinds = if depth > 4 { 12 } else { 16 };
        loop {
            let v = match self.below(kinds) {
                0 => Variant::Nil,
                1 => Variant::Bool(self.below(2) == 1),
                2 => Variant::Int(match self.below(3) {
                    0 => self.next() as i64,
                    1 => self.below(1000) as i64 - 500,
                    _ => i32::MIN as i64 - 1,
                }),
                3 => Variant::Float(if self.below(2) == 0 {
                    f64::from_bits(self.next() & 0x7fef_ffff_ffff_ffff)
                } else {
                    f64::from(self.f32())
                }),
                4 => Variant::String(self.text()),
                5 => {
                    let types: Vec<VariantType> = ALL_TYPES
                        .iter()
                        .copied()
                        .filter(|t| t.math_len().is_some())
                        .collect();
                    let ty = types[self.below(types.len() as u64) as usize];
                    let n = ty.math_len().unwrap();
                    let c: Vec<f64> = (0..n)
                        .map(|_| {
                            // Reals travel as f32: only f32 values survive.
                            if ty.is_integer_math() {
                                f64::from(self.next() as i32)
                            } else {
                                f64::from(self.f32())
                            }
                        })
                        .collect();
                    Variant::math(ty, &c).unwrap()
                }
                6 => Variant::StringName(self.text()),
                7 => Variant::node_path(NodePath::from_parts(
                    vec![self.text()]
                        .into_iter()
                        .filter(|x| !x.is_empty())
                        .collect(),
                    vec![],
                    self.below(2) == 0,
                )),
                8 => Variant::Rid(if g3 { 0 } else { self.next() }),
                9 => Variant::Object(Object::Id(self.next() | 1)),
                10 => Variant::PackedBytes((0..self.below(9)).map(|_| self.next() as u8).collect()),
                11 => match self.below(8) {
                    0 => Variant::PackedInt32(
                        (0..self.below(5)).map(|_| self.next() as i32).collect(),
                    ),
                    1 => Variant::PackedInt64(
                        (0..self.below(5)).map(|_| self.next() as i64).collect(),
                    ),
                    2 => Variant::PackedFloat32((0..self.below(5)).map(|_| self.f32()).collect()),
                    3 => Variant::PackedFloat64(
                        (0..self.below(5))
                            .map(|_| f64::from_bits(self.next() & 0x7fef_ffff_ffff_ffff))
                            .collect(),
                    ),
                    4 => Variant::PackedStrings((0..self.below(5)).map(|_| self.text()).collect()),
                    5 => Variant::PackedVector2(
                        (0..self.below(5))
                            .map(|_| [self.f32(), self.f32()])
                            .collect(),
                    ),
                    6 => Variant::PackedVector3(
                        (0..self.below(5))
                            .map(|_| [self.f32(), self.f32(), self.f32()])
                            .collect(),
                    ),
                    _ => Variant::PackedColor(
                        (0..self.below(5))
                            .map(|_| [self.f32(), self.f32(), self.f32(), self.f32()])
                            .collect(),
                    ),
                },
                12..=13 => Variant::array(Array {
                    elem_type: ContainerType::None,
                    items: (0..self.below(5))
                        .map(|_| self.value(depth + 1, g3))
                        .collect(),
                }),
                _ => {
                    let mut d = Dictionary::default();
                    for _ in 0..self.below(5) {
                        let k = self.value(depth + 1, g3);
                        let v = self.value(depth + 1, g3);
                        d.set(k, v);
                    }
                    Variant::dictionary(d)
                }
            };
            let ok_for_g3 = encode::godot3_id(v.get_type()).is_some()
                && !matches!(v, Variant::PackedInt64(_) | Variant::PackedFloat64(_));
            if !g3 || ok_for_g3 {
                return v;
            }
        }
    }
}

#[test]
fn random_values_round_trip_in_both_formats() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for i in 0..3000 {
        for (format, g3) in [(Format::Godot4, false), (Format::Godot3, true)] {
            let v = rng.value(0, g3);
            let bytes = match encode(&v, format, false) {
                Ok(b) => b,
                // Godot 3 lacks some types deep inside containers.
                Err(e) if g3 && e.code == Error::ERR_INVALID_PARAMETER => continue,
                Err(e) => panic!("case {i}: {v:?}: {e}"),
            };
            let (got, used) =
                decode(&bytes, format, false).unwrap_or_else(|e| panic!("case {i}: {v:?}: {e}"));
            assert_eq!(used, bytes.len(), "case {i}");
            assert!(
                got.same_key(&v),
                "case {i} ({format:?}): {v:?} came back as {got:?}"
            );
            // Re-encoding gives the same bytes.
            assert_eq!(encode(&got, format, false).unwrap(), bytes, "case {i}");
        }
    }
}

#[test]
fn random_garbage_never_panics() {
    let mut rng = Rng(42);
    for _ in 0..20000 {
        let n = rng.below(64) as usize;
        let mut b: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        if n >= 4 && rng.below(2) == 0 {
            b[0] = rng.below(40) as u8; // a plausible type id
            b[1] = 0;
        }
        for format in [Format::Godot3, Format::Godot4] {
            if let Ok((_, used)) = decode(&b, format, true) {
                assert!(used <= b.len() + 3);
            }
        }
    }
}

/// Nesting 1024 levels deep fits in a small thread stack, even in a debug
/// build: decoding, encoding, copying, comparing, hashing and dropping use
/// explicit stacks, so hostile input cannot overflow the thread's stack.
#[test]
fn deep_nesting_fits_a_small_stack() {
    let mut b = Vec::new();
    for _ in 0..1023 {
        b.extend_from_slice(&hex("1c000000 01000000"));
    }
    b.extend_from_slice(&hex("1b000000 01000000 00000000 1c000000 00000000"));
    let handle = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            let (v, _) = decode(&b, Format::Godot4, false).unwrap();
            assert_eq!(v.depth(), 1024);
            let bytes = encode(&v, Format::Godot4, false).unwrap();
            let copy = v.clone();
            assert!(copy.same_key(&v) && copy.godot_eq(&v));
            let mut h = std::collections::hash_map::DefaultHasher::new();
            v.key_hash(&mut h);
            // A dictionary keyed by deep values hashes and compares them.
            let mut d = Dictionary::default();
            d.set(v.clone(), Variant::Int(1));
            d.set(copy, Variant::Int(2));
            assert_eq!(d.len(), 1);
            drop(v);
            drop(d);
            bytes.len()
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), 1023 * 8 + 20);
}

/// Found by the fuzzer: a Godot 3 dictionary whose keys are a null object
/// (a full object with an empty class name) and NIL. The format sends the
/// null object as NIL, so re-encoding merges the two keys; after that one
/// round the encoding is stable.
#[test]
fn fuzz_regression_null_object_key() {
    let input = hex(
        "12000000 03000000 02000000 01000000 04000000 03000000 74776f00 11000000
         00000000 00003000 00006040 00000000 00000300 00000000 1000",
    );
    let (v, _) = decode(&input, Format::Godot3, true).unwrap();
    assert_eq!(v.len(), 3);
    let first = encode(&v, Format::Godot3, true).unwrap();
    let (v2, _) = decode(&first, Format::Godot3, true).unwrap();
    assert_eq!(v2.len(), 2, "the null object and NIL keys became one");
    let second = encode(&v2, Format::Godot3, true).unwrap();
    let (v3, _) = decode(&second, Format::Godot3, true).unwrap();
    assert_eq!(encode(&v3, Format::Godot3, true).unwrap(), second);
}

/// Small Dictionaries are searched in order, larger ones through the hash
/// index built when the ninth key arrives: both must find the same keys,
/// keep insertion order and overwrite in place.
#[test]
fn dictionary_small_and_indexed_agree() {
    for n in [0usize, 1, 7, 8, 9, 10, 40] {
        let mut d = Dictionary::default();
        for i in 0..n {
            d.set(Variant::Int(i as i64), Variant::Int(-(i as i64)));
            // The same number as a float is another key (Godot's rule).
            d.set(Variant::Float(i as f64), Variant::Bool(true));
        }
        assert_eq!(d.len(), 2 * n);
        for i in (0..n).rev() {
            d.set(Variant::Int(i as i64), Variant::Int(i as i64 * 10));
        }
        assert_eq!(d.len(), 2 * n, "overwriting adds nothing (n = {n})");
        for i in 0..n {
            assert_eq!(d.find(&Variant::Int(i as i64)), Some(2 * i), "n = {n}");
            assert!(
                matches!(d.get(&Variant::Int(i as i64)), Some(Variant::Int(v)) if *v == i as i64 * 10)
            );
            assert_eq!(d.find(&Variant::Float(i as f64)), Some(2 * i + 1));
        }
        assert_eq!(d.find(&Variant::Int(n as i64)), None);
        assert_eq!(d.find(&Variant::String(t("0"))), None);
        let copy = Variant::dictionary(d).clone();
        assert_eq!(copy.len(), 2 * n);
    }
}

#[test]
fn text_inline_and_on_the_heap_agree() {
    use std::collections::hash_map::DefaultHasher;
    let hash = |x: &Text| {
        let mut h = DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    };
    // Lengths on both sides of the inline limit, with multi-byte UTF-8.
    for n in 0..=40 {
        let s: String = "aé€".chars().cycle().take(n).collect();
        let x = t(&s);
        assert_eq!(x.as_str(), s);
        assert_eq!(x.len(), s.len());
        assert_eq!(x.bytes(), s.as_bytes());
        assert_eq!(x.as_c().to_bytes_with_nul().last(), Some(&0));
        assert_eq!(x.as_c().to_str().unwrap(), s);
        assert_eq!(x, x.clone());
        assert_eq!(hash(&x), hash(&t(&s)));
        assert_eq!(Text::until_nul(&format!("{s}\0tail")), x);
        let mut with_nul = s.clone();
        let mid = s.char_indices().nth(n / 2).map_or(s.len(), |(i, _)| i);
        with_nul.insert(mid, '\0');
        assert!(Text::new(&with_nul).is_none(), "n = {n}");
        // One byte more is another text, inline or not.
        assert_ne!(t(&format!("{s}x")), x);
        let back = back(&g4(&Variant::String(x.clone())));
        assert!(matches!(&back, Variant::String(b) if *b == x));
    }
    assert_eq!(Text::default(), t(""));
    assert!(Text::default().is_empty());
}

#[test]
fn math_values_of_every_size_round_trip() {
    for (ty, n) in [
        (VariantType::TYPE_VECTOR2, 2),
        (VariantType::TYPE_VECTOR2I, 2),
        (VariantType::TYPE_VECTOR3, 3),
        (VariantType::TYPE_COLOR, 4),
        (VariantType::TYPE_PROJECTION, 16),
    ] {
        let c: Vec<f64> = (0..n).map(|i| i as f64 - 3.0).collect();
        let v = Variant::math(ty, &c).unwrap();
        let back = back(&g4(&v));
        assert!(
            matches!(&back, Variant::Math(bt, bc) if *bt == ty && bc[..] == c[..]),
            "{ty:?}"
        );
        assert!(back.godot_eq(&v));
        let mut other = c.clone();
        other[n - 1] += 1.0;
        assert!(!Variant::math(ty, &other).unwrap().godot_eq(&v));
    }
}

#[test]
fn the_decoders_kept_stack_survives_failures() {
    // A message that fails deep inside, then a good one, then a deep one,
    // then a shallow one: each decodes as if it were the first.
    let nested = |levels: usize, inner: &str| {
        let mut b = Vec::new();
        for _ in 0..levels {
            b.extend_from_slice(&hex("1c000000 01000000"));
        }
        b.extend_from_slice(&hex(inner));
        b
    };
    let good = g4(&Variant::dictionary({
        let mut d = Dictionary::default();
        d.set(Variant::String(t("k")), Variant::Int(1));
        d
    }));
    for levels in [1, 3, 100, 1000] {
        // 0x7f is no type: the innermost value fails.
        assert!(decode(&nested(levels, "7f000000"), Format::Godot4, false).is_err());
        let v = back(&good);
        assert!(matches!(&v, Variant::Dictionary(d) if d.len() == 1));
        let (deep, _) =
            decode(&nested(levels, "02000000 05000000"), Format::Godot4, false).unwrap();
        assert_eq!(deep.depth(), levels);
        assert!(matches!(back(&hex("02000000 07000000")), Variant::Int(7)));
    }
}

#[test]
fn leaves_and_containers_compare_by_type() {
    let one = Variant::Int(1);
    let arr = Variant::array(Array {
        elem_type: ContainerType::None,
        items: vec![Variant::Int(1)],
    });
    assert!(!one.godot_eq(&arr) && !arr.godot_eq(&one));
    assert!(arr.godot_eq(&arr.clone()));
    assert!(!one.same_key(&Variant::Float(1.0)));
    assert!(one.godot_eq(&Variant::Float(1.0)));
    assert!(Variant::Float(f64::NAN).same_key(&Variant::Float(f64::NAN)));
    assert!(!Variant::Float(f64::NAN).godot_eq(&Variant::Float(f64::NAN)));
}

#[test]
fn containers_between_leaves_decode_in_order() {
    // [1, [2, {"k": 3}], "s", {}], written out by hand from the format: a
    // container after leaves, a container inside it, leaves after both.
    let array = hex(
        "1c000000 04000000  02000000 01000000
         1c000000 02000000  02000000 02000000  1b000000 01000000 04000000 01000000 6b000000 02000000 03000000
         04000000 01000000 73000000  1b000000 00000000",
    );
    let mut inner = Dictionary::default();
    inner.set(Variant::String(t("k")), Variant::Int(3));
    let want = Variant::array(Array {
        elem_type: ContainerType::None,
        items: vec![
            Variant::Int(1),
            Variant::array(Array {
                elem_type: ContainerType::None,
                items: vec![Variant::Int(2), Variant::dictionary(inner)],
            }),
            Variant::String(t("s")),
            Variant::dictionary(Dictionary::default()),
        ],
    });
    assert!(back(&array).same_key(&want), "{:?}", back(&array));
    assert_eq!(g4(&want), array);

    // {"a": 1, [5]: {"b": 2}, "c": 3}: a container as a key, one as a
    // value, and an entry after them.
    let dict = hex(
        "1b000000 03000000
         04000000 01000000 61000000  02000000 01000000
         1c000000 01000000 02000000 05000000  1b000000 01000000 04000000 01000000 62000000 02000000 02000000
         04000000 01000000 63000000  02000000 03000000",
    );
    let Variant::Dictionary(d) = back(&dict) else {
        panic!("not a dictionary")
    };
    let keys: Vec<String> = d.entries().iter().map(|(k, _)| format!("{k:?}")).collect();
    assert_eq!(d.len(), 3, "{keys:?}");
    assert!(d.entries()[0].0.same_key(&Variant::String(t("a"))));
    assert!(d.entries()[0].1.same_key(&Variant::Int(1)));
    let five = Variant::array(Array {
        elem_type: ContainerType::None,
        items: vec![Variant::Int(5)],
    });
    assert!(d.entries()[1].0.same_key(&five));
    let mut b = Dictionary::default();
    b.set(Variant::String(t("b")), Variant::Int(2));
    assert!(d.entries()[1].1.same_key(&Variant::dictionary(b)));
    assert!(d.entries()[2].0.same_key(&Variant::String(t("c"))));
    assert!(d.entries()[2].1.same_key(&Variant::Int(3)));
    assert_eq!(g4(&Variant::Dictionary(d)), dict);
    // A flat dictionary with a repeated key keeps the last value, in the
    // first one's place (Godot's `d[key] = value`).
    let repeated = hex("1b000000 03000000
         04000000 01000000 61000000  02000000 01000000
         04000000 01000000 62000000  02000000 02000000
         04000000 01000000 61000000  02000000 03000000");
    let Variant::Dictionary(d) = back(&repeated) else {
        panic!("not a dictionary")
    };
    assert_eq!(d.len(), 2);
    assert!(d.entries()[0].1.same_key(&Variant::Int(3)));
    assert!(d.get(&Variant::String(t("b"))).is_some());
    // The same leaves in the Godot 3 format (its array is type 19; int
    // and string have the same ids there), a negative int and a string
    // cut short by the end of the buffer.
    let godot3 = hex("13000000 02000000 02000000 fbffffff 04000000 01000000 78000000");
    let (v, used) = decode(&godot3, Format::Godot3, false).unwrap();
    assert_eq!(used, godot3.len());
    let want = Variant::array(Array {
        elem_type: ContainerType::None,
        items: vec![Variant::Int(-5), Variant::String(t("x"))],
    });
    assert!(v.same_key(&want), "{v:?}");
    assert_eq!(encode(&want, Format::Godot3, false).unwrap(), godot3);
    for cut in [6, 10, 14, 18, 22, 26] {
        assert!(
            decode(&godot3[..cut], Format::Godot3, false).is_err(),
            "{cut}"
        );
        assert!(
            decode(&array[..cut], Format::Godot4, false).is_err(),
            "{cut}"
        );
    }
    // A StringName key is not the String key of the same text.
    let names = hex("1b000000 02000000
         04000000 01000000 61000000  02000000 01000000
         15000000 01000000 61000000  02000000 02000000");
    let Variant::Dictionary(d) = back(&names) else {
        panic!("not a dictionary")
    };
    assert_eq!(d.len(), 2);
}

#[test]
fn wire_text_skips_the_bom_stops_at_nul_and_checks_utf8() {
    for (raw, want) in [
        (&b"key"[..], Some("key")),
        (b"", Some("")),
        (b"\xef\xbb\xbfbom", Some("bom")),
        (b"ab\0cd", Some("ab")),
        (b"\0", Some("")),
        ("é€😀".as_bytes(), Some("é€😀")),
        (b"exactly twenty-one b.", Some("exactly twenty-one b.")),
        (b"twenty-two bytes long", Some("twenty-two bytes long")),
        (
            b"longer than the inline limit\0after",
            Some("longer than the inline limit"),
        ),
        (b"\xff", None),
        (b"ok\xc3", None),
        (b"ok\0\xff", Some("ok")),
        (b"a long text that is not \xff UTF-8", None),
    ] {
        let got = Text::from_wire(raw);
        match want {
            None => assert!(got.is_none(), "{raw:?}"),
            Some(s) => {
                let got = got.unwrap_or_else(|| panic!("{raw:?}"));
                // Equal (and hashing alike) to the same text made any other way.
                assert_eq!(got, t(s), "{raw:?}");
                assert_eq!(got.as_str(), s);
            }
        }
    }
}

/// A String Variant's wire bytes for `raw`: padded with `fill` (Godot
/// writes zeros; a decoder must not care), then `after` (the rest of a
/// message, which a decoder must not read into the text).
fn wire_string(raw: &[u8], fill: u8, after: &[u8]) -> Vec<u8> {
    let mut w = 4u32.to_le_bytes().to_vec();
    w.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    w.extend_from_slice(raw);
    w.resize(w.len() + (4 - raw.len() % 4) % 4, fill);
    w.extend_from_slice(after);
    w
}

#[test]
fn decoded_strings_never_take_the_bytes_after_them() {
    // Every length a Text holds inline and some past it, with text bytes
    // of each kind (ASCII, a NUL, non-ASCII, invalid UTF-8, a byte order
    // mark), each followed by nothing, by zeros, by 0xff bytes and by ASCII
    // letters: the decoded text is what Text::from_wire makes of the
    // string's own bytes.
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let kinds: [&[u8]; 6] = [
        b"az09_-",
        b"a\0",
        "é".as_bytes(),
        b"\xff\x80",
        b"\xef\xbb\xbf",
        b"\x7f ",
    ];
    for len in 0..=26usize {
        for kind in kinds {
            for trial in 0..8 {
                let raw: Vec<u8> = (0..len)
                    .map(|i| match trial {
                        0 => kind[i % kind.len()],
                        _ if next() % 4 == 0 => kind[next() as usize % kind.len()],
                        _ => b'a' + (next() % 26) as u8,
                    })
                    .collect();
                let want = Text::from_wire(&raw);
                for (fill, after) in [
                    (0u8, &[][..]),
                    (0, &[0; 24][..]),
                    (0xff, &[0xff; 24][..]),
                    (b'z', &[b'q'; 24][..]),
                ] {
                    let bytes = wire_string(&raw, fill, after);
                    let got = decode(&bytes, Format::Godot4, false);
                    match &want {
                        None => {
                            let e = got.unwrap_err();
                            assert_eq!(e.code, Error::ERR_INVALID_DATA, "{raw:?}");
                        }
                        Some(text) => {
                            let (v, used) = got.unwrap_or_else(|e| panic!("{raw:?}: {e:?}"));
                            assert_eq!(used, bytes.len() - after.len(), "{raw:?}");
                            match v {
                                Variant::String(s) => {
                                    assert_eq!(&s, text, "{raw:?} then {after:?}");
                                    assert_eq!(s.as_c().to_bytes(), text.bytes());
                                }
                                other => panic!("{other:?}"),
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn encoded_strings_are_length_bytes_and_zero_padding() {
    // Every inline length and some past it: the u32 length, the bytes,
    // zeros to a multiple of 4, alone and as a Dictionary's key and value.
    for len in 0..=30usize {
        let s: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        let want = wire_string(s.as_bytes(), 0, &[]);
        assert_eq!(g4(&Variant::String(t(&s))), want, "length {len}");
        let mut d = Dictionary::default();
        d.set(Variant::String(t(&s)), Variant::String(t(&s)));
        let mut dict = hex("1b000000 01000000");
        dict.extend_from_slice(&want);
        dict.extend_from_slice(&want);
        assert_eq!(g4(&Variant::Dictionary(Box::new(d))), dict, "length {len}");
    }
}

impl Rng {
    /// A plain value of the kinds the fast paths handle, and some they
    /// leave to the general code (long, non-ASCII, NUL-holding and BOM
    /// strings, Vector2 values that need 64 bits, a StringName).
    fn plain(&mut self) -> Variant {
        match self.below(12) {
            0 => Variant::Nil,
            1 => Variant::Bool(self.below(2) == 1),
            2 => Variant::Int(self.below(7) as i64 - 3),
            3 => Variant::Int(match self.below(3) {
                0 => self.next() as i64,
                1 => i64::from(i32::MAX) + 1,
                _ => i64::from(i32::MIN),
            }),
            4 => Variant::Float(match self.below(4) {
                0 => f64::from(self.f32()),
                1 => f64::from_bits(self.next()),
                2 => f64::NAN,
                _ => -0.0,
            }),
            5..=7 => {
                let alphabet = ["a", "k", "é", "_", "9", "\u{feff}", "\u{7f}"];
                let n = match self.below(4) {
                    0 => 20 + self.below(4), // both sides of the inline limit
                    _ => self.below(5),
                };
                let s: String = (0..n)
                    .map(|_| alphabet[self.below(alphabet.len() as u64) as usize])
                    .collect();
                Variant::String(t(&s))
            }
            8 => {
                let f = |r: &mut Rng| f64::from(r.f32());
                Variant::math(VariantType::TYPE_VECTOR2, &[f(self), f(self)]).unwrap()
            }
            9 => {
                let xy = [
                    f64::from(self.next() as i32),
                    f64::from(self.below(9) as i32),
                ];
                Variant::math(VariantType::TYPE_VECTOR2I, &xy).unwrap()
            }
            10 => Variant::StringName(t("n")),
            _ => Variant::Math(VariantType::TYPE_VECTOR2, Numbers::Two([0.1, 1e300])),
        }
    }

    /// A message of the shapes the fast paths take: a plain value, or an
    /// Array or Dictionary (now and then typed, or holding one container)
    /// of plain values; dictionary keys repeat now and then.
    fn flat(&mut self) -> Variant {
        let n = self.below(11) as usize;
        let mut v = match self.below(5) {
            0 => return self.plain(),
            1 => Variant::array(Array {
                elem_type: ContainerType::None,
                items: (0..n).map(|_| self.plain()).collect(),
            }),
            _ => {
                let mut d = Dictionary::default();
                for _ in 0..n {
                    let k = match self.below(4) {
                        0 => self.plain(),
                        _ => Variant::String(t(["hp", "pos", "name", "x"][self.below(4) as usize])),
                    };
                    d.set(k, self.plain());
                }
                Variant::dictionary(d)
            }
        };
        match (self.below(12), &mut v) {
            (0, Variant::Array(a)) => a.elem_type = ContainerType::Builtin(VariantType::TYPE_INT),
            (0, Variant::Dictionary(d)) => {
                d.value_type = ContainerType::Builtin(VariantType::TYPE_INT)
            }
            (1, Variant::Array(a)) => a.items.push(Variant::array(Array::default())),
            (1, Variant::Dictionary(d)) => {
                d.set(Variant::Nil, Variant::dictionary(Dictionary::default()))
            }
            _ => {}
        }
        v
    }
}

/// The messages of [`Rng::flat`], encoded, and each also cut short, with a
/// byte changed, or with a dictionary key written twice.
fn flat_messages() -> Vec<Vec<u8>> {
    let mut rng = Rng(0x0f1a_7000_0000_0001);
    let mut out = Vec::new();
    for _ in 0..4000 {
        let v = rng.flat();
        // Typed containers may refuse some values; those are not messages.
        let Ok(bytes) = encode::encode_general(Vec::new(), &v, Format::Godot4, false) else {
            continue;
        };
        let mut cut = bytes.clone();
        cut.truncate(rng.below(bytes.len() as u64 + 1) as usize);
        let mut changed = bytes.clone();
        let i = rng.below(bytes.len() as u64) as usize;
        changed[i] = match rng.below(3) {
            0 => rng.next() as u8,
            1 => changed[i] ^ 0x80,
            _ => 0,
        };
        if let Variant::Dictionary(d) = &v {
            if let Some((k, _)) = d.entries().first() {
                // The first key once more with another value, and the
                // count raised: the later value must win, in the first
                // key's place.
                let mut twice = bytes.clone();
                twice[4] = twice[4].wrapping_add(1);
                let other = Variant::Int(rng.below(100) as i64 + 1000);
                for e in [k, &other] {
                    twice.extend(
                        encode::encode_general(Vec::new(), e, Format::Godot4, false).unwrap(),
                    );
                }
                out.push(twice);
            }
        }
        out.extend([bytes, cut, changed]);
    }
    out
}

/// The decoder's fast path gives what the general decoder gives, or leaves
/// the message to it; and it does take the usual messages.
#[test]
fn the_quick_decoder_agrees_with_the_general_one() {
    let (mut quick, mut all) = (0, 0);
    for bytes in flat_messages() {
        all += 1;
        let general = decode::decode_general(&bytes, Format::Godot4, false);
        let Some((v, used)) = super::quick::decode(&bytes) else {
            continue;
        };
        quick += 1;
        let (g, g_used) =
            general.unwrap_or_else(|e| panic!("{bytes:02x?}: quick {v:?}, general {e}"));
        assert_eq!(format!("{v:?}"), format!("{g:?}"), "{bytes:02x?}");
        assert_eq!(used, g_used, "{bytes:02x?}");
    }
    assert!(
        quick > all / 8 && quick < all,
        "{quick} of {all} decoded quickly"
    );
    // The usual game message is one of them.
    let mut d = Dictionary::default();
    d.set(
        Variant::String(t("pos")),
        Variant::math(VariantType::TYPE_VECTOR2, &[1.5, -2.0]).unwrap(),
    );
    d.set(Variant::String(t("hp")), Variant::Int(42));
    d.set(Variant::String(t("name")), Variant::String(t("player")));
    let bytes = g4(&Variant::dictionary(d));
    assert!(super::quick::decode(&bytes).is_some());
}

/// The encoder's fast path writes what the general encoder writes, or
/// nothing; and it does take the usual messages.
#[test]
fn the_quick_encoder_agrees_with_the_general_one() {
    let mut rng = Rng(0x0f1a_7000_0000_0002);
    let (mut quick, mut all, mut too_long, mut fitted) = (0, 0, 0, 0);
    for i in 0..6000 {
        let v = if i % 4 == 0 {
            rng.value(0, false)
        } else if i % 10 == 1 {
            // Around the stack buffer's size: 15 to 35 ints of 8 or 12
            // bytes each.
            let n = 15 + rng.below(21) as usize;
            let int = |r: &mut Rng| match r.below(2) {
                0 => Variant::Int(r.below(100) as i64),
                _ => Variant::Int(i64::MAX - r.below(100) as i64),
            };
            Variant::array(Array {
                elem_type: ContainerType::None,
                items: (0..n).map(|_| int(&mut rng)).collect(),
            })
        } else {
            rng.flat()
        };
        all += 1;
        let before = vec![0xa5; i % 7];
        let general = encode::encode_general(before.clone(), &v, Format::Godot4, false);
        let mut out = before.clone();
        if !super::quick::encode(&v, &mut out) {
            assert_eq!(out, before, "{v:?}: a fast path that gave up left bytes");
            continue;
        }
        quick += 1;
        let general = general.map_err(|e| e.to_string());
        assert_eq!(Ok(out), general, "{v:?}");
        // The same on the stack: the same bytes when they fit, else
        // nothing (and `full` says that was why).
        let start = i % 9;
        let mut small = super::quick::Small::new(start);
        let want = &general.unwrap()[before.len()..];
        if super::quick::encode(&v, &mut small) {
            assert!(start + want.len() <= super::quick::SMALL_MSG, "{v:?}");
            assert_eq!(&small.bytes_mut()[start..], want, "{v:?}");
            assert!(small.bytes_mut()[..start].iter().all(|&b| b == 0));
            fitted = fitted.max(small.bytes_mut().len());
        } else {
            assert!(small.full, "{v:?}: gave up on the stack only");
            assert!(start + want.len() > super::quick::SMALL_MSG, "{v:?}");
            assert_eq!(small.bytes_mut().len(), start, "{v:?}: left bytes");
            too_long += 1;
        }
    }
    assert!(
        quick > all / 8 && quick < all,
        "{quick} of {all} encoded quickly"
    );
    assert!(too_long > 10, "{too_long} too long for the stack");
    assert!(
        fitted > super::quick::SMALL_MSG - 40,
        "the longest that fitted: {fitted}"
    );
}
