//! The C enums of the header: Godot's numbers under the `SPTCP_` names,
//! and their conversions from the core's own types (which use Godot's names
//! without the prefix).

use crate::core::error::Error;
use crate::core::socket_stream::Status;
use crate::core::tls_peer::TlsStatus;
use crate::core::variant::VariantType;

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

impl From<Error> for sptcp_error {
    fn from(e: Error) -> sptcp_error {
        match e {
            Error::OK => sptcp_error::SPTCP_OK,
            Error::FAILED => sptcp_error::SPTCP_FAILED,
            Error::ERR_UNAVAILABLE => sptcp_error::SPTCP_ERR_UNAVAILABLE,
            Error::ERR_UNCONFIGURED => sptcp_error::SPTCP_ERR_UNCONFIGURED,
            Error::ERR_UNAUTHORIZED => sptcp_error::SPTCP_ERR_UNAUTHORIZED,
            Error::ERR_PARAMETER_RANGE_ERROR => sptcp_error::SPTCP_ERR_PARAMETER_RANGE_ERROR,
            Error::ERR_OUT_OF_MEMORY => sptcp_error::SPTCP_ERR_OUT_OF_MEMORY,
            Error::ERR_FILE_NOT_FOUND => sptcp_error::SPTCP_ERR_FILE_NOT_FOUND,
            Error::ERR_FILE_BAD_DRIVE => sptcp_error::SPTCP_ERR_FILE_BAD_DRIVE,
            Error::ERR_FILE_BAD_PATH => sptcp_error::SPTCP_ERR_FILE_BAD_PATH,
            Error::ERR_FILE_NO_PERMISSION => sptcp_error::SPTCP_ERR_FILE_NO_PERMISSION,
            Error::ERR_FILE_ALREADY_IN_USE => sptcp_error::SPTCP_ERR_FILE_ALREADY_IN_USE,
            Error::ERR_FILE_CANT_OPEN => sptcp_error::SPTCP_ERR_FILE_CANT_OPEN,
            Error::ERR_FILE_CANT_WRITE => sptcp_error::SPTCP_ERR_FILE_CANT_WRITE,
            Error::ERR_FILE_CANT_READ => sptcp_error::SPTCP_ERR_FILE_CANT_READ,
            Error::ERR_FILE_UNRECOGNIZED => sptcp_error::SPTCP_ERR_FILE_UNRECOGNIZED,
            Error::ERR_FILE_CORRUPT => sptcp_error::SPTCP_ERR_FILE_CORRUPT,
            Error::ERR_FILE_MISSING_DEPENDENCIES => {
                sptcp_error::SPTCP_ERR_FILE_MISSING_DEPENDENCIES
            }
            Error::ERR_FILE_EOF => sptcp_error::SPTCP_ERR_FILE_EOF,
            Error::ERR_CANT_OPEN => sptcp_error::SPTCP_ERR_CANT_OPEN,
            Error::ERR_CANT_CREATE => sptcp_error::SPTCP_ERR_CANT_CREATE,
            Error::ERR_QUERY_FAILED => sptcp_error::SPTCP_ERR_QUERY_FAILED,
            Error::ERR_ALREADY_IN_USE => sptcp_error::SPTCP_ERR_ALREADY_IN_USE,
            Error::ERR_LOCKED => sptcp_error::SPTCP_ERR_LOCKED,
            Error::ERR_TIMEOUT => sptcp_error::SPTCP_ERR_TIMEOUT,
            Error::ERR_CANT_CONNECT => sptcp_error::SPTCP_ERR_CANT_CONNECT,
            Error::ERR_CANT_RESOLVE => sptcp_error::SPTCP_ERR_CANT_RESOLVE,
            Error::ERR_CONNECTION_ERROR => sptcp_error::SPTCP_ERR_CONNECTION_ERROR,
            Error::ERR_CANT_ACQUIRE_RESOURCE => sptcp_error::SPTCP_ERR_CANT_ACQUIRE_RESOURCE,
            Error::ERR_CANT_FORK => sptcp_error::SPTCP_ERR_CANT_FORK,
            Error::ERR_INVALID_DATA => sptcp_error::SPTCP_ERR_INVALID_DATA,
            Error::ERR_INVALID_PARAMETER => sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            Error::ERR_ALREADY_EXISTS => sptcp_error::SPTCP_ERR_ALREADY_EXISTS,
            Error::ERR_DOES_NOT_EXIST => sptcp_error::SPTCP_ERR_DOES_NOT_EXIST,
            Error::ERR_DATABASE_CANT_READ => sptcp_error::SPTCP_ERR_DATABASE_CANT_READ,
            Error::ERR_DATABASE_CANT_WRITE => sptcp_error::SPTCP_ERR_DATABASE_CANT_WRITE,
            Error::ERR_COMPILATION_FAILED => sptcp_error::SPTCP_ERR_COMPILATION_FAILED,
            Error::ERR_METHOD_NOT_FOUND => sptcp_error::SPTCP_ERR_METHOD_NOT_FOUND,
            Error::ERR_LINK_FAILED => sptcp_error::SPTCP_ERR_LINK_FAILED,
            Error::ERR_SCRIPT_FAILED => sptcp_error::SPTCP_ERR_SCRIPT_FAILED,
            Error::ERR_CYCLIC_LINK => sptcp_error::SPTCP_ERR_CYCLIC_LINK,
            Error::ERR_INVALID_DECLARATION => sptcp_error::SPTCP_ERR_INVALID_DECLARATION,
            Error::ERR_DUPLICATE_SYMBOL => sptcp_error::SPTCP_ERR_DUPLICATE_SYMBOL,
            Error::ERR_PARSE_ERROR => sptcp_error::SPTCP_ERR_PARSE_ERROR,
            Error::ERR_BUSY => sptcp_error::SPTCP_ERR_BUSY,
            Error::ERR_SKIP => sptcp_error::SPTCP_ERR_SKIP,
            Error::ERR_HELP => sptcp_error::SPTCP_ERR_HELP,
            Error::ERR_BUG => sptcp_error::SPTCP_ERR_BUG,
            Error::ERR_PRINTER_ON_FIRE => sptcp_error::SPTCP_ERR_PRINTER_ON_FIRE,
        }
    }
}

/// Connection status of a socket peer (Godot's `StreamPeerSocket.Status`).
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum sptcp_status {
    /// No connection: new, disconnected, closed by the peer, or after a
    /// failed read or write.
    SPTCP_STATUS_NONE = 0,
    /// `sptcp_connect_to_host` started a connection; `sptcp_poll` finishes it.
    SPTCP_STATUS_CONNECTING = 1,
    /// Connected: data can flow.
    SPTCP_STATUS_CONNECTED = 2,
    /// The connect failed or timed out, or `sptcp_poll` saw a socket error
    /// (such as a reset). Only `sptcp_disconnect_from_host` leaves this state.
    SPTCP_STATUS_ERROR = 3,
}

impl From<Status> for sptcp_status {
    fn from(s: Status) -> sptcp_status {
        match s {
            Status::STATUS_NONE => sptcp_status::SPTCP_STATUS_NONE,
            Status::STATUS_CONNECTING => sptcp_status::SPTCP_STATUS_CONNECTING,
            Status::STATUS_CONNECTED => sptcp_status::SPTCP_STATUS_CONNECTED,
            Status::STATUS_ERROR => sptcp_status::SPTCP_STATUS_ERROR,
        }
    }
}

/// A TLS peer's status (Godot's `StreamPeerTLS.Status`).
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum sptcp_tls_status {
    /// No stream: new, after `sptcp_tls_disconnect_from_stream`, or after
    /// the far side's close_notify once its bytes were read.
    SPTCP_TLS_STATUS_DISCONNECTED = 0,
    /// The stream's connect or the handshake runs; `sptcp_tls_poll` drives it.
    SPTCP_TLS_STATUS_HANDSHAKING = 1,
    /// Data flows.
    SPTCP_TLS_STATUS_CONNECTED = 2,
    /// The handshake failed (unknown issuer, expired, bad data), the stream
    /// broke, or it ended without close_notify.
    SPTCP_TLS_STATUS_ERROR = 3,
    /// The certificate is valid but not for the name asked.
    SPTCP_TLS_STATUS_ERROR_HOSTNAME_MISMATCH = 4,
}

impl From<TlsStatus> for sptcp_tls_status {
    fn from(s: TlsStatus) -> sptcp_tls_status {
        match s {
            TlsStatus::STATUS_DISCONNECTED => sptcp_tls_status::SPTCP_TLS_STATUS_DISCONNECTED,
            TlsStatus::STATUS_HANDSHAKING => sptcp_tls_status::SPTCP_TLS_STATUS_HANDSHAKING,
            TlsStatus::STATUS_CONNECTED => sptcp_tls_status::SPTCP_TLS_STATUS_CONNECTED,
            TlsStatus::STATUS_ERROR => sptcp_tls_status::SPTCP_TLS_STATUS_ERROR,
            TlsStatus::STATUS_ERROR_HOSTNAME_MISMATCH => {
                sptcp_tls_status::SPTCP_TLS_STATUS_ERROR_HOSTNAME_MISMATCH
            }
        }
    }
}

/// Variant types with Godot 4's ids (`Variant::Type`).
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum sptcp_variant_type {
    SPTCP_TYPE_NIL = 0,
    SPTCP_TYPE_BOOL = 1,
    SPTCP_TYPE_INT = 2,
    SPTCP_TYPE_FLOAT = 3,
    SPTCP_TYPE_STRING = 4,
    SPTCP_TYPE_VECTOR2 = 5,
    SPTCP_TYPE_VECTOR2I = 6,
    SPTCP_TYPE_RECT2 = 7,
    SPTCP_TYPE_RECT2I = 8,
    SPTCP_TYPE_VECTOR3 = 9,
    SPTCP_TYPE_VECTOR3I = 10,
    SPTCP_TYPE_TRANSFORM2D = 11,
    SPTCP_TYPE_VECTOR4 = 12,
    SPTCP_TYPE_VECTOR4I = 13,
    SPTCP_TYPE_PLANE = 14,
    SPTCP_TYPE_QUATERNION = 15,
    SPTCP_TYPE_AABB = 16,
    SPTCP_TYPE_BASIS = 17,
    SPTCP_TYPE_TRANSFORM3D = 18,
    SPTCP_TYPE_PROJECTION = 19,
    SPTCP_TYPE_COLOR = 20,
    SPTCP_TYPE_STRING_NAME = 21,
    SPTCP_TYPE_NODE_PATH = 22,
    SPTCP_TYPE_RID = 23,
    SPTCP_TYPE_OBJECT = 24,
    SPTCP_TYPE_CALLABLE = 25,
    SPTCP_TYPE_SIGNAL = 26,
    SPTCP_TYPE_DICTIONARY = 27,
    SPTCP_TYPE_ARRAY = 28,
    SPTCP_TYPE_PACKED_BYTE_ARRAY = 29,
    SPTCP_TYPE_PACKED_INT32_ARRAY = 30,
    SPTCP_TYPE_PACKED_INT64_ARRAY = 31,
    SPTCP_TYPE_PACKED_FLOAT32_ARRAY = 32,
    SPTCP_TYPE_PACKED_FLOAT64_ARRAY = 33,
    SPTCP_TYPE_PACKED_STRING_ARRAY = 34,
    SPTCP_TYPE_PACKED_VECTOR2_ARRAY = 35,
    SPTCP_TYPE_PACKED_VECTOR3_ARRAY = 36,
    SPTCP_TYPE_PACKED_COLOR_ARRAY = 37,
    SPTCP_TYPE_PACKED_VECTOR4_ARRAY = 38,
}

impl From<VariantType> for sptcp_variant_type {
    fn from(t: VariantType) -> sptcp_variant_type {
        match t {
            VariantType::TYPE_NIL => sptcp_variant_type::SPTCP_TYPE_NIL,
            VariantType::TYPE_BOOL => sptcp_variant_type::SPTCP_TYPE_BOOL,
            VariantType::TYPE_INT => sptcp_variant_type::SPTCP_TYPE_INT,
            VariantType::TYPE_FLOAT => sptcp_variant_type::SPTCP_TYPE_FLOAT,
            VariantType::TYPE_STRING => sptcp_variant_type::SPTCP_TYPE_STRING,
            VariantType::TYPE_VECTOR2 => sptcp_variant_type::SPTCP_TYPE_VECTOR2,
            VariantType::TYPE_VECTOR2I => sptcp_variant_type::SPTCP_TYPE_VECTOR2I,
            VariantType::TYPE_RECT2 => sptcp_variant_type::SPTCP_TYPE_RECT2,
            VariantType::TYPE_RECT2I => sptcp_variant_type::SPTCP_TYPE_RECT2I,
            VariantType::TYPE_VECTOR3 => sptcp_variant_type::SPTCP_TYPE_VECTOR3,
            VariantType::TYPE_VECTOR3I => sptcp_variant_type::SPTCP_TYPE_VECTOR3I,
            VariantType::TYPE_TRANSFORM2D => sptcp_variant_type::SPTCP_TYPE_TRANSFORM2D,
            VariantType::TYPE_VECTOR4 => sptcp_variant_type::SPTCP_TYPE_VECTOR4,
            VariantType::TYPE_VECTOR4I => sptcp_variant_type::SPTCP_TYPE_VECTOR4I,
            VariantType::TYPE_PLANE => sptcp_variant_type::SPTCP_TYPE_PLANE,
            VariantType::TYPE_QUATERNION => sptcp_variant_type::SPTCP_TYPE_QUATERNION,
            VariantType::TYPE_AABB => sptcp_variant_type::SPTCP_TYPE_AABB,
            VariantType::TYPE_BASIS => sptcp_variant_type::SPTCP_TYPE_BASIS,
            VariantType::TYPE_TRANSFORM3D => sptcp_variant_type::SPTCP_TYPE_TRANSFORM3D,
            VariantType::TYPE_PROJECTION => sptcp_variant_type::SPTCP_TYPE_PROJECTION,
            VariantType::TYPE_COLOR => sptcp_variant_type::SPTCP_TYPE_COLOR,
            VariantType::TYPE_STRING_NAME => sptcp_variant_type::SPTCP_TYPE_STRING_NAME,
            VariantType::TYPE_NODE_PATH => sptcp_variant_type::SPTCP_TYPE_NODE_PATH,
            VariantType::TYPE_RID => sptcp_variant_type::SPTCP_TYPE_RID,
            VariantType::TYPE_OBJECT => sptcp_variant_type::SPTCP_TYPE_OBJECT,
            VariantType::TYPE_CALLABLE => sptcp_variant_type::SPTCP_TYPE_CALLABLE,
            VariantType::TYPE_SIGNAL => sptcp_variant_type::SPTCP_TYPE_SIGNAL,
            VariantType::TYPE_DICTIONARY => sptcp_variant_type::SPTCP_TYPE_DICTIONARY,
            VariantType::TYPE_ARRAY => sptcp_variant_type::SPTCP_TYPE_ARRAY,
            VariantType::TYPE_PACKED_BYTE_ARRAY => sptcp_variant_type::SPTCP_TYPE_PACKED_BYTE_ARRAY,
            VariantType::TYPE_PACKED_INT32_ARRAY => {
                sptcp_variant_type::SPTCP_TYPE_PACKED_INT32_ARRAY
            }
            VariantType::TYPE_PACKED_INT64_ARRAY => {
                sptcp_variant_type::SPTCP_TYPE_PACKED_INT64_ARRAY
            }
            VariantType::TYPE_PACKED_FLOAT32_ARRAY => {
                sptcp_variant_type::SPTCP_TYPE_PACKED_FLOAT32_ARRAY
            }
            VariantType::TYPE_PACKED_FLOAT64_ARRAY => {
                sptcp_variant_type::SPTCP_TYPE_PACKED_FLOAT64_ARRAY
            }
            VariantType::TYPE_PACKED_STRING_ARRAY => {
                sptcp_variant_type::SPTCP_TYPE_PACKED_STRING_ARRAY
            }
            VariantType::TYPE_PACKED_VECTOR2_ARRAY => {
                sptcp_variant_type::SPTCP_TYPE_PACKED_VECTOR2_ARRAY
            }
            VariantType::TYPE_PACKED_VECTOR3_ARRAY => {
                sptcp_variant_type::SPTCP_TYPE_PACKED_VECTOR3_ARRAY
            }
            VariantType::TYPE_PACKED_COLOR_ARRAY => {
                sptcp_variant_type::SPTCP_TYPE_PACKED_COLOR_ARRAY
            }
            VariantType::TYPE_PACKED_VECTOR4_ARRAY => {
                sptcp_variant_type::SPTCP_TYPE_PACKED_VECTOR4_ARRAY
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_survive_the_conversions() {
        for code in 0..49 {
            let e = Error::from_code(code).unwrap();
            assert_eq!(sptcp_error::from(e) as i32, code);
        }
        for id in 0..39 {
            let t = VariantType::from_id(id).unwrap();
            assert_eq!(sptcp_variant_type::from(t) as u32, id);
        }
        assert_eq!(sptcp_status::from(Status::STATUS_ERROR) as i32, 3);
        assert_eq!(sptcp_status::from(Status::STATUS_NONE) as i32, 0);
    }
}
