//! The committed header must be exactly what the sources generate.

#[test]
fn committed_header_matches_the_sources() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/streampeer_tcp.h"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/streampeer_tcp.h");
    let committed = std::fs::read_to_string(path).expect("include/streampeer_tcp.h exists");
    assert!(
        committed == generated,
        "include/streampeer_tcp.h is stale: run `make header` and commit it"
    );
}

#[test]
fn header_version_macros_match_cargo_toml() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/streampeer_tcp.h"));
    for (name, value) in [
        ("MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define SPTCP_VERSION_{name} {value}\n");
        assert!(generated.contains(&line), "missing {line:?}");
    }
}

/// Every name the header defines carries the library's prefix, so it can be
/// included next to windows.h or code with its own ERROR or ALL.
#[test]
fn header_names_are_prefixed() {
    let header = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/include/streampeer_tcp.h"
    ))
    .unwrap();
    let mut bad = Vec::new();
    for line in header.lines() {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("#define ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.starts_with("SPTCP_") && name != "STREAMPEER_TCP_H" {
                bad.push(name);
            }
        }
        if let Some(rest) = line.strip_prefix("} ") {
            let name = rest.trim().trim_end_matches(';');
            if name.starts_with("//") {
                continue; // the end of extern "C"
            }
            if !name.starts_with("sptcp_") {
                bad.push(name.to_string());
            }
        }
    }
    assert!(
        bad.is_empty(),
        "names without the prefix in the header: {bad:?}"
    );
}
