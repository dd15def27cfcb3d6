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
