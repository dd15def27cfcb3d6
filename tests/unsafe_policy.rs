//! Where `unsafe` may appear: the crate denies `unsafe_code` and allows it
//! in `core::sys` (the socket layer) and in `ffi`, because the lint also
//! counts `#[no_mangle]`. Inside `ffi` this test holds the rest of the
//! rule: unsafe blocks, functions and impls only in `boundary.rs` and
//! `handle.rs`, where C pointers become Rust values. (Clippy's
//! `undocumented_unsafe_blocks`, denied in src/lib.rs, makes each one say
//! why it is sound.)

use std::fs;
use std::path::{Path, PathBuf};

/// The lines of `text` that use `unsafe` as code (not in a comment).
fn unsafe_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or("");
            code.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|word| word == "unsafe")
        })
        .map(|(i, line)| (i + 1, line.trim().to_string()))
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn unsafe_code_in_ffi_only_where_pointers_are_cast() {
    let ffi = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ffi");
    let allowed = ["boundary.rs", "handle.rs"];
    let mut seen_allowed = 0;
    let mut bad = Vec::new();
    for file in rust_files(&ffi) {
        let lines = unsafe_lines(&fs::read_to_string(&file).unwrap());
        let name = file.file_name().unwrap().to_str().unwrap();
        if file.parent() == Some(ffi.as_path()) && allowed.contains(&name) {
            seen_allowed += lines.len();
        } else {
            bad.extend(
                lines
                    .into_iter()
                    .map(|(n, l)| format!("{}:{n}: {l}", file.display())),
            );
        }
    }
    assert!(
        seen_allowed > 5,
        "the scan finds the unsafe blocks that exist"
    );
    assert!(
        bad.is_empty(),
        "unsafe outside boundary.rs / handle.rs:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scan_sees_unsafe_code_and_ignores_comments() {
    let text = "let a = 1; // unsafe in a comment\nlet b = unsafe { f() };\n/// unsafe docs\n";
    assert_eq!(
        unsafe_lines(text),
        [(2, "let b = unsafe { f() };".to_string())]
    );
}
