"""Sessions for a web app: a signed cookie, values kept between requests, written only when
they change. Run: python manager.py"""

import asyncio
import os

from sessionkeeper import MemorySessionStorage, SessionManager

manager = SessionManager(
    MemorySessionStorage(),  # or FileSessionStorage, redis, postgres, cookie_storage()
    secrets=[os.environ.get("SESSION_SECRET", "change-me-to-32-or-more-random-bytes!!")],
    cookie={"secure": False},  # plain http on localhost; keep the default (True) in production
    idle_timeout=30 * 60,
)


async def handle(cookie_header: str | None) -> tuple[str, str | None]:
    """One request: what a view does between reading the Cookie header and sending headers."""
    session = await manager.start(cookie_header)  # a fresh session if there is no valid cookie
    session["visits"] = session.get("visits", 0) + 1
    body = f"visit {session['visits']}" + (" (new session)" if session.is_new else "")
    set_cookie = await manager.commit(session)  # before the response headers go out
    return body, set_cookie


async def main() -> None:
    body, set_cookie = await handle(None)
    assert set_cookie is not None
    cookie = set_cookie.split(";")[0]  # what a browser keeps and sends back
    print(body, f"cookie: {cookie.split('=')[0]}=…")
    body, _ = await handle(cookie)
    print(body)


asyncio.run(main())
