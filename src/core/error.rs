//! Godot's `Error` enum (same names, same numbers), its texts, and the
//! failure value the core returns: a code plus a human-readable detail.

use std::ffi::CStr;
use std::fmt;

/// Result codes: Godot 4's `Error` enum, with the same numbers.
///
/// `SPTCP_OK` (0) is success; every other value is a failure. The texts are
/// Godot's (`sptcp_error_string`) and the names Godot's constants
/// (`sptcp_error_name`). A panic inside the library is reported as
/// `SPTCP_ERR_BUG` (47). The values the TCP calls return are 0, 1, 2, 6, 18,
/// 20, 22, 24, 26, 27, 30, 31 and 47.
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum sptcp_error {
    SPTCP_OK = 0,
    SPTCP_FAILED = 1,
    SPTCP_ERR_UNAVAILABLE = 2,
    SPTCP_ERR_UNCONFIGURED = 3,
    SPTCP_ERR_UNAUTHORIZED = 4,
    SPTCP_ERR_PARAMETER_RANGE_ERROR = 5,
    SPTCP_ERR_OUT_OF_MEMORY = 6,
    SPTCP_ERR_FILE_NOT_FOUND = 7,
    SPTCP_ERR_FILE_BAD_DRIVE = 8,
    SPTCP_ERR_FILE_BAD_PATH = 9,
    SPTCP_ERR_FILE_NO_PERMISSION = 10,
    SPTCP_ERR_FILE_ALREADY_IN_USE = 11,
    SPTCP_ERR_FILE_CANT_OPEN = 12,
    SPTCP_ERR_FILE_CANT_WRITE = 13,
    SPTCP_ERR_FILE_CANT_READ = 14,
    SPTCP_ERR_FILE_UNRECOGNIZED = 15,
    SPTCP_ERR_FILE_CORRUPT = 16,
    SPTCP_ERR_FILE_MISSING_DEPENDENCIES = 17,
    SPTCP_ERR_FILE_EOF = 18,
    SPTCP_ERR_CANT_OPEN = 19,
    SPTCP_ERR_CANT_CREATE = 20,
    SPTCP_ERR_QUERY_FAILED = 21,
    SPTCP_ERR_ALREADY_IN_USE = 22,
    SPTCP_ERR_LOCKED = 23,
    SPTCP_ERR_TIMEOUT = 24,
    SPTCP_ERR_CANT_CONNECT = 25,
    SPTCP_ERR_CANT_RESOLVE = 26,
    SPTCP_ERR_CONNECTION_ERROR = 27,
    SPTCP_ERR_CANT_ACQUIRE_RESOURCE = 28,
    SPTCP_ERR_CANT_FORK = 29,
    SPTCP_ERR_INVALID_DATA = 30,
    SPTCP_ERR_INVALID_PARAMETER = 31,
    SPTCP_ERR_ALREADY_EXISTS = 32,
    SPTCP_ERR_DOES_NOT_EXIST = 33,
    SPTCP_ERR_DATABASE_CANT_READ = 34,
    SPTCP_ERR_DATABASE_CANT_WRITE = 35,
    SPTCP_ERR_COMPILATION_FAILED = 36,
    SPTCP_ERR_METHOD_NOT_FOUND = 37,
    SPTCP_ERR_LINK_FAILED = 38,
    SPTCP_ERR_SCRIPT_FAILED = 39,
    SPTCP_ERR_CYCLIC_LINK = 40,
    SPTCP_ERR_INVALID_DECLARATION = 41,
    SPTCP_ERR_DUPLICATE_SYMBOL = 42,
    SPTCP_ERR_PARSE_ERROR = 43,
    SPTCP_ERR_BUSY = 44,
    SPTCP_ERR_SKIP = 45,
    SPTCP_ERR_HELP = 46,
    SPTCP_ERR_BUG = 47,
    SPTCP_ERR_PRINTER_ON_FIRE = 48,
}

/// The crate-internal name of [`sptcp_error`].
pub use sptcp_error as Error;

/// Godot's `error_names[]`, indexed by the error number.
const TEXTS: [&CStr; 49] = [
    c"OK",
    c"Failed",
    c"Unavailable",
    c"Unconfigured",
    c"Unauthorized",
    c"Parameter out of range",
    c"Out of memory",
    c"File not found",
    c"File: Bad drive",
    c"File: Bad path",
    c"File: Permission denied",
    c"File already in use",
    c"Can't open file",
    c"Can't write file",
    c"Can't read file",
    c"File unrecognized",
    c"File corrupt",
    c"Missing dependencies for file",
    c"End of file",
    c"Can't open",
    c"Can't create",
    c"Query failed",
    c"Already in use",
    c"Locked",
    c"Timeout",
    c"Can't connect",
    c"Can't resolve",
    c"Connection error",
    c"Can't acquire resource",
    c"Can't fork",
    c"Invalid data",
    c"Invalid parameter",
    c"Already exists",
    c"Does not exist",
    c"Can't read database",
    c"Can't write database",
    c"Compilation failed",
    c"Method not found",
    c"Link failed",
    c"Script failed",
    c"Cyclic link detected",
    c"Invalid declaration",
    c"Duplicate symbol",
    c"Parse error",
    c"Busy",
    c"Skip",
    c"Help",
    c"Bug",
    c"Printer on fire",
];

impl Error {
    /// Godot's text for `code` ("Can't connect"), or "Unknown error".
    pub fn c_text_of(code: i32) -> &'static CStr {
        match Self::from_code(code) {
            Some(e) => TEXTS[e as usize],
            None => c"Unknown error",
        }
    }

    /// Godot's constant name for `code` ("ERR_CANT_CONNECT", "OK"), or
    /// "UNKNOWN_ERROR".
    pub fn c_name_of(code: i32) -> &'static CStr {
        match Self::from_code(code) {
            Some(e) => NAMES[e as usize],
            None => c"UNKNOWN_ERROR",
        }
    }

    /// The code with this number, if there is one.
    pub fn from_code(code: i32) -> Option<Error> {
        ALL.get(usize::try_from(code).ok()?).copied()
    }

    /// The constant's name without the `SPTCP_` prefix, e.g. "ERR_BUSY".
    pub fn name(self) -> &'static str {
        NAMES[self as usize].to_str().unwrap_or("?")
    }

    /// Godot's text for this code.
    pub fn text(self) -> &'static str {
        TEXTS[self as usize].to_str().unwrap_or("?")
    }
}

use sptcp_error::*;

const ALL: [Error; 49] = [
    SPTCP_OK,
    SPTCP_FAILED,
    SPTCP_ERR_UNAVAILABLE,
    SPTCP_ERR_UNCONFIGURED,
    SPTCP_ERR_UNAUTHORIZED,
    SPTCP_ERR_PARAMETER_RANGE_ERROR,
    SPTCP_ERR_OUT_OF_MEMORY,
    SPTCP_ERR_FILE_NOT_FOUND,
    SPTCP_ERR_FILE_BAD_DRIVE,
    SPTCP_ERR_FILE_BAD_PATH,
    SPTCP_ERR_FILE_NO_PERMISSION,
    SPTCP_ERR_FILE_ALREADY_IN_USE,
    SPTCP_ERR_FILE_CANT_OPEN,
    SPTCP_ERR_FILE_CANT_WRITE,
    SPTCP_ERR_FILE_CANT_READ,
    SPTCP_ERR_FILE_UNRECOGNIZED,
    SPTCP_ERR_FILE_CORRUPT,
    SPTCP_ERR_FILE_MISSING_DEPENDENCIES,
    SPTCP_ERR_FILE_EOF,
    SPTCP_ERR_CANT_OPEN,
    SPTCP_ERR_CANT_CREATE,
    SPTCP_ERR_QUERY_FAILED,
    SPTCP_ERR_ALREADY_IN_USE,
    SPTCP_ERR_LOCKED,
    SPTCP_ERR_TIMEOUT,
    SPTCP_ERR_CANT_CONNECT,
    SPTCP_ERR_CANT_RESOLVE,
    SPTCP_ERR_CONNECTION_ERROR,
    SPTCP_ERR_CANT_ACQUIRE_RESOURCE,
    SPTCP_ERR_CANT_FORK,
    SPTCP_ERR_INVALID_DATA,
    SPTCP_ERR_INVALID_PARAMETER,
    SPTCP_ERR_ALREADY_EXISTS,
    SPTCP_ERR_DOES_NOT_EXIST,
    SPTCP_ERR_DATABASE_CANT_READ,
    SPTCP_ERR_DATABASE_CANT_WRITE,
    SPTCP_ERR_COMPILATION_FAILED,
    SPTCP_ERR_METHOD_NOT_FOUND,
    SPTCP_ERR_LINK_FAILED,
    SPTCP_ERR_SCRIPT_FAILED,
    SPTCP_ERR_CYCLIC_LINK,
    SPTCP_ERR_INVALID_DECLARATION,
    SPTCP_ERR_DUPLICATE_SYMBOL,
    SPTCP_ERR_PARSE_ERROR,
    SPTCP_ERR_BUSY,
    SPTCP_ERR_SKIP,
    SPTCP_ERR_HELP,
    SPTCP_ERR_BUG,
    SPTCP_ERR_PRINTER_ON_FIRE,
];

/// Godot's constant names, indexed by number (static strings for the C API).
const NAMES: [&CStr; 49] = [
    c"OK",
    c"FAILED",
    c"ERR_UNAVAILABLE",
    c"ERR_UNCONFIGURED",
    c"ERR_UNAUTHORIZED",
    c"ERR_PARAMETER_RANGE_ERROR",
    c"ERR_OUT_OF_MEMORY",
    c"ERR_FILE_NOT_FOUND",
    c"ERR_FILE_BAD_DRIVE",
    c"ERR_FILE_BAD_PATH",
    c"ERR_FILE_NO_PERMISSION",
    c"ERR_FILE_ALREADY_IN_USE",
    c"ERR_FILE_CANT_OPEN",
    c"ERR_FILE_CANT_WRITE",
    c"ERR_FILE_CANT_READ",
    c"ERR_FILE_UNRECOGNIZED",
    c"ERR_FILE_CORRUPT",
    c"ERR_FILE_MISSING_DEPENDENCIES",
    c"ERR_FILE_EOF",
    c"ERR_CANT_OPEN",
    c"ERR_CANT_CREATE",
    c"ERR_QUERY_FAILED",
    c"ERR_ALREADY_IN_USE",
    c"ERR_LOCKED",
    c"ERR_TIMEOUT",
    c"ERR_CANT_CONNECT",
    c"ERR_CANT_RESOLVE",
    c"ERR_CONNECTION_ERROR",
    c"ERR_CANT_ACQUIRE_RESOURCE",
    c"ERR_CANT_FORK",
    c"ERR_INVALID_DATA",
    c"ERR_INVALID_PARAMETER",
    c"ERR_ALREADY_EXISTS",
    c"ERR_DOES_NOT_EXIST",
    c"ERR_DATABASE_CANT_READ",
    c"ERR_DATABASE_CANT_WRITE",
    c"ERR_COMPILATION_FAILED",
    c"ERR_METHOD_NOT_FOUND",
    c"ERR_LINK_FAILED",
    c"ERR_SCRIPT_FAILED",
    c"ERR_CYCLIC_LINK",
    c"ERR_INVALID_DECLARATION",
    c"ERR_DUPLICATE_SYMBOL",
    c"ERR_PARSE_ERROR",
    c"ERR_BUSY",
    c"ERR_SKIP",
    c"ERR_HELP",
    c"ERR_BUG",
    c"ERR_PRINTER_ON_FIRE",
];

/// A failed operation: the Godot code the caller sees, and the detail that
/// goes to `sptcp_last_error_message()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: Error,
    pub message: String,
}

impl Failure {
    pub fn new(code: Error, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code.name(),
            self.code as i32,
            self.message
        )
    }
}

/// Shorthand for a `Result` whose error is a [`Failure`].
pub type Result<T> = std::result::Result<T, Failure>;

/// `Err(Failure)` with a formatted message.
pub fn fail<T>(code: Error, message: impl Into<String>) -> Result<T> {
    Err(Failure::new(code, message))
}

/// A failure caused by an OS error: "what: OS text (os error N)".
pub fn io_fail(code: Error, what: &str, e: &std::io::Error) -> Failure {
    Failure::new(code, format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_consecutive_and_tables_line_up() {
        for (i, e) in ALL.iter().enumerate() {
            assert_eq!(*e as usize, i, "{e:?}");
            // The NAMES table must spell the variant's own name.
            assert_eq!(format!("SPTCP_{}", e.name()), format!("{e:?}"));
        }
        assert_eq!(ALL.len(), 49, "Godot's ERR_MAX");
    }

    #[test]
    fn texts_and_names() {
        assert_eq!(Error::c_text_of(25), c"Can't connect");
        assert_eq!(Error::c_text_of(0), c"OK");
        assert_eq!(Error::c_text_of(48), c"Printer on fire");
        assert_eq!(Error::c_text_of(49), c"Unknown error");
        assert_eq!(Error::c_text_of(-1), c"Unknown error");
        assert_eq!(Error::c_name_of(26), c"ERR_CANT_RESOLVE");
        assert_eq!(Error::c_name_of(1), c"FAILED");
        assert_eq!(Error::c_name_of(i32::MIN), c"UNKNOWN_ERROR");
        assert_eq!(Error::SPTCP_ERR_BUSY.text(), "Busy");
        assert_eq!(Error::from_code(27), Some(SPTCP_ERR_CONNECTION_ERROR));
        assert_eq!(Error::from_code(49), None);
    }
}
