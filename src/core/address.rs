//! IP literals the way Godot reads and prints them, the "*" wildcard, and
//! hostname resolution for `connect_to_host`.
//!
//! Godot stores every address as 16 bytes (IPv4 as `::ffff:a.b.c.d`) and
//! prints IPv4 dotted and IPv6 as eight uncompressed lowercase hex groups.
//! Literals are recognised with Godot's `String::is_valid_ip_address` rule;
//! unlike Godot, a string that passes that rule but does not parse as an
//! address (say "1:2:3:4:5:6:7:8:9") is rejected instead of being used as
//! garbage.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::error::{fail, Error, Result};

/// What a bind or listen address string means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindAddr {
    /// "*": every address, IPv4 and IPv6 (a dual-stack socket).
    Wildcard,
    /// One specific address ("0.0.0.0" and "::" are specific: one family).
    Ip(IpAddr),
}

/// Godot's `String::is_valid_ip_address`: does this look like an IP literal?
pub fn is_valid_ip_address(s: &str) -> bool {
    if s.contains(':') {
        s.split(':').all(|part| {
            part.is_empty()
                || (part.bytes().all(|b| b.is_ascii_hexdigit())
                    && u32::from_str_radix(part, 16).is_ok_and(|v| v <= 0xffff))
                || is_valid_ipv4(part)
        })
    } else {
        is_valid_ipv4(s)
    }
}

fn is_valid_ipv4(s: &str) -> bool {
    parse_ipv4(s).is_some()
}

/// Four dot-separated decimal numbers 0..=255 (an optional '+' or leading
/// zeros are accepted, as Godot's `is_valid_int` + `to_int` do): each part
/// is one optional '+' and one to three digits. One pass over the bytes,
/// as every `connect_to_host` to an IP literal starts here.
fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut part = 0;
    let (mut value, mut digits, mut plus) = (0u32, 0u32, false);
    for &b in s.as_bytes() {
        match b {
            b'0'..=b'9' if digits < 3 => {
                value = value * 10 + u32::from(b - b'0');
                digits += 1;
            }
            b'+' if digits == 0 && !plus => plus = true,
            b'.' if digits > 0 && part < 3 => {
                octets[part] = u8::try_from(value).ok()?;
                part += 1;
                (value, digits, plus) = (0, 0, false);
            }
            _ => return None,
        }
    }
    if digits == 0 || part != 3 {
        return None;
    }
    octets[3] = u8::try_from(value).ok()?;
    Some(Ipv4Addr::from(octets))
}

/// Parses an IP literal (IPv4 dotted, or IPv6 with `::` and an optional
/// trailing IPv4 part). `None` when it is not a literal or does not parse.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    if !is_valid_ip_address(s) {
        return None;
    }
    if s.contains(':') {
        s.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
    } else {
        parse_ipv4(s).map(IpAddr::V4)
    }
}

/// Reads the address argument of `bind` / `listen`: "*" or an IP literal.
/// Hostnames are not resolved there (as in Godot).
pub fn parse_bind_address(s: &str) -> Result<BindAddr> {
    if s == "*" {
        return Ok(BindAddr::Wildcard);
    }
    match parse_ip(s) {
        Some(ip) => Ok(BindAddr::Ip(ip)),
        None => fail(
            Error::ERR_INVALID_PARAMETER,
            format!("invalid bind address '{s}': expected \"*\" or an IPv4/IPv6 literal (hostnames are not resolved here)"),
        ),
    }
}

/// The address as Godot prints it: IPv4 (also IPv4-mapped IPv6) dotted, any
/// other IPv6 as eight lowercase hex groups without `::` compression.
pub fn format_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6
                .segments()
                .iter()
                .map(|g| format!("{g:x}"))
                .collect::<Vec<_>>()
                .join(":"),
        },
    }
}

/// Maps `::ffff:a.b.c.d` back to plain IPv4, as Godot's `is_ipv4()` does.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

/// How long a successful lookup is reused. Godot keeps them for the life
/// of the process; a minute keeps reconnect loops cheap without pinning a
/// stale address forever.
const CACHE_TTL: Duration = Duration::from_secs(60);
/// Godot's resolver queue size; also the bound of this cache.
const CACHE_MAX: usize = 256;

/// Successful lookups: (lower-case name, addresses, when). A short list
/// scanned linearly; it holds at most `CACHE_MAX` entries.
static CACHE: Mutex<Vec<(String, Vec<IpAddr>, Instant)>> = Mutex::new(Vec::new());

/// A name the system resolver could be asked about: the characters of host
/// names, numeric forms and scoped IPv6 ("fe80::1%lo"). Anything else
/// ("*", spaces, "[::1]") cannot resolve and is refused without a lookup.
fn plausible_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'%'))
        && !host.split('.').any(|label| label.len() > 63)
}

/// Names under ".invalid" never resolve (RFC 6761); refuse them locally.
fn reserved_invalid(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "invalid" || h.ends_with(".invalid")
}

/// Resolves `host` for `connect_to_host`: an IP literal is used as is,
/// anything else goes to the system resolver (getaddrinfo, blocking).
/// Every address comes back, in the resolver's order (RFC 6724: the one
/// Godot would take first), without repeats. Failure: `ERR_CANT_RESOLVE`.
pub fn resolve_all(host: &str) -> Result<Vec<IpAddr>> {
    if let Some(ip) = literal(host)? {
        return Ok(vec![ip]);
    }
    if !plausible_name(host) || reserved_invalid(host) {
        return fail(
            Error::ERR_CANT_RESOLVE,
            format!("can't resolve host '{host}': not a resolvable name"),
        );
    }
    let key = host.to_ascii_lowercase();
    if let Some(ips) = cache_get(&key) {
        return Ok(ips);
    }
    let found = (host, 0u16).to_socket_addrs().map(|it| {
        let mut ips: Vec<IpAddr> = Vec::new();
        for ip in it.map(|a| canonical(a.ip())) {
            if !ips.contains(&ip) {
                ips.push(ip);
            }
        }
        ips
    });
    match found {
        Ok(ips) if !ips.is_empty() => {
            cache_put(key, ips.clone());
            Ok(ips)
        }
        Ok(_) => fail(
            Error::ERR_CANT_RESOLVE,
            format!("can't resolve host '{host}': no addresses"),
        ),
        Err(e) => fail(
            Error::ERR_CANT_RESOLVE,
            format!("can't resolve host '{host}': {e}"),
        ),
    }
}

/// `Some(ip)` for an IP literal, `None` for a name; a string that looks
/// like a literal but does not parse is `ERR_INVALID_PARAMETER`.
pub fn literal(host: &str) -> Result<Option<IpAddr>> {
    // Dotted IPv4 (the common case) first: one pass decides. Without a
    // ':' nothing else is a literal.
    if let Some(ip) = parse_ipv4(host) {
        return Ok(Some(IpAddr::V4(ip)));
    }
    if !host.contains(':') {
        return Ok(None);
    }
    if !is_valid_ip_address(host) {
        return Ok(None);
    }
    match parse_ip(host) {
        Some(ip) => Ok(Some(ip)),
        None => fail(
            Error::ERR_INVALID_PARAMETER,
            format!("'{host}' looks like an IP address but does not parse as one"),
        ),
    }
}

/// Cached addresses of `host` (a name), if a lookup found them recently.
pub fn cached(host: &str) -> Option<Vec<IpAddr>> {
    cache_get(&host.to_ascii_lowercase())
}

fn cache_get(key: &str) -> Option<Vec<IpAddr>> {
    let cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .iter()
        .find(|(name, _, at)| name == key && at.elapsed() < CACHE_TTL)
        .map(|(_, ips, _)| ips.clone())
}

fn cache_put(key: String, ips: Vec<IpAddr>) {
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache.retain(|(name, _, at)| *name != key && at.elapsed() < CACHE_TTL);
    if cache.len() >= CACHE_MAX {
        cache.remove(0); // the oldest
    }
    cache.push((key, ips, Instant::now()));
}

/// `host:port` for messages, with brackets around IPv6.
pub fn display_endpoint(addr: SocketAddr) -> String {
    match canonical(addr.ip()) {
        IpAddr::V4(v4) => format!("{v4}:{}", addr.port()),
        IpAddr::V6(v6) => format!("[{v6}]:{}", addr.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn godot_literal_rule() {
        for s in [
            "127.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:7:8",
        ] {
            assert!(is_valid_ip_address(s), "{s}");
        }
        for s in [
            "localhost",
            "1.2.3",
            "1.2.3.4.5",
            "256.0.0.1",
            "[::1]",
            "*",
            "",
            "a.b.c.d",
            "12345::1",
            "1.2.3.-4",
        ] {
            assert!(!is_valid_ip_address(s), "{s}");
        }
    }

    /// The rule as Godot states it (split at '.', four parts, each an
    /// optional '+' and 1-3 digits, 0..=255), to check the one-pass parser.
    fn ipv4_by_parts(s: &str) -> Option<Ipv4Addr> {
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() != 4 {
            return None;
        }
        let mut octets = [0u8; 4];
        for (octet, part) in octets.iter_mut().zip(parts) {
            let digits = part.strip_prefix('+').unwrap_or(part);
            if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            *octet = u8::try_from(digits.parse::<u32>().ok()?).ok()?;
        }
        Some(Ipv4Addr::from(octets))
    }

    #[test]
    fn ipv4_parser_agrees_with_the_rule() {
        // Every string of up to 5 bytes over this alphabet, alone and in
        // place of one, two or three parts of a valid address, so that
        // every position of every part is covered.
        let alphabet = b"0129+.:a ";
        let mut checked = 0;
        let mut accepted = 0;
        let mut word = Vec::new();
        let mut stack = vec![0usize; 0];
        loop {
            let w = String::from_utf8(word.clone()).unwrap();
            for s in [
                w.clone(),
                format!("{w}.22.33.44"),
                format!("11.{w}.33.44"),
                format!("11.22.33.{w}"),
                format!("11.22.{w}"),
                format!("{w}.22.33"),
                format!("11.{w}.33"),
                format!("11.{w}"),
            ] {
                let got = parse_ipv4(&s);
                assert_eq!(got, ipv4_by_parts(&s), "{s:?}");
                checked += 1;
                accepted += usize::from(got.is_some());
            }
            // The next word (odometer over the alphabet).
            let mut i = stack.len();
            loop {
                if i == 0 {
                    if stack.len() == 5 {
                        assert!(
                            checked > 500_000 && accepted > 3_000,
                            "{checked} {accepted}"
                        );
                        return;
                    }
                    stack = vec![0; stack.len() + 1];
                    break;
                }
                i -= 1;
                stack[i] += 1;
                if stack[i] < alphabet.len() {
                    break;
                }
                stack[i] = 0;
            }
            word = stack.iter().map(|&k| alphabet[k]).collect();
        }
    }

    #[test]
    fn parse_and_bind_addresses() {
        assert_eq!(parse_ip("10.0.0.1"), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(parse_ip("010.0.0.1"), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(parse_ip("::1"), Some("::1".parse().unwrap()));
        assert_eq!(parse_ip("1:2:3:4:5:6:7:8:9"), None);
        assert_eq!(parse_bind_address("*"), Ok(BindAddr::Wildcard));
        assert_eq!(
            parse_bind_address("0.0.0.0"),
            Ok(BindAddr::Ip("0.0.0.0".parse().unwrap()))
        );
        assert_eq!(
            parse_bind_address("localhost").unwrap_err().code,
            Error::ERR_INVALID_PARAMETER
        );
    }

    #[test]
    fn godot_formatting() {
        assert_eq!(format_ip("127.0.0.1".parse().unwrap()), "127.0.0.1");
        assert_eq!(format_ip("::1".parse().unwrap()), "0:0:0:0:0:0:0:1");
        assert_eq!(
            format_ip("fe80::AB:1".parse().unwrap()),
            "fe80:0:0:0:0:0:ab:1"
        );
        assert_eq!(
            format_ip("::ffff:192.168.1.2".parse().unwrap()),
            "192.168.1.2"
        );
        assert_eq!(format_ip("::".parse().unwrap()), "0:0:0:0:0:0:0:0");
    }

    #[test]
    fn resolution() {
        assert_eq!(
            resolve_all("127.0.0.1"),
            Ok(vec!["127.0.0.1".parse().unwrap()])
        );
        let local = resolve_all("localhost").expect("localhost resolves");
        assert!(
            !local.is_empty() && local.iter().all(IpAddr::is_loopback),
            "{local:?}"
        );
        assert_eq!(cached("LOCALHOST"), Some(local));
        for bad in ["*", "", "no such host", "nonexistent.invalid", "x.INVALID."] {
            assert_eq!(
                resolve_all(bad).unwrap_err().code,
                Error::ERR_CANT_RESOLVE,
                "{bad}"
            );
        }
        assert_eq!(
            resolve_all("1:2:3:4:5:6:7:8:9").unwrap_err().code,
            Error::ERR_INVALID_PARAMETER
        );
    }
}
