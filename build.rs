//! Generates the C header from the Rust sources with cbindgen.
//!
//! The header is always written to `$OUT_DIR/streampeer_tcp.h`; a test
//! (`tests/header_fresh.rs`) compares it with the committed
//! `include/streampeer_tcp.h`. With `SPTCP_WRITE_HEADER=1` (what
//! `make header` sets) the committed copy is rewritten as well.
//!
//! On Linux the shared library also gets its SONAME, `libstreampeer_tcp.so.MAJOR`
//! (see `soname`).

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=SPTCP_WRITE_HEADER");
    soname();

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

/// Linux: the cdylib's SONAME is `libstreampeer_tcp.so.MAJOR` (`.so.0` before
/// 1.0); `make install` lays the `.so` -> `.so.0` -> `.so.0.MINOR.PATCH` links.
/// A program linked with `-lstreampeer_tcp` records that name as NEEDED, so
/// the build tree gets a `libstreampeer_tcp.so.MAJOR` -> `libstreampeer_tcp.so`
/// link beside the library too: programs linked against `target/<profile>`
/// with an rpath there (the C tests, the examples, the benchmark) still run.
/// Other targets (Windows, macOS, FreeBSD) are left as they were.
fn soname() {
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let major = env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
    let soname = format!("libstreampeer_tcp.so.{major}");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    // OUT_DIR is <target-dir>/<profile>/build/<package>-<hash>/out, and the
    // library is linked into <target-dir>/<profile>.
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets it"));
    if let Some(artifacts) = out_dir.ancestors().nth(3) {
        #[cfg(unix)]
        {
            let link = artifacts.join(&soname);
            if std::fs::read_link(&link).ok().as_deref() != Some("libstreampeer_tcp.so".as_ref()) {
                let _ = std::fs::remove_file(&link);
                // Best effort: a failure only affects programs run from the build tree.
                let _ = std::os::unix::fs::symlink("libstreampeer_tcp.so", &link);
            }
        }
        #[cfg(not(unix))]
        let _ = artifacts;
    }
}
