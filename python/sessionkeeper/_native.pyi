"""Type stubs for ``sessionkeeper._native``, the private pyo3 module (hand-written; checked by
``mypy --strict`` over python/examples/typed.py and by ``mypy.stubtest`` in the test suite)."""

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeAlias, final

from .errors import SessionStorageError

__all__ = [
    "BATTERY_VECTORS",
    "ERROR_CODES",
    "Deadlines",
    "FileStore",
    "MemoryStore",
    "NativeManager",
    "PostgresLayout",
    "PostgresQuery",
    "RedisLayout",
    "RedisStep",
    "SESSION_FIELDS",
    "Session",
    "SessionCache",
    "SessionState",
    "callback_failed",
    "callback_timeout",
    "check_id_argument",
    "check_shop_argument",
    "find_not_supported",
    "finish_bool",
    "finish_delete_many",
    "finish_found",
    "finish_load",
    "finish_store_if_version",
    "plan_delete_many",
    "session_argument",
    "timeout_ms",
]

ERROR_CODES: list[str]
#: The conformance battery and the vector files it names, as one JSON text
#: (``{"battery": ..., "sessions": ..., "invalid": ...}``); ``sessionkeeper.testing`` reads it.
BATTERY_VECTORS: str

#: The core's session field table: ``(js, python, kind)`` in canonical order.
SESSION_FIELDS: list[tuple[str, str, str]]

#: A JSON value as Python holds it (``data`` values, ``online_access_info``).
_JSON: TypeAlias = Any

#: What a date field takes: an aware ``datetime``, ISO-8601 text with an offset, or an epoch
#: number - milliseconds, except that numbers from 1e9 up to (not including) 1e11 are epoch
#: seconds (as milliseconds they would be a date in 1970-1973, never a real expiry).
_Date: TypeAlias = datetime | float | str

@final
class Session:
    """A Shopify-compatible session; attributes are validated when set."""

    def __new__(
        cls,
        id: str,
        shop: str | None = "",
        state: str | None = "",
        is_online: bool | None = False,
        scope: str | None = None,
        expires: _Date | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        refresh_token_expires: _Date | None = None,
        online_access_info: Mapping[str, _JSON] | None = None,
        data: Mapping[str, _JSON] | None = None,
    ) -> Session: ...
    @property
    def id(self) -> str: ...
    @id.setter
    def id(self, value: str) -> None: ...
    @property
    def shop(self) -> str: ...
    @shop.setter
    def shop(self, value: str) -> None: ...
    @property
    def state(self) -> str: ...
    @state.setter
    def state(self, value: str) -> None: ...
    @property
    def is_online(self) -> bool: ...
    @is_online.setter
    def is_online(self, value: bool) -> None: ...
    @property
    def scope(self) -> str | None: ...
    @scope.setter
    def scope(self, value: str | None) -> None: ...
    @property
    def expires(self) -> datetime | None: ...
    @expires.setter
    def expires(self, value: _Date | None) -> None: ...
    @property
    def access_token(self) -> str | None: ...
    @access_token.setter
    def access_token(self, value: str | None) -> None: ...
    @property
    def refresh_token(self) -> str | None: ...
    @refresh_token.setter
    def refresh_token(self, value: str | None) -> None: ...
    @property
    def refresh_token_expires(self) -> datetime | None: ...
    @refresh_token_expires.setter
    def refresh_token_expires(self, value: _Date | None) -> None: ...
    @property
    def online_access_info(self) -> dict[str, _JSON] | None: ...
    @online_access_info.setter
    def online_access_info(self, value: Mapping[str, _JSON] | None) -> None: ...
    @property
    def data(self) -> dict[str, _JSON] | None: ...
    @data.setter
    def data(self, value: Mapping[str, _JSON] | None) -> None: ...
    def to_json(self) -> str:
        """The canonical JSON text (the bytes Node's ``JSON.stringify(session)`` gives)."""
    def to_dict(self) -> dict[str, _JSON]:
        """The canonical JSON object (camelCase keys, ISO-8601 dates)."""
    @classmethod
    def from_json(cls, text: str | bytes) -> Session:
        """Reads JSON text of any accepted shape; bad text raises ``InvalidSessionError``."""
    @classmethod
    def from_dict(cls, value: Mapping[str, _JSON]) -> Session:
        """Builds a session from the canonical JSON shape; bad values raise ``InvalidArgumentError``."""
    def to_property_array(self, return_user_data: bool = False) -> list[list[_JSON]]:
        """Shopify's ``toPropertyArray``: ``[key, value]`` pairs, dates as epoch milliseconds."""
    @classmethod
    def from_property_array(
        cls, entries: Sequence[Sequence[_JSON]], return_user_data: bool = False
    ) -> Session:
        """Shopify's ``fromPropertyArray``; keys are case-insensitive."""
    def is_active(
        self, scopes: str | Iterable[str] | None = None, within_ms: float | None = 500
    ) -> bool:
        """Scopes granted, an access token present, not expiring within ``within_ms``."""
    def is_expired(self, within_ms: float | None = 0) -> bool:
        """Whether ``expires`` falls within ``within_ms`` from now."""
    def is_scope_changed(self, scopes: str | Iterable[str] | None) -> bool:
        """``False`` for ``None``, otherwise whether any given scope is missing."""
    def is_scope_included(self, scopes: str | Iterable[str]) -> bool:
        """Whether every given scope is granted (``write_x`` implies ``read_x``)."""
    def __eq__(self, other: object, /) -> bool: ...
    def __copy__(self) -> Session: ...
    def __deepcopy__(self, memo: Any) -> Session: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    __hash__: None  # type: ignore[assignment]

@final
class MemoryStore:
    def __new__(cls) -> MemoryStore: ...
    def store(self, session: Session | Mapping[str, _JSON]) -> None: ...
    def load(self, id: str) -> Session | None: ...
    def delete(self, id: str) -> bool: ...
    def delete_many(self, ids: Sequence[str]) -> bool: ...
    def find_by_shop(self, shop: str) -> list[Session]: ...
    def store_if_version(self, session: Session | Mapping[str, _JSON], expected: int) -> None: ...
    def sweep(self) -> int: ...
    def __len__(self) -> int: ...

@final
class SessionCache:
    def __new__(
        cls, max_entries: float | None = None, max_bytes: float | None = None, max_staleness: float | None = None
    ) -> SessionCache: ...
    def get(self, id: str, now_ms: int) -> Session | None: ...
    def ticket(self) -> int: ...
    def admit(self, id: str, session: Session, ticket: int, now_ms: int) -> bool: ...
    def invalidate(self, id: str) -> None: ...
    def clear(self) -> None: ...
    @property
    def entries(self) -> int: ...
    @property
    def bytes(self) -> int: ...

@final
class FileStore:
    def __new__(cls, directory: str | os.PathLike[str]) -> FileStore: ...
    @property
    def directory(self) -> str | os.PathLike[str]: ...
    def store(self, session: Session) -> bool: ...
    def store_if_version(self, session: Session, expected: int) -> bool: ...
    def sweep(self) -> int: ...
    def load(self, id: str) -> Session | None: ...
    def delete(self, id: str) -> bool: ...
    def delete_many(self, ids: Sequence[str]) -> bool: ...
    def find_by_shop(self, shop: str) -> list[Session]: ...

#: A Redis command of a plan: its name, then its arguments.
_Command: TypeAlias = tuple[Any, ...]
#: What a finished plan gives: ``True``, a load's value, a sweep's count, or a find's
#: ``(sessions, dropped, unreadable)``.
_Outcome: TypeAlias = bool | bytes | int | tuple[list[Session], int, int] | None

@final
class RedisStep:
    """One round trip of a Redis plan of the core."""

    @property
    def commands(self) -> list[list[_Command]]:
        """Phases of commands, each ``(name, *args)``: a phase goes after every command of the
        one before; within a phase, in any order."""
    def next(self, replies: Iterable[object]) -> RedisStep | _Outcome:
        """The next step, or the result, from every reply of this step in order."""

@final
class RedisLayout:
    """The core's Redis layout under one key prefix (``sessionkeeper.redis`` runs its plans)."""

    def __new__(
        cls, prefix: str | None = None, grace: float | timedelta | None = None
    ) -> RedisLayout: ...
    def session_key(self, id: str) -> str:
        """``{prefix}session:{id}``: the key holding the session's canonical JSON."""
    def shop_key(self, shop: str) -> str:
        """``{prefix}shop:{shop}``: the set of the shop's session ids."""
    def store(self, session: Session | Mapping[str, _JSON]) -> RedisStep:
        """The plan of a store of ``session``."""
    def load(self, id: str) -> RedisStep:
        """The plan of a load of ``id``."""
    def delete_many(self, ids: Sequence[str]) -> RedisStep | _Outcome:
        """The plan of a delete of ``ids``, or ``True`` when there is nothing to send."""
    def find_by_shop(self, shop: str) -> RedisStep:
        """The plan of a find of ``shop``'s sessions."""
    def store_if_version(self, session: Session | Mapping[str, _JSON], expected: int) -> RedisStep:
        """The plan of a store only over version ``expected`` (0: none yet): one ``EVAL``."""

@final
class PostgresQuery:
    """One statement of a PostgreSQL plan of the core."""

    @property
    def sql(self) -> str: ...
    @property
    def params(self) -> tuple[Any, ...]: ...
    @property
    def returns(self) -> str:
        """``"true"``, ``"value"``, ``"count"``, ``"sessions"`` (hand the rows to ``next``) or
        ``"stored"`` (hand the row count to ``stored``)."""
    def stored(self, rows: int) -> bool:
        """A compare-and-store's result: ``True``, or ``ConflictError``."""
    def next(self, rows: Sequence[str]) -> _Outcome:
        """A find's ``(sessions, dropped, unreadable)``, from the first column of every row."""

@final
class PostgresLayout:
    """The core's PostgreSQL layout over one table (``sessionkeeper.postgres`` runs its plans)."""

    def __new__(
        cls, table: str | None = None, grace: float | timedelta | None = None
    ) -> PostgresLayout: ...
    @property
    def table(self) -> str: ...
    def schema(self) -> list[str]:
        """The schema statements, to run in order inside one transaction."""
    def store(self, session: Session | Mapping[str, _JSON]) -> PostgresQuery: ...
    def load(self, id: str) -> PostgresQuery: ...
    def delete_many(self, ids: Sequence[str]) -> PostgresQuery: ...
    def find_by_shop(self, shop: str) -> PostgresQuery: ...
    def store_if_version(self, session: Session | Mapping[str, _JSON], v: int) -> PostgresQuery:
        """The store of ``session`` only over version ``v`` (0: none yet)."""
    def sweep(self) -> PostgresQuery:
        """Deletes the sessions past their grace period, now by the core's clock."""

def check_id_argument(id: object) -> None: ...
def check_shop_argument(shop: object) -> None: ...
def session_argument(session: object) -> Session: ...
def finish_bool(operation: str, result: object) -> bool: ...
def finish_store_if_version(stored: bool, id: str, expected: int) -> bool: ...
def finish_load(id: str, result: object) -> Session | None: ...
def finish_found(shop: str, result: object) -> list[Session]: ...
def callback_failed(
    operation: str, subject: str, text: str | None, type_name: str
) -> SessionStorageError: ...
def callback_timeout(operation: str, subject: str, timeout_ms: int) -> SessionStorageError: ...
def find_not_supported() -> SessionStorageError: ...
def timeout_ms(value: object) -> int | None: ...
def plan_delete_many(ids: object, has_callback: bool) -> str | list[list[str]]: ...
def finish_delete_many(ids: list[str], outcomes: Sequence[bool | BaseException]) -> bool: ...
@final
class Deadlines:
    """The deadlines of one storage's pending callbacks on one event loop (the core's); times
    are the loop's clock, in seconds."""

    def __new__(cls, timeout_ms: int) -> Deadlines: ...
    def start(self, now: float, seq: int) -> float:
        """Registers callback number ``seq``, started at ``now``; returns the latest start time
        whose deadline is this one's (calls started until then are numbered without asking)."""
    def expired(self, now: float) -> int:
        """The pending calls numbered below the answer are past their deadline at ``now``
        (every call when it is 2**64 - 1)."""
    def next_delay(self, now: float, oldest_pending: int | None) -> float | None:
        """Seconds until the timer should fire, given the oldest call still pending."""

@final
class NativeManager:
    """A manager's rules over its checked options."""
    def __new__(cls, options: str, sealed: bool, can_compare: bool) -> NativeManager: ...
    def begin(self, header: str | None) -> SessionState:
        """Reads a ``Cookie`` header (never raises): the request's session, still to be opened."""

@final
class SessionState:
    """One request's session as the core tracks it."""
    @property
    def load_id(self) -> str | None: ...
    def open(self, loaded: str | None, now_ms: float) -> None: ...
    def open_in_memory(self, store: MemoryStore, now_ms: float) -> None: ...
    @property
    def id(self) -> str: ...
    @property
    def is_new(self) -> bool: ...
    @property
    def created_at(self) -> int: ...
    @property
    def expires_at(self) -> int | None: ...
    @property
    def values(self) -> str: ...
    @property
    def flash(self) -> str: ...
    @property
    def refused(self) -> str | None: ...
    @property
    def refusal(self) -> str | None: ...
    def regenerate(self, now_ms: float) -> None: ...
    def destroy(self) -> None: ...
    def commit(
        self, values: str | None, flash: str | None, now_ms: float
    ) -> tuple[str | None, int | None, str | None, str | None]: ...
    def committed(self) -> None: ...
