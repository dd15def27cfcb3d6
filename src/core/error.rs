//! Godot's `Error` enum (same names, same numbers), its texts, and the
//! failure value the core returns: a code plus a human-readable detail.

use std::ffi::CStr;
use std::fmt;

/// Result codes: Godot 4's `Error` enum, with the same numbers.
///
/// `OK` (0) is success; every other value is a failure. The texts are
/// Godot's (`sptcp_error_string`) and the names Godot's constants
/// (`sptcp_error_name`). A panic inside the library is reported as
/// `ERR_BUG` (47). The values the TCP calls return are 0, 1, 2, 6, 18,
/// 20, 22, 24, 26, 27, 30, 31 and 47.
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    OK = 0,
    FAILED = 1,
    ERR_UNAVAILABLE = 2,
    ERR_UNCONFIGURED = 3,
    ERR_UNAUTHORIZED = 4,
    ERR_PARAMETER_RANGE_ERROR = 5,
    ERR_OUT_OF_MEMORY = 6,
    ERR_FILE_NOT_FOUND = 7,
    ERR_FILE_BAD_DRIVE = 8,
    ERR_FILE_BAD_PATH = 9,
    ERR_FILE_NO_PERMISSION = 10,
    ERR_FILE_ALREADY_IN_USE = 11,
    ERR_FILE_CANT_OPEN = 12,
    ERR_FILE_CANT_WRITE = 13,
    ERR_FILE_CANT_READ = 14,
    ERR_FILE_UNRECOGNIZED = 15,
    ERR_FILE_CORRUPT = 16,
    ERR_FILE_MISSING_DEPENDENCIES = 17,
    ERR_FILE_EOF = 18,
    ERR_CANT_OPEN = 19,
    ERR_CANT_CREATE = 20,
    ERR_QUERY_FAILED = 21,
    ERR_ALREADY_IN_USE = 22,
    ERR_LOCKED = 23,
    ERR_TIMEOUT = 24,
    ERR_CANT_CONNECT = 25,
    ERR_CANT_RESOLVE = 26,
    ERR_CONNECTION_ERROR = 27,
    ERR_CANT_ACQUIRE_RESOURCE = 28,
    ERR_CANT_FORK = 29,
    ERR_INVALID_DATA = 30,
    ERR_INVALID_PARAMETER = 31,
    ERR_ALREADY_EXISTS = 32,
    ERR_DOES_NOT_EXIST = 33,
    ERR_DATABASE_CANT_READ = 34,
    ERR_DATABASE_CANT_WRITE = 35,
    ERR_COMPILATION_FAILED = 36,
    ERR_METHOD_NOT_FOUND = 37,
    ERR_LINK_FAILED = 38,
    ERR_SCRIPT_FAILED = 39,
    ERR_CYCLIC_LINK = 40,
    ERR_INVALID_DECLARATION = 41,
    ERR_DUPLICATE_SYMBOL = 42,
    ERR_PARSE_ERROR = 43,
    ERR_BUSY = 44,
    ERR_SKIP = 45,
    ERR_HELP = 46,
    ERR_BUG = 47,
    ERR_PRINTER_ON_FIRE = 48,
}

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

use Error::*;

const ALL: [Error; 49] = [
    OK,
    FAILED,
    ERR_UNAVAILABLE,
    ERR_UNCONFIGURED,
    ERR_UNAUTHORIZED,
    ERR_PARAMETER_RANGE_ERROR,
    ERR_OUT_OF_MEMORY,
    ERR_FILE_NOT_FOUND,
    ERR_FILE_BAD_DRIVE,
    ERR_FILE_BAD_PATH,
    ERR_FILE_NO_PERMISSION,
    ERR_FILE_ALREADY_IN_USE,
    ERR_FILE_CANT_OPEN,
    ERR_FILE_CANT_WRITE,
    ERR_FILE_CANT_READ,
    ERR_FILE_UNRECOGNIZED,
    ERR_FILE_CORRUPT,
    ERR_FILE_MISSING_DEPENDENCIES,
    ERR_FILE_EOF,
    ERR_CANT_OPEN,
    ERR_CANT_CREATE,
    ERR_QUERY_FAILED,
    ERR_ALREADY_IN_USE,
    ERR_LOCKED,
    ERR_TIMEOUT,
    ERR_CANT_CONNECT,
    ERR_CANT_RESOLVE,
    ERR_CONNECTION_ERROR,
    ERR_CANT_ACQUIRE_RESOURCE,
    ERR_CANT_FORK,
    ERR_INVALID_DATA,
    ERR_INVALID_PARAMETER,
    ERR_ALREADY_EXISTS,
    ERR_DOES_NOT_EXIST,
    ERR_DATABASE_CANT_READ,
    ERR_DATABASE_CANT_WRITE,
    ERR_COMPILATION_FAILED,
    ERR_METHOD_NOT_FOUND,
    ERR_LINK_FAILED,
    ERR_SCRIPT_FAILED,
    ERR_CYCLIC_LINK,
    ERR_INVALID_DECLARATION,
    ERR_DUPLICATE_SYMBOL,
    ERR_PARSE_ERROR,
    ERR_BUSY,
    ERR_SKIP,
    ERR_HELP,
    ERR_BUG,
    ERR_PRINTER_ON_FIRE,
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
            assert_eq!(e.name(), format!("{e:?}"));
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
        assert_eq!(Error::ERR_BUSY.text(), "Busy");
        assert_eq!(Error::from_code(27), Some(ERR_CONNECTION_ERROR));
        assert_eq!(Error::from_code(49), None);
    }
}
