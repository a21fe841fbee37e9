"""sessionkeeper: Shopify-compatible web sessions and session storage, one Rust core for
Node and Python.

>>> from sessionkeeper import Session, MemorySessionStorage
>>> session = Session("offline_shop.myshopify.com", shop="shop.myshopify.com")
>>> session.to_json()
'{"id":"offline_shop.myshopify.com","shop":"shop.myshopify.com","state":"","isOnline":false}'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import (
    ERROR_CODES,
    CallbackFailedError,
    CallbackTimeoutError,
    ConflictError,
    CookieTooLargeError,
    ErrorCode,
    InvalidArgumentError,
    InvalidCallbackResultError,
    InvalidSessionError,
    InvalidSignatureError,
    NotSupportedError,
    SessionStorageError,
    StorageIOError,
)
from ._native import Session
from .cache import SessionCache
from .custom import CustomSessionStorage
from .manager import CookieStorage, ManagedSession, SessionManager, cookie_storage
from .storage import SessionStorage
from .stores import FileSessionStorage, MemorySessionStorage

try:
    __version__ = version("sessionkeeper")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Session",
    "SessionStorage",
    "CustomSessionStorage",
    "SessionCache",
    "MemorySessionStorage",
    "FileSessionStorage",
    "SessionManager",
    "ManagedSession",
    "CookieStorage",
    "cookie_storage",
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
    "ErrorCode",
    "ERROR_CODES",
    "__version__",
]
