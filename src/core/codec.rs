//! Pure conversions shared by the stream and (later) Variant code: IEEE
//! half floats the way Godot makes them, and Godot's string decodings.

/// Godot's `Math::make_half_float`: truncates the mantissa (no rounding),
/// flushes magnitudes below 2^-14 to +0 (the sign is lost too), and maps
/// |f| >= 65536, infinities and NaN to the exponent-31 patterns (NaN keeps
/// an all-ones mantissa: 0x7FFF or 0xFFFF).
pub fn make_half_float(f: f32) -> u16 {
    let x = f.to_bits();
    let sign = (x >> 31) as u16;
    let mut mant = x & 0x007f_ffff;
    let exp = x & 0x7f80_0000;
    if exp >= 0x4780_0000 {
        mant = if exp == 0x7f80_0000 && mant != 0 {
            0x007f_ffff
        } else {
            0
        };
        (sign << 15) | (0x1f << 10) | (mant >> 13) as u16
    } else if exp <= 0x3800_0000 {
        0
    } else {
        (sign << 15) | ((exp - 0x3800_0000) >> 13) as u16 | (mant >> 13) as u16
    }
}

/// Exact IEEE binary16 → binary32, subnormals included.
pub fn half_to_float(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0f32 } else { 1.0f32 };
    let exp = i32::from((h >> 10) & 0x1f);
    let mant = f32::from(h & 0x03ff);
    match exp {
        0 => sign * mant * 2f32.powi(-24),
        31 if mant == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN.copysign(sign),
        e => sign * (1.0 + mant / 1024.0) * 2f32.powi(e - 15),
    }
}

/// Godot's `String(const char *)` for `get_string`: Latin-1 (each byte is
/// the code point U+00xx), stopping at the first NUL byte.
pub fn latin1_to_string(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| char::from(b))
        .collect()
}

/// Godot's `String::utf8` for `get_utf8_string`: a leading BOM is skipped,
/// the text stops at the first NUL byte, and invalid sequences become
/// U+FFFD (one per maximal invalid subpart, the Unicode-recommended rule).
pub fn utf8_to_string(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Godot's `String::ascii()` for `put_string`: one byte per code point,
/// code points above U+007F become a space.
pub fn string_to_ascii(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| if c.is_ascii() { c as u8 } else { b' ' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn godot_half_vectors() {
        assert_eq!(make_half_float(0.333_251_95), 0x3555);
        assert_eq!(half_to_float(0x3555), 0.333_251_95);
        assert_eq!(make_half_float(std::f32::consts::PI), 0x4248);
        assert_eq!(half_to_float(0x4248), 3.140625);
        // Truncation, not rounding: 65520 stays at exponent 30.
        assert_eq!(make_half_float(65520.0), 0x7bff);
        assert_eq!(half_to_float(0x7bff), 65504.0);
        assert_eq!(make_half_float(65536.0), 0x7c00);
        assert_eq!(make_half_float(f32::INFINITY), 0x7c00);
        assert_eq!(make_half_float(f32::NEG_INFINITY), 0xfc00);
        assert_eq!(make_half_float(f32::NAN), 0x7fff);
        assert_eq!(make_half_float(-f32::NAN), 0xffff);
        // Flush to +0 below 2^-14, sign lost.
        assert_eq!(make_half_float(-0.0), 0);
        assert_eq!(make_half_float(2f32.powi(-15)), 0);
        assert_eq!(make_half_float(-(2f32.powi(-15))), 0);
        assert_eq!(make_half_float(2f32.powi(-14) * 1.5), 0x0600);
        // Decoding is exact, subnormals included.
        assert_eq!(half_to_float(0x0001), 2f32.powi(-24));
        assert_eq!(half_to_float(0x03ff), 1023.0 * 2f32.powi(-24));
        assert_eq!(half_to_float(0x8000).to_bits(), (-0.0f32).to_bits());
        assert!(half_to_float(0x7e00).is_nan());
        assert_eq!(half_to_float(0xfc00), f32::NEG_INFINITY);
    }

    #[test]
    fn every_normal_half_round_trips() {
        for h in 0x0400u16..0x7c00 {
            assert_eq!(make_half_float(half_to_float(h)), h);
            assert_eq!(make_half_float(half_to_float(h | 0x8000)), h | 0x8000);
        }
    }

    #[test]
    fn string_decodings() {
        assert_eq!(latin1_to_string(b"caf\xe9\0tail"), "café");
        assert_eq!(utf8_to_string(b"\xef\xbb\xbfhi\0x"), "hi");
        assert_eq!(utf8_to_string(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(string_to_ascii("Hé✩!"), b"H  !");
    }
}
