"""A FastAPI app with sessions: a login form, a counter page, logout. Sessions live in Redis
(REDIS_URL, default redis://127.0.0.1:6379), or in memory when Redis is unreachable. The
Express example (js/examples/express-app.js) with the same SESSION_SECRET and Redis shares its
logins. SESSION_STORAGE=cookie seals the sessions into the cookie instead (no server state,
nothing shared). Run: python fastapi_app.py  (PORT, SESSION_SECRET, COOKIE_SECURE)"""

from __future__ import annotations

import asyncio
import html
import os
import socket
from typing import Any

import redis.asyncio as redis
import uvicorn
from fastapi import FastAPI, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from sessionkeeper import MemorySessionStorage, SessionManager, cookie_storage
from sessionkeeper.fastapi import Session
from sessionkeeper.redis import RedisSessionStorage
from sessionkeeper.starlette import SessionMiddleware

SECRET = os.environ.get("SESSION_SECRET", "change-me-to-32-or-more-random-bytes!!")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
KEY_PREFIX = os.environ.get("SESSION_KEY_PREFIX", "example-sessions:")


def open_storage() -> tuple[Any, str]:
    """Redis when it answers, else memory (a single-process demo still works)."""
    if os.environ.get("SESSION_STORAGE") == "cookie":
        return cookie_storage(), "cookie"

    async def ping() -> bool:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        try:
            return bool(await client.ping())
        except (OSError, redis.RedisError):
            return False
        finally:
            await client.aclose()

    if asyncio.run(ping()):
        return RedisSessionStorage(REDIS_URL, key_prefix=KEY_PREFIX), "redis"
    return MemorySessionStorage(), "memory"


def page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}<p><small>served by FastAPI</small></p></body></html>"
    )


def build_app(manager: SessionManager) -> FastAPI:
    app = FastAPI()
    app.add_middleware(SessionMiddleware, manager=manager)  # request.session, committed before headers

    @app.get("/")
    async def home(session: Session) -> HTMLResponse:
        user = session.get("user")
        if user is None:
            return page(
                "Sign in",
                '<form method="post" action="/login">'
                '<input name="name" placeholder="Your name" autofocus> <button>Sign in</button></form>',
            )
        return page(
            f"Hello, {html.escape(user)}",
            '<p><a href="/counter">Counter</a></p>'
            '<form method="post" action="/logout"><button>Sign out</button></form>',
        )

    @app.post("/login", response_model=None)
    async def login(session: Session, name: str = Form("")) -> HTMLResponse | RedirectResponse:
        name = name.strip()[:64]
        if not name:
            response = page("Sign in", "<p>A name, please.</p>")
            response.status_code = 400
            return response
        session.regenerate()  # a new id at login: a cookie planted before it is worthless
        session["user"] = name
        return RedirectResponse("/", status_code=303)

    @app.get("/counter")
    async def counter(session: Session) -> HTMLResponse:
        session["visits"] = int(session.get("visits", 0)) + 1
        user = html.escape(session.get("user", "anonymous"))
        return page(f"Visits: {session['visits']}", f'<p>{user}</p><a href="/">Home</a>')

    @app.post("/logout")
    async def logout(session: Session) -> RedirectResponse:
        session.destroy()  # deleted from the storage, the cookie cleared
        return RedirectResponse("/", status_code=303)

    return app


def main() -> None:
    storage, name = open_storage()
    manager = SessionManager(
        storage,
        secrets=[SECRET],
        cookie={"secure": os.environ.get("COOKIE_SECURE") != "false"},  # https in production
    )
    # The socket is bound here so that the port (PORT=0: a free one) can be printed.
    sock = socket.create_server(("127.0.0.1", int(os.environ.get("PORT", "8000"))))
    # Accepted connections inherit this: without it, a response's head and body wait on Nagle's
    # algorithm and the client's delayed ACK (40 ms per request on Linux).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]} (sessions in {name})", flush=True)
    uvicorn.Server(uvicorn.Config(build_app(manager), log_level="warning")).run(sockets=[sock])

if __name__ == "__main__":
    main()
