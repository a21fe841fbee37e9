"""SessionManager as ASGI middleware for Starlette and FastAPI (ARCHITECTURE.md, "Framework glue").

Pure ASGI, so nothing of Starlette is imported: ``scope["session"]`` (what Starlette's
``request.session`` returns) is the request's :class:`~sessionkeeper.ManagedSession`, and the
commit runs when the app sends ``http.response.start``, before that message goes on, with the
``Set-Cookie`` appended to the app's headers::

    app.add_middleware(SessionMiddleware, manager=manager)

It only adapts: the manager decides what a commit writes and which cookie it sends.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .errors import _from_code
from .manager import ManagedSession, SessionManager

__all__ = ["SessionMiddleware", "Scope", "Message", "Receive", "Send", "ASGIApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_logger = logging.getLogger("sessionkeeper")

_FAILED_BODY = b"Internal Server Error"


def _cookie_header(scope: Scope) -> str | None:
    # HTTP/2 may split the cookie into several fields; RFC 9113 8.2.3 joins them with "; ".
    values = [value.decode("latin-1") for name, value in scope.get("headers", ()) if name.lower() == b"cookie"]
    return "; ".join(values) if values else None


class SessionMiddleware:
    """ASGI middleware: ``scope["session"]`` (Starlette's ``request.session``) is the request's
    :class:`~sessionkeeper.ManagedSession`, committed before ``http.response.start`` is sent.

    A failed commit is logged (logger ``sessionkeeper``), answered with a plain 500 instead of
    the app's response, and raised again once the app returns, so the server sees it too.
    WebSocket connections get the session read-only (nothing is committed for them); other
    scopes pass through untouched.
    """

    __slots__ = ("app", "manager")

    def __init__(self, app: ASGIApp, *, manager: SessionManager) -> None:
        if not isinstance(manager, SessionManager):
            raise _from_code("INVALID_ARGUMENT", "SessionMiddleware takes manager=SessionManager(...)")
        self.app = app
        self.manager = manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket") or isinstance(scope.get("session"), ManagedSession):
            await self.app(scope, receive, send)
            return
        session = await self.manager.start(_cookie_header(scope))
        scope["session"] = session
        if kind == "websocket":
            await self.app(scope, receive, send)
            return

        failure: BaseException | None = None

        async def send_committed(message: Message) -> None:
            nonlocal failure
            if failure is not None:
                return  # the 500 went out instead of the app's response
            if message["type"] == "http.response.start":
                try:
                    set_cookie = await self.manager.commit(session)
                except Exception as error:
                    failure = error
                    _logger.exception("session commit failed; answered 500 instead of the app's response")
                    await _send_failure(send)
                    return
                if set_cookie is not None:
                    headers = list(message.get("headers", ()))
                    headers.append((b"set-cookie", set_cookie.encode("latin-1")))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_committed)
        if failure is not None:
            raise failure


async def _send_failure(send: Send) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(_FAILED_BODY)).encode())]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": _FAILED_BODY})
