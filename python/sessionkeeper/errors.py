"""The exceptions of sessionkeeper: one base class with a stable ``code``, one subclass per code.

Every failure the package reports is a :class:`SessionStorageError`. Branch on ``error.code``
(the same strings as the Node package) or catch a subclass; the subclasses also derive from the
matching built-in exception, so ``except ValueError`` catches bad input and ``except
TimeoutError`` catches a callback that hung. A callback's own exception is kept as
``__cause__``.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ErrorCode",
    "ERROR_CODES",
    "SessionStorageError",
    "InvalidArgumentError",
    "InvalidSessionError",
    "InvalidCallbackResultError",
    "CallbackFailedError",
    "CallbackTimeoutError",
    "NotSupportedError",
    "StorageIOError",
    "ConflictError",
    "CookieTooLargeError",
    "InvalidSignatureError",
]

ErrorCode = Literal[
    "INVALID_ARGUMENT",
    "INVALID_SESSION",
    "INVALID_CALLBACK_RESULT",
    "CALLBACK_FAILED",
    "CALLBACK_TIMEOUT",
    "NOT_SUPPORTED",
    "STORAGE_IO",
    "CONFLICT",
    "COOKIE_TOO_LARGE",
    "INVALID_SIGNATURE",
]


class SessionStorageError(Exception):
    """A sessionkeeper failure. ``code`` is stable across versions and languages."""

    code: ErrorCode

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message)
        self.code = code

    @property
    def message(self) -> str:
        """The human-readable message (what was expected and what came)."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[type[SessionStorageError], tuple[str, ErrorCode]]:
        return (type(self), (self.message, self.code))


class _Coded(SessionStorageError):
    """A subclass whose code is fixed; constructed with the message alone."""

    _code: ErrorCode

    def __init__(self, message: str, code: ErrorCode | None = None) -> None:
        super().__init__(message, code or self._code)


class InvalidArgumentError(_Coded, ValueError):
    """``INVALID_ARGUMENT``: bad input from the app (an empty id, a naive datetime, ...)."""

    _code = "INVALID_ARGUMENT"


class InvalidSessionError(_Coded, ValueError):
    """``INVALID_SESSION``: bad data from a store (not a session, another session's id, ...)."""

    _code = "INVALID_SESSION"


class InvalidCallbackResultError(_Coded, TypeError):
    """``INVALID_CALLBACK_RESULT``: a callback returned what its contract forbids."""

    _code = "INVALID_CALLBACK_RESULT"


class CallbackFailedError(_Coded):
    """``CALLBACK_FAILED``: a callback raised; the original exception is ``__cause__``."""

    _code = "CALLBACK_FAILED"


class CallbackTimeoutError(_Coded, TimeoutError):
    """``CALLBACK_TIMEOUT``: a callback did not finish within the storage's ``timeout``."""

    _code = "CALLBACK_TIMEOUT"


class NotSupportedError(_Coded, NotImplementedError):
    """``NOT_SUPPORTED``: the storage cannot do this (no ``find_sessions_by_shop`` callback)."""

    _code = "NOT_SUPPORTED"


class StorageIOError(_Coded, OSError):
    """``STORAGE_IO``: the file storage could not read or write its directory."""

    _code = "STORAGE_IO"


class ConflictError(_Coded):
    """``CONFLICT``: reserved for the lifecycle manager."""

    _code = "CONFLICT"


class CookieTooLargeError(_Coded):
    """``COOKIE_TOO_LARGE``: reserved for the lifecycle manager."""

    _code = "COOKIE_TOO_LARGE"


class InvalidSignatureError(_Coded):
    """``INVALID_SIGNATURE``: reserved for the lifecycle manager."""

    _code = "INVALID_SIGNATURE"


_BY_CODE: dict[str, type[_Coded]] = {
    cls._code: cls
    for cls in (
        InvalidArgumentError,
        InvalidSessionError,
        InvalidCallbackResultError,
        CallbackFailedError,
        CallbackTimeoutError,
        NotSupportedError,
        StorageIOError,
        ConflictError,
        CookieTooLargeError,
        InvalidSignatureError,
    )
}

ERROR_CODES: tuple[ErrorCode, ...] = tuple(_BY_CODE)  # type: ignore[arg-type]


def _from_code(code: str, message: str) -> SessionStorageError:
    """The exception for a core error (the native module calls this; not raised here)."""
    cls = _BY_CODE.get(code)
    if cls is None:  # a code newer than this file: still a SessionStorageError with its code
        return SessionStorageError(message, code)  # type: ignore[arg-type]
    return cls(message)
