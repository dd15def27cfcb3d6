"""The loaded library, and the exception that carries its errors."""

from __future__ import annotations

from ._ffi import load
from .enums import Error

lib, LIBRARY_PATH = load()


class GodotError(Exception):
    """A call failed with a Godot Error code. `error` is the code, the
    message the library's detail (its last error message)."""

    def __init__(self, error: int, message: str = ""):
        self.error = Error(error) if 0 <= error < len(Error) else error
        name = self.error.name if isinstance(self.error, Error) else str(error)
        super().__init__(f"{name}: {message}" if message else name)


def last_error_message() -> str:
    """The detail of the last failed call on this thread ("" if none)."""
    return lib.sptcp_last_error_message().decode("utf-8", "replace")


# Every Error by its number, built once: calling the enum per result costs
# more than the C call it describes.
_ERRORS = tuple(Error)
_BUG = Error.ERR_BUG


def to_error(code: int) -> Error:
    """The Error for a C result (ERR_BUG for a number Godot lacks)."""
    return _ERRORS[code] if 0 <= code < len(_ERRORS) else _BUG


def check(code: int) -> None:
    """Raises GodotError unless `code` is OK."""
    if code:
        raise GodotError(code, last_error_message())
