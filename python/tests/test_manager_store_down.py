"""SessionManager and the Starlette/FastAPI middleware when the storage is down (issue 12,
"Outages"): the manager fails closed. A request whose cookie names a session the storage cannot
load is an error, never a fresh anonymous session; a commit whose write or delete fails is an
error, never a silent drop (README, "When the storage is down"). The storage is a
CustomSessionStorage whose callbacks raise (or hang) while ``down``; the same over Redis cut
through a proxy is tests/adapters/test_outages.py. The Node twin: js/test/manager-store-down.test.js.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sessionkeeper import (
    CallbackFailedError,
    CallbackTimeoutError,
    CustomSessionStorage,
    SessionManager,
    SessionStorageError,
)
from sessionkeeper.starlette import SessionMiddleware

SECRET = "a-secret-of-at-least-thirty-two-bytes!!"
DOWN = "ECONNREFUSED: the store is down"


class Flaky:
    """A CustomSessionStorage over a dict whose every callback raises while ``down``."""

    def __init__(self, timeout: float | None = 10.0) -> None:
        self.db: dict[str, str] = {}
        self.down = False
        self.hang = False
        self.calls = 0
        self.storage = CustomSessionStorage(self._store, self._load, self._delete, timeout=timeout)

    async def _guard(self) -> None:
        self.calls += 1
        if self.hang:
            await asyncio.Event().wait()
        if self.down:
            raise ConnectionRefusedError(DOWN)

    async def _store(self, session: Any) -> bool:
        await self._guard()
        self.db[session.id] = session.to_json()
        return True

    async def _load(self, id: str) -> Any:
        await self._guard()
        return self.db.get(id)

    async def _delete(self, id: str) -> bool:
        await self._guard()
        self.db.pop(id, None)
        return True


async def signed_in(manager: SessionManager) -> str:
    session = await manager.start()
    session["user"] = "ada"
    set_cookie = await manager.commit(session)
    assert set_cookie is not None
    return set_cookie.split(";")[0]


def assert_down(error: BaseException) -> None:
    assert isinstance(error, CallbackFailedError) and error.code == "CALLBACK_FAILED", repr(error)
    assert isinstance(error.__cause__, ConnectionRefusedError) and str(error.__cause__) == DOWN


async def test_start_with_the_cookie_of_a_stored_session_raises_while_the_store_is_down() -> None:
    flaky = Flaky()
    manager = SessionManager(flaky.storage, secrets=[SECRET])
    cookie = await signed_in(manager)
    flaky.down = True
    with pytest.raises(CallbackFailedError) as raised:
        await manager.start(cookie)
    assert_down(raised.value)
    flaky.down = False
    back = await manager.start(cookie)
    assert not back.is_new and back["user"] == "ada"


async def test_a_load_that_hangs_past_the_timeout_is_callback_timeout_also_closed() -> None:
    flaky = Flaky(timeout=0.05)
    manager = SessionManager(flaky.storage, secrets=[SECRET])
    cookie = await signed_in(manager)
    flaky.hang = True
    with pytest.raises(CallbackTimeoutError):
        await manager.start(cookie)


async def test_a_commit_whose_store_or_delete_fails_raises() -> None:
    flaky = Flaky()
    manager = SessionManager(flaky.storage, secrets=[SECRET])
    cookie = await signed_in(manager)
    changed = await manager.start(cookie)
    changed["cart"] = 3
    destroyed = await manager.start(cookie)
    destroyed.destroy()
    regenerated = await manager.start(cookie)
    regenerated.regenerate()
    flaky.down = True
    for session in (changed, destroyed, regenerated):
        with pytest.raises(CallbackFailedError) as raised:
            await manager.commit(session)
        assert_down(raised.value)
    flaky.down = False
    assert len(flaky.db) == 1, "the stored session is as it was: not changed, not deleted, not moved"
    after = await manager.start(cookie)
    assert after["user"] == "ada" and "cart" not in after


async def test_what_needs_no_storage_call_still_works_while_the_store_is_down() -> None:
    flaky = Flaky()
    manager = SessionManager(flaky.storage, secrets=[SECRET])
    flaky.down = True
    fresh = await manager.start()  # no cookie: nothing to load
    assert fresh.is_new
    assert await manager.commit(fresh) is None  # untouched and new: nothing written
    assert flaky.calls == 0
    again = await manager.start()
    again["user"] = "ada"
    with pytest.raises(SessionStorageError, match="failed to store"):
        await manager.commit(again)


async def counter(request: Request) -> Response:
    request.session["n"] = request.session.get("n", 0) + 1
    return PlainTextResponse(f"n={request.session['n']}")


async def test_starlette_a_failed_load_is_the_apps_500_and_raises_the_route_never_runs() -> None:
    flaky = Flaky()
    ran: list[str] = []

    async def route(request: Request) -> Response:
        ran.append(request.url.path)
        return await counter(request)

    app = Starlette(routes=[Route("/", route)])
    app.add_middleware(SessionMiddleware, manager=SessionManager(flaky.storage, secrets=[SECRET]))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        first = await http.get("/")
        assert first.text == "n=1"
        flaky.down = True
        # Starlette's ServerErrorMiddleware answers the exception the middleware lets through:
        # a 500 (the app's own handler for 500 / Exception, when it has one), logged by the server.
        failed = await http.get("/")
        assert failed.status_code == 500 and failed.headers.get_list("set-cookie") == []
        assert ran == ["/"], "the route never ran without its session"
        flaky.down = False
        assert (await http.get("/")).text == "n=2", "the session is intact once the store is back"
    raising = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=raising, base_url="https://testserver", cookies=first.cookies) as http:
        flaky.down = True
        with pytest.raises(CallbackFailedError) as raised:
            await http.get("/")
        assert_down(raised.value)
