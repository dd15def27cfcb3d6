//! Generates the C header from the Rust sources with cbindgen.
//!
//! The header is always written to `$OUT_DIR/streampeer_tcp.h`; a test
//! (`tests/header_fresh.rs`) compares it with the committed
//! `include/streampeer_tcp.h`. With `SPTCP_WRITE_HEADER=1` (what
//! `make header` sets) the committed copy is rewritten as well.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=SPTCP_WRITE_HEADER");

    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets it"));
    let mut config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml parses");

    let (major, minor, patch) = (
        env::var("CARGO_PKG_VERSION_MAJOR").unwrap(),
        env::var("CARGO_PKG_VERSION_MINOR").unwrap(),
        env::var("CARGO_PKG_VERSION_PATCH").unwrap(),
    );
    config.after_includes = Some(format!(
        "\n#define SPTCP_VERSION_MAJOR {major}\n\
         #define SPTCP_VERSION_MINOR {minor}\n\
         #define SPTCP_VERSION_PATCH {patch}\n\
         /** The version as one number: (MAJOR << 16) | (MINOR << 8) | PATCH. */\n\
         #define SPTCP_VERSION_NUMBER ((SPTCP_VERSION_MAJOR << 16) | (SPTCP_VERSION_MINOR << 8) | SPTCP_VERSION_PATCH)\n"
    ));

    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header");
    bindings.write_to_file(out_dir.join("streampeer_tcp.h"));
    if env::var_os("SPTCP_WRITE_HEADER").is_some_and(|v| v == "1") {
        bindings.write_to_file(crate_dir.join("include/streampeer_tcp.h"));
    }
}
