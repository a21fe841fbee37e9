"""sessionkeeper.starlette and sessionkeeper.fastapi at their edges: Starlette and FastAPI apps
driven in process through httpx's ASGI transport (the example app's tests use a real server)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import BackgroundTasks, FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from sessionkeeper import InvalidArgumentError, MemorySessionStorage, NotSupportedError, SessionManager
from sessionkeeper.fastapi import Session
from sessionkeeper.starlette import SessionMiddleware

SECRET = "a-secret-of-at-least-thirty-two-bytes!!"


class Watched(MemorySessionStorage):
    """A memory storage that records what was sent before each write, and can fail."""

    def __init__(self) -> None:
        super().__init__()
        self.fail = False
        self.sent: list[str] = []
        self.sent_at_store: list[list[str]] = []

    async def store_session(self, session: Any) -> bool:
        self.sent_at_store.append(list(self.sent))
        await asyncio.sleep(0)
        if self.fail:
            raise OSError("storage down")
        return await super().store_session(session)


def recording(app: Any, storage: Watched) -> Any:
    """``app`` inside a recorder of the ASGI messages of each request that reach the server."""

    async def recorder(scope: Any, receive: Any, send: Any) -> None:
        storage.sent = []

        async def record(message: Any) -> None:
            storage.sent.append(message["type"])
            await send(message)

        await app(scope, receive, record)

    return recorder


def wrap(app: Any, storage: Watched) -> Any:
    return recording(SessionMiddleware(app, manager=SessionManager(storage, secrets=[SECRET])), storage)


def client(app: Any, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="https://testserver")


def sid(response: httpx.Response) -> str | None:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith("sid=")]
    return found[0] if found else None


async def counter(request: Request) -> Response:
    request.session["n"] = request.session.get("n", 0) + 1
    response = PlainTextResponse(str(request.session["n"]))
    response.set_cookie("theme", "dark")
    return response


async def redirect(request: Request) -> Response:
    request.session["user"] = "ada"
    return RedirectResponse("/elsewhere", status_code=303)


async def stream(request: Request) -> Response:
    request.session["streamed"] = True

    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"one ", b"two ", b"three"):
            yield part

    return StreamingResponse(chunks(), media_type="text/plain")


def starlette_app() -> Starlette:
    routes = [Route("/", counter), Route("/redirect", redirect), Route("/stream", stream)]
    return Starlette(routes=routes)


async def test_committed_before_response_start_with_the_apps_own_cookie() -> None:
    storage = Watched()
    async with client(wrap(starlette_app(), storage)) as http:
        first = await http.get("/")
        assert first.text == "1"
        cookies = first.headers.get_list("set-cookie")
        assert len(cookies) == 2 and cookies[0].startswith("theme=dark")
        assert sid(first) is not None and "HttpOnly; SameSite=Lax; Secure; Path=/" in str(sid(first))
        assert (await http.get("/")).text == "2"  # the client sent the cookie back
    assert storage.sent_at_store[0] == []  # nothing had gone out when the first write ran


async def test_redirect_and_streaming_responses_carry_the_cookie() -> None:
    storage = Watched()
    async with client(wrap(starlette_app(), storage)) as http:
        moved = await http.get("/redirect")
        assert moved.status_code == 303 and moved.headers["location"] == "/elsewhere"
        assert sid(moved) is not None
        streamed = await http.get("/stream")
        assert streamed.text == "one two three" and sid(streamed) is not None
    assert storage.sent_at_store == [[], []]  # each write before anything went out


async def test_a_failed_commit_is_a_logged_500_and_is_raised(caplog: pytest.LogCaptureFixture) -> None:
    storage = Watched()
    storage.fail = True
    app = wrap(starlette_app(), storage)
    async with client(app, raise_app_exceptions=False) as http:
        for path in ("/", "/redirect", "/stream"):
            with caplog.at_level(logging.ERROR, logger="sessionkeeper"):
                response = await http.get(path)
            assert response.status_code == 500
            assert response.text == "Internal Server Error"
            assert response.headers.get_list("set-cookie") == [] and "location" not in response.headers
    failures = [r for r in caplog.records if r.name == "sessionkeeper" and "commit failed" in r.getMessage()]
    assert len(failures) == 3 and SECRET not in caplog.text
    async with client(app) as http:
        with pytest.raises(OSError, match="storage down"):
            await http.get("/")


async def test_fastapi_dependency_background_tasks_and_regenerate() -> None:
    storage = Watched()
    app = FastAPI()
    app.add_middleware(SessionMiddleware, manager=SessionManager(storage, secrets=[SECRET]))
    ran: list[str] = []

    @app.post("/login")
    async def login(session: Session, tasks: BackgroundTasks) -> dict[str, str]:
        session.regenerate()
        session["user"] = "ada"
        tasks.add_task(lambda: ran.append(storage.sent[-1]))
        return {"ok": "yes"}

    @app.get("/me")
    async def me(session: Session) -> dict[str, Any]:
        return {"user": session.get("user"), "new": session.is_new}

    async with client(recording(app, storage)) as http:
        before = await http.get("/me")
        assert before.json() == {"user": None, "new": True} and sid(before) is None
        login = await http.post("/login")
        assert login.json() == {"ok": "yes"} and sid(login) is not None
        assert (await http.get("/me")).json() == {"user": "ada", "new": False}
    # The background task ran after the whole response had gone out.
    assert ran == ["http.response.body"]


async def test_the_dependency_without_the_middleware_is_not_supported() -> None:
    app = FastAPI()

    @app.get("/")
    async def home(session: Session) -> str:
        return "unreachable"

    async with client(app) as http:
        with pytest.raises(NotSupportedError, match="add_middleware"):
            await http.get("/")


async def test_other_scopes_pass_through_and_bad_arguments_are_refused() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope.get("session"))

    middleware = SessionMiddleware(app, manager=SessionManager(MemorySessionStorage(), secrets=[SECRET]))

    async def nothing() -> Any:
        return {}

    async def ignore(message: Any) -> None:
        pass

    await middleware({"type": "lifespan"}, nothing, ignore)
    await middleware({"type": "websocket", "headers": []}, nothing, ignore)
    assert seen[0] is None and seen[1] is not None
    with pytest.raises(InvalidArgumentError):
        SessionMiddleware(app, manager="not a manager")  # type: ignore[arg-type]


def test_the_quick_example_runs() -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    done = subprocess.run([sys.executable, "fastapi_quick.py"], cwd=examples, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "visit 1 / visit 2\n"
