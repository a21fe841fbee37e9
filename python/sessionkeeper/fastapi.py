"""The request's managed session as a FastAPI dependency (ARCHITECTURE.md, "Framework glue").

:class:`~sessionkeeper.starlette.SessionMiddleware` starts and commits the session; this
module only hands it to a path operation, typed::

    from sessionkeeper.fastapi import Session

    @app.get("/")
    async def home(session: Session) -> dict[str, int]:
        session["visits"] = session.get("visits", 0) + 1
        return {"visits": session["visits"]}

Importing it imports FastAPI; ``sessionkeeper.starlette`` itself imports neither.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from .errors import _from_code
from .manager import ManagedSession

__all__ = ["Session", "get_session"]


async def get_session(connection: HTTPConnection) -> ManagedSession:
    """The request's :class:`~sessionkeeper.ManagedSession`; ``NOT_SUPPORTED`` when the app
    has no :class:`~sessionkeeper.starlette.SessionMiddleware` (a route must not silently run
    without the session it was written for)."""
    # A coroutine, though it never awaits: FastAPI runs a plain function dependency in its
    # thread pool, a thread hop per request that costs more than the whole session.
    session = connection.scope.get("session")
    if not isinstance(session, ManagedSession):
        raise _from_code(
            "NOT_SUPPORTED",
            "no managed session on this request: add app.add_middleware(SessionMiddleware, manager=...)",
        )
    return session


Session = Annotated[ManagedSession, Depends(get_session)]
"""A path operation parameter typed ``Session`` receives the request's managed session."""
